/**
 * The history scenarios (`recentlyViewed`, `buyAgain`): the pure rules (cadence maths, order,
 * distinctness) and the runtime methods over a real memory store with no model at all (the bundle
 * URL answers 404): exclusions, filters over the host catalog, consent, retention, abnormal events.
 */
import { describe, expect, it } from 'vitest';
import { MemoryEventStore, type NewEvent, type StoredEvent } from '@localrec/core';
import { Runtime } from '../src/runtime.js';
import type { RuntimeOptions } from '../src/api.js';
import { BUY_AGAIN, buyAgainOrder, median, recentlyViewedOrder, spoken } from '../src/scenarios.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let n = 0;
function event(type: string, itemId: string, ts: number): NewEvent {
  return { uid: `e${++n}`, type: type as NewEvent['type'], ts, sessionId: `s${Math.floor(ts / HOUR)}`, data: {}, itemId };
}

async function runtime(events: NewEvent[], opts: Partial<RuntimeOptions> = {}): Promise<{ rt: Runtime; store: MemoryEventStore }> {
  const store = new MemoryEventStore();
  if (events.length) await store.append(events);
  const rt = new Runtime({ createStore: () => store, fetch: async () => new Response('no bundle', { status: 404 }), caches: null });
  await rt.init({ appId: 'test', modelUrl: 'http://nomodel.test/m/', retryDelayMs: 0, readyTimeoutMs: 1, ...opts });
  return { rt, store };
}

const ids = (r: { items: { itemId: string }[] }) => r.items.map((i) => i.itemId);

