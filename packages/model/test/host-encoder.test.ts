import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TENSOR_NAMES,
  HostEncoder,
  SasrecScorer,
  blockTensorName,
  decodeTensors,
  toFloatWeights,
  type BundleManifest,
  type SasrecArchitecture,
} from '../src/index.js';
import { randomWeights } from './random-weights.js';

// Tolerance: the host encoder runs in float64 on the float32 weights, the tfjs path in float32;
// measured max abs diff of user vectors ~1e-6 on games-sasrec (values of order 1).
const TOL = 1e-4;

/** The tfjs inference path (`encodeLast` through `userVectors`), one sequence per call: `[d]`. */
function tfjsVector(scorer: SasrecScorer, seq: ArrayLike<number>): Float32Array {
  const u = scorer.userVectors([seq]);
  const v = u.dataSync() as Float32Array;
  u.dispose();
  return v;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** Top-`k` rows (1..N, row 0 excluded) of host scores `u · item[r]`, best first. */
function topRows(u: ArrayLike<number>, item: Float32Array, d: number, k: number): number[] {
  const n = item.length / d;
  const s: [number, number][] = [];
  for (let r = 1; r < n; r++) {
    let x = 0;
    for (let j = 0; j < d; j++) x += u[j]! * item[r * d + j]!;
    s.push([x, r]);
  }
  return s
    .sort((a, b) => b[0] - a[0])
    .slice(0, k)
    .map(([, r]) => r);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('HostEncoder equals encodeLast on small random models', () => {
  const N = 40;
  const base: SasrecArchitecture = { type: 'sasrec', dim: 12, maxLen: 7, blocks: 2, heads: 1, ffnDim: 10, norm: 'pre', layerNormEps: 1e-8 };
  const variants: [string, Partial<SasrecArchitecture>][] = [
    ['pre-LN, 1 head, 2 blocks', {}],
    ['post-LN, 1 head, 2 blocks', { norm: 'post' }],
    ['pre-LN, 2 heads, 2 blocks', { heads: 2 }],
    ['post-LN, 3 heads, 3 blocks', { norm: 'post', heads: 3, blocks: 3 }],
    ['pre-LN, 1 head, 1 block', { blocks: 1 }],
    ['pre-LN, 4 heads, 0 blocks', { heads: 4, blocks: 0 }],
  ];
  let seed = 7;
  const rnd = (m: number) => (seed = (seed * 48271) % 2147483647) % m;
  for (const [name, over] of variants) {
    const arch = { ...base, ...over };
    it(`${name}: every length 1..maxLen+3, with padding rows inside, and empty`, () => {
      const w = randomWeights(arch, N, 17 + arch.blocks * 3 + arch.heads);
      const scorer = new SasrecScorer(arch, N, w);
      const host = new HostEncoder(arch, w);
      try {
        const seqs: number[][] = [[]];
        for (let len = 1; len <= arch.maxLen + 3; len++) {
          seqs.push(Array.from({ length: len }, () => 1 + rnd(N)));
          // Padding (row 0) at the start, in the middle, and as the newest slot.
          const holes = Array.from({ length: len }, (_, i) => (i % 3 === 1 ? 0 : 1 + rnd(N)));
          seqs.push(holes);
        }
        seqs.push([0, 0, 0]);
        let worst = 0;
        for (const q of seqs) {
          const h = Array.from(host.encode(q));
          worst = Math.max(worst, maxDiff(h, tfjsVector(scorer, q)));
        }
        expect(worst).toBeLessThanOrEqual(TOL);
        // Not trivially equal: different sequences give different vectors.
        expect(maxDiff(host.encode(seqs[1]!).slice(), host.encode(seqs[3]!))).toBeGreaterThan(1e-3);
      } finally {
        scorer.dispose();
      }
    });
  }

  it('writes into a caller buffer, and rejects out-of-range rows and bad shapes by name', () => {
    const w = randomWeights(base, N, 3);
    const host = new HostEncoder(base, w);
    const out = new Float32Array(base.dim);
    expect(host.encode([1, 2, 3], out)).toBe(out);
    expect(() => host.encode([1, N + 1])).toThrow(/item row 41 is outside 1\.\.40/);
    expect(() => host.encode([-2])).toThrow(/item row -2 is outside/);
    expect(() => new HostEncoder({ ...base, heads: 5 }, w)).toThrow(/dim 12 is not divisible by heads 5/);
    const missing = new Map(w);
    missing.delete(blockTensorName(1, 'attn/wv'));
    expect(() => new HostEncoder(base, missing)).toThrow(/missing weight "block1\/attn\/wv"/);
  });

  it('SasrecScorer with hostEncoder: true scores batches through the host encoder (same top rows)', async () => {
    const w = randomWeights(base, N, 9);
    const tfjs = new SasrecScorer(base, N, w);
    const viaHost = new SasrecScorer(base, N, w, { hostEncoder: true });
    try {
      const seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9, 10, 11, 12], []];
      const [a, b] = [await tfjs.scores(seqs), await viaHost.scores(seqs)];
      for (let i = 0; i < seqs.length; i++) expect(maxDiff(a[i]!.subarray(1), b[i]!.subarray(1))).toBeLessThanOrEqual(TOL);
      // topK (what the runtime calls) ranks like the tfjs scores and leaves no tensors behind.
      const before = tf.memory().numTensors;
      const top = await tfjs.topK([1, 2, 3], 5);
      expect(tf.memory().numTensors).toBe(before);
      const ref = [...a[0]!.keys()].slice(1).sort((x, y) => a[0]![y]! - a[0]![x]!);
      expect(Array.from(top.rows)).toEqual(ref.slice(0, 5));
    } finally {
      tfjs.dispose();
      viaHost.dispose();
    }
  });
});

const modelDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../models/games-sasrec');

describe.skipIf(!existsSync(join(modelDir, 'manifest.json')))('HostEncoder on models/games-sasrec', () => {
  let scorer: SasrecScorer;
  let host: HostEncoder;
  let item: Float32Array;
  let arch: SasrecArchitecture;
  let items: number;
  beforeAll(async () => {
    // The bundle as the trainer and the runtime read it: int8 tensors dequantised once to float32.
    const m = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as BundleManifest;
    const wb = readFileSync(join(modelDir, m.weightsFile));
    const weights = toFloatWeights(decodeTensors(m.tensors, wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength)));
    arch = m.architecture;
    items = m.itemCount;
    scorer = new SasrecScorer(arch, items, weights);
    host = new HostEncoder(arch, weights);
    item = weights.get(TENSOR_NAMES.itemEmbedding)!;
  });
  afterAll(() => scorer?.dispose());

  it('user vectors within 1e-4 and identical top-10 rows for 60 sequences (lengths 1..60)', () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % items;
    let worst = 0;
    for (let len = 1; len <= 60; len++) {
      const seq = Array.from({ length: len }, () => 1 + rnd());
      const h = Array.from(host.encode(seq));
      const t = tfjsVector(scorer, seq);
      worst = Math.max(worst, maxDiff(h, t));
      expect(topRows(h, item, arch.dim, 10), `length ${len}`).toEqual(topRows(t, item, arch.dim, 10));
    }
    expect(worst).toBeLessThanOrEqual(TOL);
  });

  it('topK gives the rows and scores of the tfjs scoreTensor + topk path', async () => {
    const seq = Int32Array.from({ length: 50 }, (_, i) => 1 + ((i * 7919 + 13) % items));
    const top = await scorer.topK(seq, 61);
    const ref = tf.tidy(() => tf.topk(scorer.scoreTensor([seq]), 61, true));
    const refRows = ref.indices.dataSync(),
      refValues = ref.values.dataSync();
    tf.dispose([ref.values, ref.indices]);
    expect(Array.from(top.rows.slice(0, 10))).toEqual(Array.from(refRows.slice(0, 10)));
    expect(maxDiff(top.values, refValues)).toBeLessThanOrEqual(1e-3);
  });
});

