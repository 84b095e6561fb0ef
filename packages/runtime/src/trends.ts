/**
 * `trending({ facet? })` and `trendingFacets(attribute)` (issue 15), from the shop's public trending
 * file (`trending-file.ts`) — identical for every shopper — re-ranked on the device.
 *
 * Rules:
 * - **trending**: the file's items (or those of `facet: { attribute, value }`), table score = shoppers
 *   / the list's top count; reasons "Trending in Shoes this week" ("Trending this week" without a
 *   facet; "… over the last N days" for another window). Purchased items are left out (unless
 *   `excludePurchased: false`), with `exclude`, `filter` and `dedupe` as in `recommend`.
 *   Personalised by the model's score of the shopper's history (`personal.ts`); without one the
 *   file's order, marked with why (`no-history`: the cold start). Then the list steps.
 * - Without a usable file (missing, a hash mismatch, invalid): the bundle's popularity table (for a
 *   facet, its items whose catalog attribute has the value), `fallbackReason: 'no-trending'` and
 *   `error` naming the problem (e.g. `MODEL_INTEGRITY`).
 * - **trendingFacets**: the attribute's values the file counts, most shoppers first (ties by
 *   value), at most `k` (default 10). Without a usable file: no values, `fallbackReason: 'no-trending'`.
 * Neither rejects for a missing file, model or history.
 */
import { LocalRecError, serializeError, type Facet, type RecommendResult, type TrendingFacets, type TrendingOptions } from '@localrec/core';
import { preview } from '@localrec/core/internal';
import type { TrendingFile } from '@localrec/model';
import { catalogFor, eligibility, listAnswer, listCall, need, result, type AnswerContext, type ListContext } from './answers.js';
import { readShopper } from './history.js';
import { now } from './lazy.js';
import type { ModelData } from './model-data.js';
import { NO_SHOPPER, personalScores, personalise, type TableCandidate } from './personal.js';
import { checkK } from './ranking.js';

/** Checks `facet` ({ attribute, value }, both non-empty strings). */
function checkFacet(f: unknown): Facet | undefined {
  if (f === undefined) return undefined;
  const o = (typeof f === 'object' && f !== null ? f : {}) as Partial<Record<keyof Facet, unknown>>;
  if (typeof o.attribute !== 'string' || !o.attribute || typeof o.value !== 'string' || !o.value) {
    throw new LocalRecError('INVALID_ARGUMENT', `facet must be { attribute, value } (non-empty strings), got ${preview(f)}`, {
      field: 'facet',
      accepted: ["{ attribute: 'category', value: 'Shoes' }"],
    });
  }
  return { attribute: o.attribute, value: o.value };
}

/** "this week", "today", "over the last 30 days". */
const spokenWindow = (days: number) => (days === 7 ? 'this week' : days === 1 ? 'today' : `over the last ${days} days`);

/** The trending candidates of the file (see the module documentation). */
function trendingCandidates(file: TrendingFile, facet: Facet | undefined): TableCandidate[] {
  const list = facet ? (file.facets[facet.attribute]?.[facet.value]?.items ?? []) : file.items;
  const top = Math.max(1, ...list.map((t) => t[1]));
  const text = `Trending ${facet ? `in ${facet.value} ` : ''}${spokenWindow(file.window.days)}`;
  return list.map(([itemId, n]) => ({ itemId, base: n / top, source: 'trending', reason: { kind: 'trending', text } }));
}

/** The bundle's popular items (for a facet, those whose catalog attribute has the value). */
function popularCandidates(
  md: ModelData | undefined,
  catalog: Record<string, Record<string, unknown>>,
  facet: Facet | undefined,
): TableCandidate[] {
  if (!md) return [];
  const { popularItems, popularScores } = md.cold;
  const top = Math.max(1e-12, popularScores[0] ?? 0);
  const text = facet ? `Popular in ${facet.value}` : 'Popular right now';
  const out: TableCandidate[] = [];
  popularItems.forEach((row, i) => {
    const itemId = md.vocab[row - 1];
    if (!itemId || (facet && String(catalog[itemId]?.[facet.attribute]) !== facet.value)) return;
    out.push({ itemId, base: popularScores[i]! / top, source: 'popular', reason: { kind: 'popular', text } });
  });
  return out;
}

/** The trending file, or the error that keeps it from use. */
async function trendingFile(ctx: AnswerContext): Promise<{ file?: TrendingFile; error?: { code: string; message: string } }> {
  try {
    return { file: (await ctx.trending.get()).file };
  } catch (e) {
    const s = serializeError(e);
    return { error: { code: s.code, message: s.message } };
  }
}

/**
 * What is trending, re-ranked for the shopper (see the module documentation).
 * @throws {LocalRecError} `INVALID_ARGUMENT` for a bad `facet` or list option; `NOT_READY` before `init`.
 */
export async function trending(c: AnswerContext | undefined, options: TrendingOptions = {}, call?: ListContext): Promise<RecommendResult> {
  const t0 = now();
  const facet = checkFacet(options.facet);
  const ctx = need(c);
  const lc = listCall(ctx, { method: 'trending', subject: facet ? `${facet.attribute}\u0000${facet.value}` : '' }, options, t0, call);
  const budgetMs = options.budgetMs ?? ctx.budgetMs;
  const [md, got] = await Promise.all([ctx.model.ready(), trendingFile(ctx)]);
  const catalog = catalogFor(ctx, md);
  const shopper = options.personalise === false ? NO_SHOPPER : await readShopper(ctx, md, call);
  const purchased = options.excludePurchased === false ? [] : shopper.purchased;
  const eligible = eligibility(catalog, new Set([...(options.exclude ?? []), ...purchased, ...lc.shown]), lc.plan.match);
  const cands = (got.file ? trendingCandidates(got.file, facet) : popularCandidates(md, catalog, facet)).filter((x) => eligible(x.itemId));
  const personal = cands.length ? await personalScores(ctx, md, shopper, budgetMs, options.personalise !== false) : {};
  const r = result(ctx, personalise(cands, md, personal.scores), t0, md, got.file ? personal.why : 'no-trending');
  if (got.error) r.error = got.error;
  return listAnswer(ctx, lc, false, async () => ({ r, eligible, cut: false }));
}

/**
 * The values of `attribute` the trending file counts (see the module documentation).
 * @throws {LocalRecError} `INVALID_ARGUMENT` for a bad `attribute` or `k`; `NOT_READY` before `init`.
 */
export async function trendingFacets(
  c: AnswerContext | undefined,
  attribute: string,
  options: { k?: number } = {},
): Promise<TrendingFacets> {
  const t0 = now();
  if (typeof attribute !== 'string' || !attribute)
    throw new LocalRecError('INVALID_ARGUMENT', `attribute must be a non-empty string (e.g. "category"), got ${preview(attribute)}`, {
      field: 'attribute',
    });
  const k = checkK(options.k);
  const ctx = need(c);
  const { file, error } = await trendingFile(ctx);
  if (!file)
    return {
      attribute,
      values: [],
      source: 'fallback',
      fallbackReason: 'no-trending',
      attributes: [],
      tookMs: now() - t0,
      ...(error ? { error } : {}),
    };
  const values = Object.entries(file.facets[attribute] ?? {})
    .map(([value, f]) => ({ value, shoppers: f.shoppers }))
    .sort((a, b) => b.shoppers - a.shoppers || (a.value < b.value ? -1 : 1))
    .slice(0, k);
  return {
    attribute,
    values,
    source: 'trending',
    attributes: Object.keys(file.facets),
    version: file.version,
    window: { ...file.window },
    tookMs: now() - t0,
  };
}
