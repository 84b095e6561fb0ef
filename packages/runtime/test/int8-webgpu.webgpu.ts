// The WebGPU int8 kernel in real Chromium with WebGPU on (vitest project `browser-webgpu`;
// SwiftShader on a machine without a GPU): both shader variants (dot4I8Packed, extractBits) give
// the wasm kernel's and the float32 reference's rows and scores, bit for bit, on random tables
// (masks, k past the table, sizes that are not a multiple of the tile) and on models/games-sasrec.
import { beforeAll, describe, expect, it } from 'vitest';
import { HostEncoder, TENSOR_NAMES, decodeTensors, toFloatWeights, type BundleManifest } from '@localrec/model';
import { Int8TopK } from '../src/int8/kernel.js';
import { KERNEL_MODULES } from '../src/int8/modules.js';
import { detectGpuKernel, MAX_KEEP, WebGpuInt8TopK, type GpuKernelSupport } from '../src/int8/webgpu.js';
import { randomMask, reference, table, userOf } from './int8-reference.js';

let support: Extract<GpuKernelSupport, { ok: true }>;
beforeAll(async () => {
  const s = await detectGpuKernel();
  if (!s.ok) throw new Error(`no WebGPU device: ${s.reason}`);
  support = s;
});

describe('WebGPU int8 kernel: detection', () => {
  it('finds a device and the packed_4x8_integer_dot_product language feature (Chromium 123+)', () => {
    expect(support.device).toBeTruthy();
    expect(support.packed).toBe(true);
  });
});

for (const unpacked of [false, true]) {
  const variant = unpacked ? 'extractBits fallback' : 'dot4I8Packed';
  describe(`WebGPU int8 kernel (${variant})`, () => {
    it('reports the shader it compiled', async () => {
      const c = table(10, 8, 1);
      const host = Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', c.q, c.scales, c.n, c.d);
      const gpu = await WebGpuInt8TopK.create(support, host, { unpacked });
      expect(gpu.packed).toBe(!unpacked);
      gpu.dispose();
    });

    it("the reference's and the wasm kernel's rows and scores: random tables, masks, k up to past the table", async () => {
      for (const [n, d] of [
        [7, 15],
        [500, 50],
        [1025, 16], // one row past a tile
        [3000, 64], // not a multiple of the tile: 3 tiles, then a merge pass
        [129, 70],
      ] as [number, number][]) {
        const c = table(n, d, n * 5 + d, { negative: true, duplicates: true });
        const host = Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', c.q, c.scales, n, d);
        const gpu = await WebGpuInt8TopK.create(support, host, { unpacked });
        let onGpu = 0;
        for (const k of [0, 1, 10, 50, n, n + 1])
          for (const p of [0, 0.3, 1]) {
            const u = userOf(d, k * 11 + p * 100 + n);
            const mask = p === 0 ? undefined : randomMask(n, k + n, p);
            const got = await gpu.topK(u, k, mask);
            // The first k' = k + max(16, k) rows (at most the table) fit one GPU top-k.
            if (k > 0 && Math.min(n, k + Math.max(16, k)) <= MAX_KEEP) onGpu++;
            const want = reference(c, u, k, mask);
            const wasm = host.topK(u, k, mask);
            expect(Array.from(got.rows), `[${n}, ${d}] k ${k} mask ${p}`).toEqual(want.rows);
            expect(Array.from(got.values)).toEqual(want.values);
            expect(Array.from(got.rows)).toEqual(Array.from(wasm.rows));
          }
        // Every answer whose k' fits came from the GPU's candidates; the others from the wasm kernel.
        // 5 values of k > 0, 3 masks each.
        expect(gpu.answered, `[${n}, ${d}]`).toEqual({ gpu: onGpu, wasm: 15 - onGpu });
        expect(onGpu).toBeGreaterThanOrEqual(9);
        gpu.dispose();
      }
    });

    it('a table of near-ties across many tiles (merge passes, ties to the lower row, k up to MAX_KEEP and past it)', async () => {
      const n = 20_000,
        d = 20;
      const c = table(n, d, 7, { duplicates: true });
      for (let r = 0; r < n; r++) c.scales[r] = 0.01; // equal scales: every duplicate row ties exactly
      const host = Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', c.q, c.scales, n, d);
      const gpu = await WebGpuInt8TopK.create(support, host, { unpacked });
      for (const k of [10, 64, MAX_KEEP / 2, MAX_KEEP / 2 + 1]) {
        const u = userOf(d, k);
        const got = await gpu.topK(u, k);
        const want = reference(c, u, k);
        expect(Array.from(got.rows), `k ${k}`).toEqual(want.rows);
        expect(Array.from(got.values)).toEqual(want.values);
        // Up to MAX_KEEP rows the GPU answers; past it (k' = 2k > MAX_KEEP) the wasm kernel does.
        expect(gpu.answered, `k ${k}`).toEqual(k <= MAX_KEEP / 2 ? { gpu: 1, wasm: 0 } : { gpu: 0, wasm: 1 });
        gpu.answered.gpu = gpu.answered.wasm = 0;
      }
      gpu.dispose();
    });

    it('refuses a wrong user vector, k or mask, naming the value', async () => {
      const c = table(40, 8, 3);
      const host = Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', c.q, c.scales, c.n, c.d);
      const gpu = await WebGpuInt8TopK.create(support, host, { unpacked });
      expect(() => gpu.topK(new Float32Array(7), 3)).toThrow(/7 values, expected 8/);
      expect(() => gpu.topK(new Float32Array(8), -1)).toThrow(/got -1/);
      expect(() => gpu.topK(new Float32Array(8), 3, new Uint8Array(2))).toThrow(/2 bytes, expected 5/);
      gpu.dispose();
    });
  });
}

