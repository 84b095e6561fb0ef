/**
 * Retention on the read side: {@link withRetention} gives any {@link EventStore} a view that never
 * returns an event older than the retention window, whether or not a prune has deleted it yet.
 * One implementation for every adapter (memory, IndexedDB, key-value), built on the interface
 * alone: reads become `since`-bounded queries (an index range in IndexedDB), so the view costs
 * what the store's own range reads cost. The Recorder reads through it (export, query, the store
 * it hands the runtime link) and so does the runtime (its history reader and the insights layer).
 */
import { countWithin, dumpWithin, tailWithin } from './cold.js';
import type { NewEvent, StoredEvent } from './events.js';
import type { EventQuery, EventStore, RetentionPolicy, StoreDump, StoreResidue } from './store.js';

/** The window {@link withRetention} enforces: events with `ts < now() - retentionMs` are never returned. */
export interface RetentionWindow {
  /** How long events are kept, in ms (the config's `retentionDays` × 86,400,000). */
  retentionMs: number;
  /** Clock, ms since epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * A view of `store` that hides every event past retention: `query`, `count`, `tail` and `dump`
 * answer as if the expired events were already pruned. Writes, meta, `prune`, `destroy` and
 * `residue` (which must see everything, to prove an erase) go to `store` unchanged. `kind` is the
 * store's.
 * @example const view = withRetention(new IndexedDbEventStore({ appId }), { retentionMs: 30 * 86_400_000 });
 */
export function withRetention(store: EventStore, window: RetentionWindow): EventStore {
  return new RetainedEventStore(store, window);
}

/** What {@link withRetention} returns; `inner` is the store it reads through. */
class RetainedEventStore implements EventStore {
  declare readonly inner: EventStore;
  declare private readonly retentionMs: number;
  declare private readonly clock: () => number;
  declare tail?: (afterSeq: number) => Promise<{ oldest?: StoredEvent; rows: StoredEvent[] }>;

  constructor(inner: EventStore, window: RetentionWindow) {
    this.inner = inner;
    this.retentionMs = window.retentionMs;
    this.clock = window.now ?? (() => Date.now());
    if (inner.tail) {
      const tail = inner.tail.bind(inner);
      this.tail = (afterSeq) => {
        const t = tail(afterSeq);
        t.catch(() => undefined); // awaited by tailWithin (which the script tag may still be loading)
        return tailWithin(inner, t, this.cutoff());
      };
    }
  }

  get kind(): string {
    return this.inner.kind;
  }

  /** The oldest `ts` still inside the window. */
  cutoff(): number {
    return this.clock() - this.retentionMs;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  append(events: readonly NewEvent[]): Promise<StoredEvent[]> {
    return this.inner.append(events);
  }

  query(q: EventQuery = {}): Promise<StoredEvent[]> {
    const cutoff = this.cutoff();
    return this.inner.query(q.since !== undefined && q.since >= cutoff ? q : { ...q, since: cutoff });
  }

  count(): Promise<number> {
    return countWithin(this.inner, this.cutoff());
  }

  prune(policy: RetentionPolicy): Promise<number> {
    return this.inner.prune(policy);
  }

  getMeta<T = unknown>(key: string): Promise<T | undefined> {
    return this.inner.getMeta<T>(key);
  }

  setMeta(key: string, value: unknown): Promise<void> {
    return this.inner.setMeta(key, value);
  }

  deleteMeta(key: string): Promise<void> {
    return this.inner.deleteMeta(key);
  }

  dump(): Promise<StoreDump> {
    return dumpWithin(this.inner, this.cutoff());
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  residue(): Promise<StoreResidue> {
    return this.inner.residue();
  }

  close(): void {
    this.inner.close();
  }
}
