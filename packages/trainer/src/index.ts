/**
 * @localrec/trainer — train, evaluate, quantise, export and validate LocalRec SASRec bundles (Node).
 * @packageDocumentation
 */
export { useBackend } from './backend.js';
export {
  train,
  evaluateWeights,
  architectureOf,
  DEFAULT_TRAIN_OPTIONS,
  FULL_SOFTMAX_BUDGET,
  chooseLoss,
  type LossChoice,
  type TrainOptions,
  type TrainResult,
  type EpochLog,
} from './train.js';
export { evaluate, evaluableUsers, type EvalOptions, type EvalResult, type Protocol, type ScoreFn } from './evaluate.js';
export {
  MetricAccumulator,
  rankOf,
  hitAt,
  ndcgAt,
  precisionAt,
  recallAt,
  f1At,
  reciprocalRank,
  catalogueCoverage,
  intraListDiversity,
  CUTOFFS,
} from './metrics.js';
export { ItemUsers, itemKnnBaseline, bprBaseline, type BprOptions } from './baselines.js';
export { buildColdTables, coocBaseline, popularityScores, coocScoresFor, type ColdTables } from './cold-start.js';
export { writeBundle, loadBundleDir, validateBundleDir, readBundleFiles, roundTripWeights, type LoadedBundle } from './bundle-io.js';
export { finishBundle } from './pipeline.js';
export { saveCheckpoint, loadCheckpoint, type Checkpoint } from './checkpoint.js';
export { main } from './cli.js';
export type { Split } from './split.js';
export {
  loadDataset,
  loadLogEvents,
  splitLeaveOneOut,
  type LogEvent,
  type Dataset,
  type LogRules,
  type SequenceSplit,
} from './data/index.js';
export {
  associationsOf,
  associationsFile,
  baskets,
  mineAssociations,
  addAssociations,
  DEFAULT_ASSOCIATION_OPTIONS,
  MAX_BASKET_ITEMS,
  type AssociationOptions,
  type AssociationRule,
} from './associations.js';
export { trendingOf, DEFAULT_TRENDING_OPTIONS, type TrendingOptions } from './trending.js';
