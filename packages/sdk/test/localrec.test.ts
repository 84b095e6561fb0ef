// createLocalRec in Node against the core's MemoryEventStore, with a stand-in runtime that reads
// the same backing (as the worker reads the same IndexedDB database). Real IndexedDB, the built
// bundles and the snippet are tested in Chromium (test/e2e).
import { describe, expect, test, vi } from 'vitest';
import { LocalRecError, MemoryBacking, MemoryEventStore, recentSequence, type ItemMeta, type RecommendOptions } from '@localrec/core';
import { createLocalRec, noRuntime, type LocalRecConfigInput, type RecommenderApi, type RuntimeConnector } from '../src/index.js';
import type { ConnectContext } from '../src/connector.js';

/** A runtime that "recommends" the shopper's recent items, newest first, read from the store itself. */
function fakeRuntime(backing: MemoryBacking) {
  const calls: string[] = [];
  const catalogs: Array<Readonly<Record<string, ItemMeta>>> = [];
  const contexts: ConnectContext[] = [];
  const store = new MemoryEventStore({ backing });
  const fromHistory = async (tag: string) => {
    calls.push(tag);
    await store.open();
    const seq = await recentSequence(store);
    return {
      items: seq.reverse().map((e, i) => ({
        itemId: e.itemId,
        score: 100 - i,
        reason: { kind: 'history' as const, text: `because of ${e.itemId}` },
        source: 'model' as const,
      })),
      source: 'model' as const,
      tookMs: 0,
    };
  };
  const api: RecommenderApi = {
    status: async () => ({ ready: true, backend: 'fake', modelVersion: 't1' }),
    recommend: async () => fromHistory('recommend'),
    similar: async (id: string, o: RecommendOptions) => fromHistory(`similar ${id} excludePurchased=${String(o.excludePurchased)}`),
    rank: async (ids: readonly string[]) => fromHistory(`rank ${ids.join(',')}`),
    setCatalog: async (items) => {
      catalogs.push(items);
    },
    dispose: vi.fn(),
  };
  const connector: RuntimeConnector = {
    kind: 'fake',
    connect: vi.fn(async (ctx: ConnectContext) => {
      contexts.push(ctx);
      return api;
    }),
  };
  return { connector, api, calls, catalogs, contexts };
}

function setup(extra: Partial<LocalRecConfigInput> = {}) {
  const backing = new MemoryBacking();
  const errors: LocalRecError[] = [];
  const rt = fakeRuntime(backing);
  const rec = createLocalRec({
    appId: 'unit',
    consent: 'granted',
    store: new MemoryEventStore({ backing }),
    runtime: rt.connector,
    onError: (e) => errors.push(e),
    ...extra,
  });
  return { rec, backing, errors, rt };
}

