// The int8 kernels in real Chromium (vitest browser mode): detection picks relaxed SIMD where the
// browser has it, both kernels give the float32 path's answer bit for bit, and the real worker
// serves recommend() through the kernel.
import { describe, expect, it } from 'vitest';
import { HostEncoder, TENSOR_NAMES, blendDense, decodeTensors, toFloatWeights, type BundleManifest } from '@localrec/model';
import { webWorkerTransport } from '../src/connector.js';
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

// The built worker (`pnpm build`: vitest.config.ts serves packages/runtime/dist) on the committed
// models/games-sasrec: recommend() through the int8 kernel against the float32 path computed here.
describe('the worker on models/games-sasrec: recommend() through the int8 kernel', () => {
  const at = (path: string): string => new URL(path, location.href).href;

  it('serves through the kernel (status: memory.kernelBytes) and answers the float32 top-10 for 40 histories', async () => {
    const base = at('/models/games-sasrec/');
    const m = (await (await fetch(`${base}manifest.json`)).json()) as BundleManifest;
    const vocab = (await (await fetch(`${base}vocab.json`)).json()) as string[];
    const wb = await (await fetch(`${base}${m.weightsFile}`)).arrayBuffer();
    const tensors = decodeTensors(m.tensors, wb);
    const weights = toFloatWeights(tensors);
    // The shipped scores: the model's plus the bundle's blend with co-occurrence (when it has one).
    const cooc = {
      coocItems: tensors.get(TENSOR_NAMES.coocItems)!.data as Int32Array,
      coocScores: tensors.get(TENSOR_NAMES.coocScores)!.data as Float32Array,
      neighbours: m.coldStart.cooccurrenceNeighbours,
    };
    const host = new HostEncoder(m.architecture, weights);
    const item = weights.get(TENSOR_NAMES.itemEmbedding)!;
    const n = m.itemCount + 1,
      d = m.architecture.dim;

    const link = await webWorkerTransport(new URL(at('/worker.js')), { startTimeoutMs: 60_000 }).open();
    try {
      const api = link.api;
      await api.init({
        appId: 'int8-kernel',
        modelUrl: base,
        wasmPath: at('/'),
        cache: false,
        calibrate: false,
        backends: ['wasm'],
        budgetMs: 60_000,
      });
      await api.ready();
      const status = (await api.status()) as { backend?: string; memory?: { kernelBytes: number } };
      expect(status.backend).toBe('wasm');
      expect(status.memory!.kernelBytes).toBeGreaterThan(n * d);

      let seed = 2026;
      const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % m.itemCount;
      for (let h = 0; h < 40; h++) {
        const rows = Array.from({ length: 1 + ((h * 7) % 50) }, () => 1 + rnd()).filter((r, i, a) => i === 0 || r !== a[i - 1]);
        const sequence = rows.map((r, i) => ({ itemId: vocab[r - 1]!, type: 'view' as const, ts: 1000 + i, seq: i + 1, count: 1 }));
        const got = await api.recommend({ k: 10, excludePurchased: false }, { history: { sequence, purchased: [] } });
        const u = host.encode(rows);
        const fp = new Float32Array(n);
        for (let r = 1; r < n; r++) {
          let x = 0;
          for (let j = 0; j < d; j++) x += u[j]! * item[r * d + j]!;
          fp[r] = x;
        }
        if (m.blend) blendDense(fp, rows, cooc, m.blend);
        const seen = new Set(rows);
        const want = Array.from({ length: n - 1 }, (_, i) => i + 1)
          .filter((r) => !seen.has(r))
          .sort((a, b) => fp[b]! - fp[a]! || a - b)
          .slice(0, 10);
        expect(
          got.items.map((i) => i.itemId),
          `history ${h}`,
        ).toEqual(want.map((r) => vocab[r - 1]));
        got.items.forEach((it, i) => expect(Math.abs(it.score - fp[want[i]!]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fp[want[i]!]!))));
      }
    } finally {
      link.close();
    }
  });
});

