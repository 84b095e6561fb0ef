import * as tf from '@tensorflow/tfjs-core';
import type { SasrecArchitecture } from './format.js';
import { Float32Rows, type ItemRows } from './item-rows.js';

/** Weights of one self-attention block, as tfjs tensors (float32). */
export interface BlockParams {
  ln1Gamma: tf.Tensor1D;
  ln1Beta: tf.Tensor1D;
  wq: tf.Tensor2D;
  bq: tf.Tensor1D;
  wk: tf.Tensor2D;
  bk: tf.Tensor1D;
  wv: tf.Tensor2D;
  bv: tf.Tensor1D;
  wo: tf.Tensor2D;
  bo: tf.Tensor1D;
  ln2Gamma: tf.Tensor1D;
  ln2Beta: tf.Tensor1D;
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
}

/** The sequence encoder's weights (everything except the item table, which callers gather from). */
export interface EncoderParams {
  posEmb: tf.Tensor2D;
  blocks: BlockParams[];
  finalGamma: tf.Tensor1D;
  finalBeta: tf.Tensor1D;
}

export interface EncodeOptions {
  /** Apply dropout (training only). */
  training?: boolean;
  dropout?: number;
  /**
   * The seed of each dropout mask, asked once per mask (training): with a seeded generator the
   * masks, and so training, are reproducible. Without it tfjs draws unseeded masks.
   */
  dropoutSeed?: () => number;
}

const NEG_INF = -1e9;

function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/**
 * `x · w` for 2-D tensors whose gradient uses explicitly transposed operands: on the wasm backend only
 * untransposed 2-D matMul takes the XNNPACK fast path, and the default gradient's transposed
 * matMuls were ~8× slower than a transpose followed by a plain matMul.
 */
