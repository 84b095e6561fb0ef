/**
 * The one typed interface of the runtime, shared by both sides of the worker boundary: the worker
 * exposes a {@link RuntimeApi} through Comlink and the main thread holds a `Remote<RuntimeApi>`
 * (or, when workers are unavailable, the in-thread object itself). Types only — no code, no tfjs.
 */
import type { Consent, ItemMeta, RecommendOptions, RecommendResult, RuntimeStatus } from '@localrec/core';

export type { Consent };

/** The inference backends, in the default order of preference. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Download progress of a model bundle. */
export interface LoadProgress {
  /** `manifest`, `download`, `verify`, `cached`, `backend`, `ready`. */
  phase: 'manifest' | 'download' | 'cached' | 'verify' | 'backend' | 'ready';
  /** Bytes received so far over all files (download phase). */
  loadedBytes: number;
  /** Bytes the manifest announces for all files. */
  totalBytes: number;
  /** File being fetched, when any. */
  file?: string;
  /** Active backend (backend / ready phases). */
  backend?: string;
}

/**
 * Runtime configuration. Everything is structured-clonable (it crosses into the worker), except
 * the in-thread-only seams documented as such.
 */
export interface RuntimeOptions {
  /** Store scope: the worker opens `IndexedDbEventStore({ appId })`. */
  appId: string;
  /**
   * Folder URL of the model bundle (`manifest.json`, `weights.bin`, `vocab.json`, …). Relative
   * URLs resolve against the page (same origin by default). Example: `'/models/demo-shop/'`.
   */
  modelUrl: string;
  /** Optional pinned SHA-256 (hex) of `manifest.json`; a different manifest is refused. */
  manifestSha256?: string;
  /** Backends to consider, in order. Default `['webgpu', 'webgl', 'wasm', 'cpu']`. */
  backends?: readonly BackendName[];
  /**
   * Use exactly this backend (no calibration, no fallback on start; a software WebGPU adapter
   * is accepted). Fails with `BACKEND_UNAVAILABLE` if it cannot start.
   */
  forceBackend?: BackendName;
  /**
   * Measure the candidate backends on the real model on first start and keep the fastest
   * (cached per model version and device). Default true. When false the first backend that
   * starts is used.
   */
  calibrate?: boolean;
  /** Folder URL holding tfjs-backend-wasm's `.wasm` files (default: the runtime bundle's folder). */
  wasmPath?: string;
  /** Cache the bundle in Cache Storage (default true; silently off where unavailable). */
  cache?: boolean;
  /** Default time budget of `recommend`/`similar`/`rank` in ms after warm-up (default 50). */
  budgetMs?: number;
  /** How long a call waits for the first model load before answering from fallbacks (default 10000). */
  readyTimeoutMs?: number;
  /** After a failed load, wait at least this long before the next attempt (default 5000). */
  retryDelayMs?: number;
  /** Shopper consent at start; history is read only while `'granted'`. Default `'granted'`. */
  consent?: Consent;
}

/** What the runtime answers, on either side of the boundary. */
export interface RuntimeApi {
  /**
   * Starts loading the model (returns once started, not when loaded). Idempotent.
   * `onProgress` must be a `Comlink.proxy` when called across the worker boundary.
   */
  init(options: RuntimeOptions, onProgress?: (p: LoadProgress) => void): Promise<void>;
  /** Resolves when the model is loaded and warmed up (or rejects with the load error). */
  ready(): Promise<RuntimeStatus>;
  status(): Promise<RuntimeStatus>;
  /** Next-item recommendations from this device's recent history. Never rejects for a missing or slow model. */
  recommend(options?: RecommendOptions): Promise<RecommendResult>;
  /** Items like `itemId` (cosine over the model's item embeddings). */
  similar(itemId: string, options?: RecommendOptions): Promise<RecommendResult>;
  /** Re-ranks host candidates for this shopper; unknown ids keep their slots (see `rankCandidates`). */
  rank(itemIds: readonly string[], options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * Evaluation hook: the model's scores for explicit sequences of model rows (1-based, oldest
   * first), one `Float32Array(itemCount + 1)` per sequence (index 0 = −Infinity). Reads no store,
   * applies no masks: this is the shared scoring function as the trainer's evaluator calls it.
   */
  scoreRows(seqs: readonly (readonly number[])[]): Promise<Float32Array[]>;
  /** Host item metadata (merged over the bundle's catalog; host wins). */
  setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void>;
  /** Consent changes: history is not read unless `'granted'`. */
  setConsent(consent: Consent): Promise<void>;
  dispose(): Promise<void>;
}
