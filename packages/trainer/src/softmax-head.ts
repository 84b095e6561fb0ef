import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '@localrec/core';

/**
 * The softmax over the item table — the trainer's hot spot — computed outside the tfjs tape.
 *
 * The encoder's output `h` ([P, d], one row per position with a target) is scored against the
 * candidate items with tfjs matMuls on untaped tensors (the wasm kernels, fastest with the
 * candidates pre-transposed to [d, C]); the loss and the gradients are formed by hand:
 * with p = softmax(logits), dLoss/dlogits = p − onehot(target), so
 *   dh = p · C − E[target]        dC = pᵀ · h (scattered to the candidates' rows) − h at the target row.
 * The caller feeds `dh` back through the encoder (tf.customGrad) and adds the item-table gradient to
 * its own Adam, as it does for the input embeddings.
 */
export interface SoftmaxHeadInput {
  /** [P, d] final hidden states of the positions that have a target. */
  h: Float32Array;
  /** [P] target rows (1..itemCount). */
  targets: Int32Array;
  /** [(itemCount + 1), d] the item table (row 0 = padding, never a candidate). */
  table: Float32Array;
  dim: number;
  itemCount: number;
  /** Sampled softmax: the negatives drawn for this batch; absent: the full softmax over every item. */
  sample?: NegativeSample;
  /** Loss and gradients are divided by this (positions in the batch, or the mean per batch). */
  norm: number;
  /** dLoss/dTable is added here ([(itemCount + 1), d]). */
  tableGrad: Float32Array;
}

/** Shared negatives of one batch, deduplicated, with the logQ correction of each. */
export interface NegativeSample {
  rows: Int32Array;
  /** log of each row's expected count in the sample (subtracted from its logit). */
  logQ: Float32Array;
  /** log expected count of every item row (index 0 unused): the positives' correction. */
  logQAll: Float32Array;
}

/** Logits held at once, per chunk of positions (16 MB of float32). */
const CHUNK_VALUES = 1 << 22;

/** Transposes rows of `table` into a [d, rows.length] array (or rows 1..N when `rows` is absent). */
function candidatesT(table: Float32Array, d: number, n: number, rows?: Int32Array): Float32Array {
  const out = new Float32Array(d * n);
  for (let c = 0; c < n; c++) {
    const r = rows ? rows[c]! : c + 1;
    const o = r * d;
    for (let j = 0; j < d; j++) out[j * n + c] = table[o + j]!;
  }
  return out;
}

function candidates(table: Float32Array, d: number, n: number, rows?: Int32Array): Float32Array {
  if (!rows) return table.slice(d, (n + 1) * d);
  const out = new Float32Array(n * d);
  for (let c = 0; c < n; c++) out.set(table.subarray(rows[c]! * d, rows[c]! * d + d), c * d);
  return out;
}

