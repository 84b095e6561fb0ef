/**
 * `@localrec/runtime/connector` — the main-thread side. Tiny: no tfjs, only Comlink. It starts the
 * runtime in a module Web Worker (`worker.js`) and hands the SDK a {@link RecommenderApi}; where
 * workers are unavailable or blocked (e.g. by the page's CSP), it imports `runtime.js` and runs
 * the same runtime on the main thread behind the same interface.
 *
 * @example
 * import { createLocalRec } from '@localrec/sdk';
 * import { workerRuntime } from '@localrec/runtime/connector';
 * const rec = createLocalRec({
 *   appId: 'my-shop',
 *   runtime: workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/' }),
 * });
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import {
  LocalRecError, recentSequence, type EventStore, type ItemMeta, type RecommendOptions, type RecommendResult, type RuntimeStatus,
} from '@localrec/core';
import type { CallContext, Consent, LoadProgress, RuntimeApi, RuntimeOptions, SegmentsResult, ShopperProfile, SocialContextInput } from './api.js';
import { installErrorTransfer } from './transfer.js';

export type { BackendName, CallContext, Consent, LoadProgress, PageHistory, RuntimeApi, RuntimeOptions } from './api.js';
export { BACKENDS } from './api.js';
// Result feedback (impressions, clicks) belongs with the main-thread entry: no tfjs.
export { withFeedback, type FeedbackItem, type FeedbackResult, type TrackFn } from './feedback.js';

/** What the SDK calls (structurally the SDK's `RecommenderApi`). */
export interface RecommenderApi {
  status(): Promise<RuntimeStatus & { runtime?: 'worker' | 'main-thread' }>;
  recommend(options: RecommendOptions): Promise<RecommendResult>;
  similar(itemId: string, options: RecommendOptions): Promise<RecommendResult>;
  rank(itemIds: readonly string[], options: RecommendOptions): Promise<RecommendResult>;
  setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void>;
  /** The shopper profile, computed in the runtime (see `RuntimeApi.getProfile`). */
  getProfile(): Promise<ShopperProfile>;
  /** Host social context, memory only in the runtime (see `RuntimeApi.setSocialContext`). */
  setSocialContext(context: SocialContextInput | null): Promise<{ items: number; expiresAt: number } | null>;
  /** At most 3 interest segments (see `RuntimeApi.getSegments`). */
  getSegments(): Promise<SegmentsResult>;
  /** Resolves when the model is loaded and the backend warmed up. */
  ready(): Promise<RuntimeStatus>;
  /** Evaluation hook (see `RuntimeApi.scoreRows`): raw scores for explicit model-row sequences. */
  scoreRows(seqs: readonly (readonly number[])[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** What the SDK passes to `connect` (its `consent` and `store` may be live getters). */
export interface ConnectContext {
  appId: string;
  consent: Consent;
  /**
   * The store the SDK writes to now. When it is not the IndexedDB store (the SDK failed over to
   * its in-memory store), the runtime cannot read it: the connector reads the history here, on
   * the page, and passes it with each call (see {@link pageHistory}).
   */
  readonly store?: EventStore;
}

/** `kind` of `@localrec/store-idb`'s stores: the one store the runtime reads itself (not imported: no idb on this side). */
export const INDEXEDDB_KIND = 'indexeddb';
/** Entries of the recent sequence read on the page; the runtime keeps the model's last `maxLen` (≤ this). */
export const PAGE_HISTORY_MAX_LEN = 200;

/**
 * The history for the runtime: in the degraded case only — the SDK records into a store
 * that is not IndexedDB (its in-memory fallback), which the worker cannot see — the shopper's
 * recent sequence (core's `recentSequence`, the runtime's own rule) and purchases, read from that
 * store on this thread. They cross only the boundary between this page and its own runtime
 * (worker `postMessage` or a plain call), on the device. Otherwise (IndexedDB, no consent, no
 * store, or the store failing) `undefined`: the runtime reads the history itself.
 */
export async function pageHistory(ctx: Pick<ConnectContext, 'store' | 'consent'>): Promise<CallContext | undefined> {
  const store = ctx.store;
  if (!store || store.kind === INDEXEDDB_KIND || ctx.consent !== 'granted') return undefined;
  try {
    const [sequence, bought] = await Promise.all([
      recentSequence(store, { maxLen: PAGE_HISTORY_MAX_LEN }),
      store.query({ types: ['purchase'] }),
    ]);
    return { history: { sequence, purchased: [...new Set(bought.flatMap((e) => (e.itemId ? [e.itemId] : [])))] } };
  } catch {
    return undefined;
  }
}

export interface WorkerRuntimeOptions extends Omit<RuntimeOptions, 'appId' | 'consent'> {
  /**
   * Folder URL serving `packages/runtime/dist` (`worker.js`, `runtime.js`, the `.wasm` files),
   * relative to the page or absolute. Example: `'/runtime/'`.
   */
  assetsUrl: string;
  /** `'auto'` (default): worker, else main thread. `'worker'`: never the main thread. `'main'`: never a worker. */
  mode?: 'auto' | 'worker' | 'main';
  /** How long the worker may take to answer its first message before `'auto'` gives up on it (default 10000 ms). */
  startTimeoutMs?: number;
  /** Download / backend progress of the model. */
  onProgress?: (p: LoadProgress) => void;
}

/** The SDK's connector shape: `kind` plus `connect`. */
export interface RuntimeConnector {
  readonly kind: string;
  connect(ctx: ConnectContext): Promise<RecommenderApi>;
}

const MODES = ['auto', 'worker', 'main'] as const;

function resolveUrl(u: string): URL {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return new URL(u.endsWith('/') ? u : `${u}/`, base);
}

/** Prefix of the Web Lock a runtime worker holds for its whole life (see worker.ts). */
const ALIVE_LOCK = 'localrec-runtime-alive-';

/**
 * Resolves when the worker holding `lock` has stopped (terminated, crashed, closed itself): the
 * browser releases a dead context's Web Locks, so our request for the same lock is granted only
 * then. `undefined` where Web Locks are unavailable or the worker never took the lock (no
 * detection: a dead worker's calls then wait for the SDK's own handling).
 */
async function watchDeath(lock: string): Promise<{ died: Promise<void> } | undefined> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return undefined;
  // The worker asks for the lock before it answers its first message; wait until it holds it.
  for (let i = 0; i < 50; i++) {
    // Wrapped: an async function returning the request's promise would wait for the death itself.
    if ((await locks.query()).held?.some((l) => l.name === lock)) return { died: locks.request(lock, () => undefined) };
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** Starts the worker and waits for its first answer; rejects on a load error, a CSP block or a timeout. */
async function startWorker(url: URL, timeoutMs: number): Promise<{ worker: Worker; remote: Remote<RuntimeApi>; died?: Promise<void> }> {
  if (typeof Worker === 'undefined') throw new LocalRecError('WORKER_CRASHED', 'Web Workers are not available here');
  let worker: Worker;
  const lock = `${ALIVE_LOCK}${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  try {
    worker = new Worker(url, { type: 'module', name: `localrec-runtime#${lock}` });
  } catch (e) {
    throw new LocalRecError('WORKER_CRASHED', `Could not start the runtime worker ${url.href}: ${(e as Error).message}`, { cause: e });
  }
  const remote = wrap<RuntimeApi>(worker);
  let onError: ((e: Event) => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      remote.status(),
      new Promise((_, reject) => {
        onError = (e: Event) => reject(new LocalRecError('WORKER_CRASHED', `The runtime worker ${url.href} failed to start: ${(e as ErrorEvent).message || 'blocked or not found'}`));
        worker.addEventListener('error', onError);
        timer = setTimeout(() => reject(new LocalRecError('TIMEOUT', `The runtime worker ${url.href} did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    remote[releaseProxy]();
    worker.terminate();
    throw e;
  } finally {
    clearTimeout(timer);
    if (onError) worker.removeEventListener('error', onError);
  }
  const watch = await watchDeath(lock).catch(() => undefined);
  return watch ? { worker, remote, died: watch.died } : { worker, remote };
}

/**
 * A runtime connector that runs the model in a module Web Worker (falls back to the main thread
 * when `mode` is `'auto'` and the worker cannot start). The SDK calls `connect` once, lazily.
 * @throws {LocalRecError} `INVALID_CONFIG` for a bad option (at creation, not at connect).
 */
export function workerRuntime(options: WorkerRuntimeOptions): RuntimeConnector {
  const mode = options.mode ?? 'auto';
  if (!MODES.includes(mode)) throw new LocalRecError('INVALID_CONFIG', `mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`, { field: 'mode', accepted: MODES });
  if (typeof options.assetsUrl !== 'string' || !options.assetsUrl) {
    throw new LocalRecError('INVALID_CONFIG', `assetsUrl must be the URL of the folder serving the runtime bundle, got ${JSON.stringify(options.assetsUrl)}`, { field: 'assetsUrl' });
  }
  return {
    kind: 'worker',
    async connect(ctx: ConnectContext): Promise<RecommenderApi> {
      installErrorTransfer();
      const assets = resolveUrl(options.assetsUrl);
      const { assetsUrl: _a, mode: _m, startTimeoutMs, onProgress, ...rest } = options;
      const init: RuntimeOptions = {
        ...rest,
        appId: ctx.appId,
        consent: ctx.consent,
        // Absolute URLs: a worker resolves relative ones against its own script, not the page.
        modelUrl: new URL(options.modelUrl, (globalThis as { location?: { href: string } }).location?.href).href,
        wasmPath: options.wasmPath ?? assets.href,
      };
      let consent = ctx.consent;
      let catalog: Record<string, ItemMeta> | undefined;
      let disposed = false;
      if (mode !== 'main') {
        // The worker, supervised: if it dies (crash, terminate), calls in flight reject with
        // WORKER_CRASHED at once and the next call starts a new worker (same options, current
        // consent, the host catalog sent so far). The history is in IndexedDB, not in the worker.
        interface Live { rt: Remote<RuntimeApi>; worker: Worker; died: Promise<void> }
        const start = async (): Promise<Live> => {
          const w = await startWorker(new URL('worker.js', assets), startTimeoutMs ?? 10_000);
          try {
            consent = ctx.consent;
            await w.remote.init({ ...init, consent }, onProgress ? proxy(onProgress) : undefined);
            if (catalog) await w.remote.setCatalog(catalog);
          } catch (e) {
            w.remote[releaseProxy]();
            w.worker.terminate();
            throw e;
          }
          const l: Live = { rt: w.remote, worker: w.worker, died: w.died ?? new Promise<void>(() => {}) };
          void l.died.then(() => {
            if (running === l) { running = undefined; live = undefined; }
            if (!disposed) { w.remote[releaseProxy](); w.worker.terminate(); }
          });
          running = l;
          return l;
        };
        let live: Promise<Live> | undefined;
        let running: Live | undefined;
        const get = (): Promise<Live> => {
          if (disposed) return Promise.reject(new LocalRecError('NOT_READY', 'This runtime was disposed'));
          live ??= start().catch((e: unknown) => { live = undefined; throw e; });
          return live;
        };
        let first: Live | undefined;
        try {
          first = await get();
        } catch (e) {
          if (mode === 'worker') throw e;
          if (typeof console !== 'undefined') console.warn(`LocalRec: running the model on the main thread (${(e as Error).message})`);
        }
        if (first) {
          /** Runs `fn` on the live worker; rejects with WORKER_CRASHED if the worker dies first. */
          const call = async <T>(what: string, fn: (rt: Remote<RuntimeApi>) => Promise<T>): Promise<T> => {
            const l = await get();
            const crashed = l.died.then((): never => {
              throw new LocalRecError('WORKER_CRASHED', `The runtime worker stopped (crashed or terminated) before ${what} answered; the call was not answered. The next call starts a new worker; the history stored on this device is untouched.`);
            });
            crashed.catch(() => {});
            return Promise.race([fn(l.rt), crashed]);
          };
          const sync = async (rt: Remote<RuntimeApi>) => {
            if (ctx.consent !== consent) { consent = ctx.consent; await rt.setConsent(consent); }
          };
          return {
            status: async () => ({ ...(await call('status()', (rt) => rt.status())), runtime: 'worker' as const }),
            ready: () => call('ready()', (rt) => rt.ready()),
            scoreRows: (seqs) => call('scoreRows()', (rt) => rt.scoreRows(seqs.map((q) => [...q]))),
            recommend: (o) => call('recommend()', async (rt) => { await sync(rt); return rt.recommend(o, await pageHistory(ctx)); }),
            similar: (id, o) => call('similar()', async (rt) => { await sync(rt); return rt.similar(id, o, await pageHistory(ctx)); }),
            rank: (ids, o) => call('rank()', async (rt) => { await sync(rt); return rt.rank([...ids], o, await pageHistory(ctx)); }),
            setCatalog: (items) => {
              catalog = { ...catalog, ...items };
              return call('setCatalog()', (rt) => rt.setCatalog(items));
            },
            getProfile: () => call('getProfile()', async (rt) => { await sync(rt); return rt.getProfile(); }),
            setSocialContext: (c) => call('setSocialContext()', (rt) => rt.setSocialContext(c)),
            getSegments: () => call('getSegments()', async (rt) => { await sync(rt); return rt.getSegments(); }),
            dispose: async () => {
              const l = live;
              disposed = true;
              live = undefined;
              const w = await l?.catch(() => undefined);
              if (!w) return;
              try { await Promise.race([w.rt.dispose(), w.died]); } finally { w.rt[releaseProxy](); w.worker.terminate(); }
            },
          };
        }
      }
      // Same runtime, this thread. tfjs is fetched only now, only in this case.
      const url = new URL('runtime.js', assets).href;
      const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as { createBrowserRuntime(wasmPath?: string): RuntimeApi };
      const rt = mod.createBrowserRuntime(assets.href);
      await rt.init(init, onProgress);
      // The SDK's consent is live: pass changes on before the next call.
      const sync = async () => {
        if (ctx.consent !== consent) { consent = ctx.consent; await rt.setConsent(consent); }
      };
      return {
        status: async () => ({ ...(await rt.status()), runtime: 'main-thread' as const }),
        ready: () => rt.ready(),
        scoreRows: (seqs) => rt.scoreRows(seqs.map((q) => [...q])),
        recommend: async (o) => { await sync(); return rt.recommend(o, await pageHistory(ctx)); },
        similar: async (id, o) => { await sync(); return rt.similar(id, o, await pageHistory(ctx)); },
        rank: async (ids, o) => { await sync(); return rt.rank([...ids], o, await pageHistory(ctx)); },
        setCatalog: (items) => rt.setCatalog(items),
        getProfile: async () => { await sync(); return rt.getProfile(); },
        setSocialContext: (c) => rt.setSocialContext(c),
        getSegments: async () => { await sync(); return rt.getSegments(); },
        dispose: () => rt.dispose(),
      };
    },
  };
}
