/**
 * Interest segments, computed at training time: k-means over the model's item embeddings, shipped
 * in the bundle as the `segments/centroids` tensor plus `segments.json` (labels, sizes, and the
 * segment of every item). The device maps a shopper's interests onto these segments and may, with
 * consent, hand at most three of them to the host — the one thing that may leave the device.
 *
 * Spherical k-means: rows are L2-normalised first, so items cluster by direction (what the model's
 * dot-product scoring uses), not by embedding norm (which mostly tracks popularity).
 */
import { TENSOR_NAMES, type HostTensor } from '@localrec/model';
import { SeededRandom } from '@localrec/core';

/** The item metadata the labels use (a subset of @localrec/core's ItemMeta). */
export interface SegmentItemMeta {
  name?: string;
  category?: string;
  brand?: string;
}

export interface BuildSegmentsOptions {
  /** Number of segments. Clamped to the number of items. */
  k: number;
  seed: number;
  /** Lloyd iterations at most. Default 50. */
  maxIterations?: number;
  /** The shop's item ids: `vocab[row - 1]` (labels fall back to example ids). */
  vocab?: readonly string[];
  /** Item metadata by item id, for human labels ("Kitchen · Acme"). */
  meta?: (itemId: string) => SegmentItemMeta | undefined;
}

export interface Segments {
  k: number;
  dim: number;
  /** float32 [k, dim], unit length: the `segments/centroids` tensor. */
  centroids: Float32Array;
  /** Segment of each model row, length itemCount + 1; row 0 (padding) is −1. */
  assignment: Int32Array;
  sizes: number[];
  /** A human label per segment, unique. */
  labels: string[];
  /** Mean cosine similarity of items to their centroid (higher is tighter). */
  cohesion: number;
  iterations: number;
}

/** The `segments.json` file of a bundle. */
export interface SegmentsFile {
  version: 1;
  k: number;
  dim: number;
  segments: { id: number; label: string; size: number }[];
  /** Segment of model row r at index r (row 0 → −1). */
  itemSegments: number[];
}

function normalisedRows(emb: Float32Array, itemCount: number, dim: number): Float32Array {
  const out = new Float32Array(itemCount * dim);
  for (let r = 0; r < itemCount; r++) {
    const src = (r + 1) * dim;
    let n = 0;
    for (let j = 0; j < dim; j++) n += emb[src + j]! * emb[src + j]!;
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let j = 0; j < dim; j++) out[r * dim + j] = emb[src + j]! * inv;
  }
  return out;
}

function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += a[ai + j]! * b[bi + j]!;
  return s;
}

/**
 * Assigns every row of `x` to its most similar centroid (in `assign`, similarity in `sims`);
 * returns how many assignments changed.
 */
function assignNearest(x: Float32Array, c: Float32Array, k: number, dim: number, assign: Int32Array, sims: Float64Array): number {
  let changed = 0;
  for (let i = 0; i < assign.length; i++) {
    let best = 0;
    let bestSim = -Infinity;
    for (let s = 0; s < k; s++) {
      const sim = dot(x, i * dim, c, s * dim, dim);
      if (sim > bestSim) {
        bestSim = sim;
        best = s;
      }
    }
    sims[i] = bestSim;
    if (assign[i] !== best) {
      assign[i] = best;
      changed++;
    }
  }
  return changed;
}

/**
 * k-means over the item embedding table (the `item_emb` tensor: `[itemCount + 1, dim]`, row 0 is
 * padding and is skipped). Deterministic for a seed: k-means++ seeding, then Lloyd iterations
 * until no item changes segment. Empty segments are re-seeded with the item farthest from its centroid.
 *
 * @example
 * const seg = buildSegments(weights.get('item_emb')!, itemCount, arch.dim, { k: 16, seed: 1, vocab, meta });
 */
