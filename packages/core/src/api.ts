/**
 * Types shared by the main-thread SDK and the recommendation runtime (worker or in-thread).
 * This is the transport seam: the SDK holds a `RuntimeApi` that is either a Comlink `Remote`
 * of the worker or the in-thread runtime object itself.
 */

/** Why an item was recommended, in a form a person can read (`text`) and code can branch on (`kind`). */
export interface Reason {
  /** `'pinned'`: placed by a pin rule and not among the ranked candidates (see {@link MerchRules.pin}). */
  kind:
    | 'history'
    | 'similar'
    | 'popular'
    | 'cooccurrence'
    | 'social'
    | 'profile'
    | 'candidate'
    | 'recently-viewed'
    | 'buy-again'
    | 'bought-together'
    | 'trending'
    | 'search'
    | 'pinned';
  /** e.g. "Because you viewed Blue Kettle". */
  text: string;
  /** History item(s) that drove it, most influential first. */
  itemIds?: string[];
  /** The merchandising rules that moved this item (absent when none did): see {@link MerchRules}. */
  rules?: MerchRuleKind[];
}

/** A merchandising rule that moves an item: `boost`/`bury` shifted its score, `pin` fixed its position. */
export type MerchRuleKind = 'boost' | 'bury' | 'pin';

export interface ScoredItem {
  itemId: string;
  score: number;
  reason: Reason;
  /**
   * Where the answer came from: the model, a cold-start table, the host, the shopper's own history
   * (`recentlyViewed`, `buyAgain`), the bundle's association rules (`frequentlyBoughtTogether`) or
   * the shop's public trending file (`trending`), a catalogue text match of the query (`forSearch`),
   * or the shopper's friends (`social`: an item that entered the list because friends shared or
   * liked it, not because the model ranked it).
   */
  source: 'model' | 'popular' | 'cooccurrence' | 'host' | 'history' | 'associations' | 'trending' | 'search' | 'social';
  /**
   * The item's catalog metadata (its `setCatalog` entry, else the bundle's catalog entry), when
   * either has an entry for it and the call did not ask `hydrate: false`: name, price, image, url and
   * any other attribute, as given. It is data, not markup: escape it when rendering (the UI
   * components do).
   */
  meta?: ItemMeta;
}

/**
 * The shorthand host filter (applied before the top-k cut): `inStock: true` drops only items flagged
 * `inStock: false`; `categories`/`brands` need the item's category/brand among them; price bounds
 * need a known price within them. For any other attribute use a {@link FilterExpr}.
 */
export interface ItemFilter {
  inStock?: boolean;
  categories?: string[];
  brands?: string[];
  minPrice?: number;
  maxPrice?: number;
}

/** A catalog attribute value a filter or a cap compares (JSON scalars). */
export type AttributeValue = string | number | boolean;

/**
 * A test of one catalog attribute: every operator given must hold (AND). `eq`: strict equality;
 * `in`: one of the values; `gt`/`gte`/`lt`/`lte`: ranges over numbers (or strings, compared as
 * strings: ISO dates), the item's value of the same type as the bound. An item without the
 * attribute fails every test (`{ not: … }` passes it).
 */
export interface AttributeTest {
  attr: string;
  eq?: AttributeValue;
  in?: AttributeValue[];
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
}

/**
 * A filter expression over catalog attributes (plain JSON: it crosses the worker boundary). A node
 * is an {@link AttributeTest} (`{ attr, eq | in | gt | gte | lt | lte }`), `{ not: node }`,
 * `{ all: [nodes] }` (AND; `[]` passes everything), `{ any: [nodes] }` (OR; `[]` passes nothing), or
 * the {@link ItemFilter} shorthand. Example: items of brand Acme or Zeta under 50, in stock:
 * `{ all: [{ attr: 'brand', in: ['Acme', 'Zeta'] }, { attr: 'price', lt: 50 }, { not: { attr: 'inStock', eq: false } }] }`.
 */
export type FilterExpr = AttributeTest | { not: FilterExpr } | { all: FilterExpr[] } | { any: FilterExpr[] } | ItemFilter;

/** Shifts the score of the items a filter matches (see {@link MerchRules}). */
export interface ScoreRule {
  /** The items the rule applies to. */
  filter: FilterExpr;
  /** Shift in (0, 1] of the min-max-normalised score (1: above every unshifted item). */
  weight: number;
}

/**
 * Merchandising rules, applied on the device before the cut, in this order: boost/bury → diversity
 * → caps → pins (after the exclusions, the filter and the insights blend). See the runtime's
 * `merchandising.ts` and the README.
 */
export interface MerchRules {
  /** Raise matching items: `weight` added to their normalised score (rules add up). */
  boost?: ScoreRule[];
  /** Lower matching items: `weight` subtracted from their normalised score. */
  bury?: ScoreRule[];
  /**
   * Items at fixed 0-based positions of the whole list (over every page), when eligible (they pass
   * the filter and are not excluded, seen or shown); a pin past the end of a shorter list lands at its end.
   */
  pin?: { itemId: string; position: number }[];
  /** At most this many items per value of an attribute, e.g. `{ brand: 2 }` (pins are never dropped). */
  caps?: Record<string, number>;
}

