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
import type { EventStore, ItemMeta, RecommendOptions, RecommendResult, RuntimeStatus } from '@localrec/core';
import { createLocalRec } from '@localrec/sdk';
import type { ConnectContext, LocalRec, LocalRecConfigInput, RecommenderApi, RuntimeConnector } from '@localrec/sdk';
import type { KeyValueEventStoreOptions, WxStorageApi } from '@localrec/store-kv';
import { miniProgramBackends } from './backends.js';
import { detectMiniProgram } from './env.js';
import { miniProgramFetch, type WxRequestApi } from './fetch.js';
import { inThread } from './in-thread.js';
import { createMiniProgramStore } from './store.js';

type Consent = ConnectContext['consent'];

/** Model download / backend progress (`LoadProgress` of `@localrec/runtime`). */
export interface LoadProgressLike {
  phase: string;
  loadedBytes: number;
  totalBytes: number;
  file?: string;
  backend?: string;
}

/**
 * What an in-thread runtime must offer (structurally `RuntimeApi` of `@localrec/runtime`, whose
 * `Runtime` class fits as it is). Declared here so this package needs no tfjs.
 */
export interface InThreadRuntimeTarget {
  init(options: InThreadRuntimeInit, onProgress?: (p: LoadProgressLike) => void): Promise<void>;
  ready(): Promise<RuntimeStatus>;
  status(): Promise<RuntimeStatus>;
  recommend(options?: RecommendOptions): Promise<RecommendResult>;
  similar(itemId: string, options?: RecommendOptions): Promise<RecommendResult>;
  rank(itemIds: readonly string[], options?: RecommendOptions): Promise<RecommendResult>;
  setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void>;
  setConsent(consent: Consent): Promise<void>;
  dispose(): Promise<void>;
}

/** The runtime's backend names (`BackendName` of `@localrec/runtime`). */
export type RuntimeBackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** What `init` receives: the runtime options (`RuntimeOptions` of `@localrec/runtime`). */
export interface InThreadRuntimeInit {
  appId: string;
  consent: Consent;
  modelUrl: string;
  manifestSha256?: string;
  backends?: readonly RuntimeBackendName[];
  forceBackend?: RuntimeBackendName;
  calibrate?: boolean;
  wasmPath?: string;
  cache?: boolean;
  budgetMs?: number;
  readyTimeoutMs?: number;
  retryDelayMs?: number;
}

/**
 * Seams the factory receives: `createStore` opens the storage the SDK writes; `fetch` is the one
 * to load the model with (see {@link miniProgramFetch}: the global `fetch`, else one over
 * `wx.request`), absent when the context has neither.
 */
export interface InThreadRuntimeDeps {
  createStore(appId: string): EventStore;
  fetch?: typeof fetch;
}

/** Options of {@link inThreadRuntime}. */
export interface InThreadRuntimeOptions extends Omit<InThreadRuntimeInit, 'appId' | 'consent' | 'backends'> {
  /**
   * Makes the runtime, e.g. `(deps) => new Runtime(deps)` (`deps.fetch` loads the model). Called
   * once, on the SDK's first connect (a failed connect calls it again on the next one).
   */
  create(deps: InThreadRuntimeDeps): InThreadRuntimeTarget | Promise<InThreadRuntimeTarget>;
  /**
   * Backends to try, in order. Default: the mini-program list ({@link miniProgramBackends}:
   * `webgl` when the host has `wx.createOffscreenCanvas`, then `cpu`). Pass another list where
   * more exist (e.g. `['wasm', 'cpu']` in Node).
   */
  backends?: readonly RuntimeBackendName[];
  /** Model download / backend progress. */
  onProgress?: (p: LoadProgressLike) => void;
}

/** The SDK's `RecommenderApi` plus what the runtime adds (`ready`, where it runs). */
export interface InThreadRecommender extends RecommenderApi {
  status(): Promise<RuntimeStatus & { runtime: 'in-thread' }>;
  ready(): Promise<RuntimeStatus>;
  setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A `RuntimeConnector` for the SDK that runs the runtime in this thread, called through
 * {@link inThread} (copies in and out, error codes kept) as if it were across a worker.
 * `createStore` opens the event store the runtime reads (the same storage the SDK writes).
 * @throws {LocalRecError} `INVALID_CONFIG` when `create` or `modelUrl` is missing.
 */
export function inThreadRuntime(
  createStore: (appId: string) => EventStore,
  options: InThreadRuntimeOptions,
  seams: { fetch?: () => typeof fetch | undefined } = {},
): RuntimeConnector {
  if (typeof options?.create !== 'function') {
    throw new LocalRecError('INVALID_CONFIG', 'inThreadRuntime: options.create must be a function that makes the runtime, e.g. (deps) => new Runtime(deps).', { field: 'create', accepted: ['a function'] });
  }
  if (typeof options.modelUrl !== 'string' || !options.modelUrl) {
    throw new LocalRecError('INVALID_CONFIG', `inThreadRuntime: modelUrl must be the model bundle's folder URL, got ${JSON.stringify(options.modelUrl)}.`, { field: 'modelUrl' });
  }
  const { create, onProgress, backends, ...rest } = options;
  const list = backends ?? miniProgramBackends(undefined, detectMiniProgram());
  return {
    kind: 'in-thread',
    async connect(ctx: ConnectContext): Promise<InThreadRecommender> {
      const deps: InThreadRuntimeDeps = { createStore };
      const fetchFn = seams.fetch?.();
      if (fetchFn) deps.fetch = fetchFn;
      const target = await create(deps);
      const rt = inThread(target);
      await rt.init({ ...rest, backends: [...list], appId: ctx.appId, consent: ctx.consent }, onProgress);
      let consent = ctx.consent;
      // The SDK's consent is a live getter: pass a change on before the next call.
      const sync = async (): Promise<void> => {
        if (ctx.consent !== consent) { consent = ctx.consent; await rt.setConsent(consent); }
      };
      return {
        status: async () => ({ ...(await rt.status()), runtime: 'in-thread' as const }),
        ready: () => rt.ready(),
        recommend: async (o) => { await sync(); return rt.recommend(o); },
        similar: async (id, o) => { await sync(); return rt.similar(id, o); },
        rank: async (ids, o) => { await sync(); return rt.rank([...ids], o); },
        setCatalog: (items) => rt.setCatalog(items),
        dispose: () => rt.dispose(),
      };
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
