/**
 * The degraded case: the SDK records into its in-memory store (IndexedDB failed), which the
 * runtime (worker) cannot read. The connector reads the history on the page (`pageHistory`) and
 * passes it with the call; the runtime answers from the model with it.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRecError, MemoryEventStore, recentSequence, type EventStore } from '@localrec/core';
import { NO_ABNORMAL_RULES } from '@localrec/insights';
import { IndexedDbEventReader, IndexedDbEventStore } from '@localrec/store-idb';
import type { Runtime } from '../src/runtime.js';
import { INDEXEDDB_KIND, PAGE_HISTORY_MAX_LEN, pageHistory } from '../src/connector.js';
import type { RuntimeOptions } from '../src/api.js';
import { ev, idOf, makeTinyBundle, tinyRuntime, type TinyBundle } from './fixture.js';

let tiny: TinyBundle;
beforeAll(async () => {
  tiny = await makeTinyBundle();
}, 120_000);
afterAll(() => {
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

/** What the worker sees when IndexedDB throws: every read fails. */
function brokenStore(): EventStore {
  const fail = async (): Promise<never> => {
    throw new LocalRecError('STORAGE_UNAVAILABLE', 'IndexedDB is disabled (test)');
  };
  const s = new MemoryEventStore();
  return Object.assign(Object.create(s) as EventStore, {
    kind: 'indexeddb',
    query: fail,
    count: fail,
    getMeta: fail,
    setMeta: fail,
    append: fail,
  });
}

async function runtime(store: EventStore, opts: Partial<RuntimeOptions> = {}): Promise<Runtime> {
  return tinyRuntime(tiny, store, opts);
}

/** The page's memory store with a few views and one purchase. */
async function memoryHistory(): Promise<MemoryEventStore> {
  const mem = new MemoryEventStore();
  await mem.append([ev('purchase', idOf(33), 500), ...[30, 31, 32, 30, 34].map((r, i) => ev('view', idOf(r), 1000 + i))]);
  return mem;
}

describe('pageHistory (connector, main thread)', () => {
  it("reads the memory store with the runtime's rule; nothing for IndexedDB, no consent, no store or a failing store", async () => {
    const mem = await memoryHistory();
    const c = await pageHistory({ store: mem, consent: 'granted' });
    expect(c?.history?.sequence).toEqual(await recentSequence(mem, { maxLen: PAGE_HISTORY_MAX_LEN }));
    expect(c?.history?.sequence.map((e) => e.itemId)).toEqual([33, 30, 31, 32, 30, 34].map(idOf));
    expect(c?.history?.purchased).toEqual([idOf(33)]);
    // The IndexedDB store the runtime reads itself: nothing crosses.
    const idb = new IndexedDbEventStore({ appId: 'x' });
    expect(idb.kind).toBe(INDEXEDDB_KIND);
    expect(new IndexedDbEventReader({ appId: 'x' }).kind).toBe(INDEXEDDB_KIND);
    expect(await pageHistory({ store: idb, consent: 'granted' })).toBeUndefined();
    expect(await pageHistory({ store: mem, consent: 'pending' })).toBeUndefined();
    expect(await pageHistory({ consent: 'granted' })).toBeUndefined();
    const failing = Object.assign(Object.create(mem) as EventStore, {
      kind: 'memory',
      query: async () => {
        throw new Error('x');
      },
    });
    expect(await pageHistory({ store: failing, consent: 'granted' })).toBeUndefined();
  });
});

