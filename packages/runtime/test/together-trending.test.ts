/**
 * `frequentlyBoughtTogether`, `trending` and `trendingFacets` over the tiny real bundle (trained by
 * the fixture) with association rules and a trending file made by the trainer's own code from a
 * generated log: candidates and reasons, noisy-or over a cart, personalisation by the model, the
 * merchandising rules, the co-occurrence / popularity fallbacks, the trending file's hash check
 * and its cache.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore, type RecommendResult } from '@localrec/core';
import { addAssociations, associationsOf, trendingOf, type LogEvent } from '@localrec/trainer';
import type { AssociationsFile, TrendingFile } from '@localrec/model';
import { Runtime } from '../src/runtime.js';
import { PERSONAL_WEIGHT } from '../src/personal.js';
import { BASE, catalog, ev, fakeFetch, idOf, makeTinyBundle, memoryCaches, tinyRuntime, wasmDir, type TinyBundle } from './fixture.js';

const T0 = Date.UTC(2026, 10, 20);
const MIN = 60_000;

/**
 * 60 shoppers' baskets, each with item 1: with item 2 (40 baskets) or item 3 (20), and item 4 (30);
 * views of items 10..14 for trending (item 10 by every shopper, 14 by few).
 */
function log(): LogEvent[] {
  const out: LogEvent[] = [];
  const buy = (user: string, item: number, m: number) => out.push({ user, item: idOf(item), ts: T0 + m * MIN, type: 'purchase' });
  for (let u = 0; u < 60; u++) {
    const user = `u${u}`;
    buy(user, 1, 0);
    buy(user, u < 40 ? 2 : 3, 1);
    if (u < 30) buy(user, 4, 2);
    for (let i = 10; i <= 14; i++) if (u < 60 - (i - 10) * 12) out.push({ user, item: idOf(i), ts: T0 + 10 * MIN, type: 'view' });
  }
  return out;
}

let tiny: TinyBundle;
let withRules: TinyBundle;
let rules: AssociationsFile;
let trendingFile: TrendingFile;

beforeAll(async () => {
  tiny = await makeTinyBundle();
  const dir = mkdtempSync(join(tmpdir(), 'localrec-fbt-'));
  cpSync(tiny.dir, dir, { recursive: true });
  rules = associationsOf(log(), { minCount: 2 });
  const manifest = addAssociations(dir, rules);
  trendingFile = trendingOf(log(), catalog(), { minShoppers: 2 });
  writeFileSync(join(dir, 'trending.json'), JSON.stringify(trendingFile));
  withRules = { dir, manifest };
}, 120_000);

const ids = (r: RecommendResult) => r.items.map((i) => i.itemId);
const confidence = (a: number, c: number) => rules.rules[idOf(a)]!.find((t) => t[0] === idOf(c))![3];

