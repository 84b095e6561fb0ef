/**
 * Merchandising rules, pages and dedupe groups through the runtime's answering paths, on the tiny
 * real bundle (wasm backend): `recommend` from the model and from the cold start, `similar`, and
 * the history scenarios (no model) — filters over a host attribute the bundle does not know, caps,
 * pins, pages, dedupe across lists, the errors of bad options, and a fast-check property over
 * random filters (every item passes it, never fewer items than asked when enough pass).
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore, type FilterExpr, type ItemMeta, type RecommendOptions, type RecommendResult } from '@localrec/core';
import { NO_ABNORMAL_RULES } from '@localrec/insights';
import { Runtime } from '../src/runtime.js';
import { compileFilter } from '../src/merchandising.js';
import { BASE, ITEMS, catalog as bundleCatalog, ev, fakeFetch, idOf, makeTinyBundle, wasmDir, type TinyBundle } from './fixture.js';

let tiny: TinyBundle;
let rt: Runtime;
const store = new MemoryEventStore();
/** The host catalog: the bundle's metadata plus a `tier` (gold every 3rd row) and a `brand` (4 brands). */
const HOST: Record<string, ItemMeta> = {};
for (const [id, meta] of Object.entries(bundleCatalog())) {
  const r = Number(id.slice(4));
  HOST[id] = { ...meta, tier: r % 3 === 0 ? 'gold' : 'plain', brand: `b${r % 4}` };
}
const HISTORY = [40, 41, 42].map(idOf);

