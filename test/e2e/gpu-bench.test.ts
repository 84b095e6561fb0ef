// Smoke test of the benchmark page benchmarks/gpu (served by its own serve.mjs, the built worker,
// models/games-sasrec) in headless Chromium with WebGPU on SwiftShader (`softwareGpu=1`): the
// JSON has every backend that can start here with numeric medians for each of its serving paths
// (the WebGPU int8 kernel among them), the recommend() round trips came from the model, and the
// calibration's choice is one of them. No timing thresholds: SwiftShader says nothing about GPUs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGpuBenchServer } from '../../benchmarks/gpu/serve.mjs';
import { useBrowser } from './helpers.js';

interface BackendResult {
  ok: boolean;
  error?: string;
  paths?: Record<string, number>;
  kernel?: string | null;
  recommend?: { calls: number; p50Ms: number; p95Ms: number; inWorkerP50Ms: number; fallbacks: number };
}
interface BenchResult {
  error?: string;
  adapter: { webgpu: boolean; architecture?: string; isFallbackAdapter?: boolean; packed4x8DotProduct?: boolean };
  backends: Record<string, BackendResult>;
  calibration: { backend?: string; kernel?: string | null; paths?: Record<string, number>; error?: string };
}

const chromium = useBrowser();
let server: Awaited<ReturnType<typeof startGpuBenchServer>>;
beforeAll(async () => {
  server = await startGpuBenchServer();
});
afterAll(async () => {
  await server?.close();
});

describe('benchmarks/gpu page', () => {
  it('reports every available backend and kernel with numeric medians and the calibration as JSON', async () => {
    const page = await chromium.browser.newPage();
    try {
      await page.goto(`${server.url}?softwareGpu=1&calls=5`);
      await page.waitForFunction(() => (window as { __LOCALREC_GPU_BENCH__?: unknown }).__LOCALREC_GPU_BENCH__, null, {
        timeout: 600_000,
        polling: 1000,
      });
      const r = (await page.evaluate(() => (window as { __LOCALREC_GPU_BENCH__?: unknown }).__LOCALREC_GPU_BENCH__)) as BenchResult;
      expect(r.error).toBeUndefined();
      expect(r.adapter).toMatchObject({ webgpu: true, architecture: 'swiftshader', isFallbackAdapter: true, packed4x8DotProduct: true });
      expect(Object.keys(r.backends).sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu']);
      // wasm and webgpu start on this machine (webgpu through SwiftShader); both time the WebGPU int8 kernel.
      expect(Object.keys(r.backends.wasm!.paths!).sort()).toEqual([
        'wasm',
        'wasm+int8-wasm-relaxed-simd',
        'wasm+int8-wasm-simd',
        'wasm+int8-webgpu-int8',
      ]);
      expect(Object.keys(r.backends.webgpu!.paths!).sort()).toEqual(['webgpu', 'webgpu+int8-webgpu-int8']);
      const ok = Object.entries(r.backends).filter(([, b]) => b.ok);
      for (const [name, b] of Object.entries(r.backends)) if (!b.ok) expect(b.error, name).toMatch(/\S/);
      for (const [name, b] of ok) {
        for (const [p, ms] of Object.entries(b.paths!)) expect(Number.isFinite(ms) && ms > 0, `${p}: ${ms}`).toBe(true);
        expect(b.recommend, name).toMatchObject({ calls: 5, fallbacks: 0 });
        for (const x of [b.recommend!.p50Ms, b.recommend!.p95Ms, b.recommend!.inWorkerP50Ms]) expect(Number.isFinite(x), name).toBe(true);
      }
      expect(ok.map(([n]) => n)).toContain(r.calibration.backend);
      const all = Object.assign({}, ...ok.map(([, b]) => b.paths)) as Record<string, number>;
      expect(Object.keys(r.calibration.paths!).sort()).toEqual(Object.keys(all).sort());
      // The page offers the same JSON as a download.
      expect(await page.locator('#download').getAttribute('href')).toMatch(/^blob:/);
      expect(JSON.parse((await page.locator('#result').textContent())!)).toEqual(r);
    } finally {
      await page.close();
    }
  });
});
