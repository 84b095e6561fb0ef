// The retention window (core's withRetention) over the worker's read-only IndexedDbEventReader on
// fake-indexeddb: its one-transaction `tail()` — the runtime's freshness check — never reports an
// expired event as the oldest one, also when the window moves on without any write.
import 'fake-indexeddb/auto';
import { afterEach, expect, it } from 'vitest';
import { withRetention, type NewEvent } from '@localrec/core';
import { IndexedDbEventReader, IndexedDbEventStore } from '../src/index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);
const ev = (uid: string, ageDays: number): NewEvent => ({
  uid,
  type: 'view',
  ts: T0 - ageDays * DAY,
  sessionId: 's',
  itemId: uid,
  data: {},
});

let writer: IndexedDbEventStore | undefined;
afterEach(async () => {
  await writer?.destroy();
});

it('tail() through the window: the oldest event inside it, no expired row, and the window moving on by itself', async () => {
  writer = new IndexedDbEventStore({ appId: 'retention-tail' });
  await writer.append([ev('a40', 40), ev('b20', 20), ev('c5', 5)]);
  let now = T0;
  const reader = withRetention(new IndexedDbEventReader({ appId: 'retention-tail' }), { retentionMs: 30 * DAY, now: () => now });
  expect(typeof reader.tail).toBe('function');
  const t = await reader.tail!(0);
  expect(t.oldest?.uid).toBe('b20');
  expect(t.rows.map((e) => e.uid).sort()).toEqual(['b20', 'c5']);
  // A back-dated event written later (a row after the seq seen) that is already expired is not a row either.
  await writer.append([ev('z45', 45)]);
  expect((await reader.tail!(3)).rows).toEqual([]);
  now += 15 * DAY; // no write: b20 is 35 days old now
  const moved = await reader.tail!(0);
  expect(moved.oldest?.uid).toBe('c5');
  expect(moved.rows.map((e) => e.uid)).toEqual(['c5']);
  expect(await reader.count()).toBe(1);
  now += 30 * DAY; // everything expired
  expect(await reader.tail!(0)).toEqual({ rows: [] });
  expect(await reader.count()).toBe(0);
  expect(await writer.count()).toBe(4); // the reader deleted nothing
  reader.close();
});
