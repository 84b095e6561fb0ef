// One rollup config for every bundle LocalRec ships. Each package that ships a bundle adds
// its entries in the section marked with its name. Sources are resolved through the
// `@localrec/source` export condition, so no per-package pre-build is needed.
import { existsSync } from 'node:fs';
import resolve from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import esbuild from 'rollup-plugin-esbuild';

const browserPlugins = ({ minify = false } = {}) => [
  resolve({ browser: true, preferBuiltins: false, exportConditions: ['@localrec/source'] }),
  // tfjs's CJS parts reference Node built-ins behind runtime checks; never bundle them.
  commonjs({ ignore: ['fs', 'path', 'os', 'perf_hooks', 'worker_threads', 'crypto', 'util'] }),
  esbuild({ target: 'es2020', minify, sourceMap: true, tsconfig: 'tsconfig.base.json' }),
];

const onwarn = (warning, warn) => {
  // tfjs and its deps use `this` at module top level and circular imports; both are harmless.
  if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
  warn(warning);
};

/** @type {import('rollup').RollupOptions[]} */
const configs = [];
const add = (input, cfg) => { if (existsSync(input)) configs.push({ input, onwarn, ...cfg }); };

// ---- @localrec/sdk: main-thread SDK (no tfjs). ESM for bundlers + minified IIFE for <script>.
add('packages/sdk/src/index.ts', {
  plugins: browserPlugins(),
  output: { file: 'packages/sdk/dist/index.js', format: 'es', sourcemap: true },
});
add('packages/sdk/src/index.ts', {
  plugins: browserPlugins({ minify: true }),
  output: { file: 'packages/sdk/dist/localrec.min.js', format: 'iife', name: 'LocalRec', sourcemap: true },
});

// ---- @localrec/runtime: the worker bundle (tfjs + model + comlink). Module worker, ESM.
add('packages/runtime/src/worker.ts', {
  plugins: browserPlugins(),
  output: { file: 'packages/runtime/dist/worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
});

export default configs;
