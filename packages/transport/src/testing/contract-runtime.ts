/**
 * A stand-in runtime for transport tests: a tiny `RuntimeApi` with no model, answering as the
 * contract documents (cold-start results, consent-gated profile and segments, coded errors for bad
 * input, `NOT_READY` after `dispose`). It lets the conformance suite run over transports in Node
 * without tfjs; the real runtime runs the same suite over the real Web Worker.
 */
import { LocalRecError, type Consent, type ListCursor, type ListMethod, type RecommendOptions } from '@localrec/core';
import type { CallContext, RuntimeApi, RuntimeOptions, SegmentsResult, ShopperProfile } from '@localrec/contract';

/** Options of {@link createContractRuntime}. */
export interface ContractRuntimeOptions {
  /** How long the "model load" takes: `ready()` resolves this long after `init` (default 0). */
  loadMs?: number;
}

/** The stand-in, with what it was asked. */
export interface ContractRuntime extends RuntimeApi {
  /** The options of the last `init`. */
  readonly options: RuntimeOptions | undefined;
}

function checkHistory(call: CallContext | undefined): void {
  const h = call?.history;
  if (h === undefined) return;
  if (!Array.isArray(h.sequence) || h.sequence.some((e) => typeof e?.itemId !== 'string')) {
    throw new LocalRecError('INVALID_ARGUMENT', 'history.sequence must be a list of { itemId: string, … }', { field: 'history.sequence' });
  }
  if (!Array.isArray(h.purchased) || h.purchased.some((id) => typeof id !== 'string')) {
    throw new LocalRecError('INVALID_ARGUMENT', 'history.purchased must be a list of item ids', { field: 'history.purchased' });
  }
}

/** Makes a stand-in runtime (see the module comment). */
export function createContractRuntime(opts: ContractRuntimeOptions = {}): ContractRuntime {
  let options: RuntimeOptions | undefined;
  let consent: Consent = 'granted';
  let loaded: Promise<void> | undefined;
  let isReady = false;
  let disposed = false;
  const live = (): RuntimeOptions => {
    if (disposed) throw new LocalRecError('NOT_READY', 'The runtime was disposed');
    if (!options) throw new LocalRecError('NOT_READY', 'The runtime is not initialised: call init(options) first');
    return options;
  };
  const needConsent = (what: string): void => {
    live();
    if (consent !== 'granted')
      throw new LocalRecError('CONSENT_REQUIRED', `${what} needs consent "granted", got ${JSON.stringify(consent)}`, {
        field: 'consent',
        accepted: ['granted'],
      });
  };
  const status = () => ({ ready: isReady, itemCount: 3, modelVersion: 'contract-stand-in' });
  /** A list's empty page 0 (or `page`) with its cursor, as the runtime writes it. */
  const listed = (method: ListMethod, args: unknown[], o: RecommendOptions | undefined, call?: CallContext, page = o?.page ?? 0) => {
    live();
    checkHistory(call);
    const { page: _p, ...options } = o ?? {};
    const list: ListCursor = { method, args, options, page, returned: [] };
    return { items: [], source: 'fallback' as const, fallbackReason: 'no-model' as const, tookMs: 0, list };
  };
  /** The history scenarios with no events: empty, `no-consent` or `no-history`. */
  const history = (method: ListMethod, o: RecommendOptions | undefined, call?: CallContext) => ({
    ...listed(method, [], o, call),
    fallbackReason: consent === 'granted' ? ('no-history' as const) : ('no-consent' as const),
  });
  return {
    get options() {
      return options;
    },
    async init(o, onProgress) {
      if (disposed) throw new LocalRecError('NOT_READY', 'The runtime was disposed');
      if (typeof o?.modelUrl !== 'string')
        throw new LocalRecError('INVALID_CONFIG', `modelUrl must be a string, got ${JSON.stringify(o?.modelUrl)}`, { field: 'modelUrl' });
      options = o;
      consent = o.consent ?? 'granted';
      onProgress?.({ phase: 'manifest', loadedBytes: 0, totalBytes: 0 });
      loaded ??= new Promise<void>((r) => setTimeout(r, opts.loadMs ?? 0)).then(() => {
        isReady = true;
      });
    },
    async ready() {
      live();
      await loaded;
      return status();
    },
    async status() {
      return status();
    },
    async recommend(o, call) {
      return listed('recommend', [], o, call);
    },
    async similar(id, o, call) {
      return listed('similar', [id], o, call);
    },
    async rank(ids, _o, call) {
      const { list: _l, ...r } = listed('recommend', [], {}, call);
      return {
        ...r,
        items: ids.map((itemId, i) => ({
          itemId,
          score: ids.length - i,
          reason: { kind: 'candidate' as const, text: 'Shop order' },
          source: 'host' as const,
        })),
      };
    },
    async recentlyViewed(o, call) {
      return history('recentlyViewed', o, call);
    },
    async buyAgain(o, call) {
      return history('buyAgain', o, call);
    },
    async frequentlyBoughtTogether(items, o, call) {
      return listed('frequentlyBoughtTogether', [items], o, call);
    },
    async trending(o, call) {
      return listed('trending', [], o, call);
    },
    async forSearch(query, o, call) {
      if (typeof query !== 'string' || !query.trim())
        throw new LocalRecError('INVALID_ARGUMENT', `forSearch expects a non-empty query string, got ${JSON.stringify(query)}`, {
          field: 'query',
        });
      return listed('forSearch', [query], o, call);
    },
    async next(previous, o, call) {
      const l = previous?.list;
      if (typeof l?.method !== 'string' || !Number.isInteger(l.page))
        throw new LocalRecError('INVALID_ARGUMENT', 'next expects an answer of a list method, which carries its `list`', {
          field: 'list',
        });
      return listed(l.method, l.args, { ...l.options, ...o }, call, l.page + 1);
    },
    async trendingFacets(attribute) {
      live();
      return { attribute, values: [], source: 'fallback', fallbackReason: 'no-trending', attributes: [], tookMs: 0 };
    },
    async scoreRows(seqs) {
      live();
      return seqs.map(() => new Float32Array(4).fill(-Infinity));
    },
    async setCatalog() {
      live();
    },
    async setConsent(c) {
      live();
      consent = c;
    },
    async getProfile() {
      needConsent('getProfile');
      return { excludedEvents: 0, feedback: { observations: 0, blendWeight: 0 } } as unknown as ShopperProfile;
    },
    async setSocialContext(context) {
      live();
      if (context === null) return null;
      if (typeof context !== 'object' || typeof context.items !== 'object' || context.items === null) {
        throw new LocalRecError(
          'INVALID_ARGUMENT',
          `setSocialContext: items must be an object of item ids, got ${JSON.stringify((context as { items?: unknown })?.items)}`,
          { field: 'items' },
        );
      }
      return { items: Object.keys(context.items).length, expiresAt: Date.now() + 60_000 };
    },
    async getSegments() {
      needConsent('getSegments');
      return { segments: [] } as unknown as SegmentsResult;
    },
    async dispose() {
      disposed = true;
    },
  };
}
