/**
 * The runtime's view of the one page↔runtime contract, `@localrec/contract`: re-exported here so
 * the runtime's modules import it from one local place. Types (and the backend list) only.
 */
export {
  BACKENDS,
  type BackendName,
  type CallContext,
  type Consent,
  type InsightsOptions,
  type LoadProgress,
  type PageHistory,
  type RuntimeApi,
  type RuntimeOptions,
  type SegmentsResult,
  type ShopperProfile,
  type SocialContextInput,
  type TrendingFacets,
  type TrendingOptions,
} from '@localrec/contract';
