import type { CoocTable, ScoreBlend } from '@localrec/model';
import { coocVotes } from '@localrec/model';
import type { ScoreFn } from './evaluate.js';
import { CUTOFFS, ndcgAt } from './metrics.js';
import type { Split } from './split.js';

/** Options of {@link chooseBlend}. */
export interface BlendSearchOptions {
  /** Validation users (indices; their validation item is ranked with their training history). */
  users: number[];
  /** Candidate weights of the co-occurrence votes (0 = the model alone is always a candidate). */
  grid?: readonly number[];
  /** History-length bucket bounds (see {@link ScoreBlend.maxLengths}). */
  maxLengths?: readonly number[];
  /** A bucket with fewer validation users takes the weight chosen over all users. */
  minUsers?: number;
  batchSize?: number;
}

/** Default weight grid: geometric, from a nudge to co-occurrence first. */
const BLEND_GRID: readonly number[] = [0, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16];
/** Default history-length buckets: 1 | 2 | 3–4 | 5–8 | 9–16 | 17+. */
const BLEND_LENGTHS: readonly number[] = [1, 2, 4, 8, 16];

/** One bucket of the search: its users and the validation objective at the chosen weight and at 0. */
export interface BlendBucketReport {
  /** Lengths covered, e.g. `"3-4"`, `"17+"`. */
  lengths: string;
  users: number;
  weight: number;
  /** The objective ({@link blendObjective}) with the model alone and with the chosen weight. */
  model: number;
  blended: number;
}

/**
 * The validation objective a blend weight is chosen on: the mean of full-ranking NDCG@1, @5, @10
 * and @20, so that the choice serves the top of the list (where co-occurrence tends to win) as
 * well as the usual NDCG@10.
 */
export function blendObjective(rank: number): number {
  let s = 0;
  for (const k of CUTOFFS) s += ndcgAt(rank, k);
  return s / CUTOFFS.length;
}

/**
 * Chooses `manifest.blend` on the validation split, full ranking: for every validation user the
 * model's scores (`raw`, unblended) are blended at each weight of the grid, and each history-length
 * bucket keeps the weight with the best mean {@link blendObjective} (0 unless a weight is strictly
 * better). Returns `undefined` as the blend when every bucket keeps 0.
 */
export async function chooseBlend(
  raw: ScoreFn,
  split: Split,
  table: CoocTable,
  o: BlendSearchOptions,
): Promise<{ blend: ScoreBlend | undefined; buckets: BlendBucketReport[] }> {
  const grid = [0, ...(o.grid ?? BLEND_GRID).filter((w) => w > 0)];
  const maxLengths = [...(o.maxLengths ?? BLEND_LENGTHS)];
  const minUsers = o.minUsers ?? 100;
  const bs = o.batchSize ?? 256;
  const N = split.itemCount;
  const B = maxLengths.length + 1;
  const sums = Array.from({ length: B }, () => new Float64Array(grid.length));
  const counts = new Int32Array(B);
  const vote = new Float32Array(N + 1);
  const skip = new Uint8Array(N + 1);
  const above = new Float64Array(grid.length);
  for (let i = 0; i < o.users.length; i += bs) {
    const batch = o.users.slice(i, i + bs);
    const hist = batch.map((u) => split.train[u]!);
    const scores = await raw(hist, batch);
    batch.forEach((u, b) => {
      const seq = hist[b]!;
      const target = split.valid[u]!;
      const s = scores[b]!;
      let bucket = 0;
      while (bucket < maxLengths.length && seq.length > maxLengths[bucket]!) bucket++;
      const votes = coocVotes(table, seq);
      for (const [r, v] of votes) vote[r] = v;
      for (const r of seq) skip[r] = 1;
      skip[split.test[u]!] = 1;
      skip[target] = 0;
      above.fill(0);
      const st = s[target]!,
        vt = vote[target]!;
      for (let r = 1; r <= N; r++) {
        if (skip[r] || r === target) continue;
        const d = s[r]! - st,
          dv = vote[r]! - vt;
        // Blended r above the blended target: d + w·dv > 0 (ties count half, as evaluate does).
        for (let g = 0; g < grid.length; g++) {
          const x = d + grid[g]! * dv;
          if (x > 0) above[g]! += 1;
          else if (x === 0) above[g]! += 0.5;
        }
      }
      for (let g = 0; g < grid.length; g++) sums[bucket]![g]! += blendObjective(above[g]!);
      counts[bucket]!++;
      for (const r of votes.keys()) vote[r] = 0;
      for (const r of seq) skip[r] = 0;
      skip[split.test[u]!] = 0;
    });
  }
  const best = (row: Float64Array): number => {
    let g = 0;
    for (let j = 1; j < grid.length; j++) if (row[j]! > row[g]!) g = j;
    return g;
  };
  const all = new Float64Array(grid.length);
  for (const row of sums) row.forEach((v, g) => (all[g]! += v));
  const overall = best(all);
  const buckets: BlendBucketReport[] = [];
  const weights = sums.map((row, b) => {
    const n = counts[b]!;
    const g = n >= minUsers ? best(row) : overall;
    const lo = b === 0 ? 1 : maxLengths[b - 1]! + 1;
    const hi = maxLengths[b];
    buckets.push({
      lengths: hi === undefined ? `${lo}+` : hi === lo ? `${lo}` : `${lo}-${hi}`,
      users: n,
      weight: grid[g]!,
      model: n ? row[0]! / n : 0,
      blended: n ? row[g]! / n : 0,
    });
    return grid[g]!;
  });
  return { blend: weights.some((w) => w > 0) ? { kind: 'cooccurrence', maxLengths, weights } : undefined, buckets };
}
