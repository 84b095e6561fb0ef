// One rollup config for every bundle LocalRec ships. Each package that ships a bundle adds
// its entries in the section marked with its name. Sources are resolved through the
// `@localrec/source` export condition, so no per-package pre-build is needed.
import { existsSync, realpathSync } from 'node:fs';
import resolve from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import esbuild from 'rollup-plugin-esbuild';
import terser from '@rollup/plugin-terser';
import { dts as dtsPlugin } from 'rollup-plugin-dts';

const browserPlugins = ({ minify = false, target = 'es2020' } = {}) => [
  resolve({ browser: true, preferBuiltins: false, exportConditions: ['@localrec/source'] }),
  // tfjs's CJS parts reference Node built-ins behind runtime checks; never bundle them.
  commonjs({ ignore: ['fs', 'path', 'os', 'perf_hooks', 'worker_threads', 'crypto', 'util'] }),
  esbuild({ target, minify, sourceMap: true, tsconfig: 'tsconfig.base.json' }),
];

const onwarn = (warning, warn) => {
  // tfjs and its deps use `this` at module top level and circular imports; both are harmless.
  if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
  warn(warning);
};

/** A plugin that empties `dir` when a build starts (chunk names carry content hashes: old ones would pile up). */
const cleanDir = (dir) => ({
  name: 'localrec-clean-dir',
  async buildStart() {
    const { rmSync } = await import('node:fs');
    rmSync(dir, { recursive: true, force: true });
  },
});

/** @type {import('rollup').RollupOptions[]} */
const configs = [];
const add = (input, cfg) => {
  if (existsSync(input)) configs.push({ input, onwarn, ...cfg });
};
// One bundled .d.ts per public package (rollup-plugin-dts): the internal packages it uses
// (@localrec/core, contract, transport, insights, store-*) are private, so their types are inlined
// and the package's types stand alone. `external` keeps the packages a consumer installs anyway
// (the trainer's own dependencies) as imports. `types: []`: no @types/node unless asked for
// (loading them made this step 2-3x slower). Each package's .d.ts is built in its own process
// (`LOCALREC_BUILD=types:<pkg>`, see the end of this file).
const typesOf = new Map(); // config → package name, for LOCALREC_BUILD=types:<pkg>
// Third-party packages whose types no public declaration may use (a consumer does not install
// them: the bundles inline them). They are external to the type build all the same, so
// rollup-plugin-dts never loads their declarations: internal modules reachable from a public
// entry (e.g. the runtime's backends, through @localrec/model's scorer) import tfjs, and
// inlining tfjs-core's ~300 .d.ts files took rollup-plugin-dts past an 8 GB heap. The check below
// fails the build if a surviving declaration still imports one of them.
// (comlink's and idb's few declarations are inlined where a public type uses them.)
const HIDDEN_TYPES = [/^@tensorflow\//, /^@webgpu\//, /^@noble\//];
const hiddenTypesCheck = (pkg) => ({
  name: 'localrec-hidden-types',
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      const bad = chunk.type === 'chunk' ? chunk.imports.filter((id) => HIDDEN_TYPES.some((re) => re.test(id))) : [];
      if (bad.length)
        this.error(`@localrec/${pkg}'s public types (${chunk.fileName}) reference ${bad.join(', ')}, which its consumers do not install.`);
    }
  },
});
// `external`: a function for a package whose consumers install its third-party dependencies
// (the trainer): those may appear in its types, so the check is off.
// rollup-plugin-dts resolves `@localrec/*` through the workspace's node_modules symlinks, while the
// TypeScript program it made for the entry holds the same files under their real paths: each
// symlinked path then got a TypeScript program of its own (one per module, each with the whole
// closure: past an 8 GB heap). Resolving to the real path lets every module come from one program.
const realWorkspacePaths = {
  name: 'localrec-real-workspace-paths',
  async resolveId(source, importer, options) {
    if (!importer || !source.startsWith('@localrec/')) return null;
    const r = await this.resolve(source, importer, { ...options, skipSelf: true });
    return r && !r.external && existsSync(r.id) ? { ...r, id: realpathSync(r.id) } : r;
  },
};
const addTypes = (pkg, input, { external, types = [] } = {}) => {
  const first = typeof input === 'string' ? input : Object.values(input)[0];
  if (!existsSync(first)) return;
  const config = {
    input,
    onwarn,
    external: external ?? ((id) => HIDDEN_TYPES.some((re) => re.test(id))),
    plugins: [
      ...(external ? [] : [hiddenTypesCheck(pkg)]),
      realWorkspacePaths,
      dtsPlugin({
        respectExternal: true,
        tsconfig: 'tsconfig.base.json',
        compilerOptions: { customConditions: ['@localrec/source'], types },
      }),
    ],
    output:
      typeof input === 'string'
        ? { file: `packages/${pkg}/dist/index.d.ts`, format: 'es' }
        : { dir: `packages/${pkg}/dist`, format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'types/[name].d.ts' },
  };
  typesOf.set(config, pkg);
  configs.push(config);
};

