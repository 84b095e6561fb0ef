// Item data is never inserted as HTML: the demo shop is given a catalog whose names, brands,
// categories, descriptions and ids are XSS payloads, and a visitor goes through every view
// (home, category, product, search, cart, the data panel with its recent-events list, export).
// No payload may create an element, run a handler, open a dialog or execute script.
import { describe, expect, test } from 'vitest';
import { useShop, watchPage } from './helpers.js';

const e2e = useShop();

/** Each payload, if ever parsed as HTML, records its number in window.__xss. */
const PAYLOADS = [
  '<img src=x onerror="(window.__xss=window.__xss||[]).push(1)">',
  '"><svg onload="(window.__xss=window.__xss||[]).push(2)">',
  '<script>(window.__xss=window.__xss||[]).push(3)</script>',
  '\'><iframe srcdoc="<script>parent.__xss=[4]</script>"></iframe>',
  '<a href="javascript:(window.__xss=window.__xss||[]).push(5)" id="xss-link">click</a>',
  '<details open ontoggle="(window.__xss=window.__xss||[]).push(6)">',
  '{{constructor.constructor("window.__xss=[7]")()}}',
];

function hostileCatalog(): unknown[] {
  return Array.from({ length: 24 }, (_, i) => {
    const p = PAYLOADS[i % PAYLOADS.length]!;
    return {
      id: i % 3 === 0 ? `SKU-${i}<b id=xss-id-${i}>` : `SKU-X${i}`,
      name: `${p} product ${i}`,
      category: i % 2 ? `Cat ${PAYLOADS[(i + 1) % PAYLOADS.length]}` : 'Plain',
      brand: `Brand ${PAYLOADS[(i + 2) % PAYLOADS.length]}`,
      price: 10 + i,
      priceBand: 'low',
      inStock: i % 4 !== 0,
      description: `Desc ${PAYLOADS[(i + 3) % PAYLOADS.length]}`,
    };
  });
}

describe('hostile catalog', () => {
  test('no payload becomes markup anywhere in the shop or the SDK panel', async () => {
    const context = await e2e.browser.newContext({ acceptDownloads: true });
    await context.route(`${e2e.url}generated/catalog.json`, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify(hostileCatalog()) }),
    );
    const page = await context.newPage();
    const watch = watchPage(page);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const injected = (): Promise<{ xss: unknown; elements: string[] }> =>
      page.evaluate(() => ({
        xss: (window as unknown as { __xss?: unknown }).__xss,
        elements: Array.from(
          document.querySelectorAll(
            'img[src="x"], svg[onload], iframe, details[ontoggle], #xss-link, b[id^="xss-id"], body script:not([src])',
          ),
        ).map((e) => e.outerHTML.slice(0, 80)),
      }));

    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    // The payload text is shown as text.
    expect(await page.textContent('#view')).toContain('<img src=x onerror=');
    // A category whose name is a payload.
    await page.click('#categories a >> nth=1');
    await page.waitForTimeout(200);
    // Every product page (names, brands, descriptions, hostile ids in the URL hash).
    for (let i = 0; i < 7; i++) {
      await page.goto(`${e2e.url}#/`);
      await page.click(`.grid .card >> nth=${i}`);
      await page.waitForSelector('[data-product]');
      const add = page.locator('#add-to-cart');
      if (await add.isEnabled().catch(() => false)) await add.click();
    }
    await page.fill('#q', '<img src=x onerror=alert(1)>');
    await page.press('#q', 'Enter');
    await page.waitForSelector('#view h1:has-text("Search")');
    await page.goto(`${e2e.url}#/cart`);
    await page.waitForTimeout(200);
    // The SDK side: the panel lists recent events and item names; export them.
    await page.click('#data-toggle');
    await page.evaluate(async () => {
      await window.LocalRec.flush();
    });
    await page.click('#p-refresh');
    await page.waitForTimeout(300);
    const download = page.waitForEvent('download');
    await page.click('#p-export');
    await download;
    const exported = await page.evaluate(async () => (await window.LocalRec.exportData()).events.length);
    expect(exported).toBeGreaterThan(7);

    const r = await injected();
    expect(r.xss).toBeUndefined();
    expect(r.elements).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    // The panel shows item data as text too (when it lists names or ids).
    const panelText = (await page.textContent('#data-panel')) ?? '';
    expect(panelText).not.toContain('undefined');
    await context.close();
  });
});
