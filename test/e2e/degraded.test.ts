/**
 * Degraded browsers, on the REAL demo shop (examples/shop served by serve.mjs: the built SDK by
 * its async snippet, the built runtime worker, `models/demo-shop`), in real Chromium launched
 * WITHOUT `--enable-unsafe-webgpu` (no WebGPU adapter in any case). A visitor uses the shop's own
 * UI — Allow, category pages, product pages, add to cart, checkout — and the test reads what the
 * shop shows: the recommendation sections (`data-source`, reasons) and its data panel
 * (`#data-toggle`: `#p-storage`, `#p-runtime`, `#p-total`).
 *
 * - IndexedDB throws (`IDBFactory.prototype.open`/`deleteDatabase`/`databases` throw a
 *   `DOMException`, in the page by an init script and in the runtime worker by the same code put
 *   in front of its script, as a private mode does for both). A first visit with working IndexedDB
 *   stores events; the visit with it broken still records (into memory), the panel shows the
 *   memory fallback and its reason, recommendations still come from the model (the connector hands
 *   the worker the page's in-memory history) with reasons naming this visit's views; once
 *   IndexedDB works again every event of the first visit is still there (the SDK's export and
 *   IndexedDB read directly).
 * - Workers blocked by a strict CSP (the shop's own `serve.mjs --csp` policy with
 *   `worker-src 'none'`): the runtime runs on the page thread (the panel says so), answers come
 *   from the model, and nothing stored is lost across a reload.
 * - WebGPU absent (`navigator.gpu` removed in the page and in the worker): calibration skips it
 *   and says why (runtimeStatus and the panel), the panel names the backend chosen, answers come from the model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page, Worker } from 'playwright';
import {
  browseDepartment,
  readIndexedDb,
  repo,
  shopList,
  startShop,
  totalRecords,
  useBrowser,
  watchCsp,
  watchPage,
  type ShopList,
} from './helpers.js';
import type { ShopServer } from '../../examples/shop/serve.mjs';

const MODEL = JSON.parse(readFileSync(join(repo, 'models/demo-shop/manifest.json'), 'utf8')) as { version: string };

/** Makes IndexedDB throw on every entry point (page init script / prefix of the worker's script). */
const BREAK_IDB = `(() => {
  const fail = () => { throw new DOMException('IndexedDB is disabled in this mode (e2e)', 'InvalidStateError'); };
  for (const m of ['open', 'deleteDatabase', 'databases']) Object.defineProperty(IDBFactory.prototype, m, { value: fail, configurable: true });
})();\n`;

/** Removes WebGPU (page init script / prefix of the worker's script). */
const NO_GPU = `(() => {
  for (const P of [typeof Navigator !== 'undefined' && Navigator.prototype, typeof WorkerNavigator !== 'undefined' && WorkerNavigator.prototype]) if (P) delete P.gpu;
})();\n`;

let plain: ShopServer;
let strict: ShopServer;

beforeAll(async () => {
  plain = await startShop();
  strict = await startShop({ csp: true });
});
afterAll(async () => {
  await plain?.close();
  await strict?.close();
});
// No '--enable-unsafe-webgpu': Chromium offers no WebGPU adapter here.
const noGpu = useBrowser({ webgpu: false });

/** Puts `prefix` in front of the runtime worker's script (the worker runs it before anything). */
async function prefixWorker(context: BrowserContext, origin: string, prefix: string): Promise<void> {
  await context.route(`${origin}runtime/worker.js`, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, body: prefix + (await res.text()) });
  });
}

/** Opens the shop, waits for it to boot and allows on-device history (the banner's Allow). */
async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.evaluate(() => window.shopReady);
  await page.click('#consent-allow');
  await expect
    .poll(() => page.evaluate(async () => (await window.shopReady)?.status), { timeout: 10_000 })
    .toMatchObject({ consent: 'granted' });
}

