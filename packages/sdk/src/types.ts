import type {
  CachedModelFile,
  Consent,
  EventStore,
  ItemMeta,
  EventType,
  LocalRecConfig,
  LocalRecError,
  NewEvent,
  RecommendOptions,
  RecommendResult,
  TrendingFacets,
  TrendingOptions,
  RuntimeStatus,
  SerializedError,
  StoreDump,
  TrackData,
} from '@localrec/core';
import type { Profile, SegmentsResult, ShopperProfile, SocialContextInput } from '@localrec/contract';
import type { CaptureOptions } from './capture.js';
import type { RuntimeConnector } from './connector.js';
import type { ConsentRecord, ConsentSource, Purposes } from './consent.js';
import type { ModelOptions } from './model.js';

export type { ConsentRecord, ConsentSource, Purposes };

// Defined once, in the page↔runtime contract; re-exported under the SDK's names.
export type { CachedModelFile, Consent, Profile, SegmentsResult, ShopperProfile, SocialContextInput };

/**
 * Options of {@link createLocalRec} / `LocalRec.init`: the core's {@link LocalRecConfig}
 * (app id, consent, retention, limits, flush interval…) plus what only the browser SDK has.
 */
export interface LocalRecConfigInput extends LocalRecConfig {
  /**
   * `false` (default): an invalid event is reported to `onError` and `console.warn`, stores
   * nothing, and `track()` returns `undefined` — the page never sees an exception.
   * `true`: `track()` throws the {@link LocalRecError}.
   */
  strict?: boolean;
  /** Receives every error the SDK reports (invalid events, storage failures, fallbacks). */
  onError?: (error: LocalRecError) => void;
  /**
   * Record elements with `data-localrec-item` automatically: `click` on click; when seen, a card
   * in a `data-localrec-list` is part of one `impression` per list render, any other element a
   * `view` (see `CaptureOptions.listExposure`). Default off.
   */
  autoCapture?: boolean | CaptureOptions;
  /**
   * Where recommendations come from, e.g. `workerRuntime({ … })` from `@localrec/runtime/connector`.
   * Default {@link noRuntime} (explicit cold start). A runtime other than `noRuntime` is connected
   * in the background right after creation, so its model is warm by the first request.
   */
  runtime?: RuntimeConnector;
  /**
   * The model bundle to recommend from, in one line: `model: '/models/my-shop/'` starts
   * `@localrec/runtime`'s worker (its page-side file is imported only now, so pages without a model
   * never download it) with the runtime's files taken from the SDK's own folder; the long form
   * ({@link ModelOptions}) sets `runtimeUrl`, `workerUrl`, `mode`, … Give `model` or `runtime`, not both.
   * @example LocalRec.init({ appId: 'my-shop', model: '/models/my-shop/' })
   */
  model?: string | ModelOptions;
  /**
   * Storage adapter. Default: IndexedDB when the browser has it, else memory (reported through
   * `onError` and `status`). Pass a store to plug in another adapter (e.g. a mini-program KV store).
   */
  store?: EventStore;
  /**
   * Consent per purpose, on top of `consent` (see {@link Purposes}). Default both `true`;
   * `segments` is off whenever the browser sends Global Privacy Control.
   */
  purposes?: Partial<Purposes>;
  /**
   * Remember the shopper's consent on the device (default `false`): each `setConsent('granted' |
   * 'denied')` stores a {@link ConsentRecord} (what, which purposes, who set it, when) in the
   * store's meta area (`exportData().meta.consent`; `forgetMe()` deletes it), every tab of the shop
   * is told, and the next load starts from it. A `denied` is stored too — it is the shopper's
   * choice, kept so that it holds, and nothing else is written under it; `setConsent('pending')`
   * deletes the record. Precedence at load: a `consent` option of `granted` or `denied` wins (the
   * host's own consent platform decides; the record is updated to it, source `init`); with no
   * `consent` option or `pending`, the stored record applies, purposes included. Until the record
   * is read (one IndexedDB read, before the first write), nothing is written.
   */
  rememberConsent?: boolean;
}

/** A snapshot of the SDK's state, for a "your data" panel or diagnostics. */
export interface LocalRecStatus {
  /** Adapter that holds events now: `"indexeddb"`, `"memory"`, … */
  storage: string;
  /** True when the preferred storage failed or was unavailable and events live only in memory. */
  degraded: boolean;
  /** Why storage is degraded, when it is. */
  storageError?: string;
  /** Events accepted but not yet written (waiting for a flush or for consent). */
  pending: number;
  consent: Consent;
  /** Runtime connector in use (`"none"` until a model runtime is plugged in). */
  runtime: string;
  /** The most recent error reported to `onError`. */
  lastError?: SerializedError;
  /** True after `destroy()`. */
  destroyed: boolean;
}