describe('HostEncoder.prepareNext: the next history (this one plus one item) encodes only its new slot, with the same result', () => {
  const N = 40;
  const base: SasrecArchitecture = { type: 'sasrec', dim: 12, maxLen: 7, blocks: 2, heads: 1, ffnDim: 10, norm: 'pre', layerNormEps: 1e-8 };
  const variants: [string, Partial<SasrecArchitecture>][] = [
    ['pre-LN, 1 head, 2 blocks', {}],
    ['post-LN, 2 heads, 3 blocks', { norm: 'post', heads: 2, blocks: 3 }],
    ['pre-LN, 1 block', { blocks: 1 }],
    ['0 blocks', { blocks: 0 }],
  ];
  for (const [name, over] of variants) {
    it(`${name}: growing from 0 to past maxLen (window not full, then sliding), bit-identical to a full encode`, () => {
      const arch = { ...base, ...over };
      const w = randomWeights(arch, N, 99);
      const host = new HostEncoder(arch, w);
      const fresh = new HostEncoder(arch, w); // never prepared: always the full path
      let seed = 3;
      const next = () => 1 + ((seed = (seed * 48271) % 2147483647) % N);
      const seq: number[] = [];
      for (let step = 0; step < arch.maxLen + 4; step++) {
        host.prepareNext(seq);
        seq.push(next());
        const got = Float32Array.from(host.encode(seq));
        expect(host.lastPath, `step ${step}`).toBe(seq.length === 1 ? 'full' : 'incremental');
        expect(got, `step ${step}`).toEqual(Float32Array.from(fresh.encode(seq)));
        expect(fresh.lastPath).toBe('full');
      }
    });
  }

  it('any other next history is encoded in full (and correctly): two items more, a changed item, a padding row, a shorter one', () => {
    const arch = base;
    const w = randomWeights(arch, N, 5);
    const host = new HostEncoder(arch, w);
    const ref = new HostEncoder(arch, w);
    const seq = [3, 9, 27, 4];
    for (const other of [
      [...seq, 5, 6],
      [3, 9, 28, 4, 5],
      [...seq.slice(0, 3), 0, 5],
      [9, 27, 4],
      [3, 9, 27, 4, 0],
    ]) {
      host.prepareNext(seq);
      const got = Float32Array.from(host.encode(other));
      expect(host.lastPath, JSON.stringify(other)).not.toBe('incremental');
      expect(got).toEqual(Float32Array.from(ref.encode(other)));
    }
    // The prefix stays prepared until the next prepareNext: a later matching call still uses it.
    host.prepareNext(seq);
    host.encode([1, 2]);
    host.encode([...seq, 11]);
    expect(host.lastPath).toBe('incremental');
    // Histories with padding or unknown rows are not prepared.
    host.prepareNext([1, 0, 2]);
    host.encode([1, 0, 2, 3]);
    expect(host.lastPath).toBe('full');
  });
});

describe.skipIf(!existsSync(join(modelDir, 'manifest.json')))('HostEncoder.prepareNext on models/games-sasrec', () => {
  it('30 actions in a row past a full window of 50: every answer bit-identical to the full encode, top-10 unchanged', () => {
    const m = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as BundleManifest;
    const wb = readFileSync(join(modelDir, m.weightsFile));
    const weights = toFloatWeights(decodeTensors(m.tensors, wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength)));
    const host = new HostEncoder(m.architecture, weights);
    const ref = new HostEncoder(m.architecture, weights);
    const seq = Array.from({ length: 45 }, (_, i) => 1 + ((i * 7919 + 13) % m.itemCount));
    let incremental = 0;
    for (let step = 0; step < 30; step++) {
      host.prepareNext(seq);
      seq.push(1 + ((step * 104729 + 7) % m.itemCount));
      const got = Float32Array.from(host.encode(seq));
      if (host.lastPath === 'incremental') incremental++;
      expect(got, `step ${step}`).toEqual(Float32Array.from(ref.encode(seq)));
    }
    expect(incremental).toBe(30);
  });
});
