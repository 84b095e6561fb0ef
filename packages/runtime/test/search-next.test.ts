/**
 * `forSearch` and `next` over the tiny real bundle (wasm backend, fixture.ts): the search rule's
 * parts (words, query similarity, the catalogue match, the items past searches led to), the answer
 * (reasons, model re-ranking, fallbacks, exclusions), the query's errors; `next` continuing every
 * list method, with and without a history change between pages, with `dedupe`, and its errors.
 * A fast-check property: pages of a list never repeat an item, and with the same history their
 * union is the head of the single long list (when no diversity or boost reorders a pool that grows
 * with the list's length).
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore, type NewEvent, type RecommendOptions, type RecommendResult } from '@localrec/core';
import { NO_ABNORMAL_RULES } from '@localrec/insights';
import type { Runtime } from '../src/runtime.js';
import { querySimilarity, searchTokens, searchedItems, textMatches } from '../src/search.js';
import { ev, idOf, makeTinyBundle, tinyRuntime, type TinyBundle } from './fixture.js';

const T0 = Date.UTC(2026, 10, 20);
const MIN = 60_000;
let tiny: TinyBundle;

beforeAll(async () => {
  tiny = await makeTinyBundle();
}, 120_000);
afterAll(() => {
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

const ids = (r: RecommendResult) => r.items.map((i) => i.itemId);
const start = (store = new MemoryEventStore(), consent: 'granted' | 'denied' = 'granted') =>
  tinyRuntime(tiny, store, { insights: { rank: false, abnormal: NO_ABNORMAL_RULES }, consent });
let uid = 0;
/** A stored-event input of session `session` (`search` carries the query). */
const event = (type: string, at: number, session: string, itemId?: string, query?: string): NewEvent => ({
  uid: `x${++uid}`,
  type: type as NewEvent['type'],
  ts: at,
  sessionId: session,
  ...(itemId ? { itemId } : {}),
  data: query ? { query } : {},
});

describe('the search rule', () => {
  it('splits a query into words: lower case, accents and plurals dropped, each once', () => {
    expect(searchTokens('Red  SHOES, red shoe!')).toEqual([
      ['red', 'red'],
      ['shoe', 'shoes'],
    ]);
    expect(searchTokens('Crème brûlée berries glass')).toEqual([
      ['creme', 'creme'],
      ['brulee', 'brulee'],
      ['berry', 'berries'],
      ['glass', 'glass'],
    ]);
    expect(searchTokens(' — ')).toEqual([]);
    expect(searchTokens('红色 鞋子')).toEqual([
      ['红色', '红色'],
      ['鞋子', '鞋子'],
    ]);
  });

  it('compares queries by the share of words that find one another', () => {
    expect(querySimilarity(['red', 'shoe'], ['shoe', 'red'])).toBe(1);
    expect(querySimilarity(['red', 'shoe'], ['shoe'])).toBe(0.5);
    expect(querySimilarity(['sho'], ['shoe'])).toBe(1); // a prefix finds the word
    expect(querySimilarity(['kettle'], ['shoe'])).toBe(0);
  });

  it('matches the catalogue by weighted fields, prefixes and unspaced scripts', () => {
    const index: Parameters<typeof textMatches>[0] = [
      ['a', [[['running', 'shoe'], 1]]],
      ['b', [[['shoe'], 0.7]]],
      ['c', [[['kettle'], 1]]],
      ['d', [[['红色鞋子'], 1]]],
    ];
    const m = textMatches(index, searchTokens('red shoes'));
    expect([...m.keys()]).toEqual(['a', 'b']);
    expect(m.get('a')).toEqual({ score: 0.5, words: ['shoes'] });
    expect(m.get('b')!.score).toBeCloseTo(0.35);
    expect([...textMatches(index, searchTokens('sho')).keys()]).toEqual(['a', 'b']);
    expect([...textMatches(index, searchTokens('鞋子')).keys()]).toEqual(['d']);
  });

  it('finds the items a past search led to: same session, after it, before the next search, within 30 minutes', () => {
    const events = [
      event('search', T0, 's1', undefined, 'Red shoes'),
      event('view', T0 + MIN, 's1', 'A'),
      event('add_to_cart', T0 + 2 * MIN, 's1', 'B'),
      event('view', T0 + 3 * MIN, 's2', 'C'), // another session
      event('view', T0 + 40 * MIN, 's1', 'D'), // too late
      event('search', T0 + 41 * MIN, 's1', undefined, 'kettle'),
      event('purchase', T0 + 42 * MIN, 's1', 'E'), // led to by 'kettle', unlike the query
      event('view', T0 - MIN, 's1', 'F'), // before the search
    ];
    const led = searchedItems(
      events.map((e, seq) => ({ ...e, seq })),
      ['shoe'],
    );
    expect([...led.keys()].sort()).toEqual(['A', 'B']);
    expect(led.get('A')).toMatchObject({ query: 'Red shoes', type: 'view', score: 0.5 * 0.4 });
    expect(led.get('B')).toMatchObject({ type: 'add_to_cart', score: 0.5 * 0.8 });
  });
});