export function buildSegments(itemEmb: Float32Array, itemCount: number, dim: number, options: BuildSegmentsOptions): Segments {
  if (itemEmb.length !== (itemCount + 1) * dim) {
    throw new RangeError(`buildSegments: itemEmb has ${itemEmb.length} values, expected (itemCount + 1) × dim = ${(itemCount + 1) * dim}`);
  }
  if (!(Number.isInteger(options.k) && options.k >= 1)) throw new RangeError(`buildSegments: k must be an integer ≥ 1, got ${options.k}`);
  const k = Math.min(options.k, itemCount);
  const x = normalisedRows(itemEmb, itemCount, dim);
  const rng = SeededRandom.fromInt(options.seed);
  const c = new Float32Array(k * dim);

  // k-means++ seeding on cosine distance (1 − cos).
  const first = rng.int(itemCount);
  c.set(x.subarray(first * dim, first * dim + dim), 0);
  const dist = new Float64Array(itemCount).fill(Infinity);
  for (let s = 1; s < k; s++) {
    let total = 0;
    for (let i = 0; i < itemCount; i++) {
      const d = Math.max(0, 1 - dot(x, i * dim, c, (s - 1) * dim, dim));
      if (d < dist[i]!) dist[i] = d;
      total += dist[i]! * dist[i]!;
    }
    let pick = rng.int(itemCount);
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < itemCount; i++) {
        r -= dist[i]! * dist[i]!;
        if (r <= 0) {
          pick = i;
          break;
        }
      }
    }
    c.set(x.subarray(pick * dim, pick * dim + dim), s * dim);
  }

  const assign = new Int32Array(itemCount).fill(-1);
  const sims = new Float64Array(itemCount);
  const maxIt = options.maxIterations ?? 50;
  let it = 0;
  for (; it < maxIt; it++) {
    const changed = assignNearest(x, c, k, dim, assign, sims);
    if (changed === 0 && it > 0) break;
    // Update: mean direction of members, renormalised.
    c.fill(0);
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < itemCount; i++) {
      const s = assign[i]!;
      sizes[s]!++;
      for (let j = 0; j < dim; j++) c[s * dim + j]! += x[i * dim + j]!;
    }
    for (let s = 0; s < k; s++) {
      if (sizes[s] === 0) {
        let far = 0;
        for (let i = 1; i < itemCount; i++) if (sims[i]! < sims[far]!) far = i;
        c.set(x.subarray(far * dim, far * dim + dim), s * dim);
        sims[far] = Infinity; // not picked twice
        continue;
      }
      let n = 0;
      for (let j = 0; j < dim; j++) n += c[s * dim + j]! ** 2;
      const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
      for (let j = 0; j < dim; j++) c[s * dim + j]! *= inv;
    }
  }

  // Final assignment against the final centroids.
  assignNearest(x, c, k, dim, assign, sims);
  const sizes = new Array<number>(k).fill(0);
  let cohesion = 0;
  for (let i = 0; i < itemCount; i++) {
    sizes[assign[i]!]!++;
    cohesion += sims[i]!;
  }
  const assignment = new Int32Array(itemCount + 1);
  assignment[0] = -1;
  assignment.set(assign, 1);
  return {
    k,
    dim,
    centroids: c,
    assignment,
    sizes,
    labels: segmentLabels(assignment, sims, k, options),
    cohesion: itemCount ? cohesion / itemCount : 0,
    iterations: it,
  };
}

/**
 * Labels from metadata: the dominant category (and brand, when one brand holds ≥ 50 % of the
 * segment), or the two leading categories ("Kitchen & Garden") when none holds half. Segments that
 * would share a label get their leading brand appended, and a number (" (2)") if still equal.
 * Without metadata: "Segment 3 (like A, B)" with the items closest to the centroid.
 */
