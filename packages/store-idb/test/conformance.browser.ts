// The shared storage conformance suite against IndexedDbEventStore on REAL IndexedDB, in real
// Chromium (vitest browser mode, project "browser").
import { describeEventStoreConformance } from '@localrec/core/testing';
import { IndexedDbEventStore } from '../src/index.js';
import { failAddsAfter } from './faults.js';

describeEventStoreConformance({
  name: 'indexeddb (Chromium)',
  makeStore: (key) => new IndexedDbEventStore({ appId: key }),
  // Real transaction, real abort: the 4th `add` of the next batch throws QuotaExceededError.
  breakStore: () => failAddsAfter(3),
});
