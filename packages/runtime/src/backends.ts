/**
 * tfjs backends: loading each backend package on demand, checking that it can start here,
 * calibrating the candidates on the real model, and watching a WebGPU device for loss.
 * This is the only module that decides which backend runs; nothing else calls `tf.setBackend`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { detectCapabilities, LocalRecError } from '@localrec/core';
import { agentInfo, monotonicNow, webAssembly, webGpu } from '@localrec/core/internal';
import { SasrecScorer, type ItemTable } from '@localrec/model';
import { BACKENDS, type BackendName } from './api.js';
import { detectKernel, Int8TopK, type KernelDetection, type KernelKind } from './int8/kernel.js';
import { KERNEL_MODULES } from './int8/modules.js';
import { detectGpuKernel, GPU_KERNEL, WebGpuInt8TopK, type GpuKernelSupport } from './int8/webgpu.js';
import type { ModelData } from './model-data.js';

/** A scorer living on one backend. */
export interface Engine {
  backend: BackendName;
  scorer: SasrecScorer;
  /**
   * The int8 kernel that scores `recommend()`'s top-k ({@link SasrecScorer.topK} through
   * {@link Int8TopK.topK}), when it serves; otherwise matMul + `tf.topk` on the backend do.
   */
  kernel?: Int8TopK | WebGpuInt8TopK | undefined;
  /** Median ms of what `recommend()` runs for a fresh history (host encoder + top-k through the chosen kernel), measured at start. */
  medianMs: number;
  /** The serving path's medians measured at start: `backend` (matMul + `tf.topk`) and, where tried, the int8 kernel. */
  paths: Record<string, number>;
  dispose(): void;
}

export interface BackendOptions {
  /** Folder URL (browser) or path (Node) with tfjs-backend-wasm's .wasm files, trailing slash. */
  wasmPath?: string;
  /** Accept a software WebGPU adapter (`isFallbackAdapter`), e.g. SwiftShader, for the webgpu backend and the WebGPU int8 kernel. Only when forced. */
  allowFallbackAdapter?: boolean;
}

/** The int8 kernels that can serve `recommend()`'s top-k: the wasm ones and the WebGPU one. */
export type ServingKernel = KernelKind | typeof GPU_KERNEL;

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
}

async function gpuAdapter(): Promise<GpuAdapterLike | null> {
  const gpu = webGpu();
  if (!gpu) return null;
  try {
    return (await gpu.requestAdapter()) as GpuAdapterLike | null;
  } catch {
    return null;
  }
}

/**
 * Checks a backend name from the options. The one rule of the code base: a name that is not one of
 * {@link BACKENDS} is `INVALID_CONFIG` (a mistake in the configuration); a valid backend that
 * cannot start here is `BACKEND_UNAVAILABLE`.
 * @throws {LocalRecError} `INVALID_CONFIG` naming the value, `field` and the accepted names.
 */
export function checkBackend(name: unknown, field = 'backends'): asserts name is BackendName {
  if (!(BACKENDS as readonly unknown[]).includes(name)) {
    throw new LocalRecError(
      'INVALID_CONFIG',
      `Unsupported backend ${JSON.stringify(name) ?? String(name)}. Should be one of: ${BACKENDS.join(', ')}.`,
      { field, accepted: BACKENDS },
    );
  }
}

/**
 * Loads `name`'s package and registers it with tfjs. Throws `BACKEND_UNAVAILABLE` with the
 * reason when the backend cannot run in this environment (`INVALID_CONFIG` for an unknown name).
 */
export async function prepareBackend(name: BackendName, o: BackendOptions = {}): Promise<void> {
  checkBackend(name);
  const unavailable = (why: string) => new LocalRecError('BACKEND_UNAVAILABLE', `Backend "${name}" is unavailable: ${why}`);
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (o.wasmPath) wasm.setWasmPaths(o.wasmPath);
      return;
    }
    case 'webgl': {
      const caps = detectCapabilities();
      if (!caps.offscreenCanvas && !caps.document) throw unavailable('no OffscreenCanvas or document');
      await import('@tensorflow/tfjs-backend-webgl');
      return;
    }
    case 'webgpu': {
      const adapter = await gpuAdapter();
      if (!adapter) throw unavailable('navigator.gpu.requestAdapter() gave no adapter');
      const fallback = adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter ?? false;
      if (fallback && !o.allowFallbackAdapter) {
        throw unavailable(
          `the adapter is a software fallback (${adapter.info?.architecture ?? 'unknown'}); force it with forceBackend: "webgpu"`,
        );
      }
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    }
  }
}

