/**
 * The transport seam between the main-thread SDK and the recommendation runtime.
 *
 * The SDK never imports tfjs. It asks a {@link RuntimeConnector} for a {@link RecommenderApi} —
 * a Comlink `Remote` of the worker runtime (`workerRuntime()` from `@localrec/runtime/connector`)
 * or an in-thread object — and forwards `recommend` / `similar` / `rank` to it. No history
 * crosses the boundary: the runtime reads the shopper's events from the same event store itself,
 * and the SDK flushes its write-behind queue before every call, so an event tracked just before a
 * call is seen by it.
 *
 * Until a runtime is plugged in, {@link noRuntime} answers every call with an explicit cold-start
 * result (`source: 'fallback'`, `fallbackReason: 'no-model'`) and reports `NOT_READY`.
 */
import type { EventStore, ItemMeta, RecommendOptions, RecommendResult, RuntimeStatus, TrackData } from '@localrec/core';
import type { Consent, SegmentsResult, ShopperProfile, SocialContextInput } from './types.js';

/**
 * What the SDK needs from a recommendation runtime. Every method may be remote (a worker behind
 * Comlink), so every method returns a promise and takes only structured-clonable input.
 */
export interface RecommenderApi {
  status(): Promise<RuntimeStatus>;
  /** Top-k next items for this device's shopper, from the history the runtime reads itself. */
  recommend(options: RecommendOptions): Promise<RecommendResult>;
  /** Items similar to `itemId` (e.g. "customers also viewed"). */
  similar(itemId: string, options: RecommendOptions): Promise<RecommendResult>;
  /** Re-orders host-supplied candidates for this shopper. */
  rank(itemIds: readonly string[], options: RecommendOptions): Promise<RecommendResult>;
  /** Optional: item metadata the host knows (for filters and reasons). */
  setCatalog?(items: Readonly<Record<string, ItemMeta>>): Promise<void>;
  /** Optional: the shopper profile computed on the device (see `LocalRec.getProfile`). */
  getProfile?(): Promise<ShopperProfile>;
  /** Optional: the host's social context, memory only (see `LocalRec.setSocialContext`). */
  setSocialContext?(context: SocialContextInput | null): Promise<unknown>;
  /** Optional: at most 3 interest segments (see `LocalRec.getSegments`). */
  getSegments?(): Promise<SegmentsResult>;
  /** Releases the runtime (terminates a worker). */
  dispose?(): Promise<void> | void;
}

/** What a connector learns when the SDK connects. */
export interface ConnectContext {
  /** The app id; the runtime opens the same event store (`IndexedDbEventStore({ appId })`). */
  appId: string;
  /**
   * Consent when connecting. The SDK itself never sends a history-based request while consent
   * is not `granted` (it answers those with `fallbackReason: 'no-consent'`), so a runtime may
   * treat this as a hint. On the object the SDK passes it is a live getter.
   */
  consent: Consent;
  /**
   * The store the SDK writes to now: the IndexedDB store, or the in-memory fallback after a
   * storage failure (`kind: 'memory'`) — which a worker cannot see, so a connector reads the
   * history from it itself in that case. A live getter on the object the SDK passes.
   */
  readonly store?: EventStore;
  /**
   * Changes whenever this page changed the stored history (a write or an erase). A runtime that
   * caches the history may trust its cache for this page while it holds; other tabs' writes are
   * not counted. A live getter on the object the SDK passes.
   */
  readonly writes?: number;
  /** Records an event as `LocalRec.track` does (e.g. impressions of and clicks on a result). */
  readonly track?: (type: string, data: TrackData) => unknown;
}

/** Produces a {@link RecommenderApi}. Called once (memoised; a failed connect is retried later). */
export interface RuntimeConnector {
  /** Name shown in `status.runtime`, e.g. `"none"`, `"worker"`. */
  readonly kind: string;
  connect(ctx: ConnectContext): Promise<RecommenderApi>;
}

/** A cold-start answer with no items (used when there is no runtime, or no consent). */
export function emptyResult(fallbackReason: NonNullable<RecommendResult['fallbackReason']>, tookMs = 0): RecommendResult {
  return { items: [], source: 'fallback', fallbackReason, tookMs };
}

/**
 * The host's candidate order, unchanged: the best ranking there is without a model (or without
 * consent to use the shopper's history). Scores descend with the host's order.
 */
export function hostOrder(itemIds: readonly string[], fallbackReason: NonNullable<RecommendResult['fallbackReason']>, tookMs = 0): RecommendResult {
  return {
    ...emptyResult(fallbackReason, tookMs),
    items: itemIds.map((itemId, i) => ({
      itemId,
      score: itemIds.length - i,
      reason: { kind: 'candidate', text: 'Shop order' },
      source: 'host',
    })),
  };
}

/**
 * The default connector: no runtime. Every recommendation call resolves (never rejects) with a
 * cold-start result whose `fallbackReason` is `'no-model'` (`rank` keeps the host's order);
 * `status()` says `NOT_READY`.
 */
export const noRuntime: RuntimeConnector = {
  kind: 'none',
  connect: async () => ({
    status: async () => ({ ready: false, error: { code: 'NOT_READY', message: 'No runtime configured.' } }),
    recommend: async () => emptyResult('no-model'),
    similar: async () => emptyResult('no-model'),
    rank: async (itemIds) => hostOrder(itemIds, 'no-model'),
    setCatalog: async () => undefined,
  }),
};
