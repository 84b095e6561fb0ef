/**
 * The runtime: one object that loads the bundle, starts a tfjs backend and answers
 * `recommend` / `similar` / `rank` from the device's own event store. It runs in the worker
 * (exposed through Comlink by `worker.ts`) or, where workers are unavailable, on the main thread
 * behind the same {@link RuntimeApi}.
 *
 * Memory held after load (N items, dimension d): the float32 model weights dequantised once
 * (item table (N+1)·d·4 bytes), 1/norm per item, the cold-start tables and vocabulary (see
 * `model-data.ts`); on the tfjs backend the item table and its transpose (2·(N+1)·d·4 bytes) plus
 * the small encoder weights. The shopper's sequence is re-validated against the store on every
 * call (see `ShopperReader`): an event tracked just before a call is in its answer.
 */
import {
  LocalRecError, type EventStore, type ItemMeta, type RecommendOptions, type RecommendResult, type RuntimeStatus,
  type ScoredItem,
} from '@localrec/core';
import * as tf from '@tensorflow/tfjs-core';
import { sha256Hex } from '@localrec/model';
import {
  BACKENDS, type BackendName, type CallContext, type Consent, type LoadProgress, type RuntimeApi, type RuntimeOptions, type SegmentsResult, type ShopperProfile,
  type SocialContextInput,
} from './api.js';
import { calibrate, deviceKey, deviceTopK, firstWorking, activateBackend, buildEngine, watchDeviceLoss, type Calibration, type Engine } from './backends.js';
import { coldItems, coldScores } from './cold.js';
import { checkPageHistory, ShopperReader, toHistory } from './history.js';
import { ShopperInsights } from './insights.js';
import { loadBundle } from './loader.js';
import { utf8Bytes } from './text.js';
import { resolveUrl } from './url.js';
import { toModelData, type ModelData } from './model-data.js';
import { checkDiversity, checkK, eligibleRows, historyReason, mmr, nameOf, passesFilter, topK, type HistoryItem } from './ranking.js';

/** Environment seams of the runtime (the worker passes the real ones; unit tests inject their own). */
export interface RuntimeDeps {
  /** Opens the event store for an app (the worker: `new IndexedDbEventStore({ appId })`). */
  createStore(appId: string): EventStore;
  /** Default folder of the wasm files when `options.wasmPath` is not set. */
  wasmPath?: string;
  fetch?: typeof fetch;
  /** Cache Storage for bundles; `null` disables (default: `globalThis.caches`). */
  caches?: CacheStorage | null;
}

/** Bytes the runtime holds: host typed arrays (float32 weights, norms, cold tables) and tfjs tensors. */
export interface RuntimeMemory { hostBytes: number; tfjsBytes: number }

/**
 * Where the last model-answered `recommend` spent its time (ms): reading the store, scoring,
 * masking + top-k + reasons; `reused` when the scores of the same model input were reused.
 */
export interface CallTimings {
  readMs: number; scoreMs: number; rankMs: number; reused: boolean;
  /** How the user vector was computed when scored on the device: all slots, or only the new one after {@link SasrecScorer.prepareNext}. */
  encoder?: 'full' | 'incremental' | 'empty';
}

/** A backend change during the session (`status().backendEvents`). */
export interface BackendEvent {
  /** `Date.now()` when it happened. */
  at: number;
  kind: 'device-lost';
  /** The backend that was lost. */
  backend: BackendName;
  /** The browser's message (`GPUDeviceLostInfo`). */
  reason: string;
  /** The backend now answering, once started. */
  fallback?: BackendName;
  /** Why no other backend could start (then answers come from the cold-start tables). */
  error?: string;
}

/** The shopper's history and purchases as one answer uses them. */
interface Shopper {
  history: HistoryItem[];
  purchased: Set<string>;
  /** The store could not be read: answers are cold, marked `error`. */
  storeError: boolean;
  readMs: number;
}

/** Above this many masked rows recommend() reads all scores back instead of a device-side top-k. */
const DEVICE_TOPK_MAX_MASKED = 2048;

/**
 * recommend() keeps the best rows the backend returned with the model input they came from
 * (`topMemo`): a next call with the very same input (the store check found nothing new) that needs
 * no more rows reuses them instead of scoring again. The scores are a pure function of the model
 * and the input, so this is never stale: any change to the history changes the input. (Asking for
 * more rows than needed, to serve larger `k` too, made every scoring slower: not done.)
 */
const sameRows = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** similar() checks its time budget every this many items of its cosine scan. */
const SIMILAR_CHUNK = 4096;

