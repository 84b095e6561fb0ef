// The demo shop's "Your profile" panel, end to end: the BUILT SDK (script tag) and the BUILT runtime
// worker with `insights: {}` and models/demo-shop, served by serve.mjs. A visitor grants consent,
// browses and buys, and opens the profile: both Chart.js charts render (each canvas is screenshot,
// the PNG decoded and checked for drawn bars — not blank, not one flat colour); the text shows the
// purchase and recent interests; turning a simulated friend on brings social proof into a
// recommendation's reason; at most 3 segments are shown; and every request of the context (pages
// and the worker) is a same-origin GET of a static file carrying no item id, query or category.
// Under `serve.mjs --csp` the charts render with no CSP violation.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright';
import { browseDepartment, repo, shopList, startShop, useShop, watchCsp, watchPage } from './helpers.js';

const DEPARTMENT = 'Coffee & Tea';
/** The bars' colour in charts.ts. */
const ACCENT = [0x2d, 0x6c, 0xdf] as const;

beforeAll(() => {
  if (!existsSync(join(repo, 'packages/runtime/dist/worker.js')))
    throw new Error('packages/runtime/dist/worker.js is missing: run `pnpm build` first.');
});
const e2e = useShop();
let decoder: Page;
beforeAll(async () => {
  // A blank page of its own context decodes screenshots (Chromium's PNG decoder; no request, and
  // outside the contexts whose traffic is checked).
  decoder = await (await e2e.browser.newContext()).newPage();
});

interface Pixels {
  width: number;
  height: number;
  colours: number;
  topShare: number;
  accent: number;
}

/** Decodes a PNG screenshot: distinct colours, share of the most common one, bar-coloured pixels. */
async function pixels(png: Buffer): Promise<Pixels> {
  return decoder.evaluate(
    async ({ b64, accent }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bmp.width, bmp.height);
      const g = canvas.getContext('2d')!;
      g.drawImage(bmp, 0, 0);
      const d = g.getImageData(0, 0, bmp.width, bmp.height).data;
      const counts = new Map<number, number>();
      let near = 0;
      for (let i = 0; i < d.length; i += 4) {
        const key = ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (Math.abs(d[i]! - accent[0]) < 12 && Math.abs(d[i + 1]! - accent[1]) < 12 && Math.abs(d[i + 2]! - accent[2]) < 12) near++;
      }
      const n = d.length / 4;
      return { width: bmp.width, height: bmp.height, colours: counts.size, topShare: Math.max(...counts.values()) / n, accent: near };
    },
    { b64: png.toString('base64'), accent: ACCENT },
  );
}

/** Screenshots a canvas and checks that a chart is drawn on it. */
async function expectChart(canvas: Locator, what: string): Promise<Pixels> {
  const png = await canvas.screenshot();
  expect(png.subarray(1, 4).toString('latin1'), what).toBe('PNG');
  const p = await pixels(png);
  expect(p.width * p.height, what).toBeGreaterThan(100 * 80);
  expect(p.colours, `${what}: distinct colours`).toBeGreaterThan(8); // text, grid lines, bars
  expect(p.topShare, `${what}: the background alone`).toBeLessThan(0.97);
  expect(p.accent, `${what}: bar pixels`).toBeGreaterThan(30);
  return p;
}

