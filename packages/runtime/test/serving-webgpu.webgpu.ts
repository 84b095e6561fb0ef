// The WebGPU int8 kernel as a serving choice (backends.ts) in real Chromium with WebGPU on
// (SwiftShader here): the calibration times it on the serving path when a software adapter is
// allowed, and an engine decided on it answers the serving top-k (the scorer's topK, with the
// bundle's blend) exactly as the wasm kernel's engine does, on models/games-sasrec.
import { describe, expect, it } from 'vitest';
import { activateBackend, buildEngine, calibrate } from '../src/backends.js';
import { WebGpuInt8TopK } from '../src/int8/webgpu.js';
import { loadBundle } from '../src/loader.js';
import { toModelData, type ModelData } from '../src/model-data.js';

const at = (path: string): string => new URL(path, location.href).href;
const model = async (): Promise<ModelData> => toModelData(await loadBundle({ baseUrl: at('/models/games-sasrec/'), caches: null }));
const wasmPath = at('/');

describe('the WebGPU int8 kernel in the serving calibration (models/games-sasrec)', () => {
  it('is timed beside matMul + tf.topk and the wasm kernels when a software adapter is allowed, and not otherwise', async () => {
    await activateBackend('wasm', { wasmPath });
    const allowed = await calibrate(['wasm'], await model(), { wasmPath, allowFallbackAdapter: true, runs: 3 });
    const paths = allowed.calibration.paths!;
    expect(Object.keys(paths).sort()).toEqual(['wasm', 'wasm+int8-wasm-relaxed-simd', 'wasm+int8-wasm-simd', 'wasm+int8-webgpu-int8']);
    for (const ms of Object.values(paths)) expect(ms).toBeGreaterThan(0);
    const fastest = Object.entries(paths).sort((a, b) => a[1] - b[1])[0]![0];
    expect(allowed.calibration.kernel).toBe(fastest === 'wasm' ? undefined : fastest.slice('wasm+int8-'.length));
    allowed.engine.dispose();
    const refused = await calibrate(['wasm'], await model(), { wasmPath, runs: 1 });
    expect(Object.keys(refused.calibration.paths!)).not.toContain('wasm+int8-webgpu-int8');
    refused.engine.dispose();
  });

  it("decided on it, the engine's serving top-64 equals the wasm kernel engine's for 12 histories, rows and scores", async () => {
    await activateBackend('wasm', { wasmPath });
    const gpu = await buildEngine('wasm', await model(), 1, 'webgpu-int8');
    const wasm = await buildEngine('wasm', await model(), 1, 'wasm-simd');
    expect(gpu.kernel).toBeInstanceOf(WebGpuInt8TopK);
    expect(Object.keys(gpu.paths)).toEqual(['wasm+int8-webgpu-int8']);
    let seed = 11;
    const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % 23_000;
    for (let h = 0; h < 12; h++) {
      const seq = Int32Array.from({ length: 1 + ((h * 17) % 50) }, () => 1 + rnd());
      const a = await gpu.scorer.topK(seq, 64);
      const b = await wasm.scorer.topK(seq, 64);
      expect(Array.from(a.rows), `history ${h}`).toEqual(Array.from(b.rows));
      expect(Array.from(a.values)).toEqual(Array.from(b.values));
    }
    expect((gpu.kernel as WebGpuInt8TopK).answered.gpu).toBeGreaterThanOrEqual(12);
    gpu.dispose();
    wasm.dispose();
  });
});
