#!/usr/bin/env node
// The model runtime for mini-programs, as ONE minified CommonJS file (ES2017): `Runtime` from
// @localrec/runtime with tfjs-core and the two backends a mini-program has (webgl, cpu), plus
// `installTfPlatform(platform)` to give the bundled tfjs a platform (a mini-program is neither a
// browser nor Node, so tfjs finds none; pass `miniProgramTfPlatform(wx)` from @localrec/miniprogram).
// The wasm and webgpu backend packages are replaced by a module that refuses when used
// (`miniProgramBackends()` never asks for them). tfjs's ~600 identical licence headers are kept
// once, at the end.
//
//   node packages/miniprogram/scripts/runtime-build.mjs <out-file>
//
// Used by rollup.config.mjs (`pnpm build` writes examples/miniprogram/runtime/index.js), by
// packages/miniprogram/test/size.test.ts (size against the 2 MB package limit, and a run in a bare
// context) and by examples/miniprogram's `build:runtime`.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const REFUSED = new Set(['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu']);
// Virtual, but placed in packages/runtime/src so that tfjs-core resolves from there.
const ENTRY = join(repo, 'packages/runtime/src/__miniprogram_entry__.ts');
const ENTRY_CODE = `import { env, setPlatform } from '@tensorflow/tfjs-core';
export { Runtime } from './runtime.js';
/** Installs \`platform\` (e.g. miniProgramTfPlatform(wx)) as tfjs's platform when tfjs found none. */
export function installTfPlatform(platform) { if (!env().platform) setPlatform('wechat', platform); }
`;

// tfjs-core looks for its global namespace as `window`, `global`, `process` or `self` when it
// loads, and a mini-program's logic layer need not have any of them. The bundle brings its own
// `global` (module-scoped, so nothing outside the file changes): the context's global object.
const GLOBAL_INTRO =
  "var global = typeof globalThis === 'object' && globalThis ? globalThis : typeof self === 'object' && self ? self : {};";

/**
 * The rollup options of the runtime file: `input` (entry, plugins) and `output` (CommonJS, one
 * file, the `global` intro); the last plugin minifies to ES2017 with esbuild. rollup.config.mjs
 * uses them to write examples/miniprogram/runtime/index.js in `pnpm build`.
 * @returns {Promise<{ input: import('rollup').RollupOptions, output: import('rollup').OutputOptions, modules: string[] }>}
 *   `modules` fills with every module bundled once a build has run
 */
export async function miniProgramRuntimeOptions() {
  const [{ default: nodeResolve }, { default: commonjs }, { default: esbuild }, { transform }, { watPlugin }, { wgslPlugin }] =
    await Promise.all([
      import('@rollup/plugin-node-resolve'),
      import('@rollup/plugin-commonjs'),
      import('rollup-plugin-esbuild'),
      import('esbuild'),
      import('../../runtime/scripts/wat.mjs'),
      import('../../runtime/scripts/wgsl.mjs'),
    ]);
  const modules = [];
  const input = {
    input: ENTRY,
    cache: false, // tfjs is large: keep no module graph around
    onwarn: (w, warn) => {
      if (w.code !== 'THIS_IS_UNDEFINED' && w.code !== 'CIRCULAR_DEPENDENCY') warn(w);
    },
    plugins: [
      {
        name: 'miniprogram-runtime-entry',
        resolveId: (id) => (id === ENTRY ? ENTRY : null),
        load: (id) => (id === ENTRY ? ENTRY_CODE : null),
      },
      {
        name: 'refuse-wasm-webgpu',
        resolveId: (id) => (REFUSED.has(id) ? `\0refused:${id}` : null),
        // Refuses when used, not when loaded: inlined dynamic imports run in the bundle's top level.
        load: (id) =>
          id.startsWith('\0refused:')
            ? `export function setWasmPaths() { throw new Error(${JSON.stringify(`${id.slice('\0refused:'.length)} is not in the mini-program build (webgl and cpu only)`)}); }`
            : null,
      },
      // The runtime's int8 kernels (.wat assembled by wabt, .wgsl as text); a mini-program without WebAssembly
      // or WebGPU never runs them.
      watPlugin(),
      wgslPlugin(),
      nodeResolve({ browser: true, preferBuiltins: false, exportConditions: ['@localrec/source'] }),
      commonjs({ ignore: ['fs', 'path', 'os', 'perf_hooks', 'worker_threads', 'crypto', 'util'] }),
      esbuild({ target: 'es2017', tsconfig: join(repo, 'tsconfig.base.json') }),
      {
        name: 'list',
        moduleParsed: (m) => {
          modules.push(m.id);
        },
      },
      {
        name: 'minify-es2017',
        renderChunk: async (code) => ({
          code: (await transform(code, { minify: true, target: 'es2017', legalComments: 'eof' })).code,
          map: null,
        }),
      },
    ],
  };
  const output = { format: 'cjs', exports: 'named', inlineDynamicImports: true, intro: GLOBAL_INTRO };
  return { input, output, modules };
}

/**
 * Builds the runtime file in memory.
 * @returns {Promise<{ code: string, modules: string[] }>} the minified code and every module bundled
 */
export async function buildMiniProgramRuntime() {
  const { rollup } = await import('rollup');
  const { input, output, modules } = await miniProgramRuntimeOptions();
  const bundle = await rollup(input);
  try {
    const { output: files } = await bundle.generate(output);
    return { code: files[0].code, modules };
  } finally {
    await bundle.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node packages/miniprogram/scripts/runtime-build.mjs <out-file>');
    process.exit(2);
  }
  const { code } = await buildMiniProgramRuntime();
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFile(out, code);
  console.log(`${out}: ${code.length} B (Runtime + tfjs-core + webgl + cpu, CommonJS, minified)`);
}
