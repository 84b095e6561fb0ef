/**
 * @localrec/simulator — the demo shop's deterministic catalog and a shopper simulator (latent tastes,
 * sessions, a view → cart → purchase funnel, friends who share items) whose event logs train the demo
 * model and whose click model scores recommendation lists. Pure TypeScript, no DOM, no clock.
 * @packageDocumentation
 */
export {
  makeCatalog, priceBandOf, priceRange, complementsOf, CATEGORIES, DEMO_CATALOG, PRICE_BANDS,
  type CatalogItem, type CatalogOptions, type PriceBand,
} from './catalog.js';
export { Rng, hash32 } from './random.js';
