/**
 * `@localrec/runtime/connector` — the main-thread side. Tiny: no tfjs, only Comlink. It starts the
 * runtime in a module Web Worker (`worker.js`) and hands the SDK a {@link RecommenderApi}; where
 * workers are unavailable or blocked (e.g. by the page's CSP), it imports `runtime.js` and runs
 * the same runtime on the main thread behind the same interface. Both are transports of
 * `@localrec/transport`, turned into the recommender by its one `connectTransport`.
 *
 * @example
 * import { createLocalRec } from '@localrec/sdk';
 * import { workerRuntime } from '@localrec/runtime/connector';
 * const rec = createLocalRec({
 *   appId: 'my-shop',
 *   runtime: workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/' }),
 * });
 */
import { LocalRecError } from '@localrec/core';
import { locationHref, webLocks, workerConstructor } from '@localrec/core/internal';
import type { ConnectContext, ConnectedRuntime, LoadProgress, RuntimeApi, RuntimeConnector, RuntimeOptions } from '@localrec/contract';
import { comlinkTransport, connectTransport, inThreadTransport, type RuntimeTransport } from '@localrec/transport';

export type { BackendName, CallContext, Consent, LoadProgress, PageHistory, RuntimeApi, RuntimeOptions } from './api.js';
export type { ConnectContext, ConnectedRuntime, RecommenderApi, RuntimeConnector } from '@localrec/contract';
export { BACKENDS } from './api.js';
export { INDEXEDDB_KIND, PAGE_HISTORY_MAX_LEN, pageHistory } from '@localrec/transport';
// Result feedback (impressions, clicks) belongs with the main-thread entry: no tfjs.
export { withFeedback, type FeedbackItem, type FeedbackResult, type TrackFn } from './feedback.js';

/** Options of {@link workerRuntime}: the runtime options (but `appId` and `consent`, which come from the SDK) plus where the bundle is. */
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

const MODES = ['auto', 'worker', 'main'] as const;

function resolveUrl(u: string): URL {
  return new URL(u.endsWith('/') ? u : `${u}/`, locationHref());
}

/** Prefix of the Web Lock a runtime worker holds for its whole life (see worker.ts). */
const ALIVE_LOCK = 'localrec-runtime-alive-';

/**
 * Resolves when the worker holding `lock` has stopped (terminated, crashed, closed itself): the
 * browser releases a dead context's Web Locks, so our request for the same lock is granted only
 * then. `undefined` where Web Locks are unavailable or the worker never took the lock (no
 * detection: a dead worker's calls then wait for the SDK's own handling).
 */
async function watchDeath(lock: string): Promise<{ lost: Promise<void> } | undefined> {
  const locks = webLocks();
  if (!locks) return undefined;
  // The worker asks for the lock before it answers its first message; wait until it holds it.
  for (let i = 0; i < 50; i++) {
    // Wrapped: an async function returning the request's promise would wait for the death itself.
    if ((await locks.query()).held?.some((l) => l.name === lock)) return { lost: locks.request(lock, () => undefined) };
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** Options of {@link webWorkerTransport}. */
export interface WebWorkerTransportOptions {
  /** How long the worker may take to answer its first message (default 10000 ms). */
  startTimeoutMs?: number;
  /** Called with each worker started (e.g. to watch or stop it in a test). */
  onWorker?: (worker: Worker) => void;
}

/**
 * The Web Worker transport: each `open()` starts the module worker at `url` (the built
 * `worker.js`), which exposes the runtime through Comlink, and watches it through a Web Lock it
 * holds for its life, so a crash or a terminate is seen at once.
 * @throws {LocalRecError} (from `open`) `WORKER_CRASHED` where workers are unavailable or the script fails; `TIMEOUT`.
 */
export function webWorkerTransport(url: URL, options: WebWorkerTransportOptions = {}): RuntimeTransport {
  const transportOptions = options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs };
  return comlinkTransport(
    'worker',
    () => {
      const WorkerCtor = workerConstructor();
      if (!WorkerCtor) throw new LocalRecError('WORKER_CRASHED', 'Web Workers are not available here');
      const lock = `${ALIVE_LOCK}${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
      let worker: Worker;
      try {
        worker = new WorkerCtor(url, { type: 'module', name: `localrec-runtime#${lock}` });
      } catch (e) {
        throw new LocalRecError('WORKER_CRASHED', `Could not start the runtime worker ${url.href}: ${(e as Error).message}`, { cause: e });
      }
      options.onWorker?.(worker);
      let onError: ((e: Event) => void) | undefined;
      const failed = new Promise<never>((_, reject) => {
        onError = (e: Event) =>
          reject(
            new LocalRecError(
              'WORKER_CRASHED',
              `The runtime worker ${url.href} failed to start: ${(e as ErrorEvent).message || 'blocked or not found'}`,
            ),
          );
        worker.addEventListener('error', onError);
      });
      failed.catch(() => {});
      return {
        endpoint: worker,
        name: `runtime worker ${url.href}`,
        failed,
        watchLoss: () => {
          if (onError) worker.removeEventListener('error', onError);
          return watchDeath(lock);
        },
        close: () => worker.terminate(),
      };
    },
    transportOptions,
  );
}

