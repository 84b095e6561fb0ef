/**
 * @localrec/contract — the ONE contract between a page (the SDK, a mini-program's logic layer) and
 * the recommendation runtime (a Web Worker, the same thread, a mini-program worker). Every side
 * imports it; nothing here is re-typed elsewhere:
 * - the runtime implements {@link RuntimeApi} (the worker exposes it through Comlink);
 * - a connector hands the SDK a {@link RecommenderApi} — the same methods without what the
 *   connector does itself (`init`, `setConsent`, the {@link CallContext} argument);
 * - the SDK passes a {@link ConnectContext} to a {@link RuntimeConnector}.
 *
 * Types plus the backend list and the method list: no tfjs, no DOM, nothing run at import.
 * The result types (`RecommendResult`, `ScoredItem`, `Reason`, …) are core's, re-exported here.
 * @packageDocumentation
 */
import type {
  Consent,
  EventStore,
  FilterExpr,
  ItemFilter,
  ItemMeta,
  ListCursor,
  ListMethod,
  LocalRecError,
  MerchRules,
  Reason,
  RecommendOptions,
  RecommendResult,
  RuntimeStatus,
  ScoredItem,
  SequenceEntry,
  TrackData,
  TrendingFacets,
  TrendingOptions,
} from '@localrec/core';
import type {
  AbnormalOptions,
  BlendWeights,
  Profile,
  RerankerOptions,
  RerankFeatureName,
  SegmentsResult,
  SocialContextInput,
  SocialOptions,
} from '@localrec/insights';

export type {
  Consent,
  FilterExpr,
  ItemFilter,
  ItemMeta,
  ListCursor,
  ListMethod,
  MerchRules,
  Profile,
  Reason,
  RecommendOptions,
  RecommendResult,
  RuntimeStatus,
  ScoredItem,
  SegmentsResult,
  SocialContextInput,
  SocialOptions,
  TrendingFacets,
  TrendingOptions,
};

/** The inference backends, in the default order of preference. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** One of {@link BACKENDS}. */
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
   * Let a software WebGPU adapter (`isFallbackAdapter`, e.g. SwiftShader) take part in the
   * calibration: the webgpu backend and the WebGPU int8 kernel are timed like the others. For
   * tests and benchmarks on machines without a GPU (a software adapter is slow); default false.
   */
  softwareGpu?: boolean;
  /**
   * Measure the candidate backends on the real model on first start and keep the fastest
   * (cached per model version and device). Default true. When false the first backend that
   * starts is used.
   */
  calibrate?: boolean;
  /** Folder URL holding tfjs-backend-wasm's `.wasm` files (default: the runtime bundle's folder). */
  wasmPath?: string;
  /**
   * URL of the shop's public trending file (`localrec trending` writes it), read by `trending` and
   * `trendingFacets`. Relative URLs resolve against `modelUrl`'s folder. Default `'trending.json'`
   * (next to the model). Fetched by the runtime with a plain GET, checked against its own SHA-256,
   * kept in the model cache (by URL, version and hash).
   */
  trendingUrl?: string;
  /**
   * How long a verified trending file in Cache Storage is used without asking the server again
   * (ms; default 6 hours). Past it the file is fetched again; the cached one stays the answer while
   * the network is unreachable.
   */
  trendingMaxAgeMs?: number;
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
   * Retention window in ms: events older than `now - retentionMs` are never read (history,
   * purchases, profile, segments), whether or not the page has pruned them yet. The SDK passes
   * its `retentionDays` (through {@link ConnectContext.retentionMs}). Default: none (the store's
   * events as they are).
   */
  retentionMs?: number;
  /**
   * The insights ranking step (see {@link InsightsOptions}). When given (`insights: {}` for the
   * defaults), `recommend`/`rank` answers pass through the blending step (model score, profile
   * affinity, the host's social context) and the on-device re-ranker, and abnormal events are kept
   * out of the model input. When absent, answers are the model's own (what the trainer computes).
   * `getProfile`, `setSocialContext` and `getSegments` work either way.
   */
  insights?: InsightsOptions;
}

