/**
 * @localrec/store-idb — LocalRec's IndexedDB event store (built on `idb`). Usable in pages and
 * Web Workers; touches no global at import time.
 * @packageDocumentation
 */
export { IndexedDbEventStore } from './store.js';
export type { IndexedDbStoreOptions } from './store.js';
export { IndexedDbEventReader } from './reader.js';
export { MIGRATIONS, SCHEMA_VERSION, databaseName, openDatabase, openExisting } from './schema.js';
export type { LocalRecDB, LocalRecDatabase } from './schema.js';
export { storageError } from './errors.js';
