/**
 * @localrec/runtime — the on-device inference runtime (tfjs inside). Load it in a Web Worker
 * through `@localrec/runtime/connector` (`workerRuntime`); this entry is the in-thread runtime
 * and what the worker bundle is built from.
 * @packageDocumentation
 */
export { Runtime, type BackendEvent, type RuntimeDeps, type RuntimeMemory } from './runtime.js';
export { BACKENDS, type BackendName, type Consent, type LoadProgress, type RuntimeApi, type RuntimeOptions } from './api.js';
export { loadBundle, CACHE_NAME, type FetchedBundle, type LoadBundleOptions } from './loader.js';
export type { Calibration } from './backends.js';
export { withFeedback, type FeedbackItem, type FeedbackResult, type TrackFn } from './feedback.js';
