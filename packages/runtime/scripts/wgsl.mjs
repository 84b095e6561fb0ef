// WGSL shader sources (packages/runtime/src/int8/*.wgsl) inlined as text at build time:
// `import source from './topk.wgsl'` gives the file's text as a string (nothing to host).
//
//   wgslPlugin()   a rollup plugin (also a vite plugin: vitest.config.ts uses it)
import { readFile } from 'node:fs/promises';

/**
 * A rollup / vite plugin: a module `*.wgsl` becomes `export default "<source>"`.
 * @returns {import('rollup').Plugin}
 */
export function wgslPlugin() {
  return {
    name: 'localrec-wgsl',
    async load(id) {
      if (!id.endsWith('.wgsl')) return null;
      this.addWatchFile?.(id);
      return { code: `export default ${JSON.stringify(await readFile(id, 'utf8'))};\n`, map: { mappings: '' } };
    },
  };
}
