import { CATEGORIES, type CatalogItem, type PriceBand } from './catalog.js';
import { requireInt, requireNumber } from './errors.js';
import { SeededRandom } from '@localrec/core';
import { worldOf } from './world.js';

/** A shopper's latent taste: the ground truth a recommender tries to recover from behaviour. */
export interface ShopperTaste {
  /** Preference over departments (every name in {@link CATEGORIES}); sums to 1. */
  categories: Record<string, number>;
  /** Favourite brands → loyalty bonus in log-odds units (brands not listed: 0). */
  brands: Record<string, number>;
  /** Preference over price bands; sums to 1. */
  priceBands: Record<PriceBand, number>;
  /** 0..1: how strongly a high price puts this shopper off buying. */
  priceSensitivity: number;
}

/** A simulated shopper. */
export interface Shopper {
  /** `u0001`, `u0002`, … (zero-padded to at least four digits, so ids sort in creation order). */
  id: string;
  taste: ShopperTaste;
  /** Taste community (friends mostly come from the same one, so friends' tastes correlate). */
  community: number;
  /** Ids of friends (the graph is undirected), sorted. */
  friends: string[];
  /** Mean sessions per week. */
  activity: number;
  /** Hour of day (0–24) around which this shopper's sessions start. */
  peakHour: number;
}

/** What {@link makeShoppers} is asked for. */
export interface ShopperOptions {
  seed: number;
  catalog: readonly CatalogItem[];
  /** Number of shoppers, 1..999999. */
  shoppers: number;
  /** Mean number of friends each shopper adds (the undirected graph ends up with about twice this). Default 2. */
  friends?: number;
  /** Number of taste communities. Default 12. */
  communities?: number;
}

/** `u0042` for index 41 of `n` shoppers. */
export function shopperId(i: number, n: number): string {
  return `u${String(i + 1).padStart(Math.max(4, String(n).length), '0')}`;
}

/**
 * Draws shoppers with latent tastes and a friendship graph. Tastes are Dirichlet draws around a
 * community profile (a handful of departments), so shoppers are focused but not identical; friends
 * are mostly picked within the community, so friends' tastes correlate. Deterministic in the seed.
 */
export function makeShoppers(options: ShopperOptions): Shopper[] {
  const seed = requireInt(options?.seed, 'seed', -(2 ** 31), 2 ** 32);
  const n = requireInt(options.shoppers, 'shoppers', 1, 999_999);
  const meanFriends = requireNumber(options.friends ?? 2, 'friends', 0, 50);
  const k = requireInt(options.communities ?? 12, 'communities', 1, 1000);
  const world = worldOf(options.catalog);
  const root = SeededRandom.named(`shoppers:${seed}`);
  const cats = CATEGORIES.filter((c) => world.byCategory.has(c));
  const brandsIn = new Map(cats.map((c) => [c, [...new Set(world.byCategory.get(c)!.map((j) => world.catalog[j]!.brand))].sort()]));

  const communities = Array.from({ length: k }, (_, ci) => {
    const r = root.fork(`community:${ci}`);
    return {
      categories: r.dirichlet(cats.map(() => 0.3)),
      brands: new Map(cats.map((c) => [c, r.pick(brandsIn.get(c)!)])),
      bands: r.dirichlet([2, 2, 2]),
    };
  });

  const shoppers: Shopper[] = [];
  const members: number[][] = communities.map(() => []);
  for (let i = 0; i < n; i++) {
    const r = root.fork(`shopper:${i}`);
    const ci = r.int(k);
    const com = communities[ci]!;
    members[ci]!.push(i);
    const prefs = r.dirichlet(com.categories.map((p) => 6 * p + 0.06));
    const categories: Record<string, number> = {};
    for (const c of CATEGORIES) categories[c] = 0;
    cats.forEach((c, j) => {
      categories[c] = prefs[j]!;
    });
    const brands: Record<string, number> = {};
    cats.forEach((c, j) => {
      if (prefs[j]! < 0.06 || !r.chance(0.65)) return;
      const brand = r.chance(0.5) ? com.brands.get(c)! : r.pick(brandsIn.get(c)!);
      brands[brand] = Math.max(brands[brand] ?? 0, r.uniform(0.8, 2));
    });
    const b = r.dirichlet(com.bands.map((p) => 4 * p + 0.5));
    const priceBands = { low: b[0]!, mid: b[1]!, high: b[2]! } satisfies Record<PriceBand, number>;
    shoppers.push({
      id: shopperId(i, n),
      taste: {
        categories,
        brands,
        priceBands,
        priceSensitivity: Math.min(1, Math.max(0, 0.2 + 0.7 * b[0]! - 0.3 * b[2]! + 0.1 * r.normal())),
      },
      community: ci,
      friends: [],
      activity: r.logNormal(1, 0.5),
      peakHour: (r.pick([9, 13, 19, 21, 21]) + 1.5 * r.normal() + 24) % 24,
    });
  }

  // Friendships: each shopper adds about `meanFriends` friends, 80% from the own community.
  const friendSets = shoppers.map(() => new Set<number>());
  const g = root.fork('friends');
  for (let i = 0; i < n && n > 1; i++) {
    const want = meanFriends > 0 ? g.poisson(meanFriends) : 0;
    const own = members[shoppers[i]!.community]!;
    for (let tries = 0, added = 0; added < want && tries < 10 * want; tries++) {
      const j = g.chance(0.8) && own.length > 1 ? g.pick(own) : g.int(n);
      if (j === i || friendSets[i]!.has(j)) continue;
      friendSets[i]!.add(j);
      friendSets[j]!.add(i);
      added++;
    }
  }
  shoppers.forEach((s, i) => {
    s.friends = [...friendSets[i]!].sort((x, y) => x - y).map((j) => shoppers[j]!.id);
  });
  return shoppers;
}