const matMul2d: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(((
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  save: tf.GradSaveFunc,
) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** `x [B, T, din] · w [din, dout] + b` as one 2-D matmul (the fast path on wasm/XNNPACK). */
function dense(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor3D {
  const [B, T, din] = x.shape;
  const y = tf.add(matMul2d(tf.reshape(x, [B * T, din]), w), b);
  return tf.reshape(y, [B, T, w.shape[1]]);
}

function maybeDropout<T extends tf.Tensor>(x: T, o: EncodeOptions): T {
  return o.training && o.dropout && o.dropout > 0 ? (tf.dropout(x, o.dropout, undefined, o.dropoutSeed?.()) as T) : x;
}

/**
 * Additive attention bias `[B, 1, T, T]`: 0 where query t may attend key s (s ≤ t and key s is
 * not padding), −1e9 elsewhere. Masking padding keys makes a right-aligned sequence of length T
 * give exactly the same last-position output as the same sequence padded to any longer length.
 */
function attentionBias(mask: tf.Tensor3D): tf.Tensor4D {
  const [B, T] = mask.shape;
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // lower triangular incl. diagonal
  const keyValid = tf.reshape(mask, [B, 1, 1, T]);
  const allowed = tf.mul(tf.reshape(causal, [1, 1, T, T]), keyValid);
  return tf.mul<tf.Tensor4D>(tf.sub(1, allowed), NEG_INF);
}

function attention(q: tf.Tensor3D, kv: tf.Tensor3D, p: BlockParams, heads: number, bias: tf.Tensor4D, o: EncodeOptions): tf.Tensor3D {
  const [B, T, d] = q.shape;
  const dh = d / heads;
  const split = (x: tf.Tensor3D): tf.Tensor3D =>
    heads === 1 ? x : tf.reshape(tf.transpose(tf.reshape(x, [B, T, heads, dh]), [0, 2, 1, 3]), [B * heads, T, dh]);
  const Q = split(dense(q, p.wq, p.bq));
  const K = split(dense(kv, p.wk, p.bk));
  const V = split(dense(kv, p.wv, p.bv));
  let scores = tf.mul<tf.Tensor3D>(tf.matMul(Q, K, false, true), 1 / Math.sqrt(dh)); // [B*h, T, T]
  scores = tf.reshape(tf.add(tf.reshape(scores, [B, heads, T, T]), bias), [B * heads, T, T]);
  const weights = maybeDropout(tf.softmax(scores), o);
  let out = tf.matMul<tf.Tensor3D>(weights, V); // [B*h, T, dh]
  if (heads > 1) out = tf.reshape(tf.transpose(tf.reshape(out, [B, heads, T, dh]), [0, 2, 1, 3]), [B, T, d]);
  return dense(out, p.wo, p.bo);
}

function feedForward(x: tf.Tensor3D, p: BlockParams, o: EncodeOptions): tf.Tensor3D {
  const h = maybeDropout(tf.relu(dense(x, p.w1, p.b1)), o);
  return maybeDropout(dense(h, p.w2, p.b2), o);
}

/**
 * The SASRec sequence encoder (Kang & McAuley 2018), shared by the trainer and the on-device runtime.
 *
 * @param itemEmb gathered item embeddings of the input sequence, `[B, T, d]`, right-aligned
 *   (padding rows are zero vectors and `mask` is 0 there). `T ≤ arch.maxLen`; slot `t` gets
 *   position `maxLen − T + t`, so a shorter window is the same as a padded full-length one.
 * @param mask `[B, T, 1]`, 1 for real items, 0 for padding.
 * @returns hidden states `[B, T, d]`; the last slot is the user's representation.
 */
export function encodeSequence(
  arch: SasrecArchitecture,
  params: EncoderParams,
  itemEmb: tf.Tensor3D,
  mask: tf.Tensor3D,
  o: EncodeOptions = {},
): tf.Tensor3D {
  const [, T, d] = itemEmb.shape;
  if (T > arch.maxLen) throw new RangeError(`encodeSequence: sequence length ${T} exceeds maxLen ${arch.maxLen}`);
  const eps = arch.layerNormEps;
  const pos = tf.slice(params.posEmb, [arch.maxLen - T, 0], [T, d]);
  let x = tf.add<tf.Tensor3D>(tf.mul(itemEmb, Math.sqrt(d)), pos);
  x = tf.mul<tf.Tensor3D>(maybeDropout(x, o), mask);
  const bias = attentionBias(mask);
  for (const p of params.blocks) {
    if (arch.norm === 'pre') {
      const h = layerNorm(x, p.ln1Gamma, p.ln1Beta, eps) as tf.Tensor3D;
      x = tf.add<tf.Tensor3D>(x, attention(h, h, p, arch.heads, bias, o));
      const g = layerNorm(x, p.ln2Gamma, p.ln2Beta, eps) as tf.Tensor3D;
      x = tf.add<tf.Tensor3D>(x, feedForward(g, p, o));
    } else {
      x = layerNorm(tf.add(x, attention(x, x, p, arch.heads, bias, o)), p.ln1Gamma, p.ln1Beta, eps) as tf.Tensor3D;
      x = layerNorm(tf.add(x, feedForward(x, p, o)), p.ln2Gamma, p.ln2Beta, eps) as tf.Tensor3D;
    }
    x = tf.mul<tf.Tensor3D>(x, mask);
  }
  return layerNorm(x, params.finalGamma, params.finalBeta, eps) as tf.Tensor3D;
}

// ---------------------------------------------------------------------------------------------
// Inference-only path: the user representation (the last slot's final hidden state) with fewer,
// smaller backend ops. Same arithmetic as `encodeSequence(...)[:, T−1]` up to float rounding
// (fused bias adds); the unit test `packages/model/test/inference.test.ts` pins the equality.
// ---------------------------------------------------------------------------------------------

/** LayerNorm over the last axis in 9 backend ops (`tf.moments` takes 6 for the statistics alone). */
function layerNormRows(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  const xc = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add<tf.Tensor2D>(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** Residual sum of two `[n, d]` tensors. */
const add2 = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.add(a, b);

/** `x [n, din] · w + b` (+ ReLU) as one fused backend op. */
function fdense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu = false): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w, bias: b, activation: relu ? 'relu' : 'linear' }) as tf.Tensor2D;
}

/**
 * Attention of `q` `[B·Tq, d]` over keys/values `k`, `v` `[B·T, d]` with an additive `bias`
 * `[B, Tq, T]` (already holding −1e9 where a key is not allowed). Returns `[B·Tq, d]`.
 */
function attend(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  bias: tf.Tensor,
  B: number,
  Tq: number,
  T: number,
  heads: number,
): tf.Tensor2D {
  const d = q.shape[1];
  const dh = d / heads;
  const scale = 1 / Math.sqrt(dh);
  if (heads === 1 && B === 1) {
    // One sequence, one head: 2-D matmuls, no reshapes.
    // An explicit transpose + plain matmul: wasm's transposed matmul is ~4x slower.
    const s = tf.add(tf.mul(tf.matMul(q, tf.transpose(k)), scale), tf.reshape(bias, [Tq, T]));
    return tf.matMul(tf.softmax(s), v);
  }
  const split = (x: tf.Tensor2D, t: number): tf.Tensor3D =>
    heads === 1 ? tf.reshape(x, [B, t, d]) : tf.reshape(tf.transpose(tf.reshape(x, [B, t, heads, dh]), [0, 2, 1, 3]), [B * heads, t, dh]);
  const Q = split(q, Tq),
    K = split(k, T),
    V = split(v, T);
  let s = tf.mul<tf.Tensor3D>(tf.matMul(Q, tf.transpose(K, [0, 2, 1])), scale); // [B·h, Tq, T]
  s = tf.reshape(tf.add(tf.reshape(s, [B, heads, Tq, T]), tf.reshape(bias, [B, 1, Tq, T])), [B * heads, Tq, T]);
  const out = tf.matMul<tf.Tensor3D>(tf.softmax(s), V); // [B·h, Tq, dh]
  return heads === 1
    ? tf.reshape(out, [B * Tq, d])
    : tf.reshape(tf.transpose(tf.reshape(out, [B, heads, Tq, dh]), [0, 2, 1, 3]), [B * Tq, d]);
}

/**
 * Host-built additive attention biases from the padding layout `valid` (`B·T`, 1 = real item):
 * `full` `[B, T, T]` (causal + key padding, as {@link encodeSequence}'s) and `last` `[B, 1, T]`,
 * the last query slot's row (it may see every real key).
 */
function hostBiases(valid: ArrayLike<number>, B: number, T: number): { full: Float32Array; last: Float32Array } {
  const full = new Float32Array(B * T * T);
  const last = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const keyOk = valid[b * T + s] !== 0;
      if (!keyOk) last[b * T + s] = NEG_INF;
      for (let t = 0; t < T; t++) if (!keyOk || s > t) full[(b * T + t) * T + s] = NEG_INF;
    }
  }
  return { full, last };
}

