/**
 * Answering: `recommend`, `similar` and `rank` as functions over one {@link AnswerContext} (what
 * the runtime wired at `init`: model, engine, shopper reader, insights, consent, host catalog).
 * Each validates its arguments, reads the model data and the shopper, and answers from the model
 * within its time budget, else from the cold-start tables with the reason (`fallbackReason`).
 * `recommend` and `similar` (and the history scenarios, `scenarios.ts`) then pass their candidates
 * through the list steps ({@link listAnswer}: the insights blend, the merchandising rules, the page).
 */
import {
  LocalRecError,
  type EventStore,
  type ItemMeta,
  type ListCursor,
  type ListMethod,
  type RecommendOptions,
  type RecommendResult,
  type ScoredItem,
} from '@localrec/core';
import { preview } from '@localrec/core/internal';
import { DEFAULT_SOCIAL_OPTIONS, socialCandidates, unopenedShares, type SocialContext } from '@localrec/insights';
import type { CallContext, Consent } from './api.js';
import { deviceTopK, type Engine } from './backends.js';
import { coldItems, coldScores } from './cold.js';
import type { EngineHost } from './engine.js';
import { readShopper, type ShopperReader, type Shopper } from './history.js';
import type { ShopperInsights } from './insights.js';
import { now, within } from './lazy.js';
import type { ModelSource } from './model-source.js';
import { checkListOptions, compileFilter, merchandise, pageOf, poolSize, type ListPlan, type Matcher } from './merchandising.js';
import { cosine, type ModelData } from './model-data.js';
import { checkDiversity, checkK, eligibleRows, historyReason, nameOf, topK, type HistoryItem } from './ranking.js';
import { checkHydrate, hydrate } from './hydrate.js';
import { listKey, type ShownMemory } from './shown.js';
import type { TrendingSource } from './trending-file.js';

/**
 * Where the last model-answered `recommend` spent its time (ms): reading the store, scoring,
 * masking + top-k + reasons; `reused` when the scores of the same model input were reused.
 */
export interface CallTimings {
  readMs: number;
  scoreMs: number;
  rankMs: number;
  reused: boolean;
  /** How the user vector was computed when scored on the device: all slots, or only the new one after {@link SasrecScorer.prepareNext}. */
  encoder?: 'full' | 'incremental' | 'empty';
}

/**
 * recommend() keeps the best rows the backend returned with the model input they came from: a
 * next call with the very same input (the store check found nothing new) that needs no more rows
 * reuses them instead of scoring again. The scores are a pure function of the model and the
 * input, so this is never stale: any change to the history changes the input. (Asking for more
 * rows than needed, to serve larger `k` too, made every scoring slower: not done.)
 */
interface TopMemo {
  engine: Engine;
  seq: Int32Array;
  rows: Int32Array;
  sparse: number[];
}

/** Everything an answer reads, wired once by the runtime's `init`; the mutable fields change with the session. */
export interface AnswerContext {
  consent: Consent;
  /** Host metadata, merged over the bundle's catalog (host wins). */
  hostCatalog: Record<string, ItemMeta>;
  /** Default time budget of a call (ms, `RuntimeOptions.budgetMs`). */
  budgetMs: number;
  /** Prepare the encoder for the next action after a model answer (`RuntimeOptions.prepareNext`). */
  prepareNext: boolean;
  model: ModelSource;
  engine: EngineHost;
  reader: ShopperReader;
  /** The runtime's store (through the retention window, when one is set): what the history scenarios read. */
  store: EventStore;
  insights: ShopperInsights;
  /** The shop's public trending file (see `trending-file.ts`). */
  trending: TrendingSource;
  /** What the lists of each `dedupe` group returned (see `shown.ts`). */
  shown: ShownMemory;
  /** The last device-side top rows and the model input they were scored for. */
  topMemo?: TopMemo | undefined;
  lastTimings?: CallTimings;
}

/** One call: when it started, its pool size, its checked options, the model data it answers from. */
interface Ask<M extends ModelData | undefined = ModelData | undefined> {
  t0: number;
  size: number;
  budgetMs: number;
  options: RecommendOptions;
  md: M;
  call: ListCall;
}

/** Above this many masked rows recommend() reads all scores back instead of a device-side top-k. */
const DEVICE_TOPK_MAX_MASKED = 2048;
/** similar() checks its time budget every this many items of its cosine scan. */
const SIMILAR_CHUNK = 4096;

