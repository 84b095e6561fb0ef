/**
 * @localrec/store-idb/testing — for tests only: the database schema (its version and migrations)
 * and raw openers, e.g. to create a database at an old version and check that it is upgraded.
 * Not part of the public API.
 * @packageDocumentation
 */
import type { OpenDBCallbacks } from 'idb';
import { MIGRATIONS, openDatabase as open, type LocalRecDB, type LocalRecDatabase } from './schema.js';

export { MIGRATIONS, SCHEMA_VERSION, databaseName, openExisting } from './schema.js';
export type { LocalRecDB, LocalRecDatabase } from './schema.js';

/**
 * Opens (creating or upgrading) a LocalRec database at `version`, e.g. an old one to test its
 * migration. Rejects with a `RangeError` for a version outside 1…{@link MIGRATIONS}.length, else
 * with the platform's DOMException.
 */
export function openDatabase(
  name: string,
  version?: number,
  callbacks?: Omit<OpenDBCallbacks<LocalRecDB>, 'upgrade'>,
): Promise<LocalRecDatabase> {
  if (version !== undefined && (!Number.isInteger(version) || version < 1 || version > MIGRATIONS.length)) {
    return Promise.reject(new RangeError(`version must be an integer from 1 to ${MIGRATIONS.length}; got ${version}`));
  }
  return open(name, version, callbacks);
}
