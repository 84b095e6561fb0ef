/**
 * The runtime: one object that loads the bundle, starts a tfjs backend and answers
 * `recommend` / `similar` / `rank` from the device's own event store. It runs in the worker
 * (exposed through Comlink by `worker.ts`) or, where workers are unavailable, on the main thread
 * behind the same {@link RuntimeApi}. This class only wires the parts, one job each:
 *
 * | module            | job                                                                     |
 * |-------------------|-------------------------------------------------------------------------|
 * | `options.ts`      | the options checked, defaults filled in                                 |
 * | `model-source.ts` | model loading (`loader.ts` → `model-data.ts`), memoised with retry      |
 * | `engine.ts`       | the tfjs engine: backend choice and calibration (`backends.ts`), device loss, serialised work |
 * | `history.ts`      | reading the shopper from the store, fresh on every call                 |
 * | `answers.ts`      | recommend / similar / rank over one answer context                      |
| `merchandising.ts`| filter expressions, boost/bury, diversity, caps, pins, pages (pure)     |
| `shown.ts`        | the `dedupe` memory: what other lists of a page view returned           |
 * | `scenarios.ts`    | recentlyViewed / buyAgain from the shopper's own events (no model)      |
 * | `together.ts`     | frequentlyBoughtTogether from the bundle's association rules            |
 * | `trends.ts`       | trending / trendingFacets from the public trending file (`trending-file.ts`) |
 * | `search.ts`       | forSearch: the shopper's own searches and a catalogue text match        |
 * | `personal.ts`     | those table lists re-ranked by the model's score of the shopper         |
 * | `next.ts`         | next: the following page of a list, from the cursor on its answer       |
 * | `insights.ts`     | the insights layer (`@localrec/insights`) on the runtime's store        |
 *
 * Memory held after load (N items, dimension d): the item table once — an int8 bundle's as int8
 * rows and scales ((N+1)·(d rounded up to 16, + 8) bytes, scanned in place by the int8 kernel), a
 * float32 bundle's as (N+1)·d·4 bytes —, the other weights in float32, 1/norm per item, the
 * cold-start tables and vocabulary (see `model-data.ts`); on the tfjs backend the small encoder
 * weights, plus the float32 item table and its transpose (2·(N+1)·d·4 bytes) when no int8 kernel serves. The shopper's sequence is re-validated against the store on every
 * call (see `ShopperReader`): an event tracked just before a call is in its answer.
 */
import {
  LocalRecError,
  withRetention,
  type EventStore,
  type ItemMeta,
  type RecommendOptions,
  type ListCursor,
  type ListMethod,
  type RecommendResult,
  type RuntimeStatus,
} from '@localrec/core';
import * as tf from '@tensorflow/tfjs-core';
import { preview } from '@localrec/core/internal';
import type {
  CallContext,
  Consent,
  LoadProgress,
  RuntimeApi,
  RuntimeOptions,
  SegmentsResult,
  ShopperProfile,
  SocialContextInput,
  TrendingFacets,
  TrendingOptions,
} from './api.js';
import { catalogFor, need, rank, recommend, similar, type AnswerContext, type CallTimings } from './answers.js';
import type { Calibration } from './backends.js';
import { EngineHost, type BackendEvent } from './engine.js';
import { ShopperReader } from './history.js';
import { ShopperInsights } from './insights.js';
import { float32TableBytes, hostBytes, int8TableBytes } from './model-data.js';
import { ModelSource } from './model-source.js';
import { checkCursor, checkOverrides } from './next.js';
import { checkRuntimeOptions } from './options.js';
import { buyAgain, recentlyViewed } from './scenarios.js';
import { forSearch } from './search.js';
import { ShownMemory } from './shown.js';
import { frequentlyBoughtTogether } from './together.js';
import { TRENDING_MAX_AGE_MS, TrendingSource } from './trending-file.js';
import { trending, trendingFacets } from './trends.js';
import { resolveUrl } from './url.js';

export type { CallTimings } from './answers.js';
export type { BackendEvent } from './engine.js';

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

/**
 * Bytes the runtime holds: host typed arrays (float32 weights, norms, cold tables), tfjs tensors,
 * the int8 item table. Their total is `hostBytes + tfjsBytes + int8TableBytes` (`kernelBytes` is
 * the int8 table again when a kernel scans it).
 */
export interface RuntimeMemory {
  /** Host typed arrays but the int8 table: float32 weights (a float32 bundle's item table among them), norms, cold-start tables. */
  hostBytes: number;
  tfjsBytes: number;
  /** The int8 kernel's WebAssembly memory (the int8 item table, its scales, buffers); 0 when it does not serve. */
  kernelBytes: number;
  /** An int8 bundle's item table (rows, scales, norms, kernel buffers), held once whether or not a kernel serves; 0 for a float32 bundle. */
  int8TableBytes: number;
  /** A float32 item table on the host (in `hostBytes`): 0 for an int8 bundle, which never widens its table. */
  float32TableBytes: number;
}

