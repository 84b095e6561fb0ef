import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  Float32Rows,
  HostEncoder,
  TENSOR_NAMES,
  decodeTensors,
  dequantizeInt8,
  inverseNorms,
  rowsToFloat32,
  toFloatWeights,
  type BundleManifest,
} from '@localrec/model';
import { detectKernel, Int8TopK, type KernelModules } from '../src/int8/kernel.js';
import { KERNEL_MODULES } from '../src/int8/modules.js';
import { Int8Table } from '../src/int8/table.js';
import { randomMask, reference, table, userOf, type Case } from './int8-reference.js';

const plain = (c: Case) => Int8TopK.create(WebAssembly, KERNEL_MODULES, 'wasm-simd', c.q, c.scales, c.n, c.d);

describe('Int8TopK (plain SIMD kernel) against the float32 path in JS', () => {
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
    it(`n=${n} d=${d}: the float32 path's rows and scores, bit for bit, every k, with and without masks, negative scales`, () => {
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

  it("near-ties below the int16 rounding (stage 1 misorders them): still the float32 path's answer", () => {
    const n = 3000,
      d = 32;
    const base = table(1, d, 77);
    const c: Case = { q: new Int8Array(n * d), scales: new Float32Array(n).fill(0.01), n, d };
    for (let r = 0; r < n; r++) {
      c.q.set(base.q, r * d);
      const j = r % d;
      c.q[r * d + j] = Math.max(-127, Math.min(127, c.q[r * d + j]! + ((r * 7) % 3) - 1));
    }
    const kernel = plain(c);
    for (let s = 0; s < 10; s++) {
      const u = userOf(d, 500 + s);
      u[s] = 1e-7; // a component far below the others' int16 step
      for (const k of [1, 10, 100]) {
        const got = kernel.topK(u, k);
        const want = reference(c, u, k);
        expect(Array.from(got.rows)).toEqual(want.rows);
        expect(Array.from(got.values)).toEqual(want.values);
      }
    }
  });

  it('scores() and scoreRows() give the scores topK() gives (the float32 path), and refuse rows off the table', () => {
    const c = table(300, 50, 21, { negative: true });
    const kernel = plain(c);
    const u = userOf(50, 3);
    const all = kernel.scores(u);
    const want = reference(c, u, 300);
    want.rows.forEach((r, i) => expect(all[r]).toBe(want.values[i]));
    expect(Array.from(kernel.scoreRows(u, [5, 0, 299]))).toEqual([all[5], all[0], all[299]]);
    expect(() => kernel.scoreRows(u, [300])).toThrow(/row 300 is not in 0..299/);
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
      Object.create(WebAssembly, { validate: { value: (b: Uint8Array<ArrayBuffer>) => ok(b) } }) as typeof WebAssembly;
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
    // A page whose CSP has no 'wasm-unsafe-eval': modules validate but never compile (the tfjs path serves).
    const refused = {
      validate: () => true,
      Module: function () {
        throw new WebAssembly.CompileError('Refused to compile or instantiate WebAssembly module');
      },
    } as unknown as typeof WebAssembly;
    expect(detectKernel(refused, KERNEL_MODULES)).toMatchObject({ kind: 'none', relaxed: expect.stringMatching(/wasm-unsafe-eval/) });
  });
});

const gamesDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../models/games-sasrec');

describe.skipIf(!existsSync(join(gamesDir, 'manifest.json')))('Int8TopK on models/games-sasrec against the float32 path', () => {
  it('identical top-10 rows and scores for 500 histories (lengths 1..50)', () => {
    const m = JSON.parse(readFileSync(join(gamesDir, 'manifest.json'), 'utf8')) as BundleManifest;
    const wb = readFileSync(join(gamesDir, m.weightsFile));
    const tensors = decodeTensors(m.tensors, wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength));
    const weights = toFloatWeights(tensors);
    const raw = tensors.get(TENSOR_NAMES.itemEmbedding)!;
    const scales = tensors.get(raw.quant!.scales)!.data as Float32Array;
    const n = m.itemCount + 1,
      d = m.architecture.dim;
    const item = weights.get(TENSOR_NAMES.itemEmbedding)!; // the float32 path's table: int8 dequantised
    const host = new HostEncoder(m.architecture, weights);
    const noPadding = new Uint8Array(Math.ceil(n / 8));
    noPadding[0] = 1;
    const kinds =
      detectKernel(WebAssembly, KERNEL_MODULES).kind === 'wasm-relaxed-simd'
        ? (['wasm-simd', 'wasm-relaxed-simd'] as const)
        : (['wasm-simd'] as const);
    for (const kind of kinds) {
      const kernel = Int8TopK.create(WebAssembly, KERNEL_MODULES, kind, raw.data as Int8Array, scales, n, d);
      let seed = 99;
      const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % m.itemCount;
      for (let h = 0; h < 500; h++) {
        const seq = Array.from({ length: 1 + (h % 50) }, () => 1 + rnd());
        const u = host.encode(seq);
        const fp = new Float32Array(n);
        for (let r = 1; r < n; r++) {
          let x = 0;
          for (let j = 0; j < d; j++) x += u[j]! * item[r * d + j]!;
          fp[r] = x;
        }
        const want = Array.from({ length: n - 1 }, (_, i) => i + 1)
          .sort((a, b) => fp[b]! - fp[a]! || a - b)
          .slice(0, 10);
        const got = kernel.topK(u, 10, noPadding);
        expect(Array.from(got.rows), `${kind}, history ${h}`).toEqual(want);
        expect(Array.from(got.values)).toEqual(want.map((r) => fp[r]!));
      }
    }
  });
});

/** The host scan `similar()` runs without a kernel: cosine of every row with `row` over the dequantised table, best first, ties to the lower row. */
function cosineReference(c: Case, row: number, k: number, exclude?: Uint8Array) {
  const deq = new Float32Rows(dequantizeInt8(c.q, c.scales, c.n, c.d, 0), c.d);
  const inv = inverseNorms(deq);
  const all: { r: number; s: number }[] = [];
  for (let r = 0; r < c.n; r++) {
    if (exclude && exclude[r >> 3]! & (1 << (r & 7))) continue;
    all.push({ r, s: Math.fround(deq.rowDot(r, row) * inv[r]! * inv[row]!) });
  }
  all.sort((a, b) => b.s - a.s || a.r - b.r);
  const top = all.slice(0, k);
  return { rows: top.map((t) => t.r), values: top.map((t) => t.s) };
}

describe('Int8Table: one int8 table shared by the kernels and the host', () => {
  it('rows read in place equal the dequantised table, norms equal its norms, and the kernels over it copy nothing', () => {
    const c = table(20_000, 18, 8, { negative: true, duplicates: true });
    const t = Int8Table.build(WebAssembly, c.q, c.scales, c.n, c.d, { sums: true });
    const deq = dequantizeInt8(c.q, c.scales, c.n, c.d, 0);
    expect(Array.from(rowsToFloat32(t.rows()))).toEqual(Array.from(deq));
    expect(Array.from(t.invNorm)).toEqual(Array.from(inverseNorms(new Float32Rows(deq, c.d))));
    const bytes = t.bytes;
    const a = Int8TopK.over(WebAssembly, KERNEL_MODULES, 'wasm-simd', t);
    const b = Int8TopK.over(WebAssembly, KERNEL_MODULES, 'wasm-simd', t);
    expect(t.bytes).toBe(bytes);
    expect(a.bytes).toBe(t.buffer.byteLength);
    const u = userOf(18, 4);
    expect(Array.from(a.topK(u, 10).rows)).toEqual(reference(c, u, 10).rows);
    // A k that grows the shared memory: the host's rows and the other kernel read the new buffer.
    expect(Array.from(b.topK(u, 20_000).rows.subarray(0, 20))).toEqual(reference(c, u, 20).rows);
    expect(t.bytes).toBeGreaterThan(bytes);
    expect(Array.from(rowsToFloat32(t.rows()))).toEqual(Array.from(deq));
    expect(Array.from(a.topK(u, 7).values)).toEqual(reference(c, u, 7).values);
    expect(() =>
      Int8TopK.over(WebAssembly, KERNEL_MODULES, 'wasm-relaxed-simd', Int8Table.build(WebAssembly, c.q, c.scales, c.n, c.d)),
    ).toThrow(/needs a table with row sums/);
  });

  it('without WebAssembly the table lives in an ArrayBuffer: the host reads it, no kernel runs over it', () => {
    const c = table(30, 20, 2);
    const t = Int8Table.build(undefined, c.q, c.scales, c.n, c.d);
    expect(t.memory).toBeUndefined();
    expect(Array.from(rowsToFloat32(t.rows()))).toEqual(Array.from(dequantizeInt8(c.q, c.scales, c.n, c.d, 0)));
    expect(() => Int8TopK.over(WebAssembly, KERNEL_MODULES, 'wasm-simd', t)).toThrow(/not in WebAssembly memory/);
  });

  for (const [n, d] of [
    [1, 1],
    [40, 16],
    [600, 50],
    [2000, 24],
  ] as [number, number][]) {
    it(`similarTo n=${n} d=${d}: the host cosine scan's rows and scores, bit for bit, every k, with masks, zero and duplicate rows`, () => {
      const c = table(n, d, n * 7 + d, { negative: true, duplicates: true });
      if (n > 3) c.q.fill(0, 3 * d, 4 * d); // a zero row: cosine 0 with everything
      const t = Int8Table.build(WebAssembly, c.q, c.scales, c.n, c.d);
      const kernel = Int8TopK.over(WebAssembly, KERNEL_MODULES, 'wasm-simd', t);
      const rows = t.rows();
      for (const row of [0, Math.min(3, n - 1), n - 1])
        for (const k of [0, 1, 10, n])
          for (const p of [0, 0.3]) {
            const mask = randomMask(n, row + k, p);
            mask[row >> 3]! |= 1 << (row & 7);
            const cos = (r: number) => Math.fround(rows.rowDot(r, row) * t.invNorm[r]! * t.invNorm[row]!);
            const got = kernel.similarTo(row, k, mask, cos);
            const want = cosineReference(c, row, k, mask);
            expect(Array.from(got.rows), `row ${row} k ${k}`).toEqual(want.rows);
            expect(Array.from(got.values)).toEqual(want.values);
          }
    });
  }
});

describe.skipIf(!existsSync(join(gamesDir, 'manifest.json')))('similarTo on models/games-sasrec against the host cosine scan', () => {
  it('identical top-10 rows and scores for 200 items', () => {
    const m = JSON.parse(readFileSync(join(gamesDir, 'manifest.json'), 'utf8')) as BundleManifest;
    const wb = readFileSync(join(gamesDir, m.weightsFile));
    const tensors = decodeTensors(m.tensors, wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength));
    const raw = tensors.get(TENSOR_NAMES.itemEmbedding)!;
    const c: Case = {
      q: raw.data as Int8Array,
      scales: tensors.get(raw.quant!.scales)!.data as Float32Array,
      n: m.itemCount + 1,
      d: m.architecture.dim,
    };
    const t = Int8Table.build(WebAssembly, c.q, c.scales, c.n, c.d);
    const kernel = Int8TopK.over(WebAssembly, KERNEL_MODULES, 'wasm-simd', t);
    const rows = t.rows();
    for (let i = 0; i < 200; i++) {
      const row = 1 + ((i * 7919) % m.itemCount);
      const mask = new Uint8Array(Math.ceil(c.n / 8));
      mask[0] = 1;
      mask[row >> 3]! |= 1 << (row & 7);
      const got = kernel.similarTo(row, 10, mask, (r) => Math.fround(rows.rowDot(r, row) * t.invNorm[r]! * t.invNorm[row]!));
      const want = cosineReference(c, row, 10, mask);
      expect(Array.from(got.rows), `item row ${row}`).toEqual(want.rows);
      expect(Array.from(got.values)).toEqual(want.values);
    }
  });
});