/** Settings of the insights layer; every field optional, defaults documented in `@localrec/insights`. */
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
  /**
   * Social candidates (`@localrec/insights` `friends.ts`): at most `maxCandidates` (5) items friends
   * shared or liked may enter a `recommend` list; a followed friend counts `followWeight` (2) times;
   * a recorded inbound share decays with half-life `inboundHalfLifeDays` (7); an entering item's model
   * term is `entryWeight` (0.8) × its social proof.
   */
  social?: SocialOptions;
}

/** What `getProfile()` answers: the profile plus what was kept out of it and what feedback taught. */
export interface ShopperProfile extends Profile {
  /** Events flagged abnormal (bursts, repeats, crawls, …) and left out of the profile, the model input and the re-ranker. */
  excludedEvents: number;
  /** The on-device re-ranker: observations learned from, the weight of its model, its weights by feature. */
  feedback: {
    /** Shown items with a known outcome the re-ranker learned from. */
    observations: number;
    /** Weight of the learned model in the final score (0 with no feedback; see the re-ranker's floor). */
    blendWeight: number;
    /** The learned weight of each feature. */
    weights: Record<'bias' | 'position' | RerankFeatureName, number>;
  };
}

/** What `setSocialContext` answers: how many items the context covers and until when (epoch ms); `null` once cleared. */
export type SocialContextAck = { items: number; expiresAt: number } | null;

/**
 * The shopper's history as the page read it, for the one case where the runtime cannot read it
 * itself: the SDK records into its in-memory fallback store (IndexedDB failed), which lives on the
 * page's main thread and which the worker cannot see. The connector then reads the history on the
 * page and passes it with the call. It crosses only the boundary between the page and its OWN
 * runtime (a `postMessage` on the device); nothing leaves the device, and in the normal case
 * (the runtime reads the store itself) no history crosses at all.
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

/**
 * The methods both sides share, written once. `Extra` is what the connector adds to the answering
 * calls: nothing on the page side ({@link RecommenderApi}), a {@link CallContext} on the runtime
 * side ({@link RuntimeApi}). Every method returns a promise and takes structured-clonable input,
 * as it may be answered across a worker boundary.
 */
