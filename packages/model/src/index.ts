/**
 * @localrec/model — the model bundle format, int8 quantisation, cold-start tables and the SASRec
 * scoring code shared by the trainer (Node) and the on-device runtime (worker).
 *
 * Every public name is listed here (no `export *`); `test/entries.test.ts` guards the list.
 * @packageDocumentation
 */
export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, TENSOR_NAMES, BLOCK_TENSORS, blockTensorName, expectedShapes } from './format.js';
export type { BlockTensorName, BundleManifest, FileEntry, MetricTable, SasrecArchitecture, TensorDType, TensorEntry } from './format.js';
export { quantizeInt8, dequantizeInt8, type Quantized } from './quant.js';
export { encodeSequence, encodeLast, embedSequences, type EncoderParams, type BlockParams, type EncodeOptions } from './sasrec.js';
export { SasrecScorer, packSequences, type FloatWeights, type ItemTable, type ScorerOptions } from './scorer.js';
export {
  encodeTensors,
  decodeTensors,
  toFloatWeights,
  sha256Hex,
  manifestProblems,
  bundleProblems,
  type HostTensor,
  type HostArray,
} from './bundle.js';
export { HostEncoder } from './host-encoder.js';
export { Float32Rows, Int8Rows, inverseNorms, rowsToFloat32, type Int8View, type ItemRows } from './item-rows.js';
export {
  BLEND_RECENT,
  blendBucket,
  blendDense,
  blendProblems,
  blendSparse,
  blendTop,
  blendWeight,
  coocVotes,
  type CoocTable,
  type ScoreBlend,
} from './blend.js';
export {
  ASSOCIATIONS_FORMAT,
  TRENDING_FORMAT,
  associationsProblems,
  trendingProblems,
  trendingBody,
  type AssociationsFile,
  type AssociationTuple,
  type TrendingFile,
  type TrendingFacetValue,
  type TrendingTuple,
} from './popularity.js';
