import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '@localrec/core';
import { useBackend } from '../src/backend.js';
import { disposeModel, initModel } from '../src/params.js';
import { NegativeSampler } from '../src/softmax-head.js';
import { architectureOf, batchPositions, DEFAULT_TRAIN_OPTIONS, headGradients, train } from '../src/train.js';
import { cyclicData } from './fixtures.js';

const split = cyclicData(160, 60, 9);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('data-parallel gradients', () => {
  beforeAll(() => useBackend('wasm'));

  it("shares' gradients sum to the whole batch's (full and sampled softmax, any split of the users)", async () => {
    const arch = architectureOf({ ...DEFAULT_TRAIN_OPTIONS, dim: 8, maxLen: 10, blocks: 1, heads: 1 });
    const model = initModel(arch, split.itemCount, 4);
    const counts = new Float64Array(split.itemCount + 1).fill(1);
    const sampler = new NegativeSampler(counts, split.itemCount, 20);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: split.train.length - 1 }), { minLength: 2, maxLength: 24 }),
        fc.integer({ min: 1, max: 23 }),
        fc.boolean(),
        async (users, cut, sampled) => {
          const k = Math.min(cut, users.length - 1);
          const sample = sampled ? sampler.draw(SeededRandom.fromInt(k)) : undefined;
          const count = batchPositions(split, users, arch.maxLen);
          const batch = (u: number[], g: Float32Array) =>
            headGradients(
              model,
              split,
              u,
              { o: { dropout: 0, l2Emb: 0.01 }, count, rng: SeededRandom.fromInt(1), ...(sample ? { sample } : {}) },
              g,
            );
          const gAll = new Float32Array(model.itemTable.length);
          const whole = batch(users, gAll);
          const gParts = new Float32Array(model.itemTable.length);
          const a = batch(users.slice(0, k), gParts);
          const b = batch(users.slice(k), gParts);
          expect(a.loss + b.loss).toBeCloseTo(whole.loss, 4);
          expect(maxDiff(gParts, gAll)).toBeLessThan(1e-5);
          whole.grads.forEach((g, i) => {
            const sum = tf.add(a.grads[i]!, b.grads[i]!);
            expect(maxDiff(sum.dataSync(), g.dataSync())).toBeLessThan(1e-5);
            sum.dispose();
          });
          tf.dispose([...whole.grads, ...a.grads, ...b.grads]);
        },
      ),
      { numRuns: 15 },
    );
    disposeModel(model);
  });

  it('training on 2 threads takes the same steps as on 1 (full softmax, no dropout, one epoch), and is reproducible', async () => {
    const opts = {
      dim: 8,
      maxLen: 8,
      blocks: 1,
      heads: 1,
      dropout: 0,
      epochs: 1,
      evalEvery: 1,
      batchSize: 32,
      lr: 0.01,
      validUsers: 50,
      seed: 3,
    };
    const one = await train(split, { ...opts, threads: 1 });
    const two = await train(split, { ...opts, threads: 2 });
    const again = await train(split, { ...opts, threads: 2 });
    expect(one.loss.loss).toBe('ce');
    // The key bias's gradient is zero in exact arithmetic (softmax is shift-invariant), so Adam turns
    // float rounding — which differs with the summation order — into full steps: it is left out.
    for (const [name, w] of one.weights) if (!name.endsWith('attn/bk')) expect(maxDiff(two.weights.get(name)!, w), name).toBeLessThan(1e-4);
    for (const [name, w] of two.weights) expect(Array.from(again.weights.get(name)!), name).toEqual(Array.from(w));
    expect(two.history[0]!.loss).toBeCloseTo(one.history[0]!.loss, 4);
  }, 120_000);

  it('with dropout and the sampled softmax on 3 threads it still learns, deterministically', async () => {
    const opts = { dim: 8, maxLen: 8, blocks: 1, heads: 1, dropout: 0.2, epochs: 4, evalEvery: 4, batchSize: 32, lr: 0.01, validUsers: 80 };
    const a = await train(split, { ...opts, loss: 'softmax', negatives: 16, threads: 3, seed: 5 });
    const b = await train(split, { ...opts, loss: 'softmax', negatives: 16, threads: 3, seed: 5 });
    expect(a.history.at(-1)!.loss).toBeLessThan(a.history[0]!.loss);
    expect(a.history.at(-1)!.valid!['NDCG@10']).toBe(b.history.at(-1)!.valid!['NDCG@10']);
    expect(a.history.at(-1)!.valid!['NDCG@10']).toBeGreaterThan(0.1);
  }, 120_000);

  it('rejects a bad thread count, naming it', async () => {
    await expect(train(split, { epochs: 1, threads: 0 })).rejects.toThrow(/threads must be an integer 1…16; got 0/);
    await expect(train(split, { epochs: 1, threads: 2.5 })).rejects.toThrow(/got 2.5/);
  });
});
