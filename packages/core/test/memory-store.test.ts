// The shared storage conformance suite against the memory adapter.
import { MemoryBacking, MemoryEventStore } from '../src/memory-store.js';
import { describeEventStoreConformance, failWritesAfter } from '../src/testing/index.js';

const backings = new Map<string, MemoryBacking>();
const backing = (key: string): MemoryBacking => {
  let b = backings.get(key);
  if (!b) backings.set(key, (b = new MemoryBacking()));
  return b;
};

describeEventStoreConformance({
  name: 'memory',
  makeStore: (key) => new MemoryEventStore({ backing: backing(key) }),
  breakStore: (store) => {
    const b = (store as MemoryEventStore).backing;
    failWritesAfter(b, 3); // fails partway through the next batch
    return () => {
      failWritesAfter(b, undefined);
    };
  },
});
