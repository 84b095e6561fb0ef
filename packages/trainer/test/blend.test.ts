import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@localrec/core';
import { blendDense, type ScoreBlend } from '@localrec/model';
import { chooseBlend, blendObjective } from '../src/blend.js';
import { buildColdTables } from '../src/cold-start.js';
import { evaluate, type ScoreFn } from '../src/evaluate.js';
import { ndcgAt } from '../src/metrics.js';
import type { Split } from '../src/split.js';

/** Item i is followed by i+1 (mod N) with probability `p`, else by a random item. */
function chainData(users: number, items: number, p: number, seed: number): Split {
  const rng = SeededRandom.fromInt(seed);
  const split: Split = { itemCount: items, train: [], valid: new Int32Array(users), test: new Int32Array(users) };
  for (let u = 0; u < users; u++) {
    const len = 3 + rng.int(12);
    const s: number[] = [1 + rng.int(items)];
    while (s.length < len) s.push(rng.next() < p ? (s[s.length - 1]! % items) + 1 : 1 + rng.int(items));
    split.train.push(Int32Array.from(s.slice(0, -2)));
    split.valid[u] = s[s.length - 2]!;
    split.test[u] = s[s.length - 1]!;
  }
  return split;
}

const users = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A "model" of seeded noise: knows nothing about the sequences. */
function noiseModel(N: number, seed: number): ScoreFn {
  return async (seqs) =>
    seqs.map((_, b) => {
      const rng = SeededRandom.fromInt(seed + b);
      return Float32Array.from({ length: N + 1 }, () => rng.next());
    });
}

describe('chooseBlend (validation, full ranking)', () => {
  it('blends in co-occurrence when the model knows nothing, and the blend lifts test NDCG@10', async () => {
    const split = chainData(600, 80, 0.7, 1);
    const cold = buildColdTables(split, { neighbours: 5 });
    const model = noiseModel(80, 3);
    const { blend, buckets } = await chooseBlend(model, split, cold, { users: users(600), minUsers: 20 });
    expect(blend).toBeDefined();
    expect(blend!.weights.every((w) => w > 0)).toBe(true);
    expect(buckets.reduce((n, b) => n + b.users, 0)).toBe(600);
    for (const b of buckets.filter((x) => x.users > 0)) expect(b.blended).toBeGreaterThan(b.model);
    const blended: ScoreFn = async (seqs, us) => (await model(seqs, us)).map((s, i) => blendDense(s, seqs[i]!, cold, blend!));
    const before = await evaluate(model, split, { protocol: 'full', target: 'test' });
    const after = await evaluate(blended, split, { protocol: 'full', target: 'test' });
    expect(after.metrics['NDCG@10']!).toBeGreaterThan(before.metrics['NDCG@10']! + 0.1);
  });

  it('keeps the model alone when the model already ranks the validation item first', async () => {
    const split = chainData(300, 60, 0.5, 2);
    const cold = buildColdTables(split, { neighbours: 5 });
    const oracle: ScoreFn = async (_seqs, us) =>
      us!.map((u) => {
        const s = new Float32Array(61);
        s[split.valid[u]!] = 100;
        return s;
      });
    const { blend, buckets } = await chooseBlend(oracle, split, cold, { users: users(300), grid: [0.5, 2] });
    expect(blend).toBeUndefined();
    expect(buckets.filter((b) => b.users > 0).length).toBeGreaterThan(2);
    for (const b of buckets) expect([b.weight, b.model, b.blended]).toEqual(b.users ? [0, 1, 1] : [0, 0, 0]);
  });

  it('a bucket with too few users takes the weight chosen over all users', async () => {
    const split = chainData(400, 50, 0.8, 4);
    const cold = buildColdTables(split, { neighbours: 5 });
    const { blend, buckets } = await chooseBlend(noiseModel(50, 9), split, cold, {
      users: users(400),
      maxLengths: [1, 1000],
      minUsers: 10_000,
    });
    const w = (blend as ScoreBlend).weights;
    expect(new Set(w).size).toBe(1);
    expect(buckets.map((b) => b.lengths)).toEqual(['1', '2-1000', '1001+']);
  });

  it('the objective is the mean NDCG over the four cut-offs', () => {
    expect(blendObjective(0)).toBe(1);
    expect(blendObjective(3)).toBeCloseTo((0 + ndcgAt(3, 5) + ndcgAt(3, 10) + ndcgAt(3, 20)) / 4, 12);
    expect(blendObjective(25)).toBe(0);
  });
});