/** Makes `name` the active tfjs backend; throws `BACKEND_UNAVAILABLE` if it does not start. */
export async function activateBackend(name: BackendName, o: BackendOptions = {}): Promise<void> {
  await prepareBackend(name, o);
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    throw new LocalRecError('BACKEND_UNAVAILABLE', `Backend "${name}" failed to start: ${(e as Error).message}`, { cause: e });
  }
  if (!ok || tf.getBackend() !== name) throw new LocalRecError('BACKEND_UNAVAILABLE', `Backend "${name}" failed to start`);
}

let detected: KernelDetection | undefined;
/** {@link detectKernel} for this engine's WebAssembly and the kernels built in, once: the one place the kernel is chosen. */
export function kernelSupport(): KernelDetection {
  return (detected ??= detectKernel(webAssembly(), KERNEL_MODULES));
}

/** A representative full-length input: the most popular items (the real model, a real shape). */
function probeSequence(md: ModelData): Int32Array {
  const n = Math.min(md.maxLen, md.itemCount);
  const seq = new Int32Array(n);
  for (let i = 0; i < n; i++) seq[i] = md.cold.popularItems[i % Math.max(1, md.cold.popularItems.length)] ?? (i % md.itemCount) + 1;
  return seq;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = monotonicNow;

const kernels = new WeakMap<ModelData, Map<KernelKind, Int8TopK>>();
/**
 * The `kind` int8 kernel over `md`'s int8 item table (`md.table`, scanned in place: every kernel
 * and the host share it, so building one copies nothing), once per model and kind; `undefined`
 * where there is no WebAssembly SIMD or the bundle's item table is not int8 per row.
 */
function kernelFor(md: ModelData, kind: KernelKind): Int8TopK | undefined {
  let have = kernels.get(md);
  if (!have) kernels.set(md, (have = new Map<KernelKind, Int8TopK>()));
  const k = have.get(kind);
  if (k) return k;
  const wasm = webAssembly();
  const t = md.table;
  if (!wasm || !t?.memory || (kind === 'wasm-relaxed-simd' && !t.hasSums)) return undefined;
  const made = Int8TopK.over(wasm, KERNEL_MODULES, kind, t);
  have.set(kind, made);
  return made;
}

/** Keeps only `keep` of `md`'s kernels (none: all go; the table they scan stays with `md`). */
function settleKernels(md: ModelData, keep: Int8TopK | WebGpuInt8TopK | undefined): void {
  const have = kernels.get(md);
  // The WebGPU kernel keeps its wasm re-scoring kernel (also the one a later engine falls back to).
  const host = keep instanceof WebGpuInt8TopK ? keep.host : keep;
  for (const [kind, k] of have ?? []) if (k !== host) have!.delete(kind);
  const gpu = gpuKernels.get(md);
  if (gpu && gpu !== keep) {
    gpu.dispose();
    gpuKernels.delete(md);
  }
}

let gpuDetected: Promise<GpuKernelSupport> | undefined;
/** {@link detectGpuKernel} once (its device, `dot4I8Packed` or not): the one place the WebGPU kernel is chosen. */
function gpuKernelSupport(): Promise<GpuKernelSupport> {
  return (gpuDetected ??= detectGpuKernel());
}

const gpuKernels = new WeakMap<ModelData, WebGpuInt8TopK>();
/**
 * The WebGPU int8 kernel over `md`'s table (uploaded once per model; it re-scores through the plain
 * SIMD wasm kernel), or `undefined` without a WebGPU device, with a software adapter unless
 * `allowFallbackAdapter`, or where the table does not fit the device.
 */
async function gpuKernelFor(md: ModelData, allowFallbackAdapter: boolean): Promise<WebGpuInt8TopK | undefined> {
  const have = gpuKernels.get(md);
  if (have) return have;
  const support = await gpuKernelSupport();
  if (!support.ok || (support.fallbackAdapter && !allowFallbackAdapter)) return undefined;
  const host = kernelFor(md, 'wasm-simd');
  if (!host) return undefined;
  const made = await WebGpuInt8TopK.create(support, host).catch(() => undefined);
  if (made) gpuKernels.set(md, made);
  return made;
}

/** The kernel kinds this engine can run, the relaxed one first. */
function kernelKinds(): KernelKind[] {
  const { kind } = kernelSupport();
  return kind === 'wasm-relaxed-simd' ? ['wasm-relaxed-simd', 'wasm-simd'] : kind === 'wasm-simd' ? ['wasm-simd'] : [];
}

/**
 * The kernel used without timing (forced backend, first working one): plain SIMD — on this
 * project's 2-core test machine Chromium's relaxed kernel was the slower one at 1M items
 * (15.8 vs 8.9 ms), so relaxed SIMD serves only where the calibration measured it faster.
 */
export const UNTIMED_KERNEL: KernelKind = 'wasm-simd';

/** Backends on which the int8 kernel competes with the backend's own matMul + `tf.topk` (the CPU ones). */
const KERNEL_BACKENDS: ReadonlySet<BackendName> = new Set(['wasm', 'cpu']);
/** Backends on which the WebGPU int8 kernel competes too (the host encoder serves either way: it needs no tfjs backend of its own). */
const GPU_KERNEL_BACKENDS: ReadonlySet<BackendName> = new Set(['wasm', 'cpu', 'webgpu']);
/** Rows the timed top-k asks for: about what `recommend()` asks for one list (its pool, the history, padding). */
const SERVE_NEED = 64;

/** Median ms of `runs` top-k calls as `recommend()` makes them, alternating two histories (each call a fresh encode). */
async function timeServing(scorer: SasrecScorer, seqs: Int32Array[], runs: number, need: number): Promise<number> {
  for (const q of seqs) await scorer.topK(q, need); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await scorer.topK(seqs[i % seqs.length]!, need);
    times.push(now() - t0);
  }
  return times.length ? median(times) : NaN;
}

