import type { EventType, NewEvent, StoredEvent } from './events.js';

/**
 * A query over stored events. All filters are ANDed. Results are ordered by `ts`, ties by `seq`
 * (insertion order), ascending unless `order: 'desc'`; `limit` keeps the first `limit` of that order.
 */
export interface EventQuery {
  types?: readonly EventType[];
  itemId?: string;
  /** Inclusive lower bound on `ts`. */
  since?: number;
  /** Exclusive upper bound on `ts`. */
  until?: number;
  /** Newest first when `'desc'`. Default `'asc'` (oldest first). */
  order?: 'asc' | 'desc';
  limit?: number;
}

export interface RetentionPolicy {
  /** Events older than `now - retentionMs` are deleted. */
  retentionMs: number;
  /** At most this many events are kept; the oldest go first. */
  maxEvents: number;
  now: number;
}

/** Everything a store holds, for `exportData()`. */
export interface StoreDump {
  store: string;
  schemaVersion: number;
  events: StoredEvent[];
  meta: Record<string, unknown>;
}

/** What {@link EventStore.residue} found when re-reading storage after {@link EventStore.destroy}. */
export interface StoreResidue {
  /** Events still readable (0 after a successful destroy). */
  events: number;
  /** Names of backing databases/keys that still exist (empty after a successful destroy). */
  databases: string[];
}

/**
 * The one storage interface. Adapters: IndexedDB (browser), memory, key-value (mini-programs).
 * Every method may reject with a `LocalRecError` of code STORAGE_UNAVAILABLE, STORAGE_FAILED or
 * QUOTA_EXCEEDED. A failed `append` stores none of its batch (all-or-nothing) and loses nothing
 * stored before.
 */
export interface EventStore {
  /** Adapter name, e.g. `"indexeddb"`, `"memory"`, `"kv"`. */
  readonly kind: string;
  open(): Promise<void>;
  /** Appends a batch in one transaction. Events whose `uid` is already stored are skipped. */
  append(events: readonly NewEvent[]): Promise<StoredEvent[]>;
  query(q?: EventQuery): Promise<StoredEvent[]>;
  count(): Promise<number>;
  /**
   * Optional: the oldest event (by `ts`, then `seq`) and every event stored after key `afterSeq`
   * (ascending `seq`), read together in ONE snapshot (for IndexedDB: one readonly transaction, a
   * cost independent of the store's size). What a reader polling for changes asks before every
   * answer: appends show as rows, deletions as another oldest event (stores delete only from the
   * oldest end — retention and the cap prune by time — or everything). Without it, `count()` and
   * `query({ since })` are used.
   */
  tail?(afterSeq: number): Promise<{ oldest?: StoredEvent; rows: StoredEvent[] }>;
  /** Applies retention and the cap; returns how many events were deleted. */
  prune(policy: RetentionPolicy): Promise<number>;
  /** Small key-value area for SDK state (session, learned weights, caches). Values are structured-clonable. */
  getMeta<T = unknown>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  deleteMeta(key: string): Promise<void>;
  dump(): Promise<StoreDump>;
  /**
   * Deletes everything this store holds (for IndexedDB: the whole database). The store stays
   * usable: a later call opens fresh, empty storage.
   */
  destroy(): Promise<void>;
  /**
   * Re-reads the backing storage WITHOUT creating it, to prove a {@link destroy} worked
   * (for `forgetMe()`).
   */
  residue(): Promise<StoreResidue>;
  close(): void;
  /**
   * Optional: whether a call made now would use a connection already open (or opening), without
   * opening a new one. Stores without connections leave it out. Used to write during page unload
   * without waiting for a Web Lock (see the SDK's tabs module).
   */
  connected?(): boolean;
}