export interface RecommendOptions {
  /** Items per answer (per page). Default 10, at most 1000. */
  k?: number;
  /** Item ids never to return. */
  exclude?: string[];
  /** Exclude purchased items (default true). */
  excludePurchased?: boolean;
  /** Only items passing this filter over their catalog attributes (before the cut). */
  filter?: FilterExpr;
  /** 0 = pure relevance, 1 = maximal diversity (MMR over item embeddings). */
  diversity?: number;
  /** Time budget in ms; on expiry the answer falls back to cold-start tables. */
  budgetMs?: number;
  /** Merchandising rules (boost, bury, pin, caps), applied before the cut. */
  rules?: MerchRules;
  /**
   * `frequentlyBoughtTogether` and `trending` only: `false` reads no history (the table's own order,
   * marked `no-consent`). The SDK sets it when history may not be used. Default true.
   */
  personalise?: boolean;
  /**
   * 0-based page of the same ranked list: items `page·k … page·k + k − 1` (default 0). For the same
   * history, pages never repeat an item — except with `diversity` or boost/bury rules, which reorder
   * a candidate pool that grows with the page, so an item can come back on a later page: use
   * `next(result)`, which never repeats one. At most 999.
   */
  page?: number;
  /**
   * De-duplication group of one page view (any name, e.g. `'home'`): an answer leaves out items other
   * lists of the same group already returned (a list: method, subject and options other than
   * `page`/`dedupe`/`budgetMs`). Held by the runtime for its lifetime (one page load); use a new name
   * per page view in a single-page app.
   */
  dedupe?: string;
  /**
   * Attach each item's catalog metadata as `meta` (default `true`), or only the listed attributes
   * (e.g. `['name', 'price', 'image', 'url']`), or nothing (`false`).
   */
  hydrate?: boolean | string[];
}

export interface RecommendResult {
  items: ScoredItem[];
  /** 'model', 'history' (answered from the shopper's own events: `recentlyViewed`, `buyAgain`), or the fallback used, and why. */
  source: 'model' | 'history' | 'fallback';
  /**
   * Why the answer is a fallback. `no-associations`: the bundle ships no association rules for these
   * items (`frequentlyBoughtTogether` answered from the co-occurrence table); `no-trending`: the
   * trending file could not be used (`trending` answered from the bundle's popularity table; `error` says why);
   * `no-match`: nothing in the catalogue or the shopper's searches matches the query (`forSearch`
   * answered from the bundle's popularity table).
   */
  fallbackReason?: 'no-history' | 'no-consent' | 'no-model' | 'timeout' | 'error' | 'no-associations' | 'no-trending' | 'no-match';
  /** The error behind a fallback, when a file failed (e.g. `MODEL_INTEGRITY`: trending.json does not match its hash). */
  error?: { code: string; message: string };
  modelVersion?: string;
  backend?: string;
  tookMs: number;
  /**
   * The list this answer is a page of, so that `next(result)` can continue it (present on the
   * answers of the list methods, {@link ListMethod}; absent on `rank`'s). Plain data; treat it as opaque.
   */
  list?: ListCursor;
}

/** The methods whose answers are pages of one ranked list (`next` continues them). */
export type ListMethod = 'recommend' | 'similar' | 'recentlyViewed' | 'buyAgain' | 'frequentlyBoughtTogether' | 'trending' | 'forSearch';

/**
 * Where a page of a list stands: the runtime writes it on every list answer, `next` reads it. Plain
 * data (it crosses the worker boundary and may be kept by the page, e.g. in an infinite scroll);
 * treat it as opaque. `next` continues the same list (method, subject, options) at `page + 1`,
 * leaving out every item of `returned`, so that no page repeats an item of an earlier one even when
 * the shopper's history changed in between (a click during the scroll).
 */
export interface ListCursor {
  /** The method the list came from. */
  method: ListMethod;
  /** Its arguments before the options: `similar`'s item id, `frequentlyBoughtTogether`'s items, `forSearch`'s query; none otherwise. */
  args: unknown[];
  /** Its options, but `page`. */
  options: RecommendOptions;
  /** The 0-based page this answer is. */
  page: number;
  /** Every item pages `0 … page` of this list returned, in order. */
  returned: string[];
}

/** A catalog attribute and one of its values, e.g. `{ attribute: 'category', value: 'Shoes' }`. */
export interface Facet {
  attribute: string;
  value: string;
}

/** Options of `trending`: those of `recommend`, plus the facet value to list the trending items of. */
export interface TrendingOptions extends RecommendOptions {
  /** Only the items trending in this facet value (as the trending file counts them). Default: the whole shop. */
  facet?: Facet;
}

/** One facet value of {@link TrendingFacets}. */
export interface TrendingFacetCount {
  value: string;
  /** Shoppers who interacted with an item of this value in the file's window. */
  shoppers: number;
}

/** What `trendingFacets(attribute)` answers: the attribute's values, most shoppers first. Never rejects for a missing file. */
export interface TrendingFacets {
  attribute: string;
  values: TrendingFacetCount[];
  /** `trending` (from the shop's trending file) or `fallback` (no usable file: `values` is empty). */
  source: 'trending' | 'fallback';
  fallbackReason?: 'no-trending';
  /** Why the file could not be used (e.g. `MODEL_INTEGRITY`: a hash mismatch). */
  error?: { code: string; message: string };
  /** The attributes the file counts (when `attribute` is not one of them, `values` is empty). */
  attributes: string[];
  /** The file's version and window (ISO dates), when one was used. */
  version?: string;
  window?: { from: string; to: string; days: number };
  tookMs: number;
}

/** Host item metadata: the known fields plus any attribute filters, boosts and caps may test. */
export interface ItemMeta {
  /** Display name (also used in reasons: "Because you viewed Blue Kettle"). */
  name?: string;
  category?: string;
  brand?: string;
  price?: number;
  inStock?: boolean;
  /** Image URL, for display (results carry it in `meta`). */
  image?: string;
  /** The item's page URL, for display (results carry it in `meta`). */
  url?: string;
  [attribute: string]: AttributeValue | undefined;
}

export interface RuntimeStatus {
  ready: boolean;
  backend?: string;
  modelVersion?: string;
  itemCount?: number;
  error?: { code: string; message: string };
}
