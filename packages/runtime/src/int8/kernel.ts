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
 * Memory: the {@link Int8Table} the kernel scans (table.ts: rows padded to 16 bytes, scales, norm
 * scales, row sums for the relaxed kernel, then the user vector, the exclusion bitmap and the
 * top-k heap, grown on demand). Several kernels and the host's row reads share one table.
 *
 * Cosine top-k ({@link Int8TopK.similarTo}, `similar()`): the same two stages over the norm scales
 * `f32(s_r / ‖row_r‖)` with the query row's unit vector, re-scored by the caller's exact cosine;
 * the bound adds 1e-6 for the rounding of the norm scales (the cosines of unit rows are ≤ 1).
 */

import { Int8Table, type TableLayout } from './table.js';

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

/** Slack added to the stage-1 bound of a cosine top-k (the rounding of the norm scales and of the exact cosine: ~2e-7 for unit vectors). */
const COSINE_SLACK = 1e-6;

/**
 * The top-k kernel over an int8 table `[n, d]` with per-row scales ({@link Int8Table}, which may be
 * shared by several kernels and the host). Build it with {@link Int8TopK.over}, or
 * {@link Int8TopK.create} from arrays (copied in a table of its own).
 */
export class Int8TopK {
  readonly kind: KernelKind;
  readonly n: number;
  readonly dim: number;
  /** Row stride in bytes (dim rounded up to 16). */
  readonly stride: number;
  /** The table scanned (its memory is the kernel's). */
  readonly table: Int8Table;
  /** Stage 1: topk.wat's or topk-relaxed.wat's `topk` (the plain one ignores the last argument). */
  private readonly scan: TopKFn;
  private readonly relaxed: boolean;
  private readonly at: TableLayout;

  private constructor(wasm: typeof WebAssembly, modules: KernelModules, kind: KernelKind, table: Int8Table) {
    this.kind = kind;
    this.table = table;
    this.n = table.n;
    this.dim = table.dim;
    this.stride = table.stride;
    this.at = table.at;
    this.relaxed = kind === 'wasm-relaxed-simd';
    this.scan = instantiate(wasm, this.relaxed ? modules.relaxed! : modules.simd, table.memory!);
  }

  /**
   * A `kind` kernel scanning `table` in place (no copy). `kind` `wasm-relaxed-simd` needs
   * `modules.relaxed` and a table built with row sums; check the engine supports it first
   * (see `kernelSupport` in backends.ts).
   * @throws {RangeError} naming what is missing.
   */
  static over(wasm: typeof WebAssembly, modules: KernelModules, kind: KernelKind, table: Int8Table): Int8TopK {
    if (!table.memory) throw new RangeError('Int8TopK: the table is not in WebAssembly memory');
    if (kind === 'wasm-relaxed-simd' && !modules.relaxed) throw new RangeError('Int8TopK: kind "wasm-relaxed-simd" needs modules.relaxed');
    if (kind === 'wasm-relaxed-simd' && !table.hasSums)
      throw new RangeError('Int8TopK: kind "wasm-relaxed-simd" needs a table with row sums');
    return new Int8TopK(wasm, modules, kind, table);
  }

  /**
   * Copies `q` (`[n, d]` int8, row-major) and `scales` (`[n]`) into a new table of the kernel's
   * own ({@link Int8Table.build}) and builds the kernel over it ({@link Int8TopK.over}).
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
    if (kind === 'wasm-relaxed-simd' && !modules.relaxed) throw new RangeError('Int8TopK: kind "wasm-relaxed-simd" needs modules.relaxed');
    return Int8TopK.over(wasm, modules, kind, Int8Table.build(wasm, q, scales, n, d, { sums: kind === 'wasm-relaxed-simd' }));
  }

  /**
   * Views of the resident table for another device's copy (the WebGPU kernel uploads them as they
   * are: rows of `stride` bytes, zero padded, i.e. 4 int8 values per little-endian u32), and
   * `maxRowL1` = max over rows of `s_r · ‖q_r‖₁` (its exactness bound scales with it).
   */
  int8View(): { table: Uint8Array; scales: Float32Array; maxRowL1: number } {
    const buf = this.table.buffer;
    return {
      table: new Uint8Array(buf, this.at.table, this.n * this.stride),
      scales: new Float32Array(buf, this.at.scales, this.n),
      maxRowL1: this.table.maxRowL1,
    };
  }

  /** Bytes of WebAssembly memory the kernel scans (its table's: rows, scales, buffers; shared with the host's reads). */
  get bytes(): number {
    return this.table.buffer.byteLength;
  }

  /**
   * The `k` best rows for `user` (`dim` floats), best first, with the float32 path's scores (see
   * the module comment). `exclude`: a bitmap of `ceil(n / 8)` bytes, bit `r % 8` of byte `r >> 3`
   * set = row r is never returned. Fewer than `k` rows come back when fewer are eligible.
   * @throws {RangeError} naming the value when `user`, `k` or `exclude` do not fit the table.
   */
  topK(user: ArrayLike<number>, k: number, exclude?: Uint8Array): TopKResult {
    if (user.length !== this.dim) throw new RangeError(`Int8TopK.topK: user vector has ${user.length} values, expected ${this.dim}`);
    const rows = this.table.rows();
    return this.search(user, k, exclude, this.at.scales, this.table.maxRowL1, 0, (r) => Math.fround(rows.dot(user, r)));
  }

