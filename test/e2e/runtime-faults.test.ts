// Runtime faults in real Chromium, each one real: the BUILT worker runtime (packages/runtime/dist)
// and the committed models/demo-shop, served by the demo server. Faults are injected with
// context-level routing (which also sees the worker's own requests) and by stopping the worker
// from inside (Playwright evaluates `self.close()` in the worker's own global).
// - the worker stops mid-session: the call in flight rejects with WORKER_CRASHED at once (the SDK
//   turns it into a fallback answer, never a rejection), the next call starts a new worker, and
//   the history in IndexedDB is intact (the new worker answers exactly as the old one did);
// - a corrupted model file: refused (MODEL_INTEGRITY, the file and both hashes named), nothing
//   cached, cold-start answers; once the file is good again a later call loads it;
// - a 404: MODEL_LOAD_FAILED, cold-start answers;
// - a slow network: the first call answers from the fallback within the ready time budget instead
//   of waiting for the download; the model answers once it has arrived.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page, Route, Worker } from 'playwright';
import { readIndexedDb, repo, serveFixtures, useShop, watchPage } from './helpers.js';

const WEIGHTS = readFileSync(join(repo, 'models/demo-shop/weights.bin'));

const e2e = useShop();
let products: Array<{ id: string; name: string; category: string }>;
beforeAll(async () => {
  products = (await (await fetch(new URL('generated/catalog.json', e2e.url))).json()) as typeof products;
});

/** A page on the shop's origin (same IndexedDB) with the built connector on window. */
const CONNECTOR_PAGE = `<!doctype html><meta charset="utf-8"><title>connector</title>
<script type="module">import * as c from '/runtime/connector.js'; window.__connector = c;</script><body>`;

/** In the page: the built connector's `workerRuntime(options).connect(...)` as window.__api. */
async function connectDirect(page: Page, options: Record<string, unknown> = {}): Promise<void> {
  await page.waitForFunction(() => '__connector' in window);
  await page.evaluate(async (o) => {
    const w = window as unknown as {
      __connector: { workerRuntime(o: unknown): { connect(c: unknown): Promise<unknown> } };
      __api: unknown;
    };
    w.__api = await w.__connector
      .workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/', mode: 'worker', ...o })
      .connect({ appId: 'demo-shop', consent: 'granted' });
  }, options);
}

type Answer =
  | { source: string; fallbackReason?: string; ids: string[]; reasons: string[] }
  | { error: { name: string; code: string; message: string } };

/** In the page: `window.__api[method](...args)`, its outcome as data. */
function direct(page: Page, method: string, ...args: unknown[]): Promise<Answer> {
  return page.evaluate(
    async ([m, a]) => {
      const api = (
        window as unknown as {
          __api: Record<
            string,
            (
              ...x: unknown[]
            ) => Promise<{ source: string; fallbackReason?: string; items: Array<{ itemId: string; reason: { text: string } }> }>
          >;
        }
      ).__api;
      try {
        const r = await api[m]!(...a);
        return {
          source: r.source,
          fallbackReason: r.fallbackReason,
          ids: r.items.map((i) => i.itemId),
          reasons: r.items.map((i) => i.reason.text),
        };
      } catch (e) {
        const err = e as { name: string; code: string; message: string };
        return { error: { name: err.name, code: err.code, message: err.message } };
      }
    },
    [method, args] as const,
  );
}

/** Opens the shop, grants consent and views `n` products of one department (each a product page). */
async function browse(page: Page, n = 3, department = 'Kitchen'): Promise<string[]> {
  await page.goto(e2e.url);
  await page.evaluate(() => window.shopReady);
  await page.click('#consent-allow');
  const ids = products
    .filter((p) => p.category === department)
    .slice(0, n)
    .map((p) => p.id);
  for (const id of ids) {
    await page.evaluate((i) => {
      location.hash = `#/p/${encodeURIComponent(i)}`;
    }, id);
    await page.waitForSelector(`[data-product="${id}"]`);
  }
  await page.evaluate(() => window.LocalRec.flush());
  return ids;
}

