import * as tf from '@tensorflow/tfjs-core';
import { BLOCK_TENSORS, TENSOR_NAMES, blockTensorName, type SasrecArchitecture } from './format.js';
import { HostEncoder } from './host-encoder.js';
import { blendDense, blendSparse, blendTop, type CoocTable, type ScoreBlend } from './blend.js';
import { embedSequences, encodeLast, type BlockParams, type EncoderParams } from './sasrec.js';
import { Float32Rows, rowsToFloat32, type ItemRows } from './item-rows.js';

/** Float32 host arrays by tensor name (see {@link TENSOR_NAMES} and {@link BLOCK_TENSORS}). */
export type FloatWeights = Map<string, Float32Array>;

const BLOCK_KEYS: Record<(typeof BLOCK_TENSORS)[number], keyof BlockParams> = {
  'ln1/gamma': 'ln1Gamma',
  'ln1/beta': 'ln1Beta',
  'attn/wq': 'wq',
  'attn/bq': 'bq',
  'attn/wk': 'wk',
  'attn/bk': 'bk',
  'attn/wv': 'wv',
  'attn/bv': 'bv',
  'attn/wo': 'wo',
  'attn/bo': 'bo',
  'ln2/gamma': 'ln2Gamma',
  'ln2/beta': 'ln2Beta',
  'ffn/w1': 'w1',
  'ffn/b1': 'b1',
  'ffn/w2': 'w2',
  'ffn/b2': 'b2',
};

/**
 * Right-aligns item-row sequences into a `[B, T]` int32 matrix (0 = padding), keeping the last
 * `maxLen` items of each, with `T` = the longest kept length in the batch.
 */
export function packSequences(seqs: readonly ArrayLike<number>[], maxLen: number): { rows: Int32Array; T: number } {
  let T = 1;
  for (const s of seqs) T = Math.max(T, Math.min(s.length, maxLen));
  const rows = new Int32Array(seqs.length * T);
  seqs.forEach((s, b) => {
    const n = Math.min(s.length, T);
    for (let i = 0; i < n; i++) rows[b * T + T - n + i] = s[s.length - n + i]!;
  });
  return { rows, T };
}

/**
 * Scoring over the item table outside tfjs, in place of `matMul(u, itemEmbT)` (+ `tf.topk`): e.g.
 * the runtime's int8 WebAssembly kernel over the bundle's int8 table (see {@link SasrecScorer.useItemTable}).
 */
export interface ItemTable {
  /** The `need` best rows for one user vector (`d` floats), best first (a promise where the table lives on a GPU). */
  topK(user: Float32Array, need: number): { rows: Int32Array; values: Float32Array } | Promise<{ rows: Int32Array; values: Float32Array }>;
  /** Every row's score for one user vector (`itemCount + 1` values). */
  scores(user: Float32Array): Float32Array;
}

/** Options of {@link SasrecScorer}. */
export interface ScorerOptions {
  /**
   * Compute every user vector with the host encoder ({@link HostEncoder}, plain typed arrays, one
   * sequence at a time) instead of the tfjs `encodeLast`, in {@link SasrecScorer.userVectors},
   * `scoreTensor` and `scores` too — e.g. to evaluate exactly the runtime's single-history path on
   * a whole test set. Default `false`: batches go through tfjs (faster for many sequences).
   * {@link SasrecScorer.topK} always uses the host encoder.
   */
  hostEncoder?: boolean;
  /**
   * Score through this item table from the start ({@link SasrecScorer.useItemTable}): the float32
   * item table is then never uploaded to the backend.
   */
  itemTable?: ItemTable;
  /**
   * Blend every score with the bundle's co-occurrence table (`manifest.blend`, see `blend.ts`):
   * {@link SasrecScorer.scores} and {@link SasrecScorer.topK} then answer the blended scores.
   * `scoreTensor` and `userVectors` stay the model's own.
   */
  blend?: { spec: ScoreBlend; table: CoocTable } | undefined;
  /**
   * The item table to read rows from instead of the `weights`' float32 one (which may then be
   * absent), e.g. the bundle's int8 table (`Int8Rows`): the encoder's input rows and the blend's
   * voted rows are read from it; the backend gets a float32 upload only when no
   * {@link ScorerOptions.itemTable} scores (built, uploaded, and not kept on the host).
   */
  itemRows?: ItemRows | undefined;
}

