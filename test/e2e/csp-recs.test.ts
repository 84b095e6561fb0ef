// Recommendations under a strict Content-Security-Policy: the BUILT SDK and the BUILT worker
// runtime with models/demo-shop.
// - The demo under `serve.mjs --csp` (no 'unsafe-eval', no 'unsafe-inline'; script-src adds only
//   'wasm-unsafe-eval'): live recommendations from the worker, no violation.
// - Which directive each backend needs, measured: the policy `default-src 'self'; script-src
//   'self'; worker-src 'self'; connect-src 'self'` on the page AND on the worker script (a
//   same-origin worker enforces the policy delivered with its own script), each backend forced.
// - `connect-src 'none'` once the model is cached: the runtime starts from Cache Storage (the last
//   valid manifest and the hashed files) and still answers from the model; no model request leaves.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext } from 'playwright';
import { startShop, useBrowser, watchCsp, watchPage } from './helpers.js';
import type { ShopServer } from '../../examples/shop/serve.mjs';

const STRICT = "default-src 'self'; script-src 'self'; worker-src 'self'; connect-src 'self'";
const WITH_WASM = STRICT.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'");
const OFFLINE = WITH_WASM.replace("connect-src 'self'", "connect-src 'none'");

const chromium = useBrowser();

describe('the demo shop under serve.mjs --csp', () => {
  let server: ShopServer;
  beforeAll(async () => {
    server = await startShop({ csp: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('live recommendations from the worker, reasons, backend in the panel; no violation', async () => {
    const workerCsp = (await fetch(new URL('runtime/worker.js', server.url))).headers.get('content-security-policy') ?? '';
    expect(workerCsp).toContain("worker-src 'self'");
    expect(workerCsp).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
    expect(workerCsp).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);

    const context = await chromium.browser.newContext();
    const violations = await watchCsp(context);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(server.url);
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    await page.click('#categories a[data-category="Audio"]');
    for (let i = 0; i < 3; i++) {
      await page.locator('.grid[data-list^="category:"] .card').nth(i).click();
      await page.waitForSelector('[data-product]');
      await page.goBack();
      await page.waitForSelector('.grid[data-list^="category:"]');
    }
    await page.click('.logo');
    await expect.poll(() => page.getAttribute('[data-recs="recommend"]', 'data-source'), { timeout: 60_000 }).toBe('model');
    // The cards are drawn by <localrec-recommendations> in its shadow root (Playwright's CSS reaches in).
    const reasons = await page.locator('[data-recs="recommend"] [part~=reason]').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((r) => r.startsWith('Because you'))).toBe(true);
    await page.click('#data-toggle');
    await expect
      .poll(() => page.textContent('#p-runtime'), { timeout: 30_000 })
      .toMatch(/backend (webgpu|webgl|wasm|cpu) · model .* · in a Web Worker/);
    const status = (await page.evaluate(() => window.LocalRec.runtimeStatus())) as { backend?: string; calibration?: unknown };
    console.log(`csp-recs: demo under --csp runs on ${status.backend}; calibration ${JSON.stringify(status.calibration)}`);
    expect(await violations(page)).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});

describe("directives per backend, and connect-src 'none' with a cached model", () => {
  let server: ShopServer;
  beforeAll(async () => {
    server = await startShop();
  });
  afterAll(async () => {
    await server?.close();
  });

  const PAGE =
    '<!doctype html><meta charset="utf-8"><title>csp recs</title><script src="/sdk/localrec.min.js"></script><script type="module" src="/__e2e/boot.js"></script><body>';

  /**
   * A context whose responses all carry `policy()` (page, SDK, worker script and its chunks); the
   * fixture page loads the SDK by script tag and plugs the built connector in with `runtime`
   * options. Records the model requests that reached the network.
   */
  async function strictContext(
    policy: () => string,
    runtime: Record<string, unknown>,
  ): Promise<{ context: BrowserContext; modelRequests: string[] }> {
    const context = await chromium.browser.newContext();
    const modelRequests: string[] = [];
    const boot = `import { workerRuntime } from '/runtime/connector.js';
LocalRec.init({ appId: 'csp-recs', consent: 'granted', runtime: workerRuntime(${JSON.stringify({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/', mode: 'worker', ...runtime })}) });
window.__booted = true;`;
    await context.route(`${server.url}**`, async (route) => {
      const url = new URL(route.request().url());
      const headers = { 'content-security-policy': policy() };
      if (url.pathname === '/__e2e/page.html') return route.fulfill({ contentType: 'text/html; charset=utf-8', headers, body: PAGE });
      if (url.pathname === '/__e2e/boot.js') return route.fulfill({ contentType: 'text/javascript', headers, body: boot });
      if (url.pathname.startsWith('/models/')) modelRequests.push(url.pathname);
      const res = await route.fetch();
      return route.fulfill({ response: res, headers: { ...res.headers(), ...headers } });
    });
    return { context, modelRequests };
  }

  async function openAndRecommend(
    context: BrowserContext,
    history: string[],
  ): Promise<{
    source: string;
    backend?: string;
    error?: string;
    status: { backend?: string; error?: { code: string; message: string } };
  }> {
    const page = await context.newPage();
    await page.goto(`${server.url}__e2e/page.html`);
    await page.waitForFunction(() => (window as unknown as { __booted?: boolean }).__booted === true);
    return page.evaluate(async (ids) => {
      const L = window.LocalRec as unknown as {
        track(t: string, d: object): void;
        flush(): Promise<void>;
        recommend(o: object): Promise<{ source: string; backend?: string }>;
        runtimeStatus(): Promise<{ ready: boolean; backend?: string; error?: { code: string; message: string } }>;
      };
      for (const id of ids) L.track('view', { itemId: id });
      await L.flush();
      // Wait for the model (or its failure) before asking, so the answer says what the backend can do.
      for (let i = 0; i < 300; i++) {
        const s = await L.runtimeStatus();
        if (s.ready || s.error) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const r = await L.recommend({ k: 5 });
      return { source: r.source, backend: r.backend, status: await L.runtimeStatus() };
    }, history);
  }

  const HISTORY = ['SKU-00003', 'SKU-00010', 'SKU-00020'];

  test("each backend forced under the strict policy: wasm needs 'wasm-unsafe-eval', cpu and webgl need nothing more", async () => {
    const outcome: Record<string, string> = {};
    for (const [name, policy] of [
      ['strict', STRICT],
      ["strict + 'wasm-unsafe-eval'", WITH_WASM],
    ] as const) {
      for (const backend of ['wasm', 'cpu', 'webgl']) {
        const { context } = await strictContext(() => policy, { forceBackend: backend, cache: false });
        const r = await openAndRecommend(context, HISTORY);
        outcome[`${name} / ${backend}`] =
          r.source === 'model' ? `model on ${r.backend}` : `fallback (${r.status.error?.code ?? 'no error'})`;
        await context.close();
      }
    }
    console.log(`csp-recs: backend × policy ${JSON.stringify(outcome, null, 1)}`);
    expect(outcome['strict / wasm']).toBe('fallback (BACKEND_UNAVAILABLE)');
    expect(outcome["strict + 'wasm-unsafe-eval' / wasm"]).toBe('model on wasm');
    expect(outcome['strict / cpu']).toBe('model on cpu');
    expect(outcome['strict / webgl']).toBe('model on webgl');
  });

  test("connect-src 'none' after the model is cached: still recommends from the model, no model request leaves", async () => {
    let policy = WITH_WASM;
    const { context, modelRequests } = await strictContext(() => policy, {});
    const first = await openAndRecommend(context, HISTORY);
    expect(first.source).toBe('model');
    expect(modelRequests).toEqual(expect.arrayContaining(['/models/demo-shop/manifest.json', '/models/demo-shop/weights.bin']));

    // Next visit: the page and the worker may connect nowhere.
    policy = OFFLINE;
    modelRequests.length = 0;
    const offline = await openAndRecommend(context, ['SKU-00030']);
    console.log(`csp-recs: connect-src 'none' → ${offline.source} on ${offline.backend} (${JSON.stringify(offline.status)})`);
    expect(offline.source).toBe('model');
    expect(offline.status.error).toBeUndefined();
    expect(modelRequests).toEqual([]);
    await context.close();
  });
});