const DEFAULTS = { budgetMs: 50, readyTimeoutMs: 10_000, retryDelayMs: 5_000 };
const CALIBRATION_META = 'runtime:calibration';
const now = () => (globalThis.performance ?? Date).now();

/** Resolves to `undefined` after `ms` unless `p` settles first (a rejection also gives `undefined`). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms === Infinity) return p.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<undefined>((res) => { timer = setTimeout(res, Math.max(0, ms), undefined); });
  return Promise.race([p.catch(() => undefined), t]).finally(() => clearTimeout(timer));
}

/** Memoised async value: concurrent callers share one attempt; a failure is evicted (retry later). */
class Once<T> {
  private p?: Promise<T>;
  private failedAt = -Infinity;
  lastError?: unknown;
  value?: T;
  constructor(private readonly make: () => Promise<T>, private readonly retryDelayMs: () => number) {}
  get(): Promise<T> {
    if (!this.p) {
      if (now() - this.failedAt < this.retryDelayMs()) return Promise.reject(this.lastError);
      this.p = this.make().then(
        (v) => { this.value = v; this.lastError = undefined; return v; },
        (e: unknown) => { this.p = undefined; this.failedAt = now(); this.lastError = e; throw e; },
      );
      this.p.catch(() => {}); // a background start must not surface as an unhandled rejection
    }
    return this.p;
  }
  reset(): void { this.p = undefined; this.value = undefined; }
}

