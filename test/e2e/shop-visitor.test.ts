/**
 * A visitor through the demo shop under its strict Content-Security-Policy (`serve.mjs --csp`), in
 * real Chromium with the BUILT SDK, web component (`/elements/localrec-elements.min.mjs`) and runtime
 * worker and the committed `models/demo-shop` (with its association rules and trending file). Every
 * recommendation list of the shop is a `<localrec-recommendations>`; the test reads what the
 * element drew in its shadow root. Checks: after browsing a department, the home page's lists are
 * model answers drawn by the component (not its fallback): "Recommended for you" with the catalog's
 * names and the answer's reasons, "Trending now" (the trending file's items ranked for the visitor),
 * "Trending in <category>" (items of that category)
 * and "Recently viewed" (what was viewed, newest first); a product opened from a list is recorded as
 * a `click` and the list as an `impression` in IndexedDB; the product page shows similar items and
 * items frequently bought together (from the rules); the cart shows what goes with the cart and the
 * recently viewed items in order; a category page lists what trends in it; the arrow keys, Home, End
 * and Enter work on a list; no CSP violation, no page error, and no request but same-origin GETs of
 * static files, none carrying a viewed id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { beforeAll, describe, expect, test } from 'vitest';
import { browseDepartment, repo, shopList, useShop, watchCsp, watchPage, type ShopList } from './helpers.js';

const DEPARTMENT = 'Coffee & Tea';
const MODEL = join(repo, 'models/demo-shop');
/** The bundle's association rules: item → its consequents. */
const RULES = (JSON.parse(readFileSync(join(MODEL, 'associations.json'), 'utf8')) as { rules: Record<string, [string, ...number[]][]> })
  .rules;
/** The shop-wide trending items of the bundle's public trending file. */
const TRENDING = (JSON.parse(readFileSync(join(MODEL, 'trending.json'), 'utf8')) as { items: [string, number][] }).items.map(([id]) => id);
const STATIC = /^\/(|index\.html|style\.css|generated\/[\w.-]+|sdk\/[\w.-]+|elements\/[\w.-]+|runtime\/[\w./-]+|models\/[\w./-]+)$/;

beforeAll(() => {
  for (const f of ['packages/runtime/dist/worker.js', 'packages/elements/dist/localrec-elements.min.mjs'])
    if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run \`pnpm build\` first.`);
});
const e2e = useShop({ csp: true });

/** Waits until the `nth` list `[data-recs="<list>"]` shows items and `done(list)` holds; returns it. */
async function shown(page: Page, list: string, done: (l: ShopList) => boolean = () => true, nth = 0): Promise<ShopList> {
  let l: ShopList | undefined;
  await expect
    .poll(
      async () => {
        l = await shopList(page, list, nth);
        return l !== undefined && l.state === 'ready' && l.ids.length > 0 && done(l) ? true : JSON.stringify(l);
      },
      { timeout: 60_000, interval: 100 },
    )
    .toBe(true);
  return l!;
}

/** The text of each card's `part` in the list's shadow root, in order. */
const drawn = (page: Page, list: string, part: string): Promise<string[]> =>
  page.locator(`[data-recs="${list}"] li[data-item-id] [part~=${part}]`).allTextContents();

/** The events the shop stored on this device (after a flush): `type:itemId`, and the impressions. */
async function stored(page: Page): Promise<{ events: string[]; impressions: { items?: string[]; source?: string }[] }> {
  const dump = await page.evaluate(async () => {
    await window.LocalRec.flush();
    return (await window.LocalRec.exportData()).events.map((e) => ({ type: e.type, itemId: e.itemId, data: e.data }));
  });
  return {
    events: dump.map((e) => `${e.type}:${e.itemId ?? ''}`),
    impressions: dump
      .filter((e) => e.type === 'impression')
      .map((e) => ({ items: (e.data as { items?: string[] }).items, source: (e.data as { source?: string }).source })),
  };
}

