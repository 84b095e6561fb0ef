// "No network request with behaviour data — ever": drive the demo shop through every feature and
// observe all traffic at the context level (routing and request events, both of which include
// dedicated workers' requests) — then require that every request is a GET of a static asset
// from the server's own origin, without a query string, and that no cookie or Web Storage is used.
import { describe, expect, test } from 'vitest';
import type { BrowserContext } from 'playwright';
import { useShop, watchPage } from './helpers.js';

interface Seen {
  via: string;
  method: string;
  url: string;
}

const e2e = useShop();

/**
 * Observes every request of the context two ways: context-level routing and the context's
 * request events. Both cover dedicated workers (page.route does not); the self-check proves it.
 */
async function observe(context: BrowserContext): Promise<Seen[]> {
  const seen: Seen[] = [];
  await context.route('**/*', async (route) => {
    seen.push({ via: 'route', method: route.request().method(), url: route.request().url() });
    await route.continue();
  });
  context.on('request', (r) => seen.push({ via: 'event', method: r.method(), url: r.url() }));
  return seen;
}

const STATIC =
  /^\/(|index\.html|style\.css|favicon\.ico|generated\/[\w.-]+|sdk\/[\w.-]+|elements\/[\w.-]+|runtime\/[\w./-]+|models\/[\w./-]+)$/;

function offending(seen: Seen[], origin: string): Seen[] {
  return seen.filter((s) => {
    if (s.url.startsWith('blob:') || s.url.startsWith('data:')) return false;
    const u = new URL(s.url);
    return s.method !== 'GET' || u.origin !== origin || u.search !== '' || !STATIC.test(u.pathname);
  });
}

describe('network', () => {
  test('the observer sees requests made from inside a worker (self-check)', async () => {
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    const seen = await observe(context);
    await page.goto(e2e.url);
    const status = await page.evaluate(async () => {
      const src = `fetch('${location.origin}/style.css?from-worker=1').then((r) => postMessage(r.status), (e) => postMessage(String(e)))`;
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      const r = await new Promise((ok) => {
        w.onmessage = (e) => ok(e.data);
        w.onerror = (e) => ok(e.message);
      });
      w.terminate();
      return r;
    });
    expect(status).toBe(200);
    const fromWorker = seen.filter((s) => s.url.includes('from-worker=1')).map((s) => s.via);
    expect(fromWorker.sort()).toEqual(['event', 'route']);
    await context.close();
  });

  test('browsing, buying, sharing, exporting and erasing cause only same-origin GETs of static assets', async () => {
    const context = await e2e.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchPage(page);
    const seen = await observe(context);
    const origin = new URL(e2e.url).origin;

    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    await page.click('.grid .card:not(:has(.out)) >> nth=3');
    await page.waitForSelector('[data-product]');
    const productId = (await page.getAttribute('[data-product]', 'data-product'))!;
    await page.click('#like');
    await page.click('[data-rate="4"]');
    await page.selectOption('#share-channel', 'email');
    await page.click('#share');
    await page.click('#add-to-cart');
    await page.fill('#q', 'blue');
    await page.press('#q', 'Enter');
    await page.waitForSelector('#view h1:has-text("Search")');
    await page.goto(`${e2e.url}#/cart`);
    await page.evaluate(() => window.shopReady);
    await page.click('#data-toggle');
    const download = page.waitForEvent('download');
    await page.click('#p-export');
    await download;
    await page.click('#p-erase');
    await page.waitForSelector('#p-proof:not([hidden])');
    await page.evaluate(async () => {
      await window.LocalRec.flush();
    });

    expect(seen.filter((s) => s.via === 'route').length).toBeGreaterThan(3);
    expect(offending(seen, origin)).toEqual([]);
    // Belt and braces: no URL mentions what the shopper did.
    expect(seen.filter((r) => r.url.includes(productId) || /blue/i.test(r.url))).toEqual([]);
    // The SDK, its opt-in capture module, its extras (for the export and the erase) and the catalog
    // were fetched, and nothing else of LocalRec's.
    const paths = new Set(seen.map((r) => new URL(r.url).pathname));
    expect([...paths].filter((x) => x.startsWith('/sdk/')).sort()).toEqual([
      '/sdk/localrec-capture.min.mjs',
      '/sdk/localrec-extras.min.mjs',
      '/sdk/localrec.min.js',
    ]);
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => ({ ls: localStorage.length, ss: sessionStorage.length }))).toEqual({ ls: 0, ss: 0 });
    expect(errors.errors).toEqual([]);
    await context.close();
  });
});