describe('frequentlyBoughtTogether', () => {
  it('answers the consequents of the item with their reasons; cold start marked', async () => {
    const rt = await tinyRuntime(withRules, new MemoryEventStore());
    const r = await rt.frequentlyBoughtTogether(idOf(1));
    expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'no-history', modelVersion: 'tiny-1' });
    expect(ids(r)).toEqual([idOf(2), idOf(4), idOf(3)]); // confidences 40/60, 30/60, 20/60
    expect(r.items[0]).toMatchObject({
      source: 'associations',
      score: confidence(1, 2),
      reason: { kind: 'bought-together', itemIds: [idOf(1)] },
    });
    const lift = rules.rules[idOf(1)]![0]![4];
    expect(r.items[0]!.reason.text).toBe(`Often bought with Item 1 (lift ${lift.toFixed(1)})`);
    await rt.dispose();
  });

  it('combines the confidences of a cart by noisy-or and leaves the cart out', async () => {
    const rt = await tinyRuntime(withRules, new MemoryEventStore());
    const r = await rt.frequentlyBoughtTogether([idOf(1), idOf(4)]);
    expect(ids(r)).not.toContain(idOf(1));
    expect(ids(r)).not.toContain(idOf(4));
    const two = r.items.find((i) => i.itemId === idOf(2))!;
    expect(two.score).toBeCloseTo(1 - (1 - confidence(1, 2)) * (1 - confidence(4, 2)), 6);
    // The reason names the anchor of the highest confidence.
    expect(two.reason.itemIds).toEqual([confidence(1, 2) >= confidence(4, 2) ? idOf(1) : idOf(4)]);
    await rt.dispose();
  });

  it("personalises by the model's score of the shopper's history", async () => {
    const store = new MemoryEventStore();
    await store.append([ev('view', idOf(20), T0), ev('view', idOf(21), T0 + 1)]);
    const rt = await tinyRuntime(withRules, store);
    const r = await rt.frequentlyBoughtTogether(idOf(1));
    expect(r.source).toBe('model');
    expect(r.fallbackReason).toBeUndefined();
    const cold = await (await tinyRuntime(withRules, new MemoryEventStore())).frequentlyBoughtTogether(idOf(1));
    const base = new Map(cold.items.map((i) => [i.itemId, i.score]));
    for (const it of r.items) {
      const p = (it.score - (1 - PERSONAL_WEIGHT) * base.get(it.itemId)!) / PERSONAL_WEIGHT;
      expect(p).toBeGreaterThanOrEqual(-1e-9);
      expect(p).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(r.items.some((it) => it.score !== base.get(it.itemId))).toBe(true);
    await rt.dispose();
  });

  it('applies exclusions, filters and pins like recommend', async () => {
    const rt = await tinyRuntime(withRules, new MemoryEventStore());
    expect(ids(await rt.frequentlyBoughtTogether(idOf(1), { exclude: [idOf(2)] }))).not.toContain(idOf(2));
    const games = await rt.frequentlyBoughtTogether(idOf(1), { filter: { attr: 'category', eq: 'games' } });
    expect(ids(games)).toEqual([idOf(3)]); // odd rows are games
    const pinned = await rt.frequentlyBoughtTogether(idOf(1), { rules: { pin: [{ itemId: idOf(99), position: 0 }] } });
    expect(pinned.items[0]).toMatchObject({ itemId: idOf(99), reason: { kind: 'pinned' } });
    await rt.dispose();
  });

  it('falls back to the co-occurrence table without association rules, marked', async () => {
    const rt = await tinyRuntime(tiny, new MemoryEventStore());
    const r = await rt.frequentlyBoughtTogether(idOf(5));
    expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'no-associations' });
    expect(r.items.length).toBeGreaterThan(0);
    expect(r.items[0]).toMatchObject({ source: 'cooccurrence', reason: { kind: 'cooccurrence', itemIds: [idOf(5)] } });
    expect(r.items[0]!.reason.text).toBe('Often viewed with Item 5');
    await rt.dispose();
  });

  it('refuses bad anchors with INVALID_ARGUMENT naming the value', async () => {
    const rt = await tinyRuntime(withRules, new MemoryEventStore());
    await expect(rt.frequentlyBoughtTogether([] as string[])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'items' });
    await expect(rt.frequentlyBoughtTogether([idOf(1), 3] as unknown as string[])).rejects.toThrow(
      /an item id or an array of 1\.\.100 item ids/,
    );
    await rt.dispose();
  });
});

