import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MemoryEventStore, recentSequence, type EventStore } from '@localrec/core';
import { IndexedDbEventReader, IndexedDbEventStore } from '@localrec/store-idb';
import { ShopperReader, readPurchased } from '../src/history.js';
import { ev } from './fixture.js';

/** What a reader with no memory would answer. */
async function truth(store: EventStore, maxLen: number) {
  return { sequence: await recentSequence(store, { maxLen }), purchased: await readPurchased(store) };
}

/**
 * Random appends (some back-dated, some repeating the last item, some purchases), cap and
 * retention prunes and erases by a writer; after each, the reader's answer must equal a full read.
 */
async function randomHistories(stores: () => { writer: EventStore; store: EventStore }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          {
            weight: 6,
            arbitrary: fc.record({
              op: fc.constant('append' as const),
              n: fc.integer({ min: 1, max: 3 }),
              item: fc.integer({ min: 0, max: 5 }),
              back: fc.integer({ min: -1, max: 20 }),
              buy: fc.boolean(),
            }),
          },
          { weight: 1, arbitrary: fc.record({ op: fc.constant('cap' as const), keep: fc.integer({ min: 0, max: 8 }) }) },
          { weight: 1, arbitrary: fc.record({ op: fc.constant('retention' as const), age: fc.integer({ min: 0, max: 30 }) }) },
          { weight: 1, arbitrary: fc.record({ op: fc.constant('read' as const) }) },
          { weight: 1, arbitrary: fc.constant({ op: 'erase' as const }) },
        ),
        { maxLength: 14 },
      ),
      async (ops) => {
        const { writer, store } = stores();
        const reader = new ShopperReader(store);
        let clock = 100;
        try {
          for (const o of ops) {
            if (o.op === 'append') {
              clock += 1;
              // back = -1: "now"; otherwise an event dated `back` ticks before now (0 = the same time as the last).
              await writer.append(
                Array.from({ length: o.n }, (_, i) =>
                  ev(o.buy && i === 0 ? 'purchase' : 'view', `i${(o.item + i) % 6}`, o.back < 0 ? clock : clock - o.back),
                ),
              );
            } else if (o.op === 'cap') await writer.prune({ retentionMs: 1e9, maxEvents: o.keep, now: clock });
            else if (o.op === 'retention') await writer.prune({ retentionMs: o.age, maxEvents: 1e6, now: clock });
            else if (o.op === 'erase') await writer.destroy();
            expect(await reader.read(5)).toEqual(await truth(writer, 5));
          }
        } finally {
          await writer.destroy();
          writer.close();
          store.close();
        }
      },
    ),
    { numRuns: 150 },
  );
}

describe('ShopperReader: reuses, extends or re-reads, never stale', () => {
  it('matches a full read after appends, repeats, purchases, back-dated events, deletions and forget', async () => {
    const store = new MemoryEventStore();
    const reader = new ShopperReader(store);
    const check = async () => expect(await reader.read(4)).toEqual(await truth(store, 4));
    await check(); // empty
    await store.append([ev('view', 'a', 10), ev('view', 'b', 11)]);
    await check(); // first read
    await check(); // unchanged: reused
    await store.append([ev('view', 'b', 12), ev('add_to_cart', 'b', 13)]); // collapses into the last entry
    await check();
    await store.append([ev('view', 'c', 14), ev('purchase', 'd', 15), ev('view', 'e', 16), ev('view', 'f', 17)]); // window slides
    await check();
    await store.append([ev('view', 'z', 5)]); // back-dated: not after the newest seen
    await check();
    await store.prune({ retentionMs: 1e9, maxEvents: 3, now: 100 }); // deletions
    await check();
    await store.destroy(); // forget
    await check();
    await store.append([ev('view', 'q', 20)]);
    await check();
  });

  it('never differs from a full read over random appends, prunes and erases (property; count + time-range check)', () =>
    randomHistories(() => {
      const store = new MemoryEventStore();
      return { writer: store, store };
    }));
});

describe('ShopperReader over the IndexedDB reader (tail(): oldest event + events after the highest key, no count)', () => {
  it('matches a full read after appends, repeats, purchases, back-dated events, cap and retention deletions and forget', async () => {
    const appId = `history-idb-${Math.random().toString(36).slice(2)}`;
    const writer = new IndexedDbEventStore({ appId }); // another tab
    const store = new IndexedDbEventReader({ appId }); // the worker's
    const counted = vi.spyOn(store, 'count');
    const reader = new ShopperReader(store);
    const check = async () => expect(await reader.read(4)).toEqual(await truth(writer, 4));
    await check(); // no database yet
    await writer.append([ev('view', 'a', 10), ev('purchase', 'p', 11), ev('view', 'b', 12)]);
    await check(); // first read
    await check(); // unchanged: reused
    await writer.append([ev('view', 'b', 13), ev('add_to_cart', 'b', 14)]);
    await check();
    await writer.append([ev('view', 'c', 15), ev('purchase', 'd', 16), ev('view', 'e', 17), ev('view', 'f', 17)]); // same ts as the one before
    await check();
    await writer.append([ev('view', 'z', 5)]); // back-dated: stored after every key, older than everything
    await check();
    await check();
    await writer.append([ev('view', 'y', 12)]); // back-dated, not the oldest
    await check();
    await writer.prune({ retentionMs: 1e9, maxEvents: 6, now: 100 }); // the cap deletes the oldest (z, a, p, …): the purchase of p is forgotten
    await check();
    await writer.prune({ retentionMs: 85, maxEvents: 100, now: 100 }); // retention: ts < 15 deleted
    await check();
    await writer.append([ev('view', 'g', 30)]);
    await check();
    await writer.destroy(); // forget, in the other tab
    await check();
    await writer.append([ev('view', 'q', 40)]);
    await check();
    expect(counted).not.toHaveBeenCalled();
    writer.close();
    store.close();
  });

  it('never differs from a full read over random appends (some back-dated, some repeats), prunes and erases (property)', () =>
    randomHistories(() => {
      const appId = `history-prop-${Math.random().toString(36).slice(2)}`;
      return { writer: new IndexedDbEventStore({ appId }), store: new IndexedDbEventReader({ appId }) };
    }));
});
