import { describe, expect, it } from 'vitest';
import { Int8TopK, type KernelModules } from '../src/int8/kernel.js';
import { KERNEL_MODULES } from '../src/int8/modules.js';
import { detectKernel } from '../src/backends.js';
import { fp32, randomMask, reference, table, userOf, type Case } from './int8-reference.js';

const plain = (c: Case) => Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', c.q, c.scales, c.n, c.d);

describe('Int8TopK (plain SIMD kernel) against the JS reference', () => {
  const shapes: [number, number][] = [
    [1, 1],
    [5, 15],
    [17, 16],
    [100, 17],
    [333, 50],
    [1000, 64],
    [257, 70],
  ];
  for (const [n, d] of shapes) {
    it(`n=${n} d=${d}: same rows and bit-identical scores, every k, with and without masks, negative scales`, () => {
      const c = table(n, d, n * 31 + d, { negative: true, duplicates: true });
      const kernel = plain(c);
      for (const k of [0, 1, 3, 10, n - 1, n, n + 7]) {
        if (k < 0) continue;
        for (const [seed, p] of [
          [1, 0],
          [2, 0.1],
          [3, 0.9],
          [4, 1],
        ] as const) {
          const u = userOf(d, seed * 7 + k);
          const mask = p === 0 ? undefined : randomMask(n, seed + k, p);
          const got = kernel.topK(u, k, mask);
          const want = reference(c, u, k, mask);
          expect(Array.from(got.rows)).toEqual(want.rows);
          expect(Array.from(got.values)).toEqual(want.values);
        }
      }
    });
  }

  it('scores within errorBound of the float32 path', () => {
    const c = table(2000, 50, 9, { negative: true });
    const kernel = plain(c);
    for (let s = 0; s < 20; s++) {
      const u = userOf(50, 100 + s);
      const bound = kernel.errorBound(u);
      const got = kernel.topK(u, 50);
      got.rows.forEach((r, i) => expect(Math.abs(got.values[i]! - fp32(c, u, r))).toBeLessThanOrEqual(bound));
    }
  });

  it('a zero user vector scores every row 0 and ties go to the lower rows', () => {
    const c = table(40, 20, 5);
    const got = plain(c).topK(new Float32Array(20), 5);
    expect(Array.from(got.rows)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(got.values)).toEqual([0, 0, 0, 0, 0]);
  });

  it('grows its heap for a large k and reports its memory', () => {
    const c = table(20_000, 8, 3);
    const kernel = plain(c);
    const before = kernel.bytes;
    expect(before).toBeGreaterThanOrEqual(20_000 * 16 + 20_000 * 4);
    const u = userOf(8, 1);
    const got = kernel.topK(u, 20_000);
    expect(got.rows.length).toBe(20_000);
    expect(kernel.bytes).toBeGreaterThan(before);
    expect(Array.from(got.rows.subarray(0, 100))).toEqual(reference(c, u, 100).rows);
  });

  it('refuses mismatched inputs, naming them', () => {
    const c = table(10, 4, 1);
    expect(() => Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', c.q, c.scales, 11, 4)).toThrow(/does not match \[11, 4\]/);
    const kernel = plain(c);
    expect(() => kernel.topK(new Float32Array(3), 1)).toThrow(/3 values, expected 4/);
    expect(() => kernel.topK(new Float32Array(4), -1)).toThrow(/k must be an integer/);
    expect(() => kernel.topK(new Float32Array(4), 1, new Uint8Array(1))).toThrow(/exclude has 1 bytes, expected 2/);
    expect(() => Int8TopK.create(WebAssembly, { simd: KERNEL_MODULES.simd }, 'wasm-relaxed-simd', c.q, c.scales, 10, 4)).toThrow(
      /needs modules.relaxed/,
    );
  });
});

const relaxedHere = detectKernel(WebAssembly, KERNEL_MODULES).kind === 'wasm-relaxed-simd';
// Runs where the engine has a correct relaxed SIMD (Chromium; Node with --experimental-wasm-relaxed-simd).
describe.runIf(relaxedHere)('Int8TopK (relaxed SIMD kernel): same answer as the plain kernel, bit for bit', () => {
  for (const [n, d] of [
    [5, 15],
    [300, 50],
    [2000, 64],
    [257, 70],
  ] as [number, number][]) {
    it(`n=${n} d=${d}`, () => {
      const c = table(n, d, n + d, { negative: true, duplicates: true });
      const kernel = Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-relaxed-simd', c.q, c.scales, n, d);
      for (const k of [0, 1, 10, 40, n, n + 3])
        for (const p of [0, 0.2, 1]) {
          const u = userOf(d, k * 13 + p * 10);
          const mask = p === 0 ? undefined : randomMask(n, k + 1, p);
          const got = kernel.topK(u, k, mask);
          const want = reference(c, u, k, mask);
          expect(Array.from(got.rows)).toEqual(want.rows);
          expect(Array.from(got.values)).toEqual(want.values);
        }
    });
  }
});

describe('kernel detection', () => {
  it('picks relaxed SIMD only where it validates and passes the self-test, else plain SIMD, else none', () => {
    const relaxedOk = WebAssembly.validate(KERNEL_MODULES.relaxed!) && Int8TopK.relaxedSelfTest(WebAssembly, KERNEL_MODULES);
    expect(detectKernel(WebAssembly, KERNEL_MODULES).kind).toBe(relaxedOk ? 'wasm-relaxed-simd' : 'wasm-simd');
    // An engine whose relaxed dot computes something else: the self-test refuses it.
    const wrong: KernelModules = { simd: KERNEL_MODULES.simd, relaxed: KERNEL_MODULES.simd };
    expect(Int8TopK.relaxedSelfTest(WebAssembly, wrong)).toBe(false);
    const fakeValidate = (ok: (b: Uint8Array<ArrayBuffer>) => boolean) =>
      ({ ...WebAssembly, validate: (b: Uint8Array<ArrayBuffer>) => ok(b) }) as unknown as typeof WebAssembly;
    expect(
      detectKernel(
        fakeValidate(() => true),
        wrong,
      ),
    ).toMatchObject({ kind: 'wasm-simd', relaxed: expect.stringMatching(/self-test/) });
    expect(
      detectKernel(
        fakeValidate((b) => b !== KERNEL_MODULES.relaxed),
        KERNEL_MODULES,
      ),
    ).toMatchObject({ kind: 'wasm-simd' });
    expect(
      detectKernel(
        fakeValidate(() => false),
        KERNEL_MODULES,
      ),
    ).toMatchObject({ kind: 'none' });
    expect(detectKernel(undefined, KERNEL_MODULES)).toMatchObject({ kind: 'none' });
  });
});
