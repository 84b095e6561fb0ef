/**
 * The whole SDK for a mini-program (or any context without `window`, IndexedDB, Worker or fetch):
 * `createLocalRec` from `@localrec/sdk` over the `wx` storage event store, with the runtime in
 * the same thread through {@link inThreadRuntime}. The runtime opens its own store over the same
 * `wx` storage and reads the shopper's events itself — no history is passed per call, exactly as
 * with the browser's worker runtime.
 *
 * This module does not import tfjs: the caller hands in a factory that makes the runtime (e.g.
 * `(deps) => new Runtime(deps)` from `@localrec/runtime`), so the 2 MB main package
 * can keep LocalRec's recording code while tfjs lives where the app puts it.
 */
import { LocalRecError } from '@localrec/core';
import type { EventStore } from '@localrec/core';
import type {
  BackendName,
  ConnectContext,
  ConnectedRuntime,
  LoadProgress,
  RuntimeApi,
  RuntimeConnector,
  RuntimeOptions,
} from '@localrec/contract';
import { connectTransport, inThreadTransport } from '@localrec/transport';
import { createLocalRec } from '@localrec/sdk';
import type { LocalRec, LocalRecConfigInput } from '@localrec/sdk';
import type { KeyValueEventStoreOptions, WxStorageApi } from '@localrec/store-kv';
import { miniProgramBackends } from './backends.js';
import { detectMiniProgram } from './env.js';
import { miniProgramFetch, type WxRequestApi } from './fetch.js';
import { createMiniProgramStore } from './store.js';

/** Model download / backend progress: the contract's `LoadProgress` (old name, kept). */
export type LoadProgressLike = LoadProgress;

/** What an in-thread runtime must offer: the contract's `RuntimeApi` (`Runtime` of `@localrec/runtime` fits as it is). */
export type InThreadRuntimeTarget = RuntimeApi;

/** The runtime's backend names: the contract's `BackendName`. */
export type RuntimeBackendName = BackendName;

/** What `init` receives: the contract's `RuntimeOptions`, with the SDK's consent. */
export type InThreadRuntimeInit = RuntimeOptions & { consent: ConnectContext['consent'] };

/**
 * Seams the factory receives: `createStore` opens the storage the SDK writes; `fetch` is the one
 * to load the model with (see {@link miniProgramFetch}: the global `fetch`, else one over
 * `wx.request`), absent when the context has neither.
 */
export interface InThreadRuntimeDeps {
  createStore(appId: string): EventStore;
  fetch?: typeof fetch;
}

/** Options of {@link inThreadRuntime}: the runtime options (but what the SDK gives) plus the factory. */
export interface InThreadRuntimeOptions extends Omit<RuntimeOptions, 'appId' | 'consent' | 'backends'> {
  /**
   * Makes the runtime, e.g. `(deps) => new Runtime(deps)` (`deps.fetch` loads the model). Called
   * once, on the SDK's first connect (a failed connect calls it again on the next one).
   */
  create: (deps: InThreadRuntimeDeps) => InThreadRuntimeTarget | Promise<InThreadRuntimeTarget>;
  /**
   * Backends to try, in order. Default: the mini-program list ({@link miniProgramBackends}:
   * `webgl` when the host has `wx.createOffscreenCanvas`, then `cpu`). Pass another list where
   * more exist (e.g. `['wasm', 'cpu']` in Node).
   */
  backends?: readonly RuntimeBackendName[];
  /** Model download / backend progress. */
  onProgress?: (p: LoadProgressLike) => void;
}

/** What {@link inThreadRuntime} connects: every method of the contract, `status().runtime` is `'in-thread'`. */
export type InThreadRecommender = ConnectedRuntime;

/**
 * A `RuntimeConnector` for the SDK that runs the runtime in this thread, called through
 * `inThread` (copies in and out, error codes kept) as if it were across a worker: the in-thread
 * transport of `@localrec/transport`, turned into the recommender by its `connectTransport`.
 * `createStore` opens the event store the runtime reads (the same storage the SDK writes).
 * @throws {LocalRecError} `INVALID_CONFIG` when `create` or `modelUrl` is missing.
 */
