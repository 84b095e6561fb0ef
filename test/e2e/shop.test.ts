// The demo shop end to end: catalog, product page, cart, search, the data panel, consent, CSP.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright';
import { startShop, useShop, watchPage } from './helpers.js';
import type { ShopServer } from '../../examples/shop/serve.mjs';

const e2e = useShop();
let csp: ShopServer;
beforeAll(async () => {
  csp = await startShop({ csp: true });
});
afterAll(async () => {
  await csp?.close();
});

async function stored(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    await window.LocalRec.flush();
    return (await window.LocalRec.exportData()).events.map((e) => `${e.type}:${e.itemId ?? e.data.query ?? ''}`);
  });
}

describe('demo shop', () => {
  test('records browsing, rating, sharing, cart and purchase; the panel shows and erases it', async () => {
    const context = await e2e.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    expect(await page.locator('.grid .card').count()).toBeGreaterThanOrEqual(200);
    expect(await page.locator('#categories a').count()).toBeGreaterThan(2);
    // Before consent, recommendations don't use (or ask for) the history; the box says why.
    const fallback = () => page.getAttribute('[data-recs="recommend"]', 'data-fallback');
    await expect.poll(fallback, { timeout: 30_000 }).toBe('no-consent');

    // Consent is pending: the banner asks, nothing is stored yet.
    expect(await page.isVisible('#consent-banner')).toBe(true);
    await page.click('#consent-allow');
    expect(await page.isVisible('#consent-banner')).toBe(false);
    // With consent: the on-device model answers (or an explicit cold start), never an empty box
    // (the recommendations themselves are tested in shop-recs.test.ts).
    await page.locator('#categories a').first().click();
    await expect.poll(() => page.getAttribute('[data-recs="recommend"]', 'data-source'), { timeout: 30_000 }).toMatch(/^(model|fallback)$/);

    const firstId = await page.getAttribute('.grid[data-list="all"] .card >> nth=0', 'data-localrec-item');
    await page.locator('#categories a').nth(1).click();
    await page.locator('.grid .card:not(:has(.out))').first().click();
    await page.waitForSelector('[data-product]');
    const productId = await page.getAttribute('[data-product]', 'data-product');
    await page.click('#like');
    await page.click('[data-rate="5"]');
    await page.click('#share');
    await page.click('#add-to-cart');

    let events = await stored(page);
    expect(events).toContain(`click:${productId}`);
    expect(events).toContain(`view:${productId}`);
    expect(events).toContain(`like:${productId}`);
    expect(events).toContain(`rate:${productId}`);
    expect(events).toContain(`share:${productId}`);

    await page.fill('#q', 'pro');
    await page.press('#q', 'Enter');
    await page.waitForSelector('#view h1:has-text("Search")');
    expect(await stored(page)).toContain('search:pro');

    await page.click('#cart-link');
    await page.waitForSelector(`[data-cart-item="${productId}"]`);
    await page.click('#checkout');
    await page.waitForSelector('#thanks');
    events = await stored(page);
    expect(events).toContain(`add_to_cart:${productId}`);
    expect(events).toContain(`purchase:${productId}`);

    // The panel: storage, counts by type, export, erase.
    await page.click('#data-toggle');
    await expect.poll(() => page.textContent('#p-storage')).toBe('indexeddb');
    await expect.poll(async () => Number(await page.textContent('#p-total'))).toBeGreaterThanOrEqual(6);
    expect(await page.locator('#p-counts tr[data-type="like"]').count()).toBe(1);
    const download = page.waitForEvent('download');
    await page.click('#p-export');
    const file = await download;
    const exported = JSON.parse(await new Response((await file.createReadStream()) as unknown as ReadableStream).text()) as {
      events: unknown[];
    };
    expect(exported.events.length).toBe(Number(await page.textContent('#p-total')));
    await page.click('#p-erase');
    await page.waitForSelector('#p-proof:not([hidden])');
    expect(await page.textContent('#p-proof')).toContain('Erased');
    await expect.poll(() => page.textContent('#p-total')).toBe('0');
    expect(firstId).toBeTruthy();
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('item data and queries are shown as text, never parsed as HTML', async () => {
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    const evil = '<img src=x onerror="window.pwned=1">';
    await page.goto(`${e2e.url}#/search?q=${encodeURIComponent(evil)}`);
    await page.waitForSelector('#no-results');
    expect(await page.textContent('#view h1')).toContain(evil);
    expect(await page.locator('#view img').count()).toBe(0);
    expect(await page.evaluate(() => 'pwned' in window)).toBe(false);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('a hostile catalog (markup in names, brands, categories) is rendered as text everywhere', async () => {
    const context = await e2e.browser.newContext();
    const evil = (tag: string) => `<img src=x onerror="window.pwned='${tag}'"><b>${tag}</b>`;
    const catalog = Array.from({ length: 6 }, (_, i) => ({
      id: `EVIL-${i}`,
      name: evil(`name${i}`),
      category: evil('cat'),
      brand: evil('brand'),
      price: 10 + i,
      inStock: true,
      description: evil('desc'),
    }));
    await context.route(`${e2e.url}generated/catalog.json`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(catalog) }),
    );
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    await page.locator('.grid .card').first().click();
    await page.waitForSelector('[data-product]');
    await page.click('#add-to-cart');
    await page.click('#cart-link');
    await page.waitForSelector('[data-cart-item]');
    await page.click('#data-toggle');
    await expect.poll(async () => Number(await page.textContent('#p-total')), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.textContent('#p-recent')).toContain('<img src=x');
    await page.goto(`${e2e.url}#/c/${encodeURIComponent(evil('cat'))}`);
    await page.waitForSelector('.grid .card');
    expect(await page.locator('img, b').count()).toBe(0);
    expect(await page.textContent('.grid .card .name')).toContain('<b>name');
    expect(await page.evaluate(() => 'pwned' in window)).toBe(false);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('works under a strict Content-Security-Policy (no inline script except the hashed snippet)', async () => {
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.addInitScript(() => {
      (window as unknown as { violations: string[] }).violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    const res = await page.goto(csp.url);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    await page.locator('.grid .card').first().click();
    await page.waitForSelector('[data-product]');
    expect((await stored(page)).length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