/** The element that has the focus inside the list's shadow root: its card's position, or undefined. */
const focusedCard = (page: Page, list: string): Promise<number | undefined> =>
  page.evaluate((l) => {
    const host = document.querySelector(`[data-recs="${l}"] localrec-recommendations`);
    const li = host?.shadowRoot?.activeElement?.closest('li');
    return document.activeElement === host && li ? Number(li.getAttribute('data-position')) : undefined;
  }, list);

describe('demo shop: a visitor, every list a <localrec-recommendations> (strict CSP)', () => {
  test('home, product, cart and category lists from the model; feedback stored; keyboard; no CSP violation; only static GETs', async () => {
    const context = await e2e.browser.newContext();
    const violations = await watchCsp(context);
    const requests: { method: string; url: string; body: string }[] = [];
    await context.route('**/*', async (route) => {
      const r = route.request();
      requests.push({ method: r.method(), url: r.url(), body: r.postData() ?? '' });
      await route.continue();
    });
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    const products = await page.evaluate(
      async () => (await (await fetch('/generated/catalog.json')).json()) as Array<{ id: string; name: string; category: string }>,
    );
    const byId = new Map(products.map((p) => [p.id, p]));
    await page.click('#consent-allow');
    await expect.poll(() => page.evaluate(async () => (await window.LocalRec.runtimeStatus()).ready), { timeout: 60_000 }).toBe(true);
    const viewed = await browseDepartment(page, DEPARTMENT, 3);

    // Home: the model's answers, drawn by the component (its fallback hidden), with names and reasons.
    await page.click('.logo');
    const forYou = await shown(page, 'recommend', (l) => l.source === 'model');
    expect(forYou.ids).toHaveLength(8);
    expect(await page.getAttribute('[data-recs="recommend"] localrec-recommendations', 'data-source')).toBe('model');
    expect(await page.locator('[data-recs="recommend"] .note.empty').isVisible()).toBe(false);
    expect(await drawn(page, 'recommend', 'name')).toEqual(forYou.ids.map((id) => byId.get(id)!.name));
    for (const r of forYou.reasons) {
      expect(r.source).toBe('model');
      expect(r.text).toMatch(/^Because you (viewed|clicked) /);
    }
    for (const id of forYou.ids) expect(viewed).not.toContain(id);
    // "Trending now": the trending file's items, re-ranked for this visitor on the device.
    const trending = await shown(page, 'trending', (l) => l.source === 'model');
    expect(trending.ids.every((id) => TRENDING.includes(id))).toBe(true);
    expect(trending.reasons.every((r) => r.source === 'model' && r.text.startsWith('Because you '))).toBe(true);
    for (const nth of [0, 1]) {
      const byCategory = await shown(page, 'trending-category', undefined, nth);
      const category = (await page.locator('[data-recs="trending-category"]').nth(nth).getAttribute('data-facet'))!;
      expect(byCategory.ids.map((id) => byId.get(id)!.category)).toEqual(byCategory.ids.map(() => category));
      expect(byCategory.reasons.every((r) => r.text === `Trending in ${category} this week`)).toBe(true);
    }
    const recently = await shown(page, 'recently-viewed');
    expect(recently.source).toBe('history');
    expect(recently.ids).toEqual([...viewed].reverse());
    expect(await drawn(page, 'recently-viewed', 'name')).toEqual(recently.ids.map((id) => byId.get(id)!.name));

    // Keyboard on "Trending now": a card takes the focus; arrows, End and Home move it.
    await page.locator('[data-recs="trending"] li[data-item-id] [part~=card]').first().focus();
    expect(await focusedCard(page, 'trending')).toBe(0);
    await page.keyboard.press('ArrowRight');
    expect(await focusedCard(page, 'trending')).toBe(1);
    await page.keyboard.press('End');
    expect(await focusedCard(page, 'trending')).toBe(trending.ids.length - 1);
    await page.keyboard.press('Home');
    expect(await focusedCard(page, 'trending')).toBe(0);

    // Open a product from "Recommended for you" (one with association rules): a click, and the list's impression, stored.
    const position = forYou.ids.findIndex((id) => (RULES[id]?.length ?? 0) >= 2);
    expect(position, 'a recommended item with association rules').toBeGreaterThanOrEqual(0);
    const opened = forYou.ids[position]!;
    await page.locator('[data-recs="recommend"] li[data-item-id] [part~=card]').nth(position).click();
    await page.waitForSelector(`[data-product="${opened}"]`);
    await expect.poll(async () => (await stored(page)).events, { timeout: 20_000 }).toEqual(expect.arrayContaining([`click:${opened}`]));
    expect((await stored(page)).impressions).toContainEqual({ items: forYou.ids, source: 'recommend' });

    // The product page: similar items and what is bought with it (the bundle's rules, ordered by the model).
    const similar = await shown(page, 'similar', (l) => l.source === 'model');
    expect(similar.ids).not.toContain(opened);
    expect(similar.reasons.every((r) => r.kind === 'similar' && r.text === `Similar to ${byId.get(opened)!.name}`)).toBe(true);
    const together = await shown(page, 'together', (l) => l.source === 'model');
    expect(together.fallback).toBe('');
    expect(together.ids.every((id) => RULES[opened]!.some(([c]) => c === id))).toBe(true);
    expect(together.reasons.every((r) => r.source === 'associations' && r.kind === 'bought-together')).toBe(true);

    // Add to cart; the cart page: what goes with the cart, and what was viewed, newest first.
    await page.click('#add-to-cart');
    await page.click('#cart-link');
    await page.waitForSelector(`[data-cart-item="${opened}"]`);
    const withCart = await shown(page, 'together-cart');
    expect(withCart.source).toMatch(/^(model|fallback)$/);
    expect(withCart.ids).not.toContain(opened);
    expect(withCart.reasons.every((r) => r.kind === 'bought-together' || r.kind === 'cooccurrence')).toBe(true);
    if (withCart.source === 'model') expect(withCart.ids.every((id) => RULES[opened]!.some(([c]) => c === id))).toBe(true);
    else expect(withCart.fallback).toBe('no-associations');
    const recentlyInCart = await shown(page, 'recently-viewed', (l) => l.ids[0] === opened);
    expect(recentlyInCart.ids).toEqual([opened, ...[...viewed].reverse()]);

    // A category page: what trends in that category.
    const category = byId.get(opened)!.category;
    await page.click(`#categories a[data-category="${category}"]`);
    const inCategory = await shown(page, 'trending-category');
    expect(await page.getAttribute('[data-recs="trending-category"]', 'data-facet')).toBe(category);
    expect(inCategory.ids.every((id) => byId.get(id)!.category === category)).toBe(true);

    // Enter on a card of a list opens its product, recorded as a click.
    await page.locator('[data-recs="trending-category"] li[data-item-id] [part~=card]').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-product="${inCategory.ids[0]}"]`);
    await expect
      .poll(async () => (await stored(page)).events, { timeout: 20_000 })
      .toEqual(expect.arrayContaining([`click:${inCategory.ids[0]}`]));

    expect(await violations(page)).toEqual([]);
    expect(seen.errors).toEqual([]);
    // Only same-origin GETs of static files (page and worker), no query, no body, no viewed id in a URL.
    const origin = new URL(e2e.url).origin;
    const all = requests.filter((r) => r.url.startsWith('http'));
    expect(all.map((r) => new URL(r.url).pathname)).toEqual(
      expect.arrayContaining([
        '/elements/localrec-elements.min.mjs',
        '/models/demo-shop/trending.json',
        '/models/demo-shop/associations.json',
      ]),
    );
    for (const r of all) {
      const u = new URL(r.url);
      expect(r.method, r.url).toBe('GET');
      expect(u.origin, r.url).toBe(origin);
      expect(u.search, r.url).toBe('');
      expect(r.body, r.url).toBe('');
      expect(u.pathname, r.url).toMatch(STATIC);
      for (const id of [...viewed, opened]) expect(r.url.includes(id), `${r.url} carries ${id}`).toBe(false);
    }
    await context.close();
  }, 240_000);
});