/**
 * The one scoring function of LocalRec: item sequence → a score for every item. The trainer's
 * evaluation and the browser runtime both call it, so what is measured is what ships.
 * Holds float32 tensors; call {@link SasrecScorer.dispose} when done.
 */
export class SasrecScorer {
  readonly arch: SasrecArchitecture;
  readonly itemCount: number;
  /**
   * `[itemCount + 1, d]`, row 0 = padding (zeros). Disposed (and never used) once an
   * {@link ItemTable} scores with `release` ({@link SasrecScorer.useItemTable}).
   */
  readonly itemEmb: tf.Tensor2D;
  /** `[d, itemCount + 1]`: pre-transposed so scoring is an untransposed 2-D matmul (disposed like `itemEmb`). */
  readonly itemEmbT: tf.Tensor2D;
  readonly params: EncoderParams;
  /** Host item table and position embeddings (references, not copies) for the input embeddings. */
  private readonly items: ItemRows;
  private readonly hostPosEmb: Float32Array;
  /** The host encoder (one sequence, no tfjs): {@link SasrecScorer.topK}, and batches when `hostEncoder`. */
  readonly host: HostEncoder;
  private readonly useHost: boolean;
  private itemTable: ItemTable | undefined;
  private readonly blend: ScorerOptions['blend'];
  /** The backend's item tensors were disposed (an {@link ItemTable} scores for good). */
  private released = false;

  /**
   * Uploads the weights to the active tfjs backend. Keeps references to the item table and the
   * position embeddings of `weights` (the input embeddings are gathered on the host): do not
   * mutate them while the scorer is in use.
   */
  constructor(arch: SasrecArchitecture, itemCount: number, weights: FloatWeights, options: ScorerOptions = {}) {
    this.arch = arch;
    this.useHost = options.hostEncoder === true;
    this.blend = options.blend;
    this.itemCount = itemCount;
    const d = arch.dim;
    const get = (name: string): Float32Array => {
      const w = weights.get(name);
      if (!w) throw new Error(`SasrecScorer: missing weight "${name}"`);
      return w;
    };
    const t2 = (name: string, r: number, c: number) => tf.tensor2d(get(name), [r, c]);
    const t1 = (name: string, n: number) => {
      const w = get(name);
      if (w.length !== n) throw new Error(`SasrecScorer: weight "${name}" has ${w.length} values, expected ${n}`);
      return tf.tensor1d(w);
    };
    this.items = options.itemRows ?? new Float32Rows(get(TENSOR_NAMES.itemEmbedding), d);
    this.hostPosEmb = get(TENSOR_NAMES.positionEmbedding);
    if (this.items.count !== itemCount + 1 || this.items.dim !== d || this.hostPosEmb.length !== arch.maxLen * d) {
      throw new Error(
        `SasrecScorer: item table has ${this.items.count * this.items.dim} values (expected ${(itemCount + 1) * d}), position table ${this.hostPosEmb.length} (expected ${arch.maxLen * d})`,
      );
    }
    if (options.itemTable) {
      // Never uploaded: placeholders, disposed at once (nothing reads them).
      this.itemTable = options.itemTable;
      this.released = true;
      this.itemEmb = tf.zeros([0, d]);
      this.itemEmbT = tf.zeros([d, 0]);
      this.itemEmb.dispose();
      this.itemEmbT.dispose();
    } else {
      this.itemEmb = tf.tensor2d(rowsToFloat32(this.items), [itemCount + 1, d]);
      this.itemEmbT = tf.tidy(() => tf.transpose<tf.Tensor2D>(this.itemEmb));
    }
    const blocks: BlockParams[] = [];
    for (let b = 0; b < arch.blocks; b++) {
      const p: Partial<Record<keyof BlockParams, tf.Tensor>> = {};
      for (const name of BLOCK_TENSORS) {
        const full = blockTensorName(b, name);
        const w = get(full);
        p[BLOCK_KEYS[name]] = name.endsWith('/w1')
          ? tf.tensor2d(w, [d, arch.ffnDim])
          : name.endsWith('/w2')
            ? tf.tensor2d(w, [arch.ffnDim, d])
            : name.startsWith('attn/w')
              ? tf.tensor2d(w, [d, d])
              : tf.tensor1d(w);
      }
      blocks.push(p as BlockParams);
    }
    this.params = {
      posEmb: t2(TENSOR_NAMES.positionEmbedding, arch.maxLen, d),
      blocks,
      finalGamma: t1(TENSOR_NAMES.finalNormGamma, d),
      finalBeta: t1(TENSOR_NAMES.finalNormBeta, d),
    };
    this.host = new HostEncoder(arch, weights, this.items);
  }

