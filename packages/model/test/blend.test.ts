import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SasrecScorer,
  blendBucket,
  blendDense,
  blendProblems,
  blendSparse,
  blendTop,
  blendWeight,
  coocVotes,
  manifestProblems,
  type CoocTable,
  type SasrecArchitecture,
  type ScoreBlend,
} from '../src/index.js';
import { randomWeights } from './random-weights.js';

const spec: ScoreBlend = { kind: 'cooccurrence', maxLengths: [1, 2, 4], weights: [3, 2, 1, 0] };

/** A table where row i's neighbours are i+1, i+2 (mod N), weights 1 and 0.5. */
function ringTable(N: number): CoocTable {
  const M = 2;
  const coocItems = new Int32Array((N + 1) * M);
  const coocScores = new Float32Array((N + 1) * M);
  for (let i = 1; i <= N; i++) {
    coocItems[i * M] = (i % N) + 1;
    coocItems[i * M + 1] = ((i + 1) % N) + 1;
    coocScores[i * M] = 1;
    coocScores[i * M + 1] = 0.5;
  }
  return { coocItems, coocScores, neighbours: M };
}

describe('blend spec', () => {
  it('maps history lengths onto buckets, the last one open', () => {
    expect([1, 2, 3, 4, 5, 50].map((n) => blendBucket(spec, n))).toEqual([0, 1, 2, 2, 3, 3]);
    expect([1, 2, 3, 9].map((n) => blendWeight(spec, n))).toEqual([3, 2, 1, 0]);
    expect(blendWeight(undefined, 3)).toBe(0);
  });

  it('names every bad field of manifest.blend, and a manifest with one is refused', () => {
    expect(blendProblems(spec)).toEqual([]);
    expect(blendProblems('x')).toEqual(['manifest.blend: not an object ({ kind, maxLengths, weights })']);
    expect(blendProblems({ kind: 'popularity', maxLengths: [2, 1], weights: [-1, 0, 0] })).toEqual([
      'manifest.blend.kind: "popularity", accepted: "cooccurrence"',
      'manifest.blend.maxLengths: [2,1], expected at most 64 ascending positive integers',
      'manifest.blend.weights: [-1,0,0], expected numbers from 0 to 10000',
    ]);
    expect(blendProblems({ kind: 'cooccurrence', maxLengths: [1, 2], weights: [1] })).toEqual([
      'manifest.blend.weights: 1 values for 2 bucket bounds, expected 3',
    ]);
    expect(manifestProblems({ blend: { kind: 'x', maxLengths: [], weights: [0] } })).toContain(
      'manifest.blend.kind: "x", accepted: "cooccurrence"',
    );
  });
});

describe('co-occurrence votes', () => {
  it('the newest three real items vote 1, 1/2, 1/3 for their neighbours; padding is skipped', () => {
    const t = ringTable(10);
    const v = coocVotes(t, [9, 1, 2, 0, 3]);
    // 3 → 4 (1), 5 (0.5); 2 → 3 (1/2), 4 (0.25); 1 → 2 (1/3), 3 (1/6); 9 does not vote.
    expect([...v.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [2, 1 / 3],
      [3, 0.5 + 1 / 6],
      [4, 1.25],
      [5, 0.5],
    ]);
  });

  it('dense, sparse and top-k blends add weight × votes, and nothing without a weight', () => {
    const t = ringTable(6);
    const dense = blendDense(new Float32Array(7), [3], t, spec);
    expect(Array.from(dense)).toEqual([0, 0, 0, 0, 3, 1.5, 0]);
    expect(Array.from(blendSparse(new Float32Array([1, 1]), [4, 6], [3], t, spec))).toEqual([4, 1]);
    const long = [1, 2, 3, 4, 5];
    expect(Array.from(blendDense(new Float32Array(7).fill(1), long, t, spec))).toEqual(Array(7).fill(1));
    const top = { rows: Int32Array.from([1, 2]), values: Float32Array.from([5, 4]) };
    expect(blendTop(top, long, t, spec, () => new Float32Array(0))).toBe(top);
  });
});

