/**
 * Degraded browsers, in real Chromium: the BUILT SDK (`packages/sdk/dist/index.js`) with the BUILT
 * runtime connector (`packages/runtime/dist`, worker + main-thread fallback) and the committed
 * `models/demo-shop`, on a small test page served here. Chromium runs WITHOUT
 * `--enable-unsafe-webgpu` (no WebGPU adapter), and each case breaks one more thing:
 *
 * - IndexedDB throws (`IDBFactory.prototype.open`/`deleteDatabase`/`databases` throw a
 *   `DOMException`, in the page by an init script and in the runtime worker by a prefix on its
 *   script, as a private mode does for both): the SDK records into memory and says so
 *   (`storage: 'memory'`, `degraded`), recommendations still come (marked `fallbackReason:
 *   'error'` — the worker cannot read the page's memory), and events stored in IndexedDB before
 *   are neither lost nor deleted: they are back once IndexedDB works again.
 * - Workers blocked by a strict CSP (`worker-src 'none'`): the connector runs the runtime on the
 *   main thread (`runtime: 'main-thread'`), recommendations are the model's, and events recorded
 *   before a reload are still there after it.
 * - WebGPU absent (`navigator.gpu` deleted in the page, no adapter anywhere): the runtime
 *   calibrates without it and reports the backend it chose and why WebGPU was refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { CHROMIUM, repo, watchPage } from './helpers.js';

const MODEL = JSON.parse(readFileSync(join(repo, 'models/demo-shop/manifest.json'), 'utf8')) as { version: string };
const CATALOG = JSON.parse(readFileSync(join(repo, 'models/demo-shop/catalog.json'), 'utf8')) as Record<string, { category: string }>;
const COFFEE = Object.keys(CATALOG).filter((id) => CATALOG[id]!.category === 'Coffee & Tea');
const NO_WORKERS = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'none'; connect-src 'self'";
const MIME: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.map': 'application/json' };

/** Makes IndexedDB throw on every entry point (run as an init script / worker prefix). */
const BREAK_IDB = `(() => {
  const fail = () => { throw new DOMException('IndexedDB is disabled in this mode (e2e)', 'InvalidStateError'); };
  for (const m of ['open', 'deleteDatabase', 'databases']) Object.defineProperty(IDBFactory.prototype, m, { value: fail, configurable: true });
})();\n`;

/**
 * The page: puts `start(appId)` on window, which creates the SDK with the worker runtime
 * connector (auto mode: worker, else main thread) over the demo-shop model.
 */
const BOOT = `import { createLocalRec } from '/sdk/index.js';
import { workerRuntime } from '/runtime/connector.js';
window.__errors = [];
window.start = (appId) => createLocalRec({
  appId,
  onError: (e) => window.__errors.push(e.code + ': ' + e.message),
  runtime: workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/', budgetMs: 120000, readyTimeoutMs: 120000 }),
});
window.booted = true;
`;

let server: Server;
let origin: string;
let browser: Browser;

