/**
 * @localrec/core — the pure core of LocalRec: event schema, validation, config, errors, the
 * Recorder, and the interfaces (storage, runtime API) that adapters implement. No DOM, no tfjs,
 * no global touched at import time (globals are probed only by {@link detectCapabilities}).
 *
 * Every public name is listed here (no `export *`); `test/entries.test.ts` fails when one is added
 * or removed without updating its list. Machinery other LocalRec packages share but users should
 * not build on is in `@localrec/core/internal`; test helpers are in `@localrec/core/testing`.
 * @packageDocumentation
 */
export { LocalRecError, serializeError } from './errors.js';
export { deserializeError, isSerializedError } from './error-wire.js';
export type { ErrorCode, SerializedError } from './errors.js';
export { STANDARD_EVENT_TYPES } from './events.js';
export type { CustomEventType, EventContext, EventType, NewEvent, StandardEventType, StoredEvent, TrackData } from './events.js';
export type { EventQuery, EventStore, RetentionPolicy, StoreDump, StoreResidue } from './store.js';
export type {
  AttributeTest,
  AttributeValue,
  Facet,
  FilterExpr,
  ItemFilter,
  ItemMeta,
  ListCursor,
  ListMethod,
  MerchRuleKind,
  MerchRules,
  Reason,
  RecommendOptions,
  RecommendResult,
  RuntimeStatus,
  ScoreRule,
  ScoredItem,
  TrendingFacetCount,
  TrendingFacets,
  TrendingOptions,
} from './api.js';
export { CONSENT_VALUES, DEFAULT_CONFIG, resolveConfig } from './config.js';
export type { Consent, LocalRecConfig, ResolvedConfig } from './config.js';
export type { RateLimit } from './rate.js';
export { EVENT_LIMITS, CUSTOM_TYPE_PATTERN, isEventType, utf8Length, validateEvent } from './validate.js';
export type { ValidEvent } from './validate.js';
export { detectCapabilities, overrideCapabilities } from './env.js';
export type { Capabilities } from './env.js';
export { extendSequence, recentSequence } from './sequence.js';
export type { SequenceEntry, SequenceOptions } from './sequence.js';
export { MemoryBacking, MemoryEventStore, applyQuery } from './memory-store.js';
export { Recorder } from './recorder.js';
export { withRetention } from './retention.js';
export type { RetentionWindow } from './retention.js';
export type { CachedModelFile } from './model-cache.js';
export type { ForgetResult, RecorderExport, RecorderOptions, RecorderStatus } from './recorder.js';
export { compareEventOrder, type EventOrderKey } from './order.js';
export { cloneJson } from './clone.js';
export { median, percentile } from './stats.js';
export { SeededRandom, hash32, mulberry32, sfc32, type UniformSource } from './random.js';