export interface RuntimeMethods<Extra extends unknown[] = []> {
  /** Readiness, backend, model version, last error. Never rejects for a missing model. */
  status(): Promise<RuntimeStatus>;
  /** Resolves when the model is loaded and warmed up (or rejects with the load error). */
  ready(): Promise<RuntimeStatus>;
  /** Next-item recommendations from this device's recent history. Never rejects for a missing or slow model. */
  recommend(options?: RecommendOptions, ...call: Extra): Promise<RecommendResult>;
  /** Items like `itemId` (cosine over the model's item embeddings). */
  similar(itemId: string, options?: RecommendOptions, ...call: Extra): Promise<RecommendResult>;
  /** Re-ranks host candidates for this shopper; unknown ids keep their slots. */
  rank(itemIds: readonly string[], options?: RecommendOptions, ...call: Extra): Promise<RecommendResult>;
  /**
   * Items the shopper viewed, clicked or carted most recently, newest first, each once; from the
   * shopper's own events (no model). Never rejects for missing history (`no-consent`, `no-history`).
   */
  recentlyViewed(options?: RecommendOptions, ...call: Extra): Promise<RecommendResult>;
  /**
   * Purchased items due again by their purchase cadence (median gap between purchases), most overdue
   * first; from the shopper's own events (no model). Never rejects for missing history.
   */
  buyAgain(options?: RecommendOptions, ...call: Extra): Promise<RecommendResult>;
  /**
   * Items frequently bought together with `items` (one item id, or the ids of a cart): the bundle's
   * association rules (their confidences combined by noisy-or over the cart), the cart's own items
   * left out, re-ranked by the model's score of the shopper's history; reasons name the anchor item
   * and the lift. Without association rules for the items, the bundle's co-occurrence table
   * (`fallbackReason: 'no-associations'`). Never rejects for a missing model or history.
   */
  frequentlyBoughtTogether(items: string | readonly string[], options?: RecommendOptions, ...call: Extra): Promise<RecommendResult>;
  /**
   * What is trending in the shop (or in one facet value: `{ facet: { attribute, value } }`), from
   * the shop's public trending file, re-ranked for the shopper by the model. Without a usable file
   * the bundle's popularity table (`fallbackReason: 'no-trending'`, `error` says why). Never rejects
   * for a missing file, model or history.
   */
  trending(options?: TrendingOptions, ...call: Extra): Promise<RecommendResult>;
  /**
   * Recommendations for a search query (a non-empty string, at most 256 characters): the items the
   * shopper's own earlier searches like it led to (viewed, clicked, carted, bought in the same
   * session; "You searched 'red shoes' and opened Blue Kettle") and the catalogue items whose name or
   * attributes hold its words ("Matches 'shoes'"), re-ranked by the model for the shopper. Nothing
   * matching: the bundle's popular items (`fallbackReason: 'no-match'`). Never rejects for a missing
   * model, history or match; a bad query is `INVALID_ARGUMENT` (`field: 'query'`).
   */
  forSearch(query: string, options?: RecommendOptions, ...call: Extra): Promise<RecommendResult>;
  /**
   * The next page of the list `previous` (an answer of a list method, or just its `list`) came from:
   * the same method, subject and options at `page + 1`, repeating no item any earlier page of the
   * list returned, even when the history changed in between; with the same history exactly page
   * `page + 1`. The answer carries the cursor of the list so far. `options` override the list's
   * options from this page on (meant for what does not shape the list: `hydrate`, `budgetMs`; the
   * SDK sends `personalise: false` when history may not be used); earlier pages' items stay out
   * whatever they change. `INVALID_ARGUMENT` (`field: 'list'` or `list.<field>`) for an answer that
   * is not a page of a list (e.g. `rank`'s).
   */
  next(previous: { list?: ListCursor | undefined }, options?: RecommendOptions, ...call: Extra): Promise<RecommendResult>;
  /** The values of a catalog attribute the trending file counts, most shoppers first. Never rejects for a missing file. */
  trendingFacets(attribute: string, options?: { k?: number }): Promise<TrendingFacets>;
  /**
   * Evaluation hook: the model's scores for explicit sequences of model rows (1-based, oldest
   * first), one `Float32Array(itemCount + 1)` per sequence (index 0 = −Infinity). Reads no store,
   * applies no masks: this is the shared scoring function as the trainer's evaluator calls it.
   */
  scoreRows(seqs: readonly (readonly number[])[]): Promise<Float32Array[]>;
  /** Host item metadata (merged over the bundle's catalog; host wins). */
  setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void>;
  /** The shopper profile, computed on the device (consent `granted` only, else `CONSENT_REQUIRED`). */
  getProfile(): Promise<ShopperProfile>;
  /**
   * Social context the host already shows (friends who liked / bought / shared items). Validated
   * (`INVALID_ARGUMENT` naming the field), held in memory only for its `ttlMs`; `null` clears it.
   */
  setSocialContext(context: SocialContextInput | null): Promise<SocialContextAck>;
  /** At most 3 interest segments, the one thing the host may send off the device (consent `granted` only). */
  getSegments(): Promise<SegmentsResult>;
  /**
   * Releases the runtime (model, backend, store); it is not used afterwards (a recommender built by
   * `connectTransport` then rejects calls with `NOT_READY`).
   */
  dispose(): Promise<void>;
}

/** What the runtime answers, on either side of the boundary (the worker exposes it through Comlink). */
export interface RuntimeApi extends RuntimeMethods<[call?: CallContext]> {
  /**
   * Starts loading the model (returns once started, not when loaded). Idempotent.
   * `onProgress` must be a `Comlink.proxy` when called across a Comlink boundary (the transports do it).
   */
  init(options: RuntimeOptions, onProgress?: (p: LoadProgress) => void): Promise<void>;
  /** Consent changes: history is not read unless `'granted'`. */
  setConsent(consent: Consent): Promise<void>;
}