/** What {@link Runtime.status} answers: the status plus calibration, memory, the last call's timings and backend changes. */
export type RuntimeStatusReport = RuntimeStatus & {
  calibration?: Calibration;
  memory?: RuntimeMemory;
  lastTimings?: CallTimings;
  backendEvents?: BackendEvent[];
};

/** The in-thread runtime. See {@link RuntimeApi} for each method's contract. */
export class Runtime implements RuntimeApi {
  /** Everything answers read; set by {@link init} (until then calls reject with `NOT_READY`). */
  private ctx?: AnswerContext;
  private store?: EventStore;
  private hostCatalog: Record<string, ItemMeta> = {};

  constructor(private readonly deps: RuntimeDeps) {}

  async init(options: RuntimeOptions, onProgress?: (p: LoadProgress) => void): Promise<void> {
    if (this.ctx) return;
    const o = checkRuntimeOptions(options);
    const progress = (p: LoadProgress) => {
      try {
        onProgress?.(p);
      } catch {
        /* a host callback must not break loading */
      }
    };
    // Every read (history, purchases, profile, segments) through the retention window, if given.
    const opened = this.deps.createStore(o.appId);
    const store = (this.store = o.retentionMs === undefined ? opened : withRetention(opened, { retentionMs: o.retentionMs }));
    const model = new ModelSource({ options: o, fetch: this.deps.fetch, caches: this.deps.caches, progress });
    const engine = new EngineHost({ options: o, wasmPath: this.deps.wasmPath, model, store, progress });
    const trendingSource = new TrendingSource({
      url: resolveUrl(o.trendingUrl ?? 'trending.json', 'trendingUrl', model.baseUrl()),
      maxAgeMs: o.trendingMaxAgeMs ?? TRENDING_MAX_AGE_MS,
      retryDelayMs: o.retryDelayMs,
      fetch: this.deps.fetch,
      caches: () => model.cacheStorage() ?? null,
    });
    const insights = new ShopperInsights({
      store,
      ...(o.insights ? { options: o.insights } : {}),
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
    });
    this.ctx = {
      consent: o.consent ?? 'granted',
      hostCatalog: this.hostCatalog,
      budgetMs: o.budgetMs,
      prepareNext: o.prepareNext !== false,
      model,
      engine,
      reader: new ShopperReader(store),
      store,
      insights,
      trending: trendingSource,
      shown: new ShownMemory(),
    };
    void engine.get(); // start loading in the background
  }

  async ready(): Promise<RuntimeStatus> {
    await need(this.ctx).engine.get();
    return this.status();
  }

  /** Status, plus the backend calibration (ms per scoring per candidate, or why one was rejected) when measured or cached. */
  async status(): Promise<RuntimeStatusReport> {
    const c = this.ctx;
    const e = c?.engine.value;
    const md = c?.model.value;
    const s: RuntimeStatusReport = { ready: !!e };
    if (c?.engine.backendEvents.length) s.backendEvents = c.engine.backendEvents.map((x) => ({ ...x }));
    if (c?.lastTimings) s.lastTimings = c.lastTimings;
    if (c?.engine.calibration) s.calibration = c.engine.calibration;
    if (md) {
      s.memory = {
        hostBytes: hostBytes(md),
        tfjsBytes: e ? tf.memory().numBytes : 0,
        kernelBytes: e?.kernel?.bytes ?? 0,
        int8TableBytes: int8TableBytes(md),
        float32TableBytes: float32TableBytes(md),
      };
    }
    if (e) s.backend = e.backend;
    if (md) {
      s.modelVersion = md.version;
      s.itemCount = md.itemCount;
    }
    const err = c ? (c.engine.lastError ?? c.model.lastError) : undefined;
    if (err) {
      const le = err instanceof LocalRecError ? err : new LocalRecError('INTERNAL', String((err as Error)?.message ?? err));
      s.error = { code: le.code, message: le.message };
    }
    return s;
  }

  /** Backend calibration figures (ms per scoring, or why a backend failed), when measured or cached. */
  async calibrationReport(): Promise<Calibration | undefined> {
    return this.ctx?.engine.calibration;
  }

  async setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void> {
    if (typeof items !== 'object' || items === null) {
      throw new LocalRecError('INVALID_ARGUMENT', `setCatalog expects an object of itemId → metadata; got ${preview(items)}`, {
        field: 'items',
      });
    }
    this.hostCatalog = { ...this.hostCatalog, ...items };
    if (this.ctx) this.ctx.hostCatalog = this.hostCatalog;
  }

  async setConsent(consent: Consent): Promise<void> {
    const accepted = ['granted', 'denied', 'pending'] as const;
    if (!accepted.includes(consent))
      throw new LocalRecError('INVALID_ARGUMENT', `consent must be one of ${accepted.join(', ')}, got ${JSON.stringify(consent)}`, {
        field: 'consent',
        accepted,
      });
    if (this.ctx) this.ctx.consent = consent; // before init: init sets the consent of its options
  }

  /** A list call in its `dedupe` group's turn (see `shown.ts`): lists of one group answer one after another. */
  private inTurn(options: RecommendOptions | undefined, f: () => Promise<RecommendResult>): Promise<RecommendResult> {
    const group = options && typeof options.dedupe === 'string' ? options.dedupe : undefined;
    return this.ctx ? this.ctx.shown.inTurn(group, f) : f();
  }