/** Stored behaviour events (the `events` store of every database). */
const events = (dbs: Record<string, Record<string, number>>): number => Object.values(dbs).reduce((n, s) => n + (s.events ?? 0), 0);

const runtimeWorkers = (page: Page): Worker[] => page.workers().filter((w) => w.url().endsWith('/runtime/worker.js'));

/**
 * Stops `worker` from inside while a call is in flight: the worker announces on a BroadcastChannel
 * that it is busy (a synchronous loop), the page then sends `call` — which queues behind the loop —
 * and the worker closes itself, so the call can never be answered. Returns the call's outcome.
 */
async function killDuringCall(page: Page, worker: Worker, call: string): Promise<unknown> {
  await page.evaluate((src) => {
    const w = window as unknown as { __inflight: Promise<unknown> };
    w.__inflight = new Promise((resolve) => {
      const bc = new BroadcastChannel('e2e-worker-busy');
      bc.onmessage = () => {
        bc.close();

        resolve(
          // The probe's source is ours, sent as text so it runs in the worker's own scope.
          // eslint-disable-next-line @typescript-eslint/no-implied-eval
          (new Function(`return (${src})()`) as () => Promise<unknown>)().then(
            (r) => ({ ok: r }),
            (e: { name: string; code: string; message: string }) => ({ error: { name: e.name, code: e.code, message: e.message } }),
          ),
        );
      };
    });
  }, call);
  void worker
    .evaluate(() => {
      new BroadcastChannel('e2e-worker-busy').postMessage('busy');
      const t = Date.now();
      while (Date.now() - t < 2000) {
        /* busy: the page's call queues behind this */
      }
      (self as unknown as { close(): void }).close();
    })
    .catch(() => undefined);
  return page.evaluate(() => (window as unknown as { __inflight: Promise<unknown> }).__inflight);
}