beforeAll(async () => {
  tiny = await makeTinyBundle();
  rt = new Runtime({ createStore: () => store, fetch: fakeFetch(tiny.dir).fetch, caches: null, wasmPath: wasmDir() });
  await rt.init({
    appId: 'merch',
    modelUrl: BASE,
    backends: ['wasm'],
    calibrate: false,
    budgetMs: 10_000,
    retryDelayMs: 0,
    insights: { rank: false, abnormal: NO_ABNORMAL_RULES },
  });
  await rt.ready();
  await rt.setCatalog(HOST);
  await store.append(HISTORY.map((id, i) => ev('view', id, 1000 + i)));
}, 120_000);
afterAll(async () => {
  await rt?.dispose();
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

const ids = (r: RecommendResult) => r.items.map((i) => i.itemId);
const meta = (id: string) => HOST[id]!;
const passing = (filter: FilterExpr, blocked: readonly string[] = HISTORY) => {
  const m = compileFilter(filter);
  return Object.keys(HOST).filter((id) => !blocked.includes(id) && m(HOST[id]));
};

describe('recommend from the model with rules and pages', () => {
  const filter: FilterExpr = { all: [{ attr: 'tier', eq: 'gold' }, { not: { attr: 'inStock', eq: false } }] };
  const rules = { caps: { brand: 2 } };

  it('a filter over a host attribute + a cap + pages: from the model, passing, capped, disjoint, the one-call list', async () => {
    const pages: RecommendResult[] = [];
    for (const page of [0, 1, 2]) pages.push(await rt.recommend({ k: 2, filter, rules, page }));
    const whole = await rt.recommend({ k: 6, filter, rules });
    for (const p of [...pages, whole]) expect(p.source).toBe('model');
    const union = pages.flatMap(ids);
    expect(union).toEqual(ids(whole));
    expect(new Set(union).size).toBe(6);
    for (const id of union) {
      expect(meta(id).tier).toBe('gold');
      expect(meta(id).inStock).not.toBe(false);
      expect(HISTORY).not.toContain(id);
    }
    // 4 brands × 2 = 8 ≥ 6 items: the cap holds and the list is full.
    const perBrand = new Map<unknown, number>();
    for (const id of union) perBrand.set(meta(id).brand, (perBrand.get(meta(id).brand) ?? 0) + 1);
    expect(Math.max(...perBrand.values())).toBe(2);
  });

  it('never fewer items than asked when enough pass, even a selective filter', async () => {
    const narrow: FilterExpr = { attr: 'price', gte: 100, lte: 111 };
    expect(passing(narrow)).toHaveLength(12);
    const r = await rt.recommend({ k: 12, filter: narrow });
    expect(r.source).toBe('model');
    expect(ids(r).sort()).toEqual(passing(narrow).sort());
    // Caps that empty the first pool: a 4× larger pool is asked until the list is full.
    const capped = await rt.recommend({ k: 4, rules: { caps: { brand: 1 } } });
    expect(new Set(ids(capped).map((id) => meta(id).brand)).size).toBe(4);
  });

  it('boost and bury reorder the model list and say so', async () => {
    const plain = await rt.recommend({ k: 10 });
    const gold = (id: string) => meta(id).tier === 'gold';
    const boosted = await rt.recommend({ k: 10, rules: { boost: [{ filter: { attr: 'tier', eq: 'gold' }, weight: 1 }] } });
    // Every gold item of the pool ahead of every other; marked.
    const g = ids(boosted).map(gold);
    expect(g.indexOf(false) === -1 || g.lastIndexOf(true) < g.indexOf(false)).toBe(true);
    for (const it of boosted.items) expect(it.reason.rules?.includes('boost') ?? false).toBe(gold(it.itemId));
    // The pool (50 best) holds more than 10 gold and more than 10 other items: all gold, then none.
    expect(ids(plain).filter(gold).length).toBeLessThan(10);
    expect(ids(boosted).filter(gold)).toHaveLength(10);
    const buried = await rt.recommend({ k: 10, rules: { bury: [{ filter: { attr: 'tier', eq: 'gold' }, weight: 1 }] } });
    expect(ids(buried).filter(gold)).toEqual([]);
    expect(ids(buried)).toEqual(
      ids(plain)
        .filter((id) => !gold(id))
        .concat(ids(buried).slice(ids(plain).filter((id) => !gold(id)).length)),
    );
  });

  it('a pin at its position (from outside the pool too), only when eligible', async () => {
    const plain = ids(await rt.recommend({ k: 5 }));
    const outsider = Object.keys(HOST).find((id) => !plain.includes(id) && !HISTORY.includes(id) && meta(id).inStock !== false)!;
    const r = await rt.recommend({ k: 5, rules: { pin: [{ itemId: outsider, position: 2 }] } });
    expect(ids(r)[2]).toBe(outsider);
    expect(r.items[2]!.reason.rules).toEqual(['pin']);
    expect(ids(r).filter((x) => x !== outsider)).toEqual(plain.slice(0, 4));
    // Seen, excluded, or failing the filter: not pinned.
    const seen = await rt.recommend({ k: 5, rules: { pin: [{ itemId: HISTORY[0]!, position: 0 }] } });
    expect(ids(seen)).toEqual(plain);
    const excluded = await rt.recommend({ k: 5, exclude: [outsider], rules: { pin: [{ itemId: outsider, position: 0 }] } });
    expect(ids(excluded)).not.toContain(outsider);
    const filtered = await rt.recommend({ k: 5, filter: { attr: 'tier', eq: 'gold' }, rules: { pin: [{ itemId: idOf(1), position: 0 }] } });
    expect(ids(filtered)).not.toContain(idOf(1));
  });

  it('dedupe: widgets of one group never repeat each other; its own pages still slice one list; groups are separate', async () => {
    const group = { dedupe: 'view-1' };
    const a0 = await rt.recommend({ k: 4, ...group });
    const b = await rt.similar(idOf(50), { k: 4, ...group });
    const a1 = await rt.recommend({ k: 4, page: 1, ...group });
    const all = [...ids(a0), ...ids(b), ...ids(a1)];
    expect(new Set(all).size).toBe(12);
    // The recommend list excludes what similar returned, not its own first page.
    const whole = ids(await rt.recommend({ k: 8, exclude: ids(b) }));
    expect([...ids(a0), ...ids(a1)]).toEqual(whole);
    // Another group, another page view: the same list as without dedupe.
    expect(ids(await rt.similar(idOf(50), { k: 4, dedupe: 'view-2' }))).toEqual(ids(await rt.similar(idOf(50), { k: 4 })));
  });

  it('dedupe: widgets of one group asked at the same moment (the lists of a page) answer in turn and still never repeat each other', async () => {
    const group = { dedupe: 'view-3' };
    // Without the group, these lists overlap (so the check below can fail).
    const free = await Promise.all([rt.recommend({ k: 6 }), rt.similar(idOf(50), { k: 6 }), rt.recommend({ k: 6, diversity: 0.5 })]);
    const freeIds = free.flatMap(ids);
    expect(new Set(freeIds).size).toBeLessThan(freeIds.length);
    const lists = await Promise.all([
      rt.recommend({ k: 6, ...group }),
      rt.similar(idOf(50), { k: 6, ...group }),
      rt.recommend({ k: 6, diversity: 0.5, ...group }),
      rt.trending({ k: 6, ...group }),
    ]);
    const all = lists.flatMap(ids);
    expect(all.length).toBeGreaterThan(18);
    expect(new Set(all).size).toBe(all.length);
    // In the order asked: the first list is the group's first answer, as if asked alone.
    expect(ids(lists[0])).toEqual(ids(free[0]));
    // A failing call does not hold the group up.
    await expect(rt.recommend({ k: 0, ...group })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(ids(await rt.recommend({ k: 3, page: 2, ...group }))).toHaveLength(3);
  });
});

describe('similar and the cold start with rules', () => {
  it('similar: filter, cap, page; disjoint pages', async () => {
    const o: RecommendOptions = { k: 3, filter: { attr: 'category', in: ['books'] }, rules: { caps: { brand: 1 } } };
    const p0 = await rt.similar(idOf(60), o);
    const p1 = await rt.similar(idOf(60), { ...o, page: 1 });
    expect(p0.source).toBe('model');
    const union = [...ids(p0), ...ids(p1)];
    for (const id of union) expect(meta(id).category).toBe('books');
    // books are even rows: brands b0 and b2 only, one each.
    expect(ids(p0)).toHaveLength(2);
    expect(ids(p1)).toEqual([]);
    expect(new Set(ids(p0).map((id) => meta(id).brand)).size).toBe(2);
  });

  it('cold start (no consent): the filter, a pin and pages apply to the popular list', async () => {
    await rt.setConsent('denied');
    try {
      const o: RecommendOptions = { k: 3, filter: { attr: 'price', lt: 30 }, rules: { pin: [{ itemId: idOf(29), position: 0 }] } };
      const p0 = await rt.recommend(o);
      const p1 = await rt.recommend({ ...o, page: 1 });
      expect(p0).toMatchObject({ source: 'fallback', fallbackReason: 'no-consent' });
      expect(ids(p0)[0]).toBe(idOf(29));
      const union = [...ids(p0), ...ids(p1)];
      expect(new Set(union).size).toBe(6);
      for (const id of union) expect(meta(id).price!).toBeLessThan(30);
    } finally {
      await rt.setConsent('granted');
    }
  });
});

describe('bad options are refused naming the field and the accepted values', () => {
  it('recommend, similar, rank', async () => {
    await expect(rt.recommend({ filter: { attr: 'price', between: [1, 2] } as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'filter.between',
      accepted: ['eq', 'in', 'gt', 'gte', 'lt', 'lte'],
    });
    await expect(rt.similar(idOf(3), { rules: { caps: { brand: -1 } } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'rules.caps.brand',
    });
    await expect(rt.recommend({ page: 1.5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'page' });
    await expect(rt.rank([idOf(1)], { filter: { any: [{ nope: 1 }] } as never })).rejects.toMatchObject({ field: 'filter.any[0].nope' });
  });
});

describe('the history scenarios with rules (no model needed for them)', () => {
  it('recentlyViewed: cap, pin, pages', async () => {
    const s = new MemoryEventStore();
    const now = Date.now();
    const viewed = [10, 11, 12, 13, 14, 15].map(idOf);
    await s.append(viewed.map((id, i) => ev('view', id, now - 3_600_000 + i * 60_000)));
    const r = new Runtime({ createStore: () => s, fetch: async () => new Response('none', { status: 404 }), caches: null });
    await r.init({
      appId: 'h',
      modelUrl: 'http://nomodel.test/m/',
      retryDelayMs: 0,
      readyTimeoutMs: 1,
      insights: { abnormal: NO_ABNORMAL_RULES },
    });
    await r.setCatalog(HOST);
    const newest = [...viewed].reverse();
    const p0 = await r.recentlyViewed({ k: 2 });
    const p1 = await r.recentlyViewed({ k: 2, page: 1 });
    expect([...ids(p0), ...ids(p1)]).toEqual(newest.slice(0, 4));
    // brands: b(r % 4): 15→b3, 14→b2, 13→b1, 12→b0, 11→b3, 10→b2; one per brand.
    expect(ids(await r.recentlyViewed({ rules: { caps: { brand: 1 } } }))).toEqual(newest.slice(0, 4));
    const pinned = await r.recentlyViewed({ k: 3, rules: { pin: [{ itemId: idOf(10), position: 0 }] } });
    expect(ids(pinned)).toEqual([idOf(10), idOf(15), idOf(14)]);
    expect(pinned.source).toBe('history');
    await r.dispose();
  });
});

describe('with the insights blend on', () => {
  it('filter, cap and pin hold after the blend; the items come from the model', async () => {
    const s = new MemoryEventStore();
    await s.append(HISTORY.map((id, i) => ev('view', id, 1000 + i)));
    const r = new Runtime({ createStore: () => s, fetch: fakeFetch(tiny.dir).fetch, caches: null, wasmPath: wasmDir() });
    await r.init({
      appId: 'blend',
      modelUrl: BASE,
      backends: ['wasm'],
      calibrate: false,
      budgetMs: 10_000,
      retryDelayMs: 0,
      insights: { abnormal: NO_ABNORMAL_RULES },
    });
    await r.setCatalog(HOST);
    const filter: FilterExpr = { attr: 'category', eq: 'games' };
    const pin = Object.keys(HOST).find((id) => meta(id).category === 'games' && !HISTORY.includes(id))!;
    const out = await r.recommend({ k: 6, filter, rules: { caps: { brand: 3 }, pin: [{ itemId: pin, position: 5 }] } });
    await r.dispose();
    expect(out.source).toBe('model');
    expect(ids(out)).toHaveLength(6);
    expect(ids(out)[5]).toBe(pin);
    for (const id of ids(out)) expect(meta(id).category).toBe('games');
    // games are odd rows: brands b1 and b3, at most 3 each.
    const perBrand = new Map<unknown, number>();
    for (const id of ids(out)) perBrand.set(meta(id).brand, (perBrand.get(meta(id).brand) ?? 0) + 1);
    expect([...perBrand.values()].every((n) => n <= 3)).toBe(true);
  });
});

describe('buyAgain with rules', () => {
  it('a filter, a page and a dedupe group over the due purchases', async () => {
    const s = new MemoryEventStore();
    const DAY = 86_400_000;
    const now = Date.now();
    // Rows 20..25, each bought twice 30 days apart, the last one 31..36 days ago: all due, most overdue = 25.
    const bought = [20, 21, 22, 23, 24, 25];
    await s.append(bought.flatMap((r) => [ev('purchase', idOf(r), now - (r + 41) * DAY), ev('purchase', idOf(r), now - (r + 11) * DAY)]));
    const r = new Runtime({ createStore: () => s, fetch: async () => new Response('none', { status: 404 }), caches: null });
    await r.init({
      appId: 'b',
      modelUrl: 'http://nomodel.test/m/',
      retryDelayMs: 0,
      readyTimeoutMs: 1,
      insights: { abnormal: NO_ABNORMAL_RULES },
    });
    await r.setCatalog(HOST);
    const all = ids(await r.buyAgain());
    expect(all).toEqual([25, 24, 23, 22, 21, 20].map(idOf));
    const even = { attr: 'category', eq: 'books' } as const;
    expect(ids(await r.buyAgain({ k: 2, filter: even }))).toEqual([24, 22].map(idOf));
    expect(ids(await r.buyAgain({ k: 2, filter: even, page: 1 }))).toEqual([idOf(20)]);
    const widget = ids(await r.recentlyViewed({ dedupe: 'v' }));
    expect(widget).toEqual([]);
    const first = ids(await r.buyAgain({ k: 2, dedupe: 'v' }));
    const other = await r.buyAgain({ k: 3, dedupe: 'v' });
    expect(first).toEqual([25, 24].map(idOf));
    expect(ids(other)).toEqual([23, 22, 21].map(idOf));
    await r.dispose();
  });
});

describe('property: random filters through recommend (fast-check)', () => {
  const test = fc.oneof(
    fc.record({ attr: fc.constantFrom('category'), eq: fc.constantFrom('books', 'games') }),
    fc.record({ attr: fc.constant('tier'), in: fc.subarray(['gold', 'plain']) }),
    fc.record({ attr: fc.constant('brand'), in: fc.subarray(['b0', 'b1', 'b2', 'b3']) }),
    fc.record({ attr: fc.constant('price'), gte: fc.integer({ min: 0, max: ITEMS }) }),
    fc.record({ attr: fc.constant('price'), lt: fc.integer({ min: 0, max: ITEMS }) }),
    fc.record({ attr: fc.constant('inStock'), eq: fc.boolean() }),
  );
  const expr: fc.Arbitrary<FilterExpr> = fc.oneof(
    test,
    fc.record({ not: test }),
    fc.record({ all: fc.array(test, { maxLength: 3 }) }),
    fc.record({ any: fc.array(test, { maxLength: 3 }) }),
  );

  it('every item passes the filter; as many items as asked, or every passing item when fewer pass', async () => {
    await fc.assert(
      fc.asyncProperty(expr, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 2 }), async (filter, k, page) => {
        const r = await rt.recommend({ k, filter, page });
        expect(r.source).toBe('model');
        const pass = passing(filter);
        for (const id of ids(r)) expect(pass).toContain(id);
        expect(r.items).toHaveLength(Math.max(0, Math.min(k, pass.length - page * k)));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
