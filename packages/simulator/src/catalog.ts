import { CATEGORY_SPECS, type CategorySpec } from './categories.js';
import { invalid, requireInt } from './errors.js';
import { SeededRandom } from '@localrec/core';

/** Price bands, cheapest first. Cut-offs are per category ({@link priceBandOf}). */
export const PRICE_BANDS = ['low', 'mid', 'high'] as const;
export type PriceBand = (typeof PRICE_BANDS)[number];

/** One product of the demo shop. */
export interface CatalogItem {
  /** Stable id, `SKU-` and five digits, numbered from 1 in generation order: `SKU-00042`. */
  id: string;
  /** Unique within a catalog. */
  name: string;
  /** One of {@link CATEGORIES}. */
  category: string;
  brand: string;
  /** Dollars, two decimals. */
  price: number;
  /** `priceBandOf(category, price)`. */
  priceBand: PriceBand;
  inStock: boolean;
  description?: string;
}

/** What {@link makeCatalog} is asked for. */
export interface CatalogOptions {
  /** Any integer; the same seed and size always give the same catalog. */
  seed: number;
  /** Number of products, 1..99999. */
  size: number;
}

/** The demo shop's catalog: `makeCatalog(DEMO_CATALOG)`. The demo model is trained on it. */
export const DEMO_CATALOG: Readonly<CatalogOptions> = Object.freeze({ seed: 42, size: 300 });

/** The department names, in a fixed order. */
export const CATEGORIES: readonly string[] = CATEGORY_SPECS.map((c) => c.name);

const SPEC_BY_NAME = new Map(CATEGORY_SPECS.map((c) => [c.name, c]));

function specOf(category: string): CategorySpec {
  const s = SPEC_BY_NAME.get(category);
  if (!s) throw invalid(`unknown category ${JSON.stringify(category)}`, 'category', CATEGORIES);
  return s;
}

/** A category's price limits and band cut-offs: low < `lowMax` ≤ mid < `highMin` ≤ high. */
export function priceRange(category: string): { min: number; max: number; lowMax: number; highMin: number } {
  const s = specOf(category);
  return { min: s.min, max: s.max, lowMax: s.bands[0], highMin: s.bands[1] };
}

/** The price band of a price within a category (cut-offs differ: a $60 book is dear, a $60 tent cheap). */
export function priceBandOf(category: string, price: number): PriceBand {
  const { lowMax, highMin } = priceRange(category);
  return price < lowMax ? 'low' : price < highMin ? 'mid' : 'high';
}

/** Departments shoppers often move on to from `category` (e.g. Coffee & Tea → Kitchen, Books). */
export function complementsOf(category: string): readonly string[] {
  return specOf(category).complements;
}

/** Shop-style prices: 24.99, 8.49. */
function shopPrice(raw: number, min: number, max: number): number {
  const p = Math.min(max, Math.max(min, raw));
  const cents = p < 10 ? (Math.round(p * 2) / 2 || 0.5) - 0.01 : Math.round(p) - 0.01;
  return Math.round(Math.min(max, Math.max(min, cents)) * 100) / 100;
}

function productName(rng: SeededRandom, spec: CategorySpec, brand: string, kind: string): string {
  const adj = rng.pick(spec.adjectives);
  if (spec.name === 'Books') return `${adj}: ${kind}`;
  return `${brand} ${adj} ${kind}${rng.pick(spec.suffixes)}`;
}

const ROMAN = ['II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];

/**
 * Makes the demo catalog: `size` products over the departments in {@link CATEGORIES}, with names
 * built from per-department word lists, per-department brands and price distributions, and price
 * bands. Deterministic: the same options give the same products; each product is drawn from its own
 * stream, so a larger catalog with the same seed starts with the smaller one.
 *
 * @example
 * const catalog = makeCatalog(DEMO_CATALOG); // 300 products, SKU-00001 … SKU-00300
 */
export function makeCatalog(options: CatalogOptions): CatalogItem[] {
  const seed = requireInt(options?.seed, 'seed', -(2 ** 31), 2 ** 32);
  const size = requireInt(options?.size, 'size', 1, 99_999);
  const root = SeededRandom.named(`catalog:${seed}`);
  const shares = CATEGORY_SPECS.map((c) => c.share);
  const names = new Set<string>();
  const items: CatalogItem[] = [];
  for (let i = 1; i <= size; i++) {
    const rng = root.fork(i);
    const spec = CATEGORY_SPECS[rng.weighted(shares)]!;
    const brand = rng.pick(spec.brands);
    const [kind, base] = rng.pick(spec.kinds);
    let name = productName(rng, spec, brand, kind);
    for (let v = 0; names.has(name); v++) name = v < ROMAN.length ? `${productName(rng, spec, brand, kind)} ${ROMAN[v]}` : `${name} #${i}`;
    names.add(name);
    const price = shopPrice(rng.logNormal(base, 0.3), spec.min, spec.max);
    items.push({
      id: `SKU-${String(i).padStart(5, '0')}`,
      name,
      category: spec.name,
      brand,
      price,
      priceBand: priceBandOf(spec.name, price),
      inStock: rng.chance(0.93),
      description: `${kind} by ${brand}. ${rng.pick(spec.blurbs)}`,
    });
  }
  return items;
}
