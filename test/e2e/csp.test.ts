// Strict Content-Security-Policy: the demo served with `serve.mjs --csp`, and a page served with
// exactly `default-src 'self'; script-src 'self'; worker-src 'self'; connect-src 'self'` (no
// 'unsafe-eval', no 'unsafe-inline', no 'wasm-unsafe-eval'). Recording works under both with no
// violation reported, and the wasm directive documented in PRIVACY.md is checked: WebAssembly
// compiles only where script-src has 'wasm-unsafe-eval'.
// Recommendations from the worker runtime under these policies, each backend's directive, and
// `connect-src 'none'` with a cached model: csp-recs.test.ts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright';
import { readIndexedDb, startShop, totalRecords, useBrowser } from './helpers.js';
import type { ShopServer } from '../../examples/shop/serve.mjs';

const STRICT = "default-src 'self'; script-src 'self'; worker-src 'self'; connect-src 'self'";

const chromium = useBrowser();

/** Collects CSP violations (the DOM event) and console errors from the first script on. */
async function watchCsp(context: BrowserContext, page: Page): Promise<() => Promise<string[]>> {
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|CSP/i.test(m.text())) consoleErrors.push(m.text());
  });
  return async () => [...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)), ...consoleErrors];
}

/** Whether this page may compile WebAssembly (the wasm backend's requirement). */
const canCompileWasm = (page: Page): Promise<string> =>
  page.evaluate(async () => {
    try {
      await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
      return 'compiled';
    } catch (e) {
      return `blocked: ${(e as Error).message}`;
    }
  });

describe('demo shop under serve.mjs --csp', () => {
  let server: ShopServer;
  beforeAll(async () => {
    server = await startShop({ csp: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('sends the strict policy; recording, consent and the data panel work with no violation', async () => {
    const res = await fetch(server.url);
    const policy = res.headers.get('content-security-policy') ?? '';
    for (const d of ["default-src 'self'", "worker-src 'self'", "connect-src 'self'"]) expect(policy).toContain(d);
    expect(policy).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval'( 'sha256-[^']+')*;/);

    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    const violations = await watchCsp(context, page);
    await page.goto(server.url);
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    await page.click('.grid .card >> nth=1');
    await page.waitForSelector('[data-product]');
    await page.click('#add-to-cart');
    await page.evaluate(async () => {
      await window.LocalRec.track('search', { query: 'csp' });
      await window.LocalRec.flush();
    });
    const dbs = await readIndexedDb(page);
    expect(totalRecords(dbs)).toBeGreaterThan(2);
    await page.click('#data-toggle');
    await expect.poll(() => page.textContent('#p-storage')).toMatch(/indexeddb/i);
    expect(await canCompileWasm(page)).toBe('compiled'); // 'wasm-unsafe-eval' is there for the wasm backend
    expect(await violations()).toEqual([]);
    await context.close();
  });
});

describe(`a page served with exactly "${STRICT}"`, () => {
  let server: ShopServer;
  beforeAll(async () => {
    server = await startShop();
  });
  afterAll(async () => {
    await server?.close();
  });

  async function strictPage(policy: string): Promise<{ context: BrowserContext; page: Page; violations: () => Promise<string[]> }> {
    const context = await chromium.browser.newContext();
    await context.route(`${server.url}__e2e/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path.endsWith('/init.js')) {
        return route.fulfill({ contentType: 'text/javascript', body: "window.rec = LocalRec.init({ appId: 'csp', consent: 'granted' });" });
      }
      return route.fulfill({
        contentType: 'text/html; charset=utf-8',
        headers: { 'content-security-policy': policy },
        body: '<!doctype html><meta charset="utf-8"><title>csp</title><script src="/sdk/localrec.min.js"></script><script src="/__e2e/init.js"></script><body>',
      });
    });
    const page = await context.newPage();
    const violations = await watchCsp(context, page);
    await page.goto(`${server.url}__e2e/strict.html`);
    return { context, page, violations };
  }

  test("recording and erasing work; no violation; WebAssembly is refused (the wasm backend needs 'wasm-unsafe-eval')", async () => {
    const { context, page, violations } = await strictPage(STRICT);
    const r = await page.evaluate(async () => {
      const L = window.LocalRec as unknown as {
        track(t: string, d: object): unknown;
        flush(): Promise<void>;
        exportData(): Promise<{ events: unknown[] }>;
        forgetMe(): Promise<{ verified: boolean }>;
        status: { storage: string };
      };
      for (let i = 0; i < 20; i++) L.track('view', { itemId: `SKU-${i}` });
      await L.flush();
      return { n: (await L.exportData()).events.length, storage: L.status.storage };
    });
    expect(r).toEqual({ n: 20, storage: 'indexeddb' });
    expect(totalRecords(await readIndexedDb(page))).toBeGreaterThanOrEqual(20);
    expect(await canCompileWasm(page)).toMatch(/^blocked/);
    const wasmViolation = await violations();
    // The only violation is the test's own WebAssembly probe.
    expect(wasmViolation.every((v) => /wasm|eval/i.test(v))).toBe(true);
    const forget = await page.evaluate(() => (window.LocalRec as unknown as { forgetMe(): Promise<{ verified: boolean }> }).forgetMe());
    expect(forget.verified).toBe(true);
    await context.close();
  });

  test("adding 'wasm-unsafe-eval' to script-src is exactly what WebAssembly needs", async () => {
    const { context, page, violations } = await strictPage(STRICT.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"));
    expect(await canCompileWasm(page)).toBe('compiled');
    expect(await violations()).toEqual([]);
    await context.close();
  });
});
