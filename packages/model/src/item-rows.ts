/**
 * The item table as the host reads it, float32 or int8 with per-row scales, behind one interface:
 * the encoder's input rows, item–item similarity (reasons, `similar`, MMR) and the dot products of
 * a few rows (the blend's voted rows, `rank()`'s candidates). An int8 table is never widened to a
 * float32 copy: each value read is `f32(q · s)`, exactly the value `dequantizeInt8` gives,
 * so every result is the one the dequantised float32 table gives (and the one the runtime's int8
 * kernel re-scores with: `f32(Σ_j u_j · f32(q_rj · s_r))`, float64 sum).
 */
/** Rows of an item table `[count, dim]` (row 0 = padding in a model's table). */
export interface ItemRows {
  /** Number of rows. */
  readonly count: number;
  readonly dim: number;
  /** Host bytes of the table (int8: rows and scales; a table shared with a kernel counts there too). */
  readonly bytes: number;
  /** Writes row `r`'s float32 values to `out` at `at` and returns `out`. */
  read(r: number, out: Float32Array, at?: number): Float32Array;
  /** `Σ_j u_j · row_r[j]` summed in float64 (not rounded to float32). */
  dot(u: ArrayLike<number>, r: number): number;
  /** `Σ_j row_a[j] · row_b[j]` summed in float64. */
  rowDot(a: number, b: number): number;
  /** `f32(dot(u, r))` for each of `rows`. */
  scoreRows(u: ArrayLike<number>, rows: ArrayLike<number>): Float32Array;
}

function checkRow(t: ItemRows, r: number): void {
  if (!(Number.isInteger(r) && r >= 0 && r < t.count)) throw new RangeError(`ItemRows: row ${r} is not in 0..${t.count - 1}`);
}

function scoreRowsOf(t: ItemRows, u: ArrayLike<number>, rows: ArrayLike<number>): Float32Array {
  if (u.length !== t.dim) throw new RangeError(`ItemRows.scoreRows: user vector has ${u.length} values, expected ${t.dim}`);
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    checkRow(t, rows[i]!);
    out[i] = t.dot(u, rows[i]!);
  }
  return out;
}

/** A float32 table `[count, dim]`, row-major (kept by reference). */
export class Float32Rows implements ItemRows {
  readonly count: number;
  constructor(
    readonly table: Float32Array,
    readonly dim: number,
  ) {
    if (!(dim >= 1) || table.length % dim !== 0) throw new RangeError(`Float32Rows: ${table.length} values are not rows of ${dim}`);
    this.count = table.length / dim;
  }
  get bytes(): number {
    return this.table.byteLength;
  }
  read(r: number, out: Float32Array, at = 0): Float32Array {
    checkRow(this, r);
    out.set(this.table.subarray(r * this.dim, (r + 1) * this.dim), at);
    return out;
  }
  dot(u: ArrayLike<number>, r: number): number {
    const d = this.dim,
      e = this.table,
      o = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += u[j]! * e[o + j]!;
    return s;
  }
  rowDot(a: number, b: number): number {
    const d = this.dim,
      e = this.table;
    let s = 0;
    for (let j = 0; j < d; j++) s += e[a * d + j]! * e[b * d + j]!;
    return s;
  }
  scoreRows(u: ArrayLike<number>, rows: ArrayLike<number>): Float32Array {
    return scoreRowsOf(this, u, rows);
  }
}

/** An int8 table's current arrays: `q` `[count, stride]` (only the first `dim` of a row are used), `scales` `[count]`. */
export interface Int8View {
  q: Int8Array;
  scales: Float32Array;
}

/**
 * An int8 table with one float32 scale per row, read without a float32 copy. `view` gives the
 * arrays (a function when they live in memory that can be replaced, e.g. a growing
 * `WebAssembly.Memory`: it is called once per method call). `stride` ≥ `dim`: bytes per row.
 */
export class Int8Rows implements ItemRows {
  private readonly view: () => Int8View;
  constructor(
    view: Int8View | (() => Int8View),
    readonly count: number,
    readonly dim: number,
    readonly stride: number = dim,
    /** Bytes to report (default: `count · (stride + 4)`). */
    private readonly held: number = count * (stride + 4),
  ) {
    if (!(Number.isInteger(dim) && dim >= 1 && Number.isInteger(stride) && stride >= dim && Number.isInteger(count) && count >= 0)) {
      throw new RangeError(`Int8Rows: [${count}, ${dim}] with stride ${stride} is not a table shape`);
    }
    this.view = typeof view === 'function' ? view : () => view;
    const v = this.view();
    if (v.q.length < count * stride || v.scales.length < count) {
      throw new RangeError(`Int8Rows: ${v.q.length} values and ${v.scales.length} scales do not hold [${count}, ${stride}]`);
    }
  }
  get bytes(): number {
    return this.held;
  }
  read(r: number, out: Float32Array, at = 0): Float32Array {
    checkRow(this, r);
    const { q, scales } = this.view();
    const s = scales[r]!,
      o = r * this.stride;
    for (let j = 0; j < this.dim; j++) out[at + j] = q[o + j]! * s;
    return out;
  }
  dot(u: ArrayLike<number>, r: number): number {
    const { q, scales } = this.view();
    const s = scales[r]!,
      o = r * this.stride;
    let x = 0;
    for (let j = 0; j < this.dim; j++) x += u[j]! * Math.fround(q[o + j]! * s);
    return x;
  }
  rowDot(a: number, b: number): number {
    const { q, scales } = this.view();
    const sa = scales[a]!,
      sb = scales[b]!,
      oa = a * this.stride,
      ob = b * this.stride;
    let x = 0;
    for (let j = 0; j < this.dim; j++) x += Math.fround(q[oa + j]! * sa) * Math.fround(q[ob + j]! * sb);
    return x;
  }
  scoreRows(u: ArrayLike<number>, rows: ArrayLike<number>): Float32Array {
    return scoreRowsOf(this, u, rows);
  }
}

/** The whole table as float32 `[count, dim]`: a float32 table's own array, an int8 one dequantised (a new array). */
export function rowsToFloat32(t: ItemRows): Float32Array {
  if (t instanceof Float32Rows) return t.table;
  const out = new Float32Array(t.count * t.dim);
  for (let r = 0; r < t.count; r++) t.read(r, out, r * t.dim);
  return out;
}

/** `1/‖row‖` for every row (0 for a zero row), from the float32 values (float64 sum of squares). */
export function inverseNorms(t: ItemRows): Float32Array {
  const out = new Float32Array(t.count);
  for (let r = 0; r < t.count; r++) {
    const s = t.rowDot(r, r);
    out[r] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return out;
}
