/**
 * The WebGPU int8 scoring kernel: the int8 item table (per-row scales) uploaded once per model to
 * GPU storage, packed 4 values per u32, scored against the user vector quantised to int8 with a
 * device-side top-k (topk.wgsl: per-tile bitonic sort, then merge passes until one tile is left);
 * only the best `k'` candidates are read back.
 *
 * Same answer as the wasm kernel ({@link Int8TopK}), rows and scores bit for bit: the GPU is
 * stage 1 only. The user vector `u` is quantised to int8 (`su = max|u| / 127`, `round(u_j / su)`,
 * the wasm kernel's rule with 127 levels); the GPU's score of row r is the exact integer dot
 * `Σ q_rj · q_uj` (`dot4I8Packed`, or `extractBits` arithmetic, the same integer) times
 * `s_r · su`, off the float32 path by at most `E = max_r(s_r · ‖q_r‖₁) · (su / 2 + 1e-5 · max|u|)`.
 * The `k' = k + max(16, k)` kept rows are re-scored on the host by the wasm kernel's own formula
 * ({@link Int8TopK.scoreRows}: the float32 path's score) and the wasm kernel's exactness test
 * decides: if the worst kept stage-1 score plus E is below the k-th re-scored one, the answer is
 * the float32 path's top k; otherwise the GPU runs again with 4× the rows kept, and past
 * {@link MAX_KEEP} the wasm kernel answers. Tolerance: none.
 */
import { webGpu } from '@localrec/core/internal';
import dotPacked from './dot-packed.wgsl';
import dotUnpacked from './dot-unpacked.wgsl';
import type { Int8TopK, TopKResult } from './kernel.js';
import topkSource from './topk.wgsl';

/** The kernel's name in calibrations and `paths`. */
export const GPU_KERNEL = 'webgpu-int8';

/** Entries per tile (topk.wgsl's TILE) and the most rows one GPU top-k keeps (half a tile: each merge pass halves the entries at least). */
const TILE = 1024;
export const MAX_KEEP = TILE / 2;
const INVALID = 0xffffffff;
const MAX_DIM = 65535;
/** Bytes between two passes' parameters in the uniform buffer (minUniformBufferOffsetAlignment ≤ 256 everywhere). */
const SLOT = 256;
const MAX_PASSES = 32;

// The few WebGPU types used here (TypeScript's DOM library has none).
/* eslint-disable @typescript-eslint/no-explicit-any */
interface GpuBuffer {
  size: number;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}
interface GpuDevice {
  queue: { writeBuffer(b: GpuBuffer, offset: number, data: ArrayBufferView): void; submit(cmds: unknown[]): void };
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupsPerDimension: number };
  lost: Promise<{ message?: string }>;
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): GpuBuffer;
  createShaderModule(d: { code: string }): { getCompilationInfo?(): Promise<{ messages: { type: string; message: string }[] }> };
  createBindGroupLayout(d: any): unknown;
  createPipelineLayout(d: any): unknown;
  createComputePipelineAsync(d: any): Promise<unknown>;
  createBindGroup(d: any): unknown;
  createCommandEncoder(): {
    beginComputePass(): {
      setPipeline(p: unknown): void;
      setBindGroup(i: number, g: unknown, offsets?: number[]): void;
      dispatchWorkgroups(x: number, y?: number): void;
      end(): void;
    };
    copyBufferToBuffer(a: GpuBuffer, ao: number, b: GpuBuffer, bo: number, size: number): void;
    finish(): unknown;
  };
  pushErrorScope(f: string): void;
  popErrorScope(): Promise<{ message: string } | null>;
  destroy(): void;
}
interface GpuAdapter {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; architecture?: string };
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
  requestDevice(d?: any): Promise<GpuDevice>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// GPUBufferUsage, GPUMapMode, GPUShaderStage (numeric: no browser global read).
const MAP_READ = 0x1,
  COPY_SRC = 0x4,
  COPY_DST = 0x8,
  UNIFORM = 0x40,
  STORAGE = 0x80,
  READ = 0x1,
  COMPUTE = 0x4;

/** What {@link detectGpuKernel} found: a device to run the kernel on, or why there is none. */
export type GpuKernelSupport =
  { ok: true; device: GpuDevice; packed: boolean; fallbackAdapter: boolean; architecture: string } | { ok: false; reason: string };