describe('track()', () => {
  test('never throws into the page: invalid events go to onError (and the console), store nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { rec, backing, errors } = setup();
    expect(rec.track('teleport', { itemId: 'X' })).toBeUndefined();
    expect(rec.track('rate', { itemId: 'X', rating: 7 })).toBeUndefined();
    expect(rec.track('view', null as never)).toBeUndefined();
    await rec.flush();
    expect(backing.events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['INVALID_EVENT', 'INVALID_EVENT', 'INVALID_EVENT']);
    expect(errors[1]!.field).toContain('rating');
    expect(rec.status.lastError?.code).toBe('INVALID_EVENT');
    expect(warn).toHaveBeenCalledTimes(3);
    expect(rec.track('view', { itemId: 'OK' })?.itemId).toBe('OK');
    await rec.flush();
    expect(backing.events.map((e) => e.itemId)).toEqual(['OK']);
    warn.mockRestore();
  });

  test('strict mode throws the typed error', () => {
    const { rec } = setup({ strict: true });
    expect(() => rec.track('rate', { itemId: 'X', rating: 0 })).toThrow(LocalRecError);
  });

  test('a rate-limit flood is reported to onError every time but warned once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { rec, errors } = setup({ rateLimit: { perSecond: 1, burst: 2 } });
    for (let i = 0; i < 10; i++) rec.track('view', { itemId: `R-${i}` });
    expect(errors.filter((e) => e.code === 'RATE_LIMITED')).toHaveLength(8);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  test('a throwing onError does not break recording', async () => {
    const backing = new MemoryBacking();
    const rec = createLocalRec({
      appId: 'unit',
      store: new MemoryEventStore({ backing }),
      onError: () => {
        throw new Error('host bug');
      },
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(rec.track('nope', {})).toBeUndefined();
    rec.track('view', { itemId: 'A' });
    await rec.flush();
    expect(backing.events).toHaveLength(1);
    warn.mockRestore();
  });
});

describe('config', () => {
  test('bad SDK options name the field and the accepted values', () => {
    const bad = (c: object) => {
      try {
        createLocalRec({ appId: 'unit', ...c });
        return undefined;
      } catch (e) {
        return e as LocalRecError;
      }
    };
    expect(bad({ strict: 'yes' })).toMatchObject({ code: 'INVALID_CONFIG', field: 'strict' });
    expect(bad({ runtime: {} })).toMatchObject({ code: 'INVALID_CONFIG', field: 'runtime' });
    expect(bad({ onError: 1 })).toMatchObject({ code: 'INVALID_CONFIG', field: 'onError' });
    expect(bad({ consent: 'maybe' })).toMatchObject({ code: 'INVALID_CONFIG', field: 'consent' });
    expect(bad({ consent: 'maybe' })!.accepted).toEqual(['granted', 'denied', 'pending']);
  });
});

describe('recommendation seam', () => {
  test('the runtime sees the event tracked just before the call (flush first), no history is passed', async () => {
    const { rec, rt } = setup();
    rec.track('view', { itemId: 'A' });
    expect((await rec.recommend({ k: 5 })).items.map((i) => i.itemId)).toEqual(['A']);
    rec.track('click', { itemId: 'B' });
    expect((await rec.recommend()).items.map((i) => i.itemId)).toEqual(['B', 'A']);
    expect((await rec.rank(['B', 'A'])).source).toBe('model');
    expect(rt.calls).toEqual(['recommend', 'recommend', 'rank B,A']);
    // One connection, made eagerly, with the app id and the live consent.
    expect(rt.connector.connect).toHaveBeenCalledTimes(1);
    expect(rt.contexts[0]!.appId).toBe('unit');
    rec.setConsent('denied');
    expect(rt.contexts[0]!.consent).toBe('denied');
  });

  test('without consent, history-based calls never reach the runtime', async () => {
    const { rec, rt, backing } = setup({ requireConsent: true, consent: 'pending' });
    rec.track('view', { itemId: 'A' });
    expect(await rec.recommend()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-consent' });
    const ranked = await rec.rank(['X', 'Y']);
    expect(ranked).toMatchObject({ source: 'fallback', fallbackReason: 'no-consent' });
    expect(ranked.items.map((i) => i.itemId)).toEqual(['X', 'Y']);
    // Item-to-item still works, told not to read the history for exclusions.
    await rec.similar('A');
    expect(rt.calls).toEqual(['similar A excludePurchased=false']);
    expect(backing.events).toHaveLength(0);

    rec.setConsent('granted');
    expect((await rec.recommend()).items.map((i) => i.itemId)).toEqual(['A']);
  });

  test('a failing runtime never rejects: fallback with reason "error", onError told, next call retries connect', async () => {
    const errors: LocalRecError[] = [];
    let attempts = 0;
    const api: RecommenderApi = {
      status: async () => ({ ready: true }),
      recommend: async () => {
        throw new LocalRecError('WORKER_CRASHED', 'worker died');
      },
      similar: async () => ({ items: [], source: 'model', tookMs: 1 }),
      rank: async () => {
        throw new Error('boom');
      },
    };
    const flaky: RuntimeConnector = {
      kind: 'flaky',
      connect: async () => {
        attempts++;
        if (attempts === 1) throw new LocalRecError('MODEL_LOAD_FAILED', 'model 404');
        return api;
      },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const rec = createLocalRec({ appId: 'unit', store: new MemoryEventStore(), runtime: flaky, onError: (e) => errors.push(e) });
    await Promise.resolve();
    expect(await rec.recommend()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'error' });
    expect(await rec.rank(['P', 'Q'])).toMatchObject({
      source: 'fallback',
      fallbackReason: 'error',
      items: [{ itemId: 'P' }, { itemId: 'Q' }],
    });
    expect((await rec.similar('P')).source).toBe('model');
    expect(attempts).toBe(2);
    expect(errors.map((e) => e.code)).toEqual(['MODEL_LOAD_FAILED', 'WORKER_CRASHED', 'INTERNAL']);
    warn.mockRestore();
  });

  test('setCatalog reaches the runtime; runtimeStatus reports it', async () => {
    const { rec, rt } = setup();
    await rec.setCatalog({ A: { name: 'Kettle', inStock: true } });
    expect(rt.catalogs).toEqual([{ A: { name: 'Kettle', inStock: true } }]);
    expect(await rec.runtimeStatus()).toEqual({ ready: true, backend: 'fake', modelVersion: 't1' });
  });

  test('noRuntime answers an explicit cold start and says NOT_READY', async () => {
    const rec = createLocalRec({ appId: 'unit', store: new MemoryEventStore(), runtime: noRuntime });
    expect(await rec.recommend()).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-model' });
    expect((await rec.rank(['A', 'B'])).items.map((i) => i.itemId)).toEqual(['A', 'B']);
    expect((await rec.runtimeStatus()).error?.code).toBe('NOT_READY');
    expect(rec.status.runtime).toBe('none');
  });

  test('destroy() flushes, releases the runtime, and later calls are reported, not thrown', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { rec, rt, backing, errors } = setup();
    await rec.recommend();
    rec.track('view', { itemId: 'LAST' });
    await rec.destroy();
    expect(backing.events.map((e) => e.itemId)).toEqual(['LAST']);
    expect(rt.api.dispose).toHaveBeenCalledTimes(1);
    expect(rec.track('view', { itemId: 'AFTER' })).toBeUndefined();
    expect(await rec.recommend()).toMatchObject({ fallbackReason: 'error' });
    expect(errors.map((e) => e.code)).toContain('NOT_READY');
    expect(rec.status.destroyed).toBe(true);
    warn.mockRestore();
  });
});

describe('privacy', () => {
  test('forgetMe() erases and proves it; exportData() returns stored and pending events', async () => {
    const { rec, backing } = setup({ requireConsent: true, consent: 'granted' });
    rec.track('view', { itemId: 'A' });
    rec.track('search', { query: 'kettle' });
    const exported = await rec.exportData();
    expect(exported.events.map((e) => e.type)).toEqual(['view', 'search']);
    expect(exported.app).toBe('unit');
    expect(exported.pending).toEqual([]);
    const proof = await rec.forgetMe();
    expect(proof).toMatchObject({ verified: true, remainingEvents: 0, remainingDatabases: [] });
    expect(backing.events).toHaveLength(0);
  });

  test('answers computed before forgetMe() are dropped: calls in flight resolve with no history, later calls use the new runtime', async () => {
    const { rec, rt } = setup();
    rec.track('view', { itemId: 'A' });
    let release!: () => void;
    const held = new Promise<void>((ok) => {
      release = ok;
    });
    const answer = rt.api.recommend;
    const order = rt.api.rank;
    // The worker is busy answering from the old history.
    rt.api.recommend = async (o) => {
      await held;
      return answer(o);
    };
    rt.api.rank = async (ids, o) => {
      await held;
      return order(ids, o);
    };
    const inFlight = rec.recommend();
    const ranking = rec.rank(['X', 'Y']);
    await new Promise((ok) => setTimeout(ok, 0));
    const forgetting = rec.forgetMe();
    release();
    await forgetting;
    expect(await inFlight).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-history' });
    expect((await ranking).items.map((i) => i.itemId)).toEqual(['X', 'Y']); // the host's order
    rt.api.recommend = answer;
    rt.api.rank = order;
    rec.track('view', { itemId: 'B' });
    expect((await rec.recommend()).items.map((i) => i.itemId)).toEqual(['B']);
  });

  test('a call still writing its queued events when forgetMe() starts connects no new runtime (which would re-create caches after the erase)', async () => {
    const { rec, rt } = setup();
    await rec.recommend(); // connected once
    expect(rt.connector.connect).toHaveBeenCalledTimes(1);
    rec.track('view', { itemId: 'A' });
    const inFlight = rec.recommend(); // flushing A when the erase begins
    const similar = rec.similar('A');
    const forgetting = rec.forgetMe();
    const during = rec.recommend(); // asked while the erase runs (e.g. a list rendering): cold start, no runtime
    await forgetting;
    expect(await during).toMatchObject({ items: [], fallbackReason: 'no-history' });
    expect(await inFlight).toMatchObject({ items: [], fallbackReason: 'no-history' });
    expect(await similar).toMatchObject({ items: [], fallbackReason: 'no-history' });
    expect(rt.connector.connect).toHaveBeenCalledTimes(1);
    expect(rt.api.dispose).toHaveBeenCalledTimes(1);
    await rec.recommend(); // the next call after the erase connects a fresh runtime
    expect(rt.connector.connect).toHaveBeenCalledTimes(2);
  });
});