/** Scores by row (a sparse array) of a top-k answer. */
function sparseOf(top: { rows: Int32Array; values: Float32Array }): number[] {
  const sparse: number[] = [];
  top.rows.forEach((r, i) => {
    sparse[r] = top.values[i]!;
  });
  return sparse;
}

/** The int8 kernel's exclusion bitmap of `ok` (1 = eligible row): bit r set = row r excluded (row 0, padding, is never eligible). */
function excludedBitmap(ok: Uint8Array): Uint8Array {
  const m = new Uint8Array(Math.ceil(ok.length / 8));
  for (let r = 0; r < ok.length; r++) if (!ok[r]) m[r >> 3]! |= 1 << (r & 7);
  return m;
}

const sameRows = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The model input of a history: its model rows (items unknown to the model left out), oldest first. */
export function modelRows(history: readonly HistoryItem[]): Int32Array {
  let n = 0;
  for (const h of history) if (h.row > 0) n++;
  const rows = new Int32Array(n);
  n = 0;
  for (const h of history) if (h.row > 0) rows[n++] = h.row;
  return rows;
}

/** The context, or `NOT_READY` when the runtime was not initialised. */
export function need(ctx: AnswerContext | undefined): AnswerContext {
  if (!ctx) throw new LocalRecError('NOT_READY', 'The runtime is not initialised: call init(options) first');
  return ctx;
}

/** Host metadata over the bundle's catalog (host wins). */
export function catalogFor(ctx: AnswerContext, md: ModelData | undefined): Record<string, ItemMeta> {
  return md ? { ...md.catalog, ...ctx.hostCatalog } : ctx.hostCatalog;
}

/** An answer of the model (or, with `fallbackReason`, a fallback), with the model version and backend. */
export function result(
  ctx: AnswerContext,
  items: ScoredItem[],
  t0: number,
  md: ModelData | undefined,
  fallbackReason?: RecommendResult['fallbackReason'],
): RecommendResult {
  const r: RecommendResult = { items, source: fallbackReason ? 'fallback' : 'model', tookMs: now() - t0 };
  if (fallbackReason) r.fallbackReason = fallbackReason;
  if (md) r.modelVersion = md.version;
  const e = ctx.engine.value;
  if (e) r.backend = e.backend;
  return r;
}

/** The best eligible candidates of one answer (not yet blended, shifted, diversified, capped, pinned or cut). */
export interface Candidates {
  r: RecommendResult;
  /** Whether an item outside the pool may still be returned (a pin): the answer's exclusions and filter. */
  eligible: (itemId: string) => boolean;
  /** The pool was cut at its size: more eligible candidates exist beyond it. */
  cut: boolean;
}

/**
 * A call's context inside the runtime: the connector's {@link CallContext}, plus — when `next`
 * continues a list — the items the earlier pages of that list returned (`continues`).
 */
export interface ListContext extends CallContext {
  continues?: readonly string[];
}

/** Which list a call answers: its method, its subject (the dedupe key's) and its arguments before the options (the cursor's). */
export interface ListOf {
  method: ListMethod;
  subject?: string;
  args?: unknown[];
}

/**
 * One list call after its checks: when it started, its plan, its list key, the items other lists of
 * its dedupe group returned, the cursor of its answer (but `page` and `returned`) and, for `next`,
 * the items earlier pages returned.
 */
export interface ListCall {
  t0: number;
  plan: ListPlan;
  key: string;
  shown: ReadonlySet<string>;
  cursor: Omit<ListCursor, 'page' | 'returned'>;
  before?: readonly string[] | undefined;
}

/**
 * Checks a list call's options (`k`, `diversity`, `filter`, `rules`, `page`, `dedupe`). A call that
 * continues a list (`call.continues`, from `next`) builds the whole list up to its earlier pages'
 * items plus one page, so that a page is left after them.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the option (the path of a bad filter node).
 */
export function listCall(ctx: AnswerContext, list: ListOf, options: RecommendOptions, t0: number, call?: ListContext): ListCall {
  const plan = checkListOptions(options, checkK(options.k), checkDiversity(options.diversity));
  const key = listKey(list.method, list.subject ?? '', options);
  const before = call?.continues;
  if (before) plan.n = Math.max(plan.n, before.length + plan.k);
  const { page: _p, ...rest } = options;
  const cursor = { method: list.method, args: list.args ?? [], options: rest };
  return { t0, plan, key, shown: ctx.shown.others(plan.dedupe, key), cursor, before };
}

