// Test helper: a small random SASRec model's float32 weights (deterministic per seed), for the
// encoder tests that compare inference paths (tfjs full/last-slot encoders, the host encoder).
import { BLOCK_TENSORS, TENSOR_NAMES, blockTensorName, type FloatWeights, type SasrecArchitecture } from '../src/index.js';

/** Weights for `arch` and `n` items: values in ±0.3, LayerNorm γ around 1, row 0 (padding) zero. */
export function randomWeights(arch: SasrecArchitecture, n: number, seed: number): FloatWeights {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.6;
  const d = arch.dim;
  const w: FloatWeights = new Map();
  const put = (name: string, len: number, around?: number) =>
    w.set(
      name,
      Float32Array.from({ length: len }, () => (around ?? 0) + rnd() * (around === undefined ? 1 : 0.3)),
    );
  put(TENSOR_NAMES.itemEmbedding, (n + 1) * d);
  w.get(TENSOR_NAMES.itemEmbedding)!.fill(0, 0, d);
  put(TENSOR_NAMES.positionEmbedding, arch.maxLen * d);
  for (let b = 0; b < arch.blocks; b++) {
    for (const k of BLOCK_TENSORS) {
      const len = k === 'ffn/w1' || k === 'ffn/w2' ? d * arch.ffnDim : k === 'ffn/b1' ? arch.ffnDim : k.startsWith('attn/w') ? d * d : d;
      put(blockTensorName(b, k), len, k.endsWith('gamma') ? 1 : undefined);
    }
  }
  put(TENSOR_NAMES.finalNormGamma, d, 1);
  put(TENSOR_NAMES.finalNormBeta, d);
  return w;
}
