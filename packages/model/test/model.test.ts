import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BLOCK_TENSORS,
  TENSOR_NAMES,
  SasrecScorer,
  blockTensorName,
  decodeTensors,
  dequantizeInt8,
  encodeTensors,
  packSequences,
  quantizeInt8,
  sha256Hex,
  type FloatWeights,
  type SasrecArchitecture,
} from '../src/index.js';

function randomWeights(arch: SasrecArchitecture, n: number, seed = 1): FloatWeights {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.4;
  const d = arch.dim;
  const w: FloatWeights = new Map();
  const put = (name: string, len: number, fill?: number) =>
    w.set(
      name,
      Float32Array.from({ length: len }, () => fill ?? rnd()),
    );
  put(TENSOR_NAMES.itemEmbedding, (n + 1) * d);
  w.get(TENSOR_NAMES.itemEmbedding)!.fill(0, 0, d);
  put(TENSOR_NAMES.positionEmbedding, arch.maxLen * d);
  for (let b = 0; b < arch.blocks; b++) {
    for (const k of BLOCK_TENSORS) {
      const name = blockTensorName(b, k);
      const len = k === 'ffn/w1' || k === 'ffn/w2' ? d * arch.ffnDim : k === 'ffn/b1' ? arch.ffnDim : k.startsWith('attn/w') ? d * d : d;
      put(name, len, k.endsWith('gamma') ? 1 : undefined);
    }
  }
  put(TENSOR_NAMES.finalNormGamma, d, 1);
  put(TENSOR_NAMES.finalNormBeta, d, 0);
  return w;
}

const arch: SasrecArchitecture = { type: 'sasrec', dim: 8, maxLen: 6, blocks: 2, heads: 2, ffnDim: 8, norm: 'pre', layerNormEps: 1e-8 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('int8 quantisation', () => {
  it('per-row and per-column scales reconstruct within half a step', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * (i + 1));
    for (const axis of [0, 1] as const) {
      const { q, scales } = quantizeInt8(x, 3, 4, axis);
      expect(scales).toHaveLength(axis === 0 ? 3 : 4);
      const y = dequantizeInt8(q, scales, 3, 4, axis);
      x.forEach((v, i) => {
        const s = scales[axis === 0 ? Math.floor(i / 4) : i % 4]!;
        expect(Math.abs(y[i]! - v)).toBeLessThanOrEqual(s / 2 + 1e-6);
      });
    }
  });
  it('an all-zero row gets scale 1 and stays zero', () => {
    const { q, scales } = quantizeInt8(new Float32Array(4), 1, 4, 0);
    expect([...scales]).toEqual([1]);
    expect([...q]).toEqual([0, 0, 0, 0]);
  });
});

describe('tensor container', () => {
  it('round-trips mixed dtypes with 4-byte alignment', () => {
    const { bytes, entries } = encodeTensors([
      { name: 'a', dtype: 'int8', shape: [3], data: Int8Array.of(-1, 2, 3) },
      { name: 'b', dtype: 'float32', shape: [2], data: Float32Array.of(1.5, -2) },
      { name: 'c', dtype: 'int32', shape: [1], data: Int32Array.of(7) },
    ]);
    expect(entries.map((e) => e.offset)).toEqual([0, 4, 12]);
    const t = decodeTensors(entries, bytes.buffer as ArrayBuffer);
    expect([...t.get('a')!.data]).toEqual([-1, 2, 3]);
    expect([...t.get('b')!.data]).toEqual([1.5, -2]);
    expect([...t.get('c')!.data]).toEqual([7]);
  });
  it('refuses an entry that runs past the buffer, naming it', () => {
    expect(() => decodeTensors([{ name: 'x', dtype: 'float32', shape: [4], offset: 0, byteLength: 16 }], new ArrayBuffer(8))).toThrow(
      /tensor "x": bytes 0..16 lie past the end of the weights file \(8 bytes\)/,
    );
  });
  it('sha256Hex matches a known digest', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('SasrecScorer (the shared scoring function)', () => {
  it('right-aligns and truncates to maxLen', () => {
    const { rows, T } = packSequences(
      [
        [1, 2],
        [3, 4, 5, 6, 7, 8, 9],
      ],
      6,
    );
    expect(T).toBe(6);
    expect([...rows]).toEqual([0, 0, 0, 0, 1, 2, 4, 5, 6, 7, 8, 9]);
  });
  it('a sequence scores the same alone as padded inside a batch of longer ones (padding is masked)', async () => {
    for (const norm of ['pre', 'post'] as const) {
      const a = { ...arch, norm };
      const scorer = new SasrecScorer(a, 20, randomWeights(a, 20));
      const [alone] = await scorer.scores([[3, 4]]);
      const [, padded] = await scorer.scores([
        [1, 2, 3, 4, 5, 6],
        [3, 4],
      ]);
      alone!.forEach((v, i) => {
        if (i > 0) expect(padded![i]).toBeCloseTo(v, 4);
      });
      expect(alone![0]).toBe(-Infinity);
      scorer.dispose();
    }
  });
  it('depends on order (causal attention sees the sequence, not a bag)', async () => {
    const scorer = new SasrecScorer(arch, 20, randomWeights(arch, 20, 5));
    const [x, y] = await scorer.scores([
      [3, 4, 5],
      [5, 4, 3],
    ]);
    expect(Math.max(...Array.from(x!.slice(1), (v, i) => Math.abs(v - y![i + 1]!)))).toBeGreaterThan(1e-3);
    scorer.dispose();
  });
  it('releases every tensor it made', async () => {
    const before = tf.memory().numTensors;
    const scorer = new SasrecScorer(arch, 20, randomWeights(arch, 20));
    await scorer.scores([[1, 2, 3]]);
    scorer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
