import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients; the trainer needs them.
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Selects the tfjs backend for Node: `wasm` (XNNPACK + SIMD, single-threaded in Node; the only
 * practical one here — tfjs-node cannot install) or `cpu` (slow, a reference).
 */
export async function useBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    setWasmPaths(join(dist, 'dist') + '/');
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend "${name}" failed to initialise`);
  await tf.ready();
  return tf.getBackend();
}