  /**
   * User representations `[B, d]` for item-row sequences (oldest → newest): the encoder's last-slot
   * output through the inference-only path ({@link encodeLast}; the trainer's full path with
   * `training: true` is `encodeSequence`), or through the host encoder when the scorer was built
   * with `hostEncoder: true`. Each batch is cut to its longest kept sequence.
   */
  userVectors(seqs: readonly ArrayLike<number>[]): tf.Tensor2D {
    if (this.useHost) {
      const d = this.arch.dim;
      const u = new Float32Array(seqs.length * d);
      seqs.forEach((q, b) => this.host.encode(q, u.subarray(b * d, (b + 1) * d)));
      return tf.tensor2d(u, [seqs.length, d]);
    }
    const { rows, T } = packSequences(seqs, this.arch.maxLen);
    const B = seqs.length;
    const input = embedSequences(this.arch, this.items, this.hostPosEmb, rows, B, T);
    return tf.tidy(() => encodeLast(this.arch, this.params, tf.tensor3d(input, [B, T, this.arch.dim]), rows));
  }

  /** Scores `[B, itemCount + 1]` (column 0 is padding and meaningless); through the {@link ItemTable} when one is set. */
  scoreTensor(seqs: readonly ArrayLike<number>[]): tf.Tensor2D {
    if (this.itemTable) return tf.tensor2d(this.hostScores(seqs), [seqs.length, this.itemCount + 1]);
    return tf.tidy(() => tf.matMul(this.userVectors(seqs), this.itemEmbT));
  }

  /** Scores through the item table, `[B * (itemCount + 1)]`. */
  private hostScores(seqs: readonly ArrayLike<number>[]): Float32Array {
    const d = this.arch.dim,
      n = this.itemCount + 1;
    const uT = this.userVectors(seqs);
    const u = uT.dataSync() as Float32Array;
    uT.dispose();
    const out = new Float32Array(seqs.length * n);
    seqs.forEach((_, b) => out.set(this.itemTable!.scores(u.subarray(b * d, (b + 1) * d)), b * n));
    return out;
  }

  /**
   * The `need` best rows for ONE sequence (oldest → newest), best first: the runtime's scoring of
   * a single history. The user vector comes from the host encoder ({@link HostEncoder}: for one
   * sequence it beats the ~40 small tfjs ops of `encodeLast` on wasm — see
   * benchmarks/results/NOTES-2026-11-23-host-encoder.md), then one upload of `d` floats,
   * `matMul(u, itemEmbT)` and `tf.topk` on the backend; only `need` values and rows are read back.
   * Row 0 (padding) may appear; callers skip it. Agrees with `scoreTensor([seq])` to float32
   * rounding (the unit tests pin user vectors within 1e-4 and identical top-10 lists). With an
   * {@link ItemTable} set ({@link SasrecScorer.useItemTable}) it scores instead of the backend.
   */
  async topK(seq: ArrayLike<number>, need: number): Promise<{ rows: Int32Array; values: Float32Array }> {
    const u = this.host.encode(seq);
    return this.blendedTop(seq, u, await this.modelTopK(u, need));
  }