/** What `exportData()` returns: everything stored on this device, as plain JSON. */
export interface ExportedData extends StoreDump {
  exportedAt: string;
  app: string;
  /** Accepted events not yet written to storage (also part of what the SDK holds). */
  pending: NewEvent[];
  /** What LocalRec keeps in Cache Storage: model files (URL, model version, hash, bytes), no behaviour data. */
  caches: CachedModelFile[];
}

/** What `forgetMe()` returns: the result of re-reading storage after deleting it. */
export interface ForgetProof {
  /** True when the re-read found nothing. */
  verified: boolean;
  storage: string;
  /** Events found by the re-read (0 when verified). */
  remainingEvents: number;
  /** IndexedDB database names of this app still listed after deletion (empty when verified). */
  remainingDatabases: string[];
  /** LocalRec's Cache Storage caches (names starting with `localrec`) still listed (empty when verified). */
  remainingCaches: string[];
  erasedAt: string;
}

/** One LocalRec instance. See {@link createLocalRec}. */
export interface LocalRec {
  /**
   * Records a behaviour. Cheap and synchronous: validates, then queues for a batched write.
   * Returns the accepted event, or `undefined` when it was rejected (non-strict mode) or consent
   * is `denied`.
   * @example rec.track('add_to_cart', { itemId: 'SKU-1', quantity: 2, price: 9.5 })
   */
  track(type: EventType | (string & {}), data?: TrackData): NewEvent | undefined;
  /**
   * Changes consent at run time. `granted` writes held events; `denied` discards them (in every
   * tab of the shop). `purposes` changes the given purposes (the others keep their value).
   * `source` says who set it, for the record `rememberConsent` stores (default `host`; the consent
   * platform adapters pass `tcf` / `consent-mode`). Every tab of the shop applies a `granted` or
   * `denied` (with the purposes) at once; `pending` stays in this tab.
   * @example rec.setConsent('granted', { segments: false })
   * @throws {LocalRecError} `INVALID_ARGUMENT` (strict mode; else reported) for a bad consent, purpose or source.
   */
  setConsent(consent: Consent, purposes?: Partial<Purposes>, source?: ConsentSource): void;
  readonly consent: Consent;
  /** The purposes in force (`segments` is `false` under Global Privacy Control). */
  readonly purposes: Purposes;
  readonly status: LocalRecStatus;
  /** Writes queued events now. Resolves when they are stored (or failed over to memory). */
  flush(): Promise<void>;
  /** Everything stored about this device (right of access / portability). */
  exportData(): Promise<ExportedData>;
  /**
   * Deletes every stored event, the database itself and LocalRec's caches (Cache Storage entries
   * whose name starts with `localrec`, e.g. cached model files), then proves it by re-reading.
   */
  forgetMe(): Promise<ForgetProof>;
  /**
   * Recommendations for this shopper, through the runtime connector. Never rejects. Queued events
   * are written first, so the runtime (which reads the store itself) sees the latest `track()`.
   * Without consent (`consent !== 'granted'`, or the `personalisation` purpose off) the runtime is
   * not asked: the answer is empty with `fallbackReason: 'no-consent'`.
   */
  recommend(options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * Items similar to `itemId` (item-to-item; uses no history). Never rejects. Without consent,
   * purchased items are not excluded (the runtime is told not to read the history).
   */
  similar(itemId: string, options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * Re-orders the host's candidates for this shopper. Never rejects. Without consent, or when the
   * runtime fails, the host's order is kept (`source: 'fallback'`).
   */
  rank(itemIds: readonly string[], options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * Items the shopper viewed, clicked or added to the cart most recently, newest first, each once
   * (`reason.kind: 'recently-viewed'`, e.g. "You viewed this 2 hours ago"), answered by the runtime
   * from the shopper's own events — no model. `exclude` (e.g. the item on screen), `filter` and `k`
   * as in {@link recommend}. Never rejects: empty with `fallbackReason: 'no-consent'` without
   * consent, `'no-history'` when there is nothing to show, `'no-model'` without a runtime.
   */
  recentlyViewed(options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * Purchased items due again by the shopper's own purchase cadence, most overdue first
   * (`reason.kind: 'buy-again'`, e.g. "You buy this about every 3 weeks; last bought 20 days ago").
   * Items bought once count with a 30-day default cadence, after those with a known one. No model.
   * Never rejects; the same fallbacks as {@link recentlyViewed}.
   */
  buyAgain(options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * Items frequently bought together with an item or a cart (an array of ids): the bundle's
   * association rules (`reason.kind: 'bought-together'`, "Often bought with Blue Kettle (lift 2.4)"),
   * the cart left out, re-ranked by the model for this shopper; `filter`, `rules`, `page`, `dedupe`
   * as in {@link recommend}. Never rejects: without rules for these items the bundle's co-occurrence
   * table (`fallbackReason: 'no-associations'`); without consent or history unpersonalised
   * (`'no-consent'`, `'no-history'`); `'no-model'` without a runtime.
   */
  frequentlyBoughtTogether(items: string | readonly string[], options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * What is trending in the shop, or in one facet value (`{ facet: { attribute: 'category', value: 'Shoes' } }`),
   * from the shop's public `trending.json` (`reason.kind: 'trending'`, "Trending in Shoes this week"),
   * re-ranked by the model for this shopper. Never rejects: without a usable file the bundle's
   * popularity table (`fallbackReason: 'no-trending'`, `error` says why); the other fallbacks as
   * {@link frequentlyBoughtTogether}.
   */
  trending(options?: TrendingOptions): Promise<RecommendResult>;
  /**
   * Recommendations for a search query (a non-empty string, at most 256 characters): the items this
   * shopper's own earlier searches like it led to — recorded with `track('search', { query })`, then
   * viewed, clicked, carted or bought in the same session (`reason.kind: 'search'`, "You searched
   * 'red shoes' and opened Blue Kettle") — and the catalogue items whose name or attributes hold its
   * words ("Matches 'shoes'"), re-ranked by the model for this shopper; `exclude`, `filter`, `rules`,
   * `page`, `dedupe`, `hydrate` as in {@link recommend}. Never rejects: nothing matching, the
   * bundle's popular items (`fallbackReason: 'no-match'`); without consent or history, the match
   * unpersonalised (`'no-consent'`, `'no-history'`); `'no-model'` without a runtime; a bad query is
   * reported to `onError` (`INVALID_ARGUMENT`, `field: 'query'`) and answered `'error'`.
   */
  forSearch(query: string, options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * The next page of the list `previous` came from (an answer of `recommend`, `similar`,
   * `recentlyViewed`, `buyAgain`, `frequentlyBoughtTogether`, `trending` or `forSearch`, or of an
   * earlier `next`): the same method, subject and options at `page + 1`, never an item any earlier
   * page of that list returned, even when the history changed between the calls (a click during an
   * infinite scroll); with the same history exactly what `page + 1` answers. The list's state is the
   * answer's `list` (plain data), so a page may keep results and call `next` later, after a runtime
   * restart too. An empty fallback answer the SDK made without asking (no consent) continues as the
   * same empty answer; any other fallback keeps the cursor, so a later `next` asks that page again.
   * `options` change what does not shape the list (`hydrate`, `budgetMs`); whatever they change, no
   * earlier page's item comes back. Never rejects: an answer that is not a page of a list (`rank`'s)
   * is reported to `onError` (`INVALID_ARGUMENT`, `field: 'list'`) and answered `'error'`.
   * @example let page = await rec.recommend({ k: 12 }); onScrollEnd(async () => { page = await rec.next(page); render(page.items); });
   */
  next(previous: RecommendResult, options?: RecommendOptions): Promise<RecommendResult>;
  /**
   * The values of a catalog attribute (e.g. `'category'`) the trending file counts, most shoppers
   * first (at most `k`, default 10). Never rejects: no values and `fallbackReason: 'no-trending'`
   * without a usable file or runtime.
   */
  trendingFacets(attribute: string, options?: { k?: number }): Promise<TrendingFacets>;
  /** Gives the runtime the host's item metadata (names, categories, prices, stock) for filters and reasons. */
  setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void>;
  /**
   * The shopper profile (用户画像), computed on the device by the runtime from the stored events:
   * category / brand / price-band affinities with time decay, active hours and days, purchase
   * cadence, sessions, recent interests. Abnormal events are left out. Nothing leaves the device.
   * @throws {LocalRecError} `CONSENT_REQUIRED` without consent; `NOT_READY` when the runtime has no insights.
   */
  getProfile(): Promise<ShopperProfile>;
  /**
   * Social context the page already has (friends who liked, bought or shared items), used to rank
   * on the device ("3 friends liked this") and held in the runtime's memory only, for `ttlMs`
   * (default 30 min, at most 24 h). `null` clears it.
   * @example rec.setSocialContext({ items: { 'SKU-1': { friendsLiked: 3 } }, ttlMs: 600_000 })
   * @throws {LocalRecError} `INVALID_ARGUMENT` naming the bad field.
   */
  setSocialContext(context: SocialContextInput | null): Promise<unknown>;
  /**
   * At most 3 coarse interest segments (clusters of the model's items), stable per week, with a
   * 5 % chance of a random one: the ONLY thing meant to leave the device, and only if the host
   * sends it. The SDK never sends it.
   * @throws {LocalRecError} `CONSENT_REQUIRED` without consent, or when the `segments` purpose is
   * off (always under Global Privacy Control).
   */
  getSegments(): Promise<SegmentsResult>;
  /** The runtime's status (backend, model version, readiness, last error). Never rejects. */
  runtimeStatus(): Promise<RuntimeStatus>;
  /** Flushes, stops capture and timers, closes storage and the runtime. */
  destroy(): Promise<void>;
}
