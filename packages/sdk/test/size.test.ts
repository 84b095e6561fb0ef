// The script tag's size budgets (issue 12), measured on what ships: each file is built here, in
// memory, from the repo's own rollup config (the exact entry, plugins and output options that
// `pnpm build` uses), so the test can never read a stale file. On failure the log lines show which
// package grew, and the size of every lazily imported file.
//
// - A page that only records loads `localrec.min.js` and nothing else during init and track
//   (test/e2e/chunks.test.ts checks that in Chromium). Issue 12 asks for ≤ 12 KB gzip. It was
//   12,254 B before issue 13's lifecycle fixes, which must ship in the script tag (the cross-tab
//   erase, consent per purpose and Global Privacy Control, retention at open, the cache listing of
//   exportData(), the `model` loader, recentlyViewed/buyAgain): 14,585 B. Moving what record-only
//   pages never run into `localrec-extras.min.mjs` (loaded on first use: the memory fallback store,
//   the erase and export reads, the quota eviction, the IndexedDB store's error messages and its
//   deletion, the insights calls, the answers without a runtime; see COLD_MODULES in
//   rollup.config.mjs) brought it to 12,759 B at the session-10 merge; leaving idb's shortcut and
//   async-iterator traps out (the store uses neither: `localrec-idb-core-only`, ~430 B) and loading
//   the opt-in files through the one loader of chunks.ts: 12,209 B, within the 12 KB target, which
//   is now the budget (BUDGET_RECORD_ONLY = TARGET_RECORD_ONLY). What is left is what every
//   recording page runs (the core recorder, event validation, the SDK facade, idb's wrapper, the
//   IndexedDB store, config checks: the log below gives each package's bytes).
// - A page with a model loads `localrec-model.min.mjs` too, at init (the extras only on first use,
//   as without a model): 19,119 B in all at the session-10 merge, 17,269 B in session 11. The
//   connector file went from 6,360 to 5,060 B: it takes LocalRecError, serializeError, preview, the
//   worker and Web Locks accessors and the extras loader from `localrec.min.js` (SHARED_MODULES).
//   Session 13 (issue 12's ≤ 16 KB, now the budget: BUDGET_WITH_MODEL = TARGET_WITH_MODEL): 5,134
//   → 4,103 B, so 12,266 + 4,103 = 16,369 B. What it runs only off the usual path moved to a lazy
//   file of its own, `localrec-model-extras.min.mjs` (~2.4 KB; the record-only extras do not grow
//   with it, they shrank from 5,112 to ~4,050 B): the page history with the memory fallback, the
//   main-thread transport and its WORKER_UNAVAILABLE notice, why a worker failed (the HEAD request
//   and its messages), the cross-origin bootstrap, the errors of a worker that cannot start, stops
//   or does not answer, and the messages of a bad `model` option (the checks themselves stay, in
//   model-check.ts, and are the only ones: the connector is made by `checkedWorkerRuntime`, not
//   checked a second time by `workerRuntime`). Also: one generic forwarding of the runtime's
//   methods (connect.ts, comlink.ts's Proxy instead of a wrapper per contract method) and the
//   shared bindings set in one assignment (rollup.config.mjs's localrec-shared). Comlink (~1.75 KB
//   gzip of the file) is whole: its one module cannot be imported in parts, and the page uses its
//   `expose` too (the progress callback crosses as a Comlink proxy).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { describe, expect, test } from 'vitest';

const repo = join(import.meta.dirname, '../../..');
/** Issue 12's targets. */
const TARGET_RECORD_ONLY = 12 * 1024;
const TARGET_WITH_MODEL = 16 * 1024;
/** The budgets the files must stay within (see the header): the target without a model, what is met today with one. */
const BUDGET_RECORD_ONLY = TARGET_RECORD_ONLY; // 12,209 B (session 11)
const BUDGET_WITH_MODEL = TARGET_WITH_MODEL; // 16,369 B (session 13; 17,400 B before)
/** The script tag's lazily imported files: what needs each. */
const LAZY: Record<string, string> = {
  'localrec-capture.min.mjs': 'autoCapture',
  'localrec-model.min.mjs': 'model (at init)',
  'localrec-extras.min.mjs': 'exportData/forgetMe/memory fallback/storage errors/insights/no-runtime answers (first use)',
  'localrec-model-extras.min.mjs':
    'with a model, off the usual path: page history, main-thread fallback, worker failures, cross-origin start, bad `model` (first use)',
};
/** The lazy files `localrec.min.js` imports itself; the others are imported by one of these (named there). */
const NAMED_BY: Record<string, string> = { 'localrec-model-extras.min.mjs': 'localrec-model.min.mjs' };

type Built = { code: string; byPackage: Record<string, number> };

