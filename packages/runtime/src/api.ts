/**
 * The one typed interface of the runtime, shared by both sides of the worker boundary: the worker
 * exposes a {@link RuntimeApi} through Comlink and the main thread holds a `Remote<RuntimeApi>`
 * (or, when workers are unavailable, the in-thread object itself). Types only — no code, no tfjs.
 */
import type { Consent, ItemMeta, RecommendOptions, RecommendResult, RuntimeStatus, SequenceEntry } from '@localrec/core';
import type {
  AbnormalOptions, BlendWeights, Profile, RerankerOptions, RerankFeatureName, SegmentsResult, SocialContextInput,
} from '@localrec/insights';

export type { Consent, Profile, SegmentsResult, SocialContextInput };

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
  /**
   * After answering from the model, prepare the encoder in idle time for the shopper's next action
   * (this history plus one item: `SasrecScorer.prepareNext`), so that answer runs only the new slot
   * through the encoder. Same answers either way; costs about one encode of idle CPU per answer.
   * Default true.
   */
  prepareNext?: boolean;
  /** How long a call waits for the first model load before answering from fallbacks (default 10000). */
  readyTimeoutMs?: number;
  /** After a failed load, wait at least this long before the next attempt (default 5000). */
  retryDelayMs?: number;
  /** Shopper consent at start; history is read only while `'granted'`. Default `'granted'`. */
  consent?: Consent;
  /**
   * The insights ranking step (see {@link InsightsOptions}). When given (`insights: {}` for the
   * defaults), `recommend`/`rank` answers pass through the blending step (model score, profile
   * affinity, the host's social context) and the on-device re-ranker, and abnormal events are kept
   * out of the model input. When absent, answers are the model's own (what the trainer computes).
   * `getProfile`, `setSocialContext` and `getSegments` work either way.
   */
  insights?: InsightsOptions;
}

/** Settings of the insights layer (`insights.ts`); every field optional, defaults documented in `@localrec/insights`. */
export interface InsightsOptions {
  /** Pass answers through the blending step and the re-ranker (default true once `insights` is given). */
  rank?: boolean;
  /** Half-life of profile affinities in days. Default 14. */
  halfLifeDays?: number;
  /** Overrides of the profile's event weights. */
  eventWeights?: Record<string, number>;
  /** Abnormal-behaviour thresholds (`detectAbnormal`). */
  abnormal?: AbnormalOptions;
  /** Weights of the blending step. Default model 0.7, affinity 0.15, social 0.15. */
  blendWeights?: BlendWeights;
  /** Re-ranker learning settings. */
  reranker?: RerankerOptions;
  /** How long after an impression a click counts for it (ms). Default 30 minutes. */
  feedbackWindowMs?: number;
  /** Half-life of the re-ranker's recency feature (ms). Default 24 hours. */
  recencyHalfLifeMs?: number;
  /** Chance per week of a random segment. Default 0.05. */
  segmentNoiseRate?: number;
  /** Default 3. */
  maxSegments?: number;
}

/** What `getProfile()` answers: the profile plus what was kept out of it and what feedback taught. */
export interface ShopperProfile extends Profile {
  /** Events flagged abnormal (bursts, repeats, …) and left out of the profile, the model input and the re-ranker. */
  excludedEvents: number;
  feedback: {
    /** Shown items with a known outcome the re-ranker learned from. */
    observations: number;
    /** Weight of the learned model in the final score (0 with no feedback; see the re-ranker's floor). */
    blendWeight: number;
    weights: Record<'bias' | 'position' | RerankFeatureName, number>;
  };
}

/**
 * The shopper's history as the page read it, for the one case where the runtime cannot read it
 * itself: the SDK records into its in-memory fallback store (IndexedDB failed), which lives on the
 * page's main thread and which the worker cannot see. The connector then reads the history on the
 * page and passes it with the call. It crosses only the boundary between the page and its OWN
 * runtime worker (a `postMessage` on the device); nothing leaves the device, and in the normal
 * case (IndexedDB) no history crosses at all.
 */
export interface PageHistory {
  /** Core's `recentSequence` over the page's store (oldest first; the runtime keeps the model's last `maxLen`). */
  sequence: SequenceEntry[];
  /** Item ids the shopper bought. */
  purchased: string[];
}

/** What the connector passes along with a call (optional; structured-clonable). */
export interface CallContext {
  /**
   * The history read on the page (degraded case only, see {@link PageHistory}). When given, the
   * runtime uses it instead of reading its own store (and skips the insights abnormal-event filter,
   * which needs the store).
   */
  history?: PageHistory;
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
  recommend(options?: RecommendOptions, call?: CallContext): Promise<RecommendResult>;
  /** Items like `itemId` (cosine over the model's item embeddings). */
  similar(itemId: string, options?: RecommendOptions, call?: CallContext): Promise<RecommendResult>;
  /** Re-ranks host candidates for this shopper; unknown ids keep their slots (see `rankCandidates`). */
  rank(itemIds: readonly string[], options?: RecommendOptions, call?: CallContext): Promise<RecommendResult>;
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
  /** The shopper profile, computed on the device (consent `granted` only, else `CONSENT_REQUIRED`). */
  getProfile(): Promise<ShopperProfile>;
  /**
   * Social context the host already shows (friends who liked / bought / shared items). Validated
   * (`INVALID_ARGUMENT` naming the field), held in memory only for its `ttlMs`; `null` clears it.
   */
  setSocialContext(context: SocialContextInput | null): Promise<{ items: number; expiresAt: number } | null>;
  /** At most 3 interest segments, the one thing the host may send off the device (consent `granted` only). */
  getSegments(): Promise<SegmentsResult>;
  dispose(): Promise<void>;
}
