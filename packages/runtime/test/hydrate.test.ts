/**
 * Hydrated results (issue 15 item 3): every answering path attaches the items' catalog metadata
 * (the host's `setCatalog` entry, else the bundle's) as `meta`, on the tiny real bundle
 * (wasm backend); `hydrate: false` / a list of attributes; a copy (mutating a result never reaches
 * the catalog); the list identity of pages and dedupe groups ignores `hydrate`; bad values refused.
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore, type ItemMeta, type RecommendResult, type ScoredItem } from '@localrec/core';
import { NO_ABNORMAL_RULES } from '@localrec/insights';
import type { Runtime } from '../src/runtime.js';
import { checkHydrate, hydrate } from '../src/hydrate.js';
import { catalog as bundleCatalog, ev, idOf, makeTinyBundle, tinyRuntime, type TinyBundle } from './fixture.js';

let tiny: TinyBundle;
let rt: Runtime;
const store = new MemoryEventStore();
const BUNDLE = bundleCatalog();
/** Host metadata for the even rows: a new name, an image and a page URL (the bundle knows neither). */
const HOST: Record<string, ItemMeta> = {};
for (let r = 2; r <= 150; r += 2) HOST[idOf(r)] = { name: `Host ${r}`, image: `/img/${r}.png`, url: `/p/${r}` };
const HISTORY = [40, 41, 42].map(idOf);

beforeAll(async () => {
  tiny = await makeTinyBundle();
  rt = await tinyRuntime(tiny, store, { appId: 'hydrate', insights: { rank: false, abnormal: NO_ABNORMAL_RULES } });
  await rt.setCatalog(HOST);
  await store.append(HISTORY.map((id, i) => ev('view', id, 1000 + i)));
}, 120_000);
afterAll(async () => {
  await rt?.dispose();
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

/** The merged catalog entry the runtime should attach: the host's entry, else the bundle's (per item, host wins). */
const expected = (id: string): ItemMeta => HOST[id] ?? BUNDLE[id]!;

function expectHydrated(r: RecommendResult) {
  expect(r.items.length).toBeGreaterThan(0);
  for (const item of r.items) expect(item.meta, item.itemId).toEqual(expected(item.itemId));
}

describe('every answering path hydrates', () => {
  it('recommend (model), similar, rank and recentlyViewed carry the merged metadata, host wins', async () => {
    const rec = await rt.recommend({ k: 8 });
    expect(rec.source).toBe('model');
    expectHydrated(rec);
    expect(rec.items.some((i) => i.meta?.image !== undefined)).toBe(true);
    expectHydrated(await rt.similar(idOf(50), { k: 5 }));
    expectHydrated(await rt.rank([idOf(10), idOf(11), 'not-in-any-catalog', idOf(12)]));
    expectHydrated(await rt.recentlyViewed({ k: 3 }));
  });

  it('an item in no catalog gets no meta; the cold start hydrates too', async () => {
    const r = await rt.rank(['not-in-any-catalog', idOf(3)]);
    expect(r.items.find((i) => i.itemId === 'not-in-any-catalog')?.meta).toBeUndefined();
    const cold = await rt.recommend({ k: 4, budgetMs: 0 });
    expect(cold.source).toBe('fallback');
    expectHydrated(cold);
  });

  it('hydrate: false attaches nothing; a list attaches only those attributes that exist', async () => {
    const none = await rt.recommend({ k: 6, hydrate: false });
    expect(none.items.every((i) => !('meta' in i))).toBe(true);
    const some = await rt.recommend({ k: 6, hydrate: ['name', 'url', 'nope'] });
    for (const item of some.items) {
      const e = expected(item.itemId);
      const want: ItemMeta = { name: e.name };
      if (e.url !== undefined) want.url = e.url;
      expect(item.meta).toEqual(want);
    }
    const r = await rt.rank([idOf(10)], { hydrate: ['image'] });
    expect(r.items[0]!.meta).toEqual({ image: '/img/10.png' });
  });

  it('the same list with or without hydrate: same items, same pages, one dedupe list', async () => {
    const a = await rt.recommend({ k: 5, dedupe: 'h1' });
    const b = await rt.recommend({ k: 5, dedupe: 'h1', hydrate: false });
    expect(b.items.map((i) => i.itemId)).toEqual(a.items.map((i) => i.itemId));
    const p1 = await rt.recommend({ k: 5, page: 1, hydrate: ['name'] });
    expect(p1.items.map((i) => i.itemId).filter((id) => a.items.some((x) => x.itemId === id))).toEqual([]);
  });

  it('a result is a copy: changing its meta never changes the next answer', async () => {
    const r = await rt.rank([idOf(10)]);
    r.items[0]!.meta!.name = 'changed';
    expect((await rt.rank([idOf(10)])).items[0]!.meta!.name).toBe('Host 10');
  });
});

describe('bad hydrate values', () => {
  it.each([
    [null, 'hydrate'],
    ['name', 'hydrate'],
    [1, 'hydrate'],
    [['name', 3], 'hydrate[1]'],
    [[''], 'hydrate[0]'],
  ])('%j → INVALID_ARGUMENT naming %s, on every path', async (value, field) => {
    const options = { hydrate: value as never };
    for (const call of [() => rt.recommend(options), () => rt.similar(idOf(3), options), () => rt.rank([idOf(3)], options)])
      await expect(call()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field, accepted: expect.arrayContaining(['false']) });
  });
});

describe('hydrate() itself', () => {
  it('fast-check: meta is exactly the own, defined, selected attributes of the entry', () => {
    const attr = fc.constantFrom('name', 'price', 'image', 'url', 'brand', 'toString', '__proto__');
    const value = fc.oneof(fc.string(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'toString'), fc.dictionary(attr, value)),
        fc.oneof(fc.boolean(), fc.array(attr)),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'toString', 'constructor')),
        (cat, how, ids) => {
          const items: ScoredItem[] = ids.map((itemId) => ({ itemId, score: 0, source: 'host', reason: { kind: 'candidate', text: '' } }));
          hydrate(items, cat, checkHydrate(how));
          for (const item of items) {
            const entry: Record<string, unknown> | undefined = Object.prototype.hasOwnProperty.call(cat, item.itemId)
              ? cat[item.itemId]
              : undefined;
            const chosen: readonly string[] | true | false = how;
            const picked = (k: string) => chosen === true || (Array.isArray(chosen) && chosen.includes(k));
            const keys = entry ? Object.keys(entry).filter((k) => entry[k] !== undefined && picked(k)) : [];
            if (!keys.length) expect(item.meta).toBeUndefined();
            else expect(item.meta).toEqual(Object.fromEntries(keys.map((k) => [k, entry![k]])));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