/** The in-thread runtime. See {@link RuntimeApi} for each method's contract. */
export class Runtime implements RuntimeApi {
  private options?: Required<Pick<RuntimeOptions, 'budgetMs' | 'readyTimeoutMs' | 'retryDelayMs'>> & RuntimeOptions;
  private store?: EventStore;
  private reader?: ShopperReader;
  /** Profile, abnormal filter, social context, blending + re-ranker, segments (see insights.ts). */
  private insights?: ShopperInsights;
  private consent: Consent = 'granted';
  private hostCatalog: Record<string, ItemMeta> = {};
  private onProgress: (p: LoadProgress) => void = () => {};
  private disabledBackends = new Set<BackendName>();
  private disposed = false;
  /** The last device-side top rows and the model input they were scored for (see `sameRows`). */
  private topMemo?: { engine: Engine; seq: Int32Array; rows: Int32Array; sparse: number[] };
  /** Bumped per scored history: a pending {@link prepareNext} for an older one is skipped. */
  private prepared = 0;
  /** Cache Storage opens / puts in flight (see `guardedCaches`). */
  private readonly cacheOps = new Set<Promise<unknown>>();
  /** Backend changes during this runtime's life (a lost WebGPU device), oldest first. */
  private backendEvents: BackendEvent[] = [];
  /** Set while the next engine starts after a lost device. */
  private switching?: Promise<void>;
  private calibration?: Calibration;
  private lastTimings?: CallTimings;
  /** tfjs work is serialised: one scoring at a time (a GPU cannot run two sessions at once). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly data = new Once<ModelData>(() => this.loadData(), () => this.opts().retryDelayMs);
  private readonly engine = new Once<Engine>(() => this.startEngine(), () => this.opts().retryDelayMs);

  constructor(private readonly deps: RuntimeDeps) {}

  async init(options: RuntimeOptions, onProgress?: (p: LoadProgress) => void): Promise<void> {
    if (this.options) return;
    if (!options || typeof options.appId !== 'string' || !options.appId) {
      throw new LocalRecError('INVALID_CONFIG', `appId must be a non-empty string, got ${JSON.stringify(options?.appId)}`, { field: 'appId' });
    }
    if (typeof options.modelUrl !== 'string' || !options.modelUrl) {
      throw new LocalRecError('INVALID_CONFIG', `modelUrl must be the bundle folder URL, got ${JSON.stringify(options.modelUrl)}`, { field: 'modelUrl' });
    }
    for (const b of [...(options.backends ?? []), ...(options.forceBackend ? [options.forceBackend] : [])]) {
      if (!(BACKENDS as readonly string[]).includes(b)) {
        throw new LocalRecError('INVALID_CONFIG', `Unknown backend "${String(b)}"`, { field: 'backends', accepted: BACKENDS });
      }
    }
    this.options = { ...DEFAULTS, ...options };
    this.consent = options.consent ?? 'granted';
    if (onProgress) this.onProgress = onProgress;
    this.store = this.deps.createStore(options.appId);
    this.reader = new ShopperReader(this.store);
    this.insights = new ShopperInsights({ store: this.store, ...(options.insights ? { options: options.insights } : {}), ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}) });
    void this.engine.get(); // start loading in the background
  }

  private opts() {
    if (!this.options) throw new LocalRecError('NOT_READY', 'The runtime is not initialised: call init(options) first');
    return this.options;
  }

  private progress(p: LoadProgress): void {
    try { this.onProgress(p); } catch { /* a host callback must not break loading */ }
  }

  private async loadData(): Promise<ModelData> {
    const o = this.opts();
    const base = resolveUrl(o.modelUrl, 'modelUrl');
    const lb: Parameters<typeof loadBundle>[0] = { baseUrl: base, onProgress: (p) => this.progress(p) };
    if (o.manifestSha256) lb.manifestSha256 = o.manifestSha256;
    if (this.deps.fetch) lb.fetch = this.deps.fetch;
    if (o.cache === false) lb.caches = null;
    else {
      const real = this.deps.caches !== undefined ? this.deps.caches : (globalThis as { caches?: CacheStorage }).caches;
      if (real) lb.caches = this.guardedCaches(real);
    }
    return toModelData(await loadBundle(lb));
  }

  /**
   * Cache Storage as the loader sees it: refused once the runtime is disposed, and every open /
   * put in flight tracked, so {@link dispose} returns only after they settled. Otherwise a load
   * started just before `forgetMe()` could (re-)create the model cache after the SDK erased it
   * (the browser completes an `open` even when the worker is terminated meanwhile).
   */
  private guardedCaches(real: CacheStorage): CacheStorage {
    const track = <T>(p: Promise<T>): Promise<T> => {
      this.cacheOps.add(p);
      void p.catch(() => undefined).finally(() => this.cacheOps.delete(p));
      return p;
    };
    const refused = () => Promise.reject(new LocalRecError('NOT_READY', 'The runtime was disposed'));
    return {
      // The loader uses only match and put.
      open: (name: string) => (this.disposed ? refused() : track(real.open(name).then((cache) => ({
        match: (k: RequestInfo | URL) => cache.match(k),
        put: (k: RequestInfo | URL, r: Response) => (this.disposed ? refused() : track(cache.put(k, r))),
      }) as unknown as Cache))),
    } as unknown as CacheStorage;
  }

  private async startEngine(): Promise<Engine> {
    const o = this.opts();
    const md = await this.data.get();
    const bo = { wasmPath: o.wasmPath ?? this.deps.wasmPath };
    this.progress({ phase: 'backend', loadedBytes: 0, totalBytes: 0 });
    let engine: Engine;
    if (o.forceBackend && !this.disabledBackends.has(o.forceBackend)) {
      await activateBackend(o.forceBackend, { ...bo, allowFallbackAdapter: true });
      engine = await buildEngine(o.forceBackend, md, 1);
    } else {
      const candidates = (o.backends ?? BACKENDS).filter((b) => !this.disabledBackends.has(b));
      // After a lost device: the next backend in order of the measured speed (the calibration,
      // when there is one), without calibrating again — the cached choice stays for the next visit.
      if (this.backendEvents.length) engine = await firstWorking(this.bySpeed(candidates), md, bo);
      else if (o.calibrate === false) engine = await firstWorking(candidates, md, bo);
      else engine = await this.calibrated(candidates, md, bo);
    }
    if (engine.backend === 'webgpu') watchDeviceLoss((why) => this.deviceLost(engine, why));
    this.progress({ phase: 'ready', loadedBytes: 0, totalBytes: 0, backend: engine.backend });
    return engine;
  }

  /**
   * The WebGPU device of `engine` was lost (driver reset, GPU removed, destroyed): WebGPU is off
   * for this runtime's life, the engine is dropped and the next backend starts at once (see
   * {@link startEngine}). Work queued on the lost device is abandoned (calls waiting on it answer
   * from the fallback within their budget); calls meanwhile wait for the new engine at most their
   * budget, then answer from the cold-start tables. `status().backendEvents` records it.
   */
  private deviceLost(engine: Engine, why: string): void {
    if (this.engine.value !== engine) return;
    const ev: BackendEvent = { at: Date.now(), kind: 'device-lost', backend: engine.backend, reason: why };
    this.backendEvents.push(ev);
    this.disabledBackends.add('webgpu');
    this.engine.reset();
    this.engine.lastError = new LocalRecError('BACKEND_UNAVAILABLE', `WebGPU device lost (${why}); switching to the next backend`);
    this.queue = Promise.resolve();
    try { engine.dispose(); } catch { /* the device is gone: its buffers are too */ }
    this.switching = this.engine.get().then(
      (e) => { ev.fallback = e.backend; },
      (e: unknown) => { ev.error = (e as Error)?.message ?? String(e); },
    ).finally(() => { this.switching = undefined; });
  }

  /** `candidates` with the calibration's measured ones first, fastest first (the others keep their order). */
  private bySpeed(candidates: readonly BackendName[]): BackendName[] {
    const t = this.calibration?.timings ?? {};
    const ms = (b: BackendName) => (typeof t[b] === 'number' ? t[b] : Infinity);
    return [...candidates].sort((a, b) => ms(a) - ms(b));
  }

  /** Uses the cached calibration for this model version and device, or measures and caches one. */
  private async calibrated(candidates: readonly BackendName[], md: ModelData, bo: { wasmPath?: string | undefined }): Promise<Engine> {
    const key = `${md.version}|${await sha256Hex(utf8Bytes(await deviceKey()))}`;
    const cached = await this.store!.getMeta<Record<string, Calibration>>(CALIBRATION_META).catch(() => undefined);
    const hit = cached?.[key];
    if (hit && candidates.includes(hit.backend)) {
      try {
        await activateBackend(hit.backend, bo);
        this.calibration = hit;
        return await buildEngine(hit.backend, md, 1);
      } catch {
        // The cached choice no longer starts: measure again.
      }
    }
    const { engine, calibration } = await calibrate(candidates, md, bo);
    this.calibration = calibration;
    await this.store!.setMeta(CALIBRATION_META, { ...(cached ?? {}), [key]: calibration }).catch(() => undefined);
    return engine;
  }

  /**
   * After scoring a history, once the answer is on its way (a task later): prepares the encoder
   * for this history plus one more item ({@link SasrecScorer.prepareNext}), so the answer after the
   * shopper's next action runs only the new slot through the encoder. Serialised with scoring;
   * skipped when a newer history was scored meanwhile or the engine changed.
   */
  private prepareNext(engine: Engine, seq: Int32Array): void {
    const token = ++this.prepared;
    setTimeout(() => {
      if (token !== this.prepared || this.disposed || this.engine.value !== engine) return;
      void this.serial(async () => {
        if (token === this.prepared && !this.disposed) engine.scorer.prepareNext(seq);
      }).catch(() => undefined);
    }, 0);
  }

  /** Runs tfjs work one at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => {});
    return p;
  }

  async ready(): Promise<RuntimeStatus> {
    await this.engine.get();
    return this.status();
  }

  /** Status, plus the backend calibration (ms per scoring per candidate, or why one was rejected) when measured or cached. */
  async status(): Promise<RuntimeStatus & { calibration?: Calibration; memory?: RuntimeMemory; lastTimings?: CallTimings; backendEvents?: BackendEvent[] }> {
    const e = this.engine.value;
    const md = this.data.value;
    const s: RuntimeStatus & { calibration?: Calibration; memory?: RuntimeMemory; lastTimings?: CallTimings; backendEvents?: BackendEvent[] } = { ready: !!e };
    if (this.backendEvents.length) s.backendEvents = this.backendEvents.map((x) => ({ ...x }));
    if (this.lastTimings) s.lastTimings = this.lastTimings;
    if (this.calibration) s.calibration = this.calibration;
    if (md) {
      let host = md.invNorm.byteLength + md.cold.popularItems.byteLength + md.cold.popularScores.byteLength + md.cold.coocItems.byteLength + md.cold.coocScores.byteLength;
      for (const w of md.weights.values()) host += w.byteLength;
      s.memory = { hostBytes: host, tfjsBytes: e ? tf.memory().numBytes : 0 };
    }
    if (e) s.backend = e.backend;
    if (md) { s.modelVersion = md.version; s.itemCount = md.itemCount; }
    const err = this.engine.lastError ?? this.data.lastError;
    if (err) {
      const le = err instanceof LocalRecError ? err : new LocalRecError('INTERNAL', String((err as Error)?.message ?? err));
      s.error = { code: le.code, message: le.message };
    }
    return s;
  }

  /** Backend calibration figures (ms per scoring, or why a backend failed), when measured or cached. */
  async calibrationReport(): Promise<Calibration | undefined> {
    return this.calibration;
  }

  async setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void> {
    if (typeof items !== 'object' || items === null) {
      throw new LocalRecError('INVALID_ARGUMENT', 'setCatalog expects an object of itemId → metadata', { field: 'items' });
    }
    this.hostCatalog = { ...this.hostCatalog, ...items };
  }

  async setConsent(consent: Consent): Promise<void> {
    const accepted = ['granted', 'denied', 'pending'] as const;
    if (!accepted.includes(consent)) throw new LocalRecError('INVALID_ARGUMENT', `consent must be one of ${accepted.join(', ')}, got ${JSON.stringify(consent)}`, { field: 'consent', accepted });
    this.consent = consent;
  }

  /** Host metadata over the bundle's catalog (host wins). */
  private catalogFor(md: ModelData | undefined): Record<string, ItemMeta> {
    return md ? { ...md.catalog, ...this.hostCatalog } : this.hostCatalog;
  }

  /**
   * The shopper's sequence and purchases, read now; nothing without consent. With a page history
   * (`call.history`, the degraded memory-store case) that history is used instead of the store.
   */
  private async readShopper(md: ModelData | undefined, call?: CallContext): Promise<{ history: HistoryItem[]; purchased: Set<string> }> {
    if (this.consent !== 'granted') return { history: [], purchased: new Set() };
    const maxLen = md?.maxLen ?? 50;
    if (call?.history !== undefined) {
      const page = checkPageHistory(call.history);
      return { history: toHistory(page.sequence.slice(-maxLen), md), purchased: new Set(page.purchased) };
    }
    const { sequence, purchased } = await this.reader!.read(maxLen);
    // Abnormal events (bursts, repeats, …) are kept out of the model input.
    return { history: toHistory(await this.insights!.modelSequence(sequence, md?.maxLen ?? 50), md), purchased };
  }


  /** Waits for the model data (first load) within the ready timeout. */
  private async modelData(): Promise<ModelData | undefined> {
    const o = this.opts();
    const p = this.data.get();
    return this.data.value ?? within(p, o.readyTimeoutMs);
  }

  /** The warmed-up engine: waits up to `readyTimeoutMs` for the first one, at most `budget` for a switch after a lost device. */
  private async readyEngine(budget = Infinity): Promise<Engine | undefined> {
    const o = this.opts();
    return this.engine.value ?? within(this.engine.get(), this.switching ? Math.min(budget, o.readyTimeoutMs) : o.readyTimeoutMs);
  }

  private result(items: ScoredItem[], t0: number, md: ModelData | undefined, fallbackReason?: RecommendResult['fallbackReason']): RecommendResult {
    const r: RecommendResult = { items, source: fallbackReason ? 'fallback' : 'model', tookMs: now() - t0 };
    if (fallbackReason) r.fallbackReason = fallbackReason;
    if (md) r.modelVersion = md.version;
    const e = this.engine.value;
    if (e) r.backend = e.backend;
    return r;
  }

  /**
   * {@link recommendBase}, then the insights ranking step (blending + re-ranker) over a pool of
   * max(3k, 30) candidates, cut to k. Without consent the base answer is returned as is.
   */
  async recommend(options: RecommendOptions = {}, call?: CallContext): Promise<RecommendResult> {
    const k = checkK(options.k);
    if (this.consent !== 'granted' || !this.insights?.ranking) return this.recommendBase(options, call);
    const r = await this.recommendBase({ ...options, k: Math.min(1000, Math.max(3 * k, 30)) }, call);
    return this.reranked(r, k);
  }

  /** Passes an answer's items through the insights ranking step (only the non-host items move). */
  private async reranked(r: RecommendResult, k: number): Promise<RecommendResult> {
    const md = this.data.value;
    if (md && r.items.length) {
      const slots = r.items.flatMap((it, i) => (it.source === 'host' ? [] : [i]));
      r.items = await this.insights!.rankItems(r.items, md, this.catalogFor(md), slots);
    }
    r.items = r.items.slice(0, k);
    return r;
  }

  /** The shopper, read now; an unreadable store (blocked IndexedDB, quota, …) gives no history and `storeError`. */
  private async shopper(md: ModelData | undefined, call: CallContext | undefined): Promise<Shopper> {
    const t = now();
    try {
      const s = await this.readShopper(md, call);
      return { ...s, storeError: false, readMs: now() - t };
    } catch (e) {
      if (e instanceof LocalRecError && e.code === 'INVALID_ARGUMENT') throw e;
      return { history: [], purchased: new Set(), storeError: true, readMs: now() - t };
    }
  }

  private async recommendBase(options: RecommendOptions = {}, call?: CallContext): Promise<RecommendResult> {
    const t0 = now();
    const o = this.opts();
    const k = checkK(options.k);
    const diversity = checkDiversity(options.diversity);
    const budget = options.budgetMs ?? o.budgetMs;
    const md = await this.modelData();
    return this.recommendFor(await this.shopper(md, call), md, t0, k, diversity, budget, options);
  }

  private async recommendFor(
    sh: Shopper, md: ModelData | undefined, t0: number, k: number, diversity: number, budget: number, options: RecommendOptions,
  ): Promise<RecommendResult> {
    const { history, storeError, readMs } = sh;
    const purchased = options.excludePurchased !== false ? sh.purchased : new Set<string>();
    if (!md) return this.result([], t0, md, 'no-model');
    const catalog = this.catalogFor(md);
    const blocked = [...history.map((h) => h.row), ...[...purchased].map((id) => md.rowOf.get(id) ?? 0)];
    const ok = eligibleRows(md, catalog, { blockedRows: blocked, exclude: options.exclude, filter: options.filter });
    /** Best eligible rows (from `order`, rows already sorted by score, when given), then MMR. */
    const pick = (scores: ArrayLike<number>, order?: ArrayLike<number>) => {
      const size = diversity > 0 ? Math.max(k * 5, 50) : k;
      let pool: number[];
      if (order) {
        pool = [];
        for (let i = 0; i < order.length && pool.length < size; i++) if (ok[order[i]!]) pool.push(order[i]!);
      } else pool = topK(scores, ok, size);
      return diversity > 0 ? mmr(md, pool, scores, k, diversity) : pool;
    };
    const cold = (why: RecommendResult['fallbackReason']) => {
      const { scores, driver } = coldScores(md, history);
      return this.result(coldItems(md, catalog, pick(scores), scores, driver, history), t0, md, why);
    };
    if (this.consent !== 'granted') return cold('no-consent');
    if (storeError) return cold('error');
    const seq = history.filter((h) => h.row > 0).map((h) => h.row);
    if (!seq.length) return cold('no-history');
    const engine = await this.readyEngine(budget);
    if (!engine) return cold('no-model');
    // The budget counts from the moment the warmed-up engine is available.
    const tBudget = now();
    if (budget <= 0) return cold('timeout');
    // Few masked rows (the usual case): top-k on the backend, reading back only `need` values;
    // many (a selective host filter): read every score back and cut on the host.
    let masked = 0;
    for (let r = 1; r < ok.length; r++) masked += 1 - ok[r]!;
    const need = (diversity > 0 ? Math.max(k * 5, 50) : k) + masked + 1;
    const onDevice = masked <= DEVICE_TOPK_MAX_MASKED && need <= md.itemCount;
    const seqRows = Int32Array.from(seq);
    const memo = onDevice ? this.topMemo : undefined;
    const scored = memo && memo.engine === engine && memo.rows.length >= need && sameRows(memo.seq, seqRows)
      ? { s: memo.sparse, order: memo.rows }
      : await within(this.serial(async (): Promise<{ s: ArrayLike<number>; order?: Int32Array }> => {
        if (!onDevice) return { s: (await engine.scorer.scores([seqRows]))[0]! };
        const top = await deviceTopK(engine.scorer, seqRows, need);
        if (this.opts().prepareNext !== false) this.prepareNext(engine, seqRows);
        const sparse: number[] = [];
        top.rows.forEach((r, i) => { sparse[r] = top.values[i]!; });
        this.topMemo = { engine, seq: seqRows, rows: top.rows, sparse };
        return { s: sparse, order: top.rows };
      }), budget - (now() - tBudget));
    if (!scored) return cold(this.engine.value === engine ? 'timeout' : 'error');
    const tRank = now();
    const s = scored.s;
    const items = pick(s, scored.order).map((r): ScoredItem => ({
      itemId: md.vocab[r - 1]!, score: s[r]!, source: 'model', reason: historyReason(md, catalog, history, r),
    }));
    const reused = memo !== undefined && scored.s === memo.sparse;
    this.lastTimings = { readMs, scoreMs: tRank - tBudget, rankMs: now() - tRank, reused };
    if (onDevice && !reused) this.lastTimings.encoder = engine.scorer.host.lastPath;
    return this.result(items, t0, md);
  }

  async scoreRows(seqs: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const md = await this.data.get();
    if (!Array.isArray(seqs) || !seqs.every((q) => Array.isArray(q) && q.length > 0 && q.every((r) => Number.isInteger(r) && r >= 1 && r <= md.itemCount))) {
      throw new LocalRecError('INVALID_ARGUMENT', `scoreRows expects non-empty arrays of model rows in 1..${md.itemCount}`, { field: 'seqs' });
    }
    const engine = await this.engine.get();
    return this.serial(() => engine.scorer.scores(seqs.map((q) => Int32Array.from(q))));
  }

  async similar(itemId: string, options: RecommendOptions = {}, call?: CallContext): Promise<RecommendResult> {
    const t0 = now();
    if (typeof itemId !== 'string' || !itemId) throw new LocalRecError('INVALID_ARGUMENT', `itemId must be a non-empty string, got ${JSON.stringify(itemId)}`, { field: 'itemId' });
    const k = checkK(options.k);
    const diversity = checkDiversity(options.diversity);
    const budget = options.budgetMs ?? this.opts().budgetMs;
    const md = await this.modelData();
    if (!md) return this.result([], t0, md, 'no-model');
    if (options.excludePurchased === false) return this.similarFor(new Set(), md, itemId, t0, k, diversity, budget, options);
    return this.similarFor((await this.shopper(md, call)).purchased, md, itemId, t0, k, diversity, budget, options);
  }

  private async similarFor(
    purchased: ReadonlySet<string>, md: ModelData, itemId: string, t0: number, k: number, diversity: number, budget: number, options: RecommendOptions,
  ): Promise<RecommendResult> {
    const catalog = this.catalogFor(md);
    const row = md.rowOf.get(itemId);
    const blocked = [row ?? 0, ...[...purchased].map((id) => md.rowOf.get(id) ?? 0)];
    const ok = eligibleRows(md, catalog, { blockedRows: blocked, exclude: options.exclude, filter: options.filter });
    if (row === undefined) {
      // Unknown to the model (e.g. a product added after training): popular items, marked so.
      const { scores, driver } = coldScores(md, []);
      return this.result(coldItems(md, catalog, topK(scores, ok, k), scores, driver, []), t0, md, 'no-history');
    }
    // Cosine over the item table on the host: backend-independent and needs no warm engine. The
    // time budget counts from here (the model data loaded); the scan checks it every
    // SIMILAR_CHUNK rows and, when exceeded, answers from the bundle's co-occurrence table of the
    // item (then popularity), marked 'timeout'.
    const deadline = now() + budget;
    const N = md.itemCount, d = md.dim, e = md.itemEmb;
    const sims = new Float32Array(N + 1);
    const q = e.subarray(row * d, row * d + d);
    let done = budget > 0;
    for (let r0 = 1; done && r0 <= N; r0 += SIMILAR_CHUNK) {
      if (r0 > 1 && now() > deadline) { done = false; break; }
      const end = Math.min(N, r0 + SIMILAR_CHUNK - 1);
      for (let r = r0; r <= end; r++) {
        let s = 0;
        const o = r * d;
        for (let j = 0; j < d; j++) s += q[j]! * e[o + j]!;
        sims[r] = s * md.invNorm[r]! * md.invNorm[row]!;
      }
    }
    if (!done || now() > deadline) {
      const seed: HistoryItem[] = [{ itemId, type: 'view', ts: 0, row }];
      const { scores, driver } = coldScores(md, seed);
      return this.result(coldItems(md, catalog, topK(scores, ok, k), scores, driver, seed), t0, md, 'timeout');
    }
    const pool = topK(sims, ok, diversity > 0 ? Math.max(k * 5, 50) : k);
    const rows = diversity > 0 ? mmr(md, pool, sims, k, diversity) : pool;
    const name = nameOf(md, catalog, itemId);
    return this.result(rows.map((r) => ({
      itemId: md.vocab[r - 1]!, score: sims[r]!, source: 'model',
      reason: { kind: 'similar', text: `Similar to ${name}`, itemIds: [itemId] },
    })), t0, md);
  }

  /**
   * Re-ranks host candidates. Rule for ids the model does not know: they keep their original
   * slots (position in the host's list) and get score 0, `source: 'host'`, reason "candidate";
   * known candidates are sorted by model score (or cold-start score in a fallback) into the
   * remaining slots. `exclude` and `filter` remove candidates; purchases are removed only with
   * `excludePurchased: true` (the host chose these candidates). `k` cuts the final list (default: all).
   */
  async rank(itemIds: readonly string[], options: RecommendOptions = {}, call?: CallContext): Promise<RecommendResult> {
    if (this.consent !== 'granted' || !this.insights?.ranking || !Array.isArray(itemIds)) return this.rankBase(itemIds, options, call);
    const k = options.k === undefined ? itemIds.length : checkK(options.k);
    const { k: _k, ...rest } = options;
    return this.reranked(await this.rankBase(itemIds, rest, call), k);
  }

  private async rankBase(itemIds: readonly string[], options: RecommendOptions = {}, call?: CallContext): Promise<RecommendResult> {
    const t0 = now();
    if (!Array.isArray(itemIds) || !itemIds.every((x) => typeof x === 'string')) {
      throw new LocalRecError('INVALID_ARGUMENT', 'rank expects an array of item id strings', { field: 'itemIds' });
    }
    const k = options.k === undefined ? itemIds.length : checkK(options.k);
    const budget = options.budgetMs ?? this.opts().budgetMs;
    const md = await this.modelData();
    return this.rankFor(await this.shopper(md, call), md, itemIds, t0, k, budget, options);
  }

  private async rankFor(
    sh: Shopper, md: ModelData | undefined, itemIds: readonly string[], t0: number, k: number, budget: number, options: RecommendOptions,
  ): Promise<RecommendResult> {
    const catalog = this.catalogFor(md);
    const { history, storeError } = sh;
    const purchased = options.excludePurchased === true ? sh.purchased : new Set<string>();
    const excluded = new Set(options.exclude ?? []);
    const seen = new Set<string>();
    const cands = itemIds.filter((id) => {
      if (seen.has(id) || excluded.has(id) || purchased.has(id)) return false;
      seen.add(id);
      return passesFilter(catalog[id], options.filter);
    });
    const hostItem = (itemId: string): ScoredItem => ({ itemId, score: 0, source: 'host', reason: { kind: 'candidate', text: 'Suggested by the shop' } });
    if (!md) return this.result(cands.slice(0, k).map(hostItem), t0, md, 'no-model');

    let scores: ArrayLike<number> | undefined;
    let why: RecommendResult['fallbackReason'];
    const seq = history.filter((h) => h.row > 0).map((h) => h.row);
    if (this.consent !== 'granted') why = 'no-consent';
    else if (storeError) why = 'error';
    else if (!seq.length) why = 'no-history';
    else {
      const engine = await this.readyEngine(budget);
      if (!engine) why = 'no-model';
      else if (budget <= 0) why = 'timeout';
      else {
        scores = (await within(this.serial(() => engine.scorer.scores([Int32Array.from(seq)])), budget))?.[0];
        if (!scores) why = 'timeout';
      }
    }
    const cold = scores ? undefined : coldScores(md, history);
    const s = scores ?? cold!.scores;
    const known = cands.map((id) => md.rowOf.get(id) ?? 0).filter((r) => r > 0).sort((a, b) => s[b]! - s[a]! || a - b);
    let next = 0;
    const out = cands.map((id): ScoredItem => {
      if (!md.rowOf.has(id)) return hostItem(id);
      const r = known[next++]!;
      if (cold) return coldItems(md, catalog, [r], cold.scores, cold.driver, history)[0]!;
      return { itemId: md.vocab[r - 1]!, score: s[r]!, source: 'model', reason: historyReason(md, catalog, history, r) };
    });
    return this.result(out.slice(0, k), t0, md, why);
  }

  async getProfile(): Promise<ShopperProfile> {
    this.needConsent('getProfile');
    return this.insights!.profile(this.catalogFor(await this.modelData()));
  }

  async setSocialContext(context: SocialContextInput | null): Promise<{ items: number; expiresAt: number } | null> {
    this.opts();
    return this.insights!.setSocialContext(context);
  }

  async getSegments(): Promise<SegmentsResult> {
    this.needConsent('getSegments');
    const md = await this.data.get();
    const base = resolveUrl(this.opts().modelUrl, 'modelUrl');
    return this.insights!.segments(md, base.endsWith('/') ? base : `${base}/`, this.consent, this.catalogFor(md));
  }

  private needConsent(what: string): void {
    this.opts();
    if (this.consent !== 'granted') {
      throw new LocalRecError('CONSENT_REQUIRED', `${what} needs consent "granted", got ${JSON.stringify(this.consent)}`, { field: 'consent', accepted: ['granted'] });
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.topMemo = undefined;
    await Promise.allSettled([...this.cacheOps]);
    const e = this.engine.value;
    this.engine.reset();
    this.data.reset();
    await this.queue;
    e?.dispose();
    this.store?.close();
  }
}
