/** Fault injection for tests of code that writes to a {@link MemoryBacking}. */
import { setWriteFault, type MemoryBacking } from '../memory-store.js';

/**
 * Makes every write to `backing` fail (`STORAGE_FAILED`) after applying `after` events of a batch;
 * the batch is rolled back, as a real transaction would be. `undefined` heals the backing.
 * @example failWritesAfter(backing, 0); await expect(store.append([e])).rejects.toThrow();
 */
export function failWritesAfter(backing: MemoryBacking, after: number | undefined): void {
  setWriteFault(backing, after);
}
