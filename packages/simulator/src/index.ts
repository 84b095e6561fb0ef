/**
 * @localrec/simulator — the demo shop's deterministic catalog and a shopper simulator (latent tastes,
 * sessions, a view → cart → purchase funnel, friends who share items) whose event logs train the demo
 * model and whose click model scores recommendation lists. Pure TypeScript, no DOM, no clock.
 * @packageDocumentation
 */
export {
  makeCatalog,
  priceBandOf,
  priceRange,
  complementsOf,
  CATEGORIES,
  DEMO_CATALOG,
  PRICE_BANDS,
  type CatalogItem,
  type CatalogOptions,
  type PriceBand,
} from './catalog.js';
export { makeShoppers, shopperId, type Shopper, type ShopperTaste, type ShopperOptions } from './shoppers.js';
export { makeClickModel, examination, type ClickModel, type ClickContext } from './click-model.js';
export {
  simulateShoppers,
  SIM_EVENT_TYPES,
  type SimEvent,
  type SimEventData,
  type SimEventType,
  type SimulateOptions,
  type Simulation,
} from './simulate.js';
export { toJsonLines, toCsv, fromJsonLines, type WriteOptions, type LoggedEvent } from './format.js';
export { summarize, type LogSummary } from './summary.js';
