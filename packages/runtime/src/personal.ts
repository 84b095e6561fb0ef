/**
 * Personalising a list the shop's tables chose (`frequentlyBoughtTogether`, `trending`): the model
 * scores the shopper's history once, and each candidate's table score is blended with its model
 * score. Rule: `final = (1 − w) · base + w · personal`, where `base` is the candidate's table score
 * in [0, 1] (noisy-or of confidences, share of the top count) and `personal` its model score
 * min-max-normalised over the candidates the model knows (0 for an item it does not know), with
 * `w` = {@link PERSONAL_WEIGHT}. Without a model score (no consent, no history, no model, a store
 * error, the time budget spent) the list is the table's order, and the answer says why (`why`).
 */
import type { RecommendResult, Reason, ScoredItem } from '@localrec/core';
import { modelRows, type AnswerContext } from './answers.js';
import type { Shopper } from './history.js';
import { within } from './lazy.js';
import type { ModelData } from './model-data.js';

/** Weight of the model's score of the shopper's history in a personalised table list. */
export const PERSONAL_WEIGHT = 0.3;

type Why = RecommendResult['fallbackReason'];

/** The shopper of an answer that may read no history (`personalise: false`). */
export const NO_SHOPPER: Readonly<Shopper> = Object.freeze({ history: [], purchased: new Set<string>(), storeError: false, readMs: 0 });

/** The model's scores of every row for the shopper's history, or why there are none (`allowed` false: history may not be used). */
export async function personalScores(
  ctx: AnswerContext,
  md: ModelData | undefined,
  shopper: Shopper,
  budgetMs: number,
  allowed = true,
): Promise<{ scores?: ArrayLike<number>; why?: Why }> {
  if (ctx.consent !== 'granted' || !allowed) return { why: 'no-consent' };
  if (!md) return { why: 'no-model' };
  if (shopper.storeError) return { why: 'error' };
  const seq = modelRows(shopper.history);
  if (!seq.length) return { why: 'no-history' };
  const engine = await ctx.engine.ready(budgetMs);
  if (!engine) return { why: 'no-model' };
  if (budgetMs <= 0) return { why: 'timeout' };
  const scores = (
    await within(
      ctx.engine.serial(() => engine.scorer.scores([seq])),
      budgetMs,
    )
  )?.[0];
  return scores ? { scores } : { why: 'timeout' };
}

/** A candidate of a table list: its table score in [0, 1] and how it is explained. */
export interface TableCandidate {
  itemId: string;
  base: number;
  reason: Reason;
  source: ScoredItem['source'];
}

/** The candidates as scored items, best first (see the module documentation; ties: the table's order). */
export function personalise(
  cands: readonly TableCandidate[],
  md: ModelData | undefined,
  scores: ArrayLike<number> | undefined,
): ScoredItem[] {
  let lo = Infinity;
  let hi = -Infinity;
  const own = cands.map((c) => {
    const r = md?.rowOf.get(c.itemId);
    const v = scores && r !== undefined ? scores[r] : undefined;
    if (v !== undefined && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return v;
  });
  const items = cands.map((c, i) => {
    const v = own[i];
    const p = v === undefined || !Number.isFinite(v) || hi <= lo ? 0 : (v - lo) / (hi - lo);
    const score = scores ? (1 - PERSONAL_WEIGHT) * c.base + PERSONAL_WEIGHT * p : c.base;
    return { i, item: { itemId: c.itemId, score, source: c.source, reason: c.reason } satisfies ScoredItem };
  });
  return items.sort((a, b) => b.item.score - a.item.score || a.i - b.i).map((x) => x.item);
}
