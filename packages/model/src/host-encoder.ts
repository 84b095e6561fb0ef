import { type BLOCK_TENSORS, TENSOR_NAMES, blockTensorName, type SasrecArchitecture } from './format.js';
import { Float32Rows, type ItemRows } from './item-rows.js';

/**
 * One block's weights on the host, folded for inference (float64, made once at construction).
 * Per head `h` (columns `h·dₕ … (h+1)·dₕ − 1` of the attention kernels), with `s = 1/√dₕ`:
 * - `qk[h]` = `(s · Wq_h · Wk_hᵀ)ᵀ` `[d, d]` and `qkBias[h]` = `s · Wk_h · bq_h` `[d]`: the score of
 *   query row `x` against key row `y` is `(x·Wq_h + bq_h)·(y·Wk_h + bk_h)·s`
 *   = `(x · s·Wq_h·Wk_hᵀ + s·Wk_h·bq_h) · y` + a term that depends on the query only, which the
 *   softmax cancels — so keys are never materialised;
 * - `vo[h]` = `(Wv_h · Wo_h)ᵀ` `[d, d]`, and `voBias` = `bv · Wo + bo` `[d]`: since each query's
 *   attention weights sum to 1, `Σ_s w_s (y_s·Wv + bv) · Wo + bo` = `(Σ_s w_s y_s) · Wv·Wo + bv·Wo + bo`
 *   — so values are never materialised either.
 * For one head this halves block 1's work and reduces the last block (one query) to a few
 * `d × d` products; with more heads the folded products cost `heads×` more but stay exact.
 * Feed-forward kernels are transposed copies (`[out, in]`) so every product is a row·row dot
 * product, contiguous in both operands; biases are float64 copies (one element type for the
 * kernel's operands keeps V8's loads monomorphic); LayerNorm vectors are references.
 */
interface HostBlock {
  ln1g: Float32Array;
  ln1b: Float32Array;
  qk: Float64Array[];
  qkBias: Float64Array[];
  vo: Float64Array[];
  voBias: Float64Array;
  ln2g: Float32Array;
  ln2b: Float32Array;
  w1T: Float64Array;
  b1: Float64Array;
  w2T: Float64Array;
  b2: Float64Array;
}

/**
 * Folds one block's attention weights (see {@link HostBlock}); `wq`… row-major `[d, d]` (`[in, out]`).
 */
function foldAttention(
  d: number,
  heads: number,
  wq: Float32Array,
  bq: Float32Array,
  wk: Float32Array,
  wv: Float32Array,
  bv: Float32Array,
  wo: Float32Array,
  bo: Float32Array,
): Pick<HostBlock, 'qk' | 'qkBias' | 'vo' | 'voBias'> {
  const dh = d / heads;
  const scale = 1 / Math.sqrt(dh);
  const qk: Float64Array[] = [],
    qkBias: Float64Array[] = [],
    vo: Float64Array[] = [];
  for (let h = 0; h < heads; h++) {
    const off = h * dh;
    const m = new Float64Array(d * d),
      c = new Float64Array(d),
      v = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      // key/value feature i (row of the result), query/output feature j
      for (let j = 0; j < d; j++) {
        let sqk = 0,
          svo = 0;
        for (let e = off; e < off + dh; e++) {
          sqk += wq[j * d + e]! * wk[i * d + e]!;
          svo += wv[i * d + e]! * wo[e * d + j]!;
        }
        m[i * d + j] = sqk * scale; // (Wq_h·Wk_hᵀ)[j, i]
        v[j * d + i] = svo; // (Wv_h·Wo_h)[i, j], stored transposed
      }
      let sc = 0;
      for (let e = off; e < off + dh; e++) sc += wk[i * d + e]! * bq[e]!;
      c[i] = sc * scale;
    }
    qk.push(m);
    qkBias.push(c);
    vo.push(v);
  }
  const voBias = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let sb = bo[j]!;
    for (let e = 0; e < d; e++) sb += bv[e]! * wo[e * d + j]!;
    voBias[j] = sb;
  }
  return { qk, qkBias, vo, voBias };
}

/** Row-major `[rows, cols]` float32 → float64 `[cols, rows]`. */
function transposed(w: Float32Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = w[i * cols + j]!;
  return t;
}

