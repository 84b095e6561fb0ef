/**
 * The ranking step every answer goes through once the model has scored it, and the feedback loop
 * that teaches the on-device re-ranker:
 *
 * 1. {@link rankList}: the re-ranker features of each result (model score, category and price
 *    affinity, recency, popularity, social proof), then THE blending step
 *    (`blendRanking` in `social.ts`: 0.7 · model + 0.15 · profile affinity + 0.15 · social proof, with the social
 *    reason when social proof lifts an item most), then `Reranker.rerank` (which keeps the blended
 *    order exactly until it has seen feedback). The list served is remembered with its features.
 * 2. {@link observeFeedback}: when the host records an `impression` whose items are a list the
 *    runtime served (`rec.track('impression', { items, source, context: { listId } })`), the
 *    impression waits for its outcome. A `click`, `favorite`, `like`, `add_to_cart` or `purchase`
 *    of a shown item within `windowMs` marks it clicked. The list is learned (`learnFromList`, in
 *    display order, every other item a negative) when it is superseded by a newer impression of
 *    the same list (same `listId`, else same `source`), when the shopper converts (cart or
 *    purchase), or when the window ends. Abnormal events count for nothing.
 */
import { compareEventOrder, type ItemMeta, type ScoredItem, type StoredEvent } from '@localrec/core';
import { affinityOf, priceBandOf, type Profile } from './profile.js';
import type { RerankFeatures, Reranker } from './reranker.js';
import { blendRanking, modelTerms, socialProof, socialSignal, type BlendWeights, type SocialContext } from './social.js';

/** What the features of a list are computed from. */
export interface FeatureContext {
  profile: Pick<Profile, 'categories' | 'brands' | 'priceBands'>;
  catalog: Readonly<Record<string, ItemMeta>>;
  social: SocialContext | undefined;
  now: number;
  /** Popularity in [0, 1] (the bundle's popularity table, relative to the most popular item). */
  popularity(itemId: string): number;
  /** When the shopper last touched this item or its category (ms), if ever. */
  lastTouch(itemId: string, category: string | undefined): number | undefined;
  /** Half-life of the recency feature (ms). */
  recencyHalfLifeMs: number;
  /** Weight of social proof as the model term of an item that entered through friends (`SOCIAL_ENTRY_WEIGHT`). */
  entryWeight?: number;
}

const rel = (list: Profile['categories'], key: string | undefined): number => {
  const top = list[0]?.share ?? 0;
  return top > 0 ? affinityOf(list, key) / top : 0;
};

/** The re-ranker features of each item of a list (model score normalised within the list). */
export function listFeatures(items: readonly ScoredItem[], c: FeatureContext): RerankFeatures[] {
  const norm = modelTerms(items, c.social, c.now, c.entryWeight);
  return items.map((it, i) => {
    const meta = c.catalog[it.itemId];
    const last = c.lastTouch(it.itemId, meta?.category);
    return {
      modelScore: norm[i]!,
      categoryAffinity: rel(c.profile.categories, meta?.category),
      priceAffinity: rel(c.profile.priceBands, meta?.price === undefined ? undefined : priceBandOf(meta.price)),
      recency: last === undefined ? 0 : 2 ** (-Math.max(0, c.now - last) / c.recencyHalfLifeMs),
      popularity: c.popularity(it.itemId),
      socialProof: socialProof(socialSignal(c.social, it.itemId, c.now)),
    };
  });
}

/**
 * Blends and re-ranks a list (see the module documentation). Returns the new order with final
 * scores and, for each returned item, its features (to remember what was served).
 */
export function rankList(
  items: readonly ScoredItem[],
  c: FeatureContext,
  reranker: Reranker,
  weights?: Readonly<BlendWeights>,
): { items: ScoredItem[]; features: RerankFeatures[] } {
  if (items.length === 0) return { items: [], features: [] };
  const feats = listFeatures(items, c);
  const byId = new Map(items.map((it, i) => [it.itemId, feats[i]!]));
  const blendOpts: Parameters<typeof blendRanking>[1] = { profile: c.profile, catalog: c.catalog, now: c.now };
  if (c.social) blendOpts.social = c.social;
  if (weights) blendOpts.weights = weights;
  if (c.entryWeight !== undefined) blendOpts.entryWeight = c.entryWeight;
  const blended = blendRanking(items, blendOpts);
  const ranked = reranker.rerank(blended.map((item) => ({ item, base: item.score, features: byId.get(item.itemId)! })));
  return {
    items: ranked.map(({ item, score }) => ({ ...item, score })),
    features: ranked.map(({ item }) => byId.get(item.itemId)!),
  };
}

