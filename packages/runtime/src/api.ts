/**
 * The runtime's view of the one page↔runtime contract, `@localrec/contract`: re-exported here so
 * the runtime's modules import it from one local place. Types (and the backend list) only.
 */
export {
  BACKENDS,
  RUNTIME_METHODS,
  type BackendName,
  type CallContext,
  type Consent,
  type InsightsOptions,
  type LoadProgress,
  type PageHistory,
  type Profile,
  type RuntimeApi,
  type RuntimeMethod,
  type RuntimeMethods,
  type RuntimeOptions,
  type SegmentsResult,
  type ShopperProfile,
  type SocialContextAck,
  type SocialContextInput,
} from '@localrec/contract';
