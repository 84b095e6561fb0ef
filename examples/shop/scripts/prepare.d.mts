/**
 * Writes public/generated/catalog.json (`makeCatalog` of @localrec/simulator; default its
 * `DEMO_CATALOG`) and bundles src/ into public/generated/app.js.
 */
export function prepareShop(opts?: { seed?: number; size?: number }): Promise<{ items: number; dir: string }>;
