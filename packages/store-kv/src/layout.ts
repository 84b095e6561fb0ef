/**
 * The store's storage layout: its keys and the shape of the index and of a chunk, with the checks
 * that tell a readable index or chunk from a damaged one. See store.ts for how they are written.
 */
import type { StoredEvent } from '@localrec/core';

/** One chunk as the index describes it. */
export interface ChunkRef {
  id: number;
  /** Events in the chunk. */
  n: number;
  /** Accounted size of key + value (see bytes.ts). */
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  minTs: number;
  maxTs: number;
}

/** The index: the commit point of every change. */
export interface Index {
  v: 1;
  /** Random tag of this index's lifetime: a destroyed and re-created store gets a new one. */
  epoch: string;
  /** Increases on every commit; caches compare epoch and gen. */
  gen: number;
  nextSeq: number;
  nextChunk: number;
  chunks: ChunkRef[];
}

/** The keys of one store, all under `localrec:<appId>:`. */
export class StoreKeys {
  /** `localrec:<appId>:` */
  readonly prefix: string;
  /** The index key. */
  readonly index: string;
  /** What every chunk key starts with. */
  readonly chunkPrefix: string;
  /** What every meta key starts with. */
  readonly metaPrefix: string;

  constructor(appId: string) {
    this.prefix = `localrec:${appId}:`;
    this.index = `${this.prefix}idx`;
    this.chunkPrefix = `${this.prefix}c`;
    this.metaPrefix = `${this.prefix}m:`;
  }

  /** Key of chunk `id`. */
  chunk(id: number): string {
    return `${this.chunkPrefix}${id}`;
  }

  /** Key of meta value `key`. */
  meta(key: string): string {
    return `${this.metaPrefix}${key}`;
  }
}

/** A new, empty index with a fresh epoch. */
export function emptyIndex(): Index {
  return { v: 1, epoch: Math.random().toString(36).slice(2) + Date.now().toString(36), gen: 0, nextSeq: 1, nextChunk: 1, chunks: [] };
}

/** Whether a stored value is a readable index. */
export function isIndex(v: unknown): v is Index {
  const i = v as Index;
  return (
    typeof v === 'object' &&
    v !== null &&
    i.v === 1 &&
    typeof i.epoch === 'string' &&
    Number.isInteger(i.gen) &&
    Number.isInteger(i.nextSeq) &&
    Number.isInteger(i.nextChunk) &&
    Array.isArray(i.chunks) &&
    i.chunks.every(
      (c) => typeof c === 'object' && c !== null && Number.isInteger(c.id) && Number.isInteger(c.n) && typeof c.bytes === 'number',
    )
  );
}

/** Whether a stored value is a readable chunk (an array of stored events). */
export function isChunk(v: unknown): v is StoredEvent[] {
  return (
    Array.isArray(v) &&
    v.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        Number.isInteger((e as StoredEvent).seq) &&
        typeof (e as StoredEvent).uid === 'string' &&
        typeof (e as StoredEvent).ts === 'number',
    )
  );
}

/** The index entry of chunk `id` holding `events` (in seq order), accounted as `bytes`. */
export function describeChunk(id: number, events: readonly StoredEvent[], bytes: number): ChunkRef {
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const e of events) {
    if (e.ts < minTs) minTs = e.ts;
    if (e.ts > maxTs) maxTs = e.ts;
  }
  return { id, n: events.length, bytes, firstSeq: events[0]?.seq ?? 0, lastSeq: events[events.length - 1]?.seq ?? 0, minTs, maxTs };
}
