// recentlyViewed / buyAgain on the SDK side: forwarded to the runtime (after the write-behind
// queue is flushed, so the runtime sees the latest track()), consent checked first, explicit
// fallbacks without a runtime or when it fails; never rejects. The scoring itself is the
// runtime's (packages/runtime/test/scenarios.test.ts), the real worker path is in test/e2e.
import { describe, expect, test, vi } from 'vitest';
import { LocalRecError, MemoryBacking, MemoryEventStore, type RecommendOptions, type RecommendResult } from '@localrec/core';
import { createLocalRec, type RecommenderApi, type RuntimeConnector } from '../src/index.js';

/** A runtime answering each scenario with the ids it finds in the store (read when asked), and the options it got. */
function runtimeOver(backing: MemoryBacking, extra: Partial<RecommenderApi> = {}) {
  const asked: string[] = [];
  const store = new MemoryEventStore({ backing });
  const answer =
    (name: string) =>
    async (o?: RecommendOptions): Promise<RecommendResult> => {
      asked.push(`${name} ${JSON.stringify(o)}`);
      await store.open();
      const events = await store.query({});
      return {
        items: events.map((e, i) => ({
          itemId: e.itemId!,
          score: 1 / (i + 1),
          source: 'history',
          reason: { kind: 'recently-viewed', text: '' },
        })),
        source: 'history',
        tookMs: 0,
      };
    };
  const api: RecommenderApi = {
    status: async () => ({ ready: true }),
    recommend: async () => ({ items: [], source: 'model', tookMs: 0 }),
    similar: async () => ({ items: [], source: 'model', tookMs: 0 }),
    rank: async () => ({ items: [], source: 'model', tookMs: 0 }),
    recentlyViewed: answer('recentlyViewed'),
    buyAgain: answer('buyAgain'),
    ...extra,
  };
  const connector: RuntimeConnector = { kind: 'fake', connect: async () => api };
  return { connector, asked };
}

function setup(extra: Partial<RecommenderApi> = {}, consent: 'granted' | 'pending' = 'granted') {
  const backing = new MemoryBacking();
  const rt = runtimeOver(backing, extra);
  const errors: LocalRecError[] = [];
  const rec = createLocalRec({
    appId: 'unit',
    consent,
    requireConsent: consent !== 'granted',
    store: new MemoryEventStore({ backing }),
    runtime: rt.connector,
    onError: (e) => errors.push(e),
  });
  return { rec, rt, errors };
}

describe.each(['recentlyViewed', 'buyAgain'] as const)('%s', (name) => {
  test('forwards the options after flushing: an event tracked just before is in the answer', async () => {
    const { rec, rt } = setup();
    rec.track('view', { itemId: 'A' });
    const r = await rec[name]({ k: 3, exclude: ['B'] });
    expect(r).toMatchObject({ source: 'history', items: [{ itemId: 'A' }] });
    expect(rt.asked).toEqual([`${name} {"k":3,"exclude":["B"]}`]);
  });

  test('without consent the runtime is not asked: empty, no-consent; after consent it is', async () => {
    const { rec, rt } = setup({}, 'pending');
    expect(await rec[name]()).toEqual({ items: [], source: 'fallback', fallbackReason: 'no-consent', tookMs: 0 });
    expect(rt.asked).toEqual([]);
    rec.setConsent('granted');
    rec.track('view', { itemId: 'A' });
    expect((await rec[name]()).items.map((i) => i.itemId)).toEqual(['A']);
    expect(rt.asked).toEqual([`${name} undefined`]); // no options: the runtime fills in its defaults
  });

  test('no runtime (the default), or a runtime without the scenario: no-model; a failing one: error, reported', async () => {
    const none = createLocalRec({ appId: 'unit', consent: 'granted', store: new MemoryEventStore() });
    expect(await none[name]()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-model' });
    const { rec } = setup({ [name]: undefined });
    expect(await rec[name]()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-model' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failing = setup({
      [name]: async () => {
        throw new LocalRecError('WORKER_CRASHED', 'worker died');
      },
    });
    expect(await failing.rec[name]()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'error' });
    expect(failing.errors.map((e) => e.code)).toEqual(['WORKER_CRASHED']);
    warn.mockRestore();
  });
});

