/**
 * What a page with a model runs only off the usual path: reading the history on the page (its
 * store is one the runtime cannot read: the SDK's memory fallback), opening the in-thread
 * transport (the main-thread fallback), and the errors of a runtime that stops or does not
 * answer. Async functions only: the script-tag build moves this
 * module into `localrec-extras.min.mjs`, loaded on first use (COLD_MODULES in rollup.config.mjs);
 * other builds bundle it as it is.
 */
import { LocalRecError, recentSequence, type EventStore } from '@localrec/core';
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

/** Rejects with the `WORKER_CRASHED` of a call of the runtime's method `what` (e.g. `'recommend'`) whose runtime stopped before it answered. */
export async function stoppedBefore(what: string): Promise<never> {
  throw new LocalRecError(
    'WORKER_CRASHED',
    `The runtime worker stopped (crashed or terminated) before ${what}() answered; the call was not answered. The next call starts a new worker; the history stored on this device is untouched.`,
  );
}

/** Rejects with the `TIMEOUT` of a peer (`name`) that did not answer its first message within `ms`. */
export async function timedOut(name: string, ms: number): Promise<never> {
  throw new LocalRecError('TIMEOUT', `The ${name} did not answer within ${ms} ms`);
}

/** Rejects with the `NOT_READY` of a call made after the runtime was disposed. */
export async function wasDisposed(): Promise<never> {
  throw new LocalRecError('NOT_READY', 'This runtime was disposed');
}