interface Req {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Every request of the context, pages AND workers (context routing sees dedicated workers' fetches). */
async function observe(context: BrowserContext): Promise<Req[]> {
  const list: Req[] = [];
  await context.route('**/*', async (route) => {
    const r = route.request();
    list.push({ method: r.method(), url: r.url(), headers: r.headers(), body: r.postData() ?? '' });
    await route.continue();
  });
  return list;
}

/** Waits for the consent banner to go and the worker's model to be ready. */
async function consentAndReady(page: Page): Promise<void> {
  await page.evaluate(() => window.shopReady);
  await page.click('#consent-allow');
  await expect.poll(() => page.evaluate(async () => (await window.LocalRec.runtimeStatus()).ready), { timeout: 60_000 }).toBe(true);
}

/** A desktop screen tall enough for a page's lists to be seen without scrolling. */
const TALL = { width: 1280, height: 1400 };

/** Opens in-stock products of the department (one at a time, at a person's pace). */
const browse = (page: Page, n: number): Promise<string[]> => browseDepartment(page, DEPARTMENT, n, { inStock: true });

/** The reasons of every card of the shop's recommendation lists on the page, with the list they are in. */
async function reasons(page: Page): Promise<Array<{ list: string; kind: string; text: string }>> {
  const lists = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('[data-recs]')).map((b) => b.dataset.recs ?? ''),
  );
  const out: Array<{ list: string; kind: string; text: string }> = [];
  for (const [i, list] of lists.entries()) {
    const nth = lists.slice(0, i).filter((l) => l === list).length;
    for (const r of (await shopList(page, list, nth))?.reasons ?? []) out.push({ list, kind: r.kind, text: r.text });
  }
  return out;
}

