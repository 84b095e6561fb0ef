// Where the runtime's files live, in real Chromium with the BUILT files: a plain HTML page with the
// script tag and `model:` (issue 12, deliverables 3 and 5).
// - the runtime copied next to localrec.min.js: `model: '/models/demo-shop/'` alone gives model
//   answers with reasons, the worker runs the model, tfjs never on the page;
// - the runtime on another origin (a second 127.0.0.1 port, with CORS, as a CDN): the worker starts
//   from a same-origin blob: bootstrap, model answers, tfjs never on the page;
// "tfjs never on the page": no tfjs engine in the page's realm, the page never fetches runtime.js
// (the main-thread entry), and its long
// tasks (logged; on a busy machine a page has a few anyway) are all shorter than the longest of
// the page that runs the model on its main thread (the last test).
// - a worker URL that 404s: one clear WORKER_CRASHED error naming the URL and the status, fallback
//   answers, the script is not fetched again by later calls, tfjs never loads on the page;
// - the same with `mode: 'auto'`: the model runs on the main thread because the host asked,
//   reported as WORKER_UNAVAILABLE, and `status.runtime` and `runtimeStatus()` both say so.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright';
import { startStaticServer, type StaticServer } from '../static-server.mjs';
import { repo, useBrowser, watchPage } from './helpers.js';

const chromium = useBrowser({ webgpu: false });
/** Items of the demo model (models/demo-shop). */
const HISTORY = ['SKU-00003', 'SKU-00010', 'SKU-00020'];

let shop: StaticServer;
let cdn: StaticServer;
let folder: string;
beforeAll(async () => {
  // What the script-tag guide says: both packages' dist/ copied into one folder.
  folder = mkdtempSync(join(tmpdir(), 'localrec-origins-'));
  cpSync(join(repo, 'packages/sdk/dist'), folder, { recursive: true });
  cpSync(join(repo, 'packages/runtime/dist'), folder, { recursive: true });
  const page = (init: string): { body: string } => ({
    body: `<!doctype html><meta charset="utf-8"><title>origins</title>
<script>window.__errors = []; window.__longTasks = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(Math.round(e.duration)); }).observe({ type: 'longtask', buffered: true });</script>
<script src="/localrec/localrec.min.js"></script>
<script>LocalRec.init(Object.assign(${init}, { onError: (e) => window.__errors.push({ code: e.code, message: e.message }) }));</script><body>`,
  });
  cdn = await startStaticServer({
    mounts: { '/runtime/': join(repo, 'packages/runtime/dist') },
    headers: () => ({ 'access-control-allow-origin': '*' }),
  });
  shop = await startStaticServer({
    mounts: { '/localrec/': folder, '/models/': join(repo, 'models') },
    routes: {
      '/favicon.ico': { status: 204, body: '' },
      '/next-to-sdk.html': page(`{ appId: 'plain', consent: 'granted', model: '/models/demo-shop/' }`),
      '/cdn.html': page(
        `{ appId: 'cdn', consent: 'granted', model: { url: '/models/demo-shop/', runtimeUrl: ${JSON.stringify(cdn.url + 'runtime/')} } }`,
      ),
      '/missing.html': page(`{ appId: 'missing', consent: 'granted', model: { url: '/models/demo-shop/', runtimeUrl: '/nothing/' } }`),
      '/missing-auto.html': page(
        `{ appId: 'auto', consent: 'granted', model: { url: '/models/demo-shop/', runtimeUrl: '/localrec/', workerUrl: '/nothing/worker.js', mode: 'auto' } }`,
      ),
    },
  });
});
afterAll(async () => {
  await shop?.close();
  await cdn?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

type Outcome = {
  answers: Array<{ source: string; fallbackReason?: string; reasons: string[] }>;
  status: { runtime: string };
  runtimeStatus: { ready: boolean; runtime?: string; error?: { code: string; message: string } };
  errors: Array<{ code: string; message: string }>;
  longTasks: number[];
  /** What the page itself fetched (its resource timeline; a worker's fetches are in the worker's). */
  pageResources: string[];
  /** tfjs-core keeps its engine in a global (`_tfengine`) of the realm that loads it. */
  tfjsInPage: boolean;
  initAt: number;
  readyAt: number;
};

/** Opens `path`, records the history, waits for the model (or its failure) and asks three times. */
async function run(page: Page, path: string): Promise<Outcome> {
  await page.goto(`${shop.url}${path.slice(1)}`);
  return page.evaluate(async (ids) => {
    const L = window.LocalRec as unknown as {
      track(t: string, d: object): void;
      flush(): Promise<void>;
      recommend(o: object): Promise<{ source: string; fallbackReason?: string; items: Array<{ reason: { text: string } }> }>;
      runtimeStatus(): Promise<Outcome['runtimeStatus']>;
      status: { runtime: string };
    };
    const initAt = Math.round(performance.now());
    for (const id of ids) L.track('view', { itemId: id });
    await L.flush();
    let rs = await L.runtimeStatus();
    for (let i = 0; i < 300 && !rs.ready && !rs.error; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rs = await L.runtimeStatus();
    }
    const readyAt = Math.round(performance.now());
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const r = await L.recommend({ k: 5 });
      answers.push({ source: r.source, fallbackReason: r.fallbackReason, reasons: r.items.map((x) => x.reason.text) });
    }
    const w = window as unknown as { __errors: Outcome['errors']; __longTasks: number[] };
    const pageResources = performance.getEntriesByType('resource').map((e) => e.name);
    return {
      answers,
      status: L.status,
      runtimeStatus: await L.runtimeStatus(),
      errors: w.__errors,
      longTasks: w.__longTasks,
      initAt,
      readyAt,
      pageResources,
      tfjsInPage: '_tfengine' in globalThis,
    };
  }, HISTORY);
}

/** Long tasks of the worker-mode pages (any tfjs on those pages would be among them). */
const workerMode: number[] = [];

/**
 * The runtime's main-thread entry (`runtime.js`, tfjs on the page) if the page fetched it. Only the
 * main-thread transport imports it; the worker imports `worker.js` and the shared chunks (which
 * Chromium lists in the page's resource timeline too, as it fetches a module worker's graph).
 */
const tfjsOnPage = (out: Outcome): string[] => out.pageResources.filter((u) => u.endsWith('/runtime.js'));

/** Every URL the page and its workers request. */
function requests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => seen.push(`${r.method()} ${r.url()}`));
  return seen;
}

