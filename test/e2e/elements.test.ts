/**
 * `<localrec-recommendations>` (packages/elements) in real Chromium, under a strict
 * Content-Security-Policy (no 'unsafe-inline' styles or scripts): the BUILT element, SDK and
 * worker, the committed `models/demo-shop` bundle. Checks: the server-rendered fallback is shown
 * until the device answers and then replaced (it stays in the DOM); model answers rendered with the
 * catalog's names, prices and reasons, as a region named by `label`; a host `<template>`; hostile
 * catalog text rendered as text and a `javascript:` URL never used; keyboard access (Tab, arrows,
 * Home/End, Enter); one impression per render once visible and a click per selection, both stored
 * in IndexedDB (the feedback loop's input); the page's CSS does not reach in, custom properties
 * do; a bad attribute answered with `localrec-error` and the fallback kept; no CSP violation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../static-server.mjs';
import { BOOT_PATH, bootScript, repo, storedFeedback, useBrowser, watchCsp, watchPage } from './helpers.js';

const MODEL = join(repo, 'models/demo-shop');
const present = existsSync(join(MODEL, 'manifest.json'));
type Meta = { name: string; category: string; price: number };
const catalog = present ? (JSON.parse(readFileSync(join(MODEL, 'catalog.json'), 'utf8')) as Record<string, Meta>) : {};
const VIEWED = ['SKU-00003', 'SKU-00010', 'SKU-00020'];

const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

const PAGE = `<!doctype html><meta charset="utf-8"><title>elements e2e</title>
<link rel="stylesheet" href="/page.css">
<script type="module" src="${BOOT_PATH}"></script>
<body>
<localrec-recommendations id="foryou" scenario="for-you" limit="4" label="Picked for you" dedupe="home" currency="EUR" locale="en-GB">
  <h2 slot="title">For you</h2>
  <ul><li><a id="ssr" href="/p/popular-1">Server-rendered popular item</a></li></ul>
</localrec-recommendations>
<localrec-recommendations id="similar" scenario="similar" item="${VIEWED[0]}" limit="3" dedupe="home">
  <template><article><a data-field="url"><b data-field="name"></b></a><i data-field="reason"></i><em data-field="nope"></em><img data-field="image" alt=""></article></template>
</localrec-recommendations>
<localrec-recommendations id="bad" scenario="bogus"><p id="bad-fallback">Fallback</p></localrec-recommendations>
</body>`;
/** The page's own CSS: a rule that would hide every span if it reached into the component, and the custom property. */
const PAGE_CSS = `span { display: none !important; } localrec-recommendations { --localrec-radius: 3px; }`;