/**
 * `r` with the cursor of its list: this page, and every item its pages so far returned — the
 * earlier pages' (`before`, for `next`) then `page`'s, or the whole list up to this page.
 */
export function withList(call: ListCall, r: RecommendResult, upTo: readonly ScoredItem[] = r.items): RecommendResult {
  const ids = upTo.map((i) => i.itemId);
  r.list = { ...call.cursor, page: call.plan.page, returned: call.before ? [...call.before, ...ids] : ids };
  return r;
}

/**
 * The page of `list` a call answers: `page` of it, or — continuing a list (`next`) — the first `k`
 * items that no earlier page returned. With the same history the two are the same items: the list
 * minus the earlier pages' items starts at this page.
 */
function pageFor(list: readonly ScoredItem[], call: ListCall): ScoredItem[] {
  const { plan, before } = call;
  if (!before) return pageOf(list, plan);
  const seen = new Set(before);
  return list.filter((i) => !seen.has(i.itemId)).slice(0, plan.k);
}

/** Cosine of two items' embeddings (0 for an item the model does not know). */
function similarityOf(md: ModelData | undefined): ((a: string, b: string) => number) | undefined {
  if (!md) return undefined;
  return (a, b) => {
    const ra = md.rowOf.get(a),
      rb = md.rowOf.get(b);
    return ra === undefined || rb === undefined ? 0 : cosine(md, ra, rb);
  };
}

/** The eligibility test of ids: not blocked, and passing the filter over `catalog`. */
export const eligibility =
  (catalog: Record<string, ItemMeta>, blocked: ReadonlySet<string>, match: Matcher | undefined) =>
  (id: string): boolean =>
    !blocked.has(id) && (!match || match(catalog[id]));

/** The social candidates of a blended list: the answer's social context and how many may enter. */
export interface SocialEntry {
  context: SocialContext | undefined;
  /** The clock of the context (the insights layer's). */
  now: number;
  max: number;
  /** Items shared with the shopper and not opened yet: in the pool only because of friends, so social items too. */
  unopened: ReadonlySet<string>;
}

/**
 * The list steps after the candidates (see `merchandising.ts`): with `blend`, the social
 * candidates (`social`: at most `social.max` eligible items friends shared or liked, not in the
 * pool) join the pool and the insights blend ranks it; then boost/bury, diversity, caps, pins,
 * the page; the page's items are remembered in the call's dedupe group. `more(size)` answers the
 * candidates of a pool of `size`: when caps leave the list short and the pool was cut, a 4× larger
 * pool is asked (up to the catalog).
 */
export async function listAnswer(
  ctx: AnswerContext,
  call: ListCall,
  blend: boolean,
  more: (size: number) => Promise<Candidates>,
  social?: SocialEntry,
): Promise<RecommendResult> {
  const { plan } = call;
  const md = ctx.model.value;
  const limit = md ? md.itemCount : Infinity;
  let size = blend ? Math.max(poolSize(plan), 3 * plan.n, 30) : poolSize(plan);
  for (;;) {
    const { r, eligible, cut } = await more(size);
    const catalog = catalogFor(ctx, md);
    let pool = r.items;
    if (blend && md && pool.length) {
      if (social) {
        if (social.unopened.size)
          pool = pool.map((it): ScoredItem => (social.unopened.has(it.itemId) && it.source !== 'host' ? { ...it, source: 'social' } : it));
        const known = (id: string) => md.rowOf.has(id) || catalog[id] !== undefined;
        const entering = socialCandidates({ social: social.context, pool, now: social.now, eligible, known, max: social.max });
        if (entering.length) pool = [...pool, ...entering];
      }
      const slots = pool.flatMap((it, i) => (it.source === 'host' ? [] : [i]));
      pool = await ctx.insights.rankItems(pool, md, catalog, slots, social);
    }
    const list = merchandise({ pool, catalog, similarity: similarityOf(md), eligible }, plan);
    if (list.length < plan.n && cut && size < limit) {
      size = Math.min(limit, size * 4);
      continue;
    }
    const page = pageFor(list, call);
    withList(call, r, call.before ? page : list.slice(0, plan.page * plan.k + page.length));
    r.items = hydrate(page, catalog, plan.hydrate);
    r.tookMs = now() - call.t0;
    ctx.shown.remember(
      plan.dedupe,
      call.key,
      r.items.map((i) => i.itemId),
    );
    return r;
  }
}