describe('script tag with model: where the runtime files live', () => {
  test("runtime files next to localrec.min.js: `model: '/models/demo-shop/'` alone answers from the model with reasons, in a worker; tfjs never on the page", async () => {
    const page = await chromium.browser.newPage();
    const seen = watchPage(page);
    const urls = requests(page);
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    const out = await run(page, '/next-to-sdk.html');
    console.log(
      `runtime-origins next-to-sdk: long tasks ${JSON.stringify(out.longTasks)} (page script at ${out.initAt} ms, model ready at ${out.readyAt} ms)`,
    );
    for (const a of out.answers) {
      expect(a.source).toBe('model');
      expect(a.reasons.length).toBeGreaterThan(0);
      for (const r of a.reasons) expect(r).toMatch(/^Because you /);
    }
    expect(out.status.runtime).toBe('worker');
    expect(out.runtimeStatus).toMatchObject({ ready: true, runtime: 'worker' });
    expect(out.errors).toEqual([]);
    expect(tfjsOnPage(out)).toEqual([]);
    expect(out.tfjsInPage).toBe(false);
    workerMode.push(...out.longTasks);
    expect(workers).toEqual([`${shop.url}localrec/worker.js`]);
    // The connector file came lazily from the SDK's folder; tfjs's main-thread entry never.
    expect(urls).toContain(`GET ${shop.url}localrec/localrec-model.min.mjs`);
    expect(urls.filter((u) => u.endsWith('/runtime.js'))).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.close();
  });

  test('runtime files on another origin (CORS, like a CDN): the worker starts from a same-origin blob: bootstrap, model answers, tfjs never on the page', async () => {
    const page = await chromium.browser.newPage();
    const seen = watchPage(page);
    const urls = requests(page);
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    const out = await run(page, '/cdn.html');
    console.log(
      `runtime-origins cdn: long tasks ${JSON.stringify(out.longTasks)} (page script at ${out.initAt} ms, model ready at ${out.readyAt} ms)`,
    );
    for (const a of out.answers) {
      expect(a.source).toBe('model');
      for (const r of a.reasons) expect(r).toMatch(/^Because you /);
    }
    expect(out.status.runtime).toBe('worker');
    expect(out.runtimeStatus).toMatchObject({ ready: true, runtime: 'worker' });
    expect(out.errors).toEqual([]);
    expect(tfjsOnPage(out)).toEqual([]);
    expect(out.tfjsInPage).toBe(false);
    workerMode.push(...out.longTasks);
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatch(/^blob:/);
    expect(urls).toContain(`GET ${cdn.url}runtime/worker.js`);
    expect(urls.filter((u) => u.endsWith('/runtime.js'))).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.close();
  });

  test('a worker URL that 404s: one WORKER_CRASHED naming the URL and the status, fallback answers, not fetched again on later calls, tfjs never on the page', async () => {
    const page = await chromium.browser.newPage();
    const urls = requests(page);
    const out = await run(page, '/missing.html');
    const worker = `${shop.url}nothing/worker.js`;
    for (const a of out.answers) expect(a).toMatchObject({ source: 'fallback', fallbackReason: 'error' });
    expect(out.errors.length).toBeGreaterThan(0);
    for (const e of out.errors) {
      expect(e.code).toBe('WORKER_CRASHED');
      expect(e.message).toContain(worker);
      expect(e.message).toContain('HTTP 404');
    }
    // One start and its diagnosis, whatever the number of calls since.
    expect(urls.filter((u) => u.endsWith(' ' + worker))).toEqual([`GET ${worker}`, `HEAD ${worker}`]);
    expect(urls.filter((u) => u.endsWith('/runtime.js'))).toEqual([]);
    expect(out.status.runtime).toBe('worker');
    expect(out.runtimeStatus).toMatchObject({ ready: false, error: { code: 'WORKER_CRASHED' } });
    expect(tfjsOnPage(out)).toEqual([]);
    expect(out.tfjsInPage).toBe(false);
    workerMode.push(...out.longTasks);
    await page.close();
  });

  test("the same 404 with mode: 'auto': the model runs on the main thread because the host asked, reported as WORKER_UNAVAILABLE; status.runtime and runtimeStatus() agree", async () => {
    const page = await chromium.browser.newPage();
    const urls = requests(page);
    const out = await run(page, '/missing-auto.html');
    for (const a of out.answers) expect(a.source).toBe('model');
    expect(out.errors).toEqual([
      { code: 'WORKER_UNAVAILABLE', message: expect.stringContaining(`${shop.url}nothing/worker.js failed to start: HTTP 404`) as string },
    ]);
    expect(out.status.runtime).toBe('main-thread');
    expect(out.runtimeStatus).toMatchObject({ ready: true, runtime: 'main-thread' });
    expect(urls).toContain(`GET ${shop.url}localrec/runtime.js`);
    console.log(
      `runtime-origins auto fallback (main thread, asked for): long tasks ${JSON.stringify(out.longTasks)} (page script at ${out.initAt} ms, model ready at ${out.readyAt} ms)`,
    );
    await page.close();
  });
});
