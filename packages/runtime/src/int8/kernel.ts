/**
 * The int8 scoring kernel: an int8 item table with per-row float32 scales, resident in WebAssembly
 * memory, scored against a user vector with a fused top-k (topk.wat, plain SIMD; or
 * topk-relaxed.wat, relaxed SIMD). The table is never widened to float32.
 *
 * Two stages. (1) The wasm kernel scans every row with the user vector quantised — to int16 by the
 * plain kernel (`su = max|u| / 32767`), to 7 bits by the relaxed one (`su = max|u| / 63`, twice the
 * products per instruction) — and keeps the best `k' = k + max(16, k)` rows in a heap. Its score
 * of row r (int8 values `q_r`, scale `s_r`) is off the float32 path's by at most
 * `E = max_r(s_r · ‖q_r‖₁) · (su / 2 + 4e-6 · max|u|)` (the user vector's rounding, plus float32
 * rounding). (2) The kept rows are re-scored exactly as the float32 path scores them:
 * `f32(Σ_j u_j · f32(q_rj · s_r))` (float64 sum, the dequantised row of `dequantizeInt8`). If the
 * worst kept row's stage-1 score plus E is below the k-th re-scored score, no other row can be in
 * the top k — the answer is the float32 path's top k, rows and scores; otherwise stage 1 runs again
 * with 4× the rows kept (at most the whole table). Ties go to the lower row.
 *
 * Memory layout (one `WebAssembly.Memory`, 16-byte aligned regions): the table `[n, dp]` int8
 * (dp = d rounded up to 16, zero padded), the scales `[n]` f32, the row sums `[n]` i32 (relaxed
 * only), the user vector (dp int16, or dp bytes), the exclusion bitmap `ceil(n / 8)` bytes and
 * the top-k heap (8 bytes per entry, grown on demand).
 */

/** The two kernel variants. */
export type KernelKind = 'wasm-simd' | 'wasm-relaxed-simd';

/** The assembled kernel modules (`import bytes from './topk.wat'`, see scripts/wat.mjs). */
export interface KernelModules {
  simd: Uint8Array<ArrayBuffer>;
  relaxed?: Uint8Array<ArrayBuffer> | undefined;
}

/** The `topk` export of topk.wat / topk-relaxed.wat (see the .wat files for the parameters). */
type TopKFn = (
  table: number,
  scales: number,
  user: number,
  mask: number,
  heap: number,
  n: number,
  dp: number,
  k: number,
  userScale: number,
  sums?: number,
) => number;

/** Top rows, best first, with their scores. */
export interface TopKResult {
  rows: Int32Array;
  values: Float32Array;
}

const PAGE = 65536;
const align16 = (x: number) => (x + 15) & ~15;

function instantiate(wasm: typeof WebAssembly, bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory): TopKFn {
  const inst = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  return inst.exports['topk'] as TopKFn;
}

/** Reads `count` heap entries at byte `at` and sorts them best first (score desc, row asc). */
function readHeap(buf: ArrayBuffer, at: number, count: number): TopKResult {
  const f = new Float32Array(buf, at, count * 2);
  const i = new Int32Array(buf, at, count * 2);
  const order = Array.from({ length: count }, (_, j) => j);
  order.sort((a, b) => f[2 * b]! - f[2 * a]! || i[2 * a + 1]! - i[2 * b + 1]!);
  const rows = new Int32Array(count);
  const values = new Float32Array(count);
  order.forEach((j, o) => {
    rows[o] = i[2 * j + 1]!;
    values[o] = f[2 * j]!;
  });
  return { rows, values };
}

/**
 * An int8 table `[n, d]` with per-row scales in WebAssembly memory, and its top-k kernel.
 * Build it with {@link Int8TopK.create}; the arrays given are copied in and may be dropped.
 */
export class Int8TopK {
  readonly kind: KernelKind;
  readonly n: number;
  readonly dim: number;
  /** Row stride in bytes (dim rounded up to 16). */
  readonly stride: number;
  private readonly memory: WebAssembly.Memory;
  /** Stage 1: topk.wat's or topk-relaxed.wat's `topk` (the plain one ignores the last argument). */
  private readonly scan: TopKFn;
  private readonly relaxed: boolean;
  private readonly at: { table: number; scales: number; sums: number; user: number; mask: number; heap: number };
  /** max over rows of `s_r · ‖q_r‖₁` (the error bounds scale with it). */
  private readonly maxRowL1: number;
  private heapCap = 0;

