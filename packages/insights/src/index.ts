/**
 * @localrec/insights — what the device learns about its shopper, on the device: the profile,
 * the abnormal-behaviour filter, social context and the one blending step, the online re-ranker
 * and interest segments. Pure TypeScript: no DOM, no tfjs, no globals touched at import.
 * @packageDocumentation
 */
export {
  ProfileAccumulator, computeProfile, itemAffinity, affinityOf, priceBandOf, eventWeight, isProfileState,
  DEFAULT_EVENT_WEIGHTS, DEFAULT_PRICE_BANDS, ITEM_AFFINITY_WEIGHTS,
  type Profile, type ProfileOptions, type ProfileState, type Affinity, type PurchaseCadence, type SessionStats,
  type CatalogLookup,
} from './profile.js';
export {
  detectAbnormal, withoutAbnormal, isAbnormal, DEFAULT_ABNORMAL_OPTIONS,
  type AbnormalFlag, type AbnormalOptions, type AbnormalReport, type BurstRule,
} from './abnormal.js';
export {
  createSocialContext, socialSignal, socialProof, socialReason, blendScore, blendRanking, normaliseScores,
  DEFAULT_BLEND_WEIGHTS, SOCIAL_LIMITS,
  type SocialContext, type SocialContextInput, type SocialItemSignal, type NormalisedSignal,
  type BlendInput, type BlendWeights, type BlendResult, type BlendRankingOptions,
} from './social.js';
export {
  Reranker, RERANK_FEATURES, DEFAULT_PRIOR, featureVector, meanFeatures, positionTerm,
  type RerankFeatures, type RerankFeatureName, type RerankerOptions, type RerankerState,
} from './reranker.js';
export {
  getSegments, bundleSegments, segmentScores, segmentWeek, createSegmentSalt,
  type BundleSegments, type Segment, type SegmentsResult, type GetSegmentsOptions,
} from './segments.js';
