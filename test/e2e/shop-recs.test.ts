// The demo shop's live on-device recommendations, end to end: the BUILT SDK (script tag) and the
// BUILT runtime worker (`packages/runtime/dist`, tfjs) with the committed `models/demo-shop`,
// served by serve.mjs on one origin. A visitor browses one department; "Recommended for you"
// must follow (the simulator's structure: shoppers stay in a department or move to its fixed
// complements), every item must carry a reason, the data panel must name the backend and the
// model version, and no request — page or worker — may carry behaviour data.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright';
import { complementsOf } from '@localrec/simulator';
import { repo, shopList, useShop, watchPage, type ShopList } from './helpers.js';

const MODEL = JSON.parse(readFileSync(join(repo, 'models/demo-shop/manifest.json'), 'utf8')) as { version: string };
/** The shop-wide trending items of the bundle's public trending file, most shoppers first. */
const TRENDING = (
  JSON.parse(readFileSync(join(repo, 'models/demo-shop/trending.json'), 'utf8')) as { items: [string, number][] }
).items.map(([id]) => id);
/** Whether `ids` appear in `order` in that relative order (a subsequence: other lists of the page may have taken some). */
const inOrderOf = (ids: string[], order: string[]): boolean => {
  const at = ids.map((id) => order.indexOf(id));
  return at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]!));
};
const DEPARTMENT = 'Coffee & Tea';

beforeAll(() => {
  if (!existsSync(join(repo, 'packages/runtime/dist/worker.js')))
    throw new Error('packages/runtime/dist/worker.js is missing: run `pnpm build` first.');
});
const e2e = useShop();

type Box = ShopList;

/** What a recommendation section shows right now (undefined while it has not answered yet). */
const readBox = (page: Page, list: string): Promise<Box | undefined> => shopList(page, list);

/** Waits until the section has answered and its answer differs from `previous` (when given). */
async function answered(page: Page, list: string, previous?: Box): Promise<Box> {
  let box: Box | undefined;
  await expect
    .poll(
      async () => {
        box = await readBox(page, list);
        return box !== undefined && (previous === undefined || JSON.stringify(box) !== JSON.stringify(previous));
      },
      { timeout: 30_000, interval: 100 },
    )
    .toBe(true);
  return box!;
}

/** Every request of the context, pages AND workers (context routing sees dedicated workers' fetches). */
function observe(context: BrowserContext): Promise<
  Array<{ method: string; url: string; headers: Record<string, string>; body: string }>
> & {
  list: Array<{ method: string; url: string; headers: Record<string, string>; body: string }>;
} {
  const list: Array<{ method: string; url: string; headers: Record<string, string>; body: string }> = [];
  const ready = context
    .route('**/*', async (route) => {
      const r = route.request();
      list.push({ method: r.method(), url: r.url(), headers: r.headers(), body: r.postData() ?? '' });
      await route.continue();
    })
    .then(() => list);
  return Object.assign(ready, { list });
}

const catalog = (page: Page): Promise<Array<{ id: string; name: string; category: string }>> =>
  page.evaluate(
    async () => (await (await fetch('/generated/catalog.json')).json()) as Array<{ id: string; name: string; category: string }>,
  );

