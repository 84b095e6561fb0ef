/**
 * The store's byte accounting (src/bytes.ts) against the real measure: what a chunk is accounted
 * as must be exactly `entryBytes(key, events)` — the UTF-8 key plus the JSON text the storage gets.
 */
import { describe, expect, it } from 'vitest';
import { LocalRecError, type StoredEvent } from '@localrec/core';
import { ChunkBytes } from '../src/bytes.js';
import { StoreKeys, describeChunk, emptyIndex } from '../src/layout.js';
import { entryBytes } from '../src/size.js';

const keys = new StoreKeys('bytes-test');
const CHUNK = 2048;

function events(count: number, from = 1): StoredEvent[] {
  return Array.from({ length: count }, (_, k) => ({
    uid: `u-${from + k}`,
    seq: from + k,
    type: 'view',
    ts: 1_700_000_000_000 + (from + k) * 1000,
    sessionId: 's',
    itemId: `商品-${(from + k) % 7}`, // multi-byte UTF-8
    data: { dwellMs: k * 37, note: 'x'.repeat((k * 13) % 120) },
  }));
}

describe('ChunkBytes', () => {
  const bytes = new ChunkBytes(keys, CHUNK);

  it('packs events into chunks whose accounted size is the real entry size and at most chunkBytes', () => {
    const segments = bytes.pack(events(60));
    expect(segments.length).toBeGreaterThan(3);
    expect(segments.flatMap((s) => s.events.map((e) => e.seq))).toEqual(events(60).map((e) => e.seq));
    segments.forEach((s, i) => {
      const id = 1000 + i;
      expect(bytes.written(id, s)).toBe(entryBytes(keys.chunk(id), s.events));
      expect(bytes.written(id, s)).toBeLessThanOrEqual(CHUNK);
    });
  });

  it('a kept chunk has the payload size it was packed with, and merging keeps the sizes exact', () => {
    const packed = new ChunkBytes(keys, 600).pack(events(20));
    const kept = packed.map((s, i) => bytes.keep(describeChunk(i + 1, s.events, bytes.written(i + 1, s)), s.events));
    expect(kept.map((s) => s.bytes)).toEqual(packed.map((s) => s.bytes));
    const merged = bytes.merge(kept);
    expect(merged.length).toBeLessThan(kept.length);
    merged.forEach((s, i) => {
      expect(bytes.written(i + 1, s)).toBe(entryBytes(keys.chunk(i + 1), s.events));
      expect(bytes.written(i + 1, s)).toBeLessThanOrEqual(CHUNK);
    });
  });

  it('counts the new segments of a plan, and the store as its chunks plus its index', () => {
    const [a, b] = bytes.pack(events(30));
    const ref = describeChunk(7, a!.events, bytes.written(7, a!));
    const plan = [bytes.keep(ref, a!.events), b!];
    expect(bytes.added(plan, 8)).toBe(entryBytes(keys.chunk(8), b!.events) + 1);
    const idx = { ...emptyIndex(), chunks: [ref] };
    expect(bytes.own(idx)).toBe(ref.bytes + entryBytes(keys.index, idx));
  });

  it('evicts the fewest oldest chunks that make room, or says nothing can', () => {
    const refs = [100, 200, 300].map((b, i) => ({ ...describeChunk(i + 1, [], b), bytes: b }));
    const budget = { storeBytes: 1000, totalBytes: 10_000, othersBytes: 0 };
    expect(bytes.evictions(refs, 600, 400, budget)).toBe(0);
    expect(bytes.evictions(refs, 600, 450, budget)).toBe(1);
    expect(bytes.evictions(refs, 600, 650, budget)).toBe(2);
    expect(bytes.evictions(refs, 600, 1001, budget)).toBeUndefined();
    // The app-wide limit counts too.
    expect(bytes.evictions(refs, 600, 400, { ...budget, totalBytes: 1150, othersBytes: 300 })).toBe(2);
  });

  it('refuses an event that cannot fit a chunk alone, naming the limit', () => {
    const [big] = events(1);
    big!.sessionId = 'y'.repeat(CHUNK);
    const err = (() => {
      try {
        bytes.pack([big!]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LocalRecError);
    expect((err as LocalRecError).code).toBe('PAYLOAD_TOO_LARGE');
    expect((err as LocalRecError).message).toMatch(/one event must fit a chunk of \d+ bytes/);
  });
});
