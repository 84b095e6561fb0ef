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
   * The oldest event (by `ts`, then `seq`) and the events stored after key `afterSeq` (ascending
   * `seq`), in ONE readonly transaction: the worker's freshness check before every answer. Both
   * are key-range reads, so the check costs the same with 100 events or 20,000 (a `count()` grows
   * with the store).
   */
  tail(afterSeq: number): Promise<{ oldest?: StoredEvent; rows: StoredEvent[] }> {
    return this.read<{ oldest?: StoredEvent; rows: StoredEvent[] }>({ rows: [] }, async (db) => {
      const tx = db.transaction('events', 'readonly');
      const [first, rows] = await Promise.all([
        tx.store.index('ts').getAll(null, 1),
        tx.store.getAll(IDBKeyRange.lowerBound(afterSeq, true)),
      ]);
      return first[0] ? { oldest: first[0], rows } : { rows };
    });
  }

  protected override async connect(): Promise<LocalRecDatabase> {
    const db = await this.readable();
    if (db === undefined)
      throw new LocalRecError('STORAGE_UNAVAILABLE', `IndexedDB "${this.dbName}" does not exist yet (read-only reader).`);
    return db;
  }
}
