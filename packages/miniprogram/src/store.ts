/** The mini-program event store: `KeyValueEventStore` over `wx` storage. */
import { KeyValueEventStore, wxStorage } from '@localrec/store-kv';
import type { KeyValueEventStoreOptions, WxStorageApi } from '@localrec/store-kv';

/**
 * A `KeyValueEventStore` over the mini-program's `wx` storage (1 MB per key, 10 MB in total).
 * @example const store = createMiniProgramStore(wx, 'shop'); await store.append(events);
 */
export function createMiniProgramStore(
  wx: WxStorageApi,
  appId: string,
  options: Omit<KeyValueEventStoreOptions, 'appId' | 'storage'> = {},
): KeyValueEventStore {
  return new KeyValueEventStore({ ...options, appId, storage: wxStorage(wx) });
}
