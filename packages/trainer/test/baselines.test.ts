import { describe, expect, it } from 'vitest';
import { ItemUsers, bprBaseline, itemKnnBaseline } from '../src/baselines.js';
import { buildColdTables, coocBaseline, popularityScores } from '../src/cold-start.js';
import { evaluate } from '../src/evaluate.js';
import type { Split } from '../src/split.js';

// 4 users over 6 items (training sequences only matter for the baselines).
//   u0: 1 2 3   u1: 1 2   u2: 2 3 4   u3: 5 6
const split: Split = {
  itemCount: 6,
  train: [Int32Array.of(1, 2, 3), Int32Array.of(1, 2), Int32Array.of(2, 3, 4), Int32Array.of(5, 6)],
  valid: Int32Array.of(4, 3, 1, 1),
  test: Int32Array.of(5, 4, 5, 2),
};

describe('item-user cosine (hand-computed)', () => {
  const iu = new ItemUsers(split);
  it('is |Ua ∩ Ub| / sqrt(|Ua| |Ub|)', () => {
    // users: 1 → {0,1}, 2 → {0,1,2}, 3 → {0,2}, 4 → {2}, 5 → {3}, 6 → {3}
    expect(iu.cosine(1, 2)).toBeCloseTo(2 / Math.sqrt(6), 12);
    expect(iu.cosine(1, 3)).toBeCloseTo(1 / 2, 12);
    expect(iu.cosine(3, 4)).toBeCloseTo(1 / Math.sqrt(2), 12);
    expect(iu.cosine(5, 6)).toBe(1);
    expect(iu.cosine(1, 5)).toBe(0);
    expect(iu.cosine(2, 2)).toBe(1);
  });
});

describe('baselines score as defined', () => {
  it('popularity: training counts; co-occurrence: followers of the last items', async () => {
    const cold = buildColdTables(split);
    const [pop] = await popularityScores(cold)([Int32Array.of(1)]);
    expect(Array.from(pop!)).toEqual([0, 2, 3, 2, 1, 1, 1]);
    const [co] = await coocBaseline(cold)([Int32Array.of(5)]);
    // 6 follows 5 (weight 1, normalised to 1); everything else only the 1e-3 popularity prior.
    expect(co![6]).toBeGreaterThan(1);
    expect(co![1]!).toBeLessThan(0.01);
  });
  it('item-KNN: the sum of cosines to the history items', async () => {
    const [s] = await itemKnnBaseline(split)([Int32Array.of(1, 3)]);
    // item 2: cos(1,2) + cos(3,2) = 2/√6 + 2/√6; item 4: cos(3,4) = 1/√2; item 5: 0 (popularity prior only).
    expect(s![2]).toBeCloseTo(4 / Math.sqrt(6), 4);
    expect(s![4]).toBeCloseTo(1 / Math.sqrt(2), 4);
    expect(s![5]!).toBeLessThan(1e-5);
    expect(s![5]!).toBeGreaterThan(0);
  });
  it('BPR-MF ranks a user’s own cluster above the other one, and needs the users', async () => {
    // Two disjoint tastes: users 0–9 take items 1–3, users 10–19 items 4–6.
    const train = Array.from({ length: 20 }, (_, u) => (u < 10 ? Int32Array.of(1, 2, 3) : Int32Array.of(4, 5, 6)));
    const s2: Split = { itemCount: 6, train, valid: new Int32Array(20), test: new Int32Array(20) };
    const fn = bprBaseline(s2, { epochs: 40 });
    const [a, b] = await fn([train[0]!, train[15]!], [0, 15]);
    for (const own of [1, 2, 3]) for (const other of [4, 5, 6]) expect(a![own]!).toBeGreaterThan(a![other]!);
    for (const own of [4, 5, 6]) for (const other of [1, 2, 3]) expect(b![own]!).toBeGreaterThan(b![other]!);
    await expect(fn([train[0]!])).rejects.toThrow(/needs the users/);
  });
  it('every baseline runs through evaluate (full protocol) with coverage and diversity', async () => {
    const cold = buildColdTables(split);
    const iu = new ItemUsers(split);
    for (const fn of [popularityScores(cold), coocBaseline(cold), itemKnnBaseline(split), bprBaseline(split, { epochs: 2 })]) {
      const r = await evaluate(fn, split, { protocol: 'full', target: 'test', similarity: (a, b) => iu.cosine(a, b) });
      expect(r.users).toBe(4);
      expect(r.metrics['Coverage@10']).toBeGreaterThan(0);
      expect(r.metrics['ILD@10']).toBeGreaterThanOrEqual(0);
    }
  });
});
