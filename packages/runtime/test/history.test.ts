import { describe, expect, it } from 'vitest';
import { MemoryEventStore, recentSequence, type EventStore } from '@localrec/core';
import { ShopperReader, readPurchased } from '../src/history.js';
import { ev } from './fixture.js';

/** What a reader with no memory would answer. */
async function truth(store: EventStore, maxLen: number) {
  return { sequence: await recentSequence(store, { maxLen }), purchased: await readPurchased(store) };
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
});