function serveDir(dir: string, rel: string, res: ServerResponse): void {
  const file = normalize(join(dir, rel));
  if (!file.startsWith(dir + sep) || !existsSync(file)) { res.writeHead(404).end('not found'); return; }
  res.writeHead(200, { 'content-type': MIME[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' }).end(readFileSync(file));
}

beforeAll(async () => {
  for (const f of ['packages/sdk/dist/index.js', 'packages/runtime/dist/worker.js', 'packages/runtime/dist/runtime.js']) {
    if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run \`pnpm build\` first (pnpm test does).`);
  }
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(url.pathname);
    if (p === '/') {
      const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
      if (url.searchParams.has('noworkers')) headers['content-security-policy'] = NO_WORKERS;
      res.writeHead(200, headers).end('<!doctype html><meta charset="utf-8"><title>degraded e2e</title><script type="module" src="/boot.js"></script><body></body>');
    } else if (p === '/boot.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(BOOT);
    else if (p.startsWith('/sdk/')) serveDir(join(repo, 'packages/sdk/dist'), p.slice('/sdk/'.length), res);
    else if (p.startsWith('/runtime/')) serveDir(join(repo, 'packages/runtime/dist'), p.slice('/runtime/'.length), res);
    else if (p.startsWith('/models/')) serveDir(join(repo, 'models'), p.slice('/models/'.length), res);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // No '--enable-unsafe-webgpu': Chromium offers no WebGPU adapter here.
  browser = await chromium.launch({ ...CHROMIUM, args: CHROMIUM.args!.filter((a) => a !== '--enable-unsafe-webgpu') });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
});

interface Run {
  tracked: number;
  status: { storage: string; degraded: boolean; storageError?: string; runtime: string };
  exported: string[];
  recommend: { source: string; fallbackReason?: string; backend?: string; modelVersion?: string; items: Array<{ itemId: string; source: string; reason: { kind: string; text: string } }> };
  runtime: { ready: boolean; backend?: string; runtime?: string; calibration?: { backend: string; timings: Record<string, number | string> } };
  errors: string[];
}

/**
 * In the page: starts the SDK for `appId` with consent, tracks views of `items`, flushes, asks
 * `recommend({ k: 10 })`, waits for the runtime to be ready and reports what the SDK and it say.
 */
async function run(page: Page, appId: string, items: readonly string[]): Promise<Run> {
  await page.waitForFunction(() => (window as unknown as { booted?: boolean }).booted === true);
  return page.evaluate(async ({ appId, items }) => {
    type W = { start(a: string): any; __errors: string[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const w = window as unknown as W;
    const rec = w.start(appId);
    let tracked = 0;
    for (const itemId of items) if (rec.track('view', { itemId })) tracked++;
    await rec.flush();
    const recommend = await rec.recommend({ k: 10 });
    // A cold answer (no readable history) does not wait for the engine: wait for it here.
    let runtime = await rec.runtimeStatus();
    for (let i = 0; i < 600 && !runtime.ready && !runtime.error; i++) {
      await new Promise((r) => setTimeout(r, 100));
      runtime = await rec.runtimeStatus();
    }
    const exported = (await rec.exportData()).events.map((e: { itemId?: string }) => e.itemId);
    const status = rec.status;
    await rec.destroy();
    return { tracked, status, exported, recommend, runtime, errors: w.__errors };
  }, { appId, items });
}

async function fresh(): Promise<{ context: BrowserContext; page: Page; watch: ReturnType<typeof watchPage> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { context, page, watch: watchPage(page) };
}

describe('degraded browsers (no WebGPU adapter in any case)', () => {
  test('IndexedDB throws: records into memory and says so, still recommends, loses nothing stored before', async () => {
    const { context, page } = await fresh();
    // 1. A visit with working IndexedDB stores three views.
    await page.goto(origin);
    const before = await run(page, 'idb-broken', COFFEE.slice(0, 3));
    expect(before.status).toMatchObject({ storage: 'indexeddb', degraded: false });
    expect(before.exported).toEqual(COFFEE.slice(0, 3));

    // 2. IndexedDB now throws, in the page and in the runtime worker (its script gets the same prefix).
    await page.addInitScript({ content: BREAK_IDB });
    await context.route(`${origin}runtime/worker.js`, async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, body: BREAK_IDB + (await res.text()) });
    });
    await page.goto(origin);
    expect(await page.evaluate(() => { try { indexedDB.open('x'); return 'opened'; } catch (e) { return (e as Error).name; } })).toBe('InvalidStateError');
    const broken = await run(page, 'idb-broken', COFFEE.slice(3, 6));
    expect(broken.tracked).toBe(3);
    expect(broken.status.storage).toBe('memory');
    expect(broken.status.degraded).toBe(true);
    expect(broken.status.storageError).toMatch(/IndexedDB|disabled/i);
    expect(broken.exported).toEqual(COFFEE.slice(3, 6)); // everything tracked in this visit is held
    // Still recommends: the worker cannot read the page's memory, so the answer is the bundle's
    // cold-start ranking, marked as such — never a rejection and never empty.
    expect(broken.recommend.items).toHaveLength(10);
    expect(broken.recommend.source).toBe('fallback');
    expect(broken.recommend.fallbackReason).toBe('error');
    expect(broken.runtime).toMatchObject({ ready: true, runtime: 'worker' });
    expect(broken.runtime.backend).not.toBe('webgpu');
    expect(broken.errors.some((e) => /^STORAGE_/.test(e))).toBe(true);

    // 3. IndexedDB works again: the views stored in step 1 are all still there.
    await context.unrouteAll();
    const page2 = await context.newPage();
    await page2.goto(origin);
    const after = await run(page2, 'idb-broken', []);
    expect(after.status).toMatchObject({ storage: 'indexeddb', degraded: false });
    expect(after.exported).toEqual(COFFEE.slice(0, 3));
    expect(after.recommend.source).toBe('model');
    await context.close();
  });

  test(`workers blocked by CSP (${NO_WORKERS}): the model runs on the main thread; nothing stored is lost across a reload`, async () => {
    const { context, page, watch } = await fresh();
    await page.goto(`${origin}?noworkers`);
    const first = await run(page, 'no-workers', COFFEE.slice(0, 4));
    expect(first.status).toMatchObject({ storage: 'indexeddb', degraded: false });
    expect(first.runtime).toMatchObject({ ready: true, runtime: 'main-thread', modelVersion: MODEL.version });
    expect(first.runtime.backend).not.toBe('webgpu');
    expect(first.recommend.source).toBe('model');
    expect(first.recommend.items).toHaveLength(10);
    for (const item of first.recommend.items) {
      expect(COFFEE.slice(0, 4)).not.toContain(item.itemId);
      expect(item.reason.text).toMatch(/viewed/i);
    }
    // The worker really was refused by the policy.
    expect(watch.warnings.some((w) => /main thread/i.test(w))).toBe(true);

    await page.reload();
    const second = await run(page, 'no-workers', COFFEE.slice(4, 6));
    expect(second.exported).toEqual(COFFEE.slice(0, 6));
    expect(second.runtime.runtime).toBe('main-thread');
    expect(second.recommend.source).toBe('model');
    for (const item of second.recommend.items) expect(COFFEE.slice(0, 6)).not.toContain(item.itemId);
    await context.close();
  });

  test('WebGPU absent: calibrates without it, says why, and answers from the model', async () => {
    const { context, page } = await fresh();
    await page.addInitScript(() => { delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu; });
    await page.goto(origin);
    expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
    const r = await run(page, 'no-webgpu', COFFEE.slice(0, 4));
    expect(r.status).toMatchObject({ storage: 'indexeddb', degraded: false });
    expect(r.runtime).toMatchObject({ ready: true, runtime: 'worker' });
    expect(['webgl', 'wasm', 'cpu']).toContain(r.runtime.backend);
    expect(r.runtime.calibration?.timings.webgpu).toMatch(/unavailable/i);
    expect(r.recommend).toMatchObject({ source: 'model', modelVersion: MODEL.version, backend: r.runtime.backend });
    expect(r.recommend.items).toHaveLength(10);
    expect(r.exported).toEqual(COFFEE.slice(0, 4));
    console.log(`no WebGPU: backend ${r.runtime.backend}; calibration ${JSON.stringify(r.runtime.calibration?.timings)}`);
    await context.close();
  });
});