/** Waits until the runtime has a model loaded (or reports an error). */
async function runtimeReady(page: Page): Promise<{
  ready: boolean;
  backend?: string;
  runtime?: string;
  error?: { code: string };
  calibration?: { backend: string; timings: Record<string, number | string> };
}> {
  await expect
    .poll(
      async () => {
        const s = (await page.evaluate(() => window.LocalRec.runtimeStatus())) as { ready: boolean; error?: unknown };
        return s.ready || s.error !== undefined;
      },
      { timeout: 120_000, interval: 250 },
    )
    .toBe(true);
  return page.evaluate(() => window.LocalRec.runtimeStatus());
}

/** Opens `n` products of a department (views recorded by the shop); see browseDepartment. */
const browse = (page: Page, department: string, n: number, from = 0): Promise<string[]> => browseDepartment(page, department, n, { from });

/** Puts the `index`-th in-stock product of the open category page in the cart and checks out. */
async function buy(page: Page, index: number): Promise<string> {
  await page.locator('.grid[data-list^="category:"] .card:not(:has(.out))').nth(index).click();
  await page.waitForSelector('[data-product]');
  const id = (await page.getAttribute('[data-product]', 'data-product'))!;
  await page.click('#add-to-cart');
  await page.click('#cart-link');
  await page.click('#checkout');
  await page.waitForSelector('#thanks');
  return id;
}

/** "Recommended for you" on the home page, once it shows items. */
async function forYou(page: Page): Promise<ShopList> {
  await page.click('.logo');
  let box: ShopList | undefined;
  await expect
    .poll(
      async () => {
        box = await shopList(page, 'recommend');
        return box?.ids.length ?? 0;
      },
      { timeout: 60_000, interval: 100 },
    )
    .toBeGreaterThan(0);
  return box!;
}

/** The shop's data panel ("Your data"), opened and refreshed. */
async function panel(page: Page): Promise<{ storage: string; runtime: string; total: number; error: string }> {
  if (await page.isHidden('#data-panel')) await page.click('#data-toggle');
  await page.click('#p-refresh');
  await expect.poll(() => page.textContent('#p-runtime'), { timeout: 30_000 }).not.toMatch(/^(…|loading…)$/);
  const text = async (sel: string): Promise<string> => (await page.textContent(sel)) ?? '';
  return {
    storage: await text('#p-storage'),
    runtime: await text('#p-runtime'),
    total: Number(await text('#p-total')),
    error: await text('#p-error'),
  };
}

/** Every stored event's uid and what it was, through the SDK's export. */
const exported = (page: Page): Promise<Array<{ uid: string; what: string }>> =>
  page.evaluate(async () => (await window.LocalRec.exportData()).events.map((e) => ({ uid: e.uid, what: `${e.type}:${e.itemId ?? ''}` })));

