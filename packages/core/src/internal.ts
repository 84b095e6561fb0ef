/**
 * @localrec/core/internal — INTERNAL: machinery the other LocalRec packages share (the SDK, the
 * stores, the runtime). Not part of the public API: names here may change in any release. Apps
 * use `@localrec/core` (or better, `@localrec/sdk`).
 * @packageDocumentation
 */
export { APP_ID_PATTERN, checkAppId, checkConsent } from './config.js';
export { badEntry, preview } from './preview.js';
export { createUid } from './uid.js';
export { SessionTracker } from './session.js';
export type { SessionState } from './session.js';
export { TokenBucket } from './rate.js';
export { SEQUENCE_TYPES } from './sequence.js';
export { SESSION_META_KEY } from './recorder.js';
export { MODEL_CACHE_NAME, listModelCaches, modelCacheKey, parseModelCacheKey } from './model-cache.js';
export {
  agentInfo,
  blobConstructor,
  broadcastChannel,
  cacheStorage,
  globalFetch,
  globalPrivacyControl,
  idleCallbacks,
  intervalTimers,
  locationHref,
  monotonicNow,
  pageDocument,
  pageWindow,
  randomSource,
  scriptTagGlobal,
  structuredCloner,
  subtleCrypto,
  textCodecs,
  uiGlobals,
  urlConstructor,
  webGpu,
  webLocks,
  workerConstructor,
  type UiGlobals,
  type WebGpuLike,
} from './env.js';