describe('blendTop = the dense blend, cut (property)', () => {
  it('the blended top rows from the model top plus the voted rows are the dense blended top', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 200, maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(0, 0.5, 2, 30),
        (N, M, k, noise, rawSeq, w) => {
          const seq = rawSeq.map((r) => ((r - 1) % N) + 1);
          const coocItems = new Int32Array((N + 1) * M);
          const coocScores = new Float32Array((N + 1) * M);
          for (let i = 1; i <= N; i++)
            for (let j = 0; j < M; j++) {
              coocItems[i * M + j] = ((noise[(i * M + j) % noise.length]! + i) % N) + 1;
              coocScores[i * M + j] = 1 / (j + 1);
            }
          const t: CoocTable = { coocItems, coocScores, neighbours: M };
          const b: ScoreBlend = { kind: 'cooccurrence', maxLengths: [], weights: [w] };
          // Distinct model scores (ties are broken by row on both paths anyway).
          const model = Float32Array.from({ length: N + 1 }, (_, r) => (r ? noise[r % noise.length]! / 100 + r * 1e-3 : -Infinity));
          const need = Math.min(k, N);
          const order = Array.from({ length: N }, (_, i) => i + 1).sort((x, y) => model[y]! - model[x]! || x - y);
          const top = { rows: Int32Array.from(order.slice(0, need)), values: Float32Array.from(order.slice(0, need), (r) => model[r]!) };
          const got = blendTop(top, seq, t, b, (rows) => Float32Array.from(rows, (r) => model[r]!));
          const dense = blendDense(model.slice(), seq, t, b);
          const want = Array.from({ length: N }, (_, i) => i + 1)
            .sort((x, y) => dense[y]! - dense[x]! || x - y)
            .slice(0, need);
          expect(Array.from(got.rows.subarray(0, need))).toEqual(want);
          got.rows.subarray(0, need).forEach((r, i) => expect(got.values[i]).toBe(dense[r]));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SasrecScorer with a blend', () => {
  const arch: SasrecArchitecture = { type: 'sasrec', dim: 8, maxLen: 6, blocks: 1, heads: 1, ffnDim: 8, norm: 'pre', layerNormEps: 1e-8 };
  const N = 30;
  const table = ringTable(N);
  const blend: ScoreBlend = { kind: 'cooccurrence', maxLengths: [2], weights: [5, 0.5] };
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('topK, scores and blendRows answer the same blended scores; without a blend they are the model alone', async () => {
    const w = randomWeights(arch, N, 11);
    const plain = new SasrecScorer(arch, N, w);
    const blended = new SasrecScorer(arch, N, w, { blend: { spec: blend, table } });
    try {
      for (const seq of [[4], [7, 8], [1, 2, 3, 4, 5], [29, 30]]) {
        const raw = (await plain.scores([seq]))[0]!;
        const dense = (await blended.scores([seq]))[0]!;
        const want = blendDense(raw.slice(), seq, table, blend);
        for (let r = 1; r <= N; r++) expect(dense[r]).toBeCloseTo(want[r]!, 6);
        // The model alone moved: the voted rows rose by weight × vote.
        const votes = coocVotes(table, seq);
        expect(votes.size).toBeGreaterThan(0);
        for (const [r, v] of votes) expect(dense[r]! - raw[r]!).toBeCloseTo(blendWeight(blend, seq.length) * v, 5);
        const order = Array.from({ length: N }, (_, i) => i + 1).sort((x, y) => dense[y]! - dense[x]! || x - y);
        const top = await blended.topK(seq, 10);
        expect(Array.from(top.rows.subarray(0, 10))).toEqual(order.slice(0, 10));
        top.rows.subarray(0, 10).forEach((r, i) => expect(top.values[i]).toBeCloseTo(dense[r]!, 4));
        const rows = [order[0]!, order[5]!, order[20]!];
        const some = blended.blendRows(
          seq,
          rows,
          Float32Array.from(rows, (r) => raw[r]!),
        );
        rows.forEach((r, i) => expect(some[i]).toBeCloseTo(dense[r]!, 5));
        expect(Array.from((await plain.topK(seq, 5)).rows)).toEqual(
          Array.from({ length: N }, (_, i) => i + 1)
            .sort((x, y) => raw[y]! - raw[x]! || x - y)
            .slice(0, 5),
        );
      }
    } finally {
      plain.dispose();
      blended.dispose();
    }
  });
});
