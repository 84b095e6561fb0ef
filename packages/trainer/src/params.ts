import * as tf from '@tensorflow/tfjs-core';
import {
  type BLOCK_TENSORS,
  TENSOR_NAMES,
  blockTensorName,
  type BlockParams,
  type EncoderParams,
  type FloatWeights,
  type SasrecArchitecture,
} from '@localrec/model';
import { SeededRandom } from '@localrec/core';

/** Xavier/Glorot normal initialisation, as the reference PyTorch SASRec. */
function xavier(rng: SeededRandom, fanIn: number, fanOut: number, n: number): Float32Array {
  const std = Math.sqrt(2 / (fanIn + fanOut));
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * std;
  return a;
}

/** The trainable encoder as tfjs variables, plus the item table kept outside tfjs (see train.ts). */
export interface TrainableModel {
  arch: SasrecArchitecture;
  itemCount: number;
  /** `[itemCount + 1, d]` row-major; row 0 (padding) stays zero. */
  itemTable: Float32Array;
  vars: Map<string, tf.Variable>;
  encoder: EncoderParams;
}

export function initModel(arch: SasrecArchitecture, itemCount: number, seed: number): TrainableModel {
  const rng = SeededRandom.fromInt(seed);
  const d = arch.dim;
  const itemTable = xavier(rng, itemCount + 1, d, (itemCount + 1) * d);
  itemTable.fill(0, 0, d);
  const vars = new Map<string, tf.Variable>();
  const v = (name: string, shape: number[], data: Float32Array) => {
    const t = tf.variable(tf.tensor(data, shape), true, name.replace(/\//g, '_'));
    vars.set(name, t);
    return t;
  };
  const ones = (n: number) => new Float32Array(n).fill(1);
  const zeros = (n: number) => new Float32Array(n);
  const posEmb = v(TENSOR_NAMES.positionEmbedding, [arch.maxLen, d], xavier(rng, arch.maxLen, d, arch.maxLen * d));
  const blocks: BlockParams[] = [];
  for (let b = 0; b < arch.blocks; b++) {
    const n = (k: (typeof BLOCK_TENSORS)[number]) => blockTensorName(b, k);
    blocks.push({
      ln1Gamma: v(n('ln1/gamma'), [d], ones(d)) as tf.Variable<tf.Rank.R1>,
      ln1Beta: v(n('ln1/beta'), [d], zeros(d)) as tf.Variable<tf.Rank.R1>,
      wq: v(n('attn/wq'), [d, d], xavier(rng, d, d, d * d)) as tf.Variable<tf.Rank.R2>,
      bq: v(n('attn/bq'), [d], zeros(d)) as tf.Variable<tf.Rank.R1>,
      wk: v(n('attn/wk'), [d, d], xavier(rng, d, d, d * d)) as tf.Variable<tf.Rank.R2>,
      bk: v(n('attn/bk'), [d], zeros(d)) as tf.Variable<tf.Rank.R1>,
      wv: v(n('attn/wv'), [d, d], xavier(rng, d, d, d * d)) as tf.Variable<tf.Rank.R2>,
      bv: v(n('attn/bv'), [d], zeros(d)) as tf.Variable<tf.Rank.R1>,
      wo: v(n('attn/wo'), [d, d], xavier(rng, d, d, d * d)) as tf.Variable<tf.Rank.R2>,
      bo: v(n('attn/bo'), [d], zeros(d)) as tf.Variable<tf.Rank.R1>,
      ln2Gamma: v(n('ln2/gamma'), [d], ones(d)) as tf.Variable<tf.Rank.R1>,
      ln2Beta: v(n('ln2/beta'), [d], zeros(d)) as tf.Variable<tf.Rank.R1>,
      w1: v(n('ffn/w1'), [d, arch.ffnDim], xavier(rng, d, arch.ffnDim, d * arch.ffnDim)) as tf.Variable<tf.Rank.R2>,
      b1: v(n('ffn/b1'), [arch.ffnDim], zeros(arch.ffnDim)) as tf.Variable<tf.Rank.R1>,
      w2: v(n('ffn/w2'), [arch.ffnDim, d], xavier(rng, arch.ffnDim, d, arch.ffnDim * d)) as tf.Variable<tf.Rank.R2>,
      b2: v(n('ffn/b2'), [d], zeros(d)) as tf.Variable<tf.Rank.R1>,
    });
  }
  const finalGamma = v(TENSOR_NAMES.finalNormGamma, [d], ones(d)) as tf.Variable<tf.Rank.R1>;
  const finalBeta = v(TENSOR_NAMES.finalNormBeta, [d], zeros(d)) as tf.Variable<tf.Rank.R1>;
  return { arch, itemCount, itemTable, vars, encoder: { posEmb: posEmb as tf.Variable<tf.Rank.R2>, blocks, finalGamma, finalBeta } };
}

/** A host snapshot of every weight (float32), in the bundle's tensor names. */
export function snapshotWeights(m: TrainableModel): FloatWeights {
  const w: FloatWeights = new Map();
  w.set(TENSOR_NAMES.itemEmbedding, m.itemTable.slice());
  for (const [name, v] of m.vars) w.set(name, v.dataSync() as Float32Array);
  return w;
}

/** Overwrites a model's weights with a snapshot of the same architecture (warm start / resume). */
export function loadWeightsInto(m: TrainableModel, w: FloatWeights): void {
  const table = w.get(TENSOR_NAMES.itemEmbedding);
  if (!table || table.length !== m.itemTable.length)
    throw new RangeError(
      `initial weights: ${TENSOR_NAMES.itemEmbedding} has ${table?.length ?? 0} values, the model needs ${m.itemTable.length}`,
    );
  m.itemTable.set(table);
  for (const [name, v] of m.vars) {
    const data = w.get(name);
    if (!data || data.length !== v.size)
      throw new RangeError(`initial weights: ${name} has ${data?.length ?? 0} values, the model needs ${v.size}`);
    v.assign(tf.tensor(data, v.shape));
  }
}

export function disposeModel(m: TrainableModel): void {
  for (const v of m.vars.values()) v.dispose();
}