describe('forSearch', () => {
  it('answers the catalogue match, cold start marked, reasons naming the words', async () => {
    const rt = await start();
    const r = await rt.forSearch('item 12', { k: 20 });
    expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'no-history' });
    // "Item 12" matches both words; "Item 120"… the prefix "12"; every other item the name's "item".
    expect(ids(r).slice(0, 11).sort()).toEqual([12, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129].map(idOf).sort());
    expect(r.items[0]).toMatchObject({ source: 'search', reason: { kind: 'search', text: "Matches 'item 12'" } });
    expect(r.items[12]!.reason.text).toBe("Matches 'item'");
    expect(r.list).toMatchObject({ method: 'forSearch', args: ['item 12'], page: 0 });
    await rt.dispose();
  });

  it("puts what the shopper's own searches led to first, explained, re-ranked by the model", async () => {
    const store = new MemoryEventStore();
    await store.append([
      event('search', T0, 's1', undefined, 'Games'),
      event('view', T0 + MIN, 's1', idOf(44)),
      event('click', T0 + 2 * MIN, 's1', idOf(44)),
      event('search', T0 + 3 * MIN, 's1', undefined, 'books'),
      event('add_to_cart', T0 + 4 * MIN, 's1', idOf(8)),
    ]);
    const rt = await start(store);
    const r = await rt.forSearch('games', { k: 10 });
    expect(r.source).toBe('model');
    expect(r.fallbackReason).toBeUndefined();
    // Item 44 is a book: only the shopper's search for "Games" brings it.
    expect(r.items[0]).toMatchObject({
      itemId: idOf(44),
      source: 'history',
      reason: { kind: 'search', text: "You searched 'Games' and opened Item 44", itemIds: [idOf(44)] },
    });
    expect(ids(r)).not.toContain(idOf(8)); // a book led to by "books"
    // The rest: games (odd rows), the catalogue's category match.
    for (const it of r.items.slice(1)) expect(Number(it.itemId.slice(4)) % 2).toBe(1);
    await rt.dispose();
  });

  it('without consent: the catalogue match only, unpersonalised, marked; nothing matching: popular items, no-match', async () => {
    const store = new MemoryEventStore();
    await store.append([event('search', T0, 's1', undefined, 'games'), event('view', T0 + MIN, 's1', idOf(44))]);
    const rt = await start(store, 'denied');
    const r = await rt.forSearch('games');
    expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'no-consent' });
    expect(ids(r)).not.toContain(idOf(44));
    const none = await rt.forSearch('zebra');
    expect(none).toMatchObject({ source: 'fallback', fallbackReason: 'no-match' });
    expect(none.items.length).toBe(10);
    expect(none.items[0]!.reason).toEqual({ kind: 'popular', text: 'Popular right now' });
    await rt.dispose();
  });

  it('applies exclude, filter, rules, hydrate and excludePurchased', async () => {
    const store = new MemoryEventStore();
    await store.append([ev('purchase', idOf(3), T0)]);
    const rt = await start(store);
    const r = await rt.forSearch('games', { k: 5, exclude: [idOf(1)], filter: { maxPrice: 30 }, hydrate: ['price'] });
    expect(ids(r)).not.toContain(idOf(1));
    for (const it of r.items) expect(it.meta!.price).toBeLessThanOrEqual(30);
    expect(Object.keys(r.items[0]!.meta!)).toEqual(['price']);
    expect(ids(await rt.forSearch('item 3', { k: 3 }))).toContain(idOf(3)); // purchases stay by default
    expect(ids(await rt.forSearch('item 3', { k: 3, excludePurchased: true }))).not.toContain(idOf(3));
    const pinned = await rt.forSearch('games', { rules: { pin: [{ itemId: idOf(2), position: 0 }] } });
    expect(pinned.items[0]).toMatchObject({ itemId: idOf(2), reason: { rules: ['pin'] } });
    await rt.dispose();
  });

  it('refuses a bad query with INVALID_ARGUMENT naming the value', async () => {
    const rt = await start();
    for (const q of ['', '   ', '!!', 'x'.repeat(257), 42, undefined]) {
      await expect(rt.forSearch(q as string)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'query' });
    }
    await expect(rt.forSearch(42 as unknown as string)).rejects.toThrow(/got 42/);
    await rt.dispose();
  });
});