/**
 * Next-item recommendations: the candidates ({@link recommendFor}), then the list steps
 * ({@link listAnswer}) — with insights ranking on and consent granted the insights blend first
 * (blending + re-ranker over a pool of at least max(3n, 30) candidates).
 */
export async function recommend(
  c: AnswerContext | undefined,
  options: RecommendOptions = {},
  call?: ListContext,
): Promise<RecommendResult> {
  const t0 = now();
  const ctx = need(c);
  const lc = listCall(ctx, { method: 'recommend' }, options, t0, call);
  const budgetMs = options.budgetMs ?? ctx.budgetMs;
  const md = await ctx.model.ready();
  const shopper = await readShopper(ctx, md, call);
  const blend = ctx.consent === 'granted' && ctx.insights.ranking;
  if (!blend) return listAnswer(ctx, lc, blend, (size) => recommendFor(ctx, { t0, size, budgetMs, options, md, shopper, call: lc }));
  // Friends' items may enter the list; an item shared with the shopper and not opened yet is not "seen".
  const { recorded, context, now: at } = await ctx.insights.socialNow();
  const unopened = unopenedShares(shopper.history, recorded);
  const max = Math.min(ctx.insights.socialOptions.maxCandidates ?? DEFAULT_SOCIAL_OPTIONS.maxCandidates, lc.plan.n);
  return listAnswer(ctx, lc, blend, (size) => recommendFor(ctx, { t0, size, budgetMs, options, md, shopper, call: lc, unopened }), {
    context,
    now: at,
    max,
    unopened,
  });
}

async function recommendFor(ctx: AnswerContext, ask: Ask & { shopper: Shopper; unopened?: ReadonlySet<string> }): Promise<Candidates> {
  const { t0, size, budgetMs: budget, options, md, shopper: sh, call, unopened } = ask;
  const { history, storeError, readMs } = sh;
  const purchased = options.excludePurchased !== false ? sh.purchased : new Set<string>();
  const catalog = catalogFor(ctx, md);
  const seen = history.flatMap((h) => (unopened?.has(h.itemId) ? [] : [h.itemId]));
  const blocked = new Set([...seen, ...purchased, ...(options.exclude ?? []), ...call.shown]);
  const eligible = eligibility(catalog, blocked, call.plan.match);
  const out = (items: ScoredItem[], why?: RecommendResult['fallbackReason']): Candidates => ({
    r: result(ctx, items, t0, md, why),
    eligible,
    cut: items.length >= size,
  });
  if (!md) return out([], 'no-model');
  const ok = eligibleRows(md, catalog, blocked, call.plan.match);
  /** Best eligible rows (from `order`, rows already sorted by score, when given). */
  const pick = (scores: ArrayLike<number>, order?: ArrayLike<number>) => {
    if (!order) return topK(scores, ok, size);
    const pool: number[] = [];
    for (let i = 0; i < order.length && pool.length < size; i++) if (ok[order[i]!]) pool.push(order[i]!);
    return pool;
  };
  const cold = (why: RecommendResult['fallbackReason']) => {
    const { scores, driver } = coldScores(md, history);
    return out(coldItems(md, catalog, pick(scores), scores, driver, history), why);
  };
  if (ctx.consent !== 'granted') return cold('no-consent');
  if (storeError) return cold('error');
  const seqRows = modelRows(history);
  if (!seqRows.length) return cold('no-history');
  const engine = await ctx.engine.ready(budget);
  if (!engine) return cold('no-model');
  // The budget counts from the moment the warmed-up engine is available.
  const tBudget = now();
  if (budget <= 0) return cold('timeout');
  // Few masked rows (the usual case): top-k on the backend, reading back only `need` values;
  // many (a selective host filter): read every score back and cut on the host.
  let masked = 0;
  for (let r = 1; r < ok.length; r++) masked += 1 - ok[r]!;
  const needRows = size + masked + 1;
  const onDevice = masked <= DEVICE_TOPK_MAX_MASKED && needRows <= md.itemCount;
  const memo = onDevice ? ctx.topMemo : undefined;
  const scored =
    memo && memo.engine === engine && memo.rows.length >= needRows && sameRows(memo.seq, seqRows)
      ? { s: memo.sparse, order: memo.rows }
      : await within(
          ctx.engine.serial(async (): Promise<{ s: ArrayLike<number>; order?: Int32Array }> => {
            if (!onDevice) {
              if (!engine.kernel) return { s: (await engine.scorer.scores([seqRows]))[0]! };
              // The int8 kernel takes the mask itself: the `size` best eligible rows, nothing else read.
              const u = engine.scorer.host.encode(seqRows);
              const top = engine.scorer.blendedTop(seqRows, u, await engine.kernel.topK(u, size, excludedBitmap(ok)));
              return { s: sparseOf(top), order: top.rows };
            }
            const top = await deviceTopK(engine.scorer, seqRows, needRows);
            if (ctx.prepareNext) ctx.engine.prepareNext(engine, seqRows);
            const sparse = sparseOf(top);
            ctx.topMemo = { engine, seq: seqRows, rows: top.rows, sparse };
            return { s: sparse, order: top.rows };
          }),
          budget - (now() - tBudget),
        );
  if (!scored) return cold(ctx.engine.value === engine ? 'timeout' : 'error');
  const tRank = now();
  const s = scored.s;
  const items = pick(s, scored.order).map((r): ScoredItem => ({
    itemId: md.vocab[r - 1]!,
    score: s[r]!,
    source: 'model',
    reason: historyReason(md, catalog, history, r),
  }));
  const reused = memo !== undefined && scored.s === memo.sparse;
  ctx.lastTimings = { readMs, scoreMs: tRank - tBudget, rankMs: now() - tRank, reused };
  if (onDevice && !reused) ctx.lastTimings.encoder = engine.scorer.host.lastPath;
  return out(items);
}