describe('runtime with a page history (the worker cannot read the store)', () => {
  it("answers recommend / rank / similar from the model with the page's history, as if it had read that store itself", async () => {
    const mem = await memoryHistory();
    const call = await pageHistory({ store: mem, consent: 'granted' });
    const worker = await runtime(brokenStore());
    const direct = await runtime(mem); // the reference: a runtime that reads the same store itself
    try {
      const without = await worker.recommend({ k: 5 });
      expect(without).toMatchObject({ source: 'fallback', fallbackReason: 'error' });

      const r = await worker.recommend({ k: 5 }, call);
      const want = await direct.recommend({ k: 5 });
      expect(r.source).toBe('model');
      expect(r.items.map((i) => i.itemId)).toEqual(want.items.map((i) => i.itemId));
      for (const [i, it] of r.items.entries()) expect(it.score).toBeCloseTo(want.items[i]!.score, 5);
      expect(r.items.map((i) => i.reason)).toEqual(want.items.map((i) => i.reason));
      // History and the purchase are masked.
      for (const id of [30, 31, 32, 33, 34].map(idOf)) expect(r.items.map((i) => i.itemId)).not.toContain(id);

      const cands = [40, 35, 'unknown', 36, 33].map((x) => (typeof x === 'number' ? idOf(x) : x));
      const rk = await worker.rank(cands, { excludePurchased: true }, call);
      expect(rk.source).toBe('model');
      expect(rk.items.map((i) => i.itemId)).toEqual((await direct.rank(cands, { excludePurchased: true })).items.map((i) => i.itemId));
      expect(rk.items.map((i) => i.itemId)).not.toContain(idOf(33));

      const sim = await worker.similar(idOf(50), { k: 5 }, call);
      expect(sim.items.map((i) => i.itemId)).toEqual((await direct.similar(idOf(50), { k: 5 })).items.map((i) => i.itemId));

      // Without consent the page history is not used.
      await worker.setConsent('denied');
      expect(await worker.recommend({ k: 5 }, call)).toMatchObject({ source: 'fallback', fallbackReason: 'no-consent' });
    } finally {
      await worker.dispose();
      await direct.dispose();
    }
  });

  it("keeps the model's last maxLen entries of a longer page history (same as the store rule with maxLen)", async () => {
    const mem = new MemoryEventStore();
    await mem.append(Array.from({ length: 30 }, (_, i) => ev('view', idOf(1 + ((i * 7) % 100)), 1000 + i)));
    const worker = await runtime(brokenStore());
    // 30 views 1 ms apart are a burst, which the store path leaves out of the model input by default (the page path has no filter).
    const direct = await runtime(mem, { insights: { rank: false, abnormal: NO_ABNORMAL_RULES } });
    try {
      const call = await pageHistory({ store: mem, consent: 'granted' });
      expect(call!.history!.sequence.length).toBe(30); // the model's maxLen is 10
      const a = await worker.recommend({ k: 8, excludePurchased: false }, call);
      const b = await direct.recommend({ k: 8, excludePurchased: false });
      expect(a.source).toBe('model');
      expect(a.items.map((i) => i.itemId)).toEqual(b.items.map((i) => i.itemId));
    } finally {
      await worker.dispose();
      await direct.dispose();
    }
  });

  it('with the insights ranking step on, still answers from the model (the step keeps the model order when the store is unreadable)', async () => {
    const mem = await memoryHistory();
    const worker = await runtime(brokenStore(), { insights: {} });
    try {
      const r = await worker.recommend({ k: 5 }, await pageHistory({ store: mem, consent: 'granted' }));
      expect(r.source).toBe('model');
      expect(r.items).toHaveLength(5);
      expect(r.items.every((i) => i.reason.kind === 'history')).toBe(true);
    } finally {
      await worker.dispose();
    }
  });

  it('refuses a malformed page history, naming the field', async () => {
    const worker = await runtime(brokenStore());
    try {
      await expect(worker.recommend({}, { history: { sequence: [{ itemId: 3 }], purchased: [] } as never })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        field: 'history.sequence',
        message: expect.stringContaining('got an object at [0]') as unknown,
      });
      await expect(worker.rank([idOf(1)], {}, { history: { sequence: [], purchased: [1] } as never })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        field: 'history.purchased',
        message: expect.stringContaining('got 1 at [0]') as unknown,
      });
    } finally {
      await worker.dispose();
    }
  });
});
