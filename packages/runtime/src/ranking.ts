/**
 * Host-side ranking steps shared by every answer (model or cold start): the eligibility mask
 * (history, purchases, exclusions, host filters — all applied BEFORE the top-k cut), top-k
 * selection and readable reasons (diversity, caps, pins: `merchandising.ts`).
 */
import { LocalRecError, type ItemFilter, type ItemMeta, type Reason } from '@localrec/core';
import { cosine, type ModelData } from './model-data.js';

/** One interaction of the shopper's recent history, oldest first. */
export interface HistoryItem {
  itemId: string;
  type: string;
  ts: number;
  /** Model row, 0 when the item is not in the model's vocabulary. */
  row: number;
  /** Events folded into this entry (core's sequence rule), when known. */
  count?: number;
}

/**
 * Whether an item passes the host filter. Rules: `categories`/`brands` need the item's metadata
 * to name one of them; price bounds need a known price within them; `inStock: true` drops only
 * items whose metadata says `inStock: false` (hosts usually flag what is out of stock).
 */
export function passesFilter(meta: ItemMeta | undefined, f: ItemFilter | undefined): boolean {
  if (!f) return true;
  if (f.inStock === true && meta?.inStock === false) return false;
  if (f.inStock === false && meta?.inStock !== false) return false;
  if (f.categories && (meta?.category === undefined || !f.categories.includes(meta.category))) return false;
  if (f.brands && (meta?.brand === undefined || !f.brands.includes(meta.brand))) return false;
  if (f.minPrice !== undefined && (meta?.price === undefined || meta.price < f.minPrice)) return false;
  if (f.maxPrice !== undefined && (meta?.price === undefined || meta.price > f.maxPrice)) return false;
  return true;
}

/**
 * Eligibility of every model row: 1 = may be returned. Row 0 (padding) is never eligible, nor a
 * `blocked` item, nor one failing `match` over its catalog metadata.
 */
export function eligibleRows(
  md: ModelData,
  catalog: Record<string, ItemMeta>,
  blocked: Iterable<string>,
  match?: (meta: ItemMeta | undefined) => boolean,
): Uint8Array {
  const ok = new Uint8Array(md.itemCount + 1).fill(1);
  ok[0] = 0;
  for (const id of blocked) {
    const r = md.rowOf.get(id);
    if (r !== undefined) ok[r] = 0;
  }
  if (match) for (let r = 1; r <= md.itemCount; r++) if (ok[r] && !match(catalog[md.vocab[r - 1]!])) ok[r] = 0;
  return ok;
}

/** The `k` eligible rows with the highest scores, best first (ties: lower row first). */
export function topK(scores: ArrayLike<number>, ok: Uint8Array, k: number): number[] {
  if (k <= 0) return [];
  // A sorted buffer of size k: O(N + k·log k) in practice for k ≪ N.
  const rows: number[] = [];
  const vals: number[] = [];
  for (let r = 1; r < ok.length; r++) {
    if (!ok[r]) continue;
    const v = scores[r]!;
    // NaN, or undefined in a sparse score list (rows outside a device-side top-k).
    if (v === undefined || Number.isNaN(v)) continue;
    if (rows.length === k && v <= vals[k - 1]!) continue;
    let i = rows.length === k ? k - 1 : rows.length;
    while (i > 0 && vals[i - 1]! < v) i--;
    rows.splice(i, 0, r);
    vals.splice(i, 0, v);
    if (rows.length > k) {
      rows.pop();
      vals.pop();
    }
  }
  return rows;
}

/** Validates and clamps the public options. */
export function checkK(k: number | undefined, fallback = 10): number {
  if (k === undefined) return fallback;
  if (!Number.isInteger(k) || k < 1 || k > 1000) {
    throw new LocalRecError('INVALID_ARGUMENT', `k must be an integer in 1..1000, got ${String(k)}`, { field: 'k' });
  }
  return k;
}

export function checkDiversity(d: number | undefined): number {
  if (d === undefined) return 0;
  if (typeof d !== 'number' || !(d >= 0 && d <= 1)) {
    throw new LocalRecError('INVALID_ARGUMENT', `diversity must be a number in [0, 1], got ${String(d)}`, { field: 'diversity' });
  }
  return d;
}

const VERBS: Record<string, string> = {
  view: 'viewed',
  click: 'viewed',
  add_to_cart: 'added to your cart',
  purchase: 'bought',
  favorite: 'saved',
  like: 'liked',
  share: 'shared',
  rate: 'rated',
  comment: 'commented on',
};

/** Display name of an item: the catalog's name, else its id. */
export function nameOf(md: ModelData | undefined, catalog: Record<string, ItemMeta>, itemId: string): string {
  return catalog[itemId]?.name ?? md?.catalog[itemId]?.name ?? itemId;
}

/**
 * "Because you viewed X": the history items whose embeddings are most similar (cosine) to the
 * recommended item drive the reason, most similar first (at most 2; the more recent wins ties).
 */
export function historyReason(md: ModelData, catalog: Record<string, ItemMeta>, history: readonly HistoryItem[], row: number): Reason {
  const seen = new Set<number>();
  const ranked: { h: HistoryItem; sim: number }[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (!h.row || seen.has(h.row)) continue;
    seen.add(h.row);
    ranked.push({ h, sim: cosine(md, h.row, row) });
  }
  ranked.sort((a, b) => b.sim - a.sim);
  const top = ranked.slice(0, 2);
  if (!top.length) return { kind: 'popular', text: 'Popular right now' };
  const first = top[0]!.h;
  return {
    kind: 'history',
    text: `Because you ${VERBS[first.type] ?? 'viewed'} ${nameOf(md, catalog, first.itemId)}`,
    itemIds: top.map((t) => t.h.itemId),
  };
}
