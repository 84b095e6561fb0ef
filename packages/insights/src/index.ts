/**
 * @localrec/insights — what the device learns about its shopper, on the device: the profile,
 * the abnormal-behaviour filter, social context and the one blending step, the online re-ranker
 * and interest segments. Pure TypeScript: no DOM, no tfjs, no globals touched at import.
 * @packageDocumentation
 */
export {
  ProfileAccumulator,
  computeProfile,
  itemAffinity,
  affinityOf,
  priceBandOf,
  eventWeight,
  isProfileState,
  DEFAULT_EVENT_WEIGHTS,
  DEFAULT_PRICE_BANDS,
  ITEM_AFFINITY_WEIGHTS,
  type Profile,
  type ProfileOptions,
  type ProfileState,
  type Affinity,
  type PurchaseCadence,
  type SessionStats,
  type CatalogLookup,
} from './profile.js';
export {
  checkAbnormalOptions,
  detectAbnormal,
  withoutAbnormal,
  isAbnormal,
  DEFAULT_ABNORMAL_OPTIONS,
  NO_ABNORMAL_RULES,
  type AbnormalFlag,
  type AbnormalOptions,
  type AbnormalReport,
  type BurstRule,
} from './abnormal.js';
export {
  createSocialContext,
  socialSignal,
  socialProof,
  socialReason,
  blendScore,
  blendRanking,
  normaliseScores,
  modelTerms,
  SOCIAL_ENTRY_WEIGHT,
  DEFAULT_BLEND_WEIGHTS,
  SOCIAL_LIMITS,
  type SocialContext,
  type SocialContextInput,
  type SocialItemSignal,
  type NormalisedSignal,
  type BlendInput,
  type BlendWeights,
  type BlendResult,
  type BlendRankingOptions,
} from './social.js';
export {
  recordedSocial,
  mergeSocial,
  unopenedShares,
  socialCandidates,
  isInboundShare,
  hasRecorded,
  DEFAULT_SOCIAL_OPTIONS,
  SOCIAL_EVENT_TYPES,
  type RecordedSocial,
  type SocialOptions,
  type SocialCandidateInput,
} from './friends.js';
export {
  Reranker,
  RERANK_FEATURES,
  DEFAULT_PRIOR,
  featureVector,
  meanFeatures,
  positionTerm,
  type RerankFeatures,
  type RerankFeatureName,
  type RerankerOptions,
  type RerankerState,
} from './reranker.js';
export {
  getSegments,
  bundleSegments,
  segmentScores,
  segmentWeek,
  createSegmentSalt,
  type BundleSegments,
  type Segment,
  type SegmentsResult,
  type GetSegmentsOptions,
} from './segments.js';
// The insights layer's stream logic, moved here from the runtime (issue 11): the ranking step of an
// answer and the feedback loop (feedback.ts), settled events and seq runs (settle.ts), the
// incremental stream state and one fold step (stream.ts).
export {
  listFeatures,
  rankList,
  matchServed,
  observeFeedback,
  type FeatureContext,
  type ServedList,
  type PendingImpression,
  type FeedbackStep,
} from './feedback.js';
export { joinGapMs, settle, addSeqs, inRuns, runsSize, type SeqRuns } from './settle.js';
export {
  foldEvents,
  isStreamState,
  newStreamState,
  streamProfileOptions,
  popularityTable,
  listFeatureContext,
  DEFAULT_FEEDBACK_WINDOW_MS,
  DEFAULT_RECENCY_HALF_LIFE_MS,
  type StreamState,
  type StreamOptions,
  type StreamSnapshot,
  type StreamParts,
  type FoldInput,
  type ListContextInput,
} from './stream.js';
