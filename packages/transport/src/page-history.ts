/**
 * The degraded case: the SDK records into a store the runtime cannot read (its in-memory
 * fallback after a storage failure). The history is then read on the page and passed with the call.
 */
import type { CallContext, ConnectContext } from '@localrec/contract';
import { readPageHistory } from './cold.js';

/** `kind` of `@localrec/store-idb`'s stores: the store a browser runtime reads itself (not imported: no idb on this side). */
export const INDEXEDDB_KIND = 'indexeddb';
/** Entries of the recent sequence read on the page; the runtime keeps the model's last `maxLen` (≤ this). */
export const PAGE_HISTORY_MAX_LEN = 200;

/**
 * The history for the runtime: in the degraded case only — the SDK records into a store whose
 * `kind` is not `runtimeStoreKind`, the store the runtime reads itself (default IndexedDB) — the
 * shopper's recent sequence (core's `recentSequence`, the runtime's own rule) and purchases, read
 * from that store on this thread. They cross only the boundary between this page and its own
 * runtime (a `postMessage` or a plain call), on the device. Otherwise (the runtime's own store, no
 * consent, no store, or the store failing) `undefined`: the runtime reads the history itself.
 */
export async function pageHistory(
  ctx: Pick<ConnectContext, 'store' | 'consent'>,
  runtimeStoreKind: string = INDEXEDDB_KIND,
): Promise<CallContext | undefined> {
  const store = ctx.store;
  if (!store || store.kind === runtimeStoreKind || ctx.consent !== 'granted') return undefined;
  // A file that cannot be loaded (the script tag's extras) is a failing store here: the runtime reads the history itself.
  return readPageHistory(store).catch(() => undefined);
}
