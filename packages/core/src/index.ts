/**
 * @localrec/core — the pure core of LocalRec: event schema, validation, config, errors, the
 * Recorder, and the interfaces (storage, runtime API) that adapters implement. No DOM, no tfjs,
 * no global touched at import time (globals are probed only by {@link detectCapabilities}).
 * @packageDocumentation
 */
export * from './errors.js';
export * from './events.js';
export * from './store.js';
export * from './api.js';
export { CONSENT_VALUES, DEFAULT_CONFIG, checkConsent, resolveConfig } from './config.js';
export type { Consent, LocalRecConfig, ResolvedConfig } from './config.js';
export { EVENT_LIMITS, CUSTOM_TYPE_PATTERN, isEventType, utf8Length, validateEvent } from './validate.js';
export type { ValidEvent } from './validate.js';
export { detectCapabilities, overrideCapabilities } from './env.js';
export type { Capabilities } from './env.js';
export { createUid } from './uid.js';
export { SessionTracker } from './session.js';
export type { SessionState } from './session.js';
export { TokenBucket } from './rate.js';
export type { RateLimit } from './rate.js';
export { SEQUENCE_TYPES, extendSequence, recentSequence } from './sequence.js';
export type { SequenceEntry, SequenceOptions } from './sequence.js';
export { MemoryBacking, MemoryEventStore, applyQuery } from './memory-store.js';
export { Recorder, SESSION_META_KEY } from './recorder.js';
export type { ForgetResult, RecorderExport, RecorderOptions, RecorderStatus } from './recorder.js';
export { compareEventOrder, type EventOrderKey } from './order.js';
export { cloneJson } from './clone.js';
export { median, percentile } from './stats.js';
export { SeededRandom, hash32, mulberry32, sfc32, type UniformSource } from './random.js';