  private async modelTopK(u: Float32Array, need: number): Promise<{ rows: Int32Array; values: Float32Array }> {
    if (this.itemTable) return this.itemTable.topK(u, need);
    const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(tf.tensor2d(u, [1, this.arch.dim]), this.itemEmbT), need, true));
    try {
      const [v, i] = await Promise.all([values.data(), indices.data()]);
      return { rows: i as Int32Array, values: v as Float32Array };
    } finally {
      values.dispose();
      indices.dispose();
    }
  }

  /**
   * With a blend ({@link ScorerOptions.blend}): the model's best rows `top` for `seq` (user vector
   * `u`) blended with the co-occurrence votes — every row of `top` and every voted row, best first
   * (see `blendTop`); without one, `top` itself. For callers that computed `top` themselves (e.g.
   * an int8 kernel with an eligibility mask).
   */
  blendedTop(
    seq: ArrayLike<number>,
    u: Float32Array,
    top: { rows: Int32Array; values: Float32Array },
  ): { rows: Int32Array; values: Float32Array } {
    if (!this.blend) return top;
    return blendTop(top, seq, this.blend.table, this.blend.spec, (rows) => this.rowScores(u, rows));
  }

  /**
   * With a blend ({@link ScorerOptions.blend}): adds it to `values`, the model's scores of `rows`
   * for `seq`, in place (e.g. scores an int8 kernel computed for a few rows); returns `values`.
   */
  blendRows(seq: ArrayLike<number>, rows: ArrayLike<number>, values: Float32Array): Float32Array {
    if (this.blend) blendSparse(values, rows, seq, this.blend.table, this.blend.spec);
    return values;
  }

  /** The model's scores of `rows` for the user vector `u` (host dot products over the item rows, int8 ones not widened). */
  private rowScores(u: Float32Array, rows: Int32Array): Float32Array {
    return this.items.scoreRows(u, rows);
  }

  /**
   * Makes every scoring ({@link SasrecScorer.topK}, `scoreTensor`, `scores`) go through `table`
   * instead of matMul (+ `tf.topk`) on the backend; `undefined` goes back to the backend.
   * `release`: dispose the backend's copies of the item table (`itemEmb`, `itemEmbT`) — for good.
   * @throws {Error} going back to the backend after `release`.
   */
  useItemTable(table: ItemTable | undefined, o: { release?: boolean } = {}): void {
    if (!table && this.released) throw new Error('SasrecScorer: the item table was released from the backend; it cannot score there again');
    this.itemTable = table;
    if (table && o.release && !this.released) {
      this.released = true;
      this.itemEmb.dispose();
      this.itemEmbT.dispose();
    }
  }

  /**
   * Prepares the next {@link SasrecScorer.topK}, for `seq` plus one more item (what the shopper's
   * next action makes of it): see {@link HostEncoder.prepareNext}. Call it in idle time after
   * answering; results are the same with or without it, only that next call is faster.
   */
  prepareNext(seq: ArrayLike<number>): void {
    this.host.prepareNext(seq);
  }

  /** Scores as host arrays, one `Float32Array(itemCount + 1)` per sequence; index 0 is set to −Infinity. */
  async scores(seqs: readonly ArrayLike<number>[]): Promise<Float32Array[]> {
    const n = this.itemCount + 1;
    const rowsOf = (flat: Float32Array) =>
      seqs.map((q, b) => {
        const row = flat.slice(b * n, (b + 1) * n);
        if (this.blend) blendDense(row, q, this.blend.table, this.blend.spec);
        row[0] = -Infinity;
        return row;
      });
    if (this.itemTable) return rowsOf(this.hostScores(seqs));
    const t = this.scoreTensor(seqs);
    try {
      return rowsOf((await t.data()) as Float32Array);
    } finally {
      t.dispose();
    }
  }

  dispose(): void {
    if (!this.released) {
      this.itemEmb.dispose();
      this.itemEmbT.dispose();
    }
    this.params.posEmb.dispose();
    this.params.finalGamma.dispose();
    this.params.finalBeta.dispose();
    for (const b of this.params.blocks) for (const t of Object.values(b)) (t as tf.Tensor).dispose();
  }
}
