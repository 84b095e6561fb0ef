/**
 * {@link IndexedDbEventReader}: the read side of the event store for code that must never create
 * or upgrade the database — the runtime worker, which only reads the history the page recorded.
 * A separate class so the main-thread bundle does not carry it.
 */
import { LocalRecError } from '@localrec/core';
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

  protected override async connect(): Promise<LocalRecDatabase> {
    const db = await this.readable();
    if (db === undefined) throw new LocalRecError('STORAGE_UNAVAILABLE', `IndexedDB "${this.dbName}" does not exist yet (read-only reader).`);
    return db;
  }
}
