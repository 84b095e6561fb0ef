/**
 * Scenarios answered from the shopper's own history, with no model: `recentlyViewed` and
 * `buyAgain` (issue 15). Both read the runtime's store — the retention view, so no event past
 * the retention window is read — leave out events flagged abnormal (stored flags, and the insights
 * layer's bursts, repeats, metronome gaps: `StreamSnapshot.isAbnormal`), apply `exclude` and
 * `filter` like `recommend`, and never reject for missing history: without consent the answer is
 * empty with `fallbackReason: 'no-consent'`, with nothing to show `'no-history'` (the cold start),
 * with an unreadable store `'error'`.
 *
 * Rules:
 * - **recentlyViewed**: items the shopper viewed, clicked or added to the cart, newest first, each
 *   once (its latest such event), score `1 / (1 + hours since)`. Purchased items stay unless
 *   `excludePurchased: true` (default false here: a shopper may want to find a bought item again).
 * - **buyAgain**: purchases of the same item less than {@link BUY_AGAIN.occasionGapMs} apart are one
 *   occasion. An item bought on ≥ 2 occasions has a cadence: the median gap between occasions; its
 *   score is `elapsed since the last occasion / cadence` (1 = due now, > 1 overdue) and it is listed
 *   from {@link BUY_AGAIN.dueFrom} on. An item bought once gets the default cadence
 *   {@link BUY_AGAIN.singleIntervalMs} (30 days) and the same rule, and is ranked after every item
 *   with a known cadence. Overdue items first; ties by the more recent purchase.
 *
 * Both answer through the list steps of `merchandising.ts` (boost/bury, diversity, caps, pins,
 * `page`, `dedupe`) like `recommend`; the items are the whole ranked list, so no pool is cut.
 * The bundle's catalog (for filters, rules and names) and its embeddings (for diversity) are waited
 * for only when a filter, a score rule, a cap or diversity is given; otherwise the answer needs no
 * model at all. In the degraded case where the page passes its own history
 * (`CallContext.history`, memory store) `recentlyViewed` answers from that sequence; `buyAgain`,
 * which needs purchase times the page history does not carry, answers `'no-history'`.
 */
import {
  LocalRecError,
  compareEventOrder,
  type EventType,
  type ItemMeta,
  type RecommendOptions,
  type RecommendResult,
  type ScoredItem,
  type StoredEvent,
} from '@localrec/core';
import { badEntry } from '@localrec/core/internal';
import {
  catalogFor,
  eligibility,
  listAnswer,
  listCall,
  need,
  withList,
  type AnswerContext,
  type ListCall,
  type ListContext,
} from './answers.js';
import { now } from './lazy.js';

