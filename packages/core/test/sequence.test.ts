import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventType, StoredEvent } from '../src/events.js';
import { MemoryEventStore } from '../src/memory-store.js';
import { extendSequence, recentSequence } from '../src/sequence.js';

let seq = 0;
function ev(type: EventType, itemId: string | undefined, ts: number, extra: Partial<StoredEvent> = {}): StoredEvent {
  seq++;
  const e: StoredEvent = { uid: `u${seq}`, seq, type, ts, sessionId: 's', data: {}, ...extra };
  if (itemId !== undefined) e.itemId = itemId;
  return e;
}

describe('recentSequence', () => {
  it('orders by time, collapses consecutive repeats, keeps non-consecutive ones', () => {
    const events = [ev('view', 'A', 1), ev('click', 'A', 2), ev('add_to_cart', 'A', 3), ev('view', 'B', 4), ev('view', 'A', 5)];
    const s = recentSequence(events);
    expect(s.map((e) => e.itemId)).toEqual(['A', 'B', 'A']);
    expect(s[0]).toMatchObject({ type: 'add_to_cart', ts: 3, count: 3 });
  });

  it('labels a run with its strongest type, whatever the order', () => {
    const s = recentSequence([ev('purchase', 'A', 1), ev('view', 'A', 2)]);
    expect(s).toEqual([expect.objectContaining({ itemId: 'A', type: 'purchase', ts: 2, count: 2 })]);
  });

  it('leaves out impressions, searches, remove_from_cart, custom types, item-less and flagged events', () => {
    const s = recentSequence([
      ev('impression', undefined, 1, { data: { items: ['X'] } }),
      ev('search', undefined, 2, { data: { query: 'q' } }),
      ev('view', 'A', 3),
      ev('remove_from_cart', 'B', 4),
      ev('shop:wish', 'C', 5),
      ev('view', 'D', 6, { flags: ['burst'] }),
      ev('view', 'E', 7),
    ]);
    expect(s.map((e) => e.itemId)).toEqual(['A', 'E']);
  });

  it('sorts unordered input by ts then seq', () => {
    const a = ev('view', 'A', 10);
    const b = ev('view', 'B', 5);
    const c = ev('view', 'C', 10);
    expect(recentSequence([c, a, b]).map((e) => e.itemId)).toEqual(['B', 'A', 'C']);
  });

  it('keeps the last maxLen entries and honours custom types', () => {
    const events = Array.from({ length: 10 }, (_, i) => ev('view', `I${i}`, i));
    expect(recentSequence(events, { maxLen: 3 }).map((e) => e.itemId)).toEqual(['I7', 'I8', 'I9']);
    expect(recentSequence(events, { maxLen: 0 })).toEqual([]);
    expect(recentSequence([ev('shop:wish', 'W', 1)], { types: ['shop:wish'] }).map((e) => e.itemId)).toEqual(['W']);
  });

  it('reading a store gives the same answer as the array form, also when runs cross page boundaries', async () => {
    const store = new MemoryEventStore();
    const events = [];
    for (let i = 0; i < 1000; i++) {
      const item = `I${Math.floor(i / 7) % 13}`; // runs of 7 events on the same item
      events.push(ev(i % 5 === 0 ? 'impression' : i % 3 === 0 ? 'click' : 'view', i % 5 === 0 ? undefined : item, i));
    }
    await store.append(events);
    const all = await store.query();
    for (const maxLen of [1, 5, 50, 500]) {
      expect(await recentSequence(store, { maxLen })).toEqual(recentSequence(all, { maxLen }));
    }
  });
});

describe('extendSequence', () => {
  it('continuing a previous answer with later events equals the rule over all events, counts included (property)', () => {
    const types: EventType[] = ['view', 'click', 'purchase', 'search'];
    const batch = fc.array(
      fc.record({ item: fc.integer({ min: 0, max: 3 }), type: fc.constantFrom(...types), dt: fc.integer({ min: 0, max: 2 }) }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(fc.array(batch, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 6 }), (batches, maxLen) => {
        let ts = 0;
        const all: StoredEvent[] = [];
        let prev = recentSequence([], { maxLen });
        for (const b of batches) {
          const events = b.map((x) => ev(x.type, x.type === 'search' ? undefined : `I${x.item}`, (ts += x.dt)));
          all.push(...events);
          prev = extendSequence(prev, events, { maxLen });
          expect(prev).toEqual(recentSequence(all, { maxLen }));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the previous answer unchanged', () => {
    const prev = recentSequence([ev('view', 'A', 1), ev('click', 'A', 2)]);
    const copy = structuredClone(prev);
    expect(extendSequence(prev, [ev('purchase', 'A', 3)])).toEqual([
      { itemId: 'A', type: 'purchase', ts: 3, seq: expect.any(Number), count: 3 },
    ]);
    expect(prev).toEqual(copy);
  });
});