/** Every list method, as a call of the runtime. */
const LISTS: [string, (rt: Runtime, o: RecommendOptions) => Promise<RecommendResult>][] = [
  ['recommend', (rt, o) => rt.recommend(o)],
  ['similar', (rt, o) => rt.similar(idOf(30), o)],
  ['recentlyViewed', (rt, o) => rt.recentlyViewed(o)],
  ['buyAgain', (rt, o) => rt.buyAgain(o)],
  ['frequentlyBoughtTogether', (rt, o) => rt.frequentlyBoughtTogether([idOf(40), idOf(60)], o)],
  ['trending', (rt, o) => rt.trending(o)],
  ['forSearch', (rt, o) => rt.forSearch('item', o)],
];

/** A history every list answers from: 30 views, spaced, and purchases with a cadence. */
async function shopper(): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  const now = Date.now();
  const views = Array.from({ length: 30 }, (_, i) => ev('view', idOf(50 + i), now - (300 - i * 7) * MIN));
  const buys = [60, 40, 20].flatMap((d) => [1, 2, 3].map((r) => ev('purchase', idOf(100 + r), now - d * 1440 * MIN + r * MIN)));
  await store.append([...views, ...buys]);
  return store;
}

/** Pages 0… of a list through `next`, until `pages` or an empty one. */
async function pagesOf(first: RecommendResult, rt: Runtime, pages: number, between?: (last: RecommendResult, p: number) => Promise<void>) {
  const out = [first];
  while (out.length < pages && out.at(-1)!.items.length) {
    await between?.(out.at(-1)!, out.length);
    out.push(await rt.next(out.at(-1)!));
  }
  return out;
}

