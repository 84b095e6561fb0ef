/**
 * What a `<localrec-recommendations>` element asks: its attributes checked and turned into one call
 * on the recommender (a `createLocalRec` instance or the script tag's `LocalRec` global).
 */
import { LocalRecError, type Facet, type RecommendOptions, type RecommendResult, type TrendingOptions } from '@localrec/core';

/** The lists the element shows, by its `scenario` attribute. */
export const SCENARIOS = ['for-you', 'similar', 'recently-viewed', 'buy-again', 'frequently-bought-together', 'trending'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The recommender method each scenario calls (also the `source` of its impressions). */
export const SCENARIO_METHODS: Readonly<Record<Scenario, string>> = {
  'for-you': 'recommend',
  similar: 'similar',
  'recently-viewed': 'recentlyViewed',
  'buy-again': 'buyAgain',
  'frequently-bought-together': 'frequentlyBoughtTogether',
  trending: 'trending',
};

/** The region's accessible name when the element has no `label`. */
export const DEFAULT_LABEL: Record<Scenario, string> = {
  'for-you': 'Recommended for you',
  similar: 'Similar items',
  'recently-viewed': 'Recently viewed',
  'buy-again': 'Buy again',
  'frequently-bought-together': 'Frequently bought together',
  trending: 'Trending now',
};

/** What the element calls: the scenario methods it uses (those a recommender lacks answer an error) and `track`. */
export interface ElementRecommender {
  recommend(options?: RecommendOptions): Promise<RecommendResult>;
  similar(itemId: string, options?: RecommendOptions): Promise<RecommendResult>;
  recentlyViewed?(options?: RecommendOptions): Promise<RecommendResult>;
  buyAgain?(options?: RecommendOptions): Promise<RecommendResult>;
  frequentlyBoughtTogether?(items: string | string[], options?: RecommendOptions): Promise<RecommendResult>;
  trending?(options?: TrendingOptions): Promise<RecommendResult>;
  track(type: string, data: Record<string, unknown>): unknown;
}

/** The element's attributes, as read. */
export interface Attributes {
  scenario: string | null;
  item: string | null;
  cart: string | null;
  limit: string | null;
  page: string | null;
  filter: string | null;
  dedupe: string | null;
  facet: string | null;
}

/** One list, as the element's attributes or a framework component's props describe it. */
export interface ListRequest {
  /** Default `'for-you'`. */
  scenario?: Scenario | undefined;
  /** `similar`'s item, or `frequently-bought-together`'s. */
  item?: string | undefined;
  /** `frequently-bought-together`'s cart (wins over `item`). */
  cart?: readonly string[] | undefined;
  /** Items, 1–{@link MAX_LIMIT} (default 8). */
  limit?: number | undefined;
  page?: number | undefined;
  filter?: RecommendOptions['filter'] | undefined;
  dedupe?: string | undefined;
  /** `trending`'s facet: `{ attribute, value }`, or the attribute's form `"attribute:value"` (e.g. `"category:Garden"`). */
  facet?: string | Facet | undefined;
}

/** One checked request. */
export interface Ask {
  scenario: Scenario;
  method: string;
  /** `similar`'s item, or `frequently-bought-together`'s item(s). */
  subject: string | string[] | undefined;
  options: TrendingOptions;
}

/** Largest `limit`. */
export const MAX_LIMIT = 100;

const bad = (field: string, message: string, accepted: readonly string[]): never => {
  throw new LocalRecError('INVALID_ARGUMENT', `<localrec-recommendations> ${field}: ${message}`, { field, accepted });
};

function integer(field: string, raw: string | null, min: number, max: number): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) bad(field, `must be an integer in ${min}..${max}, got "${raw}"`, [`${min}..${max}`]);
  return n;
}

/**
 * The request the element's attributes describe (strings parsed: numbers, the JSON filter, the
 * comma-separated cart).
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the attribute and what it accepts.
 */