/**
 * The encoder's input embeddings on the host: for each slot of the right-aligned `rows` (`B·T`,
 * 0 = padding) item·√d + position (position `maxLen − T + t`, as in {@link encodeSequence});
 * padding slots stay zero. Returns `B·T·d` floats, row-major.
 * @param itemTable `[N+1, d]` item embeddings (float32, or any {@link ItemRows}, e.g. int8); @param posTable `[maxLen, d]`.
 */
export function embedSequences(
  arch: SasrecArchitecture,
  itemTable: Float32Array | ItemRows,
  posTable: Float32Array,
  rows: ArrayLike<number>,
  B: number,
  T: number,
): Float32Array {
  const d = arch.dim;
  const scale = Math.sqrt(d);
  const out = new Float32Array(B * T * d);
  const items = itemTable instanceof Float32Array ? new Float32Rows(itemTable, d) : itemTable;
  const row = new Float32Array(d);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const r = rows[b * T + t]!;
      if (r === 0) continue;
      if (!(r > 0 && r < items.count)) {
        throw new RangeError(`embedSequences: item row ${r} is outside 1..${items.count - 1}`);
      }
      const o = (b * T + t) * d,
        e = items.read(r, row),
        p = (arch.maxLen - T + t) * d;
      for (let j = 0; j < d; j++) out[o + j] = Math.fround(e[j]! * scale) + posTable[p + j]!;
    }
  }
  return out;
}

/**
 * Inference-only SASRec encoder: the user representations `[B, d]`, i.e. the final hidden state
 * of the LAST slot — numerically the same as `encodeSequence(arch, params, itemEmb, mask)` sliced
 * at slot `T − 1` (up to float rounding), with less work:
 * - the last block computes keys/values for every slot but the query, attention output,
 *   feed-forward and LayerNorms only for the last slot (no later slot reads any other row);
 * - the input embeddings and attention masks are built on the host (see {@link embedSequences}):
 *   two small uploads instead of a gather and ~10 backend ops;
 * - dense layers are fused matmul + bias (+ ReLU) ops on 2-D tensors (the fast path on wasm);
 * - padding rows are not re-zeroed between blocks: they are masked as keys (−1e9 bias → weight
 *   exactly 0), so no real slot reads them; the last slot is zeroed iff it is padding (an empty
 *   sequence), which gives the same output as the full path.
 * Never use it for training (no dropout, no gradient-friendly ops); the trainer keeps
 * {@link encodeSequence}.
 *
 * @param input the encoder's input embeddings `[B, T, d]`, right-aligned: item·√d + position, as
 *   {@link embedSequences} computes them (padding rows may be anything finite).
 * @param valid `B·T` host values, row-major like `input`: non-zero for a real item, 0 for padding
 *   (the packed item rows themselves will do).
 */