  /**
   * The `k` rows most similar to row `row` by cosine, best first: stage 1 scans the table as unit
   * rows (the norm scales) with the row's unit vector as the query; the kept rows are re-scored
   * by `cosine(r)` (the caller's exact cosine of `row` and `r`, e.g. the host's over the int8
   * rows), so the answer is the host scan's. `exclude` as in {@link Int8TopK.topK} (set `row`'s
   * own bit to leave it out).
   * @throws {RangeError} naming the value when `row`, `k` or `exclude` do not fit the table.
   */
  similarTo(row: number, k: number, exclude: Uint8Array | undefined, cosine: (r: number) => number): TopKResult {
    if (!(Number.isInteger(row) && row >= 0 && row < this.n))
      throw new RangeError(`Int8TopK.similarTo: row ${row} is not in 0..${this.n - 1}`);
    const u = this.table.rows().read(row, new Float32Array(this.dim));
    const inv = this.table.invNorm[row]!;
    for (let j = 0; j < u.length; j++) u[j] = u[j]! * inv;
    return this.search(u, k, exclude, this.at.normScales, this.table.maxNormRowL1, COSINE_SLACK, cosine);
  }

  /**
   * Stage 1 over the rows with the scales at `scalesAt` (their `max_r s_r · ‖q_r‖₁`: `rowL1`), then
   * stage 2 by `exact`; `slack`: added to the stage-1 bound (the distance from stage 1's ideal
   * score to `exact` beyond the kernel's own rounding).
   */
  private search(
    user: ArrayLike<number>,
    k: number,
    exclude: Uint8Array | undefined,
    scalesAt: number,
    rowL1: number,
    slack: number,
    exact: (r: number) => number,
  ): TopKResult {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`Int8TopK.topK: k must be an integer ≥ 0, got ${k}`);
    const maskBytes = Math.ceil(this.n / 8);
    if (exclude && exclude.length < maskBytes) {
      throw new RangeError(`Int8TopK.topK: exclude has ${exclude.length} bytes, expected ${maskBytes}`);
    }
    k = Math.min(k, this.n);
    if (k === 0) return { rows: new Int32Array(0), values: new Float32Array(0) };
    const a = this.at;
    if (exclude) new Uint8Array(this.table.buffer, a.mask, maskBytes).set(exclude.subarray(0, maskBytes));
    const m = maxAbs(user);
    const su = this.writeUser(user, m);
    const bound = rowL1 * (su * 0.5 + m * 4e-6) + slack;
    for (let wide = Math.min(this.n, k + Math.max(16, k)); ; wide = Math.min(this.n, wide * 4)) {
      this.table.reserve(wide); // growing keeps the memory's contents (the mask, the user vector)
      const count = this.scan(a.table, scalesAt, a.user, exclude ? a.mask : 0, a.heap, this.n, this.stride, wide, su, a.sums);
      const { top, worst } = this.rescore(count, k, exact);
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
   * The scores of `rows` only (same formula as {@link Int8TopK.scores}: `Int8Rows.scoreRows`), e.g. `rank()`'s candidates.
   * @throws {RangeError} naming the value when `user` or a row does not fit the table.
   */
  scoreRows(user: ArrayLike<number>, rows: ArrayLike<number>, all = false): Float32Array {
    if (user.length !== this.dim) throw new RangeError(`Int8TopK: user vector has ${user.length} values, expected ${this.dim}`);
    const t = this.table.rows();
    const out = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = all ? i : rows[i]!;
      if (!(Number.isInteger(r) && r >= 0 && r < this.n)) throw new RangeError(`Int8TopK.scoreRows: row ${r} is not in 0..${this.n - 1}`);
      out[i] = t.dot(user, r);
    }
    return out;
  }

  /** Stage 2: the `count` heap entries re-scored by `exact`, the best `k`; `worst` = the lowest stage-1 score. */
  private rescore(count: number, k: number, exact: (r: number) => number): { top: TopKResult; worst: number } {
    const buf = this.table.buffer;
    const heap = new Float32Array(buf, this.at.heap, count * 2);
    const rowsOf = new Int32Array(buf, this.at.heap, count * 2);
    let worst = Infinity;
    const cand = new Array<{ r: number; s: number }>(count);
    for (let j = 0; j < count; j++) {
      worst = Math.min(worst, heap[2 * j]!);
      const r = rowsOf[2 * j + 1]!;
      cand[j] = { r, s: exact(r) };
    }
    cand.sort((x, y) => y.s - x.s || x.r - y.r);
    const best = cand.slice(0, k);
    return { top: { rows: Int32Array.from(best, (c) => c.r), values: Float32Array.from(best, (c) => c.s) }, worst };
  }

  /** Writes the quantised user vector for stage 1 (int16, or 7 bits + 64 for the relaxed kernel); returns its scale. */
  private writeUser(user: ArrayLike<number>, m: number): number {
    const buf = this.table.buffer;
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
      k.table.reserve(n);
      const u = Float32Array.from({ length: d }, (_, j) => ((j * 31) % 127) - 63);
      const a = k.at;
      const u7 = new Uint8Array(k.table.buffer, a.user, k.stride).fill(64);
      for (let j = 0; j < d; j++) u7[j] = u[j]! + 64;
      const count = k.scan(a.table, a.scales, a.user, 0, a.heap, n, k.stride, n, 1, a.sums);
      const got = readHeap(k.table.buffer, a.heap, count);
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