/**
 * The main-thread transport: the same runtime, this thread (`runtime.js` imported from `assets`
 * on the first `open()` only: tfjs is fetched only in this case).
 */
export function mainThreadTransport(assets: URL): RuntimeTransport {
  return inThreadTransport(async () => {
    const url = new URL('runtime.js', assets).href;
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as { createBrowserRuntime(wasmPath?: string): RuntimeApi };
    return mod.createBrowserRuntime(assets.href);
  }, 'main-thread');
}

/**
 * A runtime connector that runs the model in a module Web Worker (falls back to the main thread
 * when `mode` is `'auto'` and the worker cannot start). The SDK calls `connect` once, lazily.
 * The worker is supervised: if it dies, calls in flight reject with `WORKER_CRASHED` and the next
 * call starts a new one.
 * @throws {LocalRecError} `INVALID_CONFIG` for a bad option (at creation, not at connect).
 */
export function workerRuntime(options: WorkerRuntimeOptions): RuntimeConnector<ConnectedRuntime> {
  const mode = options.mode ?? 'auto';
  if (!MODES.includes(mode))
    throw new LocalRecError('INVALID_CONFIG', `mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`, {
      field: 'mode',
      accepted: MODES,
    });
  if (typeof options.assetsUrl !== 'string' || !options.assetsUrl) {
    throw new LocalRecError(
      'INVALID_CONFIG',
      `assetsUrl must be the URL of the folder serving the runtime bundle, got ${JSON.stringify(options.assetsUrl)}`,
      { field: 'assetsUrl' },
    );
  }
  return {
    kind: 'worker',
    async connect(ctx: ConnectContext): Promise<ConnectedRuntime> {
      const assets = resolveUrl(options.assetsUrl);
      const { assetsUrl: _a, mode: _m, startTimeoutMs, onProgress, ...rest } = options;
      const connectOptions = {
        init: {
          ...rest,
          // Absolute URLs: a worker resolves relative ones against its own script, not the page.
          modelUrl: new URL(options.modelUrl, locationHref()).href,
          wasmPath: options.wasmPath ?? assets.href,
        },
        ...(onProgress ? { onProgress } : {}),
      };
      if (mode !== 'main') {
        const worker = webWorkerTransport(new URL('worker.js', assets), startTimeoutMs === undefined ? {} : { startTimeoutMs });
        try {
          return await connectTransport(worker, ctx, connectOptions);
        } catch (e) {
          if (mode === 'worker') throw e;
          if (typeof console !== 'undefined') console.warn(`LocalRec: running the model on the main thread (${(e as Error).message})`);
        }
      }
      return connectTransport(mainThreadTransport(assets), ctx, connectOptions);
    },
  };
}
