/**
 * frequentlyBoughtTogether / trending / trendingFacets end to end in real Chromium: the BUILT SDK
 * with the BUILT runtime worker and a bundle the trainer makes here from a generated log —
 * `localrec train` (which mines the association rules into `associations.json`) then
 * `localrec trending` (the public `trending.json` next to the model). Checks: answers from the
 * rules and the file with their reasons, cold start marked then personalised by the model, the
 * cart left out, facets; the trending file kept in Cache Storage and reused by the next page
 * without a request; a trending file that fails its hash → the popularity fallback with the error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { main } from '@localrec/trainer';
import { useBrowser, useSdkPage, watchPage } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'localrec-fbt-e2e-'));
const bundle = join(dir, 'bundle');
const ITEMS = 120;
const id = (i: number) => `P-${String(i).padStart(3, '0')}`;
const CATEGORIES = ['Shoes', 'Hats', 'Bags'];
const END = Date.UTC(2026, 10, 20);
const MIN = 60_000;

/**
 * 300 shoppers: each browses 10 items in a cycle (item i then i+1: what the model learns) and buys
 * one pair (P-001 with P-002, P-003 with P-004, … P-039 with P-040: 15 baskets each) in one session.
 */
function generate(): { log: string; catalog: Record<string, object> } {
  const rows: object[] = [];
  let s = 7;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let u = 0; u < 300; u++) {
    const t0 = END - Math.floor(rnd() * 5 * 1440) * MIN;
    const start = 1 + Math.floor(rnd() * ITEMS);
    for (let j = 0; j < 10; j++)
      rows.push({ user: `u${u}`, item: id(((start + j - 1) % ITEMS) + 1), timestamp: t0 + j * MIN, type: 'view' });
    const a = 1 + 2 * (u % 20);
    rows.push({ user: `u${u}`, item: id(a), timestamp: t0 + 11 * MIN, type: 'purchase' });
    rows.push({ user: `u${u}`, item: id(a + 1), timestamp: t0 + 12 * MIN, type: 'purchase' });
  }
  const catalog: Record<string, object> = {};
  for (let i = 1; i <= ITEMS; i++)
    catalog[id(i)] = { name: `Product ${i}`, category: CATEGORIES[i % 3], brand: `Brand ${i % 4}`, price: i };
  return { log: rows.map((r) => JSON.stringify(r)).join('\n'), catalog };
}

let trendingFile: { version: string; items: [string, number][]; facets: Record<string, Record<string, { shoppers: number }>> };

beforeAll(async () => {
  const { log, catalog } = generate();
  writeFileSync(join(dir, 'log.jsonl'), log);
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
  const train = ['train', '--data', join(dir, 'log.jsonl'), '--out', bundle, '--catalog', join(dir, 'catalog.json')];
  const small = ['--epochs', '4', '--dim', '16', '--max-len', '10', '--blocks', '1', '--heads', '1', '--eval-every', '4'];
  expect(await main([...train, ...small, '--valid-users', '50', '--segments', '2', '--eval-seeds', '1', '--fp32'])).toBe(0);
  const trending = join(bundle, 'trending.json');
  expect(await main(['trending', '--data', join(dir, 'log.jsonl'), '--out', trending, '--bundle', bundle, '--min-shoppers', '2'])).toBe(0);
  trendingFile = JSON.parse(readFileSync(trending, 'utf8')) as typeof trendingFile;
  // A copy whose content no longer matches its sha256.
  writeFileSync(join(bundle, 'trending-bad.json'), JSON.stringify({ ...trendingFile, items: [...trendingFile.items].reverse() }));
}, 180_000);

const site = useSdkPage('fbt/trending e2e', bundle, true);
const chromium = useBrowser();

type Brief = { source: string; why?: string; error?: string; ids: string[]; kinds: string[]; texts: string[]; sources: string[] };

/** Runs the scenarios on a fresh SDK instance in `page` (runtime options `extra`); tracks `views` first when given. */
async function session(page: Page, extra: Record<string, unknown>, views: string[]) {
  return page.evaluate(
    async ({ extra, views }) => {
      const { connector, sdk } = (window as any).__e2e;
      const rec = sdk.createLocalRec({
        appId: 'fbt-e2e',
        consent: 'granted',
        runtime: connector.workerRuntime({
          assetsUrl: '/runtime/',
          modelUrl: '/models/demo-shop/',
          forceBackend: 'wasm',
          mode: 'worker',
          ...extra,
        }),
      });
      const brief = (r: any): Brief => ({
        source: r.source,
        ...(r.fallbackReason ? { why: r.fallbackReason } : {}),
        ...(r.error ? { error: r.error.code } : {}),
        ids: r.items.map((i: any) => i.itemId),
        kinds: r.items.map((i: any) => i.reason.kind),
        texts: r.items.map((i: any) => i.reason.text),
        sources: r.items.map((i: any) => i.source),
      });
      const cold = {
        fbt: brief(await rec.frequentlyBoughtTogether('P-001')),
        trending: brief(await rec.trending({ k: 5 })),
      };
      const now = Date.now();
      views.forEach((itemId, i) => rec.track('view', { itemId, timestamp: now - (views.length - i) * 40_000 }));
      const out = {
        cold,
        fbt: brief(await rec.frequentlyBoughtTogether('P-001')),
        cart: brief(await rec.frequentlyBoughtTogether(['P-001', 'P-003'], { k: 5 })),
        trending: brief(await rec.trending({ k: 5 })),
        shoes: brief(await rec.trending({ k: 3, facet: { attribute: 'category', value: 'Shoes' } })),
        facets: await rec.trendingFacets('category'),
        runtime: rec.status.runtime,
      };
      await rec.destroy();
      return out;
    },
    { extra, views },
  );
}

