// What a mini-program must package to record AND recommend, against WeChat's 2 MB limit per code
// package (MINIPROGRAM_PACKAGE_LIMIT). Both parts are built here, in memory, from the sources:
// - this package's npm build (`dist/miniprogram/index.js`, the rollup.config.mjs entry: SDK,
//   core, KV store, transports, wxFetch);
// - a mini-program build of the model runtime: `Runtime` from @localrec/runtime with tfjs-core and
//   the two backends a mini-program has (webgl, cpu) — the wasm and webgpu backend packages are
//   replaced by a module that refuses, as `miniProgramBackends()` never asks for them — as one
//   minified CommonJS file (ES2017), the form WeChat's "build npm" and `require` take.
// The model files are downloaded at run time (wxFetch), not packaged; their size is reported too.
// The figures are printed; examples/miniprogram/README.md quotes them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { describe, expect, test } from 'vitest';
import { createContext, runInContext } from 'node:vm';
import { createWxStandin } from '@localrec/store-kv/testing';
import { MINIPROGRAM_PACKAGE_LIMIT } from '../src/index.js';
import { createWxRequestStandin } from '../src/testing/index.js';
import { buildMiniProgramRuntime } from '../scripts/runtime-build.mjs';

const repo = join(import.meta.dirname, '../../..');

async function inRepo<T>(fn: () => Promise<T>): Promise<T> {
  const prev = process.cwd();
  process.chdir(repo);
  try {
    return await fn();
  } finally {
    process.chdir(prev);
  }
}

async function generate(input: RollupOptions, output: OutputOptions): Promise<string> {
  const bundle = await rollup(input);
  try {
    const { output: files } = await bundle.generate(output);
    const chunks = files.filter((c) => c.type === 'chunk');
    expect(chunks).toHaveLength(1);
    return (chunks[0] as { code: string }).code;
  } finally {
    await bundle.close();
  }
}

/** The npm build, from the repo's rollup config (as bundle.test.ts does). */
const npmBuild = (): Promise<string> =>
  inRepo(async () => {
    const OUT = 'packages/miniprogram/dist/miniprogram/index.js';
    const { default: configs } = (await import(join(repo, 'rollup.config.mjs'))) as { default: RollupOptions[] };
    const cfg = configs.find((c) => (c.output as OutputOptions | undefined)?.file === OUT);
    expect(cfg, `rollup.config.mjs has no entry for ${OUT}`).toBeDefined();
    const { output, ...input } = cfg!;
    return generate(input, output as OutputOptions);
  });

/** The runtime for a mini-program (scripts/runtime-build.mjs): Runtime + tfjs-core + webgl + cpu, one minified CommonJS file. */
const runtimeBuild = (): Promise<{ code: string; modules: string[] }> => inRepo(() => buildMiniProgramRuntime());

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

let builds: Promise<[string, { code: string; modules: string[] }]> | undefined;
/** Both builds, made once for this file. */
const both = (): Promise<[string, { code: string; modules: string[] }]> =>
  (builds ??= npmBuild().then(async (npm) => [npm, await runtimeBuild()]));

