import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Float32Rows, Int8Rows, dequantizeInt8, embedSequences, inverseNorms, rowsToFloat32 } from '../src/index.js';

/** An int8 table `[n, d]` with per-row scales (some negative, some zero rows), laid out with `pad` spare bytes a row. */
const int8Table = fc
  .record({ n: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 40 }), pad: fc.integer({ min: 0, max: 9 }) })
  .chain(({ n, d, pad }) =>
    fc.record({
      n: fc.constant(n),
      d: fc.constant(d),
      pad: fc.constant(pad),
      q: fc.array(fc.integer({ min: -127, max: 127 }), { minLength: n * d, maxLength: n * d }),
      scales: fc.array(fc.float({ min: Math.fround(-0.5), max: Math.fround(0.5), noNaN: true }), { minLength: n, maxLength: n }),
      u: fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: d, maxLength: d }),
    }),
  );

type T = { n: number; d: number; pad: number; q: number[]; scales: number[]; u: number[] };

/** The table as `Int8Rows` (stride d + pad, the padding filled with junk that must never be read) and as the dequantised float32 table. */
function both(t: T): { int8: Int8Rows; f32: Float32Rows; deq: Float32Array } {
  const stride = t.d + t.pad;
  const q = new Int8Array(t.n * stride).fill(99);
  for (let r = 0; r < t.n; r++) for (let j = 0; j < t.d; j++) q[r * stride + j] = t.q[r * t.d + j]!;
  const scales = Float32Array.from(t.scales);
  const deq = dequantizeInt8(Int8Array.from(t.q), scales, t.n, t.d, 0);
  return { int8: new Int8Rows({ q, scales }, t.n, t.d, stride), f32: new Float32Rows(deq, t.d), deq };
}

/** The dequantised float path: Σ u_j · x_rj over the float32 values, float64 sum. */
function floatDot(deq: Float32Array, d: number, u: ArrayLike<number>, r: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += u[j]! * deq[r * d + j]!;
  return s;
}

describe('Int8Rows: int8 row reads and dot products equal the dequantised float32 table', () => {
  it('read / dot / rowDot / scoreRows agree with the dequantised table (bit for bit; within 1e-6 relative of an independent float sum)', () => {
    fc.assert(
      fc.property(int8Table, (t) => {
        const { int8, f32, deq } = both(t);
        const row = new Float32Array(t.d);
        for (let r = 0; r < t.n; r++) {
          expect(Array.from(int8.read(r, row))).toEqual(Array.from(deq.subarray(r * t.d, (r + 1) * t.d)));
          const want = floatDot(deq, t.d, t.u, r);
          expect(int8.dot(t.u, r)).toBe(f32.dot(t.u, r));
          // Tolerance against a sum in another order: float64 rounding of ≤ 40 terms.
          let mag = 0;
          for (let j = 0; j < t.d; j++) mag += Math.abs(t.u[j]! * deq[r * t.d + j]!);
          expect(Math.abs(int8.dot(t.u, r) - want)).toBeLessThanOrEqual(1e-6 * mag + 1e-30);
          for (let b = 0; b < t.n; b++) expect(int8.rowDot(r, b)).toBe(f32.rowDot(r, b));
        }
        const rows = Array.from({ length: t.n }, (_, i) => t.n - 1 - i);
        expect(Array.from(int8.scoreRows(t.u, rows))).toEqual(Array.from(f32.scoreRows(t.u, rows)));
        expect(Array.from(inverseNorms(int8))).toEqual(Array.from(inverseNorms(f32)));
        expect(Array.from(rowsToFloat32(int8))).toEqual(Array.from(deq));
      }),
      { numRuns: 150 },
    );
  });

  it('the int8 dot is the exact integer dot times the scale, to float32 rounding of the row values', () => {
    fc.assert(
      fc.property(int8Table, (t) => {
        const { int8 } = both(t);
        for (let r = 0; r < t.n; r++) {
          const s = t.scales[r]!;
          let exact = 0,
            mag = 0;
          for (let j = 0; j < t.d; j++) {
            exact += t.u[j]! * t.q[r * t.d + j]! * s;
            mag += Math.abs(t.u[j]! * t.q[r * t.d + j]! * s);
          }
          // Each value f32(q · s) is within 2^-24 relative of q · s.
          expect(Math.abs(int8.dot(t.u, r) - exact)).toBeLessThanOrEqual(mag * 2 ** -23 + 1e-30);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("embedSequences reads int8 rows as the float32 table's: same input embeddings", () => {
    fc.assert(
      fc.property(int8Table, fc.integer({ min: 1, max: 6 }), (t, T) => {
        const { int8, deq } = both(t);
        const arch = {
          type: 'sasrec' as const,
          dim: t.d,
          maxLen: 8,
          blocks: 1,
          heads: 1,
          ffnDim: 4,
          norm: 'pre' as const,
          layerNormEps: 1e-8,
        };
        const pos = Float32Array.from({ length: 8 * t.d }, (_, i) => (i % 7) / 10);
        const rows = Int32Array.from({ length: T }, (_, i) => (i * 5) % t.n);
        const viaInt8 = embedSequences(arch, int8, pos, rows, 1, T);
        expect(Array.from(viaInt8)).toEqual(Array.from(embedSequences(arch, deq, pos, rows, 1, T)));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses rows off the table and arrays too short for the shape, naming the values', () => {
    const q = new Int8Array(6);
    const scales = new Float32Array(2);
    const t = new Int8Rows({ q, scales }, 2, 3);
    expect(() => t.read(2, new Float32Array(3))).toThrow(/row 2 is not in 0..1/);
    expect(() => t.scoreRows([1, 2, 3], [0, -1])).toThrow(/row -1 is not in 0..1/);
    expect(() => t.scoreRows([1, 2], [0])).toThrow(/2 values, expected 3/);
    expect(() => new Int8Rows({ q, scales }, 3, 3)).toThrow(/6 values and 2 scales do not hold \[3, 3\]/);
    expect(() => new Int8Rows({ q, scales }, 2, 3, 2)).toThrow(/stride 2 is not a table shape/);
  });
});
