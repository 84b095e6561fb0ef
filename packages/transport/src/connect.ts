/**
 * The ONE function that turns any {@link RuntimeTransport} into what the SDK calls, written once
 * for every transport: it starts the runtime with the SDK's app id and consent, passes consent
 * changes on before the next call, reads the history on the page in the degraded case, remembers
 * the host catalog, supervises the runtime (a call in flight when it stops rejects with
 * `WORKER_CRASHED`; the next call starts a new one with the current consent and the catalog sent
 * so far — the history is in the store, not in the runtime) and disposes it.
 */
import type { ItemMeta } from '@localrec/core';
import type { ConnectContext, ConnectedRuntime, LoadProgress, RuntimeApi, RuntimeMethod, RuntimeOptions } from '@localrec/contract';
import { stoppedBefore, wasDisposed } from './cold.js';
import { INDEXEDDB_KIND, pageHistory } from './page-history.js';
import type { RuntimeTransport, TransportLink } from './transport.js';

/** Options of {@link connectTransport}. */
export interface ConnectTransportOptions {
  /** The runtime options; `appId`, `consent` and `retentionMs` come from the SDK's context. */
  init: Omit<RuntimeOptions, 'appId' | 'consent'>;
  /** Download / backend progress of the model. */
  onProgress?: ((p: LoadProgress) => void) | undefined;
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

  /** `p` (the answer of the runtime's `what` method), or a WORKER_CRASHED rejection if the runtime behind `link` stops first. */
  const guard = <T>(link: TransportLink, what: RuntimeMethod, p: Promise<T>): Promise<T> => {
    const crashed = link.lost.then(() => stoppedBefore(what));
    crashed.catch(() => {});
    return Promise.race([p, crashed]);
  };

  const start = async (): Promise<TransportLink> => {
    const link = await transport.open();
    try {
      consent = ctx.consent;
      await guard(link, 'init', link.api.init({ ...init, consent }, options.onProgress));
      if (catalog) await guard(link, 'setCatalog', link.api.setCatalog(catalog));
    } catch (e) {
      link.close();
      throw e;
    }
    running = link;
    void link.lost.then(() => {
      if (running === link) live = undefined; // the next call starts a new runtime
      if (!disposed) link.close();
    });
    return link;
  };
  const get = (): Promise<TransportLink> => {
    if (disposed) return wasDisposed();
    live ??= start().catch((e: unknown) => {
      live = undefined;
      throw e;
    });
    return live;
  };
  /** Runs `fn` (a call of the runtime's `what` method) on the live runtime (started if needed). */
  const call = async <T>(what: RuntimeMethod, fn: (api: RuntimeApi) => Promise<T>): Promise<T> => {
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
   * The runtime's `method`, forwarded. With an `arity` (the methods that read the history), a
   * consent change is passed on first, and when it is not 0 (those that answer from the history),
   * that many arguments (missing ones `undefined`) then the page history (the degraded case) as the
   * call context.
   */
  const forward =
    <M extends RuntimeMethod>(method: M, arity?: number) =>
    (...args: unknown[]): ReturnType<RuntimeApi[M]> =>
      call(method, async (api) => {
        if (arity !== undefined) await sync(api);
        if (arity) {
          args.length = arity; // missing arguments → undefined, so the context lands in its slot
          args.push(await history());
        }
        // A method call (not a detached function): `this` for an in-thread runtime, the path for a Comlink proxy.
        return (api as unknown as Record<M, (...a: unknown[]) => ReturnType<RuntimeApi[M]>>)[method](...args);
      }) as ReturnType<RuntimeApi[M]>;

  await get();
  return {
    runtime: transport.kind,
    status: async () => ({ ...(await forward('status')()), runtime: transport.kind }),
    ready: forward('ready'),
    scoreRows: (seqs) => forward('scoreRows')(seqs.map((q) => [...q])),
    recommend: forward('recommend', 1),
    similar: forward('similar', 2),
    rank: (ids, o) => forward('rank', 2)([...ids], o),
    recentlyViewed: forward('recentlyViewed', 1),
    buyAgain: forward('buyAgain', 1),
    frequentlyBoughtTogether: forward('frequentlyBoughtTogether', 2),
    trending: forward('trending', 1),
    forSearch: forward('forSearch', 2),
    next: forward('next', 2),
    trendingFacets: forward('trendingFacets', 2), // reads no history: the context is ignored
    setCatalog: (items) => {
      catalog = { ...catalog, ...items };
      return forward('setCatalog')(items);
    },
    getProfile: forward('getProfile', 0),
    setSocialContext: forward('setSocialContext'),
    getSegments: forward('getSegments', 0),
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
