/**
 * The Recorder's rarely run steps, as async functions of their inputs: the memory fallback (only
 * when the preferred store fails), the eviction when storage is full, and the two halves of an
 * erase (`forget()`); and the retention view's `count`, `tail` and `dump` (see retention.ts), which only
 * the quota eviction, a runtime on the page's thread and `exportData()` call. A module of its own
 * so that the script-tag build can load it from its second file, on first use (see the
 * `localrec-cold` plugin in rollup.config.mjs): every export here is an async function, so a call
 * made before that file has arrived waits for it and behaves the same. Errors are handed to
 * `onError` as thrown (the Recorder makes them `LocalRecError`s).
 */
import { LocalRecError } from './errors.js';
import type { NewEvent, StoredEvent } from './events.js';
import { MemoryEventStore } from './memory-store.js';
import { asStorageError } from './storage-error.js';
import type { EventStore, RetentionPolicy, StoreDump } from './store.js';

/** The Recorder's default fallback store: a new, empty {@link MemoryEventStore}. */
export async function memoryFallback(): Promise<EventStore> {
  return new MemoryEventStore();
}

/**
 * Opens the fallback store `make` gives and copies into it what `failed` still lets us read (an
 * unreadable store keeps what it holds, but this page cannot use it).
 */
export async function openFallback(failed: EventStore, make: () => EventStore | Promise<EventStore>): Promise<EventStore> {
  const mem = await make();
  await mem.open();
  try {
    const old = await failed.query();
    if (old.length > 0) await mem.append(old);
  } catch {
    // Unreadable: what it holds stays there (not lost), but this page cannot use it.
  }
  return mem;
}

/**
 * After `append` of `batch` failed with `quota` (QUOTA_EXCEEDED): evicts oldest first and retries,
 * keeping 80 %, then 50 %, then 25 % of the stored events (browsers account quota lazily, so one
 * eviction is not always enough); reports what was evicted once the batch fits. `policy` gives
 * retention and the cap as of now.
 * @throws {LocalRecError} the last QUOTA_EXCEEDED when it still does not fit, or any other storage error.
 */
export async function appendOverQuota(
  store: EventStore,
  batch: readonly NewEvent[],
  quota: LocalRecError,
  policy: () => RetentionPolicy,
  report: (e: LocalRecError) => void,
): Promise<void> {
  let evictedTotal = 0;
  let last = quota;
  for (const keep of [0.8, 0.5, 0.25]) {
    const count = await store.count();
    const now = policy();
    evictedTotal += await store.prune({ ...now, maxEvents: Math.max(0, Math.min(now.maxEvents, Math.floor(count * keep)) - batch.length) });
    try {
      await store.append(batch);
      report(
        new LocalRecError('QUOTA_EXCEEDED', `Storage quota reached; evicted the ${evictedTotal} oldest events and kept recording.`, {
          cause: last,
        }),
      );
      return;
    } catch (err) {
      const e = asStorageError(err);
      if (e.code !== 'QUOTA_EXCEEDED') throw e;
      last = e;
    }
  }
  throw last;
}

/**
 * Runs `start` (the erase begins), then destroys each of `stores` in turn; a failure goes to
 * `onError` and the next is destroyed all the same.
 * @returns whether the first store (the preferred one) was destroyed.
 */
export async function destroyStores(stores: readonly EventStore[], onError: (err: unknown) => void, start: () => void): Promise<boolean> {
  start();
  let first = true;
  for (const [i, s] of stores.entries()) {
    try {
      await s.destroy();
    } catch (err) {
      if (i === 0) first = false;
      onError(err);
    }
  }
  return first;
}

/** What is left in `stores` after an erase (re-read, nothing re-created); an unreadable store is named as such. */
export async function readResidue(
  stores: readonly EventStore[],
  onError: (err: unknown) => void,
): Promise<{ remainingEvents: number; remainingDatabases: string[] }> {
  let remainingEvents = 0;
  const remainingDatabases: string[] = [];
  for (const s of stores) {
    try {
      const r = await s.residue();
      remainingEvents += r.events;
      remainingDatabases.push(...r.databases);
    } catch (err) {
      onError(err);
      remainingDatabases.push(`${s.kind} (unreadable)`);
    }
  }
  return { remainingEvents, remainingDatabases };
}

/** `store.count()` of the events with `ts >= cutoff` (the retention view's `count`). */
export async function countWithin(store: EventStore, cutoff: number): Promise<number> {
  // Nothing expired (the usual case): the store's own count.
  if ((await store.query({ until: cutoff, limit: 1 })).length === 0) return store.count();
  return (await store.query({ since: cutoff })).length;
}

/** `tail`, the answer of `store.tail(afterSeq)`, without the events before `cutoff` (the retention view's `tail`). */
export async function tailWithin(
  store: EventStore,
  tail: Promise<{ oldest?: StoredEvent; rows: StoredEvent[] }>,
  cutoff: number,
): Promise<{ oldest?: StoredEvent; rows: StoredEvent[] }> {
  const t = await tail;
  const rows = t.rows.filter((e) => e.ts >= cutoff);
  // Usually the oldest event is within the window (the Recorder prunes at open and on a
  // timer): one transaction. Otherwise the oldest one still inside it.
  const oldest = t.oldest === undefined || t.oldest.ts >= cutoff ? t.oldest : (await store.query({ since: cutoff, limit: 1 }))[0];
  return oldest ? { oldest, rows } : { rows };
}

/** `store.dump()` without the events before `cutoff` (the retention view's `dump`). */
export async function dumpWithin(store: EventStore, cutoff: number): Promise<StoreDump> {
  const d = await store.dump();
  return { ...d, events: d.events.filter((e) => e.ts >= cutoff) };
}