describe('next', () => {
  it.each(LISTS)('%s: the pages of next are the pages of the list (same history), the cursor carries them', async (method, ask) => {
    const rt = await start(await shopper());
    const o: RecommendOptions = { k: 2, hydrate: false };
    const pages = await pagesOf(await ask(rt, o), rt, 3);
    expect(pages[0]!.items.length).toBeGreaterThan(0);
    for (const [p, r] of pages.entries()) {
      expect(ids(r)).toEqual(ids(await ask(rt, { ...o, page: p })));
      expect(r.list).toMatchObject({ method, page: p, options: o, returned: pages.slice(0, p + 1).flatMap(ids) });
    }
    await rt.dispose();
  });

  it.each(LISTS)('%s: never repeats an item across pages while the history changes between them', async (_m, ask) => {
    const store = await shopper();
    const rt = await start(store);
    const now = Date.now();
    const pages = await pagesOf(await ask(rt, { k: 3 }), rt, 4, async (last, p) => {
      // A click on the last page's first item, and a view of another one, between the pages.
      const at = now - 60 * MIN + 2 * p * MIN;
      await store.append([ev('click', last.items[0]!.itemId, at), ev('view', idOf(5 + p), at + MIN)]);
    });
    expect(pages.length).toBeGreaterThan(1);
    const all = pages.flatMap(ids);
    expect(new Set(all).size).toBe(all.length);
    await rt.dispose();
  });

  it('across a click: the clicked item and the earlier pages stay out, the page is full', async () => {
    const store = await shopper();
    const rt = await start(store);
    const first = await rt.recommend({ k: 4 });
    await store.append([ev('click', first.items[1]!.itemId, Date.now())]);
    const second = await rt.next(first);
    expect(second.items).toHaveLength(4);
    expect(ids(second).filter((id) => ids(first).includes(id))).toEqual([]);
    expect(second.list!.returned).toEqual([...ids(first), ...ids(second)]);
    // page 1 asked directly may now repeat what page 0 showed (the list moved); next does not.
    await rt.dispose();
  });

  it('combines with dedupe: other widgets of the group stay out, the list keeps its own pages', async () => {
    const rt = await start(await shopper());
    const a = await rt.recommend({ k: 3, dedupe: 'home' });
    const b = await rt.trending({ k: 3, dedupe: 'home' });
    expect(ids(b).filter((id) => ids(a).includes(id))).toEqual([]);
    const a2 = await rt.next(a);
    expect(a2.list).toMatchObject({ method: 'recommend', page: 1, options: { dedupe: 'home' } });
    expect(ids(a2).filter((id) => ids(a).includes(id) || ids(b).includes(id))).toEqual([]);
    const b2 = await rt.next(b);
    expect(ids(b2).filter((id) => [...ids(a), ...ids(a2), ...ids(b)].includes(id))).toEqual([]);
    await rt.dispose();
  });

  it('takes options that do not shape the list, and the cursor alone; crosses as plain data', async () => {
    const rt = await start(await shopper());
    const first = await rt.similar(idOf(30), { k: 3 });
    const copy = structuredClone({ list: first.list });
    const second = await rt.next(copy, { hydrate: ['name'] });
    expect(ids(second)).toEqual(ids(await rt.similar(idOf(30), { k: 3, page: 1 })));
    expect(Object.keys(second.items[0]!.meta!)).toEqual(['name']);
    await rt.dispose();
  });

  it('refuses what is not a page of a list, naming the field', async () => {
    const rt = await start(await shopper());
    const ranked = await rt.rank([idOf(1), idOf(2)]);
    expect(ranked.list).toBeUndefined();
    await expect(rt.next(ranked)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'list' });
    await expect(rt.next(null as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'list' });
    const first = await rt.recommend({ k: 2 });
    const bad = (list: object) => rt.next({ list: { ...first.list!, ...list } });
    await expect(bad({ method: 'rank' })).rejects.toMatchObject({ field: 'list.method' });
    await expect(bad({ args: ['x'] })).rejects.toMatchObject({ field: 'list.args' });
    await expect(bad({ page: 999 })).rejects.toMatchObject({ field: 'list.page' });
    await expect(bad({ page: -1 })).rejects.toMatchObject({ field: 'list.page' });
    await expect(bad({ returned: [1] })).rejects.toMatchObject({ field: 'list.returned' });
    await expect(bad({ options: null })).rejects.toMatchObject({ field: 'list.options' });
    await expect(rt.next(first, { page: 3 })).rejects.toMatchObject({ field: 'options' });
    await rt.dispose();
  });
});

describe('next (property)', () => {
  it('pages never repeat an item; with the same history their union is the head of the single long list', async () => {
    const rt = await start(await shopper());
    const optionsArb = fc.record(
      {
        k: fc.integer({ min: 1, max: 6 }),
        diversity: fc.constantFrom(0, 0.5),
        rules: fc.constantFrom(
          undefined,
          { caps: { category: 3 } },
          { pin: [{ itemId: idOf(9), position: 4 }] },
          { boost: [{ filter: { attr: 'category', eq: 'books' }, weight: 0.5 }] },
        ),
        filter: fc.constantFrom(undefined, { inStock: true }),
      },
      { requiredKeys: ['k'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LISTS), optionsArb, fc.integer({ min: 2, max: 5 }), async ([, ask], o, n) => {
        const options = JSON.parse(JSON.stringify(o)) as RecommendOptions; // no undefined keys
        const pages = await pagesOf(await ask(rt, options), rt, n);
        const all = pages.flatMap(ids);
        expect(new Set(all).size).toBe(all.length);
        // Diversity and boosts reorder over a candidate pool whose size grows with the list (poolSize:
        // max(5n, 50)), so a longer list may differ from the first pages (next still repeats nothing).
        if (options.diversity || options.rules?.boost) return;
        const long = await ask(rt, { ...options, k: options.k! * n });
        expect(all).toEqual(ids(long).slice(0, all.length));
        if (pages.length === n) expect(all.length).toBe(Math.min(ids(long).length, options.k! * n));
      }),
      { numRuns: 40, seed: 15 },
    );
    await rt.dispose();
  }, 120_000);
});
