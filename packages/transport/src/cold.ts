/**
 * What a page with a model runs only off the usual path: reading the history on the page (its
 * store is one the runtime cannot read: the SDK's memory fallback) and opening the in-thread
 * transport (the main-thread fallback). Async functions only: the script-tag build moves this
 * module into `localrec-extras.min.mjs`, loaded on first use (COLD_MODULES in rollup.config.mjs);
 * other builds bundle it as it is.
 */
import { recentSequence, type EventStore } from '@localrec/core';
import type { CallContext, RuntimeApi } from '@localrec/contract';
import { inThread } from './in-thread.js';
import { PAGE_HISTORY_MAX_LEN } from './page-history.js';
import type { TransportLink } from './transport.js';

/**
 * The shopper's recent sequence (core's `recentSequence`, the runtime's own rule) and purchases,
 * read from `store` on this thread; `undefined` when the store fails.
 */
export async function readPageHistory(store: EventStore): Promise<CallContext | undefined> {
  try {
    const [sequence, bought] = await Promise.all([
      recentSequence(store, { maxLen: PAGE_HISTORY_MAX_LEN }),
      store.query({ types: ['purchase'] }),
    ]);
    return { history: { sequence, purchased: [...new Set(bought.flatMap((e) => (e.itemId ? [e.itemId] : [])))] } };
  } catch {
    return undefined;
  }
}

/** `inThreadTransport`'s `open()`: a fresh runtime from `create`, behind `inThread`; never `lost`. */
export async function openInThread(create: () => RuntimeApi | Promise<RuntimeApi>): Promise<TransportLink> {
  const target = await create();
  return { api: inThread(target), lost: new Promise<void>(() => {}), close: () => undefined };
}