describe('frequentlyBoughtTogether and trending through the SDK and the built worker (a bundle trained here)', () => {
  it('answer from the association rules and the trending file, personalised; the file cached and reused; a bad hash falls back', async () => {
    const context = await chromium.browser.newContext();
    const trendingGets: string[] = [];
    context.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/models/demo-shop/trending'))
        trendingGets.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await page.goto(site.url);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    const out = await session(page, {}, ['P-050', 'P-051', 'P-052']);

    // Cold start: the rules' and the file's own order, marked.
    expect(out.cold.fbt).toMatchObject({ source: 'fallback', why: 'no-history', ids: ['P-002'], kinds: ['bought-together'] });
    expect(out.cold.fbt.sources).toEqual(['associations']);
    expect(out.cold.fbt.texts).toEqual(['Often bought with Product 1 (lift 20)']); // confidence 1, P(P-002) = 15/300
    expect(out.cold.trending).toMatchObject({
      source: 'fallback',
      why: 'no-history',
      ids: trendingFile.items.slice(0, 5).map((t) => t[0]),
    });
    expect(new Set(out.cold.trending.texts)).toEqual(new Set(['Trending this week']));
    // With history: re-ranked by the model (no fallback), the same candidates.
    expect(out.fbt).toMatchObject({ source: 'model', ids: ['P-002'] });
    expect(out.fbt.why).toBeUndefined();
    expect(out.cart.source).toBe('model');
    expect([...out.cart.ids].sort()).toEqual(['P-002', 'P-004']); // the cart's own items left out
    expect(out.cart.texts).toEqual(
      expect.arrayContaining(['Often bought with Product 1 (lift 20)', 'Often bought with Product 3 (lift 20)']),
    );
    expect(out.trending.source).toBe('model');
    for (const i of out.trending.ids) expect(trendingFile.items.map((t) => t[0])).toContain(i);
    expect(out.shoes.ids.length).toBe(3);
    expect(new Set(out.shoes.texts)).toEqual(new Set(['Trending in Shoes this week']));
    for (const i of out.shoes.ids) expect(Number(i.slice(2)) % 3).toBe(0); // Shoes: i % 3 === 0
    const facetValues = Object.entries(trendingFile.facets.category!)
      .map(([value, f]) => ({ value, shoppers: f.shoppers }))
      .sort((a, b) => b.shoppers - a.shoppers || (a.value < b.value ? -1 : 1));
    expect(out.facets).toMatchObject({ attribute: 'category', source: 'trending', values: facetValues, version: trendingFile.version });
    expect(out.runtime).toBe('worker');
    // One GET of trending.json for the whole page (the worker keeps it), none on the next page: from Cache Storage.
    expect(trendingGets).toEqual(['GET /models/demo-shop/trending.json']);
    const next = await context.newPage();
    await next.goto(site.url);
    await next.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    const again = await session(next, {}, []);
    expect(again.cold.trending.source).toBe('model'); // the same shopper (IndexedDB), the same file
    for (const i of again.cold.trending.ids) expect(trendingFile.items.map((t) => t[0])).toContain(i);
    expect(trendingGets).toEqual(['GET /models/demo-shop/trending.json']);
    expect(again.facets.version).toBe(trendingFile.version);
    // A file that fails its own hash: the bundle's popularity, with the error.
    const bad = await session(next, { trendingUrl: 'trending-bad.json' }, []);
    expect(bad.cold.trending).toMatchObject({ source: 'fallback', why: 'no-trending', error: 'MODEL_INTEGRITY' });
    expect(new Set(bad.cold.trending.sources)).toEqual(new Set(['popular']));
    expect(bad.facets).toMatchObject({ values: [], fallbackReason: 'no-trending', error: { code: 'MODEL_INTEGRITY' } });
    expect(trendingGets).toEqual(['GET /models/demo-shop/trending.json', 'GET /models/demo-shop/trending-bad.json']);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