/**
 * Requests a WebGPU device for the kernel (its own, apart from tfjs's) and reads whether WGSL has
 * `packed_4x8_integer_dot_product` (`navigator.gpu.wgslLanguageFeatures`). Call it once (the
 * runtime's backends.ts caches it: the one place the kernel is chosen).
 */
export async function detectGpuKernel(): Promise<GpuKernelSupport> {
  const gpu = webGpu();
  if (!gpu) return { ok: false, reason: 'no navigator.gpu' };
  try {
    const adapter = (await gpu.requestAdapter()) as GpuAdapter | null;
    if (!adapter) return { ok: false, reason: 'navigator.gpu.requestAdapter() gave no adapter' };
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    return {
      ok: true,
      device,
      packed: gpu.wgslLanguageFeatures?.has('packed_4x8_integer_dot_product') ?? false,
      fallbackAdapter: adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter ?? false,
      architecture: adapter.info?.architecture ?? '',
    };
  } catch (e) {
    return { ok: false, reason: `WebGPU device request failed: ${(e as Error).message}` };
  }
}

/** Options of {@link WebGpuInt8TopK.create}. */
export interface GpuKernelOptions {
  /** Use the `extractBits` arithmetic even where `dot4I8Packed` exists (tests; both give the same integers). */
  unpacked?: boolean;
}

/**
 * The int8 table of a wasm kernel ({@link Int8TopK}) on a WebGPU device, with a device-side top-k.
 * Build it with {@link WebGpuInt8TopK.create}; it re-scores through (and keeps) that wasm kernel.
 */
