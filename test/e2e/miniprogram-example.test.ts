/**
 * examples/miniprogram, run as a mini-program would run it — in plain Node, in a `vm` context with
 * no window, document, fetch, Worker or IndexedDB. Its `app.js` and `pages/index/index.js` are
 * loaded as mini-program modules (`require`, `module`, `exports`, `App`, `Page`, `getApp`, `wx`),
 * with `require('@localrec/miniprogram')` answered by the package's npm build and
 * `require('./runtime/index.js')` by the mini-program runtime build (both built here from the
 * sources). `wx` is STAND-INS of the documented storage and `wx.request` APIs (not WeChat); the
 * request stand-in serves the committed `models/demo-shop` from disk under the example's MODEL_URL.
 *
 * The context has ONLY ECMAScript's built-ins, console, timers and the module wrapper's arguments:
 * no `URL`, `crypto`, `TextEncoder`/`TextDecoder`, `global`, `process` or `self` either — none of
 * them is guaranteed in a WeChat logic layer (see examples/miniprogram/README.md). The runtime
 * resolves MODEL_URL without URL, hashes with @noble/hashes, decodes UTF-8 through the tfjs
 * platform the app installs, and its file defines its own `global` for tfjs.
 *
 * The shopper taps products; the page shows what is stored (wx storage, 'kv') and "Recommended
 * for you" from the on-device model with reasons; "Erase my data" empties the storage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext, type Context } from 'node:vm';
import type { OutputOptions, RollupOptions } from 'rollup';
import { rollup } from 'rollup';
import { beforeAll, describe, expect, test } from 'vitest';
import { cloneJson } from '@localrec/core';
import { createWxRequestStandin, type WxRequestStandin } from '@localrec/miniprogram/testing';
import { buildMiniProgramRuntime } from '../../packages/miniprogram/scripts/runtime-build.mjs';
import { createWxStandin, type WxStandin } from '@localrec/store-kv/testing';
import { repo } from './helpers.js';

const EXAMPLE = join(repo, 'examples/miniprogram');
const MODEL_DIR = join(repo, 'models/demo-shop');
const MODEL_URL = /const MODEL_URL = '([^']+)'/.exec(readFileSync(join(EXAMPLE, 'app.js'), 'utf8'))![1]!;
const MANIFEST = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as { version: string; files: Record<string, unknown> };

/** The npm build (what WeChat's "build npm" copies), from the repo's rollup config, in memory. */
async function npmBuild(): Promise<string> {
  const prev = process.cwd();
  process.chdir(repo);
  try {
    const { default: configs } = (await import(join(repo, 'rollup.config.mjs'))) as { default: RollupOptions[] };
    const { output, ...input } = configs.find(
      (c) => (c.output as OutputOptions | undefined)?.file === 'packages/miniprogram/dist/miniprogram/index.js',
    )!;
    const bundle = await rollup(input);
    try {
      return ((await bundle.generate(output as OutputOptions)).output[0] as { code: string }).code;
    } finally {
      await bundle.close();
    }
  } finally {
    process.chdir(prev);
  }
}

interface PageInstance {
  data: {
    products: Array<{ id: string; name: string }>;
    recent: Array<{ name: string }>;
    storage: string;
    count: number;
    recommendations: Array<{ id: string; name: string; reason: string }>;
    recommendNote: string;
  };
  onShow(): Promise<void>;
  onView(e: object): Promise<void>;
  onAddToCart(e: object): Promise<void>;
  onForget(): Promise<void>;
}

interface MiniProgram {
  page: PageInstance;
  app: { onHide(): void; rec: { runtimeStatus(): Promise<{ ready: boolean; error?: { code: string; message: string } }> } };
  storage: WxStandin;
  net: WxRequestStandin;
  toasts: string[];
  ctx: Context;
}

let files: { npm: string; runtime: string };