/**
 * Builds the scorer on the active backend, warms it up (first runs compile shaders / kernels)
 * and times `runs` of what `recommend()` runs for a fresh history: the host encoder and the top-k,
 * through matMul + `tf.topk` on the backend and, on the CPU backends where WebAssembly SIMD is
 * available, through each int8 kernel ({@link kernelFor}: relaxed and plain SIMD); the fastest
 * serves. `kernel` decides without timing: a kernel kind (a cached calibration's choice, or
 * {@link UNTIMED_KERNEL}), or `false` for the backend's matMul + `tf.topk`.
 */
export async function buildEngine(
  name: BackendName,
  md: ModelData,
  runs: number,
  kernel?: ServingKernel | false,
  o: Pick<BackendOptions, 'allowFallbackAdapter'> = {},
): Promise<Engine> {
  // A decided kind runs only where the detection allows it (a cached choice on a page whose CSP now refuses WebAssembly).
  const tryKernels =
    !KERNEL_BACKENDS.has(name) || kernel === false ? [] : kernelKinds().filter((k) => kernel === undefined || k === kernel);
  const built: (Int8TopK | WebGpuInt8TopK)[] = tryKernels.flatMap((kind) => {
    const k = kernelFor(md, kind);
    return k ? [k] : [];
  });
  // The WebGPU int8 kernel: timed on the backends above (a software adapter only when allowed), or a decided choice.
  if (GPU_KERNEL_BACKENDS.has(name) && (kernel === undefined || kernel === GPU_KERNEL)) {
    const gpu = await gpuKernelFor(md, o.allowFallbackAdapter === true || kernel === GPU_KERNEL);
    if (gpu) built.push(gpu);
  }
  const tableOf = (k: Int8TopK | WebGpuInt8TopK): ItemTable => ({ topK: (u, need) => k.topK(u, need), scores: (u) => k.scores(u) });
  const decided = kernel !== undefined ? built[0] : undefined;
  // Decided without timing: the float32 item table is never uploaded to the backend.
  // The bundle's blend with co-occurrence (manifest.blend) is part of every score, as in the trainer's eval.
  const blend = md.manifest.blend ? { spec: md.manifest.blend, table: md.cold } : undefined;
  const scorer = new SasrecScorer(
    md.manifest.architecture,
    md.itemCount,
    md.weights,
    decided ? { itemTable: tableOf(decided), blend, itemRows: md.items } : { blend, itemRows: md.items },
  );
  try {
    const seq = probeSequence(md);
    // Warm-up: compiles and uploads the tfjs encoder and matMul (scoreRows and selective filters
    // read every score); with the kernel decided, only the encoder (its scores() are plain JS).
    const warm = async (q: Int32Array) => (decided ? scorer.userVectors([q]).dispose() : void (await scorer.scores([q])));
    await warm(seq);
    await warm(seq.subarray(seq.length - 1)); // a short history compiles the other shapes' path
    const seqs = [seq, seq.slice().reverse()];
    // Never more rows than the table has (row 0 is padding): a 24-item catalogue has 25.
    const need = Math.min(SERVE_NEED, md.itemCount + 1);
    const paths: Record<string, number> = {};
    let serving: Int8TopK | WebGpuInt8TopK | undefined = decided;
    if (decided) paths[`${name}+int8-${decided.kind}`] = await timeServing(scorer, seqs, runs, need);
    else {
      paths[name] = await timeServing(scorer, seqs, runs, need);
      let best = paths[name];
      for (const k of built) {
        scorer.useItemTable(tableOf(k));
        const ms = (paths[`${name}+int8-${k.kind}`] = await timeServing(scorer, seqs, runs, need));
        if (!(ms >= best)) {
          best = ms;
          serving = k;
        }
      }
      // A kernel serves: the backend's float32 copies of the item table go.
      if (serving) scorer.useItemTable(tableOf(serving), { release: true });
      else scorer.useItemTable(undefined);
    }
    if (kernel !== undefined) settleKernels(md, serving);
    const medianMs = Math.min(...Object.values(paths).filter((x) => !Number.isNaN(x)), Infinity);
    return {
      backend: name,
      scorer,
      kernel: serving,
      medianMs: Number.isFinite(medianMs) ? medianMs : NaN,
      paths,
      dispose: () => scorer.dispose(),
    };
  } catch (e) {
    scorer.dispose();
    throw new LocalRecError('BACKEND_UNAVAILABLE', `Backend "${name}" failed on the model: ${(e as Error).message}`, { cause: e });
  }
}