export function inThreadRuntime(
  createStore: (appId: string) => EventStore,
  options: InThreadRuntimeOptions,
  seams: { fetch?: () => typeof fetch | undefined } = {},
): RuntimeConnector<InThreadRecommender> {
  if (typeof options?.create !== 'function') {
    throw new LocalRecError(
      'INVALID_CONFIG',
      'inThreadRuntime: options.create must be a function that makes the runtime, e.g. (deps) => new Runtime(deps).',
      { field: 'create', accepted: ['a function'] },
    );
  }
  if (typeof options.modelUrl !== 'string' || !options.modelUrl) {
    throw new LocalRecError(
      'INVALID_CONFIG',
      `inThreadRuntime: modelUrl must be the model bundle's folder URL, got ${JSON.stringify(options.modelUrl)}.`,
      { field: 'modelUrl' },
    );
  }
  const { create, onProgress, backends, ...rest } = options;
  const list = backends ?? miniProgramBackends(undefined, detectMiniProgram());
  return {
    kind: 'in-thread',
    connect(ctx: ConnectContext): Promise<InThreadRecommender> {
      /** `kind` of the store the runtime opened: while the SDK records elsewhere (its memory fallback), the page passes the history. */
      let runtimeStoreKind: string | undefined;
      const deps: InThreadRuntimeDeps = {
        createStore: (appId) => {
          const store = createStore(appId);
          runtimeStoreKind = store.kind;
          return store;
        },
      };
      const fetchFn = seams.fetch?.();
      if (fetchFn) deps.fetch = fetchFn;
      return connectTransport(
        inThreadTransport(() => create(deps)),
        ctx,
        {
          init: { ...rest, backends: [...list] },
          ...(onProgress ? { onProgress } : {}),
          runtimeStoreKind: () => runtimeStoreKind,
        },
      );
    },
  };
}

/** Options of {@link createMiniProgramLocalRec}: the SDK's config without its browser-only parts. */
export interface MiniProgramLocalRecConfig extends Omit<LocalRecConfigInput, 'store' | 'runtime' | 'autoCapture'> {
  /** The runtime, in this thread (see {@link inThreadRuntime}). Default: none (explicit cold start). */
  runtime?: InThreadRuntimeOptions;
  /** Options of the `wx` storage event store (chunk size, caps). */
  storeOptions?: Omit<KeyValueEventStoreOptions, 'appId' | 'storage'>;
}

/**
 * The LocalRec SDK (`track`, consent, `exportData`, `forgetMe`, `recommend`, `similar`, `rank`)
 * storing into `wx` storage, with an optional in-thread runtime reading the same storage.
 * Call `flush()` in `App.onHide` (mini-programs have no `pagehide`).
 * @throws {LocalRecError} `INVALID_CONFIG` naming the bad option.
 * @example
 * const rec = createMiniProgramLocalRec(wx, {
 *   appId: 'shop',
 *   runtime: { create: (deps) => new Runtime(deps), modelUrl: 'https://cdn.example/models/shop/' }, // deps.fetch: wx.request when there is no fetch
 * });
 * rec.track('view', { itemId: 'SKU-1' });
 * const { items } = await rec.recommend({ k: 5 });
 */
export function createMiniProgramLocalRec(wx: WxStorageApi & Partial<WxRequestApi>, config: MiniProgramLocalRecConfig): LocalRec {
  const { runtime, storeOptions, ...sdk } = config;
  const createStore = (appId: string): EventStore => createMiniProgramStore(wx, appId, storeOptions);
  const input: LocalRecConfigInput = { ...sdk, store: createStore(config.appId) };
  // The model is fetched with the global fetch where there is one, else over wx.request (read on connect).
  if (runtime) input.runtime = inThreadRuntime(createStore, runtime, { fetch: () => miniProgramFetch(wx) });
  return createLocalRec(input);
}