/** Starts the example: app.js (onLaunch), then the index page (onShow). */
async function launch(withRuntime: boolean, { flipWeightsByte = false } = {}): Promise<MiniProgram> {
  const storage = createWxStandin();
  const served: Record<string, Uint8Array> = {};
  for (const f of ['manifest.json', ...Object.keys(MANIFEST.files)]) served[MODEL_URL + f] = readFileSync(join(MODEL_DIR, f));
  if (flipWeightsByte) {
    const w = served[`${MODEL_URL}weights.bin`]!;
    w[1000] = w[1000]! ^ 1;
  }
  const net = createWxRequestStandin({ serve: served, domains: [new URL(MODEL_URL).origin] });
  const toasts: string[] = [];
  const wx = Object.assign(storage, {
    request: net.request,
    showToast: (o: { title: string }) => {
      toasts.push(o.title);
    },
  });

  const ctx = createContext({ console, setTimeout, clearTimeout, setInterval, clearInterval, wx });
  expect(
    runInContext(
      '[typeof URL, typeof crypto, typeof TextEncoder, typeof TextDecoder, typeof global, typeof process, typeof self].join()',
      ctx,
    ),
  ).toBe(Array(7).fill('undefined').join());
  let appConfig: Record<string, (...a: unknown[]) => unknown> | undefined;
  let pageConfig: Record<string, unknown> | undefined;
  const cache = new Map<string, unknown>();
  /** Runs `code` as a mini-program module (the same wrapper shape WeChat uses). */
  const run = (code: string, require: (id: string) => unknown): unknown => {
    const module = { exports: {} as unknown };
    const fn = runInContext(`(function (require, module, exports, App, Page, getApp, wx) {${code}\n})`, ctx) as (...a: unknown[]) => void;
    fn(
      require,
      module,
      module.exports,
      (c: typeof appConfig) => {
        appConfig = c;
      },
      (c: typeof pageConfig) => {
        pageConfig = c;
      },
      () => appConfig,
      wx,
    );
    return module.exports;
  };
  const requireFrom = (id: string): unknown => {
    if (!cache.has(id)) {
      if (id === '@localrec/miniprogram') cache.set(id, run(files.npm, requireFrom));
      else if (id === './runtime/index.js' && withRuntime) cache.set(id, run(files.runtime, requireFrom));
      else throw new Error(`module '${id}' is not defined`); // as WeChat's require says
    }
    return cache.get(id);
  };
  run(readFileSync(join(EXAMPLE, 'app.js'), 'utf8'), requireFrom);
  expect(appConfig, 'app.js called App()').toBeDefined();
  appConfig!.onLaunch!.call(appConfig);
  run(readFileSync(join(EXAMPLE, 'pages/index/index.js'), 'utf8'), requireFrom);
  expect(pageConfig, 'index.js called Page()').toBeDefined();
  const page = Object.assign(Object.create(pageConfig!) as object, {
    // Like wx, page data goes through JSON (what is not JSON-safe does not reach the view).
    data: cloneJson(pageConfig!.data) as PageInstance['data'],
    setData(d: object) {
      Object.assign(this.data, cloneJson(d));
    },
  }) as unknown as PageInstance;
  await page.onShow();
  return { page, app: appConfig as unknown as MiniProgram['app'], storage, net, toasts, ctx };
}

const tap = (id: string): object => ({ currentTarget: { dataset: { id } } });

beforeAll(async () => {
  const [npm, runtime] = await Promise.all([npmBuild(), buildMiniProgramRuntime()]);
  files = { npm, runtime: runtime.code };
});

describe('examples/miniprogram in a bare context over wx stand-ins', () => {
  test('taps are stored in wx storage; "Recommended for you" comes from the on-device model with reasons; erase empties storage', async () => {
    const mp = await launch(true);
    expect(runInContext('typeof fetch + typeof window + typeof indexedDB + typeof Worker', mp.ctx)).toBe(
      'undefinedundefinedundefinedundefined',
    );
    expect(mp.page.data).toMatchObject({ count: 0, storage: 'kv' });
    expect(mp.page.data.recommendNote).toMatch(/^Fallback: /); // no history yet

    const coffee = mp.page.data.products.slice(0, 3);
    for (const p of coffee) await mp.page.onView(tap(p.id));
    await mp.page.onAddToCart(tap(coffee[0]!.id));
    const d = mp.page.data;
    console.log(
      `example mini-program: ${d.count} events in ${d.storage}; ${d.recommendNote}; ${d.recommendations.map((r) => `${r.id} (${r.reason})`).join('; ')}`,
    );
    expect(d.count).toBe(4);
    expect(d.recent[0]!.name).toBe(`add_to_cart ${coffee[0]!.name}`);
    expect(d.recommendNote).toBe(`On-device model ${MANIFEST.version} (cpu)`);
    expect(d.recommendations).toHaveLength(3);
    for (const r of d.recommendations) {
      expect(coffee.map((p) => p.id)).not.toContain(r.id);
      expect(r.reason).toMatch(/^Because you (viewed|added)/);
    }
    // Stored in the wx storage stand-in under the SDK's keys; the model came over wx.request, verified.
    expect([...mp.storage.snapshot().keys()].some((k) => k.startsWith('localrec:demo-shop:'))).toBe(true);
    expect(mp.net.log.map((l) => l.url)).toEqual(expect.arrayContaining([`${MODEL_URL}manifest.json`, `${MODEL_URL}weights.bin`]));
    expect(mp.net.log.every((l) => l.responseType === 'arraybuffer' && l.statusCode === 200)).toBe(true);

    mp.app.onHide();
    await mp.page.onForget();
    expect(mp.toasts).toEqual(['Erased']);
    expect(mp.page.data.count).toBe(0);
    expect([...mp.storage.snapshot().keys()]).toEqual([]);
  });

  test('one flipped byte in the served weights.bin: the runtime refuses it (SHA-256 without crypto.subtle) and the page says it is on a fallback', async () => {
    const mp = await launch(true, { flipWeightsByte: true });
    for (const p of mp.page.data.products.slice(0, 2)) await mp.page.onView(tap(p.id));
    expect(mp.net.log.find((l) => l.url === `${MODEL_URL}weights.bin`)).toMatchObject({ statusCode: 200 });
    expect(mp.page.data).toMatchObject({ count: 2, storage: 'kv' });
    expect(mp.page.data.recommendNote).toMatch(/^Fallback: /);
    const status = await mp.app.rec.runtimeStatus();
    expect(status.error).toMatchObject({ code: 'MODEL_INTEGRITY' });
    expect(status.error?.message).toMatch(/weights\.bin: SHA-256 [0-9a-f]{64} does not match/);
  });

  test('without the runtime build the example still records, and says it is on a fallback', async () => {
    const mp = await launch(false);
    await mp.page.onView(tap(mp.page.data.products[0]!.id));
    expect(mp.page.data).toMatchObject({ count: 1, storage: 'kv', recommendations: [], recommendNote: 'Fallback: no-model' });
    expect(mp.net.log).toEqual([]);
  });
});
