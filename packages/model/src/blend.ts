/**
 * The validated blend of the model's scores with the bundle's co-occurrence table: one code path
 * for the trainer's evaluation and the browser runtime (through {@link SasrecScorer}), so what is
 * measured is what ships.
 *
 * Blended score of item `r` for a history of length `L`: `model(r) + w(L) · votes(r)`, where
 * `votes` are the co-occurrence votes of the history's last {@link BLEND_RECENT} items (weights
 * 1, 1/2, 1/3, newest first: the cold-start rule without its popularity tie-break) and `w(L)` the
 * weight of the length bucket `L` falls in, chosen on validation by the trainer. Votes are never
 * negative, so the blended top-k is inside the model's top-k plus the voted rows: the runtime
 * scores only those ({@link blendTop}), and gets the same list as the dense path.
 */

/** The bundle's co-occurrence table (the cold-start tensors `cold/cooc_items`, `cold/cooc_scores`). */
export interface CoocTable {
  /** `[itemCount + 1, neighbours]`: for row i, the items most often following it (0 = none). */
  coocItems: Int32Array;
  /** Their weights, normalised per row to the strongest (1.0). */
  coocScores: Float32Array;
  neighbours: number;
}

/** `manifest.blend`: the mixing weight of co-occurrence by history length. */
export interface ScoreBlend {
  kind: 'cooccurrence';
  /**
   * Upper bounds (inclusive) of the history-length buckets, ascending; the last bucket is open:
   * `weights.length === maxLengths.length + 1`. E.g. `[1, 2, 4]` → lengths 1 | 2 | 3–4 | 5+.
   */
  maxLengths: number[];
  /** Weight of the votes per bucket (≥ 0; 0 = the model alone). */
  weights: number[];
}

/** How many of the newest history items vote (as the cold-start rule). */
export const BLEND_RECENT = 3;

/** Largest weight a manifest may declare (far above any useful blend; keeps scores finite). */
const MAX_WEIGHT = 1e4;

/** Problems of a `manifest.blend` value (empty = valid). Never throws. */
export function blendProblems(b: unknown): string[] {
  if (typeof b !== 'object' || b === null) return ['manifest.blend: not an object ({ kind, maxLengths, weights })'];
  const x = b as Partial<ScoreBlend>;
  const p: string[] = [];
  if (x.kind !== 'cooccurrence') p.push(`manifest.blend.kind: ${JSON.stringify(x.kind)}, accepted: "cooccurrence"`);
  const ml = x.maxLengths;
  if (!Array.isArray(ml) || ml.length > 64 || ml.some((v, i) => !Number.isInteger(v) || v < 1 || (i > 0 && v <= ml[i - 1]!))) {
    p.push(`manifest.blend.maxLengths: ${JSON.stringify(ml)}, expected at most 64 ascending positive integers`);
  }
  const w = x.weights;
  if (!Array.isArray(w) || w.some((v) => typeof v !== 'number' || !(v >= 0 && v <= MAX_WEIGHT))) {
    p.push(`manifest.blend.weights: ${JSON.stringify(w)}, expected numbers from 0 to ${MAX_WEIGHT}`);
  } else if (Array.isArray(ml) && w.length !== ml.length + 1) {
    p.push(`manifest.blend.weights: ${w.length} values for ${ml.length} bucket bounds, expected ${ml.length + 1}`);
  }
  return p;
}

/** Index of the bucket a history of `length` items falls in. */
export function blendBucket(b: ScoreBlend, length: number): number {
  let i = 0;
  while (i < b.maxLengths.length && length > b.maxLengths[i]!) i++;
  return i;
}

/** The weight for a history of `length` items (0 without a blend). */
export function blendWeight(b: ScoreBlend | undefined, length: number): number {
  return b ? b.weights[blendBucket(b, length)]! : 0;
}

/** Co-occurrence votes of the history's newest items (oldest → newest rows; 0 = padding, skipped): row → vote. */
export function coocVotes(t: CoocTable, seq: ArrayLike<number>): Map<number, number> {
  const votes = new Map<number, number>();
  const M = t.neighbours;
  let used = 0;
  for (let i = seq.length - 1; i >= 0 && used < BLEND_RECENT; i--) {
    const a = seq[i]!;
    if (!a) continue;
    const w = 1 / ++used;
    for (let j = 0; j < M; j++) {
      const b = t.coocItems[a * M + j]!;
      if (!b) break;
      votes.set(b, (votes.get(b) ?? 0) + t.coocScores[a * M + j]! * w);
    }
  }
  return votes;
}

/** Number of real (non-padding) rows of a history. */
function realLength(seq: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < seq.length; i++) if (seq[i]) n++;
  return n;
}

/** Adds the blend to a dense score row (`itemCount + 1` values) in place; returns it. */
export function blendDense(scores: Float32Array, seq: ArrayLike<number>, t: CoocTable, b: ScoreBlend): Float32Array {
  const w = blendWeight(b, realLength(seq));
  if (w > 0) for (const [r, v] of coocVotes(t, seq)) if (r < scores.length) scores[r] = scores[r]! + w * v;
  return scores;
}

/** Adds the blend to `values`, the scores of `rows`, in place; returns them. */
export function blendSparse(
  values: Float32Array,
  rows: ArrayLike<number>,
  seq: ArrayLike<number>,
  t: CoocTable,
  b: ScoreBlend,
): Float32Array {
  const w = blendWeight(b, realLength(seq));
  if (!(w > 0)) return values;
  const votes = coocVotes(t, seq);
  for (let i = 0; i < rows.length; i++) {
    const v = votes.get(rows[i]!);
    if (v) values[i] = values[i]! + w * v;
  }
  return values;
}

/**
 * The blended scores of the model's best rows (`top`) and of the voted rows (their model scores
 * from `scoreOf`), best first: every row of `top` and every voted row, so that a caller skipping
 * ineligible rows still finds as many as in `top`. Exact: a row in neither set has a model score no
 * higher than the worst of `top`, and no vote.
 */
export function blendTop(
  top: { rows: Int32Array; values: Float32Array },
  seq: ArrayLike<number>,
  t: CoocTable,
  b: ScoreBlend,
  scoreOf: (rows: Int32Array) => Float32Array,
): { rows: Int32Array; values: Float32Array } {
  const w = blendWeight(b, realLength(seq));
  if (!(w > 0)) return top;
  const votes = coocVotes(t, seq);
  if (!votes.size) return top;
  const score = new Map<number, number>();
  top.rows.forEach((r, i) => score.set(r, top.values[i]!));
  const extra = Int32Array.from([...votes.keys()].filter((r) => !score.has(r)));
  const extraValues = extra.length ? scoreOf(extra) : new Float32Array(0);
  extra.forEach((r, i) => score.set(r, extraValues[i]!));
  for (const [r, v] of votes) score.set(r, Math.fround(score.get(r)! + w * v));
  // Best first; ties to the lower row, as tf.topk and the kernels order them.
  const order = [...score].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  return { rows: Int32Array.from(order, (e) => e[0]), values: Float32Array.from(order, (e) => e[1]) };
}