export class WebGpuInt8TopK {
  readonly kind = GPU_KERNEL;
  readonly n: number;
  readonly dim: number;
  /** `dot4I8Packed` (true) or the `extractBits` fallback (false). */
  readonly packed: boolean;
  private readonly words: number;
  private readonly maxRowL1: number;
  private readonly bufs: { table: GpuBuffer; scales: GpuBuffer; user: GpuBuffer; mask: GpuBuffer; a: GpuBuffer; b: GpuBuffer };
  private readonly params: GpuBuffer;
  private readonly read: GpuBuffer;
  private readonly groups: [unknown, unknown];
  /** Answers so far: from the GPU's candidates, or handed to the wasm kernel (more than {@link MAX_KEEP} rows needed). */
  readonly answered = { gpu: 0, wasm: 0 };
  /** Why the GPU no longer answers (its device was lost, or a GPU call failed): the wasm kernel answers from then on. */
  lost: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    private readonly device: GpuDevice,
    /** The wasm kernel it re-scores through (and hands k' > {@link MAX_KEEP} to). */
    readonly host: Int8TopK,
    private readonly pipeline: unknown,
    layout: unknown,
    packed: boolean,
  ) {
    this.n = host.n;
    this.dim = host.dim;
    this.packed = packed;
    this.words = host.stride / 4;
    const view = host.int8View();
    this.maxRowL1 = view.maxRowL1;
    const buffer = (size: number, usage: number, data?: ArrayBufferView) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage });
      if (data) device.queue.writeBuffer(b, 0, data);
      return b;
    };
    const tiles = Math.max(1, Math.ceil(this.n / TILE));
    this.bufs = {
      table: buffer(view.table.byteLength, STORAGE | COPY_DST, view.table),
      scales: buffer(view.scales.byteLength, STORAGE | COPY_DST, view.scales),
      user: buffer(host.stride, STORAGE | COPY_DST),
      mask: buffer(Math.ceil(this.n / 32) * 4, STORAGE | COPY_DST),
      a: buffer(tiles * MAX_KEEP * 8, STORAGE | COPY_SRC),
      b: buffer(tiles * MAX_KEEP * 8, STORAGE | COPY_SRC),
    };
    this.params = buffer(SLOT * MAX_PASSES, UNIFORM | COPY_DST);
    this.read = buffer(MAX_KEEP * 8, MAP_READ | COPY_DST);
    const group = (src: GpuBuffer, dst: GpuBuffer) =>
      device.createBindGroup({
        layout,
        entries: [
          { binding: 0, resource: { buffer: this.params, size: 32 } },
          ...[this.bufs.table, this.bufs.scales, this.bufs.user, this.bufs.mask, src, dst].map((buffer, i) => ({
            binding: i + 1,
            resource: { buffer },
          })),
        ],
      });
    // Pass 0 writes a (src b unused), pass 1 reads a and writes b, pass 2 reads b and writes a…
    this.groups = [group(this.bufs.b, this.bufs.a), group(this.bufs.a, this.bufs.b)];
    // A lost device (driver reset, GPU removed, destroyed): the same answers from the wasm kernel.
    void device.lost.then((info) => {
      this.lost ??= `device lost: ${info?.message || 'no reason given'}`;
    });
  }

  /**
   * Uploads `host`'s int8 table and scales (once: the GPU copy is this kernel's) and compiles the
   * shader: `dot4I8Packed` where `support.packed` and not `o.unpacked`, else `extractBits`.
   * @throws {RangeError} naming the limit when the table does not fit the device (its size, or `dim` > 65535).
   */
  static async create(support: Extract<GpuKernelSupport, { ok: true }>, host: Int8TopK, o: GpuKernelOptions = {}): Promise<WebGpuInt8TopK> {
    const { device } = support;
    const bytes = host.n * host.stride;
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    if (bytes > limit) throw new RangeError(`WebGpuInt8TopK: the int8 table is ${bytes} bytes, the device binds at most ${limit}`);
    if (host.dim > MAX_DIM) throw new RangeError(`WebGpuInt8TopK: dimension ${host.dim} is above ${MAX_DIM}`);
    const packed = support.packed && !o.unpacked;
    const storage = (type: string) => ({ visibility: COMPUTE, buffer: { type } });
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
        ...['read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'].map(
          (type, i) => ({ binding: i + 1, ...storage(type) }),
        ),
      ],
    });
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: `${packed ? dotPacked : dotUnpacked}\n${topkSource}` });
    const pipeline = await device
      .createComputePipelineAsync({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      })
      .catch((e: unknown) => e as Error);
    const err = (await device.popErrorScope()) ?? (pipeline instanceof Error ? pipeline : null);
    if (err) throw new RangeError(`WebGpuInt8TopK: the shader does not compile here: ${err.message}`);
    return new WebGpuInt8TopK(device, host, pipeline, layout, packed);
  }

  /** Bytes of host memory the kernel holds (its wasm re-scoring kernel's; the GPU copy is {@link WebGpuInt8TopK.gpuBytes}). */
  get bytes(): number {
    return this.host.bytes;
  }

  /** Bytes of GPU buffers the kernel holds (table, scales, candidates). */
  get gpuBytes(): number {
    return Object.values(this.bufs).reduce((s, b) => s + b.size, this.params.size + this.read.size);
  }

  /**
   * The `k` best rows for `user`, best first, with the float32 path's scores: the wasm kernel's
   * answer ({@link Int8TopK.topK}, same `exclude` bitmap), computed on the GPU.
   * @throws {RangeError} naming the value when `user`, `k` or `exclude` do not fit the table.
   */
  topK(user: ArrayLike<number>, k: number, exclude?: Uint8Array): Promise<TopKResult> {
    if (user.length !== this.dim) throw new RangeError(`WebGpuInt8TopK.topK: user vector has ${user.length} values, expected ${this.dim}`);
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`WebGpuInt8TopK.topK: k must be an integer ≥ 0, got ${k}`);
    const maskBytes = Math.ceil(this.n / 8);
    if (exclude && exclude.length < maskBytes) {
      throw new RangeError(`WebGpuInt8TopK.topK: exclude has ${exclude.length} bytes, expected ${maskBytes}`);
    }
    const run = this.queue.then(() => this.search(user, Math.min(k, this.n), exclude));
    this.queue = run.catch(() => {});
    return run;
  }

  /** The float32 path's scores of `rows` ({@link Int8TopK.scoreRows}, on the host: `rank()`'s few candidates). */
  scoreRows(user: ArrayLike<number>, rows: ArrayLike<number>): Float32Array {
    return this.host.scoreRows(user, rows);
  }

  /** Every row's float32-path score ({@link Int8TopK.scores}, on the host: evaluation hooks, not the serving path). */
  scores(user: ArrayLike<number>): Float32Array {
    return this.host.scores(user);
  }

  /** Frees the GPU buffers (the device and the wasm kernel stay: they are shared). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of [...Object.values(this.bufs), this.params, this.read]) b.destroy();
  }

  private async search(user: ArrayLike<number>, k: number, exclude: Uint8Array | undefined): Promise<TopKResult> {
    if (k === 0) return { rows: new Int32Array(0), values: new Float32Array(0) };
    if (this.disposed) throw new RangeError('WebGpuInt8TopK: used after dispose()');
    if (this.lost) {
      this.answered.wasm++;
      return this.host.topK(user, k, exclude);
    }
    let m = 0;
    for (let j = 0; j < this.dim; j++) m = Math.max(m, Math.abs(user[j]!));
    const su = Math.fround(m > 0 ? m / 127 : 1);
    const q = new Int8Array(this.words * 4);
    for (let j = 0; j < this.dim; j++) q[j] = Math.max(-127, Math.min(127, Math.round(user[j]! / su)));
    this.device.queue.writeBuffer(this.bufs.user, 0, q);
    if (exclude) {
      const words = new Uint8Array(Math.ceil(this.n / 32) * 4);
      words.set(exclude.subarray(0, Math.ceil(this.n / 8)));
      this.device.queue.writeBuffer(this.bufs.mask, 0, words);
    }
    const bound = this.maxRowL1 * (su * 0.5 + m * 1e-5);
    for (let wide = Math.min(this.n, k + Math.max(16, k)); wide <= MAX_KEEP && !this.lost; wide = Math.min(this.n, wide * 4)) {
      let kept: { r: number; s: number }[];
      try {
        kept = await this.stage1(wide, su, exclude !== undefined);
      } catch (e) {
        this.lost ??= `GPU call failed: ${(e as Error)?.message ?? String(e)}`;
        break;
      }
      const rows = kept.map((c) => c.r);
      const exact = this.host.scoreRows(user, rows);
      const cand = rows.map((r, i) => ({ r, s: exact[i]! }));
      cand.sort((x, y) => y.s - x.s || x.r - y.r);
      const best = cand.slice(0, k);
      const top = { rows: Int32Array.from(best, (c) => c.r), values: Float32Array.from(best, (c) => c.s) };
      const worst = kept.length ? kept[kept.length - 1]!.s : Infinity;
      // All eligible rows kept, or none outside can beat the k-th: exact (the wasm kernel's test).
      if (kept.length < wide || wide === this.n || worst + bound < top.values[top.values.length - 1]!) {
        this.answered.gpu++;
        return top;
      }
    }
    this.answered.wasm++;
    return this.host.topK(user, k, exclude);
  }

  /** One GPU top-`wide` (`wide` ≤ {@link MAX_KEEP}): the kept rows and their stage-1 scores, best first. */
  private async stage1(wide: number, su: number, masked: boolean): Promise<{ r: number; s: number }[]> {
    const maxX = this.device.limits.maxComputeWorkgroupsPerDimension;
    const params = new ArrayBuffer(SLOT * MAX_PASSES);
    const passes: { tiles: number }[] = [];
    for (let count = this.n, mode = 0; ; mode = 1) {
      const tiles = Math.ceil(count / TILE);
      if (passes.length === MAX_PASSES) throw new RangeError(`WebGpuInt8TopK: more than ${MAX_PASSES} passes for ${this.n} rows`);
      const u = new Uint32Array(params, passes.length * SLOT, 8);
      u.set([count, this.words, wide, mode, 0, masked ? 1 : 0]);
      new Float32Array(params, passes.length * SLOT + 16, 1)[0] = su;
      passes.push({ tiles });
      if (tiles === 1) break;
      count = tiles * wide;
    }
    this.device.queue.writeBuffer(this.params, 0, new Uint8Array(params, 0, passes.length * SLOT));
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(this.pipeline);
    passes.forEach(({ tiles }, i) => {
      pass.setBindGroup(0, this.groups[i % 2], [i * SLOT]);
      const x = Math.min(tiles, maxX);
      pass.dispatchWorkgroups(x, Math.ceil(tiles / x));
    });
    pass.end();
    // Pass i writes a when i is even, b when odd.
    enc.copyBufferToBuffer(passes.length % 2 === 1 ? this.bufs.a : this.bufs.b, 0, this.read, 0, wide * 8);
    this.device.queue.submit([enc.finish()]);
    await this.read.mapAsync(READ);
    try {
      const raw = this.read.getMappedRange();
      const f = new Float32Array(raw, 0, wide * 2);
      const i = new Uint32Array(raw, 0, wide * 2);
      const out: { r: number; s: number }[] = [];
      for (let j = 0; j < wide && i[2 * j + 1] !== INVALID; j++) out.push({ r: i[2 * j + 1]!, s: f[2 * j]! });
      return out;
    } finally {
      this.read.unmap();
    }
  }
}