describe('demo shop: live on-device recommendations', () => {
  test('the runtime build and the model are served on the shop origin with their MIME types', async () => {
    const type = async (path: string): Promise<string> => {
      const res = await fetch(new URL(path, e2e.url));
      expect(res.status, path).toBe(200);
      return res.headers.get('content-type') ?? '';
    };
    expect(await type('runtime/worker.js')).toMatch(/^text\/javascript/);
    expect(await type('runtime/connector.js')).toMatch(/^text\/javascript/);
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) expect(await type(`runtime/${f}`)).toBe('application/wasm');
    expect(await type('models/demo-shop/manifest.json')).toMatch(/^application\/json/);
    expect(await type('models/demo-shop/weights.bin')).toBe('application/octet-stream');
    // Every chunk the worker imports is there.
    const worker = await (await fetch(new URL('runtime/worker.js', e2e.url))).text();
    for (const m of worker.matchAll(/from\s*['"](\.\/chunks\/[^'"]+)['"]/g))
      expect(await type(`runtime/${m[1]!.slice(2)}`)).toMatch(/^text\/javascript/);
  });

  test("without consent: popular items, marked as such; the trending list keeps the trending file's order", async () => {
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    const forYou = await answered(page, 'recommend');
    expect(forYou).toMatchObject({ source: 'fallback', fallback: 'no-consent' });
    expect(forYou.ids.length).toBe(8);
    expect(forYou.reasons.every((r) => r.source === 'popular' && r.text === 'Popular right now')).toBe(true);
    expect(forYou.note).toMatch(/Not personalised/);
    const trending = await answered(page, 'trending');
    expect(trending).toMatchObject({ source: 'fallback', fallback: 'no-consent', state: 'ready' });
    expect(trending.ids.length).toBe(8);
    expect(inOrderOf(trending.ids, TRENDING), trending.ids.join()).toBe(true);
    expect(trending.reasons.every((r) => r.source === 'trending' && r.kind === 'trending' && r.text === 'Trending this week')).toBe(true);
    // Nothing was stored while consent is pending.
    expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('with consent but no history yet: popular items, marked "no-history"', async () => {
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    // The cart page shows no product cards, so nothing is captured before the first answer.
    await page.goto(`${e2e.url}#/cart`);
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    await expect.poll(() => page.evaluate(async () => (await window.LocalRec.runtimeStatus()).ready), { timeout: 60_000 }).toBe(true);
    await page.evaluate(() => {
      location.hash = '#/';
    });
    const forYou = await answered(page, 'recommend');
    expect(forYou).toMatchObject({ source: 'fallback', fallback: 'no-history' });
    expect(forYou.reasons.every((r) => r.source === 'popular' && r.text === 'Popular right now')).toBe(true);
    expect(forYou.note).toMatch(/Cold start/);
    await context.close();
  });

  test('a visitor browsing one department: "Recommended for you" follows with reasons; panel shows backend and model; no request carries behaviour', async () => {
    const context = await e2e.browser.newContext();
    const requests = observe(context);
    await requests;
    const page = await context.newPage();
    const seen = watchPage(page);
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    const products = await catalog(page);
    const byId = new Map(products.map((p) => [p.id, p]));
    const related = new Set([DEPARTMENT, ...complementsOf(DEPARTMENT)]);

    const before = await answered(page, 'recommend');
    await page.click('#consent-allow');
    await expect.poll(() => page.evaluate(async () => (await window.LocalRec.runtimeStatus()).ready), { timeout: 60_000 }).toBe(true);

    // Browse the department: open five of its products from the category page.
    await page.click(`#categories a[data-category="${DEPARTMENT}"]`);
    const viewed: string[] = [];
    const lists: Box[] = [];
    for (let i = 0; i < 5; i++) {
      // At a person's pace: the shop's runtime (insights: {}) keeps bursts of more than 8 events
      // a second out of the model input, as a bot's.
      await page.waitForTimeout(300);
      await page.locator('.grid[data-list^="category:"] .card').nth(i).click();
      await page.waitForSelector('[data-product]');
      const id = (await page.getAttribute('[data-product]', 'data-product'))!;
      viewed.push(id);
      const similar = await answered(page, 'similar');
      expect(similar.source).toBe('model');
      expect(similar.ids).not.toContain(id);
      expect(similar.reasons.every((r) => r.kind === 'similar' && r.text === `Similar to ${byId.get(id)!.name}`)).toBe(true);
      const forYou = await answered(page, 'recommend');
      expect(forYou.ids).not.toContain(id); // the product on screen is excluded
      lists.push(forYou);
      await page.goBack();
      await page.waitForSelector('.grid[data-list^="category:"]');
    }
    // The list changed in response to the visitor's views …
    expect(new Set(lists.map((l) => l.ids.join())).size).toBeGreaterThan(1);
    expect(lists.at(-1)!.ids).not.toEqual(before.ids);
    // … comes from the model with reasons naming what the visitor viewed …
    const last = lists.at(-1)!;
    expect(last.source).toBe('model');
    expect(last.note).toContain(MODEL.version);
    expect(last.ids.length).toBe(8);
    const names = viewed.map((id) => byId.get(id)!.name);
    for (const r of last.reasons) {
      expect(r.source).toBe('model');
      expect(r.text).toMatch(/^Because you (viewed|clicked|liked|rated|added|bought|shared|favou?rited|commented)/);
    }
    expect(last.reasons.some((r) => names.some((n) => r.text.includes(n)))).toBe(true);
    // … and is dominated by the department and its complements (the simulator's structure).
    const inRelated = last.ids.filter((id) => related.has(byId.get(id)!.category));
    expect(inRelated.length, `${last.ids.map((id) => byId.get(id)!.category).join(', ')}`).toBeGreaterThanOrEqual(6);

    // Real time: one more interaction (add to cart) and the list on the product page answers again,
    // with the event already stored (the SDK flushes before the call).
    await page.locator('.grid[data-list^="category:"] .card:not(:has(.out))').nth(6).click();
    await page.waitForSelector('[data-product]');
    await answered(page, 'recommend');
    const answers = async (): Promise<number> => (await readBox(page, 'recommend'))?.answers ?? 0;
    const n = await answers();
    await page.click('#add-to-cart');
    await expect.poll(answers, { timeout: 30_000 }).toBeGreaterThan(n);
    const cartId = (await page.getAttribute('[data-product]', 'data-product'))!;
    const stored = await page.evaluate(async () => (await window.LocalRec.exportData()).events.map((e) => `${e.type}:${e.itemId ?? ''}`));
    expect(stored).toContain(`add_to_cart:${cartId}`);

    // The home page: "Trending now" is the trending file's list re-ranked for this visitor on the device
    // (rank()), "Trending in <category>" the file's lists of the categories most shoppers looked at.
    await page.click('.logo');
    const trending = await answered(page, 'trending');
    expect(trending.source).toBe('model');
    expect(trending.ids.length).toBe(8);
    expect(trending.ids.every((id) => TRENDING.includes(id))).toBe(true);
    expect(inOrderOf(trending.ids, TRENDING)).toBe(false);
    expect(trending.reasons.every((r) => r.source === 'model' && r.text.startsWith('Because you'))).toBe(true);
    const trendingRelated = TRENDING.slice(0, 20).filter((id) => related.has(byId.get(id)!.category)).length;
    expect(trending.ids.slice(0, 3).filter((id) => related.has(byId.get(id)!.category)).length).toBeGreaterThanOrEqual(
      Math.min(2, trendingRelated),
    );
    for (const n of [0, 1]) {
      let byCategory: Box | undefined;
      await expect.poll(async () => (byCategory = await shopList(page, 'trending-category', n))?.state, { timeout: 30_000 }).toBe('ready');
      const category = await page.locator('[data-recs="trending-category"]').nth(n).getAttribute('data-facet');
      expect(byCategory!.ids.length).toBeGreaterThan(0);
      expect(byCategory!.ids.map((id) => byId.get(id)!.category)).toEqual(byCategory!.ids.map(() => category));
      expect(byCategory!.reasons.every((r) => r.text === `Trending in ${category} this week`)).toBe(true);
    }

    // The data panel names the backend and the model version.
    await page.click('#data-toggle');
    await expect
      .poll(() => page.textContent('#p-runtime'), { timeout: 30_000 })
      .toMatch(
        new RegExp(
          `backend (webgpu|webgl|wasm|cpu) · model ${MODEL.version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · 300 items · in a Web Worker`,
        ),
      );

    // No request carries behaviour: only same-origin GETs of static files, no body, no query,
    // no viewed id or department name in any URL or header — worker requests included.
    const all = requests.list.filter((r) => r.url.startsWith('http'));
    const origin = new URL(e2e.url).origin;
    const needles = [...viewed, cartId, DEPARTMENT, encodeURIComponent(DEPARTMENT)];
    for (const r of all) {
      expect(r.method, r.url).toBe('GET');
      expect(new URL(r.url).origin, r.url).toBe(origin);
      expect(new URL(r.url).search, r.url).toBe('');
      expect(r.body, r.url).toBe('');
      const text = `${r.url}\n${JSON.stringify(r.headers)}`;
      for (const n of needles) expect(text.includes(n), `${r.url} carries ${n}`).toBe(false);
    }
    // The observer saw the worker's own traffic: the worker script, the model files, the wasm binary.
    expect(workers.some((w) => w.endsWith('/runtime/worker.js'))).toBe(true);
    const paths = all.map((r) => new URL(r.url).pathname);
    for (const p of ['/runtime/worker.js', '/models/demo-shop/manifest.json', '/models/demo-shop/weights.bin']) expect(paths).toContain(p);
    expect(paths.some((p) => /^\/runtime\/tfjs-backend-wasm.*\.wasm$/.test(p))).toBe(true);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