/**
 * `C[i, j] (+)= Σ_k A[i, k]·B[j, k] (+ bias[j], then ReLU)` (`+=` when `accumulate`) for `i < m`, `j < n`, `k < K`; all
 * row-major with the given offsets and row strides. Two rows of A × four rows of B per step
 * (eight accumulators held in registers): about 3× the plain triple loop's speed in V8.
 *
 * `tri` (≥ 0) makes it causal for row `i` standing for sequence slot `i + tri`: in `'cols'` mode
 * only `j ≤ i + tri + 1` is computed (attention scores; callers ignore `j = i + tri + 1`), in
 * `'inner'` mode the sum stops at `k ≤ i + tri + 1` (attention-weighted values; the weights past
 * the diagonal must be 0). `tri < 0`: full products.
 */
function gemmNT(
  m: number,
  n: number,
  K: number,
  A: Float64Array,
  aOff: number,
  aStride: number,
  B: Float64Array,
  bOff: number,
  bStride: number,
  C: Float64Array,
  cOff: number,
  cStride: number,
  bias: Float64Array | null,
  relu: boolean,
  accumulate: boolean,
  tri: number,
  triMode: 'cols' | 'inner',
): void {
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const a0 = aOff + i * aStride,
      a1 = two ? a0 + aStride : a0; // an odd last row is computed twice, stored once
    const c0 = cOff + i * cStride,
      c1 = c0 + cStride;
    const bound = tri < 0 ? Infinity : i + tri + 2;
    const jEnd = triMode === 'cols' ? Math.min(n, bound) : n;
    const kEnd = triMode === 'inner' ? Math.min(K, bound) : K;
    let j = 0;
    for (; j + 4 <= jEnd; j += 4) {
      const b0 = bOff + j * bStride,
        b1 = b0 + bStride,
        b2 = b1 + bStride,
        b3 = b2 + bStride;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      for (let k = 0; k < kEnd; k++) {
        const x0 = A[a0 + k]!,
          x1 = A[a1 + k]!;
        const w0 = B[b0 + k]!,
          w1 = B[b1 + k]!,
          w2 = B[b2 + k]!,
          w3 = B[b3 + k]!;
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
      }
      if (bias) {
        const e0 = bias[j]!,
          e1 = bias[j + 1]!,
          e2 = bias[j + 2]!,
          e3 = bias[j + 3]!;
        s00 += e0;
        s01 += e1;
        s02 += e2;
        s03 += e3;
        s10 += e0;
        s11 += e1;
        s12 += e2;
        s13 += e3;
      }
      if (relu) {
        s00 = s00 > 0 ? s00 : 0;
        s01 = s01 > 0 ? s01 : 0;
        s02 = s02 > 0 ? s02 : 0;
        s03 = s03 > 0 ? s03 : 0;
        s10 = s10 > 0 ? s10 : 0;
        s11 = s11 > 0 ? s11 : 0;
        s12 = s12 > 0 ? s12 : 0;
        s13 = s13 > 0 ? s13 : 0;
      }
      if (accumulate) {
        s00 += C[c0 + j]!;
        s01 += C[c0 + j + 1]!;
        s02 += C[c0 + j + 2]!;
        s03 += C[c0 + j + 3]!;
        if (two) {
          s10 += C[c1 + j]!;
          s11 += C[c1 + j + 1]!;
          s12 += C[c1 + j + 2]!;
          s13 += C[c1 + j + 3]!;
        }
      }
      C[c0 + j] = s00;
      C[c0 + j + 1] = s01;
      C[c0 + j + 2] = s02;
      C[c0 + j + 3] = s03;
      if (two) {
        C[c1 + j] = s10;
        C[c1 + j + 1] = s11;
        C[c1 + j + 2] = s12;
        C[c1 + j + 3] = s13;
      }
    }
    for (; j < jEnd; j++) {
      const b0 = bOff + j * bStride;
      let s0 = 0,
        s1 = 0;
      for (let k = 0; k < kEnd; k++) {
        const w = B[b0 + k]!;
        s0 += A[a0 + k]! * w;
        s1 += A[a1 + k]! * w;
      }
      if (bias) {
        s0 += bias[j]!;
        s1 += bias[j]!;
      }
      if (relu) {
        s0 = s0 > 0 ? s0 : 0;
        s1 = s1 > 0 ? s1 : 0;
      }
      if (accumulate) {
        s0 += C[c0 + j]!;
        if (two) s1 += C[c1 + j]!;
      }
      C[c0 + j] = s0;
      if (two) C[c1 + j] = s1;
    }
  }
}