export function requestOf(a: Attributes): ListRequest {
  let filter: RecommendOptions['filter'] | undefined;
  if (a.filter) {
    try {
      filter = JSON.parse(a.filter) as RecommendOptions['filter'];
    } catch {
      bad('filter', `must be a JSON filter expression, got "${a.filter}"`, ['JSON, e.g. {"attr":"brand","eq":"Acme"}']);
    }
  }
  const cart = (a.cart ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    scenario: (a.scenario ?? undefined) as Scenario | undefined,
    item: a.item || undefined,
    cart: cart.length ? cart : undefined,
    limit: integer('limit', a.limit, 1, MAX_LIMIT),
    page: integer('page', a.page, 0, 999),
    filter,
    dedupe: a.dedupe || undefined,
    facet: a.facet || undefined,
  };
}

/** `"attribute:value"` (split at the first colon) or a `{ attribute, value }` object, both non-empty strings. */
function facetOf(f: string | Facet): Facet {
  if (typeof f === 'string') {
    const i = f.indexOf(':');
    if (i > 0 && i < f.length - 1) return { attribute: f.slice(0, i), value: f.slice(i + 1) };
  } else if (
    typeof f === 'object' &&
    f !== null &&
    typeof f.attribute === 'string' &&
    f.attribute &&
    typeof f.value === 'string' &&
    f.value
  ) {
    return { attribute: f.attribute, value: f.value };
  }
  return bad('facet', `must be "attribute:value" (e.g. "category:Garden") or { attribute, value }, got ${JSON.stringify(f)}`, [
    'attribute:value',
    '{ attribute, value }',
  ]);
}

const isInt = (n: unknown, min: number, max: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

/**
 * Checks a request and turns it into one call.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the field and what it accepts.
 */
export function askOf(r: ListRequest): Ask {
  const scenario = r.scenario ?? 'for-you';
  if (!SCENARIOS.includes(scenario)) bad('scenario', `unknown scenario "${String(scenario)}"`, SCENARIOS);
  if (r.limit !== undefined && !isInt(r.limit, 1, MAX_LIMIT))
    bad('limit', `must be an integer in 1..${MAX_LIMIT}, got ${String(r.limit)}`, [`1..${MAX_LIMIT}`]);
  if (r.page !== undefined && !isInt(r.page, 0, 999)) bad('page', `must be an integer in 0..999, got ${String(r.page)}`, ['0..999']);
  const options: Ask['options'] = { k: r.limit ?? 8 };
  if (r.page !== undefined) options.page = r.page;
  if (r.dedupe) options.dedupe = r.dedupe;
  if (r.facet) options.facet = facetOf(r.facet);
  if (r.filter !== undefined) options.filter = r.filter;
  let subject: Ask['subject'];
  if (scenario === 'similar') {
    if (!r.item) bad('item', 'scenario "similar" needs the item id it is similar to', ['an item id']);
    subject = r.item!;
  } else if (scenario === 'frequently-bought-together') {
    if (!r.item && !r.cart?.length)
      bad('item', 'scenario "frequently-bought-together" needs item="…" or cart="id1,id2"', ['an item id', 'cart']);
    subject = r.cart?.length ? [...r.cart] : r.item!;
  }
  return { scenario, method: SCENARIO_METHODS[scenario], subject, options };
}

/**
 * Calls the recommender for `ask`.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming `scenario` when the recommender has no such method (an older SDK).
 */
export function call(rec: ElementRecommender, ask: Ask): Promise<RecommendResult> {
  const fn = (rec as unknown as Record<string, unknown>)[ask.method];
  if (typeof fn !== 'function')
    bad(
      'scenario',
      `the recommender has no ${ask.method}() for scenario "${ask.scenario}"`,
      SCENARIOS.filter((s) => typeof (rec as never)[SCENARIO_METHODS[s]] === 'function'),
    );
  const f = fn as (...args: unknown[]) => Promise<RecommendResult>;
  return ask.subject === undefined ? f.call(rec, ask.options) : f.call(rec, ask.subject, ask.options);
}

/**
 * Asks `rec` for the list `request` describes: the one function the element and the framework
 * components share.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the bad field (synchronously checked, rejected).
 */
export async function fetchList(rec: ElementRecommender, request: ListRequest): Promise<RecommendResult> {
  return call(rec, askOf(request));
}
