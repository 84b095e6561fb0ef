/**
 * {@link IndexedDbEventStore}: LocalRec's browser event store. One readwrite transaction per
 * `append` batch; idempotent by event `uid` (a unique index), so retries and two tabs writing the
 * same events never duplicate them; oldest-first eviction. No `window`/`document`: it works in
 * pages and in Web Workers (the runtime worker reads the same database).
 */
import { unwrap } from 'idb';
import type { LocalRecError } from '@localrec/core';
import { checkAppId } from '@localrec/core/internal';
import type { EventQuery, EventStore, NewEvent, RetentionPolicy, StoreDump, StoreResidue, StoredEvent } from '@localrec/core';
import { dumpEvents, queryEvents, storageFailure } from './cold.js';
import { SCHEMA_VERSION, databaseName, deleteDatabase, openDatabase, openExisting, type LocalRecDatabase } from './schema.js';

/** Options of {@link IndexedDbEventStore}. */
export interface IndexedDbStoreOptions {
  /** The shop's app id; the database is `localrec:<appId>` unless `dbName` is given. */
  appId: string;
  /** Explicit database name (tests, multiple stores per app). */
  dbName?: string;
}

/** Swallows a request promise's rejection (the transaction's own promise reports the failure). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * The IndexedDB adapter of {@link EventStore}. Every method opens the database lazily; if
 * another tab upgrades or deletes the database, this connection closes itself (so the other tab
 * is not blocked) and reconnects on the next call.
 * @example
 * const store = new IndexedDbEventStore({ appId: 'my-shop' });
 * await store.append([event]);
 * const recent = await store.query({ order: 'desc', limit: 20 });
 */
export class IndexedDbEventStore implements EventStore {
  readonly kind = 'indexeddb';
  /** The IndexedDB database name. */
  readonly dbName: string;
  protected connection: Promise<LocalRecDatabase> | undefined;

  constructor(options: IndexedDbStoreOptions) {
    const appId = checkAppId(options?.appId, 'IndexedDbEventStore');
    this.dbName = options.dbName ?? databaseName(appId);
  }

  /** The open connection (opening, creating or upgrading the database on first use). */
  protected connect(): Promise<LocalRecDatabase> {
    if (this.connection === undefined) {
      const opening = openDatabase(this.dbName, SCHEMA_VERSION, {
        // Another connection wants to upgrade or delete the database: step aside.
        blocking: () => this.drop(opening),
        terminated: () => this.drop(opening, false),
      });
      this.connection = opening;
      opening.catch(() => {
        if (this.connection === opening) this.connection = undefined; // evict failures so the next call retries
      });
    }
    return this.connection.catch(async (err: unknown) => {
      throw await storageFailure(err, 'open', this.dbName);
    });
  }

  protected drop(conn: Promise<LocalRecDatabase>, close = true): void {
    if (this.connection === conn) this.connection = undefined;
    if (close)
      void conn.then(
        (db) => db.close(),
        () => undefined,
      );
  }

  /** The database for reads; `undefined` means "none yet, answer empty" (see IndexedDbEventReader). */
  protected readable(): Promise<LocalRecDatabase | undefined> {
    return this.connect();
  }

  /** Runs a read; answers `empty` when there is no database to read. */
  protected async read<T>(empty: T, fn: (db: LocalRecDatabase) => Promise<T>): Promise<T> {
    const db = await this.readable();
    if (db === undefined) return empty;
    try {
      return await fn(db);
    } catch (err) {
      throw await storageFailure(err, 'read', this.dbName);
    }
  }

  async open(): Promise<void> {
    await this.readable();
  }

  /**
   * Appends a batch in ONE readwrite transaction. Events whose `uid` is already stored (or
   * repeated in the batch) are skipped. All or nothing: on failure the transaction is aborted and
   * nothing of the batch is stored; what was stored before is untouched.
   * @throws {LocalRecError} `QUOTA_EXCEEDED`, `STORAGE_FAILED`, `STORAGE_UNAVAILABLE`.
   */
  async append(events: readonly NewEvent[]): Promise<StoredEvent[]> {
    try {
      return await this.write(events, true);
    } catch (err) {
      // Committed explicitly, a skipped duplicate fails the whole transaction in Chromium (nothing
      // was stored): write the batch again the patient way, where duplicates are skipped.
      if ((err as LocalRecError).code === 'QUOTA_EXCEEDED') throw err;
      return this.write(events, false);
    }
  }

