/**
 * {@link IndexedDbEventReader}: the read side of the event store for code that must never create
 * or upgrade the database — the runtime worker, which only reads the history the page recorded.
 * A separate class so the main-thread bundle does not carry it.
 */
import { LocalRecError, type StoredEvent } from '@localrec/core';
import { storageError } from './errors.js';
import { openExisting, type LocalRecDatabase } from './schema.js';
import { IndexedDbEventStore } from './store.js';

/**
 * An {@link IndexedDbEventStore} that never creates the database: reads of a database that does
 * not exist yet answer empty (and look again next time); writes reject with `STORAGE_UNAVAILABLE`
 * until the page has created it. Like the store, it closes itself when another connection
 * upgrades or deletes the database (e.g. `forgetMe()` in the page) and reconnects on the next call.
 * @example const history = await recentSequence(new IndexedDbEventReader({ appId }), { maxLen: 50 });
 */
export class IndexedDbEventReader extends IndexedDbEventStore {
  protected override readable(): Promise<LocalRecDatabase | undefined> {
    if (this.connection) return this.connection;
    const opening = openExisting(this.dbName).then((db) => {
      if (db === undefined) {
        this.connection = undefined; // not there yet: look again next time
        return undefined;
      }
      db.addEventListener('versionchange', () => this.drop(ready));
      db.addEventListener('close', () => this.drop(ready, false));
      return db;
    });
    const ready = opening as Promise<LocalRecDatabase>;
    this.connection = ready;
    opening.catch(() => {
      if (this.connection === ready) this.connection = undefined;
    });
    return opening.catch((err: unknown) => {
      throw storageError(err, 'open', this.dbName);
    });
  }

  /**
   * The event count and the events with `ts ≥ sinceTs` (oldest first, as `query({ since })`
   * orders them) in ONE readonly transaction: the worker's freshness check before every answer
   * (one transaction instead of two; both answers from the same snapshot).
   */
  tail(sinceTs: number): Promise<{ count: number; rows: StoredEvent[] }> {
    return this.read({ count: 0, rows: [] as StoredEvent[] }, async (db) => {
      const tx = db.transaction('events', 'readonly');
      const [count, rows] = await Promise.all([tx.store.count(), tx.store.index('ts').getAll(IDBKeyRange.lowerBound(sinceTs))]);
      return { count, rows };
    });
  }

  protected override async connect(): Promise<LocalRecDatabase> {
    const db = await this.readable();
    if (db === undefined) throw new LocalRecError('STORAGE_UNAVAILABLE', `IndexedDB "${this.dbName}" does not exist yet (read-only reader).`);
    return db;
  }
}