/** Items like `itemId`: cosine over the model's item embeddings on the host (see {@link similarFor}), then the list steps. */
export async function similar(
  c: AnswerContext | undefined,
  itemId: string,
  options: RecommendOptions = {},
  call?: ListContext,
): Promise<RecommendResult> {
  const t0 = now();
  if (typeof itemId !== 'string' || !itemId)
    throw new LocalRecError('INVALID_ARGUMENT', `itemId must be a non-empty string, got ${JSON.stringify(itemId)}`, { field: 'itemId' });
  const ctx = need(c);
  const lc = listCall(ctx, { method: 'similar', subject: itemId, args: [itemId] }, options, t0, call);
  const budgetMs = options.budgetMs ?? ctx.budgetMs;
  const md = await ctx.model.ready();
  if (!md) return listAnswer(ctx, lc, false, async () => ({ r: result(ctx, [], t0, md, 'no-model'), eligible: () => false, cut: false }));
  const purchased = options.excludePurchased === false ? new Set<string>() : (await readShopper(ctx, md, call)).purchased;
  return listAnswer(ctx, lc, false, (size) => similarFor(ctx, { t0, size, budgetMs, options, md, itemId, purchased, call: lc }));
}

async function similarFor(
  ctx: AnswerContext,
  ask: Ask<ModelData> & { itemId: string; purchased: ReadonlySet<string> },
): Promise<Candidates> {
  const { t0, size, budgetMs: budget, options, md, itemId, purchased, call } = ask;
  const catalog = catalogFor(ctx, md);
  const row = md.rowOf.get(itemId);
  const blocked = new Set([itemId, ...purchased, ...(options.exclude ?? []), ...call.shown]);
  const eligible = eligibility(catalog, blocked, call.plan.match);
  const ok = eligibleRows(md, catalog, blocked, call.plan.match);
  const out = (items: ScoredItem[], why?: RecommendResult['fallbackReason']): Candidates => ({
    r: result(ctx, items, t0, md, why),
    eligible,
    cut: items.length >= size,
  });
  if (row === undefined) {
    // Unknown to the model (e.g. a product added after training): popular items, marked so.
    const { scores, driver } = coldScores(md, []);
    return out(coldItems(md, catalog, topK(scores, ok, size), scores, driver, []), 'no-history');
  }
  // Cosine over the item table: with the int8 kernel serving, its cosine top-k ({@link Int8TopK.similarTo},
  // re-scored by `cosine`: the host scan's answer); otherwise a host scan over the rows (int8 ones
  // read in place), backend-independent and needing no warm engine. The time budget counts from
  // here (the model data loaded); the scan checks it every SIMILAR_CHUNK rows and, when exceeded,
  // answers from the bundle's co-occurrence table of the item (then popularity), marked 'timeout'.
  const deadline = now() + budget;
  // The WebGPU kernel re-scores through a wasm kernel over the same table: that one runs the cosine top-k.
  const serving = ctx.engine.value?.kernel;
  const kernel = serving && 'host' in serving ? serving.host : serving;
  let ranked: { rows: ArrayLike<number>; sims: ArrayLike<number> } | undefined;
  if (budget > 0 && kernel) {
    const top = kernel.similarTo(row, size, excludedBitmap(ok), (r) => Math.fround(cosine(md, r, row)));
    ranked = { rows: top.rows, sims: sparseOf(top) };
  } else if (budget > 0) {
    const sims = new Float32Array(md.itemCount + 1);
    let done = true;
    for (let r0 = 1; r0 <= md.itemCount; r0 += SIMILAR_CHUNK) {
      if (r0 > 1 && now() > deadline) {
        done = false;
        break;
      }
      const end = Math.min(md.itemCount, r0 + SIMILAR_CHUNK - 1);
      for (let r = r0; r <= end; r++) sims[r] = cosine(md, r, row);
    }
    if (done) ranked = { rows: topK(sims, ok, size), sims };
  }
  if (!ranked || now() > deadline) {
    const seed: HistoryItem[] = [{ itemId, type: 'view', ts: 0, row }];
    const { scores, driver } = coldScores(md, seed);
    return out(coldItems(md, catalog, topK(scores, ok, size), scores, driver, seed), 'timeout');
  }
  const name = nameOf(md, catalog, itemId);
  const { sims } = ranked;
  return out(
    Array.from(ranked.rows, (r) => ({
      itemId: md.vocab[r - 1]!,
      score: sims[r]!,
      source: 'model',
      reason: { kind: 'similar', text: `Similar to ${name}`, itemIds: [itemId] },
    })),
  );
}