describe('demo shop: what the device understands about the shopper', () => {
  test('profile charts render; social proof from a simulated friend; ≤ 3 segments; only static same-origin GETs', async () => {
    // A tall screen: a list records its impression once half of it is on screen, and the product
    // page's "Recommended for you" (the list the re-ranker learns from) is its third.
    const context = await e2e.browser.newContext({ viewport: TALL });
    const requests = await observe(context);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(e2e.url);
    await consentAndReady(page);

    const viewed = await browse(page, 3);
    // Buy one: add to cart on a product page, then check out.
    await page.locator('.grid[data-list^="category:"] .card:not(:has(.out))').nth(4).click();
    await page.waitForSelector('[data-product]');
    const bought = (await page.getAttribute('[data-product]', 'data-product'))!;
    await page.click('#add-to-cart');
    await page.click('#cart-link');
    await page.click('#checkout');
    await page.waitForSelector('#thanks');
    const names = await page.evaluate(
      async (ids) => {
        const cat = (await (await fetch('/generated/catalog.json')).json()) as Array<{ id: string; name: string }>;
        return ids.map((id) => cat.find((p) => p.id === id)!.name);
      },
      [...viewed, bought],
    );

    // The profile: both charts, and the text.
    await page.click('#profile-toggle');
    await expect.poll(() => page.getAttribute('#insights-panel', 'data-profile-events'), { timeout: 30_000 }).not.toBeNull();
    await expect.poll(() => page.textContent('#pr-cadence'), { timeout: 30_000 }).toMatch(/^1 purchase on 1 occasion/);
    expect(Number(await page.getAttribute('#insights-panel', 'data-profile-events'))).toBeGreaterThanOrEqual(6);
    expect(await page.textContent('#pr-sessions')).toMatch(/^1 session · /);
    const recent = await page.locator('#pr-recent li').allTextContents();
    expect(recent[0]).toBe(names.at(-1)); // the purchase is the newest interest
    expect(recent.some((r) => names.slice(0, 3).includes(r))).toBe(true);
    await expect.poll(() => page.isVisible('#pr-categories-empty')).toBe(false);
    // The lists' impressions and clicks (recorded by <localrec-recommendations>) reached the re-ranker: each
    // product page's lists superseded the previous page's, which were learned.
    const learned = /learned from (\d+) shown items/.exec((await page.textContent('#pr-summary')) ?? '');
    expect(Number(learned?.[1])).toBeGreaterThan(0);
    await expectChart(page.locator('#chart-categories'), 'category chart');
    await expectChart(page.locator('#chart-hours'), 'active-hours chart');

    // Segments: at most 3, with the line that says where they may go.
    await expect.poll(() => page.getAttribute('#insights-panel', 'data-segments'), { timeout: 30_000 }).not.toBeNull();
    const segments = await page.locator('#segments-list li').allTextContents();
    expect(segments.length).toBeGreaterThanOrEqual(1);
    expect(segments.length).toBeLessThanOrEqual(3);
    expect(segments.every((s) => s.trim().length > 0)).toBe(true);
    expect(await page.textContent('#insights-panel')).toContain('This demo sends it nowhere.');

    // A simulated friend: their likes, purchases and shares reach the ranking as social proof.
    await page.click('.logo');
    await expect.poll(() => page.getAttribute('[data-recs="recommend"]', 'data-source'), { timeout: 60_000 }).toBe('model');
    await expect.poll(() => page.getAttribute('[data-recs="trending"]', 'data-source'), { timeout: 60_000 }).toBe('model');
    expect((await reasons(page)).filter((r) => r.kind === 'social')).toEqual([]);
    expect(await page.textContent('#friends')).toMatch(/simulated|Made-up/);
    await page.click('.friend-toggle >> nth=0');
    await expect.poll(() => page.textContent('#friends-status'), { timeout: 30_000 }).toMatch(/^Social context of 1 friend/);
    let social: Array<{ list: string; kind: string; text: string }> = [];
    await expect
      .poll(
        async () => {
          social = (await reasons(page)).filter((r) => r.kind === 'social');
          return social.length;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    for (const r of social) expect(r.text).toMatch(/^(A friend liked this|A friend bought this|Shared by a friend)$/);
    // Turning the friend off takes the social proof away again.
    await page.click('.friend-toggle >> nth=0');
    await expect.poll(async () => (await reasons(page)).filter((r) => r.kind === 'social').length, { timeout: 30_000 }).toBe(0);

    // Nothing left the page: same-origin GETs of static files only, no query, no body, and no
    // viewed or bought id, friend id or department in any URL or header — worker requests included.
    const origin = new URL(e2e.url).origin;
    const all = requests.filter((r) => r.url.startsWith('http'));
    const needles = [...viewed, bought, 'fr-7c1a', DEPARTMENT, encodeURIComponent(DEPARTMENT), ...segments];
    const STATIC = /^\/(|index\.html|style\.css|generated\/[\w.-]+|sdk\/[\w.-]+|elements\/[\w.-]+|runtime\/[\w./-]+|models\/[\w./-]+)$/;
    for (const r of all) {
      const u = new URL(r.url);
      expect(r.method, r.url).toBe('GET');
      expect(u.origin, r.url).toBe(origin);
      expect(u.search, r.url).toBe('');
      expect(r.body, r.url).toBe('');
      expect(u.pathname, r.url).toMatch(STATIC);
      const text = `${r.url}\n${JSON.stringify(r.headers)}`;
      for (const n of needles) expect(text.includes(n), `${r.url} carries ${n}`).toBe(false);
    }
    const paths = all.map((r) => new URL(r.url).pathname);
    // The chart library came from this origin, and the worker's traffic was observed.
    expect(paths).toContain('/generated/charts.js');
    expect(paths).toContain('/runtime/worker.js');
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('a hostile catalog: names and categories in the profile and the friends panel stay text', async () => {
    const PAYLOADS = [
      '<img src=x onerror="(window.__xss=window.__xss||[]).push(1)">',
      '"><svg onload="(window.__xss=window.__xss||[]).push(2)">',
      '<script>(window.__xss=window.__xss||[]).push(3)</script>',
    ];
    const hostile = Array.from({ length: 12 }, (_, i) => ({
      id: i % 3 === 0 ? `SKU-${i}<b id=xss-id-${i}>` : `SKU-X${i}`,
      name: `${PAYLOADS[i % 3]} product ${i}`,
      category: `Cat ${PAYLOADS[(i + 1) % 3]}`,
      brand: `Brand ${PAYLOADS[(i + 2) % 3]}`,
      price: 10 + i,
      inStock: true,
    }));
    const context = await e2e.browser.newContext();
    await context.route(`${e2e.url}generated/catalog.json`, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify(hostile) }),
    );
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    for (let i = 0; i < 3; i++) {
      await page.goto(`${e2e.url}#/`);
      await page.click(`.grid[data-list="all"] .card >> nth=${i}`);
      await page.waitForSelector('[data-product]');
      await page.waitForTimeout(300);
    }
    await page.click('#profile-toggle');
    await expect.poll(() => page.locator('#pr-recent li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.click('.friend-toggle >> nth=0');
    await expect.poll(() => page.textContent('#friends-status'), { timeout: 30_000 }).toMatch(/^Social context of 1 friend/);
    await expectChart(page.locator('#chart-categories'), 'category chart (hostile names)');
    // The payloads are shown as text …
    expect(await page.textContent('#pr-recent')).toContain('<img src=x onerror=');
    // … and none became markup.
    const injected = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss,
      elements: Array.from(document.querySelectorAll('img[src="x"], svg[onload], b[id^="xss-id"], body script:not([src])')).map((e) =>
        e.outerHTML.slice(0, 80),
      ),
    }));
    expect(injected).toEqual({ xss: undefined, elements: [] });
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('a category grid seen for a second is one impression; a click right after it reaches the profile (nothing flagged)', async () => {
    // A tall screen: more than 8 cards of the grid on screen under the category's trending list.
    const context = await e2e.browser.newContext({ viewport: TALL });
    const page = await context.newPage();
    await page.goto(e2e.url);
    await consentAndReady(page);
    await page.click(`#categories a[data-category="${DEPARTMENT}"]`);
    await page.waitForSelector('.grid[data-list^="category:"]');
    const cardIds = await page
      .locator('.grid[data-list^="category:"] .card')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-localrec-item')));
    expect(cardIds.length).toBeGreaterThan(8); // more cards than the burst rule's 8 per second
    const exposures = () =>
      page.evaluate(async () => {
        await window.LocalRec.flush();
        return (await window.LocalRec.exportData()).events
          .filter((e) => e.type === 'impression' && String(e.data.source).startsWith('category:'))
          .map((e) => e.data.items ?? []);
      });
    await expect.poll(async () => (await exposures()).length, { timeout: 10_000 }).toBeGreaterThan(0);
    // At once, without a person's pause: the card's click, then its product page's view.
    await page.locator('.grid[data-list^="category:"] .card').nth(2).click();
    await page.waitForSelector('[data-product]');
    const product = (await page.getAttribute('[data-product]', 'data-product'))!;
    await page.evaluate(() => window.LocalRec.flush());
    const shown = (await exposures()).flat();
    expect(shown.length).toBeGreaterThan(8);
    expect(cardIds).toEqual(expect.arrayContaining(shown));
    const stored = await page.evaluate(async () => (await window.LocalRec.exportData()).events.map((e) => `${e.type}:${e.itemId ?? ''}`));
    expect(stored.filter((e) => e.startsWith('view:'))).toEqual([`view:${product}`]); // no card became a view
    expect(stored).toContain(`click:${product}`);
    await expect
      .poll(async () => (await page.evaluate(() => window.LocalRec.getProfile())).recent.items[0], { timeout: 30_000 })
      .toBe(product);
    expect((await page.evaluate(() => window.LocalRec.getProfile())).excludedEvents).toBe(0);
    await context.close();
  });

  test('under serve.mjs --csp the profile charts render with no CSP violation', async () => {
    const strict = await startShop({ csp: true });
    try {
      const context = await e2e.browser.newContext();
      const violations = await watchCsp(context);
      const page = await context.newPage();
      const seen = watchPage(page);
      await page.goto(strict.url);
      await consentAndReady(page);
      await browse(page, 2);
      await page.click('#profile-toggle');
      await expect.poll(() => page.getAttribute('#insights-panel', 'data-profile-events'), { timeout: 30_000 }).not.toBeNull();
      await expectChart(page.locator('#chart-categories'), 'category chart (CSP)');
      await expectChart(page.locator('#chart-hours'), 'active-hours chart (CSP)');
      await page.click('.friend-toggle >> nth=1');
      await expect.poll(() => page.textContent('#friends-status'), { timeout: 30_000 }).toMatch(/^Social context of 1 friend/);
      expect(await violations(page)).toEqual([]);
      expect(seen.errors).toEqual([]);
      await context.close();
    } finally {
      await strict.close();
    }
  });
});
