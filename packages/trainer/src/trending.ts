/**
 * The public `trending.json` (format: `@localrec/model`'s `popularity.ts`): what is popular in the
 * shop over a recent window, overall and per facet value (category, brand, … from the catalog).
 * The file is identical for every shopper and holds only counts, so the shop may publish it as a
 * static asset and refresh it daily (`localrec trending`); the runtime re-ranks it per shopper.
 *
 * Rules:
 * - The window is the `windowDays` (default 7) days up to `end` (default: the log's last event).
 * - An item's count is the number of distinct shoppers with an event of `types` (default view,
 *   click, add_to_cart, purchase) on it in the window — shoppers, not events, so one busy visitor
 *   does not make an item trend.
 * - Items seen by fewer than `minShoppers` (default 3) shoppers are left out, so the public file
 *   says nothing about one shopper; a facet value needs as many shoppers over its items.
 * - Lists keep the `top` (default 50) items, most shoppers first, ties by item id; facets are the
 *   catalog attributes `facets` (default category, brand) with a string, number or boolean value.
 * - `version`: the window's last day plus 8 hex digits of the content's hash; `sha256`: the hash of
 *   the whole file but this field ({@link trendingBody}). Same rows and options, same bytes.
 */
import { createHash } from 'node:crypto';
import { TRENDING_FORMAT, trendingBody, type TrendingFacetValue, type TrendingFile, type TrendingTuple } from '@localrec/model';
import type { LogEvent } from './data/index.js';

const DAY = 86_400_000;

/** How the trending counts are made (see the module documentation). */
export interface TrendingOptions {
  windowDays: number;
  /** End of the window (epoch ms); default the log's last event. */
  end?: number;
  types: readonly string[];
  facets: readonly string[];
  minShoppers: number;
  top: number;
}

/** The defaults of {@link TrendingOptions}. */
export const DEFAULT_TRENDING_OPTIONS: Readonly<TrendingOptions> = Object.freeze({
  windowDays: 7,
  types: Object.freeze(['view', 'click', 'add_to_cart', 'purchase']),
  facets: Object.freeze(['category', 'brand']),
  minShoppers: 3,
  top: 50,
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Most shoppers first, ties by id; cut to `top`. */
const ranked = (counts: Map<string, Set<string>>, min: number, top: number): TrendingTuple[] =>
  [...counts]
    .map(([id, users]): TrendingTuple => [id, users.size])
    .filter(([, n]) => n >= min)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top);

/** The trending file of a log and a catalog (item id → attributes). */
export function trendingOf(
  events: readonly LogEvent[],
  catalog: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  options: Partial<TrendingOptions> = {},
): TrendingFile {
  const o = { ...DEFAULT_TRENDING_OPTIONS, ...options };
  const types = new Set(o.types);
  const end = o.end ?? events.reduce((m, e) => Math.max(m, e.ts), 0);
  const from = end - o.windowDays * DAY;
  const perItem = new Map<string, Set<string>>();
  for (const e of events) {
    if (!types.has(e.type) || e.ts <= from || e.ts > end) continue;
    (perItem.get(e.item) ?? perItem.set(e.item, new Set()).get(e.item)!).add(e.user);
  }
  const items = ranked(perItem, o.minShoppers, o.top);
  const facets: Record<string, Record<string, TrendingFacetValue>> = {};
  for (const attr of o.facets) {
    const byValue = new Map<string, Map<string, Set<string>>>();
    for (const [id, users] of perItem) {
      const v = catalog[id]?.[attr];
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
      const key = String(v);
      (byValue.get(key) ?? byValue.set(key, new Map()).get(key)!).set(id, users);
    }
    const values: Record<string, TrendingFacetValue> = {};
    for (const key of [...byValue.keys()].sort()) {
      const its = byValue.get(key)!;
      const shoppers = new Set([...its.values()].flatMap((u) => [...u])).size;
      const list = ranked(its, o.minShoppers, o.top);
      if (shoppers >= o.minShoppers && list.length) values[key] = { shoppers, items: list };
    }
    facets[attr] = values;
  }
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const window = { from: new Date(from).toISOString(), to: new Date(end).toISOString(), days: o.windowDays };
  const content: Omit<TrendingFile, 'sha256'> = { format: TRENDING_FORMAT, formatVersion: 1, version: '', window, items, facets };
  content.version = `${day(end)}-${sha256(JSON.stringify({ window, items, facets })).slice(0, 8)}`;
  return { ...content, sha256: sha256(trendingBody(content)) };
}
