/**
 * @localrec/sdk — LocalRec's main-thread SDK: record what the shopper does, on the shopper's
 * device, and ask the on-device runtime for recommendations. No tfjs here: the runtime plugs in
 * through a {@link RuntimeConnector}.
 * @packageDocumentation
 */
export { createLocalRec } from './localrec.js';
export type {
  CachedModelFile,
  Consent,
  ConsentRecord,
  ConsentSource,
  ExportedData,
  ForgetProof,
  LocalRec,
  LocalRecConfigInput,
  LocalRecStatus,
  Profile,
  Purposes,
  SegmentsResult,
  ShopperProfile,
  SocialContextInput,
} from './types.js';
export { DEFAULT_PURPOSES } from './consent.js';
export { TCF_PURPOSES, fromConsentMode, fromTcf, listenConsentMode, listenTcf } from './cmp.js';
export type { ConsentModeState, ConsentSignal, ConsentTarget, TcfApi, TcfData, TcfPurposeMap } from './cmp.js';
export { noRuntime } from './connector.js';
export type { ModelMode, ModelOptions } from './model.js';
export type { ConnectContext, RecommenderApi, RuntimeConnector } from './connector.js';
export type { CaptureOptions } from './capture.js';
export { installGlobal, GLOBAL_METHODS } from './global.js';
export type { GlobalMethod, LocalRecApi, LocalRecGlobal, LocalRecStub } from './global.js';
export { VERSION } from './version.js';
export { LocalRecError } from '@localrec/core';
export type {
  ErrorCode,
  EventContext,
  EventQuery,
  EventType,
  AttributeTest,
  FilterExpr,
  ItemMeta,
  ItemFilter,
  MerchRules,
  NewEvent,
  Reason,
  RecommendOptions,
  RecommendResult,
  RuntimeStatus,
  ScoreRule,
  ScoredItem,
  SerializedError,
  StoredEvent,
  TrackData,
} from '@localrec/core';
