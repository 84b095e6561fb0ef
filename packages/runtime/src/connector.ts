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
import { locationHref, preview, urlConstructor, webLocks, workerConstructor } from '@localrec/core/internal';
import type { ConnectContext, ConnectedRuntime, LoadProgress, RuntimeConnector, RuntimeOptions } from '@localrec/contract';
import { asWorkerCrash, bootstrapUrl, cannotStart, mainThreadFallback, startFailed } from './connector-cold.js';
import { comlinkTransport, connectTransport, type RuntimeTransport } from '@localrec/transport';

export type { BackendName, CallContext, Consent, LoadProgress, PageHistory, RuntimeApi, RuntimeOptions } from './api.js';
export type { ConnectContext, ConnectedRuntime, RecommenderApi, RuntimeConnector } from '@localrec/contract';
export { BACKENDS } from './api.js';
export { mainThreadTransport } from './main-thread.js';
export { INDEXEDDB_KIND, PAGE_HISTORY_MAX_LEN, pageHistory } from '@localrec/transport';
// Result feedback (impressions, clicks) belongs with the main-thread entry: no tfjs.
export { withFeedback, type FeedbackItem, type FeedbackResult, type TrackFn } from './feedback.js';

/** Where the model runs: see {@link WorkerRuntimeOptions.mode}. */
export type RuntimeMode = 'worker' | 'auto' | 'main-thread';

/** Options of {@link workerRuntime}: the runtime options (but `appId` and `consent`, which come from the SDK) plus where the bundle is. */
export interface WorkerRuntimeOptions extends Omit<RuntimeOptions, 'appId' | 'consent'> {
  /**
   * Folder URL serving `packages/runtime/dist` (`worker.js`, `runtime.js`, the `.wasm` files),
   * relative to the page or absolute. Example: `'/runtime/'`. Another origin (a CDN) works: the
   * worker is then started from a one-line same-origin bootstrap (see {@link workerUrl}).
   */
  assetsUrl: string;
  /**
   * The script the worker is started from (default `<assetsUrl>worker.js`). When it is on another
   * origin than the page, the worker starts from a `blob:` module on the page's origin whose only
   * line is `import "<worker.js>"` (browsers refuse a cross-origin worker script; a module import
   * from the CDN needs CORS, which CDNs send). A page whose CSP forbids `blob:` workers serves that
   * line itself instead, as a file on its own origin, and names it here, e.g.
   * `'/localrec-worker.js'` containing `import 'https://cdn.example/localrec/worker.js';`.
   */
  workerUrl?: string;
  /**
   * Where the model runs. `'worker'` (default): in a Web Worker only; when no worker can start, every
   * call fails with `WORKER_CRASHED` naming the URL (the SDK answers with fallbacks) and tfjs never
   * loads on the page. `'auto'`: a worker, else the main thread (reported once as
   * `WORKER_UNAVAILABLE` through the SDK's `onError`). `'main-thread'`: never a worker.
   */
  mode?: RuntimeMode;
  /** How long the worker may take to answer its first message before `'auto'` gives up on it (default 10000 ms). */
  startTimeoutMs?: number;
  /** Download / backend progress of the model. */
  onProgress?: (p: LoadProgress) => void;
}

const MODES = ['worker', 'auto', 'main-thread'] as const;

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
  /** How long the worker may take to answer its first message (default, also when `undefined`: 10000 ms). */
  startTimeoutMs?: number | undefined;
  /** Called with each worker started (e.g. to watch or stop it in a test). */
  onWorker?: (worker: Worker) => void;
}

/**
 * A start failure that a new attempt would only repeat (an HTTP error for the script, a policy
 * that refuses it): the connector keeps it and does not start the worker again.
 */
const permanent = new WeakSet<object>();

/**
 * The Web Worker transport: each `open()` starts the module worker at `url` (the built
 * `worker.js`), which exposes the runtime through Comlink, and watches it through a Web Lock it
 * holds for its life, so a crash or a terminate is seen at once. A `url` on another origin than
 * the page starts through a same-origin `blob:` module that imports it (browsers refuse
 * cross-origin worker scripts; the import needs CORS).
 * @throws {LocalRecError} (from `open`) `WORKER_CRASHED` where workers are unavailable or the script fails (naming the URL and the HTTP status); `TIMEOUT`.
 */
export function webWorkerTransport(url: URL, options: WebWorkerTransportOptions = {}): RuntimeTransport {
  return comlinkTransport(
    'worker',
    async () => {
      const WorkerCtor = workerConstructor();
      if (!WorkerCtor) throw await cannotStart(url);
      const lock = `${ALIVE_LOCK}${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
      const page = locationHref();
      const crossOrigin = page !== undefined && new URL(page).origin !== url.origin;
      const boot = crossOrigin ? await bootstrapUrl(url) : undefined;
      const revoke = (): void => {
        if (boot) (urlConstructor() as unknown as { revokeObjectURL(u: string): void }).revokeObjectURL(boot);
      };
      let worker: Worker;
      try {
        worker = new WorkerCtor(boot ?? url, { type: 'module', name: `localrec-runtime#${lock}` });
      } catch (e) {
        revoke();
        const err = await cannotStart(url, e);
        permanent.add(err);
        throw err;
      }
      options.onWorker?.(worker);
      let onError: ((e: Event) => void) | undefined;
      const failed = new Promise<never>((_, reject) => {
        // startFailed() may be in a lazily loaded file (the script tag's): one that does not load rejects with its own error.
        onError = (e: Event) =>
          void startFailed(url, (e as ErrorEvent).message).then(([err, again]) => {
            if (!again) permanent.add(err);
            reject(err);
          }, reject);
        worker.addEventListener('error', onError);
      });
      failed.catch(() => {});
      return {
        endpoint: worker,
        name: `runtime worker ${url.href}`,
        failed,
        watchLoss: () => {
          if (onError) worker.removeEventListener('error', onError);
          revoke();
          return watchDeath(lock);
        },
        close: () => {
          revoke();
          worker.terminate();
        },
      };
    },
    { startTimeoutMs: options.startTimeoutMs },
  );
}

