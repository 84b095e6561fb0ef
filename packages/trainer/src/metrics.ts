/**
 * Ranking metrics for one held-out item per user (leave-one-out).
 * `rank` is 0-based: the number of competing items scored above the target, plus half the number
 * tied with it (the expected rank under random tie-breaking, so constant scores get no credit).
 */
export const CUTOFFS = [1, 5, 10, 20] as const;

/** 0-based rank of `target` among `candidates` by `scores`. */
export function rankOf(scores: ArrayLike<number>, target: number, candidates: Iterable<number>): number {
  const s = scores[target]!;
  let above = 0;
  let ties = 0;
  for (const c of candidates) {
    if (c === target) continue;
    const v = scores[c]!;
    if (v > s) above++;
    else if (v === s) ties++;
  }
  return above + ties / 2;
}

/** Hit rate at k for one user: 1 when the target ranks within the top k. */
export const hitAt = (rank: number, k: number): number => (rank < k ? 1 : 0);
/** NDCG at k for one relevant item: 1 / log2(rank + 2) within the top k. */
export const ndcgAt = (rank: number, k: number): number => (rank < k ? 1 / Math.log2(rank + 2) : 0);
/** Precision at k for one relevant item: HR@k / k. */
export const precisionAt = (rank: number, k: number): number => hitAt(rank, k) / k;
/** Recall at k for one relevant item: equals HR@k. */
export const recallAt = (rank: number, k: number): number => hitAt(rank, k);
/** F1 at k for one relevant item: 2PR / (P + R) = 2 / (k + 1) on a hit, else 0. */
export const f1At = (rank: number, k: number): number => {
  const p = precisionAt(rank, k),
    r = recallAt(rank, k);
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
};
/** Reciprocal rank (no cut-off). */
export const reciprocalRank = (rank: number): number => 1 / (rank + 1);

/** Accumulates per-user ranks into the metric table printed by `eval`. */
export class MetricAccumulator {
  private n = 0;
  private sums = new Map<string, number>();
  constructor(
    private readonly ks: readonly number[] = CUTOFFS,
    private readonly full = false,
  ) {}

  add(rank: number): void {
    this.n++;
    const add = (k: string, v: number) => this.sums.set(k, (this.sums.get(k) ?? 0) + v);
    for (const k of this.ks) {
      add(`HR@${k}`, hitAt(rank, k));
      add(`NDCG@${k}`, ndcgAt(rank, k));
      if (this.full) {
        // One relevant item per user: recall@k equals HR@k, precision@k is HR@k / k.
        add(`Recall@${k}`, recallAt(rank, k));
        add(`Precision@${k}`, precisionAt(rank, k));
        add(`F1@${k}`, f1At(rank, k));
      }
    }
    add('MRR', reciprocalRank(rank));
  }

  get count(): number {
    return this.n;
  }

  result(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.sums) out[k] = this.n ? v / this.n : 0;
    out.users = this.n;
    return out;
  }
}

/**
 * Catalogue coverage: the share of the catalogue's items that appear in at least one user's
 * top-k list.
 */
export function catalogueCoverage(lists: Iterable<ArrayLike<number>>, itemCount: number): number {
  const seen = new Set<number>();
  for (const l of lists) for (let i = 0; i < l.length; i++) seen.add(l[i]!);
  return itemCount > 0 ? seen.size / itemCount : 0;
}

/**
 * Intra-list diversity of one list: the mean over its pairs of 1 − sim(i, j) (0 for a list of
 * fewer than two items). `sim` is an item-item similarity in [0, 1].
 */
export function intraListDiversity(list: ArrayLike<number>, sim: (a: number, b: number) => number): number {
  let sum = 0,
    pairs = 0;
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      sum += 1 - sim(list[i]!, list[j]!);
      pairs++;
    }
  return pairs ? sum / pairs : 0;
}
