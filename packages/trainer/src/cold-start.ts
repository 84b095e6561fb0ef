import type { Split } from './split.js';

/** Popularity and co-occurrence tables: the cold-start fallback shipped in every bundle, and two baselines. */
export interface ColdTables {
  /** Rows, most popular first. */
  popularItems: Int32Array;
  /** Interaction count of each entry of `popularItems`, normalised to the top item (1.0). */
  popularScores: Float32Array;
  /** Interaction count of every row (index 0 unused). */
  counts: Float32Array;
  /** `[itemCount + 1, M]`: for row i, the M items most often following i (0 = none). */
  coocItems: Int32Array;
  /** `[itemCount + 1, M]`: their weights, normalised per row to the strongest (1.0). */
  coocScores: Float32Array;
  neighbours: number;
}

/** Items within this many steps after an item count as its followers, weighted 1/distance. */
const COOC_WINDOW = 3;

/** Builds the tables from the training sequences only (no leakage into evaluation). */
export function buildColdTables(split: Split, opts: { popular?: number; neighbours?: number } = {}): ColdTables {
  const N = split.itemCount;
  const M = opts.neighbours ?? 10;
  const counts = new Float32Array(N + 1);
  const follow = new Map<number, Map<number, number>>();
  for (const s of split.train) {
    for (let i = 0; i < s.length; i++) {
      const a = s[i]!;
      counts[a]!++;
      for (let k = 1; k <= COOC_WINDOW && i + k < s.length; k++) {
        const b = s[i + k]!;
        if (b === a) continue;
        let m = follow.get(a);
        if (!m) follow.set(a, (m = new Map<number, number>()));
        m.set(b, (m.get(b) ?? 0) + 1 / k);
      }
    }
  }
  const P = Math.min(opts.popular ?? 1000, N);
  const order = Array.from({ length: N }, (_, i) => i + 1).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const popularItems = Int32Array.from(order.slice(0, P));
  const top = counts[order[0]!]! || 1;
  const popularScores = Float32Array.from(popularItems, (r) => counts[r]! / top);
  const coocItems = new Int32Array((N + 1) * M);
  const coocScores = new Float32Array((N + 1) * M);
  for (const [a, m] of follow) {
    const best = [...m].sort((x, y) => y[1] - x[1] || counts[y[0]]! - counts[x[0]]!).slice(0, M);
    const max = best[0]?.[1] || 1;
    best.forEach(([b, w], j) => {
      coocItems[a * M + j] = b;
      coocScores[a * M + j] = w / max;
    });
  }
  return { popularItems, popularScores, counts, coocItems, coocScores, neighbours: M };
}

/** Most-popular baseline: the same scores for every user. */
export function popularityScores(t: ColdTables): (seqs: Int32Array[]) => Promise<Float32Array[]> {
  return async (seqs) => seqs.map(() => t.counts);
}

/**
 * Item-to-item co-occurrence baseline (and the runtime's cold-start rule): the last three history
 * items vote for their followers with weights 1, 1/2, 1/3 (newest first); popularity breaks ties.
 */
export function coocScoresFor(t: ColdTables, seq: ArrayLike<number>, out: Float32Array): Float32Array {
  const M = t.neighbours;
  const top = t.counts.reduce((a, b) => Math.max(a, b), 0) || 1;
  for (let r = 1; r < out.length; r++) out[r] = 1e-3 * (t.counts[r]! / top);
  for (let k = 0; k < 3 && k < seq.length; k++) {
    const a = seq[seq.length - 1 - k]!;
    for (let j = 0; j < M; j++) {
      const b = t.coocItems[a * M + j]!;
      if (!b) break;
      out[b]! += t.coocScores[a * M + j]! / (k + 1);
    }
  }
  return out;
}

export function coocBaseline(t: ColdTables): (seqs: Int32Array[]) => Promise<Float32Array[]> {
  return async (seqs) => seqs.map((s) => coocScoresFor(t, s, new Float32Array(t.counts.length)));
}
