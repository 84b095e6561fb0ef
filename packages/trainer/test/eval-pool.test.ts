import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { BASELINES, EvalRunner, type EvalJob, type EvalJobResult, type WeightEntries } from '../src/eval-jobs.js';
import { EvalPool } from '../src/eval-pool.js';
import { evaluate, evaluateProtocols, type ScoreFn } from '../src/evaluate.js';
import { train } from '../src/train.js';
import type { SasrecArchitecture } from '@localrec/model';
import { cyclicData } from './fixtures.js';

const split = cyclicData(300, 120, 5);
const ctx = { split, coocNeighbours: 5 };

/** Deterministic pseudo-random scores from (seed, history, item), with ties when `levels` is small. */
function hashedScores(seed: number, levels: number): ScoreFn {
  return async (seqs) =>
    seqs.map((s) => {
      const out = new Float32Array(split.itemCount + 1);
      let h = seed ^ s.length;
      for (const r of s) h = Math.imul(h ^ r, 0x9e3779b1);
      for (let r = 1; r <= split.itemCount; r++) out[r] = ((Math.imul(h ^ r, 0x85ebca6b) >>> 0) % levels) / levels;
      return out;
    });
}

describe('evaluateProtocols (one scoring pass, several protocols)', () => {
  it('gives exactly what separate evaluate() calls give, for any scorer, seeds and target', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 2, max: 50 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('valid' as const, 'test' as const),
        async (seed, levels, seeds, target) => {
          const fn = hashedScores(seed, levels);
          const similarity = (a: number, b: number) => ((a * 31 + b * 17) % 10) / 10;
          const both = await evaluateProtocols(fn, split, { protocols: ['sampled100', 'full'], target, seeds, similarity });
          expect(both.sampled100).toEqual(await evaluate(fn, split, { protocol: 'sampled100', target, seeds }));
          expect(both.full).toEqual(await evaluate(fn, split, { protocol: 'full', target, similarity }));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('measures only the protocols asked for', async () => {
    const r = await evaluateProtocols(hashedScores(1, 7), split, { protocols: ['full'], target: 'test' });
    expect(Object.keys(r)).toEqual(['full']);
  });
});

describe('EvalPool (evaluation jobs on worker threads)', () => {
  let arch: SasrecArchitecture;
  let weights: WeightEntries;
  let jobs: EvalJob[];
  beforeAll(async () => {
    await useBackend('wasm');
    const r = await train(split, {
      dim: 8,
      maxLen: 8,
      blocks: 1,
      heads: 1,
      epochs: 2,
      evalEvery: 2,
      batchSize: 64,
      seed: 3,
      validUsers: 100,
    });
    arch = r.arch;
    weights = [...r.weights];
    const ev = { protocols: ['sampled100', 'full'] as ('sampled100' | 'full')[], target: 'test' as const, seeds: [1, 2], similarity: true };
    jobs = [
      { kind: 'sasrec', arch, weights, eval: ev },
      { kind: 'sasrec', arch, weights, blend: { kind: 'cooccurrence', maxLengths: [2, 4], weights: [1, 0.5, 0] }, eval: ev },
      { kind: 'blend-search', arch, weights, users: [...Array(200).keys()] },
      ...BASELINES.map((name): EvalJob => ({ kind: 'baseline', name, eval: ev })),
    ];
  }, 60_000);
  const pools: EvalPool[] = [];
  afterAll(() => Promise.all(pools.map((p) => p.close())));

  it('two worker threads give exactly the results of the calling thread, for every kind of job', async () => {
    const warnings: string[] = [];
    const pool = new EvalPool(ctx, { workers: 2, onWarning: (m) => warnings.push(m) });
    pools.push(pool);
    const local = new EvalRunner(ctx);
    const inWorkers = await Promise.all(jobs.map((j) => pool.run(j)));
    const inThread: EvalJobResult[] = [];
    for (const j of jobs) inThread.push(await local.run(j));
    expect(inWorkers).toEqual(inThread);
    // No worker was lost (a lost worker's jobs would have run in this thread, hiding a broken worker).
    expect(warnings).toEqual([]);
    expect(pool.workers).toBe(2);
    const full = inThread[0]!.kind === 'eval' ? inThread[0]!.results.full! : undefined;
    expect(full?.metrics['NDCG@10']).toBeGreaterThan(0);
    expect(full?.metrics['ILD@10']).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('workers: 0 runs the jobs in the calling thread with the same results', async () => {
    const pool = new EvalPool(ctx, { workers: 0 });
    pools.push(pool);
    expect(pool.workers).toBe(0);
    expect(await pool.run(jobs[3]!)).toEqual(await new EvalRunner(ctx).run(jobs[3]!));
  });

  it("a job's error is its promise's rejection, naming the job; the worker keeps serving", async () => {
    const pool = new EvalPool(ctx, { workers: 1 });
    pools.push(pool);
    const broken: EvalJob = { kind: 'sasrec', arch, weights: weights.slice(1), eval: { protocols: ['full'], target: 'test' } };
    await expect(pool.run(broken)).rejects.toThrow(/evaluation job \(sasrec\) failed in a worker thread/);
    expect(pool.workers).toBe(1);
    expect((await pool.run(jobs[3]!)).kind).toBe('eval');
  }, 60_000);

  it('rejects a bad worker count, and jobs after close()', async () => {
    expect(() => new EvalPool(ctx, { workers: -1 })).toThrow(/workers must be an integer ≥ 0; got -1/);
    expect(() => new EvalPool(ctx, { workers: 1.5 })).toThrow(/got 1.5/);
    const pool = new EvalPool(ctx, { workers: 1 });
    await pool.close();
    await expect(pool.run(jobs[3]!)).rejects.toThrow(/after close/);
  });
});