/** Builds one of the config's outputs in memory; `byPackage` = pre-minification bytes per package, for diagnosis. */
async function build(file: string): Promise<Built> {
  const prev = process.cwd();
  process.chdir(repo); // the config's paths are relative to the repo root
  try {
    const { default: configs } = (await import(join(repo, 'rollup.config.mjs'))) as { default: RollupOptions[] };
    const cfg = configs.find((c) => (c.output as OutputOptions | undefined)?.file?.endsWith(file));
    expect(cfg, `rollup.config.mjs has no entry for ${file}`).toBeDefined();
    const { output, ...input } = cfg!;
    const bundle = await rollup(input);
    try {
      const { output: chunks } = await bundle.generate(output as OutputOptions);
      expect(chunks.filter((c) => c.type === 'chunk')).toHaveLength(1);
      const chunk = chunks[0];
      const byPackage: Record<string, number> = {};
      for (const [id, m] of Object.entries(chunk.modules)) {
        const pkg = /packages\/([^/]+)\//.exec(id)?.[1] ?? /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(id)?.[1] ?? id;
        byPackage[pkg] = (byPackage[pkg] ?? 0) + m.renderedLength;
      }
      return { code: chunk.code, byPackage };
    } finally {
      await bundle.close();
    }
  } finally {
    process.chdir(prev);
  }
}

const gzip = (code: string): number => gzipSync(code, { level: 9 }).length;

/** The ES build (`dist/index.js` and its chunks), in memory, without the config's dist clean-up. */
async function buildEsm(): Promise<Record<string, string>> {
  const prev = process.cwd();
  process.chdir(repo);
  try {
    const { default: configs } = (await import(join(repo, 'rollup.config.mjs'))) as { default: RollupOptions[] };
    const cfg = configs.find((c) => (c.output as OutputOptions | undefined)?.entryFileNames === 'index.js');
    expect(cfg, 'rollup.config.mjs has no ES build of the SDK').toBeDefined();
    const { output, plugins, ...input } = cfg!;
    const kept = [plugins].flat().filter((p) => (p as { name?: string } | null)?.name !== 'localrec-clean-dir');
    const bundle = await rollup({ ...input, plugins: kept });
    try {
      const { output: files } = await bundle.generate(output as OutputOptions);
      return Object.fromEntries(files.flatMap((f) => (f.type === 'chunk' ? [[f.fileName, f.code]] : [])));
    } finally {
      await bundle.close();
    }
  } finally {
    process.chdir(prev);
  }
}

