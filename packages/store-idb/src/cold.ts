/**
 * The store's paths that pages which only record never run: a query (the memory fallback's
 * copy of the history, the quota retry's count, the main-thread runtime), the dump
 * (`exportData()`), and the making of its errors (only when IndexedDB fails). Async functions of the open database only, so that the script-tag build can
 * load this module from its second file on first use (see the `localrec-cold` plugin in
 * rollup.config.mjs); {@link IndexedDbEventStore} opens the database and turns their failures into
 * `LocalRecError`s.
 */
import type { EventQuery, LocalRecError, StoreDump, StoredEvent } from '@localrec/core';
import { blockedError, storageError } from './errors.js';
import type { LocalRecDatabase } from './schema.js';

/** Events of `db` matching `q`, ordered by `ts` then `seq` (see {@link EventQuery}). */
export async function queryEvents(db: LocalRecDatabase, q: EventQuery): Promise<StoredEvent[]> {
  const limit = q.limit === undefined ? Infinity : Math.max(0, q.limit);
  if (limit === 0) return [];
  const lo = q.since ?? -Infinity;
  const hi = q.until ?? Infinity;
  const types = q.types === undefined ? undefined : new Set<string>(q.types);
  const desc = q.order === 'desc';
  const tx = db.transaction('events', 'readonly');

  if (q.itemId !== undefined) {
    // Few events per item: read them all through the index, then filter and order in memory.
    const rows = await tx.store.index('itemId').getAll(q.itemId);
    const out = rows
      .filter((e) => e.ts >= lo && e.ts < hi && (types === undefined || types.has(e.type)))
      .sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    if (desc) out.reverse();
    return out.slice(0, limit);
  }
  if (lo > hi || (lo === hi && q.until !== undefined)) return [];
  const single = types !== undefined && types.size === 1 ? [...types][0] : undefined;
  const upperOpen = q.until !== undefined;
  const source =
    single !== undefined
      ? { index: tx.store.index('type_ts'), range: IDBKeyRange.bound([single, lo], [single, hi], false, upperOpen) }
      : { index: tx.store.index('ts'), range: IDBKeyRange.bound(lo, hi, false, upperOpen) };
  if (types !== undefined && types.size === 0) return [];
  const filtered = types !== undefined && single === undefined;
  if (!desc && !filtered) return source.index.getAll(source.range, Number.isFinite(limit) ? limit : undefined);

  const out: StoredEvent[] = [];
  let cursor = await source.index.openCursor(source.range, desc ? 'prev' : 'next');
  while (cursor && out.length < limit) {
    if (!filtered || types.has(cursor.value.type)) out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}

/** Everything in `db`, events ordered by `ts` then `seq`; `kind` names the store. */
export async function dumpEvents(db: LocalRecDatabase, kind: string): Promise<StoreDump> {
  const tx = db.transaction(['events', 'meta'], 'readonly');
  const [events, keys, values] = await Promise.all([
    tx.objectStore('events').index('ts').getAll(),
    tx.objectStore('meta').getAllKeys(),
    tx.objectStore('meta').getAll(),
  ]);
  const meta: Record<string, unknown> = {};
  keys.forEach((k, i) => {
    if (k !== '__proto__') meta[String(k)] = values[i];
  });
  return { store: kind, schemaVersion: db.version, events, meta };
}

/** {@link storageError}: IndexedDB's failure `err` during `during` as a `LocalRecError` naming `dbName`. */
export async function storageFailure(err: unknown, during: 'open' | 'read' | 'write', dbName: string): Promise<LocalRecError> {
  return storageError(err, during, dbName);
}

/**
 * `deleteDatabase` (schema.ts) for `forgetMe()`: deletes `name`; while a connection blocks it past
 * `blockedMs`, rejects with a `BlockedError` and keeps `name` in `stillBlocked` until the deletion
 * has gone through.
 */
export async function deleteWhenUnblocked(name: string, blockedMs: number, stillBlocked: Set<string>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onblocked = () => {
      timer ??= setTimeout(() => {
        stillBlocked.add(name);
        reject(blockedError(name));
      }, blockedMs);
    };
    req.onsuccess = () => {
      clearTimeout(timer);
      stillBlocked.delete(name);
      resolve();
    };
    req.onerror = () => reject(req.error ?? new Error(`deleting ${name} failed`));
  });
}