const bad = (field: string, what: string, value: unknown, accepted?: readonly string[]): LocalRecError =>
  new LocalRecError('INVALID_CONFIG', `${field} must be ${what}, got ${preview(value)}`, accepted ? { field, accepted } : { field });

/**
 * A copy of `given` (read once: the checks and the connector see the same values), checked.
 * @throws {LocalRecError} `INVALID_CONFIG` naming the option.
 */
function checkWorkerRuntimeOptions(given: unknown): WorkerRuntimeOptions {
  let o: WorkerRuntimeOptions | undefined;
  try {
    o = typeof given === 'object' && given !== null ? { ...(given as WorkerRuntimeOptions) } : undefined;
  } catch {
    o = undefined;
  }
  if (!o) throw bad('options', 'an object of workerRuntime options', given);
  if (o.mode !== undefined && !MODES.includes(o.mode)) throw bad('mode', `one of ${MODES.join(', ')}`, o.mode, MODES);
  const url = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
  if (!url(o.assetsUrl)) throw bad('assetsUrl', 'the URL of the folder serving the runtime bundle', o.assetsUrl);
  if (o.workerUrl !== undefined && !url(o.workerUrl)) throw bad('workerUrl', 'the URL of the worker script', o.workerUrl);
  if (!url(o.modelUrl)) throw bad('modelUrl', 'the bundle folder URL', o.modelUrl);
  const t = o.startTimeoutMs;
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t > 0))
    throw bad('startTimeoutMs', 'a positive number of milliseconds', t);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw bad('onProgress', 'a function', o.onProgress);
  return o;
}

/**
 * A runtime connector that runs the model in a module Web Worker. Only with `mode: 'auto'` does it
 * fall back to the main thread when the worker cannot start, and then it says so (`WORKER_UNAVAILABLE`
 * through the SDK's `onError`, and `runtime: 'main-thread'` in both the SDK's `status` and
 * `runtimeStatus()`). A worker that cannot start for a reason a retry would repeat (HTTP 404, a
 * blocking policy) is not started again: later connects fail at once with the same error.
 * The SDK calls `connect` once, lazily. The worker is supervised: if it dies, calls in flight
 * reject with `WORKER_CRASHED` and the next call starts a new one.
 * @throws {LocalRecError} `INVALID_CONFIG` for a bad option (at creation, not at connect).
 */
export function workerRuntime(options: WorkerRuntimeOptions): RuntimeConnector<ConnectedRuntime> {
  return checkedWorkerRuntime(checkWorkerRuntimeOptions(options));
}

/**
 * {@link workerRuntime} for options its caller has checked and copied already: the SDK's `model`
 * option checks its own (naming its fields, `model.mode`…), so that the script tag's connector
 * file carries one set of checks. Hosts call {@link workerRuntime}.
 * @internal
 */
export function checkedWorkerRuntime(options: WorkerRuntimeOptions): RuntimeConnector<ConnectedRuntime> {
  const mode = options.mode ?? 'worker';
  /** The worker's start failure that a retry would repeat, once seen. */
  let unavailable: LocalRecError | undefined;
  return {
    kind: mode === 'main-thread' ? 'main-thread' : 'worker',
    async connect(ctx: ConnectContext): Promise<ConnectedRuntime> {
      const assets = resolveUrl(options.assetsUrl);
      const { assetsUrl: _a, workerUrl, mode: _m, startTimeoutMs, onProgress, ...rest } = options;
      const connectOptions = {
        init: {
          ...rest,
          // Absolute URLs: a worker resolves relative ones against its own script, not the page.
          modelUrl: new URL(options.modelUrl, locationHref()).href,
          wasmPath: options.wasmPath ?? assets.href,
        },
        onProgress,
      };
      let failure: LocalRecError | undefined;
      if (mode !== 'main-thread') {
        failure = unavailable;
        if (!failure) {
          const url = workerUrl ? new URL(workerUrl, locationHref()) : new URL('worker.js', assets);
          const worker = webWorkerTransport(url, { startTimeoutMs });
          try {
            return await connectTransport(worker, ctx, connectOptions);
          } catch (e) {
            failure = e instanceof LocalRecError ? e : await asWorkerCrash(e);
            if (permanent.has(e as object)) unavailable = failure;
          }
        }
        if (mode === 'worker') throw failure;
      }
      return connectTransport(await mainThreadFallback(assets, ctx, failure), ctx, connectOptions);
    },
  };
}