describe('script-tag build', () => {
  test('localrec.min.js (all a record-only page loads) is one self-contained IIFE within its budget, no tfjs, no cookies, no Web Storage', async () => {
    const { code, byPackage } = await build('packages/sdk/dist/localrec.min.js');
    const gz = gzip(code);
    const br = brotliCompressSync(code).length;
    const lazy = await Promise.all(Object.keys(LAZY).map(async (f) => [f, gzip((await build(`packages/sdk/dist/${f}`)).code)] as const));
    console.log(
      `localrec.min.js: ${code.length} B minified, ${gz} B gzip, ${br} B brotli (budget ${BUDGET_RECORD_ONLY} B gzip, issue 12's target ${TARGET_RECORD_ONLY} B); ` +
        `lazy files: ${lazy.map(([f, n]) => `${f} ${n} B gzip (${LAZY[f]})`).join(', ')}; ` +
        `unminified bytes by package: ${JSON.stringify(byPackage)}`,
    );
    expect(gz).toBeLessThanOrEqual(BUDGET_RECORD_ONLY);
    expect(code).not.toMatch(/tensorflow|tfjs/i);
    // An IIFE: nothing imported statically, nothing exported. The one dynamic import is the loader
    // of the lazy files (chunks.ts: the extras, and the opt-in capture and model files), from the
    // SDK's own folder; every lazy file is named in the code.
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    expect(code.match(/import\(/g) ?? []).toHaveLength(1);
    for (const f of Object.keys(LAZY).filter((f) => !NAMED_BY[f])) expect(code).toContain(`"${f}"`);
    // The privacy promise, checked on the shipped code: no cookies, no localStorage/sessionStorage.
    expect(code).not.toMatch(/document\.cookie|localStorage|sessionStorage/);
  }, 120_000);

  test("the IndexedDB store's code uses none of idb's traps that localrec.min.js leaves out (shortcuts, async iterators)", () => {
    // rollup.config.mjs's localrec-idb-core-only: `db.get('meta', key)` or `for await (… of store)` would fail there only.
    const dir = join(repo, 'packages/store-idb/src');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, ''); // code, not comments
      expect(src, f).not.toMatch(/\.(get|getKey|getAll|getAllKeys|count|put|add|delete|clear)(FromIndex)?\(\s*['"`](events|meta)['"`]/);
      expect(src, f).not.toMatch(/for\s+await\b|\.iterate\(|Symbol\.asyncIterator/);
    }
  });

  test('localrec-capture.min.mjs (opt-in declarative capture) is a small ES module exporting startAutoCapture', async () => {
    const { code } = await build('packages/sdk/dist/localrec-capture.min.mjs');
    console.log(`localrec-capture.min.mjs: ${code.length} B minified, ${gzip(code)} B gzip`);
    expect(code).toMatch(/export\s*\{[^}]*startAutoCapture/);
    expect(gzip(code)).toBeLessThan(2048);
    expect(code).not.toMatch(/document\.cookie|localStorage|sessionStorage|indexedDB/);
  }, 120_000);

  test('localrec-extras.min.mjs is one ES module taking LocalRecError from localrec.min.js (no copy of its own), no tfjs', async () => {
    const { code, byPackage } = await build('packages/sdk/dist/localrec-extras.min.mjs');
    console.log(
      `localrec-extras.min.mjs: ${code.length} B minified, ${gzip(code)} B gzip; unminified bytes by package: ${JSON.stringify(byPackage)}`,
    );
    expect(code).toMatch(/export\s*\{[^}]*__share/);
    expect(code).toMatch(/export\s*\{[^}]*\bdestroyStores\b/);
    expect(code).not.toMatch(/class \w+ extends Error/); // LocalRecError is the main bundle's
    expect(code).not.toMatch(/^\s*import\s|import\(/m);
    expect(code).not.toMatch(/tensorflow|tfjs|document\.cookie|localStorage|sessionStorage/);
    expect(gzip(code)).toBeLessThanOrEqual(5 * 1024);
  }, 120_000);

  test("localrec-model-extras.min.mjs (the model connector's off-path code) is one ES module taking LocalRecError from localrec.min.js, no tfjs; its one dynamic import is runtime.js", async () => {
    const { code, byPackage } = await build('packages/sdk/dist/localrec-model-extras.min.mjs');
    console.log(
      `localrec-model-extras.min.mjs: ${code.length} B minified, ${gzip(code)} B gzip; unminified bytes by package: ${JSON.stringify(byPackage)}`,
    );
    expect(code).toMatch(/export\s*\{[^}]*__share/);
    expect(code).toMatch(/export\s*\{[^}]*\bstartFailed\b/);
    expect(code).not.toMatch(/class \w+ extends Error/);
    expect(code).not.toMatch(/^\s*import\s/m);
    // The main-thread fallback (mode 'auto' or 'main-thread') imports the runtime's runtime.js: the only tfjs a page can load, and only then.
    expect(code.match(/import\(/g) ?? []).toHaveLength(1);
    expect(code).toContain('"runtime.js"');
    expect(code).not.toMatch(/tensorflow|tfjs|document\.cookie|localStorage|sessionStorage/);
    expect(gzip(code)).toBeLessThanOrEqual(3 * 1024);
  }, 120_000);

  test('localrec-model.min.mjs (the runtime connector, only for `model`) is one small ES module, no tfjs; a page with a model stays within its budget', async () => {
    const { code, byPackage } = await build('packages/sdk/dist/localrec-model.min.mjs');
    const recording = await build('packages/sdk/dist/localrec.min.js');
    const gz = gzip(code);
    // What a page with a model loads at init: the script and the connector file (the extras only on
    // first use of what is in them, like a page without a model).
    const total = gz + gzip(recording.code);
    console.log(
      `localrec-model.min.mjs: ${code.length} B minified, ${gz} B gzip; main thread with a model ${total} B gzip ` +
        `(localrec.min.js + localrec-model.min.mjs; budget ${BUDGET_WITH_MODEL} B, issue 12's target ${TARGET_WITH_MODEL} B); ` +
        `unminified bytes by package: ${JSON.stringify(byPackage)}`,
    );
    expect(code).toMatch(/export\s*\{[^}]*modelConnector/);
    expect(code).not.toMatch(/tensorflow|tfjs/i);
    // Static imports would be more files on the main thread; no dynamic import either: runtime.js
    // (the main-thread fallback) is imported by its off-path file, which it loads through localrec.min.js's loader.
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/import\(/);
    expect(code).toContain('"localrec-model-extras.min.mjs"');
    expect(code).not.toMatch(/document\.cookie|localStorage|sessionStorage/);
    expect(gz).toBeLessThanOrEqual(5.5 * 1024);
    expect(total).toBeLessThanOrEqual(BUDGET_WITH_MODEL);
  }, 120_000);

  test('the ES build keeps the connector out of index.js: a chunk imported only by `model`', async () => {
    const files = await buildEsm();
    const index = files['index.js'];
    expect(index).toBeDefined();
    const chunks = Object.keys(files).filter((f) => f !== 'index.js');
    console.log(`ES build: index.js ${gzip(index!)} B gzip; ${chunks.map((f) => `${f} ${gzip(files[f]!)} B gzip`).join(', ')}`);
    expect(chunks).toEqual([expect.stringMatching(/^chunks\/model-entry-[\w-]+\.js$/)]);
    // The worker start (its Web Lock name) is in the chunk only, and index.js imports the chunk lazily.
    expect(index).not.toContain('localrec-runtime-alive');
    expect(files[chunks[0]!]).toContain('localrec-runtime-alive');
    expect(index).toContain(`import('./${chunks[0]}')`);
    expect(index).not.toMatch(new RegExp(`^import[^(]*${chunks[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  }, 120_000);
});
