/**
 * Two small JSON files beside the model, written by the trainer and read by the runtime:
 *
 * - `associations.json` (in the bundle, `manifest.associationsFile`, hashed in `manifest.files`):
 *   association rules "shoppers whose basket holds A also have B", mined from purchase/cart
 *   co-occurrence at training time. `rules[A]` lists A's consequents, best first, each as the tuple
 *   `[itemId, baskets, support, confidence, lift]` ({@link AssociationTuple}).
 * - `trending.json` (a static asset the shop may refresh daily, identical for everyone): counts of
 *   shoppers per item over a recent window, overall and per facet value (category, brand, …). It
 *   carries its own SHA-256 (`sha256`, over {@link trendingBody}), checked before use.
 *
 * Both are checked by one function each ({@link associationsProblems}, {@link trendingProblems}):
 * every problem listed, never thrown.
 */

/** `format` of an associations file. */
export const ASSOCIATIONS_FORMAT = 'localrec-associations';
/** `format` of a trending file. */
export const TRENDING_FORMAT = 'localrec-trending';

/** One rule A → B: `[B, baskets with A and B, support, confidence, lift]`. */
export type AssociationTuple = [itemId: string, baskets: number, support: number, confidence: number, lift: number];

/** The `associations.json` of a bundle. */
export interface AssociationsFile {
  format: typeof ASSOCIATIONS_FORMAT;
  formatVersion: 1;
  /** Baskets counted (orders or sessions with at least one item of the counted types). */
  baskets: number;
  /** How baskets were formed and which thresholds kept a rule (documentation; not read by the runtime). */
  mined: Record<string, unknown>;
  /** Antecedent item id → its consequents, best first (confidence, then lift, then id). */
  rules: Record<string, AssociationTuple[]>;
}

/** `[itemId, shoppers]`: one item's count in a trending list, most shoppers first. */
export type TrendingTuple = [itemId: string, shoppers: number];

/** One facet value of a trending file. */
export interface TrendingFacetValue {
  /** Shoppers who interacted with an item of this value in the window. */
  shoppers: number;
  /** The value's trending items, most shoppers first. */
  items: TrendingTuple[];
}

/** The public `trending.json`. */
export interface TrendingFile {
  format: typeof TRENDING_FORMAT;
  formatVersion: 1;
  /** Changes with every content change (the window's end date plus a hash prefix): the cache key. */
  version: string;
  /** The counting window (ISO 8601 dates) and its length in days. */
  window: { from: string; to: string; days: number };
  /** Trending items over the whole shop. */
  items: TrendingTuple[];
  /** Attribute (e.g. `category`) → value (e.g. `Shoes`) → its count and items. */
  facets: Record<string, Record<string, TrendingFacetValue>>;
  /** SHA-256 (hex) of {@link trendingBody}. */
  sha256: string;
}

/** The text a trending file's `sha256` covers: the file without `sha256`, as `JSON.stringify` writes it (key order kept). */
export function trendingBody(file: Omit<TrendingFile, 'sha256'> | TrendingFile): string {
  const { sha256: _omit, ...body } = file as TrendingFile;
  return JSON.stringify(body);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const share = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;

/** Problems of a parsed `associations.json` (empty: valid). Never throws. */
export function associationsProblems(v: unknown, max = 20): string[] {
  const p: string[] = [];
  if (!isObj(v)) return ['associations: not a JSON object'];
  if (v.format !== ASSOCIATIONS_FORMAT) p.push(`associations.format: ${JSON.stringify(v.format)}, expected "${ASSOCIATIONS_FORMAT}"`);
  if (v.formatVersion !== 1) p.push(`associations.formatVersion: ${JSON.stringify(v.formatVersion)}, this reader accepts 1`);
  if (!count(v.baskets)) p.push(`associations.baskets: ${JSON.stringify(v.baskets)}, expected a non-negative integer`);
  if (!isObj(v.rules)) return [...p, 'associations.rules: missing (an object of item id → [itemId, baskets, support, confidence, lift][])'];
  for (const [a, list] of Object.entries(v.rules)) {
    if (p.length >= max) break;
    if (!Array.isArray(list)) {
      p.push(`associations.rules[${JSON.stringify(a)}]: not an array`);
      continue;
    }
    list.forEach((t: unknown, i) => {
      const ok =
        Array.isArray(t) &&
        t.length === 5 &&
        typeof t[0] === 'string' &&
        t[0] !== '' &&
        t[0] !== a &&
        count(t[1]) &&
        share(t[2]) &&
        share(t[3]) &&
        typeof t[4] === 'number' &&
        Number.isFinite(t[4]) &&
        t[4] >= 0;
      if (!ok && p.length < max)
        p.push(
          `associations.rules[${JSON.stringify(a)}][${i}]: ${JSON.stringify(t)}, expected [another item id, baskets ≥ 0, support in [0, 1], confidence in [0, 1], lift ≥ 0]`,
        );
    });
  }
  return p;
}

const tuplesProblems = (where: string, list: unknown, p: string[], max: number) => {
  if (!Array.isArray(list)) return void p.push(`${where}: not an array of [itemId, shoppers]`);
  list.forEach((t: unknown, i) => {
    if (p.length < max && !(Array.isArray(t) && t.length === 2 && typeof t[0] === 'string' && t[0] !== '' && count(t[1])))
      p.push(`${where}[${i}]: ${JSON.stringify(t)}, expected [item id, shoppers ≥ 0]`);
  });
};

/** Problems of a parsed `trending.json`'s structure (empty: valid; the hash is checked apart). Never throws. */
export function trendingProblems(v: unknown, max = 20): string[] {
  const p: string[] = [];
  if (!isObj(v)) return ['trending: not a JSON object'];
  if (v.format !== TRENDING_FORMAT) p.push(`trending.format: ${JSON.stringify(v.format)}, expected "${TRENDING_FORMAT}"`);
  if (v.formatVersion !== 1) p.push(`trending.formatVersion: ${JSON.stringify(v.formatVersion)}, this reader accepts 1`);
  if (typeof v.version !== 'string' || !v.version) p.push('trending.version: missing (a non-empty string)');
  const w = v.window;
  if (!isObj(w) || typeof w.from !== 'string' || typeof w.to !== 'string' || !(typeof w.days === 'number' && w.days > 0))
    p.push(`trending.window: ${JSON.stringify(w)}, expected { from, to, days > 0 }`);
  if (typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256)) p.push('trending.sha256: missing (64 hex digits)');
  tuplesProblems('trending.items', v.items, p, max);
  if (!isObj(v.facets)) p.push('trending.facets: missing (an object of attribute → value → { shoppers, items })');
  else
    for (const [attr, values] of Object.entries(v.facets)) {
      if (!isObj(values)) {
        p.push(`trending.facets.${attr}: not an object of value → { shoppers, items }`);
        continue;
      }
      for (const [value, f] of Object.entries(values)) {
        if (p.length >= max) break;
        if (!isObj(f) || !count(f.shoppers)) p.push(`trending.facets.${attr}[${JSON.stringify(value)}]: expected { shoppers ≥ 0, items }`);
        else tuplesProblems(`trending.facets.${attr}[${JSON.stringify(value)}].items`, f.items, p, max);
      }
    }
  return p;
}
