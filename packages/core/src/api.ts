/**
 * Types shared by the main-thread SDK and the recommendation runtime (worker or in-thread).
 * This is the transport seam: the SDK holds a `RuntimeApi` that is either a Comlink `Remote`
 * of the worker or the in-thread runtime object itself.
 */

/** Why an item was recommended, in a form a person can read (`text`) and code can branch on (`kind`). */
export interface Reason {
  kind: 'history' | 'similar' | 'popular' | 'cooccurrence' | 'social' | 'profile' | 'candidate' | 'recently-viewed' | 'buy-again';
  /** e.g. "Because you viewed Blue Kettle". */
  text: string;
  /** History item(s) that drove it, most influential first. */
  itemIds?: string[];
}

export interface ScoredItem {
  itemId: string;
  score: number;
  reason: Reason;
  /** Where the answer came from: the model, a cold-start table, the host, or the shopper's own history (`recentlyViewed`, `buyAgain`). */
  source: 'model' | 'popular' | 'cooccurrence' | 'host' | 'history';
}

/** Host filter applied before the top-k cut. */
export interface ItemFilter {
  inStock?: boolean;
  categories?: string[];
  brands?: string[];
  minPrice?: number;
  maxPrice?: number;
}

export interface RecommendOptions {
  k?: number;
  /** Item ids never to return. */
  exclude?: string[];
  /** Exclude purchased items (default true). */
  excludePurchased?: boolean;
  filter?: ItemFilter;
  /** 0 = pure relevance, 1 = maximal diversity (MMR over item embeddings). */
  diversity?: number;
  /** Time budget in ms; on expiry the answer falls back to cold-start tables. */
  budgetMs?: number;
}

export interface RecommendResult {
  items: ScoredItem[];
  /** 'model', 'history' (answered from the shopper's own events: `recentlyViewed`, `buyAgain`), or the fallback used, and why. */
  source: 'model' | 'history' | 'fallback';
  fallbackReason?: 'no-history' | 'no-consent' | 'no-model' | 'timeout' | 'error';
  modelVersion?: string;
  backend?: string;
  tookMs: number;
}

export interface ItemMeta {
  name?: string;
  category?: string;
  brand?: string;
  price?: number;
  inStock?: boolean;
}

export interface RuntimeStatus {
  ready: boolean;
  backend?: string;
  modelVersion?: string;
  itemCount?: number;
  error?: { code: string; message: string };
}