describe('rules', () => {
  it('median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });

  it('speaks durations in the unit a shopper reads', () => {
    expect(spoken(20_000)).toBe('1 minute');
    expect(spoken(2 * HOUR + 10 * MIN)).toBe('2 hours');
    expect(spoken(DAY)).toBe('1 day');
    expect(spoken(20 * DAY)).toBe('3 weeks');
    expect(spoken(90 * DAY)).toBe('3 months');
    expect(spoken(20 * DAY, true)).toBe('20 days');
    expect(spoken(5 * HOUR, true)).toBe('5 hours');
  });

  it('recently viewed: newest first, each item once at its latest event', () => {
    const ev = [
      { itemId: 'a', ts: 10, seq: 1, type: 'view' },
      { itemId: 'b', ts: 20, seq: 2, type: 'view' },
      { itemId: 'a', ts: 30, seq: 3, type: 'click' },
      { itemId: 'c', ts: 30, seq: 4, type: 'add_to_cart' }, // same time as a's click, stored later
    ] as StoredEvent[];
    const out = recentlyViewedOrder(ev);
    expect(out.map((e) => [e.itemId, e.ts])).toEqual([
      ['c', 30],
      ['a', 30],
      ['b', 20],
    ]);
  });

  it('buy again: median cadence, overdue first, occasions merged, not-yet-due left out, single purchases last', () => {
    const at = 100 * DAY;
    const p = (itemId: string, ...days: number[]) => days.map((d) => ({ itemId, ts: d * DAY }));
    const out = buyAgainOrder(
      [
        ...p('coffee', 10, 31, 52, 73), // every 21 days, last 27 days ago: due 27/21
        ...p('filters', 40, 70, 70.1), // one gap of 30.1 days (the 0.1-day repeat is the same occasion): last 29.9 days ago, due 0.993
        ...p('soap', 80, 90), // every 10 days, last 10 days ago: due 1
        ...p('tea', 60, 90), // every 30 days, last 10 days ago: 0.33, not due
        ...p('lamp', 50), // once, 50 days ago: 50/30 with the default cadence
        ...p('mug', 90), // once, 10 days ago: not due
      ],
      at,
    );
    expect(out.map((c) => c.itemId)).toEqual(['coffee', 'soap', 'filters', 'lamp']);
    const [coffee, , filters] = out;
    expect(coffee).toMatchObject({ occasions: 4, intervalMs: 21 * DAY, last: 73 * DAY });
    expect(coffee!.due).toBeCloseTo(27 / 21, 9);
    expect(filters).toMatchObject({ occasions: 2, last: 70.1 * DAY });
    expect(filters!.intervalMs).toBeCloseTo(30.1 * DAY, 3);
    expect(out[3]).toMatchObject({ occasions: 1, intervalMs: BUY_AGAIN.singleIntervalMs });
    // Raise the threshold: only the overdue ones remain.
    expect(
      buyAgainOrder(p('coffee', 10, 31, 52, 73).concat(p('soap', 80, 90)), at, { ...BUY_AGAIN, dueFrom: 1.1 }).map((c) => c.itemId),
    ).toEqual(['coffee']);
  });
});

describe('recentlyViewed', () => {
  const t = Date.now();
  const history = () => [
    event('view', 'a', t - 5 * HOUR),
    event('view', 'b', t - 4 * HOUR),
    event('click', 'a', t - 3 * HOUR),
    event('add_to_cart', 'c', t - 2 * HOUR),
    event('purchase', 'd', t - 90 * MIN),
    event('search', 'x', t - 80 * MIN),
    event('view', 'e', t - MIN),
  ];

  it('newest first, distinct, with reasons; purchases and other types are not views', async () => {
    const { rt } = await runtime(history());
    const r = await rt.recentlyViewed();
    expect(r.source).toBe('history');
    expect(r.fallbackReason).toBeUndefined();
    expect(ids(r)).toEqual(['e', 'c', 'a', 'b']);
    expect(r.items.map((i) => i.reason)).toEqual([
      { kind: 'recently-viewed', text: 'You viewed this 1 minute ago', itemIds: ['e'] },
      { kind: 'recently-viewed', text: 'You added this to your cart 2 hours ago', itemIds: ['c'] },
      { kind: 'recently-viewed', text: 'You viewed this 3 hours ago', itemIds: ['a'] },
      { kind: 'recently-viewed', text: 'You viewed this 4 hours ago', itemIds: ['b'] },
    ]);
    expect(r.items.every((i) => i.source === 'history')).toBe(true);
    const scores = r.items.map((i) => i.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
  });

  it('k, exclude (the item on screen), excludePurchased and the host catalog filter', async () => {
    const { rt } = await runtime([...history(), event('view', 'd', t - 30 * MIN)]);
    expect(ids(await rt.recentlyViewed({ k: 2 }))).toEqual(['e', 'd']);
    expect(ids(await rt.recentlyViewed({ exclude: ['e'] }))).toEqual(['d', 'c', 'a', 'b']);
    expect(ids(await rt.recentlyViewed({ excludePurchased: true }))).toEqual(['e', 'c', 'a', 'b']);
    await rt.setCatalog({ a: { category: 'tea', inStock: true }, b: { category: 'tea', inStock: false }, c: { category: 'cups' } });
    expect(ids(await rt.recentlyViewed({ filter: { categories: ['tea'] } }))).toEqual(['a', 'b']);
    expect(ids(await rt.recentlyViewed({ filter: { categories: ['tea'], inStock: true } }))).toEqual(['a']);
  });

  it('never rejects for missing history: no-history, no-consent; bad arguments are coded', async () => {
    const empty = await runtime([]);
    expect(await empty.rt.recentlyViewed()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-history' });
    const { rt } = await runtime(history(), { consent: 'denied' });
    expect(await rt.recentlyViewed()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-consent' });
    await rt.setConsent('granted');
    expect(ids(await rt.recentlyViewed())).toEqual(['e', 'c', 'a', 'b']);
    // Everything excluded: an empty list is the cold start too.
    expect(await rt.recentlyViewed({ exclude: ['a', 'b', 'c', 'e'] })).toMatchObject({ items: [], fallbackReason: 'no-history' });
    await expect(rt.recentlyViewed({ k: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'k' });
    await expect(rt.recentlyViewed({ exclude: 'a' as unknown as string[] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'exclude',
      message: expect.stringContaining('got "a"') as unknown,
    });
    await expect(rt.recentlyViewed({ exclude: ['a', 5] as unknown as string[] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('got 5 at [1]') as unknown,
    });
    await expect(new Runtime({ createStore: () => new MemoryEventStore() }).recentlyViewed()).rejects.toMatchObject({ code: 'NOT_READY' });
  });

  it('reads no event past the retention window', async () => {
    const { rt } = await runtime([event('view', 'old', t - 10 * DAY), event('view', 'new', t - DAY)], { retentionMs: 5 * DAY });
    expect(ids(await rt.recentlyViewed())).toEqual(['new']);
  });

  it('leaves out abnormal events: a burst of views (bot sweep) and events stored with flags', async () => {
    const burst = Array.from({ length: 30 }, (_, i) => event('view', `bot-${i}`, t - 20 * MIN + i * 50));
    const flagged = { ...event('view', 'flagged', t - 10 * MIN), flags: ['abnormal'] } as NewEvent;
    const { rt } = await runtime([event('view', 'a', t - 3 * HOUR), event('click', 'b', t - 2 * HOUR), ...burst, flagged]);
    expect(ids(await rt.recentlyViewed())).toEqual(['b', 'a']);
  });

  it('answers from the page history when the connector passes one (memory-store case)', async () => {
    const { rt } = await runtime([]);
    const sequence = [
      { itemId: 'a', type: 'view' as const, ts: t - 3 * HOUR, seq: 1, count: 1 },
      { itemId: 'b', type: 'purchase' as const, ts: t - 2 * HOUR, seq: 2, count: 1 },
      { itemId: 'c', type: 'click' as const, ts: t - HOUR, seq: 3, count: 1 },
    ];
    expect(ids(await rt.recentlyViewed({}, { history: { sequence, purchased: ['b'] } }))).toEqual(['c', 'a']);
    expect(await rt.buyAgain({}, { history: { sequence, purchased: ['b'] } })).toMatchObject({ items: [], fallbackReason: 'no-history' });
  });
});

describe('buyAgain', () => {
  const t = Date.now();
  const bought = (itemId: string, ...daysAgo: number[]) => daysAgo.map((d) => event('purchase', itemId, t - d * DAY));

  it('ranks by cadence with reasons; not-yet-due and non-purchases are left out', async () => {
    const { rt } = await runtime([
      ...bought('coffee', 83, 62, 41, 20), // every 3 weeks, last 20 days ago: due 20/21
      ...bought('soap', 40, 25), // every 15 days, last 25 days ago: overdue
      ...bought('tea', 35, 5), // every 30 days, last 5 days ago: not due
      ...bought('lamp', 45), // once, 45 days ago
      event('view', 'kettle', t - DAY),
    ]);
    const r = await rt.buyAgain();
    expect(r.source).toBe('history');
    expect(ids(r)).toEqual(['soap', 'coffee', 'lamp']);
    expect(r.items.map((i) => i.reason.text)).toEqual([
      'You buy this about every 2 weeks; last bought 25 days ago',
      'You buy this about every 3 weeks; last bought 20 days ago',
      'You bought this once; last bought 45 days ago',
    ]);
    expect(r.items.every((i) => i.reason.kind === 'buy-again' && i.source === 'history')).toBe(true);
    expect(r.items[0]!.score).toBeCloseTo(25 / 15, 6);
    expect(r.items[1]!.score).toBeCloseTo(20 / 21, 6);
  });

  it('exclude, filter, k; consent, no history, retention and abnormal purchases', async () => {
    const events = [...bought('coffee', 83, 62, 41, 20), ...bought('soap', 40, 25)];
    const { rt } = await runtime(events);
    expect(ids(await rt.buyAgain({ k: 1 }))).toEqual(['soap']);
    expect(ids(await rt.buyAgain({ exclude: ['soap'] }))).toEqual(['coffee']);
    await rt.setCatalog({ coffee: { inStock: false } });
    expect(ids(await rt.buyAgain({ filter: { inStock: true } }))).toEqual(['soap']);

    expect(await (await runtime([])).rt.buyAgain()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-history' });
    expect(await (await runtime(events, { consent: 'pending' })).rt.buyAgain()).toMatchObject({ items: [], fallbackReason: 'no-consent' });
    // A 50-day window keeps coffee's last two purchases only (gap 21 days, last 20 days ago): soap
    // keeps both (every 15 days, overdue).
    const kept = await runtime(events, { retentionMs: 50 * DAY });
    const r = await kept.rt.buyAgain();
    expect(ids(r)).toEqual(['soap', 'coffee']);
    expect(r.items[1]!.reason.text).toBe('You buy this about every 3 weeks; last bought 20 days ago');
    // A 30-day window: one purchase each is left, coffee 20 days ago (20/30 of the default
    // cadence: not due), soap 25 days ago (25/30: due).
    const single = await (await runtime(events, { retentionMs: 30 * DAY })).rt.buyAgain();
    expect(single.items.map((i) => [i.itemId, i.reason.text])).toEqual([['soap', 'You bought this once; last bought 25 days ago']]);

    const flagged = bought('soap', 10).map((e) => ({ ...e, flags: ['abnormal'] }));
    // A flagged purchase 10 days ago would make soap not due (10/15); it is ignored.
    expect(ids(await (await runtime([...events, ...flagged])).rt.buyAgain())).toEqual(['soap', 'coffee']);
  });
});