describe('mini-program package size', () => {
  test('the npm build plus a webgl/cpu runtime build fit the 2 MB code package', { timeout: 300_000 }, async () => {
    const [npm, rt] = await both();
    // The runtime build has what a mini-program runs and nothing it refuses.
    expect(rt.code).toMatch(/exports\.Runtime\s*=/);
    expect(rt.code).toContain('is not in the mini-program build');
    expect(rt.modules.some((m) => m.includes('tfjs-backend-webgl'))).toBe(true);
    expect(rt.modules.some((m) => m.includes('tfjs-backend-cpu'))).toBe(true);
    expect(rt.modules.some((m) => m.includes('tfjs-core'))).toBe(true);
    expect(rt.modules.filter((m) => /node_modules\/@tensorflow\/tfjs-backend-(wasm|webgpu)\//.test(m))).toEqual([]);

    const gz = (s: string): number => gzipSync(s, { level: 9 }).length;
    const total = npm.length + rt.code.length;
    const manifest = JSON.parse(readFileSync(join(repo, 'models/demo-shop/manifest.json'), 'utf8')) as {
      files: Record<string, { bytes: number }>;
    };
    const modelBytes = Object.values(manifest.files).reduce((s, f) => s + f.bytes, 0);
    console.log(
      [
        `mini-program package size (limit ${MINIPROGRAM_PACKAGE_LIMIT} B = 2 MB):`,
        `  npm build (SDK, KV store, transports, wxFetch): ${npm.length} B (${kb(npm.length)}) minified, ${gz(npm)} B gzip`,
        `  runtime build (Runtime + tfjs-core + webgl + cpu): ${rt.code.length} B (${kb(rt.code.length)}) minified, ${gz(rt.code)} B gzip`,
        `  together: ${total} B (${kb(total)}) = ${((100 * total) / MINIPROGRAM_PACKAGE_LIMIT).toFixed(1)} % of the limit; ${MINIPROGRAM_PACKAGE_LIMIT - total} B left`,
        `  models/demo-shop (downloaded, not packaged): ${modelBytes} B (${kb(modelBytes)})`,
      ].join('\n'),
    );
    expect(total).toBeLessThanOrEqual(MINIPROGRAM_PACKAGE_LIMIT);
  });
});

describe('the two builds together in a bare context (no window, fetch, Worker, IndexedDB, URL, crypto, TextEncoder/TextDecoder, global)', () => {
  // Both files run in one `vm` context holding only ECMAScript's built-ins and what the test lists
  // below (console and timers), each wrapped as a CommonJS module as a mini-program loads it; `wx`
  // is the storage + wx.request STAND-INS (not WeChat). Nothing a WeChat logic layer does not
  // guarantee is provided: the runtime resolves modelUrl without URL, hashes with @noble/hashes
  // (no crypto.subtle), encodes/decodes UTF-8 through the tfjs platform from
  // miniProgramTfPlatform(wx), and the runtime file brings its own `global` for tfjs.
  const BASE = 'https://models.example.com/demo-shop/';
  const BROKEN = 'https://models.example.com/broken/';
  const dir = join(repo, 'models/demo-shop');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version: string; files: Record<string, unknown> };
  const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as string[];
  const TRENDING = vocab.slice(10, 13);
  type Rec = {
    track(t: string, d: object): unknown;
    flush(): Promise<void>;
    recommend(o: object): Promise<{
      source: string;
      fallbackReason?: string;
      items: Array<{ itemId: string; source: string; reason: { kind: string; text: string } }>;
    }>;
    recentlyViewed(
      o: object,
    ): Promise<{ source: string; fallbackReason?: string; items: Array<{ itemId: string; reason: { kind: string } }> }>;
    buyAgain(o: object): Promise<{ source: string; fallbackReason?: string; items: unknown[] }>;
    frequentlyBoughtTogether(
      items: string,
      o: object,
    ): Promise<{ source: string; fallbackReason?: string; items: Array<{ itemId: string; source: string; reason: { kind: string } }> }>;
    trending(o: object): Promise<{
      source: string;
      fallbackReason?: string;
      error?: { code: string };
      items: Array<{ itemId: string; reason: { kind: string; text: string } }>;
    }>;
    trendingFacets(a: string): Promise<{ source: string; version?: string; values: unknown[] }>;
    runtimeStatus(): Promise<{ ready: boolean; modelVersion?: string; backend?: string; error?: { code: string; message: string } }>;
    exportData(): Promise<{ events: Array<{ itemId?: string }> }>;
    destroy(): Promise<void>;
  };

  /** A bare context with both builds loaded, the tfjs platform installed, and the model served over the wx.request stand-in (also a copy with one flipped byte). */
  async function bareContext() {
    const [npm, rt] = await both();
    const served: Record<string, Uint8Array> = {};
    for (const f of ['manifest.json', ...Object.keys(manifest.files)]) {
      served[BASE + f] = readFileSync(join(dir, f));
      served[BROKEN + f] = readFileSync(join(dir, f));
    }
    // A trending file beside the model (its sha256 over the file without it), checked with @noble/hashes here.
    const body = {
      format: 'localrec-trending',
      formatVersion: 1,
      version: 'mp-1',
      window: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z', days: 7 },
      items: TRENDING.map((id, i) => [id, 9 - i]),
      facets: {},
    };
    served[`${BASE}trending.json`] = Buffer.from(
      JSON.stringify({ ...body, sha256: createHash('sha256').update(JSON.stringify(body)).digest('hex') }),
    );
    const broken = served[`${BROKEN}weights.bin`]!;
    broken[1000] = broken[1000]! ^ 1;
    const net = createWxRequestStandin({ serve: served, domains: ['https://models.example.com'] });
    const wx = Object.assign(createWxStandin(), { request: net.request });
    const ctx = createContext({ console, setTimeout, clearTimeout, setInterval, clearInterval });
    expect(
      runInContext(
        '[typeof window, typeof fetch, typeof URL, typeof crypto, typeof TextEncoder, typeof TextDecoder, typeof global, typeof process, typeof self].join()',
        ctx,
      ),
    ).toBe(Array(9).fill('undefined').join());
    const load = (code: string): Record<string, unknown> => {
      const module = { exports: {} as Record<string, unknown> };
      (runInContext(`(function (module, exports) {${code}\n})`, ctx) as (m: unknown, e: unknown) => void)(module, module.exports);
      return module.exports;
    };
    const mp = load(npm) as unknown as {
      createMiniProgramLocalRec(wx: unknown, c: object): Rec;
      miniProgramTfPlatform(wx: unknown): unknown;
    };
    const { Runtime, installTfPlatform } = load(rt.code) as {
      Runtime: new (deps: unknown) => unknown;
      installTfPlatform(p: unknown): void;
    };
    expect(typeof Runtime).toBe('function');
    installTfPlatform(mp.miniProgramTfPlatform(wx));
    // The runtime file's `global` stayed inside it.
    expect(runInContext('typeof global', ctx)).toBe('undefined');
    const open = (appId: string, modelUrl: string): Rec =>
      mp.createMiniProgramLocalRec(wx, {
        appId,
        runtime: { create: (deps: unknown) => new Runtime(deps), modelUrl, cache: false, backends: ['cpu'] },
      });
    const track = (rec: Rec, ids: string[]) => {
      for (const id of ids) rec.track('view', runInContext(`({ itemId: ${JSON.stringify(id)} })`, ctx) as object);
    };
    return { net, open, track };
  }

  test(
    'the SDK records into wx storage; the runtime downloads and verifies models/demo-shop over wx.request and answers from the model on cpu',
    { timeout: 300_000 },
    async () => {
      const { net, open, track } = await bareContext();
      const rec = open('vm', BASE);
      track(rec, vocab.slice(0, 4));
      const r = await rec.recommend({ k: 5 });
      const status = await rec.runtimeStatus();
      expect((await rec.exportData()).events.map((e) => e.itemId)).toEqual(vocab.slice(0, 4));
      // The bundle came over wx.request (bytes) and passed the loader's size and SHA-256 checks.
      expect(net.log.map((l) => l.url)).toEqual(
        expect.arrayContaining([`${BASE}manifest.json`, `${BASE}weights.bin`, `${BASE}vocab.json`]),
      );
      expect(net.log.every((l) => l.responseType === 'arraybuffer' && l.statusCode === 200)).toBe(true);
      console.log(
        `bare context: recommend → ${r.source} (${r.items.map((i) => `${i.itemId}: ${i.reason.text}`).join('; ')}); runtime ${JSON.stringify({ ready: status.ready, backend: status.backend, error: status.error })}`,
      );
      expect(status).toMatchObject({ ready: true, backend: 'cpu', modelVersion: manifest.version });
      expect(r.source).toBe('model');
      expect(r.items).toHaveLength(5);
      for (const item of r.items) {
        expect(vocab.slice(0, 4)).not.toContain(item.itemId);
        expect(item.reason.kind).toBe('history');
      }
      // The history scenarios through the facade's in-thread runtime, from the same wx storage.
      const seen = await rec.recentlyViewed({ k: 3 });
      expect(seen.source).toBe('history');
      expect(seen.items.map((i) => i.itemId)).toEqual(vocab.slice(1, 4).reverse());
      expect(seen.items.every((i) => i.reason.kind === 'recently-viewed')).toBe(true);
      expect(await rec.buyAgain({})).toMatchObject({ source: 'fallback', fallbackReason: 'no-history', items: [] });
      // Frequently bought together: demo-shop's association rules (associations.json, over wx.request), personalised by the model.
      const together = await rec.frequentlyBoughtTogether(vocab[0]!, { k: 3 });
      const rules = (JSON.parse(readFileSync(join(dir, 'associations.json'), 'utf8')) as { rules: Record<string, [string, ...number[]][]> })
        .rules[vocab[0]!]!;
      expect(together.source).toBe('model');
      expect(together.items.map((i) => i.itemId)).toEqual(rules.slice(0, 3).map((r) => r[0]));
      expect(together.items.every((i) => i.source === 'associations' && i.reason.kind === 'bought-together')).toBe(true);
      // Trending from the file over wx.request, re-ranked by the model for this shopper.
      const hot = await rec.trending({ k: 3 });
      expect(hot.source, JSON.stringify(hot.error)).toBe('model');
      expect([...hot.items.map((i) => i.itemId)].sort()).toEqual([...TRENDING].sort());
      expect(hot.items.every((i) => i.reason.text === 'Trending this week')).toBe(true);
      expect(await rec.trendingFacets('category')).toMatchObject({ source: 'trending', version: 'mp-1', values: [] });
      await rec.destroy();
    },
  );

  test(
    'one flipped byte in weights.bin is refused there too: MODEL_INTEGRITY (SHA-256 without crypto.subtle), fallback answer',
    { timeout: 300_000 },
    async () => {
      const { net, open, track } = await bareContext();
      const rec = open('vm-broken', BROKEN);
      track(rec, vocab.slice(0, 4));
      const r = await rec.recommend({ k: 5 });
      const status = await rec.runtimeStatus();
      expect(net.log.find((l) => l.url === `${BROKEN}weights.bin`)).toMatchObject({ statusCode: 200 });
      expect(status.ready).toBe(false);
      expect(status.error).toMatchObject({ code: 'MODEL_INTEGRITY' });
      expect(status.error?.message).toMatch(/weights\.bin: SHA-256 [0-9a-f]{64} does not match/);
      expect(r.source).toBe('fallback');
      await rec.destroy();
    },
  );
});