describe('the worker on an int8 bundle holds no float32 item table; similar() through the kernel', () => {
  const at = (path: string): string => new URL(path, location.href).href;

  it("memory accounting: the int8 table once (the kernel's memory), no float32 table on the host or in tfjs; similar() = the float32 cosine top-10", async () => {
    const base = at('/models/games-sasrec/');
    const m = (await (await fetch(`${base}manifest.json`)).json()) as BundleManifest;
    const vocab = (await (await fetch(`${base}vocab.json`)).json()) as string[];
    const tensors = decodeTensors(m.tensors, await (await fetch(`${base}${m.weightsFile}`)).arrayBuffer());
    const item = toFloatWeights(tensors).get(TENSOR_NAMES.itemEmbedding)!; // the float32 path's table, here in the page
    const n = m.itemCount + 1,
      d = m.architecture.dim;
    const float32Table = n * d * 4;
    // Every other tensor in float32, counted twice (the cold tables are both weights and tables): far below the float32 item table here.
    const rest = m.tensors
      .filter((t) => t.name !== TENSOR_NAMES.itemEmbedding)
      .reduce((s, t) => s + (t.dtype === 'int8' ? t.byteLength * 4 : t.byteLength), 0);
    expect(2 * rest).toBeLessThan(float32Table);
    const link = await webWorkerTransport(new URL(at('/worker.js')), { startTimeoutMs: 60_000 }).open();
    try {
      const api = link.api;
      await api.init({ appId: 'int8-resident', modelUrl: base, wasmPath: at('/'), cache: false, calibrate: false, backends: ['wasm'] });
      await api.ready();
      const st = (await api.status()) as {
        memory?: { hostBytes: number; tfjsBytes: number; kernelBytes: number; int8TableBytes: number; float32TableBytes: number };
      };
      const mem = st.memory!;
      expect(mem.float32TableBytes).toBe(0);
      expect(mem.hostBytes).toBeLessThanOrEqual(2 * rest);
      expect(mem.tfjsBytes).toBeLessThan(float32Table / 4);
      // The kernel scans the one int8 table: rows padded to 16 bytes, 3 arrays of n, buffers, whole pages; and 1/norm on the host.
      expect(mem.kernelBytes).toBe(mem.int8TableBytes - n * 4);
      const stride = Math.ceil(d / 16) * 16;
      expect(mem.int8TableBytes).toBeGreaterThanOrEqual(n * stride + 3 * n * 4);
      expect(mem.int8TableBytes).toBeLessThanOrEqual(n * stride + 5 * n * 4 + 3 * 65536);

      // similar(): the kernel's cosine top-k, against the cosine over the dequantised float32 table.
      const norm = (r: number) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += item[r * d + j]! * item[r * d + j]!;
        return s > 0 ? 1 / Math.sqrt(s) : 0;
      };
      const inv = Float32Array.from({ length: n }, (_, r) => norm(r));
      for (let i = 0; i < 25; i++) {
        const row = 1 + ((i * 4099) % m.itemCount);
        const cos = new Float32Array(n);
        for (let r = 1; r < n; r++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += item[r * d + j]! * item[row * d + j]!;
          cos[r] = s * inv[r]! * inv[row]!;
        }
        const want = Array.from({ length: n - 1 }, (_, k) => k + 1)
          .filter((r) => r !== row)
          .sort((a, b) => cos[b]! - cos[a]! || a - b)
          .slice(0, 10);
        const got = await api.similar(vocab[row - 1]!, { k: 10 });
        expect(got.fallbackReason, `item row ${row}`).toBeUndefined();
        expect(
          got.items.map((x) => x.itemId),
          `item row ${row}`,
        ).toEqual(want.map((r) => vocab[r - 1]));
        expect(got.items.map((x) => x.score)).toEqual(want.map((r) => cos[r]!));
      }
    } finally {
      link.close();
    }
  });
});

describe('the worker calibrates the serving path, the kernel choice included', () => {
  const at = (path: string): string => new URL(path, location.href).href;

  it('times wasm with matMul + tf.topk, the relaxed and the plain kernel, and serves the fastest', async () => {
    const link = await webWorkerTransport(new URL(at('/worker.js')), { startTimeoutMs: 60_000 }).open();
    try {
      const api = link.api;
      await api.init({
        appId: 'int8-calibration',
        modelUrl: at('/models/games-sasrec/'),
        wasmPath: at('/'),
        cache: false,
        backends: ['wasm'],
      });
      await api.ready();
      const st = (await api.status()) as {
        calibration?: { backend: string; kernel?: string; paths?: Record<string, number> };
        memory?: { kernelBytes: number; tfjsBytes: number };
      };
      const paths = st.calibration!.paths!;
      expect(Object.keys(paths).sort()).toEqual(['wasm', 'wasm+int8-wasm-relaxed-simd', 'wasm+int8-wasm-simd']);
      const fastest = Object.entries(paths).sort((a, b) => a[1] - b[1])[0]![0];
      expect(st.calibration!.kernel).toBe(fastest === 'wasm' ? undefined : fastest.slice('wasm+int8-'.length));
      expect(st.memory!.kernelBytes > 0).toBe(fastest !== 'wasm');
    } finally {
      link.close();
    }
  });
});