describe('degraded browsers on the demo shop (no WebGPU adapter in any case)', () => {
  test('IndexedDB throws: the shop records into memory and says why, still recommends, loses nothing stored before', async () => {
    const context = await noGpu.browser.newContext();
    // 1. A visit with working IndexedDB: the visitor browses Coffee & Tea; the events are stored.
    const page = await context.newPage();
    await visit(page, plain.url);
    expect((await runtimeReady(page)).ready).toBe(true);
    await browse(page, 'Coffee & Tea', 3);
    await page.evaluate(() => window.LocalRec.flush());
    const stored = await exported(page);
    expect(stored.filter((e) => e.what.startsWith('view:')).length).toBeGreaterThanOrEqual(3);
    expect((await panel(page)).storage).toBe('indexeddb');
    const storedRecords = totalRecords(await readIndexedDb(page));
    expect(storedRecords).toBeGreaterThan(0);
    await page.close();

    // 2. IndexedDB now throws, in the page and in the runtime worker.
    const broken = await context.newPage();
    const seen = watchPage(broken);
    await broken.addInitScript({ content: BREAK_IDB });
    await prefixWorker(context, plain.url, BREAK_IDB);
    const workers: Worker[] = [];
    broken.on('worker', (w) => workers.push(w));
    await visit(broken, plain.url);
    const throwsHere = (): string => {
      try {
        indexedDB.open('x');
        return 'opened';
      } catch (e) {
        return (e as Error).name;
      }
    };
    expect(await broken.evaluate(throwsHere)).toBe('InvalidStateError');
    const rt = await runtimeReady(broken);
    expect(rt).toMatchObject({ ready: true, runtime: 'worker' });
    const worker = workers.find((w) => w.url().endsWith('/runtime/worker.js'));
    expect(worker, 'the runtime worker started').toBeDefined();
    expect(await worker!.evaluate(throwsHere)).toBe('InvalidStateError');

    // The visitor browses and buys.
    const viewed = await browse(broken, 'Audio', 3);
    const bought = await buy(broken, 3);
    await broken.evaluate(() => window.LocalRec.flush());
    const held = await exported(broken);
    for (const id of viewed) expect(held.map((e) => e.what)).toContain(`view:${id}`);
    expect(held.map((e) => e.what)).toEqual(expect.arrayContaining([`add_to_cart:${bought}`, `purchase:${bought}`]));
    // Nothing of the first visit is readable now (IndexedDB throws): memory holds this visit only.
    expect(held.some((e) => stored.some((s) => s.uid === e.uid))).toBe(false);

    // The data panel shows the fallback and why; the SDK's status agrees.
    const p = await panel(broken);
    expect(p.storage).toMatch(/^memory \(fallback: .*(IndexedDB|disabled).*\)$/i);
    expect(p.total).toBe(held.length);
    expect(await broken.evaluate(async () => (await window.shopReady)?.status)).toMatchObject({ storage: 'memory', degraded: true });

    // Recommendations still come from the MODEL: the runtime worker cannot open IndexedDB either,
    // so the connector hands it the history the page holds in memory, and the reasons name what
    // the visitor viewed or bought in this visit.
    const recs = await forYou(broken);
    expect(recs.ids.length).toBe(8);
    expect(recs.source).toBe('model');
    expect(recs.note).toContain(MODEL.version);
    const names = await broken.evaluate(
      async (ids) => {
        const all = (await (await fetch('/generated/catalog.json')).json()) as Array<{ id: string; name: string }>;
        return all.filter((p) => ids.includes(p.id)).map((p) => p.name);
      },
      [...viewed, bought],
    );
    for (const r of recs.reasons) {
      expect(r.source).toBe('model');
      expect(r.text).toMatch(/^Because you (viewed|clicked|added|bought)/);
    }
    expect(recs.reasons.some((r) => names.some((n) => r.text.includes(n)))).toBe(true);
    for (const id of viewed) expect(recs.ids).not.toContain(id);
    expect(seen.errors.filter((e) => !/IndexedDB|STORAGE_/i.test(e))).toEqual([]);
    console.log(
      `degraded (IndexedDB throws): panel storage "${p.storage}"; runtime "${p.runtime}"; recommend ${recs.source}/${recs.fallback}`,
    );
    await broken.close();

    // 3. IndexedDB works again: every event of the first visit is still there.
    await context.unrouteAll();
    const again = await context.newPage();
    await again.goto(plain.url);
    await again.evaluate(() => window.shopReady);
    expect(totalRecords(await readIndexedDb(again))).toBe(storedRecords);
    await again.click('#consent-allow');
    const after = await exported(again);
    expect(after.map((e) => e.uid)).toEqual(expect.arrayContaining(stored.map((e) => e.uid)));
    expect(await runtimeReady(again)).toMatchObject({ ready: true });
    expect((await panel(again)).storage).toBe('indexeddb');
    await context.close();
  });

  test("workers blocked by the shop's CSP with worker-src 'none': the runtime runs on the page thread, recommends from the model, nothing stored is lost across a reload", async () => {
    const context = await noGpu.browser.newContext();
    // The shop's own strict policy (serve.mjs --csp: hashes of its inline snippet, no 'unsafe-*'),
    // with workers forbidden, on every response.
    const policies: string[] = [];
    await context.route(`${strict.url}**`, async (route) => {
      const res = await route.fetch();
      const csp = res.headers()['content-security-policy'];
      if (!csp) return route.fulfill({ response: res });
      const noWorkers = csp.replace("worker-src 'self'", "worker-src 'none'");
      policies.push(noWorkers);
      return route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': noWorkers } });
    });
    const violations = await watchCsp(context);
    const page = await context.newPage();
    const seen = watchPage(page);
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    await visit(page, strict.url);
    expect(policies[0]).toContain("worker-src 'none'");
    expect(await runtimeReady(page)).toMatchObject({ ready: true, runtime: 'main-thread' });
    const viewed = await browse(page, 'Coffee & Tea', 4);
    const recs = await forYou(page);
    expect(recs.source).toBe('model');
    expect(recs.note).toContain(MODEL.version);
    for (const r of recs.reasons) expect(r.text).toMatch(/^Because you /);
    for (const id of viewed) expect(recs.ids).not.toContain(id);
    const p = await panel(page);
    expect(p.storage).toBe('indexeddb');
    expect(p.runtime).toMatch(
      new RegExp(
        `^backend (webgl|wasm|cpu) · model ${MODEL.version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · \\d+ items · in a page thread$`,
      ),
    );
    // The policy really refused the worker, and no worker ran.
    expect(await violations(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^worker-src blocked/)]));
    expect(workers).toEqual([]);
    expect(seen.warnings.some((w) => /main thread/i.test(w))).toBe(true);
    await page.evaluate(() => window.LocalRec.flush());
    const before = await exported(page);
    console.log(`degraded (worker-src 'none'): panel runtime "${p.runtime}"; ${before.length} events stored`);

    // Reload: the stored events are all there, and more browsing still gets model answers.
    await page.reload();
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    expect((await exported(page)).map((e) => e.uid)).toEqual(expect.arrayContaining(before.map((e) => e.uid)));
    await runtimeReady(page);
    const more = await browse(page, 'Coffee & Tea', 2, 4);
    const recs2 = await forYou(page);
    expect(recs2.source).toBe('model');
    for (const id of [...viewed, ...more]) expect(recs2.ids).not.toContain(id);
    expect((await panel(page)).runtime).toMatch(/in a page thread$/);
    // Chromium logs each refused worker as a console error; nothing else went wrong.
    expect(seen.errors.filter((e) => !/Creating a worker .* violates .*"worker-src 'none'"/.test(e))).toEqual([]);
    await context.close();
  });

  test('WebGPU absent: calibration skips it and says why, the panel names the backend chosen, answers come from the model', async () => {
    const context = await noGpu.browser.newContext();
    await context.addInitScript({ content: NO_GPU });
    await prefixWorker(context, plain.url, NO_GPU);
    const page = await context.newPage();
    const seen = watchPage(page);
    const workers: Worker[] = [];
    page.on('worker', (w) => workers.push(w));
    await visit(page, plain.url);
    expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
    const rt = await runtimeReady(page);
    expect(await workers.find((w) => w.url().endsWith('/runtime/worker.js'))!.evaluate(() => 'gpu' in navigator)).toBe(false);
    expect(rt).toMatchObject({ ready: true, runtime: 'worker' });
    expect(['webgl', 'wasm', 'cpu']).toContain(rt.backend);
    // Why WebGPU was skipped is in the runtime's calibration report, and the panel shows it.
    expect(rt.calibration?.backend).toBe(rt.backend);
    expect(rt.calibration?.timings.webgpu).toMatch(/unavailable/i);

    const viewed = await browse(page, 'Coffee & Tea', 4);
    const recs = await forYou(page);
    expect(recs.source).toBe('model');
    expect(recs.note).toContain(`(${rt.backend})`);
    for (const r of recs.reasons) expect(r.text).toMatch(/^Because you /);
    for (const id of viewed) expect(recs.ids).not.toContain(id);
    const p = await panel(page);
    expect(p.storage).toBe('indexeddb');
    expect(p.runtime).toMatch(new RegExp(`^backend ${rt.backend} · model .* · in a Web Worker$`));
    expect(await page.textContent('#p-backends')).toMatch(/webgpu: .*unavailable.*no adapter/i);
    console.log(`degraded (no WebGPU): panel runtime "${p.runtime}"; calibration ${JSON.stringify(rt.calibration?.timings)}`);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