  private async write(events: readonly NewEvent[], commit: boolean): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const db = await this.connect();
    let tx;
    try {
      tx = db.transaction('events', 'readwrite');
    } catch (err) {
      throw await storageFailure(err, 'write', this.dbName);
    }
    const done = quiet(tx.done);
    try {
      const unique: NewEvent[] = [];
      const seen = new Set<string>();
      for (const e of events) {
        if (!seen.has(e.uid)) {
          seen.add(e.uid);
          unique.push(e);
        }
      }
      // One `add` per event, no read first: a duplicate uid fails its request with ConstraintError
      // (unique index), which is cancelled so the transaction goes on without it.
      const raw = unwrap(tx.store);
      const seqs: Array<number | undefined> = unique.map(() => undefined);
      unique.forEach((e, i) => {
        // `seq` is the store's to assign (events copied from another store carry theirs).
        const { seq: _seq, ...row } = e as Partial<StoredEvent> & NewEvent;
        const req = raw.add(row);
        req.onsuccess = () => {
          seqs[i] = req.result as number;
        };
        req.onerror = (ev) => {
          if (req.error?.name === 'ConstraintError') {
            ev.preventDefault(); // already stored: skip it, keep the transaction
            ev.stopPropagation();
          }
        };
      });
      // Commit now rather than when the event loop comes back: a page being unloaded (pagehide
      // flush) may never come back, and Chromium then drops the uncommitted transaction.
      if (commit) tx.commit?.();
      await done;
      return unique.flatMap((e, i) => (seqs[i] === undefined ? [] : [{ ...e, seq: seqs[i] }]));
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // Already finished or aborted.
      }
      throw await storageFailure(tx.error ?? err, 'write', this.dbName);
    }
  }

  /** Events matching `q`, ordered by `ts` then `seq` (see {@link EventQuery}). */
  query(q: EventQuery = {}): Promise<StoredEvent[]> {
    return this.read([], (db) => queryEvents(db, q));
  }

  // No idb shortcuts (`db.count('events')`, `db.put('meta', …)`) and no async iterators in this
  // file or cold.ts: the script-tag build leaves those traps of idb out (rollup.config.mjs).
  count(): Promise<number> {
    return this.read(0, (db) => db.transaction('events').store.count());
  }

  /**
   * Deletes events older than `now - retentionMs`, then the oldest (by `ts`) beyond `maxEvents`,
   * in one transaction. Returns how many were deleted.
   */
  async prune(policy: RetentionPolicy): Promise<number> {
    const db = await this.connect();
    const tx = db.transaction('events', 'readwrite');
    const done = quiet(tx.done);
    try {
      const byTs = tx.store.index('ts');
      let deleted = 0;
      let cursor = await byTs.openKeyCursor(IDBKeyRange.upperBound(policy.now - policy.retentionMs, true));
      while (cursor) {
        quiet(tx.store.delete(cursor.primaryKey));
        deleted++;
        cursor = await cursor.continue();
      }
      let excess = (await tx.store.count()) - policy.maxEvents;
      if (excess > 0) {
        let c = await byTs.openKeyCursor();
        while (c && excess > 0) {
          quiet(tx.store.delete(c.primaryKey));
          deleted++;
          excess--;
          c = await c.continue();
        }
      }
      await done;
      return deleted;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // finished
      }
      throw await storageFailure(tx.error ?? err, 'write', this.dbName);
    }
  }

  getMeta<T = unknown>(key: string): Promise<T | undefined> {
    return this.read(undefined, (db) => db.transaction('meta').store.get(key) as Promise<T | undefined>);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const db = await this.connect();
    try {
      const tx = db.transaction('meta', 'readwrite');
      await Promise.all([tx.store.put(value, key), tx.done]);
    } catch (err) {
      throw await storageFailure(err, 'write', this.dbName);
    }
  }

  async deleteMeta(key: string): Promise<void> {
    const db = await this.connect();
    try {
      const tx = db.transaction('meta', 'readwrite');
      await Promise.all([tx.store.delete(key), tx.done]);
    } catch (err) {
      throw await storageFailure(err, 'write', this.dbName);
    }
  }

  /** Everything in the database, events ordered by `ts` then `seq`. */
  dump(): Promise<StoreDump> {
    const empty: StoreDump = { store: this.kind, schemaVersion: SCHEMA_VERSION, events: [], meta: {} };
    return this.read(empty, (db) => dumpEvents(db, this.kind));
  }

  /**
   * Deletes the whole database. Other LocalRec connections (tabs, the runtime worker) close
   * themselves when asked, so the deletion is not blocked by them.
   */
  async destroy(): Promise<void> {
    const conn = this.connection;
    this.connection = undefined;
    if (conn)
      await conn.then(
        (db) => db.close(),
        () => undefined,
      );
    try {
      await deleteDatabase(this.dbName);
    } catch (err) {
      throw await storageFailure(err, 'write', this.dbName);
    }
  }

  /** Re-reads without creating: whether the database still exists and how many events it holds. */
  async residue(): Promise<StoreResidue> {
    let db: LocalRecDatabase | undefined;
    try {
      db = await openExisting(this.dbName);
    } catch (err) {
      throw await storageFailure(err, 'open', this.dbName);
    }
    if (db === undefined) return { events: 0, databases: [] };
    try {
      const events = db.objectStoreNames.contains('events') ? await db.transaction('events').store.count() : 0;
      return { events, databases: [this.dbName] };
    } finally {
      db.close();
    }
  }

  /** Whether a connection is open (or opening): a call made now opens nothing new. */
  connected(): boolean {
    return this.connection !== undefined;
  }

  /** Closes the connection; any later call reopens it. */
  close(): void {
    const conn = this.connection;
    this.connection = undefined;
    if (conn)
      void conn.then(
        (db) => db.close(),
        () => undefined,
      );
  }
}
