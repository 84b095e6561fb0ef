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
// asked without consent too — but then told to read no history (`personalise: false`).
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
      'fbt ["A","B"] {"k":2,"personalise":false}',
      'trending {"facet":{"attribute":"category","value":"Shoes"},"personalise":false}',
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