/** Result of a calibration: the winner and every candidate's median (or why it failed). */
export interface Calibration {
  backend: BackendName;
  /** The int8 kernel that serves `recommend()`'s top-k on the winner (absent: the backend's matMul + `tf.topk`). */
  kernel?: ServingKernel;
  /** Per backend: median ms of the serving path (its faster kernel), or why it failed. */
  timings: Partial<Record<BackendName, number | string>>;
  /** Every serving path timed: `<backend>` (matMul + `tf.topk`) and `<backend>+int8-<kernel>`, median ms. */
  paths?: Record<string, number>;
}

/**
 * Starts each candidate on the real model, times it, keeps the fastest engine and disposes the
 * others. Candidates that fail are skipped (their error is kept in `timings`).
 */
export async function calibrate(
  candidates: readonly BackendName[],
  md: ModelData,
  o: BackendOptions & { runs?: number } = {},
): Promise<{ engine: Engine; calibration: Calibration }> {
  let best: Engine | undefined;
  const timings: Calibration['timings'] = {};
  const paths: Record<string, number> = {};
  const ms3 = (x: number) => Math.round(x * 1000) / 1000;
  for (const name of candidates) {
    try {
      await activateBackend(name, o);
      const e = await buildEngine(name, md, o.runs ?? 5, undefined, o);
      timings[name] = ms3(e.medianMs);
      for (const [p, x] of Object.entries(e.paths)) paths[p] = ms3(x);
      if (!best || e.medianMs < best.medianMs) {
        best?.dispose();
        best = e;
      } else e.dispose();
    } catch (err) {
      timings[name] = (err as Error).message;
    }
  }
  if (!best) {
    throw new LocalRecError('BACKEND_UNAVAILABLE', `No backend could run the model: ${JSON.stringify(timings)}`, {
      field: 'backends',
      accepted: [...candidates],
    });
  }
  // Each engine's tensors live on the backend that was active when it was built: rebuild the
  // winner on its own backend rather than let tfjs copy tensors across backends lazily.
  if (tf.getBackend() !== best.backend) {
    const kernel = best.kernel?.kind ?? false;
    best.dispose();
    await activateBackend(best.backend, o);
    best = await buildEngine(best.backend, md, 1, kernel, o);
  }
  settleKernels(md, best.kernel);
  const calibration: Calibration = { backend: best.backend, timings, paths };
  if (best.kernel) calibration.kernel = best.kernel.kind;
  return { engine: best, calibration };
}

/** Starts the first candidate that works, in order, without timing the others. */
export async function firstWorking(candidates: readonly BackendName[], md: ModelData, o: BackendOptions = {}): Promise<Engine> {
  const errors: string[] = [];
  for (const name of candidates) {
    try {
      await activateBackend(name, o);
      return await buildEngine(name, md, 1, UNTIMED_KERNEL);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new LocalRecError('BACKEND_UNAVAILABLE', `No backend could run the model: ${errors.join('; ')}`, {
    field: 'backends',
    accepted: [...candidates],
  });
}

/** Calls `onLost` when the active WebGPU device is lost (driver reset, GPU removed). */
export function watchDeviceLoss(onLost: (reason: string) => void): void {
  const b = tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string; reason?: string }> } };
  b.device?.lost?.then((info) => onLost(info?.message || info?.reason || 'device lost')).catch(() => {});
}

/** A key for the calibration cache: same model version on the same browser and GPU. */
export async function deviceKey(): Promise<string> {
  const nav = agentInfo();
  const a = await gpuAdapter();
  const gpu = a?.info ? `${a.info.vendor ?? ''}/${a.info.architecture ?? ''}/${a.info.description ?? ''}` : 'no-webgpu';
  return `${nav.userAgent ?? 'node'}|${nav.hardwareConcurrency ?? 0}|${gpu}`;
}

/**
 * The `need` best rows for one sequence by model score: the shared scorer's single-history path
 * ({@link SasrecScorer.topK}: host encoder, then matMul + `tf.topk` on the backend): only `need`
 * values cross back to the host. Row 0 (padding) may appear; callers skip it.
 */
export async function deviceTopK(scorer: SasrecScorer, seq: Int32Array, need: number): Promise<{ rows: Int32Array; values: Float32Array }> {
  return scorer.topK(seq, need);
}