// ---- @localrec/sdk: main-thread SDK (no tfjs). ESM for bundlers + minified IIFE for <script>.
// Both bundle @localrec/core, @localrec/store-idb and idb, so the package stands alone; the
// .d.ts is bundled the same way (rollup-plugin-dts), so its types stand alone too.
// `model` imports the runtime's page side (model-entry.ts) as a chunk beside index.js, on first use.
add('packages/sdk/src/index.ts', {
  preserveEntrySignatures: 'allow-extension',
  plugins: [cleanDir('packages/sdk/dist/chunks'), ...browserPlugins()],
  output: {
    dir: 'packages/sdk/dist',
    format: 'es',
    entryFileNames: 'index.js',
    // index.js itself exports what the chunk shares with it (no facade file in between).
    chunkFileNames: 'chunks/[name]-[hash].js',
    sourcemap: true,
    sourcemapExcludeSources: true,
  },
});
// The script tag's lazily loaded code. `localrec.min.js` keeps what every page runs (recording,
// consent, flushing, the runtime link); what pages that only record never run is in
// `localrec-extras.min.mjs`, imported from the same folder on the first call that needs it
// (packages/sdk/src/chunks.ts): the modules below, each of async functions only, are replaced in
// `localrec.min.js` by functions that import that file and call the real one (a call made before it
// arrives waits for it, in order). packages/sdk/test/chunks.test.ts checks that every export of
// these modules is an async function and is listed here.
export const COLD_MODULES = {
  'localrec-extras.min.mjs': {
    'packages/core/src/cold.ts': [
      'memoryFallback',
      'openFallback',
      'appendOverQuota',
      'destroyStores',
      'readResidue',
      'countWithin',
      'tailWithin',
      'dumpWithin',
    ],
    'packages/store-idb/src/cold.ts': ['queryEvents', 'dumpEvents', 'storageFailure', 'deleteWhenUnblocked'],
    'packages/sdk/src/cold.ts': ['withCaches', 'withoutCaches', 'askInsight', 'askScenario', 'noRuntimeApi'],
  },
  // What localrec-model.min.mjs runs only off the usual path: the page's own history with the
  // memory fallback, the main-thread fallback and its notice, a worker that cannot start (why, for
  // the message), the cross-origin bootstrap, a runtime that stops or does not answer, a bad
  // `model` option. A file of its own, so that the extras of record-only pages do not grow with it.
  'localrec-model-extras.min.mjs': {
    'packages/sdk/src/model-errors.ts': ['badModel'],
    'packages/transport/src/cold.ts': ['readPageHistory', 'openInThread', 'stoppedBefore', 'timedOut', 'wasDisposed'],
    'packages/runtime/src/connector-cold.ts': ['startFailed', 'cannotStart', 'asWorkerCrash', 'bootstrapUrl', 'mainThreadFallback'],
  },
};
/** Cold module → the file it is in. */
const coldFile = Object.fromEntries(Object.entries(COLD_MODULES).flatMap(([file, mods]) => Object.keys(mods).map((m) => [m, file])));
const coldNames = Object.assign({}, ...Object.values(COLD_MODULES));
// What the lazily imported files (the extras, the model connector) take from `localrec.min.js`
// instead of bundling copies of their own (one LocalRecError class and one capability cache on the
// page): module → export names. The loaders hand these over (`__share(shared)`,
// packages/sdk/src/shared.ts: an array of these, in this order). A module's other exports stay the
// file's own: one that uses a shared name of its module must be shared too (or live in a module
// of its own, as `deserializeError` does in core's error-wire.ts).
export const SHARED_MODULES = {
  'packages/core/src/errors.ts': ['LocalRecError', 'serializeError'],
  'packages/core/src/preview.ts': ['preview'],
  'packages/core/src/env.ts': ['webLocks', 'workerConstructor'],
  // The model connector file's cold functions (COLD_MODULES) load the extras through the main bundle's loader.
  'packages/sdk/src/chunks.ts': ['chunk'],
};
const sdkSrc = (f) => `${process.cwd()}/${f}`;
/** `file` (a rollup id) as one of `table`'s keys, or undefined. */
const keyOf = (table, id) => Object.keys(table).find((f) => id.replace(/\.[jt]s$/, '') === sdkSrc(f).replace(/\.[jt]s$/, ''));
/** A plugin that replaces the modules of `table` (resolved from anywhere but its own virtual modules) with `virtual(key)`. */
const replaceModules = (name, table, virtual) => ({
  name,
  async resolveId(source, importer, options) {
    if (!importer || source.startsWith('\0') || importer.startsWith(`\0${name}:`)) return null;
    const r = await this.resolve(source, importer, { ...options, skipSelf: true });
    const key = r && !r.external && !r.id.startsWith('\0') ? keyOf(table, realpathSync(r.id)) : undefined;
    return key ? `\0${name}:${key}` : null;
  },
  load: (id) => (id.startsWith(`\0${name}:`) ? virtual(id.slice(name.length + 2)) : null),
});
/** In `localrec.min.js`: each cold module's functions import the file it is in and call the real one. */
const coldFromChunks = replaceModules(
  'localrec-cold',
  coldNames,
  (key) =>
    `import { chunk } from ${JSON.stringify(sdkSrc('packages/sdk/src/chunks.ts'))};\n` +
    coldNames[key]
      .map((n) => `export const ${n} = (...a) => chunk(${JSON.stringify(coldFile[key])}).then((m) => m.${n}(...a));`)
      .join('\n'),
);
/** In a lazily imported file: `table`'s modules are bindings the loader sets through the file's `__share` export. */
const shareFromMain = (table) => {
  // `shared` is an array in the table's order (packages/sdk/src/shared.ts): each name is at its index.
  const all = Object.values(table).flat();
  return [
    replaceModules(
      'localrec-share',
      table,
      // The module's other exports stay its own (an explicit export shadows the star export).
      (key) =>
        `export * from ${JSON.stringify(sdkSrc(key))};\n` +
        `export { ${table[key].map((n) => `s${all.indexOf(n)} as ${n}`).join(', ')} } from '\\0localrec-shared';`,
    ),
    {
      name: 'localrec-shared',
      resolveId: (id) => (id === '\0localrec-shared' ? id : null),
      load: (id) =>
        id === '\0localrec-shared'
          ? `export let ${all.map((_, i) => `s${i}`).join(', ')};\n` +
            `export const __share = (s) => { [${all.map((_, i) => `s${i}`).join(', ')}] = s; };`
          : null,
    },
  ];
};
/** A virtual entry: `exports` (module → names) re-exported, with `__share`. */
const virtualEntry = (id, modules) => ({
  name: 'localrec-entry',
  resolveId: (source) => (source === id ? id : null),
  load: (source) =>
    source === id
      ? Object.keys(modules)
          .map((f) => `export * from ${JSON.stringify(sdkSrc(f))};`)
          .concat("export { __share } from '\\0localrec-shared';")
          .join('\n')
      : null,
});
// The script tag's budget (packages/sdk/test/size.test.ts; issue 12 asks for 12 KB gzip): ES2022
// syntax (no class-field helpers; Chrome 94+, Safari 15+, Firefox 93+) and terser's two passes on
// top of esbuild save about 800 B gzip; the cold modules above go to localrec-extras.min.mjs.
// idb's entry installs two sets of proxy traps at import time: the shortcuts (`db.get('meta', key)`,
// `db.count(…)`) and the async iterators (`for await (const c of store)`). The IndexedDB store uses
// neither (plain transactions and cursors: packages/store-idb/src/store.ts, cold.ts), so the script
// tag leaves both out (~0.45 KB gzip). The build fails if idb's code no longer has them as expected.
const idbCoreOnly = {
  name: 'localrec-idb-core-only',
  transform(code, id) {
    if (!/[\\/]idb[\\/]build[\\/]index\.js$/.test(id)) return null;
    const from = code.indexOf('const readMethods = ');
    const to = code.indexOf('export { ');
    if (
      from < 0 ||
      to < from ||
      (code.slice(from, to).match(/\breplaceTraps\(/g) ?? []).length !== 2 ||
      code.indexOf('replaceTraps(', to) >= 0
    )
      this.error(`idb's ${id} changed: its shortcut and async-iterator traps were not found where localrec-idb-core-only expects them`);
    return { code: code.slice(0, from) + code.slice(to), map: null };
  },
};
add('packages/sdk/src/iife.ts', {
  plugins: [
    idbCoreOnly,
    coldFromChunks,
    ...browserPlugins({ minify: true, target: 'es2022' }),
    terser({ ecma: 2020, compress: { passes: 2 }, format: { comments: false } }),
  ],
  output: { file: 'packages/sdk/dist/localrec.min.js', format: 'iife', sourcemap: true, sourcemapExcludeSources: true },
});
// The cold modules' files (above), imported by localrec.min.js on first use.
for (const [file, modules] of Object.entries(COLD_MODULES))
  configs.push({
    input: `\0localrec-chunk:${file}`,
    onwarn,
    plugins: [
      virtualEntry(`\0localrec-chunk:${file}`, modules),
      ...shareFromMain(SHARED_MODULES),
      ...browserPlugins({ minify: true, target: 'es2022' }),
      terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
    ],
    output: { file: `packages/sdk/dist/${file}`, format: 'es', sourcemap: true, sourcemapExcludeSources: true },
  });
// Declarative capture for the script tag (ES module), imported by localrec.min.js only when a
// page opts in with autoCapture.
add('packages/sdk/src/capture-entry.ts', {
  plugins: [
    ...browserPlugins({ minify: true, target: 'es2022' }),
    terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
  ],
  output: { file: 'packages/sdk/dist/localrec-capture.min.mjs', format: 'es', sourcemap: true, sourcemapExcludeSources: true },
});
// The runtime's page side for the script tag (ES module: @localrec/runtime's connector, Comlink),
// imported by localrec.min.js only when a page sets `model`. Recording-only pages never load it;
// with a model, both files together stay ≤ 16 KB gzip (packages/sdk/test/size.test.ts).
// It takes SHARED_MODULES from localrec.min.js like the extras (global.ts's loader hands them over).
configs.push({
  input: '\0localrec-chunk:localrec-model.min.mjs',
  onwarn,
  plugins: [
    virtualEntry('\0localrec-chunk:localrec-model.min.mjs', { 'packages/sdk/src/model-entry.ts': ['modelConnector'] }),
    coldFromChunks,
    ...shareFromMain(SHARED_MODULES),
    ...browserPlugins({ minify: true, target: 'es2022' }),
    terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
  ],
  output: { file: 'packages/sdk/dist/localrec-model.min.mjs', format: 'es', sourcemap: true, sourcemapExcludeSources: true },
});
addTypes('sdk', 'packages/sdk/src/index.ts');

// ---- @localrec/runtime (begin) ----------------------------------------------------------------
// worker.js (module worker entry) and runtime.js (the same runtime for the main thread, imported by
// the connector only when workers are unavailable) share their tfjs code through chunks/; each
// backend package is its own lazily imported chunk. tfjs-backend-wasm's .wasm files are copied
// next to them (the runtime calls setWasmPaths(<assetsUrl>)). connector.js is the main-thread
// side: Comlink only, no tfjs.
const copyWasm = {
  name: 'localrec-copy-wasm',
  async writeBundle() {
    const { createRequire } = await import('node:module');
    const { copyFileSync, readdirSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const require = createRequire(join(process.cwd(), 'packages/runtime/package.json'));
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    for (const f of readdirSync(dist)) if (f.endsWith('.wasm')) copyFileSync(join(dist, f), join('packages/runtime/dist', f));
  },
};
// Chunk names carry content hashes: drop the previous build's, or dist/chunks grows every build.
const cleanChunks = {
  name: 'localrec-clean-chunks',
  async buildStart() {
    const { rmSync } = await import('node:fs');
    rmSync('packages/runtime/dist/chunks', { recursive: true, force: true });
  },
};
// The int8 kernels' .wat sources (packages/runtime/src/int8) are assembled by wabt and inlined as bytes.
const { watPlugin } = await import('./packages/runtime/scripts/wat.mjs');
// The WebGPU kernel's .wgsl sources are inlined as text.
const { wgslPlugin } = await import('./packages/runtime/scripts/wgsl.mjs');
if (existsSync('packages/runtime/src/worker.ts')) {
  configs.push({
    input: { worker: 'packages/runtime/src/worker.ts', runtime: 'packages/runtime/src/browser.ts' },
    onwarn,
    cache: false, // tfjs is large: keep no module graph around for the configs that follow
    plugins: [cleanChunks, watPlugin(), wgslPlugin(), ...browserPlugins(), copyWasm],
    output: {
      dir: 'packages/runtime/dist',
      format: 'es',
      sourcemap: true,
      sourcemapExcludeSources: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
    },
  });
}
add('packages/runtime/src/connector.ts', {
  cache: false,
  plugins: browserPlugins(),
  output: { file: 'packages/runtime/dist/connector.js', format: 'es', sourcemap: true, sourcemapExcludeSources: true },
});
// The `localrec-assets` bin (bin/localrec-assets.mjs imports it): Node only, no dependency but
// Node's built-ins; outside the browser entries' graphs (nothing under src/ imports src/assets/).
add('packages/runtime/src/assets/cli.ts', {
  external: (id) => id.startsWith('node:'),
  plugins: [esbuild({ target: 'node20', platform: 'node', tsconfig: 'tsconfig.base.json' })],
  output: { file: 'packages/runtime/dist/cli/assets.js', format: 'es' },
});
// The runtime's types: `.` (runtime.js, the in-thread runtime) and `./connector` (connector.js).
addTypes('runtime', { runtime: 'packages/runtime/src/browser.ts', connector: 'packages/runtime/src/connector.ts' });
// ---- @localrec/runtime (end) ------------------------------------------------------------------

// ---- @localrec/miniprogram (begin) ------------------------------------------------------------
// WeChat's "build npm" copies the folder named by package.json "miniprogram" (dist/miniprogram)
// into miniprogram_npm/ and require()s its index.js: so that build is ONE CommonJS file with
// everything bundled (core, store-kv, comlink), minified, ES2017 syntax for older JS engines.
// The ESM build and the bundled .d.ts are for bundlers (Taro, uni-app) and Node.
// packages/miniprogram/test/bundle.test.ts builds the CommonJS entry in memory and checks its size.
{
  // The SDK's `model` option imports the web runtime's connector lazily (a chunk, found through
  // import.meta.url): a mini-program has its own runtime connectors, so that module is one that refuses.
  const noWebModel = {
    name: 'localrec-no-web-model',
    resolveId: (id, importer) => (id === './model-esm.js' && importer?.includes('packages/sdk/src/') ? '\0no-web-model' : null),
    load: (id) =>
      id === '\0no-web-model'
        ? "export const esmModel = { base: undefined, load: () => Promise.reject(new Error('model: browsers only')) };"
        : null,
  };
  // Nor IndexedDB: the mini-program facade always gives the SDK its wx-storage store, so the SDK's
  // default store (store-idb and idb, ~19 KB of the one-file build) is one that refuses.
  const noIndexedDb = {
    name: 'localrec-no-indexeddb',
    resolveId: (id, importer) => (id === '@localrec/store-idb' && importer?.includes('packages/sdk/src/') ? '\0no-indexeddb' : null),
    load: (id) =>
      id === '\0no-indexeddb'
        ? "export class IndexedDbEventStore { constructor() { throw new Error('IndexedDB: browsers only; a mini-program stores in wx storage'); } }"
        : null,
  };
  const mpPlugins = (minify) => [
    noWebModel,
    noIndexedDb,
    resolve({ browser: true, preferBuiltins: false, exportConditions: ['@localrec/source'] }),
    esbuild({ target: 'es2017', minify, sourceMap: !minify, tsconfig: 'tsconfig.base.json' }),
  ];
  add('packages/miniprogram/src/index.ts', {
    plugins: [
      ...mpPlugins(true),
      // terser's two passes over esbuild's output save ~4 KB of the package budget (bundle.test.ts).
      terser({ ecma: 2017, compress: { passes: 2 }, format: { comments: false } }),
      {
        name: 'commonjs-marker',
        generateBundle() {
          this.emitFile({ type: 'asset', fileName: 'package.json', source: '{ "type": "commonjs" }\n' });
        },
      },
    ],
    output: { file: 'packages/miniprogram/dist/miniprogram/index.js', format: 'cjs', exports: 'named' },
  });
  add('packages/miniprogram/src/index.ts', {
    plugins: mpPlugins(false),
    output: {
      file: 'packages/miniprogram/dist/index.js',
      format: 'es',
      sourcemap: true,
      sourcemapExcludeSources: true,
    },
  });
  // `@localrec/miniprogram/testing`: the wx stand-ins, for hosts' own Node tests.
  add('packages/miniprogram/src/testing/index.ts', {
    plugins: mpPlugins(false),
    output: { file: 'packages/miniprogram/dist/testing.js', format: 'es', sourcemap: true, sourcemapExcludeSources: true },
  });
  addTypes('miniprogram', { index: 'packages/miniprogram/src/index.ts', testing: 'packages/miniprogram/src/testing/index.ts' });
  // The model runtime for mini-programs (Runtime + tfjs-core + webgl + cpu, one minified CommonJS
  // file with its own `global` for tfjs), written where examples/miniprogram require()s it, so a
  // fresh `pnpm build` gives a complete example. scripts/runtime-build.mjs has the options.
  if (existsSync('packages/miniprogram/scripts/runtime-build.mjs') && existsSync('examples/miniprogram/app.js')) {
    const { miniProgramRuntimeOptions } = await import('./packages/miniprogram/scripts/runtime-build.mjs');
    const { input, output } = await miniProgramRuntimeOptions();
    configs.push({ ...input, output: { ...output, file: 'examples/miniprogram/runtime/index.js' } });
  }
}
// ---- @localrec/miniprogram (end) --------------------------------------------------------------

// ---- @localrec/trainer (begin) ----------------------------------------------------------------
// The Node trainer and its `localrec` bin (bin/localrec.mjs imports dist/index.js): one ES module
// with the internal packages (@localrec/core, @localrec/model) bundled, and every third-party
// package (tfjs, commander, csv-parse, vega…) and Node built-in left as an import: they are the
// trainer's `dependencies`, installed beside it.
{
  const thirdParty = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && !id.startsWith('@localrec/');
  add('packages/trainer/src/index.ts', {
    external: thirdParty,
    plugins: [
      resolve({ preferBuiltins: true, exportConditions: ['@localrec/source', 'node'] }),
      // The manifest's JSON Schema (@localrec/model/manifest.schema.json) is bundled as a module.
      esbuild({ target: 'node20', platform: 'node', sourceMap: true, tsconfig: 'tsconfig.base.json', loaders: { '.json': 'json' } }),
    ],
    output: { file: 'packages/trainer/dist/index.js', format: 'es', sourcemap: true, sourcemapExcludeSources: true },
  });
  // The worker threads (src/threads.ts starts dist/<name>.js beside dist/index.js): the evaluation
  // pool's (eval-pool.ts) and the data-parallel training peer's (data-parallel.ts).
  for (const name of ['eval-worker', 'train-worker'])
    add(`packages/trainer/src/${name}.ts`, {
      external: thirdParty,
      plugins: [
        resolve({ preferBuiltins: true, exportConditions: ['@localrec/source', 'node'] }),
        esbuild({ target: 'node20', platform: 'node', sourceMap: true, tsconfig: 'tsconfig.base.json', loaders: { '.json': 'json' } }),
      ],
      output: { file: `packages/trainer/dist/${name}.js`, format: 'es', sourcemap: true, sourcemapExcludeSources: true },
    });
  addTypes('trainer', 'packages/trainer/src/index.ts', { external: thirdParty, types: ['node'] });
}
// ---- @localrec/trainer (end) ------------------------------------------------------------------

// ---- @localrec/elements (begin) ---------------------------------------------------------------
// The <localrec-recommendations> web component: ESM for bundlers (index.js) and the same code
// minified for script-tag pages (localrec-elements.min.mjs, imported from the page's own folder:
// localrec.min.js never loads it, so the recording budget is untouched). Both bundle the few
// @localrec/core pieces they use (errors, capability accessors), so the package stands alone.
add('packages/elements/src/index.ts', {
  plugins: browserPlugins({ target: 'es2022' }),
  output: { file: 'packages/elements/dist/index.js', format: 'es', sourcemap: true, sourcemapExcludeSources: true },
});
add('packages/elements/src/index.ts', {
  plugins: [
    ...browserPlugins({ minify: true, target: 'es2022' }),
    terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
  ],
  output: { file: 'packages/elements/dist/localrec-elements.min.mjs', format: 'es', sourcemap: true, sourcemapExcludeSources: true },
});
addTypes('elements', 'packages/elements/src/index.ts');
// @localrec/react and @localrec/vue: ESM over the framework and @localrec/elements (both left as
// imports: a consumer installs them), types likewise.
for (const [pkg, deps] of [
  ['react', ['react', '@localrec/elements']],
  ['vue', ['vue', '@localrec/elements']],
]) {
  const external = (id) => deps.some((d) => id === d || id.startsWith(`${d}/`));
  add(`packages/${pkg}/src/index.ts`, {
    external,
    plugins: browserPlugins({ target: 'es2022' }),
    output: { file: `packages/${pkg}/dist/index.js`, format: 'es', sourcemap: true, sourcemapExcludeSources: true },
  });
  addTypes(pkg, `packages/${pkg}/src/index.ts`, { external });
}
// ---- @localrec/elements (end) -----------------------------------------------------------------

// `LOCALREC_BUILD=bundles` (rollup --environment) builds only the JS bundles, `LOCALREC_BUILD=types:<pkg>`
// only that package's bundled .d.ts (sdk, runtime, miniprogram, trainer, elements, react, vue): `pnpm build` runs them as separate processes, because
// rollup-plugin-dts's type programs (they are not freed between configs) and tfjs's bundles in one
// process ran out of an 8 GB heap.
// `LOCALREC_BUILD=bundles:<pkg>` builds one package's JS bundles only (handy while working on it).
const only = process.env.LOCALREC_BUILD ?? '';
const outOf = (c) => String(c.output?.file ?? c.output?.dir ?? '');
export default only === 'bundles'
  ? configs.filter((c) => !typesOf.has(c))
  : only.startsWith('bundles:')
    ? configs.filter((c) => !typesOf.has(c) && outOf(c).startsWith(`packages/${only.slice(8)}/`))
    : only.startsWith('types:')
      ? configs.filter((c) => typesOf.get(c) === only.slice(6))
      : configs;
