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
import type { RecommendResult } from '@localrec/core';
import type { RuntimeConnector } from '@localrec/contract';
import { noRuntimeApi } from './cold.js';

// The seam's types are the one contract's (`@localrec/contract`), re-exported under the SDK's names.
export type { ConnectContext, RecommenderApi, RuntimeConnector } from '@localrec/contract';

/** A cold-start answer with no items (used when there is no runtime, or no consent). */
export function emptyResult(fallbackReason: NonNullable<RecommendResult['fallbackReason']>, tookMs = 0): RecommendResult {
  return { items: [], source: 'fallback', fallbackReason, tookMs };
}

/**
 * The host's candidate order, unchanged: the best ranking there is without a model (or without
 * consent to use the shopper's history). Scores descend with the host's order.
 */
export function hostOrder(
  itemIds: readonly string[],
  fallbackReason: NonNullable<RecommendResult['fallbackReason']>,
  tookMs = 0,
): RecommendResult {
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
export const noRuntime: RuntimeConnector = { kind: 'none', connect: noRuntimeApi };