/** Rows `[from, to)` of `x` (`[·, d]`) → LayerNorm·γ + β into the same rows of `y` (biased variance, like `tf.moments`); `x` may be `y`. */
function layerNorm(
  x: Float64Array,
  y: Float64Array,
  from: number,
  to: number,
  d: number,
  g: Float32Array,
  b: Float32Array,
  eps: number,
): void {
  for (let t = from; t < to; t++) {
    const o = t * d;
    let mean = 0;
    for (let j = 0; j < d; j++) mean += x[o + j]!;
    mean /= d;
    let v = 0;
    for (let j = 0; j < d; j++) {
      const c = x[o + j]! - mean;
      v += c * c;
    }
    const r = 1 / Math.sqrt(v / d + eps);
    for (let j = 0; j < d; j++) y[o + j] = (x[o + j]! - mean) * r * g[j]! + b[j]!;
  }
}

/** `x[from·d .. to·d) += y[0 .. (to − from)·d)`. */
function addRows(x: Float64Array, y: Float64Array, from: number, to: number, d: number): void {
  const o = from * d,
    len = (to - from) * d;
  for (let c = 0; c < len; c++) x[o + c]! += y[c]!;
}

/**
 * The first `T − 1` slots of a window of `T` (all real items), through the encoder: `inputs[b]` =
 * their rows at the input of block `b` (`[T − 1, d]`, float64, exactly what a full encode holds
 * there). Causal attention makes a slot depend only on the slots before it, so these rows are the
 * same whatever item comes last.
 */
interface PreparedPrefix {
  rows: Int32Array;
  T: number;
  inputs: Float64Array[];
}

/**
 * The SASRec user representation for ONE sequence, computed on the host with plain typed arrays
 * (no tfjs). It computes what {@link encodeLast} computes for a batch of one — same embeddings
 * (item·√d + position `maxLen − T + t`), same pre-/post-LayerNorm blocks and epsilon, same
 * attention rule (a query slot sees the real key slots at or before it: causal + key-padding
 * mask), same ReLU feed-forward, final LayerNorm of the last slot, and β (the final LayerNorm of
 * zeros) when the last slot is padding — in float64 arithmetic on the float32 weights, so it
 * agrees with the tfjs float32 path to float32 rounding (max abs diff ~1e-6 on games-sasrec; the
 * unit tests pin ≤ 1e-4).
 *
 * Why: for one sequence the encoder is a `[≤50 × 50]` problem; on the wasm backend the ~40 tiny
 * op dispatches of `encodeLast` cost more than its arithmetic (measured:
 * benchmarks/results/NOTES-2026-11-23-host-encoder.md). Only what a later step reads is computed:
 * padding slots never (they are masked keys; the real slots are packed together), and in the
 * last block only the last slot's query, attention, feed-forward and LayerNorms.
 *
 * Holds float64 transposed copies of the block kernels (a few tens of KB), references to the
 * other weights, and preallocated scratch reused by every call: not re-entrant, one instance per
 * thread.
 */
export class HostEncoder {
  readonly arch: SasrecArchitecture;
  private readonly item: ItemRows;
  /** One item row, read from {@link HostEncoder.item} (an int8 table is dequantised row by row). */
  private readonly row: Float32Array;
  private readonly pos: Float32Array;
  private readonly blocks: HostBlock[];
  private readonly finalG: Float32Array;
  private readonly finalB: Float32Array;
  /** Item rows in the table (itemCount + 1). */
  private readonly rows: number;
  // Scratch. Row j of x, h = the j-th real slot ([maxLen, d]; hT is h transposed, [d, n]); row i of
  // q, z, a, o, f, s = the i-th query slot ([maxLen, d]; f: [maxLen, ffnDim]; s: [maxLen, maxLen]).
  private readonly x: Float64Array;
  private readonly h: Float64Array;
  private readonly hT: Float64Array;
  private readonly q: Float64Array;
  private readonly z: Float64Array;
  private readonly a: Float64Array;
  private readonly o: Float64Array;
  private readonly f: Float64Array;
  private readonly s: Float64Array;
  private readonly out: Float32Array;
  /** Prepared by {@link HostEncoder.prepareNext}: the next window's first slots through every non-last block. */
  private next: PreparedPrefix | undefined;
  /** How the last {@link HostEncoder.encode} went: `'incremental'` when it used the prepared prefix. */
  lastPath: 'full' | 'incremental' | 'empty' = 'full';

