/**
 * The LocalRec model bundle format, version 1. A bundle is a folder:
 *
 * - `manifest.json` — this {@link BundleManifest}.
 * - `weights.bin`   — every tensor (model weights, quantisation scales, cold-start tables),
 *                     little-endian, concatenated; each entry of `manifest.tensors` gives its
 *                     byte offset (4-byte aligned), dtype and shape.
 * - `vocab.json`    — JSON array of the shop's item ids (strings): model row `r` (1-based) is
 *                     `vocab[r - 1]`; row 0 is padding and never an item.
 * - optional `catalog.json` (item metadata), `segments.json` (interest segment names) and
 *   `associations.json` (association rules for "frequently bought together", `popularity.ts`).
 *
 * `manifest.files` holds the SHA-256 (hex) and byte size of every other file; the runtime
 * refuses a bundle whose files do not match.
 */

import type { ScoreBlend } from './blend.js';

/** Current bundle format version. Readers refuse newer major versions. */
export const BUNDLE_FORMAT = 'localrec-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

export type TensorDType = 'float32' | 'int8' | 'int32' | 'uint16';

/** One tensor stored in `weights.bin`. */
export interface TensorEntry {
  name: string;
  dtype: TensorDType;
  shape: number[];
  /** Byte offset into the weights file; a multiple of 4. */
  offset: number;
  /** Byte length (= product(shape) × bytes per element). */
  byteLength: number;
  /**
   * For `int8` tensors: symmetric linear quantisation, `value = q × scale[channel]`.
   * `scales` names a float32 tensor; `axis` is the dimension the scales run along
   * (0 = one scale per row, for embedding tables; the last axis = one per output channel, for dense kernels).
   */
  quant?: { scales: string; axis: number };
}

/** SASRec architecture and hyper-parameters. */
export interface SasrecArchitecture {
  type: 'sasrec';
  /** Embedding size d. */
  dim: number;
  /** Maximum sequence length L (positions). */
  maxLen: number;
  blocks: number;
  heads: number;
  /** Inner size of the point-wise feed-forward network. */
  ffnDim: number;
  /** 'pre': LayerNorm before attention/FFN (the reference implementations); 'post': after the residual. */
  norm: 'pre' | 'post';
  /** Epsilon of every LayerNorm. */
  layerNormEps: number;
}

export interface FileEntry {
  sha256: string;
  bytes: number;
}

/** Metrics as printed by the eval command, keyed by protocol. */
export type MetricTable = Record<string, number>;

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  /** Bundle name, e.g. "games-sasrec". */
  name: string;
  /** Model version, part of every cache key. */
  version: string;
  createdAt: string;
  architecture: SasrecArchitecture;
  /** Number of items (rows 1..itemCount). */
  itemCount: number;
  quantization: {
    scheme: 'none' | 'int8-symmetric';
    /** Human-readable description of where per-row and per-channel scales are used. */
    description: string;
  };
  /** Tensors inside `weights.bin`. Names are listed in {@link TENSOR_NAMES}. */
  tensors: TensorEntry[];
  /** Every file other than manifest.json, with its SHA-256 and size. */
  files: Record<string, FileEntry>;
  weightsFile: string;
  vocabFile: string;
  catalogFile?: string;
  segmentsFile?: string;
  /** Association rules mined from purchase/cart co-occurrence (`associations.json`, see `popularity.ts`). */
  associationsFile?: string;
  /** Cold-start tables: how many neighbours per item the co-occurrence table holds. */
  coldStart: { popularCount: number; cooccurrenceNeighbours: number };
  /** The blend of the model's scores with the co-occurrence table, by history length (see `blend.ts`); absent = the model alone. */
  blend?: ScoreBlend;
  training?: Record<string, unknown>;
  metrics?: Record<string, MetricTable>;
}

/** Tensor names. Per block `b` (0-based) the attention and FFN weights carry the prefix `block{b}/`. */
export const TENSOR_NAMES = {
  itemEmbedding: 'item_emb', // [itemCount + 1, d]
  positionEmbedding: 'pos_emb', // [maxLen, d]
  finalNormGamma: 'final_ln/gamma',
  finalNormBeta: 'final_ln/beta',
  popularItems: 'cold/popular_items', // int32 [P] rows, most popular first
  popularScores: 'cold/popular_scores', // float32 [P] normalised counts
  coocItems: 'cold/cooc_items', // int32 [itemCount + 1, M] next-item neighbours (0 = none)
  coocScores: 'cold/cooc_scores', // float32 [itemCount + 1, M]
  segmentCentroids: 'segments/centroids', // float32 [S, d] (optional)
} as const;

/** Names of the per-block tensors, without the `block{b}/` prefix. */
export const BLOCK_TENSORS = [
  'ln1/gamma',
  'ln1/beta',
  'attn/wq',
  'attn/bq',
  'attn/wk',
  'attn/bk',
  'attn/wv',
  'attn/bv',
  'attn/wo',
  'attn/bo',
  'ln2/gamma',
  'ln2/beta',
  'ffn/w1',
  'ffn/b1',
  'ffn/w2',
  'ffn/b2',
] as const;

export type BlockTensorName = (typeof BLOCK_TENSORS)[number];

export function blockTensorName(block: number, name: BlockTensorName): string {
  return `block${block}/${name}`;
}

/** Expected shape of every model tensor, for validation. */
export function expectedShapes(arch: SasrecArchitecture, itemCount: number): Map<string, number[]> {
  const d = arch.dim;
  const m = new Map<string, number[]>();
  m.set(TENSOR_NAMES.itemEmbedding, [itemCount + 1, d]);
  m.set(TENSOR_NAMES.positionEmbedding, [arch.maxLen, d]);
  m.set(TENSOR_NAMES.finalNormGamma, [d]);
  m.set(TENSOR_NAMES.finalNormBeta, [d]);
  for (let b = 0; b < arch.blocks; b++) {
    const shapes: Record<BlockTensorName, number[]> = {
      'ln1/gamma': [d],
      'ln1/beta': [d],
      'attn/wq': [d, d],
      'attn/bq': [d],
      'attn/wk': [d, d],
      'attn/bk': [d],
      'attn/wv': [d, d],
      'attn/bv': [d],
      'attn/wo': [d, d],
      'attn/bo': [d],
      'ln2/gamma': [d],
      'ln2/beta': [d],
      'ffn/w1': [d, arch.ffnDim],
      'ffn/b1': [arch.ffnDim],
      'ffn/w2': [arch.ffnDim, d],
      'ffn/b2': [d],
    };
    for (const name of BLOCK_TENSORS) m.set(blockTensorName(b, name), shapes[name]);
  }
  return m;
}

export const BYTES_PER_ELEMENT: Record<TensorDType, number> = { float32: 4, int8: 1, int32: 4, uint16: 2 };
