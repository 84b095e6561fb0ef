// Hand-written WebAssembly text (packages/runtime/src/int8/*.wat) assembled by wabt (npm) at build
// time: no .wasm binary is committed. `import bytes from './topk.wat'` gives the module's bytes
// as a `Uint8Array` (a literal in the importing chunk: no extra request, nothing to host).
//
//   watPlugin()            a rollup plugin (also a vite plugin: vitest.config.ts uses it)
//   assembleWat(path)      the bytes of one .wat file (benchmarks/int8-kernel.mjs uses it)
import { readFile } from 'node:fs/promises';

/** The post-MVP features the kernels use (wabt refuses anything else). */
const FEATURES = { simd: true, relaxed_simd: true };

let wabtModule;
const wabt = async () => (wabtModule ??= (await import('wabt')).default());

/**
 * Assembles a .wat file into validated wasm bytes.
 * @param {string} file path of the .wat file
 * @returns {Promise<Uint8Array>}
 */
export async function assembleWat(file) {
  const w = await wabt();
  const mod = w.parseWat(file, await readFile(file, 'utf8'), FEATURES);
  try {
    mod.resolveNames();
    mod.validate(FEATURES);
    return new Uint8Array(mod.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}

/**
 * A rollup / vite plugin: a module `*.wat` becomes `export default new Uint8Array([...])`.
 * @returns {import('rollup').Plugin}
 */
export function watPlugin() {
  return {
    name: 'localrec-wat',
    async load(id) {
      if (!id.endsWith('.wat')) return null;
      this.addWatchFile?.(id);
      const bytes = await assembleWat(id);
      return { code: `export default new Uint8Array([${bytes.join(',')}]);\n`, map: { mappings: '' } };
    },
  };
}
