/**
 * The backend-independent, host-memory part of a loaded model.
 *
 * Held in memory for a bundle of N items and dimension d:
 * - the item table, ONCE: an int8 bundle's as int8 rows with per-row scales in an
 *   {@link Int8Table} (`table`: (N+1)·(stride + 8) bytes, stride = d rounded up to 16; 68 MB at
 *   1M × 50 — the int8 kernels scan that very memory, and the host reads it through `items`:
 *   the encoder's input rows, reasons, `similar`, MMR, the blend's rows, dequantised value by value
 *   when read, never as a float32 copy); a float32 bundle's as its float32 array ((N+1)·d·4 bytes).
 * - `weights`: the other model tensors in float32 (int8 dense kernels dequantised once; a few
 *   hundred KB); `invNorm`: (N+1) floats.
 * - the cold-start tables (int32/float32) and the vocabulary.
 * The tfjs backend holds a float32 item table and its transpose only when no int8 kernel serves
 * (see `SasrecScorer`).
 */
import { LocalRecError, type ItemMeta } from '@localrec/core';
import { webAssembly } from '@localrec/core/internal';
import {
  Float32Rows,
  TENSOR_NAMES,
  inverseNorms,
  toFloatWeights,
  type AssociationTuple,
  type BundleManifest,
  type FloatWeights,
  type ItemRows,
} from '@localrec/model';
import { kernelSupport } from './backends.js';
import { Int8Table } from './int8/table.js';
import type { FetchedBundle } from './loader.js';

/** Popularity and co-occurrence tables of the bundle (see @localrec/model README). */
interface ColdTables {
  /** Rows, most popular first, and their normalised counts. */
  popularItems: Int32Array;
  popularScores: Float32Array;
  /** `[N+1, M]` next-item neighbours (0 = none) and their weights. */
  coocItems: Int32Array;
  coocScores: Float32Array;
  neighbours: number;
}

export interface ModelData {
  manifest: BundleManifest;
  version: string;
  itemCount: number;
  dim: number;
  maxLen: number;
  /** The model tensors in float32 but an int8 item table (that one is `table`). */
  weights: FloatWeights;
  /** The item table `[N+1, d]` (row 0 is padding) as the host reads it: over `table` for an int8 bundle. */
  items: ItemRows;
  /** An int8 bundle's item table, rows and scales (shared with the int8 kernels that scan it). */
  table?: Int8Table | undefined;
  /** 1/‖row‖ (0 for zero rows). */
  invNorm: Float32Array;
  /** Row r (1-based) → item id. */
  vocab: string[];
  rowOf: Map<string, number>;
  cold: ColdTables;
  catalog: Record<string, ItemMeta>;
  /** Antecedent item id → its consequents `[itemId, baskets, support, confidence, lift]`, best first (`associations.json`), when the bundle ships them. */
  associations?: Map<string, readonly AssociationTuple[]>;
}

/**
 * Builds {@link ModelData} from a verified bundle. An int8 item table (per-row scales) is copied
 * into an {@link Int8Table} as int8 (no dequantise step); other int8 tensors are dequantised once.
 */
export function toModelData(b: FetchedBundle): ModelData {
  const m = b.manifest;
  const d = m.architecture.dim;
  const N = m.itemCount;
  const raw = b.tensors.get(TENSOR_NAMES.itemEmbedding);
  if (!raw) throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${b.baseUrl}: tensor "${TENSOR_NAMES.itemEmbedding}" missing`);
  const rawScales = raw.quant ? b.tensors.get(raw.quant.scales) : undefined;
  const int8 = raw.dtype === 'int8' && raw.quant?.axis === 0 && rawScales?.dtype === 'float32';
  let weights: FloatWeights;
  try {
    // An int8 item table and its scales live in the Int8Table only.
    weights = toFloatWeights(b.tensors, int8 ? new Set([TENSOR_NAMES.itemEmbedding, raw.quant!.scales]) : undefined);
  } catch (e) {
    throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${b.baseUrl}: ${(e as Error).message}`);
  }
  const tensor = (name: string) => {
    const t = b.tensors.get(name);
    if (!t) throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${b.baseUrl}: tensor "${name}" missing`);
    return t.data;
  };
  let table: Int8Table | undefined;
  let items: ItemRows;
  let invNorm: Float32Array;
  if (int8) {
    // Row sums only where the relaxed kernel can run (it needs them; 4 bytes a row).
    const sums = kernelSupport().kind === 'wasm-relaxed-simd';
    table = Int8Table.build(webAssembly(), raw.data as Int8Array, rawScales.data as Float32Array, N + 1, d, { sums });
    items = table.rows();
    invNorm = table.invNorm;
  } else {
    items = new Float32Rows(weights.get(TENSOR_NAMES.itemEmbedding)!, d);
    invNorm = inverseNorms(items);
  }
  const rowOf = new Map<string, number>();
  b.vocab.forEach((id, i) => rowOf.set(id, i + 1));
  return {
    manifest: m,
    version: m.version,
    itemCount: N,
    dim: d,
    maxLen: m.architecture.maxLen,
    weights,
    items,
    table,
    invNorm,
    vocab: b.vocab,
    rowOf,
    cold: {
      popularItems: tensor(TENSOR_NAMES.popularItems) as Int32Array,
      popularScores: tensor(TENSOR_NAMES.popularScores) as Float32Array,
      coocItems: tensor(TENSOR_NAMES.coocItems) as Int32Array,
      coocScores: tensor(TENSOR_NAMES.coocScores) as Float32Array,
      neighbours: m.coldStart.cooccurrenceNeighbours,
    },
    catalog: { ...(b.catalog ?? {}) },
    ...(b.associations ? { associations: new Map(Object.entries(b.associations.rules)) } : {}),
  };
}

/** Cosine similarity of two rows (over the int8 rows of an int8 bundle: the values of the dequantised table). */
export function cosine(md: ModelData, a: number, b: number): number {
  return md.items.rowDot(a, b) * md.invNorm[a]! * md.invNorm[b]!;
}

/**
 * Host bytes held for `md` but the int8 table's memory ({@link int8TableBytes}): the float32
 * weights (a float32 bundle's item table among them), 1/norm per item and the cold-start tables.
 */
export function hostBytes(md: ModelData): number {
  // Each array once: the float32 cold-start tables are weights too (the same arrays).
  const arrays = new Set<ArrayBufferView>([md.cold.popularItems, md.cold.popularScores, md.cold.coocItems, md.cold.coocScores]);
  if (!md.table) arrays.add(md.invNorm);
  for (const w of md.weights.values()) arrays.add(w);
  let host = 0;
  for (const a of arrays) host += a.byteLength;
  return host;
}

/** Bytes of the int8 item table (rows, scales, norms, the kernels' buffers): 0 for a float32 bundle. */
export function int8TableBytes(md: ModelData): number {
  return md.table?.bytes ?? 0;
}

/** Bytes of a float32 item table on the host: 0 for an int8 bundle (its table stays int8). */
export function float32TableBytes(md: ModelData): number {
  return md.table ? 0 : md.items.bytes;
}