function segmentLabels(assignment: Int32Array, sims: Float64Array, k: number, o: BuildSegmentsOptions): string[] {
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let r = 1; r < assignment.length; r++) members[assignment[r]!]!.push(r);
  const idOf = (row: number) => o.vocab?.[row - 1] ?? `#${row}`;
  const top = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const drafts = members.map((rows, s) => {
    const cats = new Map<string, number>();
    const brands = new Map<string, number>();
    for (const r of rows) {
      const m = o.meta?.(idOf(r));
      if (m?.category) cats.set(m.category, (cats.get(m.category) ?? 0) + 1);
      if (m?.brand) brands.set(m.brand, (brands.get(m.brand) ?? 0) + 1);
    }
    const [c1, c2] = top(cats);
    const [b1] = top(brands);
    if (c1) {
      let label = c1[1] * 2 >= rows.length || !c2 ? c1[0] : `${c1[0]} & ${c2[0]}`;
      const brandLed = b1 !== undefined && b1[1] * 2 >= rows.length;
      if (brandLed) label += ` · ${b1[0]}`;
      return { label, brand: brandLed ? undefined : b1?.[0] };
    }
    const closest = [...rows]
      .sort((a, b) => sims[b - 1]! - sims[a - 1]!)
      .slice(0, 2)
      .map((r) => {
        const m = o.meta?.(idOf(r));
        return m?.name ?? idOf(r);
      });
    return { label: `Segment ${s + 1}${closest.length ? ` (like ${closest.join(', ')})` : ''}`, brand: undefined };
  });
  // Segments that share a label are told apart by their leading brand, else by a number.
  const count = new Map<string, number>();
  for (const d of drafts) count.set(d.label, (count.get(d.label) ?? 0) + 1);
  const labels = drafts.map((d) => (count.get(d.label)! > 1 && d.brand ? `${d.label} · ${d.brand}` : d.label));
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${l} (${n})`;
  });
}

/** The `segments.json` content for a bundle. */
export function segmentsFile(seg: Segments): SegmentsFile {
  return {
    version: 1,
    k: seg.k,
    dim: seg.dim,
    segments: seg.labels.map((label, id) => ({ id, label, size: seg.sizes[id]! })),
    itemSegments: Array.from(seg.assignment),
  };
}

/** File name of the segments file inside a bundle (`manifest.segmentsFile`). */
const SEGMENTS_FILE = 'segments.json';

/**
 * What a bundle writer needs: the `segments/centroids` tensor (float32 [k, dim]) and the
 * `segments.json` text, to be listed as `manifest.segmentsFile`.
 */
export function segmentsBundleParts(seg: Segments): { tensor: HostTensor; fileName: string; file: string } {
  return {
    tensor: { name: TENSOR_NAMES.segmentCentroids, dtype: 'float32', shape: [seg.k, seg.dim], data: seg.centroids },
    fileName: SEGMENTS_FILE,
    file: JSON.stringify(segmentsFile(seg)),
  };
}

/**
 * Turns a catalog of unknown shape (a record keyed by item id, or an array of objects with `id`
 * or `itemId`) into a metadata lookup for {@link BuildSegmentsOptions.meta}.
 */
export function catalogMeta(catalog: unknown): ((itemId: string) => SegmentItemMeta | undefined) | undefined {
  if (typeof catalog !== 'object' || catalog === null) return undefined;
  const map = new Map<string, SegmentItemMeta>();
  const list: unknown[] = Array.isArray(catalog)
    ? catalog
    : Array.isArray((catalog as { items?: unknown }).items)
      ? (catalog as { items: unknown[] }).items
      : Object.entries(catalog as Record<string, unknown>).map(([id, v]) => ({ id, ...(typeof v === 'object' && v ? v : {}) }));
  for (const v of list) {
    if (typeof v !== 'object' || v === null) continue;
    const o = v as Record<string, unknown>;
    const id = typeof o.itemId === 'string' ? o.itemId : typeof o.id === 'string' ? o.id : undefined;
    if (id === undefined) continue;
    const m: SegmentItemMeta = {};
    if (typeof o.name === 'string') m.name = o.name;
    if (typeof o.category === 'string') m.category = o.category;
    if (typeof o.brand === 'string') m.brand = o.brand;
    map.set(id, m);
  }
  return (id) => map.get(id);
}
