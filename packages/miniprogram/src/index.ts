/**
 * @localrec/miniprogram — LocalRec in WeChat mini-programs: environment detection (lazy), the
 * event store over `wx` storage, the Comlink transport over `wx.createWorker`, the in-thread
 * transport, the webgl/cpu backend list and the model-size check. Pass `wx` in; nothing here
 * reads a global at import time.
 * @packageDocumentation
 */
export { detectMiniProgram, probeMiniProgram, resetMiniProgramDetection } from './env.js';
export type { MiniProgramEnv, WxLike } from './env.js';
export { createMiniProgramStore } from './store.js';
export { createMiniProgramRecorder } from './recorder.js';
export type { LocalRecConfig, Recorder } from '@localrec/core';
export { KeyValueEventStore, wxStorage, WX_LIMITS } from '@localrec/store-kv';
export type { KvStorage, WxStorageApi } from '@localrec/store-kv';
export { wxWorkerEndpoint } from './endpoint.js';
export type { WxWorkerLike } from './endpoint.js';
export {
  connectMiniProgramWorker,
  exposeInMiniProgramWorker,
  miniProgramWorkerTransport,
  serveStorageToWorker,
  workerStorage,
} from './worker.js';
export type { MiniProgramWorker, MiniProgramWorkerTransportOptions, WxWorkerApi, WxWorkerHandle } from './worker.js';
export { inThread } from './in-thread.js';
export { WxResponse, miniProgramFetch, wxFetch } from './fetch.js';
export { miniProgramTfPlatform } from './tf-platform.js';
export type { TfPlatformLike } from './tf-platform.js';
export type { WxFetchOptions, WxRequestApi, WxRequestFail, WxRequestOptions, WxRequestSuccess, WxRequestTask } from './fetch.js';
export type { InThread } from './in-thread.js';
export { MINIPROGRAM_BACKENDS, miniProgramBackends } from './backends.js';
export type { MiniProgramBackend } from './backends.js';
export { DEFAULT_MEMORY_BUDGET, MINIPROGRAM_PACKAGE_LIMIT, assertModelFits, modelFootprint } from './model-fit.js';
export type { ManifestLike, ModelFitOptions, ModelFootprint } from './model-fit.js';
export { createMiniProgramLocalRec, inThreadRuntime } from './localrec.js';
export type {
  InThreadRecommender,
  InThreadRuntimeDeps,
  InThreadRuntimeInit,
  InThreadRuntimeOptions,
  InThreadRuntimeTarget,
  LoadProgressLike,
  RuntimeBackendName,
  MiniProgramLocalRecConfig,
} from './localrec.js';
export type { LocalRec } from '@localrec/sdk';