/** A 1×1 PNG for the card with an image. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

describe.skipIf(!present)('<localrec-recommendations> in Chromium under a strict CSP (models/demo-shop)', () => {
  let server: StaticServer | undefined;
  const chromium = useBrowser();
  beforeAll(async () => {
    for (const f of ['packages/runtime/dist/worker.js', 'packages/sdk/dist/index.js', 'packages/elements/dist/index.js'])
      if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run \`pnpm build\` first (pnpm test does).`);
    server = await startStaticServer({
      mounts: {
        '/runtime/': join(repo, 'packages/runtime/dist'),
        '/sdk/': join(repo, 'packages/sdk/dist'),
        '/elements/': join(repo, 'packages/elements/dist'),
        '/models/demo-shop/': MODEL,
      },
      routes: {
        '/favicon.ico': { status: 204 },
        '/': { body: PAGE },
        '/page.css': { body: PAGE_CSS, type: 'text/css; charset=utf-8' },
        '/img/linked.png': { body: PNG, type: 'image/png' },
        [BOOT_PATH]: bootScript({
          connector: '/runtime/connector.js',
          sdk: '/sdk/index.js',
          elements: '/elements/localrec-elements.min.mjs',
        }),
      },
      headers: () => ({ 'content-security-policy': CSP }),
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('fallback → model answers, template, escaping, keyboard, impressions and clicks, styles, errors', async () => {
    const context = await chromium.browser.newContext();
    const cspViolations = await watchCsp(context);
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await page.goto(server!.url);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    // Before the element is defined: the server-rendered list is what the shopper sees.
    await expect.poll(() => page.locator('#ssr').isVisible()).toBe(true);

    await page.evaluate(async (viewed) => {
      const { connector, sdk, elements } = (window as any).__e2e;
      const w = window as any;
      w.__events = [];
      const rec = sdk.createLocalRec({
        appId: 'elements-e2e',
        consent: 'granted',
        runtime: connector.workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/', forceBackend: 'wasm', mode: 'worker' }),
      });
      w.__rec = rec;
      const t0 = Date.now() - 30 * 60_000;
      viewed.forEach((itemId: string, i: number) => rec.track('view', { itemId, timestamp: t0 + i * 47_000 + (i % 2) * 13_000 }));
      await rec.flush();
      await rec.runtimeStatus();
      for (const type of ['localrec-render', 'localrec-select', 'localrec-error'])
        document.addEventListener(type, (e: any) =>
          w.__events.push({
            type,
            id: e.target.id,
            detail: type === 'localrec-error' ? { code: e.detail.code, field: e.detail.field } : undefined,
          }),
        );
      elements.defineRecommendations({ recommender: rec });
    }, VIEWED);
    await page.waitForFunction(() =>
      ['foryou', 'similar', 'bad'].every((id) => document.getElementById(id)!.getAttribute('data-state') !== 'loading'),
    );

    // The model's answer replaced the fallback (still in the DOM, no longer shown).
    const forYou = page.locator('#foryou');
    expect(await forYou.getAttribute('data-state')).toBe('ready');
    expect(await forYou.getAttribute('data-source')).toBe('model');
    expect(await page.locator('#ssr').count()).toBe(1);
    expect(await page.locator('#ssr').isVisible()).toBe(false);
    const region = page.getByRole('region', { name: 'Picked for you' });
    const cards = region.getByRole('button');
    expect(await cards.count()).toBe(4);
    const shown = await forYou.evaluate((el: any) => el.result.items.map((i: any) => ({ id: i.itemId, reason: i.reason.text })));
    expect(shown).toHaveLength(4);
    for (const [i, s] of shown.entries()) {
      expect(VIEWED).not.toContain(s.id);
      const text = await cards.nth(i).innerText();
      expect(text).toContain(catalog[s.id]!.name);
      expect(text).toContain(s.reason);
      expect(text).toContain('€'); // currency="EUR" locale="en-GB"
    }
    // The page's `span { display: none }` does not reach the shadow DOM; the custom property does.
    expect(await cards.first().locator('[part~=name]').isVisible()).toBe(true);
    expect(await cards.first().evaluate((b) => getComputedStyle(b).borderTopLeftRadius)).toBe('3px');

    // The host's template, filled as text; fields the item lacks removed; no two lists share an item (dedupe).
    const similar = page.locator('#similar');
    expect(await similar.getAttribute('data-state')).toBe('ready');
    const articles = similar.locator('article');
    expect(await articles.count()).toBe(3);
    expect(await similar.locator('em, img').count()).toBe(0);
    const simIds: string[] = await similar.evaluate((el: any) => el.result.items.map((i: any) => i.itemId));
    for (const [i, id] of simIds.entries()) expect(await articles.nth(i).locator('b').innerText()).toBe(catalog[id]!.name);
    expect(simIds.filter((id) => shown.some((s: { id: string }) => s.id === id))).toEqual([]);

    // A bad attribute: localrec-error naming it, the fallback kept on screen.
    expect(await page.locator('#bad').getAttribute('data-state')).toBe('error');
    expect(await page.locator('#bad-fallback').isVisible()).toBe(true);

    // An element made by document.createElement (its constructor sets no attribute, else the DOM
    // throws NotSupportedError) listing a facet's trending items: facet="attribute:value".
    const made = await page.evaluate(async () => {
      const el = document.createElement('localrec-recommendations') as HTMLElement & { result?: { items: { itemId: string }[] } };
      const stateBefore = el.getAttribute('data-state');
      el.setAttribute('scenario', 'trending');
      el.setAttribute('facet', 'category:Audio');
      el.setAttribute('limit', '3');
      const done = new Promise<string>((resolve) => {
        el.addEventListener('localrec-render', () => resolve('render'), { once: true });
        el.addEventListener('localrec-error', (e) => resolve(`error ${(e as CustomEvent<{ code: string }>).detail.code}`), { once: true });
      });
      document.body.append(el);
      const outcome = await done;
      const items = el.result?.items.map((i) => i.itemId) ?? [];
      el.remove();
      return { stateBefore, outcome, items };
    });
    expect(made.stateBefore).toBeNull();
    expect(made.outcome).toBe('render');
    expect(made.items).toHaveLength(3);
    for (const id of made.items) expect(catalog[id]!.category).toBe('Audio');

    // Hostile catalog text is text; a javascript: URL is never a link; an http(s) URL is.
    const hostileId = shown[1]!.id;
    await page.evaluate(
      async ({ hostileId, safeId }) => {
        const w = window as any;
        await w.__rec.setCatalog({
          [hostileId]: { name: '<img src=x onerror="window.__pwned=1">Kettle', url: 'javascript:window.__pwned=2', price: 5 },
          [safeId]: { name: 'Linked item', url: '/p/linked?a=1&b=2', image: '/img/linked.png', price: 7 },
        });
        await (document.getElementById('foryou') as unknown as { refresh(): Promise<void> }).refresh();
      },
      { hostileId, safeId: shown[2]!.id },
    );
    const after: string[] = await forYou.evaluate((el: any) => el.result.items.map((i: any) => i.itemId));
    const hostileCard = region.locator(`li[data-item-id="${hostileId}"] [part~=card]`);
    // The same list (the catalog changes what is shown, not the ranking): the two cards are in it.
    expect(after).toEqual(shown.map((s: { id: string }) => s.id));
    {
      expect(await hostileCard.evaluate((c) => c.tagName)).toBe('BUTTON');
      expect(await hostileCard.locator('[part~=name]').innerText()).toBe('<img src=x onerror="window.__pwned=1">Kettle');
      expect(await hostileCard.locator('img').count()).toBe(0);
    }
    const linked = region.locator(`li[data-item-id="${shown[2]!.id}"] a[part~=card]`);
    {
      expect(await linked.getAttribute('href')).toBe(new URL('/p/linked?a=1&b=2', server!.url).href);
      expect(await linked.locator('img').getAttribute('src')).toBe(new URL('/img/linked.png', server!.url).href);
    }
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();

    // Keyboard: Tab reaches the first card; arrows, End and Home move between cards; Enter selects.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const focused = () =>
      page.evaluate(() => {
        const host = document.activeElement;
        const inner = host?.shadowRoot?.activeElement;
        return host?.id && inner ? `${host.id}:${inner.closest('li')!.getAttribute('data-position')}` : String(host?.tagName);
      });
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('foryou:0');
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('foryou:1');
    await page.keyboard.press('End');
    expect(await focused()).toBe('foryou:3');
    await page.keyboard.press('Home');
    expect(await focused()).toBe('foryou:0');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (window as any).__events.filter((e: any) => e.type === 'localrec-select').length)).toBe(1);

    // Impressions (one per render of a visible list, source = the scenario's method) and the click, stored on the device.
    const selected = after[0]!;
    await expect
      .poll(() => storedFeedback(page), { timeout: 20_000 })
      .toEqual({
        impressions: expect.arrayContaining([
          { items: shown.map((s: { id: string }) => s.id), source: 'recommend' },
          { items: simIds, source: 'similar' },
          { items: after, source: 'recommend' },
        ]),
        clicks: [selected],
      });
    const events = await page.evaluate(() => (window as any).__events);
    expect(events).toContainEqual({ type: 'localrec-error', id: 'bad', detail: { code: 'INVALID_ARGUMENT', field: 'scenario' } });
    expect(await cspViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.evaluate(() => (window as any).__rec.destroy());
    await context.close();
  }, 180_000);
});
