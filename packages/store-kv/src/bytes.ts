/**
 * Byte accounting of the store's chunks — its one job: how many bytes a chunk, the index and the
 * whole store are accounted as, how events are cut into chunks of at most `chunkBytes`, and how
 * many of the oldest chunks must go for a change to fit. Sizes are `entryBytes` (size.ts): the
 * UTF-8 length of the key plus the JSON text of the value, never less than what WeChat counts.
 *
 * A {@link Segment} (a planned chunk) carries its payload size: the JSON length of each event
 * plus one separator per event. A chunk written from it takes `key + "[" + "]" + payload - 1`
 * bytes (n events have n - 1 commas), exactly `entryBytes(key, events)`, without building the
 * chunk's JSON text.
 */
import { LocalRecError, type StoredEvent } from '@localrec/core';
import type { ChunkRef, Index, StoreKeys } from './layout.js';
import { entryBytes, utf8Length } from './size.js';

/** A chunk being planned: either kept as it is (`ref`) or to be written from `events`. */
export interface Segment {
  events: StoredEvent[];
  /** Payload bytes: each event's JSON length + 1. */
  bytes: number;
  ref?: ChunkRef;
}

/** The space a change may use. */
export interface SpaceBudget {
  /** Most bytes this store may take (its `maxBytes`). */
  storeBytes: number;
  /** Bytes the app's storage may hold in all: its limit minus the reserve. */
  totalBytes: number;
  /** Bytes other keys of the app's storage take. */
  othersBytes: number;
}

/** Byte accounting for one store's keys and chunk size. */
export class ChunkBytes {
  /** Bytes of a chunk beyond its payload, with the key counted at its longest (a bounded id). */
  private readonly overhead: number;

  constructor(
    private readonly keys: StoreKeys,
    /** Target (and largest) accounted size of one chunk. */
    readonly chunkBytes: number,
  ) {
    this.overhead = utf8Length(keys.chunk(Number.MAX_SAFE_INTEGER)) + 2;
  }

  /** Accounted bytes of chunk `id` written from `s`. */
  written(id: number, s: Segment): number {
    return utf8Length(this.keys.chunk(id)) + 2 + s.bytes - Math.min(1, s.events.length);
  }

  /** Bytes that writing the new segments of `plan` adds, counting each key at the next chunk id. */
  added(plan: readonly Segment[], nextChunk: number): number {
    const key = utf8Length(this.keys.chunk(nextChunk)) + 2;
    return plan.reduce((sum, s) => (s.ref === undefined ? sum + s.bytes + key : sum), 0);
  }

  /** Bytes this store's chunks and index take. */
  own(idx: Index): number {
    return idx.chunks.reduce((s, c) => s + c.bytes, 0) + entryBytes(this.keys.index, idx);
  }

  /**
   * Splits events (in seq order) into segments of at most `chunkBytes`.
   * @throws {LocalRecError} `PAYLOAD_TOO_LARGE` for an event that does not fit a chunk alone.
   */
  pack(events: readonly StoredEvent[]): Segment[] {
    const out: Segment[] = [];
    let cur: StoredEvent[] = [];
    let curBytes = 0;
    for (const e of events) {
      const b = utf8Length(JSON.stringify(e)) + 1;
      if (this.overhead + b > this.chunkBytes) {
        const room = this.chunkBytes - this.overhead;
        throw new LocalRecError('PAYLOAD_TOO_LARGE', `Event ${e.uid} is ${b} bytes as JSON; one event must fit a chunk of ${room} bytes.`, {
          field: 'event',
          accepted: [`≤ ${room} bytes`],
        });
      }
      if (cur.length > 0 && this.overhead + curBytes + b > this.chunkBytes) {
        out.push({ events: cur, bytes: curBytes });
        cur = [];
        curBytes = 0;
      }
      cur.push(e);
      curBytes += b;
    }
    if (cur.length > 0) out.push({ events: cur, bytes: curBytes });
    return out;
  }

  /** Segment view of an existing chunk holding `events`: its payload size from the index's `bytes`. */
  keep(ref: ChunkRef, events: StoredEvent[]): Segment {
    return { events, bytes: ref.bytes - utf8Length(this.keys.chunk(ref.id)) - 2 + Math.min(1, ref.n), ref };
  }

  /** Merges neighbouring segments while the result fits one chunk (compaction). */
  merge(segments: readonly Segment[]): Segment[] {
    const out: Segment[] = [];
    for (const s of segments) {
      const last = out[out.length - 1];
      if (last !== undefined && this.overhead + last.bytes + s.bytes <= this.chunkBytes) {
        out[out.length - 1] = { events: [...last.events, ...s.events], bytes: last.bytes + s.bytes };
      } else out.push(s);
    }
    return out;
  }

  /**
   * How many of the oldest chunks in `evictable` must be evicted so that `adding` more bytes fit
   * `budget` beside the store's current `own` bytes; `undefined` when even evicting all of them
   * is not enough.
   */
  evictions(evictable: readonly ChunkRef[], own: number, adding: number, budget: SpaceBudget): number | undefined {
    const fits = (evicted: number): boolean =>
      own - evicted + adding <= budget.storeBytes && budget.othersBytes + own - evicted + adding <= budget.totalBytes;
    let evicted = 0;
    let k = 0;
    while (k < evictable.length && !fits(evicted)) evicted += evictable[k++]!.bytes;
    return fits(evicted) ? k : undefined;
  }
}
