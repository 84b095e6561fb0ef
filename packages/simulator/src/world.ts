import { complementsOf, type CatalogItem } from './catalog.js';
import { invalid } from './errors.js';
import { SeededRandom, hash32 } from '@localrec/core';

/**
 * What the simulator derives from a catalog, the same for every shopper: each product's latent
 * appeal and its fixed "related items" (what a product page links to). Internal.
 */
export interface World {
  readonly catalog: readonly CatalogItem[];
  readonly index: ReadonlyMap<string, number>;
  /** Category → item indices. */
  readonly byCategory: ReadonlyMap<string, readonly number[]>;
  /** Latent quality per item (log-odds units, mean 0): some products are simply better liked. */
  readonly appeal: Float64Array;
  /** Per item, indices of related items: same brand, similar products, complements in other departments. */
  readonly related: readonly (readonly number[])[];
}

const worlds = new WeakMap<readonly CatalogItem[], World>();

function priceDistance(a: CatalogItem, b: CatalogItem): number {
  return Math.abs(Math.log(a.price / b.price));
}

/** Builds (once per catalog array) the appeal and related-item tables. */
export function worldOf(catalog: readonly CatalogItem[]): World {
  const cached = worlds.get(catalog);
  if (cached) return cached;
  // Checked through `unknown`: Array.isArray would narrow a readonly array to any[].
  const given: unknown = catalog;
  if (!Array.isArray(given) || catalog.length === 0)
    throw invalid('catalog must be a non-empty array of products (see makeCatalog)', 'catalog');
  const index = new Map<string, number>();
  const byCategory = new Map<string, number[]>();
  catalog.forEach((p, i) => {
    if (index.has(p.id)) throw invalid(`catalog has the id ${JSON.stringify(p.id)} twice`, 'catalog');
    index.set(p.id, i);
    let list = byCategory.get(p.category);
    if (!list) byCategory.set(p.category, (list = []));
    list.push(i);
  });
  const appeal = new Float64Array(catalog.length);
  catalog.forEach((p, i) => {
    appeal[i] = 0.6 * SeededRandom.named(`appeal:${p.id}`).normal();
  });

  const related = catalog.map((a, i) => {
    const out: number[] = [];
    const add = (js: number[], k: number): void => {
      for (const j of js) {
        if (k <= 0) break;
        if (j !== i && !out.includes(j)) {
          out.push(j);
          k--;
        }
      }
    };
    const sameCat = byCategory.get(a.category) ?? [];
    const close = (js: number[]): number[] =>
      [...js].sort((x, y) => priceDistance(a, catalog[x]!) - priceDistance(a, catalog[y]!) || x - y);
    add(close(sameCat.filter((j) => catalog[j]!.brand === a.brand)), 2);
    add(close(sameCat.filter((j) => catalog[j]!.brand !== a.brand)), 3);
    // A fixed "goes well with" pick per complementary department, preferring the same price band:
    // the pairing looks arbitrary but never changes, which is the sequential signal a model can learn.
    const pairKey = (j: number): number => hash32(`${a.id}>${catalog[j]!.id}`);
    for (const c of complementsOf(a.category)) {
      const pool = byCategory.get(c) ?? [];
      const band = pool.filter((j) => catalog[j]!.priceBand === a.priceBand);
      add(
        [...(band.length ? band : pool)].sort((x, y) => pairKey(x) - pairKey(y)),
        1,
      );
    }
    // The same brand in another department (brands like Northpeak make both tents and running shoes).
    add(
      catalog
        .map((_, j) => j)
        .filter((j) => catalog[j]!.brand === a.brand && catalog[j]!.category !== a.category)
        .sort((x, y) => pairKey(x) - pairKey(y)),
      1,
    );
    return out;
  });
  const w: World = { catalog, index, byCategory, appeal, related };
  worlds.set(catalog, w);
  return w;
}

/** The catalog index of an item given by id or object; throws INVALID_ARGUMENT for an unknown id. */
export function itemIndex(world: World, item: string | CatalogItem): number {
  const id = typeof item === 'string' ? item : item.id;
  const i = world.index.get(id);
  if (i === undefined) throw invalid(`unknown item ${JSON.stringify(id)} (not in the catalog of ${world.catalog.length} products)`, 'item');
  return i;
}