// frequentlyBoughtTogether / trending: answered from tables (associations, the trending file), so
// asked without consent too — but then told to read no history (`personalise: false`, and
// `excludePurchased: false`).
describe('frequentlyBoughtTogether / trending / trendingFacets', () => {
  const table = (asked: string[]) => ({
    frequentlyBoughtTogether: async (items: string | readonly string[], o?: RecommendOptions): Promise<RecommendResult> => {
      asked.push(`fbt ${JSON.stringify(items)} ${JSON.stringify(o)}`);
      return { items: [], source: 'model', tookMs: 0 };
    },
    trending: async (o?: RecommendOptions): Promise<RecommendResult> => {
      asked.push(`trending ${JSON.stringify(o)}`);
      return { items: [], source: 'model', tookMs: 0 };
    },
    trendingFacets: async (attribute: string) => ({
      attribute,
      values: [{ value: 'Shoes', shoppers: 9 }],
      source: 'trending' as const,
      attributes: [attribute],
      tookMs: 0,
    }),
  });

  test('forwards the arguments by name; without consent with personalise: false (the runtime then reads no history)', async () => {
    const asked: string[] = [];
    const { rec } = setup(table(asked), 'pending');
    await rec.frequentlyBoughtTogether(['A', 'B'], { k: 2 });
    await rec.trending({ facet: { attribute: 'category', value: 'Shoes' } });
    rec.setConsent('granted');
    await rec.frequentlyBoughtTogether('A');
    await rec.trending();
    expect(asked).toEqual([
      'fbt ["A","B"] {"k":2,"personalise":false,"excludePurchased":false}',
      'trending {"facet":{"attribute":"category","value":"Shoes"},"personalise":false,"excludePurchased":false}',
      'fbt "A" undefined',
      'trending undefined',
    ]);
    expect((await rec.trendingFacets('category')).values).toEqual([{ value: 'Shoes', shoppers: 9 }]);
  });

  test('never reject: no runtime → no-model / no-trending; a failing runtime → error, reported', async () => {
    const none = createLocalRec({ appId: 'unit', consent: 'granted', store: new MemoryEventStore() });
    expect(await none.frequentlyBoughtTogether('A')).toMatchObject({ items: [], fallbackReason: 'no-model' });
    expect(await none.trending()).toMatchObject({ items: [], fallbackReason: 'no-model' });
    expect(await none.trendingFacets('brand')).toEqual({
      attribute: 'brand',
      values: [],
      source: 'fallback',
      fallbackReason: 'no-trending',
      attributes: [],
      tookMs: 0,
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const boom = async (): Promise<never> => {
      throw new LocalRecError('INVALID_ARGUMENT', 'bad items', { field: 'items' });
    };
    const failing = setup({ frequentlyBoughtTogether: boom, trendingFacets: boom });
    expect(await failing.rec.frequentlyBoughtTogether([])).toMatchObject({ fallbackReason: 'error' });
    expect(await failing.rec.trendingFacets('x')).toMatchObject({ values: [], fallbackReason: 'no-trending' });
    expect(failing.errors.map((e) => e.code)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    warn.mockRestore();
  });
});

// forSearch: a catalogue match needs no history, so it is asked without consent too (like the
// table scenarios); next: forwards the cursor of the answer it continues, by the rules of the
// list's method (no consent: history-only lists answer no-consent, the others read no history).
describe('forSearch / next', () => {
  const cursor = (method: string, page: number, options: RecommendOptions = {}) => ({ method, args: [], options, page, returned: ['A'] });
  const lists = (asked: string[]) => ({
    forSearch: async (query: string, o?: RecommendOptions): Promise<RecommendResult> => {
      asked.push(`forSearch ${JSON.stringify(query)} ${JSON.stringify(o)}`);
      return { items: [], source: 'model', tookMs: 0, list: { ...cursor('forSearch', 0), args: [query] } as never };
    },
    next: async (previous: { list?: unknown }, o?: RecommendOptions): Promise<RecommendResult> => {
      asked.push(`next ${JSON.stringify(previous)} ${JSON.stringify(o)}`);
      const l = previous.list as ReturnType<typeof cursor>;
      return {
        items: [{ itemId: 'B', score: 1, source: 'model', reason: { kind: 'history', text: '' } }],
        source: 'model',
        tookMs: 0,
        list: { ...l, page: l.page + 1 } as never,
      };
    },
  });

  test('forSearch forwards the query and options; without consent with personalise: false', async () => {
    const asked: string[] = [];
    const { rec } = setup(lists(asked), 'pending');
    await rec.forSearch('red shoes', { k: 4 });
    rec.setConsent('granted');
    const r = await rec.forSearch('red shoes');
    expect(r.list).toMatchObject({ method: 'forSearch', args: ['red shoes'] });
    expect(asked).toEqual([
      'forSearch "red shoes" {"k":4,"personalise":false,"excludePurchased":false}',
      'forSearch "red shoes" undefined',
    ]);
  });

  test("next sends only the cursor (and its options), answers the runtime's next page", async () => {
    const asked: string[] = [];
    const { rec } = setup(lists(asked));
    const first = {
      items: [{ itemId: 'A' }],
      source: 'model',
      tookMs: 0,
      list: cursor('recommend', 0, { k: 1 }),
    } as unknown as RecommendResult;
    const second = await rec.next(first);
    expect(second.list).toMatchObject({ method: 'recommend', page: 1 });
    await rec.next(second, { hydrate: false });
    expect(asked).toEqual([
      `next ${JSON.stringify({ list: first.list })} undefined`,
      `next ${JSON.stringify({ list: second.list })} {"hydrate":false}`,
    ]);
  });

  test('without consent: a history-only list answers no-consent keeping its cursor; the others are asked reading no history', async () => {
    const asked: string[] = [];
    const { rec } = setup(lists(asked), 'pending');
    const recent = cursor('recentlyViewed', 0);
    expect(await rec.next({ items: [], source: 'history', tookMs: 0, list: recent } as never)).toEqual({
      items: [],
      source: 'fallback',
      fallbackReason: 'no-consent',
      tookMs: 0,
      list: recent,
    });
    expect(await rec.next({ items: [], source: 'fallback', tookMs: 0, list: cursor('recommend', 2) } as never)).toMatchObject({
      fallbackReason: 'no-consent',
      list: { page: 2 },
    });
    expect(asked).toEqual([]);
    await rec.next({ items: [], source: 'model', tookMs: 0, list: cursor('similar', 0) } as never);
    expect(asked).toEqual([`next ${JSON.stringify({ list: cursor('similar', 0) })} {"personalise":false,"excludePurchased":false}`]);
  });

  test('an empty answer the SDK made (no consent) continues as itself; another answer without a list is refused by the runtime, reported', async () => {
    const asked: string[] = [];
    const { rec, errors } = setup(
      {
        ...lists(asked),
        next: async (previous: { list?: unknown }) => {
          asked.push('next');
          if (!previous?.list) throw new LocalRecError('INVALID_ARGUMENT', 'next expects an answer of a list method', { field: 'list' });
          return { items: [], source: 'model', tookMs: 0 };
        },
      },
      'pending',
    );
    const empty = await rec.recommend();
    expect(await rec.next(empty)).toBe(empty);
    rec.setConsent('granted');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const ranked = await rec.rank(['A', 'B']);
    expect(await rec.next(ranked)).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'error' });
    expect(errors.map((e) => [e.code, e.field])).toEqual([['INVALID_ARGUMENT', 'list']]);
    expect(asked).toEqual(['next']);
    warn.mockRestore();
  });

  test('a failing runtime keeps the cursor on the fallback (a later next asks that page again); no runtime: no-model', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failing = setup({
      next: async () => {
        throw new LocalRecError('WORKER_CRASHED', 'worker died');
      },
    });
    const list = cursor('trending', 1);
    expect(await failing.rec.next({ items: [], source: 'model', tookMs: 0, list } as never)).toMatchObject({
      fallbackReason: 'error',
      list,
    });
    const none = createLocalRec({ appId: 'unit', consent: 'granted', store: new MemoryEventStore() });
    expect(await none.next({ items: [], source: 'model', tookMs: 0, list } as never)).toMatchObject({ fallbackReason: 'no-model', list });
    expect(await none.forSearch('x')).toMatchObject({ items: [], fallbackReason: 'no-model' });
    warn.mockRestore();
  });
});
