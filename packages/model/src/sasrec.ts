import * as tf from '@tensorflow/tfjs-core';
import type { SasrecArchitecture } from './format.js';

/** Weights of one self-attention block, as tfjs tensors (float32). */
export interface BlockParams {
  ln1Gamma: tf.Tensor1D; ln1Beta: tf.Tensor1D;
  wq: tf.Tensor2D; bq: tf.Tensor1D; wk: tf.Tensor2D; bk: tf.Tensor1D;
  wv: tf.Tensor2D; bv: tf.Tensor1D; wo: tf.Tensor2D; bo: tf.Tensor1D;
  ln2Gamma: tf.Tensor1D; ln2Beta: tf.Tensor1D;
  w1: tf.Tensor2D; b1: tf.Tensor1D; w2: tf.Tensor2D; b2: tf.Tensor1D;
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
const matMul2d: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(
  ((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** `x [B, T, din] · w [din, dout] + b` as one 2-D matmul (the fast path on wasm/XNNPACK). */
function dense(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor3D {
  const [B, T, din] = x.shape;
  const y = tf.add(matMul2d(tf.reshape(x, [B * T, din]), w), b);
  return tf.reshape(y, [B, T, w.shape[1]]);
}

function maybeDropout<T extends tf.Tensor>(x: T, o: EncodeOptions): T {
  return o.training && o.dropout && o.dropout > 0 ? (tf.dropout(x, o.dropout) as T) : x;
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
  return tf.mul(tf.sub(1, allowed), NEG_INF) as tf.Tensor4D;
}

function attention(
  q: tf.Tensor3D, kv: tf.Tensor3D, p: BlockParams, heads: number, bias: tf.Tensor4D, o: EncodeOptions,
): tf.Tensor3D {
  const [B, T, d] = q.shape;
  const dh = d / heads;
  const split = (x: tf.Tensor3D): tf.Tensor3D => heads === 1
    ? x
    : tf.reshape(tf.transpose(tf.reshape(x, [B, T, heads, dh]), [0, 2, 1, 3]), [B * heads, T, dh]);
  const Q = split(dense(q, p.wq, p.bq));
  const K = split(dense(kv, p.wk, p.bk));
  const V = split(dense(kv, p.wv, p.bv));
  let scores = tf.mul(tf.matMul(Q, K, false, true), 1 / Math.sqrt(dh)) as tf.Tensor3D; // [B*h, T, T]
  scores = tf.reshape(tf.add(tf.reshape(scores, [B, heads, T, T]), bias), [B * heads, T, T]);
  const weights = maybeDropout(tf.softmax(scores), o);
  let out = tf.matMul(weights, V) as tf.Tensor3D; // [B*h, T, dh]
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
  arch: SasrecArchitecture, params: EncoderParams, itemEmb: tf.Tensor3D, mask: tf.Tensor3D, o: EncodeOptions = {},
): tf.Tensor3D {
  const [, T, d] = itemEmb.shape;
  if (T > arch.maxLen) throw new RangeError(`encodeSequence: sequence length ${T} exceeds maxLen ${arch.maxLen}`);
  const eps = arch.layerNormEps;
  const pos = tf.slice(params.posEmb, [arch.maxLen - T, 0], [T, d]);
  let x = tf.add(tf.mul(itemEmb, Math.sqrt(d)), pos) as tf.Tensor3D;
  x = tf.mul(maybeDropout(x, o), mask) as tf.Tensor3D;
  const bias = attentionBias(mask);
  for (const p of params.blocks) {
    if (arch.norm === 'pre') {
      const h = layerNorm(x, p.ln1Gamma, p.ln1Beta, eps) as tf.Tensor3D;
      x = tf.add(x, attention(h, h, p, arch.heads, bias, o)) as tf.Tensor3D;
      const g = layerNorm(x, p.ln2Gamma, p.ln2Beta, eps) as tf.Tensor3D;
      x = tf.add(x, feedForward(g, p, o)) as tf.Tensor3D;
    } else {
      x = layerNorm(tf.add(x, attention(x, x, p, arch.heads, bias, o)), p.ln1Gamma, p.ln1Beta, eps) as tf.Tensor3D;
      x = layerNorm(tf.add(x, feedForward(x, p, o)), p.ln2Gamma, p.ln2Beta, eps) as tf.Tensor3D;
    }
    x = tf.mul(x, mask) as tf.Tensor3D;
  }
  return layerNorm(x, params.finalGamma, params.finalBeta, eps) as tf.Tensor3D;
}