  /**
   * @param arch the model architecture (`dim` must be divisible by `heads`).
   * @param weights float32 host weights by tensor name (item table `[N+1, d]`, positions, blocks,
   *   final LayerNorm), as {@link SasrecScorer} takes them; the item and position tables and the
   *   LayerNorm/bias vectors are kept by reference: do not mutate them while the encoder is in use.
   * @param items the item table to read the input rows from instead of `weights`' (e.g. an int8
   *   table, `Int8Rows`: only the rows of a sequence are dequantised, when encoded).
   */
  constructor(arch: SasrecArchitecture, weights: ReadonlyMap<string, Float32Array>, items?: ItemRows) {
    const { dim: d, maxLen: L, ffnDim: F } = arch;
    if (!(arch.heads >= 1 && d % arch.heads === 0)) throw new RangeError(`HostEncoder: dim ${d} is not divisible by heads ${arch.heads}`);
    this.arch = arch;
    const get = (name: string, len?: number): Float32Array => {
      const w = weights.get(name);
      if (!w) throw new Error(`HostEncoder: missing weight "${name}"`);
      if (len !== undefined && w.length !== len) throw new Error(`HostEncoder: weight "${name}" has ${w.length} values, expected ${len}`);
      return w;
    };
    if (items) {
      if (items.dim !== d || items.count === 0)
        throw new Error(`HostEncoder: item rows [${items.count}, ${items.dim}] do not fit dim ${d}`);
      this.item = items;
    } else {
      const t = get(TENSOR_NAMES.itemEmbedding);
      if (t.length === 0 || t.length % d !== 0)
        throw new Error(`HostEncoder: item table length ${t.length} is not a positive multiple of dim ${d}`);
      this.item = new Float32Rows(t, d);
    }
    this.rows = this.item.count;
    this.row = new Float32Array(d);
    this.pos = get(TENSOR_NAMES.positionEmbedding, L * d);
    this.blocks = [];
    for (let b = 0; b < arch.blocks; b++) {
      const w = (n: (typeof BLOCK_TENSORS)[number], len: number) => get(blockTensorName(b, n), len);
      this.blocks.push({
        ln1g: w('ln1/gamma', d),
        ln1b: w('ln1/beta', d),
        ...foldAttention(
          d,
          arch.heads,
          w('attn/wq', d * d),
          w('attn/bq', d),
          w('attn/wk', d * d),
          w('attn/wv', d * d),
          w('attn/bv', d),
          w('attn/wo', d * d),
          w('attn/bo', d),
        ),
        ln2g: w('ln2/gamma', d),
        ln2b: w('ln2/beta', d),
        w1T: transposed(w('ffn/w1', d * F), d, F),
        b1: Float64Array.from(w('ffn/b1', F)),
        w2T: transposed(w('ffn/w2', F * d), F, d),
        b2: Float64Array.from(w('ffn/b2', d)),
      });
      // bk only shifts each query's scores by a constant (cancelled by the softmax); still required to be present.
      w('attn/bk', d);
    }
    this.finalG = get(TENSOR_NAMES.finalNormGamma, d);
    this.finalB = get(TENSOR_NAMES.finalNormBeta, d);
    const buf = () => new Float64Array(L * d);
    this.x = buf();
    this.h = buf();
    this.hT = buf();
    this.q = buf();
    this.z = buf();
    this.a = buf();
    this.o = buf();
    this.f = new Float64Array(L * F);
    this.s = new Float64Array(L * L);
    this.out = new Float32Array(d);
  }

