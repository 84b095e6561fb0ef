/**
 * Cold-start answers from the bundle's tables, used with no history, no consent, no model
 * (backend not ready) or an exceeded time budget.
 *
 * Rule (the same as the trainer's co-occurrence baseline, `coocScoresFor`): the last three known
 * history items vote for the items that most often follow them with weights 1, 1/2, 1/3 (newest
 * first); popularity (×0.001) breaks ties and fills the list. Each item's reason names the
 * history item that contributed most ("Often bought after X"), or says "Popular right now".
 */
import type { ItemMeta, ScoredItem } from '@localrec/core';
import type { ModelData } from './model-data.js';
import { nameOf, type HistoryItem } from './ranking.js';

/** Scores of every row from the cold tables; `driver[r]` = the history index that contributed most (−1: popularity). */
export function coldScores(md: ModelData, history: readonly HistoryItem[]): { scores: Float32Array; driver: Int32Array } {
  const N = md.itemCount;
  const { popularItems, popularScores, coocItems, coocScores, neighbours: M } = md.cold;
  const scores = new Float32Array(N + 1);
  const driver = new Int32Array(N + 1).fill(-1);
  const best = new Float32Array(N + 1);
  popularItems.forEach((r, i) => {
    scores[r] = 1e-3 * popularScores[i]!;
  });
  let used = 0;
  for (let i = history.length - 1; i >= 0 && used < 3; i--) {
    const a = history[i]!.row;
    if (!a) continue;
    const w = 1 / (used + 1);
    used++;
    for (let j = 0; j < M; j++) {
      const b = coocItems[a * M + j]!;
      if (!b) break;
      const v = coocScores[a * M + j]! * w;
      scores[b]! += v;
      if (v > best[b]!) {
        best[b] = v;
        driver[b] = i;
      }
    }
  }
  return { scores, driver };
}

/** Turns cold-start rows into scored items with reasons. */
export function coldItems(
  md: ModelData,
  catalog: Record<string, ItemMeta>,
  rows: readonly number[],
  scores: Float32Array,
  driver: Int32Array,
  history: readonly HistoryItem[],
): ScoredItem[] {
  return rows.map((r) => {
    const itemId = md.vocab[r - 1]!;
    const d = driver[r]!;
    if (d >= 0) {
      const h = history[d]!;
      return {
        itemId,
        score: scores[r]!,
        source: 'cooccurrence',
        reason: { kind: 'cooccurrence', text: `Often chosen after ${nameOf(md, catalog, h.itemId)}`, itemIds: [h.itemId] },
      } satisfies ScoredItem;
    }
    return { itemId, score: scores[r]!, source: 'popular', reason: { kind: 'popular', text: 'Popular right now' } } satisfies ScoredItem;
  });
}
