/**
 * `frequentlyBoughtTogether(itemId | cart)` (issue 15): items shoppers buy with these.
 *
 * Rules:
 * - **Candidates**: the consequents of each anchor (the item, or every item of the cart) in the
 *   bundle's association rules (`associations.json`, mined by the trainer from purchase/cart
 *   co-occurrence). A candidate's table score is the noisy-or of its confidences over the anchors,
 *   `1 − Π (1 − confidence(anchor → candidate))`; its reason names the anchor of the highest
 *   confidence and that rule's lift ("Often bought with Blue Kettle (lift 2.4)").
 * - Without rules for the anchors (the bundle ships no `associations.json`, or none of the anchors
 *   has one) the bundle's co-occurrence table of the anchors, summed and scaled to [0, 1], marked
 *   `fallbackReason: 'no-associations'` (items `source: 'cooccurrence'`).
 * - The cart's items never come back, nor `exclude`d items, nor purchased ones (unless
 *   `excludePurchased: false`), nor ones other lists of the `dedupe` group returned; `filter` applies.
 * - Personalised by the model's score of the shopper's history (`personal.ts`); without it the
 *   rules' order, marked with why (`no-history`: the cold start, `no-consent`, `timeout`, …).
 * - Then the list steps of `recommend` (boost/bury, diversity, caps, pins, page).
 * Never rejects for a missing model, history or rules.
 */
import { LocalRecError, type RecommendOptions, type RecommendResult } from '@localrec/core';
import { preview } from '@localrec/core/internal';
import { catalogFor, eligibility, listAnswer, listCall, need, result, type AnswerContext, type ListContext } from './answers.js';
import { readShopper } from './history.js';
import { now } from './lazy.js';
import type { ModelData } from './model-data.js';
import { NO_SHOPPER, personalScores, personalise, type TableCandidate } from './personal.js';
import { nameOf } from './ranking.js';

/** Most anchors one call takes (a cart). */
const MAX_ANCHORS = 100;

/** The anchors of a call: one id or a cart's ids, checked, each once. */
function checkAnchors(items: unknown): string[] {
  const list: unknown[] = typeof items === 'string' ? [items] : Array.isArray(items) ? items : [];
  const ok = list.length > 0 && list.length <= MAX_ANCHORS && list.every((x) => typeof x === 'string' && x !== '');
  if (!ok) {
    throw new LocalRecError(
      'INVALID_ARGUMENT',
      `frequentlyBoughtTogether expects an item id or an array of 1..${MAX_ANCHORS} item ids (the cart), got ${preview(items)}`,
      { field: 'items', accepted: ['a non-empty item id string', `an array of 1..${MAX_ANCHORS} item id strings`] },
    );
  }
  return [...new Set(list as string[])];
}

const lift = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));

/** Candidates from the association rules of `anchors` (see the module documentation). */
function associationCandidates(md: ModelData, anchors: readonly string[], name: (id: string) => string): TableCandidate[] {
  const miss = new Map<string, { miss: number; best: number; anchor: string; lift: number }>();
  for (const a of anchors) {
    for (const [c, , , confidence, l] of md.associations?.get(a) ?? []) {
      const m = miss.get(c) ?? { miss: 1, best: -1, anchor: a, lift: l };
      m.miss *= 1 - confidence;
      if (confidence > m.best) Object.assign(m, { best: confidence, anchor: a, lift: l });
      miss.set(c, m);
    }
  }
  return [...miss]
    .map(([itemId, m]) => ({
      itemId,
      base: 1 - m.miss,
      source: 'associations' as const,
      reason: { kind: 'bought-together' as const, text: `Often bought with ${name(m.anchor)} (lift ${lift(m.lift)})`, itemIds: [m.anchor] },
    }))
    .sort((x, y) => y.base - x.base || (x.itemId < y.itemId ? -1 : 1));
}

/** Candidates from the bundle's co-occurrence table of `anchors`, scaled to [0, 1]. */
function cooccurrenceCandidates(md: ModelData, anchors: readonly string[], name: (id: string) => string): TableCandidate[] {
  const M = md.cold.neighbours;
  const sum = new Map<number, { s: number; anchor: string; best: number }>();
  for (const a of anchors) {
    const r = md.rowOf.get(a);
    if (r === undefined) continue;
    for (let j = 0; j < M; j++) {
      const c = md.cold.coocItems[r * M + j]!;
      const v = md.cold.coocScores[r * M + j]!;
      if (c <= 0 || !(v > 0)) continue;
      const e = sum.get(c) ?? { s: 0, anchor: a, best: -1 };
      e.s += v;
      if (v > e.best) Object.assign(e, { best: v, anchor: a });
      sum.set(c, e);
    }
  }
  const top = Math.max(0, ...[...sum.values()].map((e) => e.s));
  return [...sum]
    .map(([row, e]) => ({
      itemId: md.vocab[row - 1]!,
      base: top > 0 ? e.s / top : 0,
      source: 'cooccurrence' as const,
      reason: { kind: 'cooccurrence' as const, text: `Often viewed with ${name(e.anchor)}`, itemIds: [e.anchor] },
    }))
    .sort((x, y) => y.base - x.base || (x.itemId < y.itemId ? -1 : 1));
}

/**
 * Items frequently bought together with `items` (see the module documentation).
 * @throws {LocalRecError} `INVALID_ARGUMENT` for bad `items` or options; `NOT_READY` before `init`.
 */
export async function frequentlyBoughtTogether(
  c: AnswerContext | undefined,
  items: string | readonly string[],
  options: RecommendOptions = {},
  call?: ListContext,
): Promise<RecommendResult> {
  const t0 = now();
  const anchors = checkAnchors(items);
  const ctx = need(c);
  const list = {
    method: 'frequentlyBoughtTogether' as const,
    subject: anchors.join('\u0000'),
    args: [typeof items === 'string' ? items : anchors],
  };
  const lc = listCall(ctx, list, options, t0, call);
  const budgetMs = options.budgetMs ?? ctx.budgetMs;
  const md = await ctx.model.ready();
  if (!md) return listAnswer(ctx, lc, false, async () => ({ r: result(ctx, [], t0, md, 'no-model'), eligible: () => false, cut: false }));
  const shopper = options.personalise === false ? NO_SHOPPER : await readShopper(ctx, md, call);
  const catalog = catalogFor(ctx, md);
  const purchased = options.excludePurchased === false ? [] : shopper.purchased;
  const blocked = new Set([...anchors, ...(options.exclude ?? []), ...purchased, ...lc.shown]);
  const eligible = eligibility(catalog, blocked, lc.plan.match);
  const name = (id: string) => nameOf(md, catalog, id);
  let cands = associationCandidates(md, anchors, name).filter((x) => eligible(x.itemId));
  let why: RecommendResult['fallbackReason'];
  if (!cands.length) {
    cands = cooccurrenceCandidates(md, anchors, name).filter((x) => eligible(x.itemId));
    why = 'no-associations';
  }
  const personal = cands.length ? await personalScores(ctx, md, shopper, budgetMs, options.personalise !== false) : {};
  const r = result(ctx, personalise(cands, md, personal.scores), t0, md, why ?? personal.why);
  return listAnswer(ctx, lc, false, async () => ({ r, eligible, cut: false }));
}
