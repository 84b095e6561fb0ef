import { describe, expect, it } from 'vitest';
import {
  MetricAccumulator,
  catalogueCoverage,
  f1At,
  hitAt,
  intraListDiversity,
  ndcgAt,
  precisionAt,
  rankOf,
  recallAt,
  reciprocalRank,
} from '../src/metrics.js';
import { evaluate } from '../src/evaluate.js';
import type { Split } from '../src/split.js';

describe('metrics (hand-computed)', () => {
  it('rank counts items scored above the target, ties count half', () => {
    const scores = [0, 0.9, 0.5, 0.7, 0.5, 0.1];
    expect(rankOf(scores, 2, [1, 2, 3, 4, 5])).toBe(2.5); // 0.9, 0.7 above; 0.5 tied once
    expect(rankOf(scores, 1, [1, 2, 3, 4, 5])).toBe(0);
    expect(rankOf(scores, 5, [1, 2, 3, 4, 5])).toBe(4);
  });
  it('HR, NDCG and MRR at known ranks', () => {
    expect(hitAt(0, 1)).toBe(1);
    expect(hitAt(9, 10)).toBe(1);
    expect(hitAt(10, 10)).toBe(0);
    expect(ndcgAt(0, 10)).toBe(1);
    expect(ndcgAt(1, 10)).toBeCloseTo(1 / Math.log2(3), 12); // 0.6309
    expect(ndcgAt(3, 10)).toBeCloseTo(1 / Math.log2(5), 12); // 0.4307
    expect(reciprocalRank(4)).toBe(0.2);
  });
  it('accumulates averages, recall = HR and precision = HR/k for one relevant item', () => {
    const acc = new MetricAccumulator([1, 10], true);
    acc.add(0); // hit everywhere
    acc.add(4); // hit @10 only
    acc.add(50); // miss
    const r = acc.result();
    expect(r['HR@1']).toBeCloseTo(1 / 3, 12);
    expect(r['HR@10']).toBeCloseTo(2 / 3, 12);
    expect(r['NDCG@10']).toBeCloseTo((1 + 1 / Math.log2(6)) / 3, 12);
    expect(r['Recall@10']).toBeCloseTo(2 / 3, 12);
    expect(r['Precision@10']).toBeCloseTo(2 / 30, 12);
    expect(r.MRR).toBeCloseTo((1 + 1 / 5 + 1 / 51) / 3, 12);
    expect(r.users).toBe(3);
  });
});

describe('evaluate protocols', () => {
  // 2 users, 200 items. User 0 history [1,2] valid 3 test 4; user 1 history [5,6] valid 7 test 8.
  const split: Split = {
    itemCount: 200,
    train: [Int32Array.of(1, 2), Int32Array.of(5, 6)],
    valid: Int32Array.of(3, 7),
    test: Int32Array.of(4, 8),
  };
  it('an oracle that scores the test item highest gets HR@1 = 1 in both protocols', async () => {
    const oracle = async (seqs: Int32Array[]) =>
      seqs.map((s) => {
        const out = new Float32Array(201);
        out[s[s.length - 1]! + 1] = 10; // history for test ends with the valid item; test = valid + 1
        return out;
      });
    for (const protocol of ['sampled100', 'full'] as const) {
      const r = await evaluate(oracle, split, { protocol, target: 'test' });
      expect(r.metrics['HR@1']).toBe(1);
      expect(r.metrics['NDCG@10']).toBe(1);
    }
  });
  it("full ranking: the target ranks after every item scored higher, except the user's own history", async () => {
    // Scores = row id, so item 200 is best. Target 4 for user 0: rows 5..200 above it = 196 items,
    // none of them in user 0's history; for user 1 target 8: rows 9..200 above = 192.
    const byRow = async (seqs: Int32Array[]) => seqs.map(() => Float32Array.from({ length: 201 }, (_, i) => i));
    const r = await evaluate(byRow, split, { protocol: 'full', target: 'test' });
    expect(r.metrics.MRR).toBeCloseTo((1 / 197 + 1 / 193) / 2, 12);
  });
  it('sampled negatives never include items the user touched', async () => {
    // The user's own items score 10, the target 5, everything else 0: any touched item among the
    // negatives would push the target below rank 0.
    const touched = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ];
    const fn = async (seqs: Int32Array[]) =>
      seqs.map((s) => {
        const u = s[0] === 1 ? 0 : 1;
        const out = new Float32Array(201);
        for (const r of touched[u]!) out[r] = 10;
        out[split.test[u]!] = 5;
        return out;
      });
    const r = await evaluate(fn, split, { protocol: 'sampled100', target: 'test', seeds: [1, 2, 3] });
    expect(r.metrics['HR@1']).toBe(1);
    expect(r.perSeed).toHaveLength(3);
  });
  it('all-equal scores earn no credit (ties count half)', async () => {
    const flat = async (seqs: Int32Array[]) => seqs.map(() => new Float32Array(201).fill(1));
    const r = await evaluate(flat, split, { protocol: 'sampled100', target: 'test' });
    expect(r.metrics['HR@10']).toBe(0); // rank 50 of 101
  });
  it('a catalog with fewer than 100 untouched items ranks against all of them (and terminates)', async () => {
    // 12 items; user 0 touched 1..4, so 8 candidates remain; the target scores above all of them.
    const small = { itemCount: 12, train: [Int32Array.of(1, 2)], valid: Int32Array.of(3), test: Int32Array.of(4) };
    const fn = async (seqs: Int32Array[]) => seqs.map(() => Float32Array.from({ length: 13 }, (_, r) => (r === 4 ? 1 : 0)));
    const r = await evaluate(fn, small, { protocol: 'sampled100', target: 'test', seeds: [1] });
    expect(r.metrics['HR@1']).toBe(1);
    const worst = async (seqs: Int32Array[]) => seqs.map(() => Float32Array.from({ length: 13 }, (_, r) => (r === 4 ? -1 : r)));
    const w = await evaluate(worst, small, { protocol: 'sampled100', target: 'test', seeds: [1] });
    expect(w.metrics['HR@5']).toBe(0); // rank 9 of 9
    expect(w.metrics['HR@10']).toBe(1);
  });
});