/** Passes an answer's items through the insights ranking step (only the non-host items move), cut to `k`. */
async function reranked(ctx: AnswerContext, r: RecommendResult, k: number): Promise<RecommendResult> {
  const md = ctx.model.value;
  if (md && r.items.length) {
    const slots = r.items.flatMap((it, i) => (it.source === 'host' ? [] : [i]));
    r.items = await ctx.insights.rankItems(r.items, md, catalogFor(ctx, md), slots);
  }
  r.items = r.items.slice(0, k);
  return r;
}

/**
 * Re-ranks host candidates ({@link rankBase}), then — with insights ranking on and consent
 * granted — the insights ranking step over the model-known candidates, cut to `k` (default: all).
 * `filter` applies (a `FilterExpr`); `rules`, `page` and `dedupe` do not: the host chose and
 * ordered these candidates.
 */
export async function rank(
  ctx: AnswerContext | undefined,
  itemIds: readonly string[],
  options: RecommendOptions = {},
  call?: CallContext,
): Promise<RecommendResult> {
  const how = checkHydrate(options.hydrate);
  let r: RecommendResult;
  if (!ctx || ctx.consent !== 'granted' || !ctx.insights.ranking || !Array.isArray(itemIds))
    r = await rankBase(ctx, itemIds, options, call);
  else {
    const k = options.k === undefined ? itemIds.length : checkK(options.k);
    const { k: _k, ...rest } = options;
    r = await reranked(ctx, await rankBase(ctx, itemIds, rest, call), k);
  }
  const c = need(ctx);
  r.items = hydrate(r.items, catalogFor(c, c.model.value), how);
  return r;
}

/**
 * Rule for ids the model does not know: they keep their original slots (position in the host's
 * list) and get score 0, `source: 'host'`, reason "candidate"; known candidates are sorted by
 * model score (or cold-start score in a fallback) into the remaining slots. `exclude` and
 * `filter` remove candidates; purchases are removed only with `excludePurchased: true` (the host
 * chose these candidates). `k` cuts the final list (default: all).
 */
