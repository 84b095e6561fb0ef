/**
 * The mini-program worker transport: the runtime runs in a wx worker and the logic layer talks
 * to it through Comlink over {@link wxWorkerEndpoint} — the same protocol and the same typed
 * interface as the browser's Web Worker transport.
 *
 * WeChat allows one worker at a time ("create the next only after `Worker.terminate()`"); this
 * module keeps the one it created and refuses a second unless asked to replace it.
 */
import { expose, wrap } from 'comlink';
import type { Remote } from 'comlink';
import { LocalRecError } from '@localrec/core';
import type { KvStorage } from '@localrec/store-kv';
import { comlinkTransport, installErrorTransfer, type RuntimeTransport } from '@localrec/transport';
import { wxWorkerEndpoint } from './endpoint.js';
import type { WxWorkerLike } from './endpoint.js';

/** Main-side wx worker handle, with the optional iOS "process killed" event. */
export interface WxWorkerHandle extends WxWorkerLike {
  terminate(): void;
  onProcessKilled?(listener: () => void): void;
}

/** The part of `wx` that creates workers. */
export interface WxWorkerApi {
  createWorker(scriptPath: string, options?: { useExperimentalWorker?: boolean }): WxWorkerHandle;
}

export interface MiniProgramWorker<T> {
  /** The worker's API as a Comlink remote: every call is a copied message, answered by a promise. */
  readonly api: Remote<T>;
  /** The wx worker handle (e.g. for {@link serveStorageToWorker}). */
  readonly handle: WxWorkerHandle;
  /** Ends the worker (and frees the single worker slot). */
  terminate(): void;
}

let active: { handle: WxWorkerHandle } | undefined;

/**
 * Starts the worker at `scriptPath` (absolute within the package, e.g. `'workers/index.js'`;
 * `app.json` must declare `"workers": "workers"`) and returns its API.
 * @throws {LocalRecError} `INVALID_ARGUMENT` when a worker from this module is still running and
 * `replace` is not set; `WORKER_CRASHED` when `wx.createWorker` throws.
 * @example const { api } = connectMiniProgramWorker<RuntimeApi>(wx, 'workers/index.js');
 */
export function connectMiniProgramWorker<T>(
  wx: WxWorkerApi,
  scriptPath: string,
  options: { replace?: boolean; useExperimentalWorker?: boolean } = {},
): MiniProgramWorker<T> {
  if (active !== undefined) {
    if (!options.replace) {
      throw new LocalRecError(
        'INVALID_ARGUMENT',
        'wx allows one worker at a time and one is running; terminate() it first or pass { replace: true }.',
        {
          field: 'replace',
          accepted: ['true'],
        },
      );
    }
    active.handle.terminate();
    active = undefined;
  }
  let handle: WxWorkerHandle;
  try {
    handle = options.useExperimentalWorker ? wx.createWorker(scriptPath, { useExperimentalWorker: true }) : wx.createWorker(scriptPath);
  } catch (err) {
    throw new LocalRecError('WORKER_CRASHED', `wx.createWorker("${scriptPath}") failed: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
    });
  }
  const slot = { handle };
  active = slot;
  handle.onProcessKilled?.(() => {
    if (active === slot) active = undefined;
  });
  return {
    api: wrap<T>(wxWorkerEndpoint(handle)),
    handle,
    terminate() {
      if (active === slot) active = undefined;
      handle.terminate();
    },
  };
}

/**
 * Worker side: serves `api` to the logic layer. Pass the worker's `worker` global.
 * @example exposeInMiniProgramWorker(new Runtime(deps), worker);
 */
export function exposeInMiniProgramWorker(api: object, workerGlobal: WxWorkerLike): void {
  installErrorTransfer(); // error codes cross, as from a Web Worker
  expose(api, wxWorkerEndpoint(workerGlobal));
}

/** Channel of the storage bridge (see {@link serveStorageToWorker}). */
const STORAGE_CHANNEL = 'storage';

/**
 * Logic-layer side of the storage bridge. A wx worker has no `wx` APIs ("Worker 内不支持 wx 系列的
 * API"), so a runtime in the worker cannot read `wx` storage itself: this serves `storage` (e.g.
 * `wxStorage(wx)`) to the worker over its own Comlink channel.
 * @example serveStorageToWorker(worker.handle, wxStorage(wx));
 */
export function serveStorageToWorker(handle: WxWorkerLike, storage: KvStorage): void {
  expose(
    {
      get: storage.get.bind(storage),
      set: storage.set.bind(storage),
      remove: storage.remove.bind(storage),
      keys: storage.keys.bind(storage),
      info: storage.info.bind(storage),
    },
    wxWorkerEndpoint(handle, STORAGE_CHANNEL),
  );
}

/**
 * Worker side of the storage bridge: a {@link KvStorage} whose calls go to the logic layer. Give it
 * to `KeyValueEventStore` in the worker (all stores on it share one write lock).
 * @example new KeyValueEventStore({ appId, storage: workerStorage(worker) });
 */
export function workerStorage(workerGlobal: WxWorkerLike): KvStorage {
  const remote = wrap<KvStorage>(wxWorkerEndpoint(workerGlobal, STORAGE_CHANNEL));
  return {
    lockKey: workerGlobal,
    get: (key) => remote.get(key),
    set: (key, value) => remote.set(key, value),
    remove: (key) => remote.remove(key),
    keys: () => remote.keys(),
    info: () => remote.info(),
  };
}

/** Options of {@link miniProgramWorkerTransport}. */
export interface MiniProgramWorkerTransportOptions {
  /** Serve this storage to the worker (see {@link serveStorageToWorker}): a wx worker has no `wx` APIs. */
  storage?: KvStorage;
  /** How long the worker may take to answer its first message (default 10000 ms). */
  startTimeoutMs?: number;
  useExperimentalWorker?: boolean;
}

/**
 * The mini-program worker transport: each `open()` starts the wx worker at `scriptPath`, whose
 * script serves the runtime with {@link exposeInMiniProgramWorker}, and reaches it through Comlink
 * over {@link wxWorkerEndpoint} (no callbacks: a wx worker has no `MessageChannel`). The worker is
 * seen to die where wx reports it (`onProcessKilled`, iOS). Hand it to `connectTransport`.
 * @example connectTransport(miniProgramWorkerTransport(wx, 'workers/index.js', { storage: wxStorage(wx) }), ctx, { init: { modelUrl }, runtimeStoreKind: 'kv' })
 */
export function miniProgramWorkerTransport(
  wx: WxWorkerApi,
  scriptPath: string,
  options: MiniProgramWorkerTransportOptions = {},
): RuntimeTransport {
  const start = options.useExperimentalWorker ? { useExperimentalWorker: true } : {};
  return comlinkTransport(
    'miniprogram-worker',
    () => {
      const w = connectMiniProgramWorker<unknown>(wx, scriptPath, start);
      if (options.storage) serveStorageToWorker(w.handle, options.storage);
      let died!: () => void;
      const lost = new Promise<void>((resolve) => {
        died = resolve;
      });
      w.handle.onProcessKilled?.(() => died());
      return {
        endpoint: wxWorkerEndpoint(w.handle),
        name: `mini-program runtime worker ${scriptPath}`,
        watchLoss: async () => (w.handle.onProcessKilled ? { lost } : undefined),
        close: () => w.terminate(),
      };
    },
    { callbacks: false, ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }) },
  );
}