/** Cross-entropy of each target against the candidates; returns the summed loss / norm and dLoss/dh. */
export function softmaxHead(x: SoftmaxHeadInput): { loss: number; dh: Float32Array } {
  const { h, targets, table, dim: d, itemCount: N, sample, norm, tableGrad } = x;
  const P = targets.length;
  const C = sample ? sample.rows.length : N;
  const dh = new Float32Array(P * d);
  const colOf = new Map<number, number>();
  if (sample) sample.rows.forEach((r, c) => colOf.set(r, c));
  const width = sample ? C + 1 : C;
  const chunk = Math.max(1, Math.min(P, Math.floor(CHUNK_VALUES / width)));
  let loss = 0;
  const candT = tf.tensor2d(candidatesT(table, d, C, sample?.rows), [d, C]);
  const cand = tf.tensor2d(candidates(table, d, C, sample?.rows), [C, d]);
  const bias = sample
    ? tf.tensor2d(
        sample.logQ.map((v) => -v),
        [1, C],
      )
    : undefined;
  const dCandT = new Float32Array(d * C);
  try {
    for (let p0 = 0; p0 < P; p0 += chunk) {
      const c = Math.min(chunk, P - p0);
      const hc = h.subarray(p0 * d, (p0 + c) * d);
      const hcT = new Float32Array(d * c);
      for (let i = 0; i < c; i++) for (let j = 0; j < d; j++) hcT[j * c + i] = hc[i * d + j]!;
      // The positive's logit, computed here (sampled: its own column 0; full: read back from p).
      const posLogit = new Float32Array(c);
      for (let i = 0; i < c; i++) {
        const t = targets[p0 + i]!;
        let s = 0;
        for (let j = 0; j < d; j++) s += hc[i * d + j]! * table[t * d + j]!;
        posLogit[i] = sample ? s - sample.logQAll[t]! : s;
      }
      const [pTarget, dhc, dct] = tf.tidy((): [tf.Tensor, tf.Tensor, tf.Tensor] => {
        const hT = tf.tensor2d(hc, [c, d]);
        let logits = tf.matMul(hT, candT);
        if (sample && bias) {
          logits = tf.add(logits, bias);
          // Accidental hits: a negative that is the row's own target is masked out.
          const hits: number[] = [];
          for (let i = 0; i < c; i++) {
            const col = colOf.get(targets[p0 + i]!);
            if (col !== undefined) hits.push(i, col);
          }
          if (hits.length) {
            const mask = tf.scatterND(tf.tensor2d(hits, [hits.length / 2, 2], 'int32'), tf.fill([hits.length / 2], -1e9), [c, C]);
            logits = tf.add(logits, mask);
          }
          logits = tf.concat([tf.tensor2d(posLogit, [c, 1]), logits], 1);
        }
        const p = tf.softmax(logits);
        const idx = new Int32Array(c * 2);
        for (let i = 0; i < c; i++) {
          idx[2 * i] = i;
          idx[2 * i + 1] = sample ? 0 : targets[p0 + i]! - 1;
        }
        const pt = tf.gatherND(p, tf.tensor2d(idx, [c, 2], 'int32'));
        const pn = sample ? tf.slice(p, [0, 1], [c, C]) : p;
        return [pt, tf.matMul(pn, cand), tf.matMul(tf.tensor2d(hcT, [d, c]), pn)];
      });
      const ptv = pTarget.dataSync() as Float32Array;
      const dhv = dhc.dataSync() as Float32Array;
      const dcv = dct.dataSync() as Float32Array;
      tf.dispose([pTarget, dhc, dct]);
      for (let k = 0; k < dcv.length; k++) dCandT[k]! += dcv[k]!;
      for (let i = 0; i < c; i++) {
        const t = targets[p0 + i]!;
        const pt = ptv[i]!;
        loss -= Math.log(Math.max(pt, 1e-30));
        // Full: p·C already holds p_t·E[t]; the one-hot adds −E[t]. Sampled: the positive's column
        // is not among the candidates, so its whole (p_t − 1)·E[t] is added here.
        const coef = sample ? pt - 1 : -1;
        const o = (p0 + i) * d;
        for (let j = 0; j < d; j++) {
          dh[o + j] = (dhv[i * d + j]! + coef * table[t * d + j]!) / norm;
          tableGrad[t * d + j]! += (coef * hc[i * d + j]!) / norm;
        }
      }
    }
  } finally {
    tf.dispose([candT, cand, ...(bias ? [bias] : [])]);
  }
  for (let cI = 0; cI < C; cI++) {
    const r = sample ? sample.rows[cI]! : cI + 1;
    for (let j = 0; j < d; j++) tableGrad[r * d + j]! += dCandT[j * C + cI]! / norm;
  }
  return { loss: loss / norm, dh };
}

/**
 * Draws the shared negatives of a batch: `k` draws from q = ½ uniform + ½ item frequency (so popular
 * items, the hard negatives of full ranking, are seen often and the tail is not starved), deduplicated;
 * each logit is corrected by the log of its expected count in the sample, k·q (logQ correction, as
 * TensorFlow's sampled_softmax_loss), which keeps the sampled loss an estimate of the full softmax.
 */
export class NegativeSampler {
  private readonly cdf: Float64Array;
  private readonly logQAll: Float32Array;
  constructor(
    counts: ArrayLike<number>,
    private readonly itemCount: number,
    private readonly k: number,
  ) {
    const N = itemCount;
    let total = 0;
    for (let r = 1; r <= N; r++) total += counts[r] ?? 0;
    this.cdf = new Float64Array(N);
    this.logQAll = new Float32Array(N + 1);
    let acc = 0;
    for (let r = 1; r <= N; r++) {
      const q = 0.5 / N + (total > 0 ? (0.5 * (counts[r] ?? 0)) / total : 0.5 / N);
      acc += q;
      this.cdf[r - 1] = acc;
      this.logQAll[r] = Math.log(k * q);
    }
  }

  /** Every row's log expected count in a sample (index 0 unused): the positives' correction. */
  get logQ(): Float32Array {
    return this.logQAll;
  }

  /** One batch's negatives. */
  draw(rng: SeededRandom): NegativeSample {
    const seen = new Set<number>();
    const top = this.cdf[this.itemCount - 1]!;
    for (let i = 0; i < this.k; i++) {
      const u = rng.next() * top;
      let lo = 0,
        hi = this.itemCount - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cdf[mid]! < u) lo = mid + 1;
        else hi = mid;
      }
      seen.add(lo + 1);
    }
    const rows = Int32Array.from(seen);
    return { rows, logQ: Float32Array.from(rows, (r) => this.logQAll[r]!), logQAll: this.logQAll };
  }
}
