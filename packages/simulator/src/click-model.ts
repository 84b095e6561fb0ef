import { CATEGORIES, type CatalogItem } from './catalog.js';
import type { Shopper } from './shoppers.js';
import { itemIndex, worldOf, type World } from './world.js';

/** What the shopper just looked at, if anything: related products get a sequential boost. */
export interface ClickContext {
  /** Id of the item the shopper viewed last. */
  lastItem?: string;
}

/**
 * The simulator's ground truth about interest, for replaying recommendation lists (issue 5's
 * re-ranker evaluation): the same numbers drive the simulated browsing, so a list that matches a
 * shopper's latent taste gets more clicks here exactly as it would have in the simulated log.
 */
export interface ClickModel {
  readonly catalog: readonly CatalogItem[];
  /**
   * How much the shopper likes an item, in log-odds units: department preference, brand loyalty,
   * price-band fit and the item's own appeal. 0 is an average product for an average shopper.
   */
  affinity(shopper: Shopper, item: string | CatalogItem): number;
  /** P(click | the item is shown and looked at), from {@link affinity}, the context, and stock. */
  clickProbability(shopper: Shopper, item: string | CatalogItem, context?: ClickContext): number;
  /**
   * P(click) for each position of a shown list: {@link examination}(rank) × clickProbability. Their
   * sum is the expected number of clicks on the list.
   */
  listClickProbabilities(shopper: Shopper, items: readonly (string | CatalogItem)[], context?: ClickContext): number[];
  /** The item's fixed related products (same brand, similar products, complements), by id. */
  related(item: string | CatalogItem): string[];
}

/** Log-odds of a click on an average item for an average shopper (≈ 4.7%). */
const CLICK_BIAS = -3;
/** Log-odds boost when the item is related to the one just viewed. */
const RELATED_BOOST = 1.2;
/** Log-odds boost when the item is in the department just viewed. */
const SAME_CATEGORY_BOOST = 0.4;

/** Position bias of a list (DCG-style): the chance that rank `rank` (0-based) is looked at at all. */
export function examination(rank: number): number {
  return 1 / Math.log2(rank + 2);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** {@link ClickModel.affinity} by catalog index (internal, hot path of the simulator). */
export function affinityAt(world: World, shopper: Shopper, j: number): number {
  const p = world.catalog[j]!;
  const t = shopper.taste;
  const cat = Math.log(Math.max(t.categories[p.category] ?? 0, 1e-4) * CATEGORIES.length);
  const band = 0.8 * Math.log(Math.max(t.priceBands[p.priceBand], 1e-3) * 3);
  return cat + (t.brands[p.brand] ?? 0) + band + world.appeal[j]!;
}

/** {@link ClickModel.clickProbability} by catalog index (internal). */
export function clickProbabilityAt(world: World, shopper: Shopper, j: number, last?: number): number {
  let x = CLICK_BIAS + affinityAt(world, shopper, j);
  if (last !== undefined && last !== j) {
    if (world.related[last]!.includes(j)) x += RELATED_BOOST;
    else if (world.catalog[last]!.category === world.catalog[j]!.category) x += SAME_CATEGORY_BOOST;
  }
  return sigmoid(x) * (world.catalog[j]!.inStock ? 1 : 0.5);
}

/**
 * The click model of a catalog (the same one {@link simulateShoppers} returns).
 *
 * @example
 * const model = makeClickModel(catalog);
 * const expectedClicks = model.listClickProbabilities(shopper, top10).reduce((a, b) => a + b, 0);
 */
export function makeClickModel(catalog: readonly CatalogItem[]): ClickModel {
  const world = worldOf(catalog);
  const lastOf = (context?: ClickContext): number | undefined =>
    context?.lastItem === undefined ? undefined : itemIndex(world, context.lastItem);
  return {
    catalog,
    affinity: (shopper, item) => affinityAt(world, shopper, itemIndex(world, item)),
    clickProbability: (shopper, item, context) => clickProbabilityAt(world, shopper, itemIndex(world, item), lastOf(context)),
    listClickProbabilities: (shopper, items, context) => {
      const last = lastOf(context);
      return items.map((it, rank) => examination(rank) * clickProbabilityAt(world, shopper, itemIndex(world, it), last));
    },
    related: (item) => world.related[itemIndex(world, item)]!.map((j) => catalog[j]!.id),
  };
}
