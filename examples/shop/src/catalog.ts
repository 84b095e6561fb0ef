/**
 * The demo catalog: `public/generated/catalog.json`, written by `scripts/prepare.mjs` from
 * `@localrec/simulator`'s deterministic `makeCatalog({ seed, size })`.
 */
import type { ItemMeta } from '@localrec/sdk';

/** The fields of the simulator's catalog item the shop shows. */
export interface Product {
  id: string;
  name: string;
  category: string;
  brand: string;
  price: number;
  inStock: boolean;
  description?: string;
  /** Its picture: its category's tile in `/generated/thumbs.svg` (see scripts/prepare.mjs). */
  image?: string;
}

export interface Catalog {
  products: Product[];
  byId: Map<string, Product>;
  categories: string[];
}

export async function loadCatalog(url = '/generated/catalog.json'): Promise<Catalog> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`catalog: ${url} answered ${res.status}`);
  const products = (await res.json()) as Product[];
  return {
    products,
    byId: new Map(products.map((p) => [p.id, p])),
    categories: [...new Set(products.map((p) => p.category))].sort(),
  };
}

/** A product's page (a hash route of the shop). */
export const productUrl = (id: string): string => `#/p/${encodeURIComponent(id)}`;

/**
 * The metadata the recommendation runtime may use for filters and reasons, and the lists show
 * (`<localrec-recommendations>` cards: `url`, `image`, `name`, `price`, and the shop's template
 * fields `brand`, `category`, `stock` — only out-of-stock products have a `stock` note).
 */
export function itemMeta(products: readonly Product[]): Record<string, ItemMeta> {
  const out: Record<string, ItemMeta> = {};
  for (const p of products) {
    const m: ItemMeta = { name: p.name, category: p.category, brand: p.brand, price: p.price, inStock: p.inStock, url: productUrl(p.id) };
    if (p.image) m.image = p.image;
    if (!p.inStock) m.stock = 'Out of stock';
    out[p.id] = m;
  }
  return out;
}