  private constructor(
    wasm: typeof WebAssembly,
    modules: KernelModules,
    kind: KernelKind,
    q: Int8Array,
    scales: Float32Array,
    n: number,
    d: number,
  ) {
    this.kind = kind;
    this.n = n;
    this.dim = d;
    const dp = (this.stride = Math.max(16, align16(d)));
    const table = 0;
    const sc = align16(table + n * dp);
    const sums = align16(sc + n * 4);
    const user = align16(sums + (kind === 'wasm-relaxed-simd' ? n * 4 : 0));
    const mask = align16(user + dp * 2);
    const heap = align16(mask + Math.ceil(n / 8));
    this.at = { table, scales: sc, sums, user, mask, heap };
    this.memory = new wasm.Memory({ initial: Math.ceil((heap + 64 * 8) / PAGE) });
    this.heapCap = Math.floor((this.memory.buffer.byteLength - heap) / 8);
    this.relaxed = kind === 'wasm-relaxed-simd';
    this.scan = instantiate(wasm, this.relaxed ? modules.relaxed! : modules.simd, this.memory);
    const buf = this.memory.buffer;
    const t = new Int8Array(buf, table, n * dp);
    const rowSums = new Int32Array(buf, sums, this.relaxed ? n : 0);
    let maxL1 = 0;
    for (let r = 0; r < n; r++) {
      let sum = 0,
        l1 = 0;
      for (let j = 0; j < d; j++) {
        const v = q[r * d + j]!;
        t[r * dp + j] = v;
        sum += v;
        l1 += Math.abs(v);
      }
      if (this.relaxed) rowSums[r] = sum;
      maxL1 = Math.max(maxL1, Math.abs(scales[r]!) * l1);
    }
    new Float32Array(buf, sc, n).set(scales.subarray(0, n));
    this.maxRowL1 = maxL1;
  }