/** Every method of {@link RuntimeApi}, for adapters that forward by name (a type test keeps it complete). */
export const RUNTIME_METHODS = [
  'init',
  'ready',
  'status',
  'recommend',
  'similar',
  'rank',
  'recentlyViewed',
  'buyAgain',
  'frequentlyBoughtTogether',
  'trending',
  'forSearch',
  'next',
  'trendingFacets',
  'scoreRows',
  'setCatalog',
  'setConsent',
  'getProfile',
  'setSocialContext',
  'getSegments',
  'dispose',
] as const satisfies readonly (keyof RuntimeApi)[];
/** One of {@link RUNTIME_METHODS}. */
export type RuntimeMethod = (typeof RUNTIME_METHODS)[number];

/** The methods every recommender has; the rest of {@link RuntimeMethods} is optional to a connector. */
type RequiredRecommenderMethod = 'status' | 'recommend' | 'similar' | 'rank';

/**
 * What the SDK calls: {@link RuntimeMethods} as the page sees them (no {@link CallContext}: the
 * connector adds it). `status`/`recommend`/`similar`/`rank` are required; the rest is optional, so
 * a minimal connector (e.g. the SDK's `noRuntime`) need not answer profiles.
 */
export interface RecommenderApi
  extends Pick<RuntimeMethods, RequiredRecommenderMethod>, Partial<Omit<RuntimeMethods, RequiredRecommenderMethod>> {
  /**
   * Where this recommender's runtime runs (`'worker'`, `'main-thread'`, …), when the connector
   * knows it: the SDK's `status.runtime` shows it once connected, so it agrees with `status().runtime`.
   */
  readonly runtime?: string;
}

/**
 * What a connector built on a transport hands the SDK: every {@link RuntimeMethods} method, and a
 * `status` that says where the runtime runs (`'worker'`, `'main-thread'`, `'in-thread'`, …).
 */
export interface ConnectedRuntime extends RuntimeMethods {
  /** Where the runtime runs: the transport's kind (`'worker'`, `'main-thread'`, …), as `status().runtime` says. */
  readonly runtime: string;
  /** The runtime's status plus the transport it is reached through. */
  status(): Promise<RuntimeStatus & { runtime: string }>;
}

/** What the SDK passes to `connect`: on the object the SDK passes, `consent`, `store` and `writes` are live getters. */
export interface ConnectContext {
  /** The app id; the runtime opens the same event store (`IndexedDbEventStore({ appId })`). */
  appId: string;
  /**
   * Consent when connecting. The SDK itself never sends a history-based request while consent
   * is not `granted` (it answers those with `fallbackReason: 'no-consent'`), so a runtime may
   * treat this as a hint; connectors pass changes on before the next call.
   */
  consent: Consent;
  /** The SDK's retention window in ms (`retentionDays`): the runtime reads no event older than this ({@link RuntimeOptions.retentionMs}). */
  retentionMs?: number;
  /**
   * The store the SDK writes to now: the store the runtime reads itself (IndexedDB, `wx` storage),
   * or the in-memory fallback after a storage failure (`kind: 'memory'`) — which the runtime cannot
   * see, so the connector reads the history from it on the page and passes it with each call.
   */
  readonly store?: EventStore;
  /**
   * Changes whenever this page changed the stored history (a write or an erase). A runtime that
   * caches the history may trust its cache for this page while it holds; other tabs' writes are
   * not counted.
   */
  readonly writes?: number;
  /** Records an event as `LocalRec.track` does (e.g. impressions of and clicks on a result). */
  readonly track?: (type: string, data: TrackData) => unknown;
  /**
   * Reports a problem the connector handled itself (e.g. `WORKER_UNAVAILABLE`: the model runs on
   * the main thread because the host allowed it) to the SDK's `onError`, without failing the call.
   */
  readonly report?: (error: LocalRecError) => void;
}

/**
 * Produces a {@link RecommenderApi} (`R`: what this connector's recommender is, e.g. a
 * {@link ConnectedRuntime}). The SDK calls `connect` once (memoised; a failed connect is retried later).
 */
export interface RuntimeConnector<R extends RecommenderApi = RecommenderApi> {
  /** Name shown in the SDK's `status.runtime`, e.g. `"none"`, `"worker"`, `"in-thread"`. */
  readonly kind: string;
  /** Starts (or reaches) the runtime for this SDK instance. */
  connect(ctx: ConnectContext): Promise<R>;
}