export function encodeLast(arch: SasrecArchitecture, params: EncoderParams, input: tf.Tensor3D, valid: ArrayLike<number>): tf.Tensor2D {
  const [B, T, d] = input.shape;
  if (T > arch.maxLen) throw new RangeError(`encodeLast: sequence length ${T} exceeds maxLen ${arch.maxLen}`);
  if (valid.length !== B * T) throw new RangeError(`encodeLast: valid has ${valid.length} flags, expected B·T = ${B * T}`);
  const eps = arch.layerNormEps;
  const pre = arch.norm === 'pre';
  const { full, last } = hostBiases(valid, B, T);
  let emptyLast = false;
  for (let b = 0; b < B; b++) if (valid[b * T + T - 1] === 0) emptyLast = true;
  // Padding rows of `x` may hold position embeddings instead of zeros: harmless, they are masked keys.
  let x = tf.reshape<tf.Rank.R2>(input, [B * T, d]);
  const nb = params.blocks.length;
  const lastRows = (t: tf.Tensor2D): tf.Tensor2D =>
    B === 1 ? tf.slice(t, [T - 1, 0], [1, d]) : tf.reshape(tf.slice(tf.reshape(t, [B, T, d]), [0, T - 1, 0], [B, 1, d]), [B, d]);
  const ffn = (g: tf.Tensor2D, p: BlockParams) => fdense(fdense(g, p.w1, p.b1, true), p.w2, p.b2);
  let u: tf.Tensor2D;
  if (nb > 1) {
    const fullBias = tf.tensor3d(full, [B, T, T]);
    for (let i = 0; i < nb - 1; i++) {
      const p = params.blocks[i]!;
      const h = pre ? layerNormRows(x, p.ln1Gamma, p.ln1Beta, eps) : x;
      const a = fdense(
        attend(fdense(h, p.wq, p.bq), fdense(h, p.wk, p.bk), fdense(h, p.wv, p.bv), fullBias, B, T, T, arch.heads),
        p.wo,
        p.bo,
      );
      if (pre) {
        x = add2(x, a);
        x = add2(x, ffn(layerNormRows(x, p.ln2Gamma, p.ln2Beta, eps), p));
      } else {
        x = layerNormRows(add2(x, a), p.ln1Gamma, p.ln1Beta, eps);
        x = layerNormRows(add2(x, ffn(x, p)), p.ln2Gamma, p.ln2Beta, eps);
      }
    }
  }
  if (nb > 0) {
    const p = params.blocks[nb - 1]!;
    const h = pre ? layerNormRows(x, p.ln1Gamma, p.ln1Beta, eps) : x;
    const xl = lastRows(x);
    const q = fdense(pre ? lastRows(h) : xl, p.wq, p.bq);
    const a = fdense(
      attend(q, fdense(h, p.wk, p.bk), fdense(h, p.wv, p.bv), tf.tensor3d(last, [B, 1, T]), B, 1, T, arch.heads),
      p.wo,
      p.bo,
    );
    if (pre) {
      u = add2(xl, a);
      u = add2(u, ffn(layerNormRows(u, p.ln2Gamma, p.ln2Beta, eps), p));
    } else {
      u = layerNormRows(add2(xl, a), p.ln1Gamma, p.ln1Beta, eps);
      u = layerNormRows(add2(u, ffn(u, p)), p.ln2Gamma, p.ln2Beta, eps);
    }
  } else u = lastRows(x);
  if (emptyLast) {
    const m = new Float32Array(B);
    for (let b = 0; b < B; b++) m[b] = valid[b * T + T - 1] === 0 ? 0 : 1;
    u = tf.mul<tf.Tensor2D>(u, tf.tensor2d(m, [B, 1]));
  }
  return layerNormRows(u, params.finalGamma, params.finalBeta, eps);
}