  /**
   * Copies `q` (`[n, d]` int8, row-major) and `scales` (`[n]`) into a new kernel's memory.
   * `kind` `wasm-relaxed-simd` needs `modules.relaxed`; check the engine supports it first
   * (see `kernelSupport` in backends.ts).
   * @throws {RangeError} naming the sizes when `q` or `scales` do not match `[n, d]`.
   */
  static create(
    wasm: typeof WebAssembly,
    modules: KernelModules,
    kind: KernelKind,
    q: Int8Array,
    scales: Float32Array,
    n: number,
    d: number,
  ): Int8TopK {
    if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || q.length !== n * d || scales.length < n) {
      throw new RangeError(`Int8TopK: table of ${q.length} values and ${scales.length} scales does not match [${n}, ${d}]`);
    }
    if (kind === 'wasm-relaxed-simd' && !modules.relaxed) throw new RangeError('Int8TopK: kind "wasm-relaxed-simd" needs modules.relaxed');
    return new Int8TopK(wasm, modules, kind, q, scales, n, d);
  }

  /**
   * Views of the resident table for another device's copy (the WebGPU kernel uploads them as they
   * are: rows of `stride` bytes, zero padded, i.e. 4 int8 values per little-endian u32), and
   * `maxRowL1` = max over rows of `s_r · ‖q_r‖₁` (its exactness bound scales with it).
   */
  int8View(): { table: Uint8Array; scales: Float32Array; maxRowL1: number } {
    const buf = this.memory.buffer;
    return {
      table: new Uint8Array(buf, this.at.table, this.n * this.stride),
      scales: new Float32Array(buf, this.at.scales, this.n),
      maxRowL1: this.maxRowL1,
    };
  }

  /** Bytes of WebAssembly memory the kernel holds (table, scales, buffers). */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * The `k` best rows for `user` (`dim` floats), best first, with the float32 path's scores (see
   * the module comment). `exclude`: a bitmap of `ceil(n / 8)` bytes, bit `r % 8` of byte `r >> 3`
   * set = row r is never returned. Fewer than `k` rows come back when fewer are eligible.
   * @throws {RangeError} naming the value when `user`, `k` or `exclude` do not fit the table.
   */
  topK(user: ArrayLike<number>, k: number, exclude?: Uint8Array): TopKResult {
    if (user.length !== this.dim) throw new RangeError(`Int8TopK.topK: user vector has ${user.length} values, expected ${this.dim}`);
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`Int8TopK.topK: k must be an integer ≥ 0, got ${k}`);
    const maskBytes = Math.ceil(this.n / 8);
    if (exclude && exclude.length < maskBytes) {
      throw new RangeError(`Int8TopK.topK: exclude has ${exclude.length} bytes, expected ${maskBytes}`);
    }
    k = Math.min(k, this.n);
    if (k === 0) return { rows: new Int32Array(0), values: new Float32Array(0) };
    const a = this.at;
    if (exclude) new Uint8Array(this.memory.buffer, a.mask, maskBytes).set(exclude.subarray(0, maskBytes));
    const mask = exclude ? a.mask : 0;
    const m = maxAbs(user);
    const su = this.writeUser(user, m);
    const bound = this.maxRowL1 * (su * 0.5 + m * 4e-6);
    for (let wide = Math.min(this.n, k + Math.max(16, k)); ; wide = Math.min(this.n, wide * 4)) {
      this.reserve(wide);
      const count = this.scan(a.table, a.scales, a.user, mask, a.heap, this.n, this.stride, wide, su, a.sums);
      const { top, worst } = this.rescore(user, count, k);
      // All eligible rows kept, or none outside can beat the k-th: exact.
      if (count < wide || wide === this.n || worst + bound < top.values[top.values.length - 1]!) return top;
    }
  }

  /**
   * Every row's score for `user`, as {@link Int8TopK.topK} scores its rows (the float32 path's:
   * `f32(Σ_j u_j · f32(q_rj · s_r))`), in plain JS over the int8 table: for evaluation hooks
   * (`scoreRows`) and selective filters, not the serving path.
   */
  scores(user: ArrayLike<number>): Float32Array {
    return this.scoreRows(user, { length: this.n }, true);
  }

  /**
   * The scores of `rows` only (same formula as {@link Int8TopK.scores}), e.g. `rank()`'s candidates.
   * @throws {RangeError} naming the value when `user` or a row does not fit the table.
   */
  scoreRows(user: ArrayLike<number>, rows: ArrayLike<number>, all = false): Float32Array {
    if (user.length !== this.dim) throw new RangeError(`Int8TopK: user vector has ${user.length} values, expected ${this.dim}`);
    const buf = this.memory.buffer;
    const t = new Int8Array(buf, this.at.table, this.n * this.stride);
    const sc = new Float32Array(buf, this.at.scales, this.n);
    const out = new Float32Array(rows.length);
    const d = this.dim,
      dp = this.stride;
    for (let i = 0; i < rows.length; i++) {
      const r = all ? i : rows[i]!;
      if (!(Number.isInteger(r) && r >= 0 && r < this.n)) throw new RangeError(`Int8TopK.scoreRows: row ${r} is not in 0..${this.n - 1}`);
      const s = sc[r]!;
      let x = 0;
      for (let c = 0; c < d; c++) x += user[c]! * Math.fround(t[r * dp + c]! * s);
      out[i] = x;
    }
    return out;
  }

  /** Stage 2: the `count` heap entries re-scored as the float32 path does, the best `k`; `worst` = the lowest stage-1 score. */
  private rescore(user: ArrayLike<number>, count: number, k: number): { top: TopKResult; worst: number } {
    const buf = this.memory.buffer;
    const heap = new Float32Array(buf, this.at.heap, count * 2);
    const rowsOf = new Int32Array(buf, this.at.heap, count * 2);
    const t = new Int8Array(buf, this.at.table, this.n * this.stride);
    const sc = new Float32Array(buf, this.at.scales, this.n);
    const d = this.dim,
      dp = this.stride;
    let worst = Infinity;
    const cand = new Array<{ r: number; s: number }>(count);
    for (let j = 0; j < count; j++) {
      worst = Math.min(worst, heap[2 * j]!);
      const r = rowsOf[2 * j + 1]!;
      const s = sc[r]!;
      let x = 0;
      for (let c = 0; c < d; c++) x += user[c]! * Math.fround(t[r * dp + c]! * s);
      cand[j] = { r, s: Math.fround(x) };
    }
    cand.sort((x, y) => y.s - x.s || x.r - y.r);
    const best = cand.slice(0, k);
    return { top: { rows: Int32Array.from(best, (c) => c.r), values: Float32Array.from(best, (c) => c.s) }, worst };
  }

  /** Writes the quantised user vector for stage 1 (int16, or 7 bits + 64 for the relaxed kernel); returns its scale. */
  private writeUser(user: ArrayLike<number>, m: number): number {
    const buf = this.memory.buffer;
    if (this.relaxed) {
      const su = Math.fround(m > 0 ? m / 63 : 1);
      const u = new Uint8Array(buf, this.at.user, this.stride).fill(64);
      for (let j = 0; j < this.dim; j++) u[j] = Math.max(-63, Math.min(63, Math.round(user[j]! / su))) + 64;
      return su;
    }
    const su = Math.fround(m > 0 ? m / 32767 : 1);
    const u = new Int16Array(buf, this.at.user, this.stride).fill(0);
    for (let j = 0; j < this.dim; j++) u[j] = Math.max(-32767, Math.min(32767, Math.round(user[j]! / su)));
    return su;
  }

  /**
   * The relaxed kernel's self-test: a small table over the whole int8 range against an integer
   * reference of the same formula. `false` when the engine's relaxed dot disagrees (an engine may
   * implement it differently: Node 20's V8 behind its flag did), so the plain kernel serves.
   */
  static relaxedSelfTest(wasm: typeof WebAssembly, modules: KernelModules): boolean {
    if (!modules.relaxed) return false;
    try {
      const n = 37,
        d = 45;
      const q = new Int8Array(n * d);
      for (let i = 0; i < q.length; i++) q[i] = ((i * 97 + 13) % 255) - 127;
      const scales = Float32Array.from({ length: n }, (_, r) => 1 + r / 64);
      const k = Int8TopK.create(wasm, modules, 'wasm-relaxed-simd', q, scales, n, d);
      k.reserve(n);
      const u = Float32Array.from({ length: d }, (_, j) => ((j * 31) % 127) - 63);
      const a = k.at;
      const u7 = new Uint8Array(k.memory.buffer, a.user, k.stride).fill(64);
      for (let j = 0; j < d; j++) u7[j] = u[j]! + 64;
      const count = k.scan(a.table, a.scales, a.user, 0, a.heap, n, k.stride, n, 1, a.sums);
      const got = readHeap(k.memory.buffer, a.heap, count);
      if (count !== n) return false;
      for (let o = 0; o < n; o++) {
        const r = got.rows[o]!;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += q[r * d + j]! * u[j]!;
        if (got.values[o] !== Math.fround(Math.fround(dot) * scales[r]!)) return false;
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Grows the memory so the heap holds `k` entries. */
  private reserve(k: number): void {
    if (k <= this.heapCap) return;
    const need = this.at.heap + k * 8 - this.memory.buffer.byteLength;
    this.memory.grow(Math.ceil(need / PAGE));
    this.heapCap = Math.floor((this.memory.buffer.byteLength - this.at.heap) / 8);
  }
}

function maxAbs(u: ArrayLike<number>): number {
  let m = 0;
  for (let j = 0; j < u.length; j++) m = Math.max(m, Math.abs(u[j]!));
  return m;
}

/** Which int8 scoring kernel this engine runs (see {@link detectKernel}). */
export interface KernelDetection {
  /** The kernel to use; `none`: no WebAssembly SIMD here (the tfjs path serves). */
  kind: KernelKind | 'none';
  /** Why relaxed SIMD is not used, when it is not. */
  relaxed?: string;
}

/**
 * Detects the int8 kernel this engine can run: validates the kernels' own modules (plain SIMD,
 * relaxed SIMD) and runs the relaxed one's self-test ({@link Int8TopK.relaxedSelfTest}), falling
 * back to plain SIMD where relaxed SIMD is missing or computes differently.
 */
export function detectKernel(wasm: typeof WebAssembly | undefined, modules: KernelModules): KernelDetection {
  const valid = (b: Uint8Array<ArrayBuffer>) => {
    try {
      return wasm!.validate(b);
    } catch {
      return false;
    }
  };
  if (!wasm || !valid(modules.simd)) return { kind: 'none', relaxed: 'no WebAssembly SIMD' };
  try {
    // Validation is not compilation: a Content-Security-Policy without 'wasm-unsafe-eval' refuses
    // to compile any module (the cpu and webgl backends need none), so the tfjs path serves there.
    new wasm.Module(modules.simd);
  } catch {
    return { kind: 'none', relaxed: 'WebAssembly compilation refused (a Content-Security-Policy without wasm-unsafe-eval?)' };
  }
  if (!modules.relaxed || !valid(modules.relaxed)) return { kind: 'wasm-simd', relaxed: 'relaxed SIMD does not validate' };
  if (!Int8TopK.relaxedSelfTest(wasm, modules)) return { kind: 'wasm-simd', relaxed: 'relaxed SIMD failed the self-test' };
  return { kind: 'wasm-relaxed-simd' };
}
