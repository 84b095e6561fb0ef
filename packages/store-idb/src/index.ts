/**
 * @localrec/store-idb — LocalRec's IndexedDB event store (built on `idb`). Usable in pages and
 * Web Workers; touches no global at import time.
 *
 * Every public name is listed here; `test/entries.test.ts` guards the list. The schema helpers
 * tests use (open a database at an old version, the migrations) are in `@localrec/store-idb/testing`.
 * @packageDocumentation
 */
export { IndexedDbEventStore } from './store.js';
export type { IndexedDbStoreOptions } from './store.js';
export { IndexedDbEventReader } from './reader.js';
export { databaseName } from './schema.js';
