/**
 * The on-device database: its name, schema version and the migrations that build every version
 * from the one before. Opening an older database runs the missing steps in order, inside the
 * upgrade transaction, so data stored by an earlier SDK version is kept.
 */
import { blockedError } from './errors.js';
import { deleteWhenUnblocked } from './cold.js';
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type OpenDBCallbacks, type StoreNames } from 'idb';
import type { StoredEvent } from '@localrec/core';

/** Current schema version. Bump it and append a step to {@link MIGRATIONS} to change the schema. */
export const SCHEMA_VERSION = 2;

/** The database schema (current version). */
export interface LocalRecDB extends DBSchema {
  events: {
    key: number;
    value: StoredEvent;
    indexes: {
      ts: number;
      itemId: string;
      uid: string;
      type: string;
      type_ts: [string, number];
    };
  };
  meta: { key: string; value: unknown };
}

export type LocalRecDatabase = IDBPDatabase<LocalRecDB>;
type UpgradeTx = IDBPTransaction<LocalRecDB, ArrayLike<StoreNames<LocalRecDB>>, 'versionchange'>;

/** Database name of an app: `localrec:<appId>`. */
export function databaseName(appId: string): string {
  return `localrec:${appId}`;
}

/**
 * `MIGRATIONS[v]` upgrades a database from version `v` to `v + 1`.
 * - 0 → 1: `events` (auto-increment `seq`; indexes `ts`, `itemId`, unique `uid`) and `meta`.
 * - 1 → 2: indexes `type` and `type_ts` ([type, ts]) for queries by type and time; IndexedDB
 *   fills them from the existing rows.
 */
export const MIGRATIONS: ReadonlyArray<(db: LocalRecDatabase, tx: UpgradeTx) => void> = [
  (db) => {
    const events = db.createObjectStore('events', { keyPath: 'seq', autoIncrement: true });
    events.createIndex('ts', 'ts');
    events.createIndex('itemId', 'itemId');
    events.createIndex('uid', 'uid', { unique: true });
    db.createObjectStore('meta');
  },
  (_db, tx) => {
    const events = tx.objectStore('events');
    events.createIndex('type', 'type');
    events.createIndex('type_ts', ['type', 'ts']);
  },
];

/**
 * Opens (creating or upgrading) a LocalRec database at `version` (default {@link SCHEMA_VERSION};
 * lower versions exist for migration tests, through `@localrec/store-idb/testing`, which checks
 * the version). Rejects with the platform's DOMException.
 */
export function openDatabase(
  name: string,
  version: number = SCHEMA_VERSION,
  callbacks: Omit<OpenDBCallbacks<LocalRecDB>, 'upgrade'> = {},
): Promise<LocalRecDatabase> {
  try {
    return openDB<LocalRecDB>(name, version, {
      ...callbacks,
      upgrade(db, oldVersion, newVersion, tx) {
        for (let v = oldVersion; v < (newVersion ?? version); v++) MIGRATIONS[v]?.(db, tx);
      },
    });
  } catch (err) {
    // `indexedDB.open` itself can throw (SecurityError in sandboxed or opaque origins).
    return Promise.reject(err);
  }
}

/**
 * Opens an EXISTING database at its current version without creating it: resolves `undefined`
 * when there is none (the creating upgrade is aborted, which deletes the new empty database).
 */
export async function openExisting(name: string): Promise<LocalRecDatabase | undefined> {
  if (stillBlocked.has(name)) throw blockedError(name);
  try {
    return await openDB<LocalRecDB>(name, undefined, {
      upgrade(_db, _old, _new, tx) {
        tx.done.catch(() => undefined); // idb's promise for this transaction rejects on abort: expected
        tx.abort();
      },
    });
  } catch (err) {
    if ((err as { name?: string })?.name === 'AbortError') return undefined;
    throw err;
  }
}

/** How long {@link deleteDatabase} waits for other connections to close before it gives up. */
const BLOCKED_MS = 10_000;

/** Databases whose deletion is still blocked by a connection that did not close (see {@link deleteDatabase}). */
const stillBlocked = new Set<string>();

/**
 * Deletes a database. Other LocalRec connections (tabs, runtime workers) close when asked
 * (`versionchange`); while one has not yet, the request is `blocked` and waits. If it still is
 * after `blockedMs` (a connection that never closes: another library, or a very old LocalRec), it
 * rejects with a `BlockedError` naming the database, and {@link openExisting} rejects the same way
 * until the deletion has gone through (it does, once that connection closes): a proof that re-reads
 * must not wait forever behind it.
 */
export function deleteDatabase(name: string, blockedMs = BLOCKED_MS): Promise<void> {
  return deleteWhenUnblocked(name, blockedMs, stillBlocked);
}
