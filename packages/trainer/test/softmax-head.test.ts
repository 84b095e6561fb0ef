import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '@localrec/core';
import { useBackend } from '../src/backend.js';
import { NegativeSampler, softmaxHead, type NegativeSample } from '../src/softmax-head.js';
import { FULL_SOFTMAX_BUDGET, chooseLoss } from '../src/train.js';

const N = 7,
  d = 3,
  P = 4;
const rng = SeededRandom.fromInt(5);
const table = Float32Array.from({ length: (N + 1) * d }, (_, i) => (i < d ? 0 : rng.normal()));
const h = Float32Array.from({ length: P * d }, () => rng.normal());
const targets = Int32Array.of(1, 4, 7, 4);

/** The same loss written as plain tfjs ops, differentiated by tfjs: the reference. */
function reference(sample?: NegativeSample): { loss: number; dh: Float32Array; dTable: Float32Array } {
  const f = (hT: tf.Tensor2D, eT: tf.Tensor2D): tf.Scalar => {
    const rows = tf.tensor1d(sample ? sample.rows : Int32Array.from({ length: N }, (_, i) => i + 1), 'int32');
    let logits = tf.matMul(hT, tf.gather(eT, rows), false, true);
    if (sample) {
      const mask = Float32Array.from({ length: P * sample.rows.length }, (_, k) =>
        sample.rows[k % sample.rows.length] === targets[Math.floor(k / sample.rows.length)] ? -1e9 : 0,
      );
      logits = tf.add(tf.sub(logits, tf.tensor2d(sample.logQ, [1, sample.rows.length])), tf.tensor2d(mask, [P, sample.rows.length]));
      const pos = tf.sub(
        tf.sum(tf.mul(hT, tf.gather(eT, tf.tensor1d(targets, 'int32'))), 1),
        tf.tensor1d(Float32Array.from(targets, (t) => sample.logQAll[t]!)),
      );
      logits = tf.concat([tf.expandDims(pos, 1), logits], 1);
      return tf.div(tf.neg(tf.sum(tf.slice(tf.logSoftmax(logits), [0, 0], [P, 1]))), 2);
    }
    const onehot = tf.oneHot(
      tf.tensor1d(
        Int32Array.from(targets, (t) => t - 1),
        'int32',
      ),
      N,
    );
    return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), onehot))), 2);
  };
  const hT = tf.tensor2d(h, [P, d]),
    eT = tf.tensor2d(table, [N + 1, d]);
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor2D, b as tf.Tensor2D))([hT, eT]);
  return { loss: value.dataSync()[0]!, dh: grads[0]!.dataSync() as Float32Array, dTable: grads[1]!.dataSync() as Float32Array };
}

describe('softmax head (outside the tfjs tape) equals tfjs autodiff of the same loss', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  for (const mode of ['full', 'sampled'] as const) {
    it(`${mode}: loss, dLoss/dh and dLoss/dtable`, () => {
      // Negatives include 4, a target of two rows (accidental hits, masked) and 2, no one's target.
      const sample: NegativeSample | undefined =
        mode === 'sampled'
          ? {
              rows: Int32Array.of(2, 4, 6),
              logQ: Float32Array.of(-1, 0.5, -0.2),
              logQAll: Float32Array.of(0, 0.3, -1, 0, 0.5, 0, -0.2, 0.1),
            }
          : undefined;
      const tableGrad = new Float32Array(table.length);
      const got = softmaxHead({ h, targets, table, dim: d, itemCount: N, norm: 2, tableGrad, ...(sample ? { sample } : {}) });
      const want = reference(sample);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      for (let i = 0; i < want.dh.length; i++) expect(got.dh[i]).toBeCloseTo(want.dh[i]!, 5);
      for (let i = 0; i < want.dTable.length; i++) expect(tableGrad[i]).toBeCloseTo(want.dTable[i]!, 5);
      expect(tableGrad.subarray(0, d)).toEqual(new Float32Array(d)); // padding row: no gradient
    });
  }
});

describe('negative sampler', () => {
  it('draws distinct rows in 1..N with log(k·q) corrections, q = ½ uniform + ½ frequency', () => {
    const counts = Float64Array.of(0, 6, 0, 2, 0); // N = 4, total 8
    const s = new NegativeSampler(counts, 4, 10).draw(SeededRandom.fromInt(1));
    expect(new Set(s.rows).size).toBe(s.rows.length);
    for (const r of s.rows) expect(r >= 1 && r <= 4).toBe(true);
    // q(1) = 0.5/4 + 0.5·6/8 = 0.5; q(2) = 0.125; q(3) = 0.125 + 0.125 = 0.25.
    expect(s.logQAll[1]).toBeCloseTo(Math.log(10 * 0.5), 5);
    expect(s.logQAll[2]).toBeCloseTo(Math.log(10 * 0.125), 5);
    expect(s.logQAll[3]).toBeCloseTo(Math.log(10 * 0.25), 5);
    s.rows.forEach((r, i) => expect(s.logQ[i]).toBe(s.logQAll[r]));
  });
});

describe("loss 'auto'", () => {
  it('full softmax within the budget or when the catalogue is smaller than the sample, sampled softmax beyond', () => {
    const o = { loss: 'auto' as const, negatives: 1024, dim: 50 };
    expect(chooseLoss(o, 300, 90_000).loss).toBe('ce');
    expect(chooseLoss(o, 1000, 1e9).loss).toBe('ce'); // 1000 ≤ 1024 negatives
    const big = chooseLoss(o, 23_715, 182_324);
    expect(big).toMatchObject({ loss: 'softmax', negatives: 1024 });
    expect(big.reason).toContain('> the budget');
    const edge = Math.floor(FULL_SOFTMAX_BUDGET / (2000 * 50));
    expect(chooseLoss(o, 2000, edge).loss).toBe('ce');
    expect(chooseLoss(o, 2000, edge + 1).loss).toBe('softmax');
    expect(chooseLoss({ ...o, loss: 'bce' }, 300, 10).loss).toBe('bce');
  });
});
