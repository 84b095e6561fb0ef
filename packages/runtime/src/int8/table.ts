/**
 * The worker's one copy of an int8 item table: rows and per-row scales laid out for the int8
 * kernels (kernel.ts) in a `WebAssembly.Memory` (an `ArrayBuffer` where there is no WebAssembly),
 * read by the host through {@link Int8Table.rows} (`Int8Rows`: the encoder's input rows, reasons,
 * MMR, the blend's rows) and scanned by every kernel built over it. Built straight from the
 * bundle's int8 bytes: no float32 copy, no dequantise step.
 *
 * Layout (16-byte aligned regions): rows `[n, stride]` int8 (stride = d rounded up to 16, zero
 * padded), scales `[n]` f32, norm scales `[n]` f32 (`f32(s_r / ‖row_r‖)`: the same rows scanned as
 * unit vectors, for cosine top-k), row sums `[n]` i32 (only with `sums`: the relaxed kernel's),
 * then the kernels' work space: the user vector (stride int16), the exclusion bitmap
 * (`ceil(n / 8)` bytes) and the top-k heap (8 bytes an entry, grown at the end on demand).
 */
import { Int8Rows, type Int8View } from '@localrec/model';

const PAGE = 65536;
const align16 = (x: number) => (x + 15) & ~15;

/** Byte offsets of the table's regions (see the module comment). */
export interface TableLayout {
  table: number;
  scales: number;
  normScales: number;
  /** 0 when the table has no row sums. */
  sums: number;
  user: number;
  mask: number;
  heap: number;
}

/** The int8 item table in (WebAssembly) memory; build it with {@link Int8Table.build}. */
export class Int8Table {
  /** Rows (the model's: itemCount + 1, row 0 padding). */
  readonly n: number;
  readonly dim: number;
  /** Bytes per row (dim rounded up to 16, at least 16). */
  readonly stride: number;
  readonly at: TableLayout;
  /** The rows carry their int8 sums (the relaxed kernel needs them). */
  readonly hasSums: boolean;
  /** max over rows of `s_r · ‖q_r‖₁` (the kernels' error bounds scale with it); with the norm scales: `maxNormRowL1`. */
  readonly maxRowL1: number;
  readonly maxNormRowL1: number;
  /** `1/‖row_r‖` from the float32 values `f32(q · s)` (0 for a zero row): host memory, `n` floats. */
  readonly invNorm: Float32Array;
  /** The memory the kernels import; `undefined` without WebAssembly (then {@link Int8Table.buffer} is a plain ArrayBuffer). */
  readonly memory: WebAssembly.Memory | undefined;
  private readonly plain: ArrayBuffer | undefined;
  private cached: { buf: ArrayBuffer; view: Int8View } | undefined;

  private constructor(wasm: typeof WebAssembly | undefined, n: number, d: number, sums: boolean) {
    this.n = n;
    this.dim = d;
    const dp = (this.stride = Math.max(16, align16(d)));
    const table = 0;
    const scales = align16(table + n * dp);
    const normScales = align16(scales + n * 4);
    const sumsAt = align16(normScales + n * 4);
    const user = align16(sumsAt + (sums ? n * 4 : 0));
    const mask = align16(user + dp * 2);
    const heap = align16(mask + Math.ceil(n / 8));
    this.at = { table, scales, normScales, sums: sums ? sumsAt : 0, user, mask, heap };
    this.hasSums = sums;
    const pages = Math.ceil((heap + 64 * 8) / PAGE);
    this.memory = wasm ? new wasm.Memory({ initial: pages }) : undefined;
    this.plain = wasm ? undefined : new ArrayBuffer(pages * PAGE);
    this.invNorm = new Float32Array(n);
    this.maxRowL1 = 0;
    this.maxNormRowL1 = 0;
  }

  /**
   * Copies `q` (`[n, d]` int8, row-major: e.g. a view of the bundle's weights file) and `scales`
   * (`[n]`) into a new table, in one pass that also computes the norms and bounds (and the row
   * sums with `o.sums`). The arrays given are not kept.
   * @throws {RangeError} naming the sizes when `q` or `scales` do not match `[n, d]`.
   */
  static build(
    wasm: typeof WebAssembly | undefined,
    q: Int8Array,
    scales: Float32Array,
    n: number,
    d: number,
    o: { sums?: boolean } = {},
  ): Int8Table {
    if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || q.length !== n * d || scales.length < n) {
      throw new RangeError(`Int8Table: table of ${q.length} values and ${scales.length} scales does not match [${n}, ${d}]`);
    }
    const t = new Int8Table(wasm, n, d, o.sums === true);
    t.fill(q, scales);
    return t;
  }

  private fill(q: Int8Array, scales: Float32Array): void {
    const { n, dim: d, stride: dp, at } = this;
    const buf = this.buffer;
    const rows = new Int8Array(buf, at.table, n * dp);
    const sc = new Float32Array(buf, at.scales, n);
    const ns = new Float32Array(buf, at.normScales, n);
    const sums = new Int32Array(buf, at.sums, this.hasSums ? n : 0);
    let maxL1 = 0,
      maxNormL1 = 0;
    for (let r = 0; r < n; r++) {
      const s = scales[r]!;
      rows.set(q.subarray(r * d, r * d + d), r * dp);
      let sum = 0,
        l1 = 0,
        sq = 0;
      for (let j = 0; j < d; j++) {
        const v = q[r * d + j]!;
        const x = Math.fround(v * s);
        sum += v;
        l1 += Math.abs(v);
        sq += x * x;
      }
      const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      this.invNorm[r] = inv;
      sc[r] = s;
      ns[r] = s * inv;
      if (this.hasSums) sums[r] = sum;
      maxL1 = Math.max(maxL1, Math.abs(s) * l1);
      maxNormL1 = Math.max(maxNormL1, Math.abs(ns[r]!) * l1);
    }
    (this as { maxRowL1: number }).maxRowL1 = maxL1;
    (this as { maxNormRowL1: number }).maxNormRowL1 = maxNormL1;
  }

  /** The memory's current buffer (a grown `WebAssembly.Memory` replaces it: take it anew each time). */
  get buffer(): ArrayBuffer {
    return this.memory ? this.memory.buffer : this.plain!;
  }

  /** Bytes held: the memory (rows, scales, norm scales, sums, kernel buffers) and the host norms. */
  get bytes(): number {
    return this.buffer.byteLength + this.invNorm.byteLength;
  }

  /** The rows and scales as arrays over the current buffer. */
  view(): Int8View {
    const buf = this.buffer;
    if (this.cached?.buf !== buf) {
      this.cached = {
        buf,
        view: { q: new Int8Array(buf, this.at.table, this.n * this.stride), scales: new Float32Array(buf, this.at.scales, this.n) },
      };
    }
    return this.cached.view;
  }

  /** The table as host rows (`Int8Rows`, read in place: no copy). */
  rows(): Int8Rows {
    return new Int8Rows(() => this.view(), this.n, this.dim, this.stride, this.bytes);
  }

  /** Grows the memory so the heap holds `entries`; returns the heap's capacity in entries. */
  reserve(entries: number): number {
    const have = Math.floor((this.buffer.byteLength - this.at.heap) / 8);
    if (entries <= have) return have;
    if (!this.memory) throw new RangeError('Int8Table: no WebAssembly memory to grow (no kernel runs here)');
    this.memory.grow(Math.ceil((this.at.heap + entries * 8 - this.memory.buffer.byteLength) / PAGE));
    return Math.floor((this.memory.buffer.byteLength - this.at.heap) / 8);
  }
}
