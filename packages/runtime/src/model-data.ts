/**
 * The backend-independent, host-memory part of a loaded model.
 *
 * Held in memory for a bundle of N items and dimension d (float32 = 4 bytes):
 * - `weights`: every model tensor dequantised ONCE to float32 (the int8 bytes are dropped after
 *   load; tfjs has no int8 matmul and dequantising per query was ~25× slower). The item table
 *   alone is (N+1)·d·4 bytes — 4.7 MB for Games (23,716 × 50).
 * - `itemEmb`: the same float32 item table (shared, not copied), used on the host for reasons,
 *   `similar` and MMR; `invNorm`: (N+1) floats.
 * - the cold-start tables (int32/float32, a few hundred KB) and the vocabulary.
 * - `itemInt8`: the bundle's int8 item table and its row scales, (N+1)·(d+4) bytes, until the int8
 *   kernel takes them into its WebAssembly memory (`backends.ts` `kernelFor`: then dropped here).
 * The tfjs backend additionally holds the item table and its transpose (see `SasrecScorer`).
 */
import { LocalRecError, type ItemMeta } from '@localrec/core';
import { TENSOR_NAMES, toFloatWeights, type AssociationTuple, type BundleManifest, type FloatWeights } from '@localrec/model';
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
  weights: FloatWeights;
  /** `[N+1, d]` row-major; row 0 is padding. */
  itemEmb: Float32Array;
  /** The bundle's int8 item table `[N+1, d]` and row scales (when stored int8 per row), until the int8 kernel holds them. */
  itemInt8?: { q: Int8Array; scales: Float32Array } | undefined;
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

/** Builds {@link ModelData} from a verified bundle (dequantises once). */
export function toModelData(b: FetchedBundle): ModelData {
  const m = b.manifest;
  let weights: FloatWeights;
  try {
    weights = toFloatWeights(b.tensors);
  } catch (e) {
    throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${b.baseUrl}: ${(e as Error).message}`);
  }
  const tensor = (name: string) => {
    const t = b.tensors.get(name);
    if (!t) throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${b.baseUrl}: tensor "${name}" missing`);
    return t.data;
  };
  const itemEmb = weights.get(TENSOR_NAMES.itemEmbedding);
  if (!itemEmb) throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${b.baseUrl}: tensor "${TENSOR_NAMES.itemEmbedding}" missing`);
  const d = m.architecture.dim;
  const N = m.itemCount;
  const invNorm = new Float32Array(N + 1);
  for (let r = 0; r <= N; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = itemEmb[r * d + j]!;
      s += v * v;
    }
    invNorm[r] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  const raw = b.tensors.get(TENSOR_NAMES.itemEmbedding);
  const rawScales = raw?.quant ? b.tensors.get(raw.quant.scales) : undefined;
  const itemInt8 =
    raw?.dtype === 'int8' && raw.quant?.axis === 0 && rawScales?.dtype === 'float32'
      ? { q: raw.data as Int8Array, scales: rawScales.data as Float32Array }
      : undefined;
  const rowOf = new Map<string, number>();
  b.vocab.forEach((id, i) => rowOf.set(id, i + 1));
  return {
    manifest: m,
    version: m.version,
    itemCount: N,
    dim: d,
    maxLen: m.architecture.maxLen,
    weights,
    itemEmb,
    itemInt8,
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

/** Cosine similarity of two rows. */
export function cosine(md: ModelData, a: number, b: number): number {
  const d = md.dim;
  const e = md.itemEmb;
  let s = 0;
  for (let j = 0; j < d; j++) s += e[a * d + j]! * e[b * d + j]!;
  return s * md.invNorm[a]! * md.invNorm[b]!;
}

/** Host bytes held for `md`: the float32 weights, 1/norm per item and the cold-start tables. */
export function hostBytes(md: ModelData): number {
  let host =
    md.invNorm.byteLength +
    md.cold.popularItems.byteLength +
    md.cold.popularScores.byteLength +
    md.cold.coocItems.byteLength +
    md.cold.coocScores.byteLength;
  for (const w of md.weights.values()) host += w.byteLength;
  if (md.itemInt8) host += md.itemInt8.q.byteLength + md.itemInt8.scales.byteLength;
  return host;
}
