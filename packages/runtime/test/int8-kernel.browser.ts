// The int8 kernels in real Chromium (vitest browser mode): detection picks relaxed SIMD where the
// browser has it, and both kernels give the JS reference's answer bit for bit.
import { describe, expect, it } from 'vitest';
import { detectKernel, Int8TopK, type KernelKind } from '../src/int8/kernel.js';
import { KERNEL_MODULES } from '../src/int8/modules.js';
import { randomMask, reference, table, userOf } from './int8-reference.js';

describe('int8 kernels in Chromium', () => {
  it('detects relaxed SIMD (Chromium ships it) and passes its self-test', () => {
    expect(detectKernel(WebAssembly, KERNEL_MODULES)).toEqual({ kind: 'wasm-relaxed-simd' });
  });

  for (const kind of ['wasm-simd', 'wasm-relaxed-simd'] as KernelKind[]) {
    it(`${kind}: the reference's rows and scores on random tables, masks and k`, () => {
      for (const [n, d] of [
        [7, 15],
        [500, 50],
        [3000, 64],
        [129, 70],
      ] as [number, number][]) {
        const c = table(n, d, n * 3 + d, { negative: true, duplicates: true });
        const kernel = Int8TopK.create(WebAssembly, KERNEL_MODULES, kind, c.q, c.scales, n, d);
        for (const k of [0, 1, 10, 50, n, n + 1])
          for (const p of [0, 0.3, 1]) {
            const u = userOf(d, k * 7 + p * 100 + n);
            const mask = p === 0 ? undefined : randomMask(n, k + n, p);
            const got = kernel.topK(u, k, mask);
            const want = reference(c, u, k, mask);
            expect(Array.from(got.rows)).toEqual(want.rows);
            expect(Array.from(got.values)).toEqual(want.values);
          }
      }
    });
  }
});
