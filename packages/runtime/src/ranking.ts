/**
 * Host-side ranking steps shared by every answer (model or cold start): the eligibility mask
 * (history, purchases, exclusions, host filters — all applied BEFORE the top-k cut), top-k
 * selection, MMR diversification over item embeddings, and readable reasons.
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

const hasFilter = (f: ItemFilter | undefined) =>
  !!f && (f.inStock !== undefined || !!f.categories || !!f.brands || f.minPrice !== undefined || f.maxPrice !== undefined);

/** Eligibility of every model row: 1 = may be returned. Row 0 (padding) is never eligible. */
export function eligibleRows(
  md: ModelData,
  catalog: Record<string, ItemMeta>,
  o: { blockedRows?: Iterable<number>; exclude?: readonly string[] | undefined; filter?: ItemFilter | undefined },
): Uint8Array {
  const ok = new Uint8Array(md.itemCount + 1).fill(1);
  ok[0] = 0;
  for (const r of o.blockedRows ?? []) ok[r] = 0;
  for (const id of o.exclude ?? []) {
    const r = md.rowOf.get(id);
    if (r !== undefined) ok[r] = 0;
  }
  if (hasFilter(o.filter)) {
    for (let r = 1; r <= md.itemCount; r++) if (ok[r] && !passesFilter(catalog[md.vocab[r - 1]!], o.filter)) ok[r] = 0;
  }
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

/**
 * Maximal Marginal Relevance (Carbonell & Goldstein 1998) over item-embedding cosine:
 * repeatedly picks the candidate maximising `(1 − λ)·rel − λ·max cos(candidate, picked)`,
 * with `rel` the score min-max-normalised over the pool and `λ = diversity` in [0, 1].
 * @param pool candidate rows, best first.
 */
export function mmr(md: ModelData, pool: readonly number[], scores: ArrayLike<number>, k: number, diversity: number): number[] {
  if (diversity <= 0 || pool.length <= 1) return pool.slice(0, k);
  let lo = Infinity,
    hi = -Infinity;
  for (const r of pool) {
    lo = Math.min(lo, scores[r]!);
    hi = Math.max(hi, scores[r]!);
  }
  const span = hi - lo || 1;
  const left = [...pool];
  const picked: number[] = [];
  const maxSim = new Float64Array(pool.length).fill(-1);
  while (picked.length < k && left.length) {
    let best = -1,
      bestVal = -Infinity;
    for (let i = 0; i < left.length; i++) {
      const r = left[i]!;
      const rel = (scores[r]! - lo) / span;
      const sim = picked.length ? maxSim[i]! : 0;
      const v = (1 - diversity) * rel - diversity * sim;
      if (v > bestVal) {
        bestVal = v;
        best = i;
      }
    }
    const r = left[best]!;
    picked.push(r);
    left.splice(best, 1);
    maxSim.copyWithin(best, best + 1);
    for (let i = 0; i < left.length; i++) maxSim[i] = Math.max(maxSim[i]!, cosine(md, left[i]!, r));
  }
  return picked;
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
