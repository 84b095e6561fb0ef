// The shared storage conformance suite against IndexedDbEventStore on fake-indexeddb (Node).
// Real IndexedDB in real Chromium runs the same suite: see test/browser/ and test/e2e/store-idb.test.ts.
import 'fake-indexeddb/auto';
import { describeEventStoreConformance } from '@localrec/core/testing';
import { IndexedDbEventStore } from '../src/index.js';
import { failAddsAfter } from './faults.js';

describeEventStoreConformance({
  name: 'indexeddb (fake-indexeddb)',
  makeStore: (key) => new IndexedDbEventStore({ appId: key }),
  breakStore: () => failAddsAfter(3),
});