async function rankBase(
  c: AnswerContext | undefined,
  itemIds: readonly string[],
  options: RecommendOptions,
  call: CallContext | undefined,
): Promise<RecommendResult> {
  const t0 = now();
  const given: unknown = itemIds;
  if (!Array.isArray(given) || !given.every((x) => typeof x === 'string')) {
    const list: readonly unknown[] | undefined = Array.isArray(given) ? given : undefined;
    const i = list ? list.findIndex((x) => typeof x !== 'string') : -1;
    const what = list && i >= 0 ? `${preview(list[i])} at itemIds[${i}]` : preview(given);
    throw new LocalRecError('INVALID_ARGUMENT', `rank expects an array of item id strings; got ${what}`, {
      field: 'itemIds',
      accepted: ['an array of item id strings'],
    });
  }
  const k = options.k === undefined ? itemIds.length : checkK(options.k);
  const match = options.filter === undefined ? undefined : compileFilter(options.filter);
  const ctx = need(c);
  const budgetMs = options.budgetMs ?? ctx.budgetMs;
  const md = await ctx.model.ready();
  return rankFor(ctx, { t0, k, match, budgetMs, options, md, itemIds, shopper: await readShopper(ctx, md, call) });
}

/** One `rank` call after its checks. */
interface RankAsk {
  t0: number;
  k: number;
  match: Matcher | undefined;
  budgetMs: number;
  options: RecommendOptions;
  md: ModelData | undefined;
  itemIds: readonly string[];
  shopper: Shopper;
}

async function rankFor(ctx: AnswerContext, ask: RankAsk): Promise<RecommendResult> {
  const { t0, k, match, budgetMs: budget, options, md, itemIds, shopper: sh } = ask;
  const catalog = catalogFor(ctx, md);
  const { history, storeError } = sh;
  const purchased = options.excludePurchased === true ? sh.purchased : new Set<string>();
  const excluded = new Set(options.exclude ?? []);
  const seen = new Set<string>();
  const cands = itemIds.filter((id) => {
    if (seen.has(id) || excluded.has(id) || purchased.has(id)) return false;
    seen.add(id);
    return !match || match(catalog[id]);
  });
  const hostItem = (itemId: string): ScoredItem => ({
    itemId,
    score: 0,
    source: 'host',
    reason: { kind: 'candidate', text: 'Suggested by the shop' },
  });
  if (!md) return result(ctx, cands.slice(0, k).map(hostItem), t0, md, 'no-model');

  let scores: ArrayLike<number> | undefined;
  let why: RecommendResult['fallbackReason'];
  const seq = modelRows(history);
  if (ctx.consent !== 'granted') why = 'no-consent';
  else if (storeError) why = 'error';
  else if (!seq.length) why = 'no-history';
  else {
    const engine = await ctx.engine.ready(budget);
    if (!engine) why = 'no-model';
    else if (budget <= 0) why = 'timeout';
    else {
      scores = await within(
        ctx.engine.serial(async (): Promise<ArrayLike<number>> => {
          if (!engine.kernel) return (await engine.scorer.scores([seq]))[0]!;
          // The int8 kernel scores only the candidates' rows (the float32 path's scores).
          const rows = cands.map((id) => md.rowOf.get(id) ?? 0).filter((r) => r > 0);
          const v = engine.scorer.blendRows(seq, rows, engine.kernel.scoreRows(engine.scorer.host.encode(seq), rows));
          const sparse: number[] = [];
          rows.forEach((r, i) => {
            sparse[r] = v[i]!;
          });
          return sparse;
        }),
        budget,
      );
      if (!scores) why = 'timeout';
    }
  }
  const cold = scores ? undefined : coldScores(md, history);
  const s = scores ?? cold!.scores;
  const known = cands
    .map((id) => md.rowOf.get(id) ?? 0)
    .filter((r) => r > 0)
    .sort((a, b) => s[b]! - s[a]! || a - b);
  let next = 0;
  const out = cands.map((id): ScoredItem => {
    if (!md.rowOf.has(id)) return hostItem(id);
    const r = known[next++]!;
    if (cold) return coldItems(md, catalog, [r], cold.scores, cold.driver, history)[0]!;
    return { itemId: md.vocab[r - 1]!, score: s[r]!, source: 'model', reason: historyReason(md, catalog, history, r) };
  });
  return result(ctx, out.slice(0, k), t0, md, why);
}