  /**
   * The user vector (`d` floats) for one sequence of item rows, oldest → newest; the last
   * `maxLen` are kept; a row 0 is padding.
   * @param out where to write; by default an internal buffer that the next call overwrites.
   * @throws RangeError naming an item row outside `1..N`.
   */
  encode(seq: ArrayLike<number>, out: Float32Array = this.out): Float32Array {
    const { dim: d, maxLen: L, layerNormEps: eps } = this.arch;
    const T = Math.min(seq.length, L);
    const skip = seq.length - T;
    const scale = Math.sqrt(d);
    const x = this.x;
    const prepared = this.next;
    if (prepared && this.follows(prepared, seq, T, skip)) return this.encodeLastSlot(prepared, seq[seq.length - 1]!, out);
    this.lastPath = 'full';
    let n = 0;
    let lastReal = false;
    for (let t = 0; t < T; t++) {
      const r = seq[skip + t]!;
      lastReal = r !== 0;
      if (r === 0) continue;
      if (!(r > 0 && r < this.rows && Number.isInteger(r))) {
        throw new RangeError(`HostEncoder.encode: item row ${r} is outside 1..${this.rows - 1}`);
      }
      // Real slots packed together (row n), each with its own position.
      const e = this.item.read(r, this.row),
        p = (L - T + t) * d,
        xo = n * d;
      for (let j = 0; j < d; j++) x[xo + j] = e[j]! * scale + this.pos[p + j]!;
      n++;
    }
    // An empty last slot: encodeLast zeroes it, and the final LayerNorm of zeros is β.
    if (!lastReal) {
      this.lastPath = 'empty';
      out.set(this.finalB);
      return out;
    }
    const nb = this.blocks.length;
    for (let i = 0; i < nb; i++) this.block(this.blocks[i]!, n, i === nb - 1 ? n - 1 : 0);
    layerNorm(x, this.h, n - 1, n, d, this.finalG, this.finalB, eps);
    const o = (n - 1) * d;
    for (let j = 0; j < d; j++) out[j] = this.h[o + j]!;
    return out;
  }

  /**
   * Prepares the NEXT call, in idle time: when the next sequence is this one plus one more item —
   * what a shopper's next action makes of it (a repeat of the last item changes no model row) —
   * every kept item of this one moves one position down (positions are counted from the newest),
   * and its first slots through the non-last blocks do not depend on the new item (causal
   * attention). This computes exactly those rows now, so that {@link HostEncoder.encode} of the
   * next sequence only runs the new slot through each block (a few `d × d` products instead of
   * every slot through the first block): the same operations on the same values, the same result.
   * Any other next sequence is encoded in full. Costs about one encode; keeps one prefix.
   */
  prepareNext(seq: ArrayLike<number>): void {
    const { dim: d, maxLen: L } = this.arch;
    this.next = undefined;
    const T = Math.min(seq.length + 1, L);
    const kept = T - 1;
    if (kept < 1) return;
    const rows = new Int32Array(kept);
    for (let t = 0; t < kept; t++) {
      const r = seq[seq.length - kept + t]!;
      if (!(r > 0 && r < this.rows && Number.isInteger(r))) return; // padding or unknown: no prediction
      rows[t] = r;
    }
    const x = this.x;
    const scale = Math.sqrt(d);
    for (let t = 0; t < kept; t++) {
      const e = this.item.read(rows[t]!, this.row),
        p = (L - T + t) * d,
        xo = t * d;
      for (let j = 0; j < d; j++) x[xo + j] = e[j]! * scale + this.pos[p + j]!;
    }
    const inputs: Float64Array[] = [];
    const nb = this.blocks.length;
    for (let b = 0; b < nb; b++) {
      inputs.push(x.slice(0, kept * d));
      if (b < nb - 1) this.block(this.blocks[b]!, kept, 0);
    }
    this.next = { rows, T, inputs };
  }

  /** True when `seq`'s window (`T` slots from `skip`) is the prepared prefix plus one real item. */
  private follows(p: PreparedPrefix, seq: ArrayLike<number>, T: number, skip: number): boolean {
    if (T !== p.T) return false;
    for (let t = 0; t < T - 1; t++) if (seq[skip + t] !== p.rows[t]) return false;
    const r = seq[skip + T - 1]!;
    return r > 0 && r < this.rows && Number.isInteger(r);
  }