describe('trending', () => {
  it('answers the trending file, reasons per facet, cold start marked', async () => {
    const rt = await tinyRuntime(withRules, new MemoryEventStore());
    const all = await rt.trending({ k: 3 });
    expect(all).toMatchObject({ source: 'fallback', fallbackReason: 'no-history' });
    expect(ids(all)).toEqual(trendingFile.items.slice(0, 3).map((t) => t[0]));
    expect(all.items[0]).toMatchObject({ source: 'trending', score: 1, reason: { kind: 'trending', text: 'Trending this week' } });
    const books = await rt.trending({ facet: { attribute: 'category', value: 'books' } });
    expect(ids(books).length).toBeGreaterThan(0);
    for (const it of books.items) expect(catalog()[it.itemId]!.category).toBe('books');
    expect(books.items[0]!.reason.text).toBe('Trending in books this week');
    await expect(rt.trending({ facet: { attribute: 'category' } as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'facet',
    });
    await rt.dispose();
  });

  it('personalises for a shopper with history, without buying items again', async () => {
    const store = new MemoryEventStore();
    await store.append([ev('view', idOf(30), T0), ev('purchase', idOf(10), T0 + 1)]);
    const rt = await tinyRuntime(withRules, store);
    const r = await rt.trending();
    expect(r.source).toBe('model');
    expect(ids(r)).not.toContain(idOf(10));
    await rt.dispose();
  });

  it('trendingFacets: values by shoppers, with the file version and window', async () => {
    const rt = await tinyRuntime(withRules, new MemoryEventStore());
    const f = await rt.trendingFacets('category');
    const expected = Object.entries(trendingFile.facets.category!)
      .map(([value, v]) => ({ value, shoppers: v.shoppers }))
      .sort((a, b) => b.shoppers - a.shoppers);
    expect(f).toMatchObject({ attribute: 'category', values: expected, source: 'trending', version: trendingFile.version });
    expect(f.attributes).toEqual(['category', 'brand']);
    expect((await rt.trendingFacets('colour')).values).toEqual([]);
    await expect(rt.trendingFacets('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'attribute' });
    await rt.dispose();
  });

  it('refuses a trending file that does not match its hash: popularity instead, with the error', async () => {
    const net = fakeFetch(withRules.dir);
    const tampered = JSON.stringify({ ...trendingFile, items: [...trendingFile.items].reverse() });
    net.override = (url) => (url.endsWith('trending.json') ? new Response(tampered) : undefined);
    const rt = await tinyRuntime(withRules, new MemoryEventStore(), {}, { net });
    const r = await rt.trending();
    expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'no-trending', error: { code: 'MODEL_INTEGRITY' } });
    expect(r.error!.message).toMatch(/trending\.json: content SHA-256 [0-9a-f]{64} does not match the file's sha256/);
    expect(r.items[0]).toMatchObject({ source: 'popular', reason: { kind: 'popular' } });
    expect(await rt.trendingFacets('category')).toMatchObject({
      values: [],
      fallbackReason: 'no-trending',
      error: { code: 'MODEL_INTEGRITY' },
    });
    await rt.dispose();
  });

  it('keeps the verified file in the model cache and reuses it without a request', async () => {
    const caches = memoryCaches();
    const start = async (net = fakeFetch(withRules.dir), maxAge?: number) => {
      const rt = new Runtime({ createStore: () => new MemoryEventStore(), fetch: net.fetch, caches, wasmPath: wasmDir() });
      await rt.init({
        appId: 'test',
        modelUrl: BASE,
        backends: ['wasm'],
        calibrate: false,
        retryDelayMs: 0,
        ...(maxAge === undefined ? {} : { trendingMaxAgeMs: maxAge }),
      });
      await rt.ready();
      return { rt, net };
    };
    const trendingGets = (net: { calls: string[] }) => net.calls.filter((u) => u.endsWith('trending.json')).length;
    const a = await start();
    expect(ids(await a.rt.trending())).toEqual(trendingFile.items.map((t) => t[0]));
    expect(trendingGets(a.net)).toBe(1);
    const key = [...caches.entries.keys()].find((k) => k.includes('trending.json'))!;
    expect(key).toBe(
      `${BASE}trending.json?localrec-version=${encodeURIComponent(`trending@${trendingFile.version}`)}&sha256=${trendingFile.sha256}`,
    );
    await a.rt.dispose();
    // A new runtime (the next page): from the cache, no request — and the bundle's own cleanup kept it.
    const b = await start();
    await b.rt.trending();
    expect(trendingGets(b.net)).toBe(0);
    await b.rt.dispose();
    // Stale (max age 0) and the network down: the cached file still answers.
    const down = fakeFetch(withRules.dir);
    down.override = (url) => (url.endsWith('trending.json') ? new TypeError('Failed to fetch') : undefined);
    const c = await start(down, 0);
    expect((await c.rt.trending()).fallbackReason).toBe('no-history');
    expect(trendingGets(c.net)).toBe(1);
    await c.rt.dispose();
  });

  it('without a trending file: the popularity table, with the error naming the URL', async () => {
    const rt = await tinyRuntime(tiny, new MemoryEventStore());
    const r = await rt.trending({ facet: { attribute: 'category', value: 'games' } });
    expect(r).toMatchObject({ fallbackReason: 'no-trending', error: { code: 'MODEL_LOAD_FAILED' } });
    expect(r.error!.message).toBe(`Could not fetch ${BASE}trending.json: HTTP 404`);
    for (const it of r.items) expect(it).toMatchObject({ source: 'popular', reason: { text: 'Popular in games' } });
    for (const it of r.items) expect(catalog()[it.itemId]!.category).toBe('games');
    await rt.dispose();
  });
});