/** A list the runtime answered with, and each item's features then. Memory only. */
export interface ServedList {
  at: number;
  itemIds: string[];
  features: RerankFeatures[];
}

/** An impression of a served list, waiting for its outcome. Part of the stored state. */
export interface PendingImpression {
  seq: number;
  ts: number;
  /** `context.listId`, else `data.source`, else "". */
  key: string;
  itemIds: string[];
  features: RerankFeatures[];
  clicked: boolean[];
}

const POSITIVE = new Set(['click', 'favorite', 'like', 'add_to_cart', 'purchase']);
const CONVERSION = new Set(['add_to_cart', 'purchase']);

/**
 * The features of the shown items, from the most recent served list that contains all of them
 * (served before the impression, allowing `skewMs` for clocks); undefined when the runtime did not
 * serve them (a list the host ranked itself teaches nothing about this ranking).
 */
export function matchServed(
  served: readonly ServedList[],
  itemIds: readonly string[],
  ts: number,
  skewMs = 5_000,
): RerankFeatures[] | undefined {
  for (let i = served.length - 1; i >= 0; i--) {
    const s = served[i]!;
    if (s.at > ts + skewMs) continue;
    const idx = itemIds.map((id) => s.itemIds.indexOf(id));
    if (idx.every((j) => j >= 0)) return idx.map((j) => s.features[j]!);
  }
  return undefined;
}

export interface FeedbackStep {
  pending: PendingImpression[];
  /** Lists whose outcome is known, to learn from (display order). */
  resolved: PendingImpression[];
}

/**
 * Folds new events (seq above the last one observed; abnormal ones already removed) into the
 * pending impressions and resolves the finished ones.
 */
export function observeFeedback(
  pending: readonly PendingImpression[],
  events: readonly StoredEvent[],
  served: readonly ServedList[],
  now: number,
  windowMs: number,
  maxPending = 50,
): FeedbackStep {
  let open = pending.map((p) => ({ ...p, clicked: [...p.clicked] }));
  const resolved: PendingImpression[] = [];
  const sorted = [...events].sort(compareEventOrder);
  for (const e of sorted) {
    if (e.type === 'impression') {
      const ids = e.data.items ?? [];
      const features = ids.length ? matchServed(served, ids, e.ts) : undefined;
      if (!features) continue;
      const key = e.context?.listId ?? e.data.source ?? '';
      // The same list shown again: the previous showing is over.
      const [done, keep] = partition(open, (p) => p.key === key);
      resolved.push(...done);
      open = keep;
      open.push({ seq: e.seq, ts: e.ts, key, itemIds: [...ids], features, clicked: ids.map(() => false) });
    } else if (e.itemId !== undefined && POSITIVE.has(e.type)) {
      const converted: PendingImpression[] = [];
      for (const p of open) {
        if (e.ts < p.ts || e.ts - p.ts > windowMs) continue;
        const i = p.itemIds.indexOf(e.itemId);
        if (i < 0) continue;
        p.clicked[i] = true;
        if (CONVERSION.has(e.type)) converted.push(p);
      }
      resolved.push(...converted);
      open = open.filter((p) => !converted.includes(p));
    }
  }
  const [expired, still] = partition(open, (p) => now - p.ts > windowMs);
  resolved.push(...expired);
  // Bounded: the oldest waiting lists are learned as they stand.
  const over = Math.max(0, still.length - maxPending);
  resolved.push(...still.slice(0, over));
  return { pending: still.slice(over), resolved };
}

function partition<T>(xs: readonly T[], pred: (x: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const x of xs) (pred(x) ? yes : no).push(x);
  return [yes, no];
}