  /** {@link HostEncoder.encode} from a prepared prefix: only the last slot goes through each block. */
  private encodeLastSlot(p: PreparedPrefix, r: number, out: Float32Array): Float32Array {
    const { dim: d, maxLen: L, layerNormEps: eps } = this.arch;
    const { x, h } = this;
    const T = p.T,
      last = (T - 1) * d;
    const e = this.item.read(r, this.row),
      pos = (L - 1) * d; // the newest slot's position: L − T + (T − 1)
    const scale = Math.sqrt(d);
    for (let j = 0; j < d; j++) x[last + j] = e[j]! * scale + this.pos[pos + j]!;
    const nb = this.blocks.length;
    for (let b = 0; b < nb; b++) {
      x.set(p.inputs[b]!, 0); // the other slots at this block's input; the last slot's row carries on
      this.block(this.blocks[b]!, T, T - 1);
    }
    layerNorm(x, h, T - 1, T, d, this.finalG, this.finalB, eps);
    for (let j = 0; j < d; j++) out[j] = h[last + j]!;
    this.lastPath = 'incremental';
    return out;
  }

  /**
   * One block over the `n` packed real slots in `x`, with queries (and everything after attention)
   * for slots `from..n−1` only — `from = n − 1` in the last block, where no later step reads any
   * other slot. Keys and values are folded into the query and output products (see {@link HostBlock}).
   */
  private block(p: HostBlock, n: number, from: number): void {
    const { dim: d, heads, ffnDim: F, layerNormEps: eps, norm } = this.arch;
    const { x, h, hT, q, z, a, o, f, s } = this;
    const m = n - from;
    const pre = norm === 'pre';
    // The attention input (queries, keys and values all read it): LN1(x) before, x itself after.
    const y = pre ? h : x;
    if (pre) layerNorm(x, h, 0, n, d, p.ln1g, p.ln1b, eps);
    for (let t = 0; t < n; t++) for (let c = 0; c < d; c++) hT[c * n + t] = y[t * d + c]!;
    for (let hd = 0; hd < heads; hd++) {
      // Folded queries; scores of query i (slot from + i) against slots 0..from + i (causal;
      // padding keys were never packed in), already scaled by 1/√dₕ.
      gemmNT(m, d, d, y, from * d, d, p.qk[hd]!, 0, d, q, 0, d, p.qkBias[hd]!, false, false, -1, 'cols');
      gemmNT(m, n, d, q, 0, d, y, 0, d, s, 0, n, null, false, false, from, 'cols');
      for (let i = 0; i < m; i++) {
        const row = i * n,
          last = from + i;
        let max = -Infinity;
        for (let j = 0; j <= last; j++) if (s[row + j]! > max) max = s[row + j]!;
        let sum = 0;
        for (let j = 0; j <= last; j++) {
          const e = Math.exp(s[row + j]! - max);
          s[row + j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j <= last; j++) s[row + j]! *= inv;
        for (let j = last + 1; j < n; j++) s[row + j] = 0;
      }
      // z = the attention-weighted input rows; a (+)= z · Wv_h·Wo_h (+ bv·Wo + bo once).
      gemmNT(m, d, n, s, 0, n, hT, 0, n, z, 0, d, null, false, false, from, 'inner');
      gemmNT(m, d, d, z, 0, d, p.vo[hd]!, 0, d, a, 0, d, hd === 0 ? p.voBias : null, false, hd > 0, -1, 'cols');
    }
    addRows(x, a, from, n, d);
    if (!pre) layerNorm(x, x, from, n, d, p.ln1g, p.ln1b, eps);
    const g = pre ? h : x;
    if (pre) layerNorm(x, h, from, n, d, p.ln2g, p.ln2b, eps);
    gemmNT(m, F, d, g, from * d, d, p.w1T, 0, d, f, 0, F, p.b1, true, false, -1, 'cols');
    gemmNT(m, d, F, f, 0, F, p.w2T, 0, F, o, 0, d, p.b2, false, false, -1, 'cols');
    addRows(x, o, from, n, d);
    if (!pre) layerNorm(x, x, from, n, d, p.ln2g, p.ln2b, eps);
  }
}
