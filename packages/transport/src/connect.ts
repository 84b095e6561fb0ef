/**
 * The ONE function that turns any {@link RuntimeTransport} into what the SDK calls, written once
 * for every transport: it starts the runtime with the SDK's app id and consent, passes consent
 * changes on before the next call, reads the history on the page in the degraded case, remembers
 * the host catalog, supervises the runtime (a call in flight when it stops rejects with
 * `WORKER_CRASHED`; the next call starts a new one with the current consent and the catalog sent
 * so far — the history is in the store, not in the runtime) and disposes it.
 */
import { LocalRecError, type ItemMeta } from '@localrec/core';
import type { ConnectContext, ConnectedRuntime, LoadProgress, RuntimeApi, RuntimeOptions } from '@localrec/contract';
import { INDEXEDDB_KIND, pageHistory } from './page-history.js';
import type { RuntimeTransport, TransportLink } from './transport.js';

/** The methods forwarded by {@link connectTransport}'s `answer`: the call context last (`trendingFacets` ignores it). */
type AnsweringMethod =
  | 'recommend'
  | 'similar'
  | 'rank'
  | 'recentlyViewed'
  | 'buyAgain'
  | 'frequentlyBoughtTogether'
  | 'trending'
  | 'forSearch'
  | 'next'
  | 'trendingFacets';

/** Options of {@link connectTransport}. */
export interface ConnectTransportOptions {
  /** The runtime options; `appId`, `consent` and `retentionMs` come from the SDK's context. */
  init: Omit<RuntimeOptions, 'appId' | 'consent'>;
  /** Download / backend progress of the model. */
  onProgress?: (p: LoadProgress) => void;
  /**
   * `kind` of the store the runtime reads itself (default `'indexeddb'`), or a getter of it. While
   * the SDK records into a store of another kind (its memory fallback) the history is read on
   * the page and passed with each call; a getter answering `undefined` means "the page's store".
   */
  runtimeStoreKind?: string | (() => string | undefined);
}

/**
 * Starts a runtime through `transport` and returns it as the SDK's recommender. Rejects when the
 * first runtime cannot start (the caller may fall back to another transport).
 * @example
 * const connector = { kind: 'worker', connect: (ctx) => connectTransport(transport, ctx, { init: { modelUrl } }) };
 */
export async function connectTransport(
  transport: RuntimeTransport,
  ctx: ConnectContext,
  options: ConnectTransportOptions,
): Promise<ConnectedRuntime> {
  const init: RuntimeOptions = { ...options.init, appId: ctx.appId };
  if (ctx.retentionMs !== undefined) init.retentionMs = ctx.retentionMs;
  const storeKind = options.runtimeStoreKind ?? INDEXEDDB_KIND;
  let consent = ctx.consent;
  let catalog: Record<string, ItemMeta> | undefined;
  let disposed = false;
  let live: Promise<TransportLink> | undefined;
  let running: TransportLink | undefined;

  /** `p`, or a WORKER_CRASHED rejection if the runtime behind `link` stops first. */
  const guard = <T>(link: TransportLink, what: string, p: Promise<T>): Promise<T> => {
    const crashed = link.lost.then((): never => {
      throw new LocalRecError(
        'WORKER_CRASHED',
        `The runtime worker stopped (crashed or terminated) before ${what} answered; the call was not answered. The next call starts a new worker; the history stored on this device is untouched.`,
      );
    });
    crashed.catch(() => {});
    return Promise.race([p, crashed]);
  };

  const start = async (): Promise<TransportLink> => {
    const link = await transport.open();
    try {
      consent = ctx.consent;
      await guard(link, 'init()', link.api.init({ ...init, consent }, options.onProgress));
      if (catalog) await guard(link, 'setCatalog()', link.api.setCatalog(catalog));
    } catch (e) {
      link.close();
      throw e;
    }
    running = link;
    void link.lost.then(() => {
      if (running === link) {
        running = undefined;
        live = undefined;
      }
      if (!disposed) link.close();
    });
    return link;
  };
  const get = (): Promise<TransportLink> => {
    if (disposed) return Promise.reject(new LocalRecError('NOT_READY', 'This runtime was disposed'));
    live ??= start().catch((e: unknown) => {
      live = undefined;
      throw e;
    });
    return live;
  };
  /** Runs `fn` on the live runtime (started if needed). */
  const call = async <T>(what: string, fn: (api: RuntimeApi) => Promise<T>): Promise<T> => {
    const link = await get();
    return guard(link, what, fn(link.api));
  };
  /** The SDK's consent is live: pass a change on before the next call. */
  const sync = async (api: RuntimeApi): Promise<void> => {
    if (ctx.consent !== consent) {
      consent = ctx.consent;
      await api.setConsent(consent);
    }
  };
  const history = () => pageHistory(ctx, (typeof storeKind === 'function' ? storeKind() : storeKind) ?? ctx.store?.kind);
  /**
   * An answering method: consent passed on first, then the method's `arity` arguments (missing ones
   * `undefined`) and the page history (the degraded case) as its call context.
   */
  const answer =
    <M extends AnsweringMethod>(method: M, arity: number) =>
    (...args: unknown[]): ReturnType<RuntimeApi[M]> =>
      call(`${method}()`, async (api) => {
        await sync(api);
        // A method call (not a detached function): `this` for an in-thread runtime, the path for a Comlink proxy.
        const methods = api as unknown as Record<M, (...a: unknown[]) => ReturnType<RuntimeApi[M]>>;
        args.length = arity; // missing arguments → undefined, so the context lands in its slot
        return methods[method](...args, await history());
      }) as ReturnType<RuntimeApi[M]>;

  await get();
  return {
    runtime: transport.kind,
    status: async () => ({ ...(await call('status()', (api) => api.status())), runtime: transport.kind }),
    ready: () => call('ready()', (api) => api.ready()),
    scoreRows: (seqs) => call('scoreRows()', (api) => api.scoreRows(seqs.map((q) => [...q]))),
    recommend: answer('recommend', 1),
    similar: answer('similar', 2),
    rank: (ids, o) => answer('rank', 2)([...ids], o),
    recentlyViewed: answer('recentlyViewed', 1),
    buyAgain: answer('buyAgain', 1),
    frequentlyBoughtTogether: answer('frequentlyBoughtTogether', 2),
    trending: answer('trending', 1),
    forSearch: answer('forSearch', 2),
    next: answer('next', 2),
    trendingFacets: answer('trendingFacets', 2), // reads no history: the context is ignored
    setCatalog: (items) => {
      catalog = { ...catalog, ...items };
      return call('setCatalog()', (api) => api.setCatalog(items));
    },
    getProfile: () =>
      call('getProfile()', async (api) => {
        await sync(api);
        return api.getProfile();
      }),
    setSocialContext: (c) => call('setSocialContext()', (api) => api.setSocialContext(c)),
    getSegments: () =>
      call('getSegments()', async (api) => {
        await sync(api);
        return api.getSegments();
      }),
    dispose: async () => {
      const l = live;
      disposed = true;
      live = undefined;
      const link = await l?.catch(() => undefined);
      if (!link) return;
      try {
        await Promise.race([link.api.dispose(), link.lost]);
      } finally {
        link.close();
      }
    },
  };
}