describe('runtime faults', () => {
  test('worker stopped mid-call (connector): the call rejects with WORKER_CRASHED, the next call restarts the worker, history intact', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, { 'connector.html': CONNECTOR_PAGE });
    const page = await context.newPage();
    const viewed = await browse(page);
    await page.goto(`${e2e.url}__e2e/connector.html`);
    // Counted once the shop is gone: its lists record impressions when they render, even after
    // browse()'s flush, and its pagehide flush writes them.
    const before = events(await readIndexedDb(page));
    expect(before).toBeGreaterThanOrEqual(3);
    await connectDirect(page);
    await page.evaluate(() => (window as unknown as { __api: { ready(): Promise<unknown> } }).__api.ready());
    const first = await direct(page, 'recommend', { k: 5 });
    expect(first).toMatchObject({ source: 'model' });
    if (!('ids' in first)) throw new Error('no answer');
    expect(first.reasons.some((r) => viewed.some((id) => r.includes(products.find((p) => p.id === id)!.name)))).toBe(true);

    const [old] = runtimeWorkers(page);
    expect(old).toBeDefined();
    const started = new Promise<Worker>((ok) =>
      page.on('worker', (w) => {
        if (w.url().endsWith('/runtime/worker.js')) ok(w);
      }),
    );
    const inflight = await killDuringCall(page, old!, '() => window.__api.recommend({ k: 5 })');
    expect(inflight).toMatchObject({ error: { name: 'LocalRecError', code: 'WORKER_CRASHED' } });
    expect((inflight as { error: { message: string } }).error.message).toMatch(
      /runtime worker stopped .* before recommend\(\) answered.*next call starts a new worker/,
    );

    // The next call starts a new worker, which reads the same history: the same answer as before.
    const again = await direct(page, 'recommend', { k: 5 });
    await started;
    expect(runtimeWorkers(page).length).toBe(1);
    expect(runtimeWorkers(page)[0]).not.toBe(old);
    expect(again).toEqual(first);
    expect(events(await readIndexedDb(page))).toBe(before); // the history (the worker only adds its calibration to meta)
    await context.close();
  });

  test('worker stopped in a shop session (SDK): recommend() never rejects, reports the crash, and recovers on the next call', async () => {
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    const seen = watchPage(page);
    await browse(page);
    await expect.poll(() => page.evaluate(async () => (await window.LocalRec.runtimeStatus()).ready), { timeout: 60_000 }).toBe(true);
    const first = await page.evaluate(() => window.LocalRec.recommend({ k: 6 }));
    expect(first.source).toBe('model');
    const stored = (await page.evaluate(() => window.LocalRec.exportData())).events.length;

    const [old] = runtimeWorkers(page);
    const inflight = (await killDuringCall(page, old!, '() => window.LocalRec.recommend({ k: 6 })')) as {
      ok?: { source: string; fallbackReason?: string; items: unknown[] };
    };
    expect(inflight.ok).toMatchObject({ source: 'fallback', fallbackReason: 'error', items: [] });
    const lastError = await page.evaluate(
      async () =>
        ((await window.shopReady) as unknown as { status: { lastError?: { code: string; message: string } } } | undefined)?.status
          .lastError,
    );
    expect(lastError?.message).toMatch(/runtime worker stopped/);

    const next = await page.evaluate(() => window.LocalRec.recommend({ k: 6 }));
    expect(next.source).toBe('model');
    expect(next.items.map((i) => i.itemId)).toEqual(first.items.map((i) => i.itemId));
    expect((await page.evaluate(() => window.LocalRec.exportData())).events.length).toBe(stored);
    // The shop's section recovers too: the next click asks the new worker.
    await page.click('.logo');
    await expect.poll(() => page.getAttribute('[data-recs="recommend"]', 'data-source'), { timeout: 30_000 }).toBe('model');
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('a corrupted model file is refused (MODEL_INTEGRITY), never cached, answers fall back; a later call loads the good file', async () => {
    const context = await e2e.browser.newContext();
    const bad = Buffer.from(WEIGHTS);
    bad[100] = bad[100]! ^ 0xff; // same size, one byte flipped
    const corrupt = (route: Route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: bad });
    await context.route('**/models/demo-shop/weights.bin', corrupt);
    const page = await context.newPage();
    const seen = watchPage(page);
    await browse(page);
    await expect
      .poll(() => page.evaluate(async () => (await window.LocalRec.runtimeStatus()).error?.code), { timeout: 60_000 })
      .toBe('MODEL_INTEGRITY');
    const status = await page.evaluate(() => window.LocalRec.runtimeStatus());
    expect(status.ready).toBe(false);
    expect(status.error!.message).toMatch(/weights\.bin: SHA-256 [0-9a-f]{64} does not match manifest\.json \([0-9a-f]{64}\)/);
    // Answers never reject: no trusted bundle means no tables either, so an explicit cold start.
    const rec = await page.evaluate(() => window.LocalRec.recommend({ k: 5 }));
    expect(rec).toMatchObject({ source: 'fallback', fallbackReason: 'no-model', items: [] });
    const candidates = products.slice(0, 5).map((p) => p.id);
    const ranked = await page.evaluate((c) => window.LocalRec.rank(c), candidates);
    expect(ranked.fallbackReason).toBe('no-model');
    expect(ranked.items.map((i) => i.itemId)).toEqual(candidates); // the shop's order, unchanged
    // The shop shows the cold start and the panel the error.
    await page.click('.logo');
    await expect.poll(() => page.getAttribute('[data-recs="recommend"]', 'data-fallback'), { timeout: 30_000 }).toBe('no-model');
    await page.click('#data-toggle');
    await expect.poll(() => page.textContent('#p-runtime'), { timeout: 30_000 }).toMatch(/not ready: MODEL_INTEGRITY: .*weights\.bin/);
    // Nothing unverified was cached.
    const cached = await page.evaluate(async () =>
      (await Promise.all((await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)))).flat(),
    );
    expect(cached.some((u) => u.includes('weights.bin'))).toBe(false);

    // The file is good again: a later call (after the runtime's retry delay) loads and uses it.
    await context.unroute('**/models/demo-shop/weights.bin', corrupt);
    await expect
      .poll(async () => (await page.evaluate(() => window.LocalRec.recommend({ k: 5 }))).source, { timeout: 60_000, interval: 1000 })
      .toBe('model');
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('a model 404 answers from the fallback (MODEL_LOAD_FAILED), never a rejection', async () => {
    const context = await e2e.browser.newContext();
    await context.route('**/models/demo-shop/weights.bin', (route) =>
      route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }),
    );
    const page = await context.newPage();
    await browse(page);
    await expect
      .poll(() => page.evaluate(async () => (await window.LocalRec.runtimeStatus()).error?.code), { timeout: 60_000 })
      .toBe('MODEL_LOAD_FAILED');
    expect((await page.evaluate(() => window.LocalRec.runtimeStatus())).error!.message).toMatch(/weights\.bin: HTTP 404/);
    const rec = await page.evaluate(() => window.LocalRec.recommend({ k: 5 }));
    expect(rec).toMatchObject({ source: 'fallback', fallbackReason: 'no-model' });
    const sim = await page.evaluate((id) => window.LocalRec.similar(id, { k: 5 }), products[0]!.id);
    expect(sim).toMatchObject({ source: 'fallback', fallbackReason: 'no-model' });
    await context.close();
  });

  test('forgetMe() while the runtime is starting: it is stopped before the erase, so nothing re-creates the model cache afterwards', async () => {
    const context = await e2e.browser.newContext();
    let release!: () => void;
    const held = new Promise<void>((ok) => {
      release = ok;
    });
    // The worker script is held: the runtime has not started when the visitor asks to be forgotten.
    await context.route('**/runtime/worker.js', async (route) => {
      await held;
      await route.continue();
    });
    const page = await context.newPage();
    await browse(page, 2);
    const forgetting = page.evaluate(() => window.LocalRec.forgetMe());
    release(); // the worker starts now and begins loading the model (which opens the model cache)
    const proof = await forgetting;
    expect(proof).toMatchObject({ verified: true, remainingEvents: 0, remainingCaches: [] });
    // A runtime left running would now finish its load and write the files to Cache Storage.
    await page.waitForTimeout(1500);
    expect(await page.evaluate(async () => caches.keys())).toEqual([]);
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual([]);
    await context.close();
  });

  test('a slow network: the first call answers from the fallback within the ready budget; the model answers once downloaded', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, { 'connector.html': CONNECTOR_PAGE });
    let release!: () => void;
    const held = new Promise<void>((ok) => {
      release = ok;
    });
    let asked = 0;
    await context.route('**/models/demo-shop/weights.bin', async (route) => {
      asked++;
      await held; // the download does not finish until the test says so
      await route.continue();
    });
    const page = await context.newPage();
    await browse(page, 3, 'Audio');
    await page.goto(`${e2e.url}__e2e/connector.html`);
    // cache: false so that the (held) network is the only source of the model.
    await connectDirect(page, { readyTimeoutMs: 1000, cache: false });
    const waiting = await direct(page, 'recommend', { k: 5 });
    expect(waiting).toMatchObject({ source: 'fallback', fallbackReason: 'no-model' });
    expect(asked).toBeGreaterThan(0); // the download was under way, held
    release();
    await page.evaluate(() => (window as unknown as { __api: { ready(): Promise<unknown> } }).__api.ready());
    const loaded = await direct(page, 'recommend', { k: 5 });
    expect(loaded).toMatchObject({ source: 'model' });
    await context.close();
  });
});
