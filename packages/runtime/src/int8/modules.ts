/**
 * The kernels' bytes, assembled from the .wat sources at build time (scripts/wat.mjs: a rollup
 * plugin in rollup.config.mjs, a vite plugin in vitest.config.ts), inlined in the importing chunk.
 */
import relaxed from './topk-relaxed.wat';
import simd from './topk.wat';
import type { KernelModules } from './kernel.js';

/** topk.wat (plain SIMD) and topk-relaxed.wat (relaxed SIMD), as wasm bytes. */
export const KERNEL_MODULES: KernelModules = { simd, relaxed };