describe('WebGPU int8 kernel: a lost device', () => {
  it('answers the same from the wasm kernel once its device is lost (destroyed here), and says why', async () => {
    const own = await detectGpuKernel(); // a device of its own: destroying it leaves the shared one alone
    if (!own.ok) throw new Error(own.reason);
    const c = table(3000, 32, 9, { negative: true });
    const host = Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', c.q, c.scales, c.n, c.d);
    const gpu = await WebGpuInt8TopK.create(own, host);
    const u = userOf(32, 4);
    const want = reference(c, u, 10);
    expect(Array.from((await gpu.topK(u, 10)).rows)).toEqual(want.rows);
    expect(gpu.answered).toEqual({ gpu: 1, wasm: 0 });
    own.device.destroy();
    await own.device.lost;
    const after = await gpu.topK(u, 10);
    expect(Array.from(after.rows)).toEqual(want.rows);
    expect(Array.from(after.values)).toEqual(want.values);
    expect(gpu.answered).toEqual({ gpu: 1, wasm: 1 });
    expect(gpu.lost).toMatch(/^device lost/);
  });
});

describe('WebGPU int8 kernel on models/games-sasrec', () => {
  it('top-10 of 30 histories: the float32 reference, the wasm kernel and both shader variants agree, rows and scores', async () => {
    const base = new URL('/models/games-sasrec/', location.href).href;
    const m = (await (await fetch(`${base}manifest.json`)).json()) as BundleManifest;
    const tensors = decodeTensors(m.tensors, await (await fetch(`${base}${m.weightsFile}`)).arrayBuffer());
    const weights = toFloatWeights(tensors);
    const raw = tensors.get(TENSOR_NAMES.itemEmbedding)!;
    const scales = tensors.get(raw.quant!.scales)!.data as Float32Array;
    const n = m.itemCount + 1,
      d = m.architecture.dim;
    const item = weights.get(TENSOR_NAMES.itemEmbedding)!; // the float32 path's table: int8 dequantised
    const encoder = new HostEncoder(m.architecture, weights);
    const host = Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', raw.data as Int8Array, scales, n, d);
    const gpus = [await WebGpuInt8TopK.create(support, host), await WebGpuInt8TopK.create(support, host, { unpacked: true })];
    const noPadding = new Uint8Array(Math.ceil(n / 8));
    noPadding[0] = 1;
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % m.itemCount;
    for (let h = 0; h < 30; h++) {
      const u = encoder.encode(Array.from({ length: 1 + ((h * 13) % 50) }, () => 1 + rnd()));
      const fp = new Float32Array(n);
      for (let r = 1; r < n; r++) {
        let x = 0;
        for (let j = 0; j < d; j++) x += u[j]! * item[r * d + j]!;
        fp[r] = x;
      }
      const want = Array.from({ length: n - 1 }, (_, i) => i + 1)
        .sort((a, b) => fp[b]! - fp[a]! || a - b)
        .slice(0, 10);
      const wasm = host.topK(u, 10, noPadding);
      expect(Array.from(wasm.rows), `wasm, history ${h}`).toEqual(want);
      for (const gpu of gpus) {
        const got = await gpu.topK(u, 10, noPadding);
        expect(Array.from(got.rows), `${gpu.packed ? 'dot4I8Packed' : 'extractBits'}, history ${h}`).toEqual(want);
        expect(Array.from(got.values)).toEqual(Array.from(wasm.values));
        expect(Array.from(got.values)).toEqual(want.map((r) => fp[r]!));
      }
    }
    for (const g of gpus) expect(g.answered).toEqual({ gpu: 30, wasm: 0 });
    for (const g of gpus) g.dispose();
  });
});
