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
  type TrainOptions,
  type TrainResult,
  type EpochLog,
} from './train.js';
export { evaluate, evaluableUsers, type EvalOptions, type EvalResult, type Protocol, type ScoreFn } from './evaluate.js';
export { MetricAccumulator, rankOf, hitAt, ndcgAt, reciprocalRank, CUTOFFS } from './metrics.js';
export { buildColdTables, coocBaseline, popularityScores, coocScoresFor, type ColdTables } from './cold-start.js';
export { writeBundle, loadBundleDir, validateBundleDir, readBundleFiles, roundTripWeights, type LoadedBundle } from './bundle-io.js';
export { finishBundle } from './pipeline.js';
export { saveCheckpoint, loadCheckpoint, type Checkpoint } from './checkpoint.js';
export { main } from './cli.js';
export type { Split } from './split.js';
export { loadDataset, splitLeaveOneOut, type Dataset, type LogRules, type SequenceSplit } from './data/index.js';