/** Event types that make an item "recently viewed". */
const VIEWED_TYPES: readonly EventType[] = ['view', 'click', 'add_to_cart'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The constants of the buy-again rule (see the module documentation). */
export interface BuyAgainRule {
  /** Purchases of one item closer than this are one occasion (one order, a double tap). */
  occasionGapMs: number;
  /** Listed once this share of the cadence has elapsed since the last occasion. */
  dueFrom: number;
  /** The cadence assumed for an item bought once. */
  singleIntervalMs: number;
}

/** The buy-again rule's defaults. */
export const BUY_AGAIN: Readonly<BuyAgainRule> = Object.freeze({
  /** Purchases of one item closer than this are one occasion (one order, a double tap). */
  occasionGapMs: DAY,
  /** Listed once this share of the cadence has elapsed since the last occasion. */
  dueFrom: 0.75,
  /** The cadence assumed for an item bought once. */
  singleIntervalMs: 30 * DAY,
});

/**
 * "3 hours", "2 days", "3 weeks", "2 months": a duration as a shopper reads it (rounded). With
 * `days`, anything from a day on is said in days ("last bought 20 days ago").
 */
export function spoken(ms: number, days = false): string {
  const unit = (n: number, u: string) => `${n} ${u}${n === 1 ? '' : 's'}`;
  if (ms < HOUR) return unit(Math.max(1, Math.round(ms / 60_000)), 'minute');
  if (ms < DAY) return unit(Math.round(ms / HOUR), 'hour');
  if (days || ms < 14 * DAY) return unit(Math.round(ms / DAY), 'day');
  if (ms < 60 * DAY) return unit(Math.round(ms / (7 * DAY)), 'week');
  return unit(Math.round(ms / (30 * DAY)), 'month');
}

/** The median of non-empty `xs`. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One item's purchase cadence. */
export interface Cadence {
  itemId: string;
  /** Purchase occasions (purchases closer than `occasionGapMs` merged). */
  occasions: number;
  /** Time of the last purchase. */
  last: number;
  /** Median gap between occasions, or the default for a single one. */
  intervalMs: number;
  /** Elapsed since `last` over `intervalMs`: 1 = due now. */
  due: number;
}

/**
 * Cadences of the purchased items at time `at`, listed by the buy-again rule: due ones only
 * (`due ≥ dueFrom`), known cadences first, then by `due` (most overdue first), then the more
 * recent purchase. `purchases`: normal (not abnormal) purchase events.
 */
export function buyAgainOrder(
  purchases: readonly Pick<StoredEvent, 'itemId' | 'ts'>[],
  at: number,
  rule: Readonly<BuyAgainRule> = BUY_AGAIN,
): Cadence[] {
  const times = new Map<string, number[]>();
  for (const e of purchases) if (e.itemId) (times.get(e.itemId) ?? times.set(e.itemId, []).get(e.itemId)!).push(e.ts);
  const out: Cadence[] = [];
  for (const [itemId, ts] of times) {
    ts.sort((a, b) => a - b);
    const occ: number[] = [];
    for (const t of ts)
      if (!occ.length || t - occ[occ.length - 1]! >= rule.occasionGapMs) occ.push(t);
      else occ[occ.length - 1] = t;
    const last = occ[occ.length - 1]!;
    const gaps = occ.slice(1).map((t, i) => t - occ[i]!);
    const intervalMs = gaps.length ? median(gaps) : rule.singleIntervalMs;
    const due = Math.max(0, at - last) / intervalMs;
    if (due >= rule.dueFrom) out.push({ itemId, occasions: occ.length, last, intervalMs, due });
  }
  const known = (c: Cadence) => (c.occasions > 1 ? 0 : 1);
  return out.sort((a, b) => known(a) - known(b) || b.due - a.due || b.last - a.last);
}

/** What {@link recentlyViewedOrder} reads of an event (a stored event, or a page-history sequence entry). */
type Seen = Pick<StoredEvent, 'itemId' | 'ts' | 'seq' | 'type'>;

/** Items the shopper viewed, clicked or carted, newest first, each once (its latest event). */
export function recentlyViewedOrder<E extends Seen>(events: readonly E[]): E[] {
  const seen = new Set<string>();
  const out: E[] = [];
  for (const e of [...events].sort(compareEventOrder).reverse()) {
    if (!e.itemId || seen.has(e.itemId)) continue;
    seen.add(e.itemId);
    out.push(e);
  }
  return out;
}

type Why = NonNullable<RecommendResult['fallbackReason']>;

const answer = (items: ScoredItem[], t0: number, why?: Why): RecommendResult => {
  if (!why && !items.length) why = 'no-history';
  return why
    ? { items: [], source: 'fallback', fallbackReason: why, tookMs: now() - t0 }
    : { items, source: 'history', tookMs: now() - t0 };
};

/** Checks `exclude` (an array of item id strings). */
function checkExclude(options: RecommendOptions): void {
  if (options.exclude !== undefined && !(Array.isArray(options.exclude) && options.exclude.every((x) => typeof x === 'string'))) {
    throw new LocalRecError(
      'INVALID_ARGUMENT',
      `exclude must be an array of item id strings, got ${badEntry(options.exclude, (x) => typeof x === 'string')}`,
      { field: 'exclude' },
    );
  }
}

/** The catalog of an answer: host metadata over the bundle's, waited for when the plan reads attributes or embeddings. */
async function catalogOf(ctx: AnswerContext, call: ListCall): Promise<Record<string, ItemMeta>> {
  const { match, rules, diversity } = call.plan;
  const reads = match !== undefined || rules.shifts.length > 0 || rules.caps.length > 0 || diversity > 0;
  return catalogFor(ctx, reads ? await ctx.model.ready() : ctx.model.value);
}

/** The list steps over a whole history list (`ranked`: eligible items, best first; none: `'no-history'`). */
function historyList(
  ctx: AnswerContext,
  call: ListCall,
  ranked: ScoredItem[],
  eligible: (id: string) => boolean,
): Promise<RecommendResult> {
  const r = answer(ranked, call.t0);
  return listAnswer(ctx, call, false, async () => ({ r, eligible, cut: false }));
}

/** The store's events of `types`, abnormal ones left out (stored flags, and the insights layer's). */
export async function normalEvents(ctx: AnswerContext, types: readonly EventType[]): Promise<StoredEvent[]> {
  const [events, snap] = await Promise.all([ctx.store.query({ types: [...types] }), ctx.insights.sync()]);
  return events.filter((e) => !(e.flags && e.flags.length > 0) && !snap.isAbnormal(e.seq));
}

/**
 * Recently viewed items (see the module documentation). Never rejects for missing history.
 * @throws {LocalRecError} `INVALID_ARGUMENT` for a bad `k`, `exclude`, `filter`, `rules`, `page` or `dedupe`; `NOT_READY` before `init`.
 */
export async function recentlyViewed(
  c: AnswerContext | undefined,
  options: RecommendOptions = {},
  call?: ListContext,
): Promise<RecommendResult> {
  const t0 = now();
  const ctx = need(c);
  const lc = listCall(ctx, { method: 'recentlyViewed' }, options, t0, call);
  checkExclude(options);
  if (ctx.consent !== 'granted') return withList(lc, answer([], t0, 'no-consent'));
  const catalog = await catalogOf(ctx, lc);
  let latest: Seen[];
  let bought = new Set<string>();
  try {
    if (call?.history !== undefined) {
      const seq = Array.isArray(call.history.sequence) ? call.history.sequence : [];
      latest = recentlyViewedOrder(seq.filter((e) => VIEWED_TYPES.includes(e.type)));
      if (options.excludePurchased === true) bought = new Set(call.history.purchased);
    } else {
      latest = recentlyViewedOrder(await normalEvents(ctx, VIEWED_TYPES));
      if (options.excludePurchased === true) bought = new Set((await normalEvents(ctx, ['purchase'])).map((e) => e.itemId!));
    }
  } catch {
    return withList(lc, answer([], t0, 'error'));
  }
  const ok = eligibility(catalog, new Set([...(options.exclude ?? []), ...bought, ...lc.shown]), lc.plan.match);
  const at = Date.now();
  const items = latest
    .filter((e) => ok(e.itemId!))
    .map((e): ScoredItem => {
      const ago = Math.max(0, at - e.ts);
      const did = e.type === 'add_to_cart' ? 'added this to your cart' : 'viewed this';
      return {
        itemId: e.itemId!,
        score: 1 / (1 + ago / HOUR),
        source: 'history',
        reason: { kind: 'recently-viewed', text: `You ${did} ${spoken(ago, true)} ago`, itemIds: [e.itemId!] },
      };
    });
  return historyList(ctx, lc, items, ok);
}

/**
 * Items due to be bought again (see the module documentation). Never rejects for missing history.
 * @throws {LocalRecError} `INVALID_ARGUMENT` for a bad `k`, `exclude`, `filter`, `rules`, `page` or `dedupe`; `NOT_READY` before `init`.
 */
export async function buyAgain(c: AnswerContext | undefined, options: RecommendOptions = {}, call?: ListContext): Promise<RecommendResult> {
  const t0 = now();
  const ctx = need(c);
  const lc = listCall(ctx, { method: 'buyAgain' }, options, t0, call);
  checkExclude(options);
  if (ctx.consent !== 'granted') return withList(lc, answer([], t0, 'no-consent'));
  const ok = eligibility(await catalogOf(ctx, lc), new Set([...(options.exclude ?? []), ...lc.shown]), lc.plan.match);
  if (call?.history !== undefined) return withList(lc, answer([], t0, 'no-history'));
  let purchases: StoredEvent[];
  try {
    purchases = await normalEvents(ctx, ['purchase']);
  } catch {
    return withList(lc, answer([], t0, 'error'));
  }
  const at = Date.now();
  const items = buyAgainOrder(purchases, at)
    .filter((x) => ok(x.itemId))
    .map((x): ScoredItem => {
      const ago = `last bought ${spoken(at - x.last, true)} ago`;
      const text = x.occasions > 1 ? `You buy this about every ${spoken(x.intervalMs)}; ${ago}` : `You bought this once; ${ago}`;
      return { itemId: x.itemId, score: x.due, source: 'history', reason: { kind: 'buy-again', text, itemIds: [x.itemId] } };
    });
  return historyList(ctx, lc, items, ok);
}
