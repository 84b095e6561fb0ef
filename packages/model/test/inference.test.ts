import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  TENSOR_NAMES,
  SasrecScorer,
  embedSequences,
  encodeLast,
  encodeSequence,
  packSequences,
  type SasrecArchitecture,
} from '../src/index.js';
import { randomWeights } from './random-weights.js';

/** The reference: the trainer's full encoder (every slot, masks on the backend), sliced at the last slot. */
function fullPath(scorer: SasrecScorer, seqs: number[][]): tf.Tensor2D {
  const { arch } = scorer;
  const { rows, T } = packSequences(seqs, arch.maxLen);
  const B = seqs.length;
  return tf.tidy(() => {
    const idx = tf.tensor2d(rows, [B, T], 'int32');
    const mask = tf.expandDims<tf.Tensor3D>(tf.cast(tf.notEqual(idx, 0), 'float32'), -1);
    const emb = tf.reshape<tf.Rank.R3>(tf.gather(scorer.itemEmb, tf.reshape(idx, [B * T])), [B, T, arch.dim]);
    const h = encodeSequence(arch, scorer.params, emb, mask);
    return tf.reshape<tf.Rank.R2>(tf.slice(h, [0, T - 1, 0], [B, 1, arch.dim]), [B, arch.dim]);
  });
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

const N = 40;
let seed = 3;
const randomSeq = (len: number) => Array.from({ length: len }, () => 1 + ((seed = (seed * 48271) % 2147483647) % N));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('inference-only encoder (encodeLast) equals the full encoder at the last slot', () => {
  const base: SasrecArchitecture = { type: 'sasrec', dim: 12, maxLen: 7, blocks: 2, heads: 1, ffnDim: 10, norm: 'pre', layerNormEps: 1e-8 };
  const variants: [string, Partial<SasrecArchitecture>][] = [
    ['pre-LN, 1 head, 2 blocks', {}],
    ['post-LN, 1 head, 2 blocks', { norm: 'post' }],
    ['pre-LN, 3 heads, 3 blocks', { heads: 3, blocks: 3 }],
    ['post-LN, 2 heads, 1 block', { norm: 'post', heads: 2, blocks: 1 }],
  ];
  for (const [name, over] of variants) {
    const arch = { ...base, ...over };
    it(`${name}: lengths 1, 2, 5, maxLen and > maxLen (truncated), alone and batched with padding`, async () => {
      const scorer = new SasrecScorer(arch, N, randomWeights(arch, N, 11 + arch.blocks));
      try {
        const seqs = [1, 2, 5, arch.maxLen, arch.maxLen + 4, 3 * arch.maxLen].map(randomSeq);
        // Each sequence alone (no padding), then all together (padded to maxLen).
        for (const batch of [...seqs.map((q) => [q]), seqs]) {
          const fast = scorer.userVectors(batch);
          const full = fullPath(scorer, batch);
          expect(fast.shape).toEqual([batch.length, arch.dim]);
          expect(maxAbsDiff(fast, full)).toBeLessThan(1e-5);
          // The representations are not trivially equal (e.g. all-zero): they differ between sequences.
          if (batch.length > 1) expect(maxAbsDiff(tf.slice(fast, [0, 0], [1, -1]), tf.slice(fast, [1, 0], [1, -1]))).toBeGreaterThan(1e-3);
          tf.dispose([fast, full]);
        }
        // Scores (user vector × item table) agree too, so top-k lists do.
        const [a] = await scorer.scores([seqs[3]!]);
        const ref = tf.tidy(() => tf.matMul(fullPath(scorer, [seqs[3]!]), scorer.itemEmbT).dataSync());
        for (let i = 1; i <= N; i++) expect(Math.abs(a![i]! - ref[i]!)).toBeLessThan(1e-4);
      } finally {
        scorer.dispose();
      }
    });
  }

  it("an empty sequence (all padding) gives the full path's output (final LayerNorm of zeros)", () => {
    const scorer = new SasrecScorer(base, N, randomWeights(base, N, 2));
    const batch = [[], randomSeq(4)];
    const fast = scorer.userVectors(batch);
    const full = fullPath(scorer, batch);
    expect(maxAbsDiff(fast, full)).toBeLessThan(1e-5);
    tf.dispose([fast, full]);
    scorer.dispose();
  });

  it('embedSequences names an out-of-range item row', () => {
    const w = randomWeights(base, N, 4);
    expect(() =>
      embedSequences(base, w.get(TENSOR_NAMES.itemEmbedding)!, w.get(TENSOR_NAMES.positionEmbedding)!, [0, N + 1], 1, 2),
    ).toThrow(/item row 41 is outside 1\.\.40/);
  });

  it('encodeLast rejects a padding layout of the wrong size', () => {
    const scorer = new SasrecScorer(base, N, randomWeights(base, N, 5));
    const x = tf.zeros<tf.Rank.R3>([1, 3, base.dim]);
    expect(() => encodeLast(base, scorer.params, x, [1, 1])).toThrow(/valid has 2 flags, expected B·T = 3/);
    x.dispose();
    scorer.dispose();
  });

  it('leaves no tensors behind', () => {
    const scorer = new SasrecScorer(base, N, randomWeights(base, N, 6));
    const before = tf.memory().numTensors;
    scorer.userVectors([randomSeq(3), randomSeq(9)]).dispose();
    expect(tf.memory().numTensors).toBe(before);
    scorer.dispose();
  });
});
