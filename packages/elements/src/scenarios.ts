/**
 * What a `<localrec-recommendations>` element asks: its attributes checked and turned into one call
 * on the recommender (a `createLocalRec` instance or the script tag's `LocalRec` global).
 */
import { LocalRecError, type RecommendOptions, type RecommendResult } from '@localrec/core';

/** The lists the element shows, by its `scenario` attribute. */
export const SCENARIOS = ['for-you', 'similar', 'recently-viewed', 'buy-again', 'frequently-bought-together', 'trending'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The recommender method each scenario calls (also the `source` of its impressions). */
const METHOD: Record<Scenario, string> = {
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
  trending?(options?: RecommendOptions & { facet?: string }): Promise<RecommendResult>;
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

/** One checked request. */
export interface Ask {
  scenario: Scenario;
  method: string;
  /** `similar`'s item, or `frequently-bought-together`'s item(s). */
  subject: string | string[] | undefined;
  options: RecommendOptions & { facet?: string };
}

/** Largest `limit`. */
export const MAX_LIMIT = 100;

const bad = (field: string, message: string, accepted: readonly string[]): never => {
  throw new LocalRecError('INVALID_ARGUMENT', `<localrec-recommendations> ${field}: ${message}`, { field, accepted });
};

function integer(field: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) bad(field, `must be an integer in ${min}..${max}, got "${raw}"`, [`${min}..${max}`]);
  return n;
}

/**
 * Checks the attributes.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the attribute and what it accepts.
 */
export function askOf(a: Attributes): Ask {
  const scenario = (a.scenario ?? 'for-you') as Scenario;
  if (!SCENARIOS.includes(scenario)) bad('scenario', `unknown scenario "${a.scenario}"`, SCENARIOS);
  const options: Ask['options'] = { k: a.limit === null ? 8 : integer('limit', a.limit, 1, MAX_LIMIT) };
  if (a.page !== null) options.page = integer('page', a.page, 0, 999);
  if (a.dedupe) options.dedupe = a.dedupe;
  if (a.facet) options.facet = a.facet;
  if (a.filter) {
    try {
      options.filter = JSON.parse(a.filter) as RecommendOptions['filter'];
    } catch {
      bad('filter', `must be a JSON filter expression, got "${a.filter}"`, ['JSON, e.g. {"attr":"brand","eq":"Acme"}']);
    }
  }
  const items = (a.cart ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let subject: Ask['subject'];
  if (scenario === 'similar') {
    if (!a.item) bad('item', 'scenario "similar" needs the item id it is similar to', ['an item id']);
    subject = a.item!;
  } else if (scenario === 'frequently-bought-together') {
    if (!a.item && !items.length)
      bad('item', 'scenario "frequently-bought-together" needs item="…" or cart="id1,id2"', ['an item id', 'cart']);
    subject = items.length ? items : a.item!;
  }
  return { scenario, method: METHOD[scenario], subject, options };
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
      SCENARIOS.filter((s) => typeof (rec as never)[METHOD[s]] === 'function'),
    );
  const f = fn as (...args: unknown[]) => Promise<RecommendResult>;
  return ask.subject === undefined ? f.call(rec, ask.options) : f.call(rec, ask.subject, ask.options);
}