  /** Recommendations, through the insights ranking step when it is on (see `answers.ts`). */
  recommend(options?: RecommendOptions, call?: CallContext): Promise<RecommendResult> {
    return this.inTurn(options, () => recommend(this.ctx, options, call));
  }

  similar(itemId: string, options?: RecommendOptions, call?: CallContext): Promise<RecommendResult> {
    return this.inTurn(options, () => similar(this.ctx, itemId, options, call));
  }

  /** Re-ranks host candidates; ids the model does not know keep their slots (see `answers.ts`). */
  rank(itemIds: readonly string[], options?: RecommendOptions, call?: CallContext): Promise<RecommendResult> {
    return rank(this.ctx, itemIds, options, call);
  }

  /** Recently viewed items, from the shopper's own events (no model; see `scenarios.ts`). */
  recentlyViewed(options?: RecommendOptions, call?: CallContext): Promise<RecommendResult> {
    return this.inTurn(options, () => recentlyViewed(this.ctx, options, call));
  }

  /** Items due to be bought again, from the shopper's purchase cadence (no model; see `scenarios.ts`). */
  buyAgain(options?: RecommendOptions, call?: CallContext): Promise<RecommendResult> {
    return this.inTurn(options, () => buyAgain(this.ctx, options, call));
  }

  /** Items frequently bought together with an item or a cart, from the bundle's association rules (see `together.ts`). */
  frequentlyBoughtTogether(items: string | readonly string[], options?: RecommendOptions, call?: CallContext): Promise<RecommendResult> {
    return this.inTurn(options, () => frequentlyBoughtTogether(this.ctx, items, options, call));
  }

  /** What is trending, from the public trending file, re-ranked for the shopper (see `trends.ts`). */
  trending(options?: TrendingOptions, call?: CallContext): Promise<RecommendResult> {
    return this.inTurn(options, () => trending(this.ctx, options, call));
  }

  /** Recommendations for a search query: the shopper's own searches and a catalogue text match, re-ranked (see `search.ts`). */
  forSearch(query: string, options?: RecommendOptions, call?: CallContext): Promise<RecommendResult> {
    return this.inTurn(options, () => forSearch(this.ctx, query, options, call));
  }

  /**
   * The next page of the list `previous` came from, repeating none of its earlier pages' items
   * (see `next.ts`).
   */
  async next(previous: { list?: ListCursor | undefined }, options?: RecommendOptions, call?: CallContext): Promise<RecommendResult> {
    const c = checkCursor(previous);
    const o = { ...c.options, ...checkOverrides(options), page: c.page + 1 };
    const methods = this as unknown as Record<ListMethod, (...a: unknown[]) => Promise<RecommendResult>>;
    return methods[c.method](...c.args, o, { ...call, continues: c.returned });
  }

  /** The values of a catalog attribute the trending file counts (see `trends.ts`). */
  trendingFacets(attribute: string, options?: { k?: number }): Promise<TrendingFacets> {
    return trendingFacets(this.ctx, attribute, options);
  }

  async scoreRows(seqs: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const { model, engine } = need(this.ctx);
    const md = await model.get();
    const given: unknown = seqs; // checked through `unknown`: Array.isArray would narrow to any[]
    if (
      !Array.isArray(given) ||
      !seqs.every((q) => Array.isArray(q) && q.length > 0 && q.every((r) => Number.isInteger(r) && r >= 1 && r <= md.itemCount))
    ) {
      throw new LocalRecError(
        'INVALID_ARGUMENT',
        `scoreRows expects non-empty arrays of model rows in 1..${md.itemCount}, got ${preview(given)}`,
        {
          field: 'seqs',
        },
      );
    }
    const e = await engine.get();
    return engine.serial(() => e.scorer.scores(seqs.map((q) => Int32Array.from(q))));
  }

  async getProfile(): Promise<ShopperProfile> {
    const ctx = this.consented('getProfile');
    return ctx.insights.profile(catalogFor(ctx, await ctx.model.ready()));
  }

  async setSocialContext(context: SocialContextInput | null): Promise<{ items: number; expiresAt: number } | null> {
    return need(this.ctx).insights.setSocialContext(context);
  }

  async getSegments(): Promise<SegmentsResult> {
    const ctx = this.consented('getSegments');
    const md = await ctx.model.get();
    return ctx.insights.segments(md, ctx.model.baseUrl(), ctx.consent, catalogFor(ctx, md));
  }

  private consented(what: string): AnswerContext {
    const ctx = need(this.ctx);
    if (ctx.consent !== 'granted') {
      throw new LocalRecError('CONSENT_REQUIRED', `${what} needs consent "granted", got ${JSON.stringify(ctx.consent)}`, {
        field: 'consent',
        accepted: ['granted'],
      });
    }
    return ctx;
  }

  async dispose(): Promise<void> {
    if (this.ctx) this.ctx.topMemo = undefined;
    await this.ctx?.engine.dispose();
    this.store?.close();
  }
}