describe('precision, recall, F1, coverage and intra-list diversity (hand-computed)', () => {
  it('one relevant item: P@k = hit/k, R@k = hit, F1@k = 2/(k+1) on a hit', () => {
    expect(precisionAt(2, 5)).toBe(0.2);
    expect(recallAt(2, 5)).toBe(1);
    expect(f1At(2, 5)).toBeCloseTo(2 / 6, 12); // 2·0.2·1 / 1.2
    expect(f1At(0, 1)).toBe(1);
    expect(f1At(5, 5)).toBe(0);
    const acc = new MetricAccumulator([5], true);
    acc.add(2);
    acc.add(7);
    expect(acc.result()['F1@5']).toBeCloseTo(1 / 6, 12);
  });
  it('coverage: distinct recommended items / catalogue size', () => {
    expect(catalogueCoverage([Int32Array.of(1, 2), Int32Array.of(2, 3)], 10)).toBeCloseTo(0.3, 12);
    expect(catalogueCoverage([], 10)).toBe(0);
  });
  it('ILD: mean over pairs of 1 − similarity', () => {
    const sim = (a: number, b: number) => (a + b === 3 ? 0.5 : 0); // sim(1,2) = 0.5, else 0
    expect(intraListDiversity([1, 2, 3], sim)).toBeCloseTo((0.5 + 1 + 1) / 3, 12);
    expect(intraListDiversity([1], sim)).toBe(0);
  });
  it('evaluate (full) reports the coverage of the top-10 lists and their diversity', async () => {
    // 12 items, scores = row id: every user's top-10 is the 10 highest rows not in their history.
    const split: Split = {
      itemCount: 12,
      train: [Int32Array.of(12, 11), Int32Array.of(1, 2)],
      valid: Int32Array.of(3, 4),
      test: Int32Array.of(5, 6),
    };
    const byRow = async (seqs: Int32Array[]) => seqs.map(() => Float32Array.from({ length: 13 }, (_, i) => i));
    const r = await evaluate(byRow, split, { protocol: 'full', target: 'test', similarity: () => 0.25 });
    // u0 excludes 12, 11, 3 → list 10,9,8,7,6,5,4,2,1 (9 items: 12 − 3 touched); u1 excludes 1, 2, 4 → 12..5, 3.
    // Union = all 12 rows.
    expect(r.metrics['Coverage@10']).toBe(1);
    expect(r.metrics['ILD@10']).toBeCloseTo(0.75, 12);
    expect(r.metrics['HR@10']).toBe(1);
  });
});
