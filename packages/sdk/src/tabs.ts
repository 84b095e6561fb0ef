/**
 * Several tabs of one shop: they share one IndexedDB database, so `forgetMe()` in one tab must stop
 * the others from writing what they queued before it, and from re-creating the database before the
 * erase is proven; a consent change in one tab (`denied`, `granted`, the purposes) must apply in the
 * others too.
 *
 * - A `BroadcastChannel` named `localrec:<appId>` carries `erase` (an erase starts) and
 *   `{ consent, purposes }` (consent was set to `granted` or `denied`; `pending`, which is no
 *   choice, stays in its tab). On `erase` the other tabs drop their queue and close their
 *   connection; on a consent message they apply it as it is (a `denied` drops their queue), without
 *   passing it on or storing it again (the tab where it was chosen stores the record). A tab of an
 *   earlier version sends the bare string `denied`, which this version ignores (mixed versions
 *   last one deployment).
 * - Web Locks make it exact. The lock `localrec:<appId>` is a readers-writer lock: every store call
 *   of a tab runs under it shared; an erase (the deletion, its proof by re-reading, the caches)
 *   under it exclusive, and `erase` is posted once the lock is held. So no other tab's call is in
 *   flight while the database is deleted and re-read; a call that asked before the erase was heard
 *   of and that would write is dropped (its events were tracked before the erase); calls asked
 *   meanwhile wait and reopen fresh storage afterwards, under consent as it then stands.
 * - A page being unloaded cannot wait for a lock (its grant is a later task, which never runs): after
 *   {@link Tabs.leaving} and until the next task, a call whose connection is already open runs at once.
 *   That is safe: an erase elsewhere first closes this tab's connection (`versionchange`), and a
 *   transaction started before that commits before the deletion, which then deletes it.
 * - Without Web Locks (every browser with `BroadcastChannel` has them since 2022: Safari 15.4,
 *   Firefox 96) the messages alone apply: best effort, no guarantee for a call already under way.
 * - Without `BroadcastChannel` a tab is on its own.
 *
 * Nothing is touched until {@link linkTabs} runs, and then only through core's accessors.
 */
import type { Consent, EventStore } from '@localrec/core';
import { broadcastChannel, webLocks } from '@localrec/core/internal';
import { DEFAULT_PURPOSES, mergePurposes, type Purposes } from './consent.js';

/** A consent change as tabs tell each other. */
interface ConsentMessage {
  consent: Consent;
  purposes: Purposes;
}

/** What another tab of the shop did, as this tab must apply it. */
export interface TabEvents {
  /** Another tab erased the shared storage: drop what is queued (the Recorder's `discard()`), stop the runtime. */
  erased(): void;
  /** Another tab set consent to `consent`, with `purposes` (both checked: this throws for a bad one, and the message is ignored). */
  consent(consent: Consent, purposes: Purposes): void;
}

/** This tab's link to the shop's other tabs. */
export interface Tabs {
  /** The store, wrapped: its calls wait while another tab erases (see the module documentation). */
  readonly store: EventStore;
  /** Runs this tab's erase with the other tabs stopped (they drop their queue and write nothing until it ends). */
  erase<T>(run: () => Promise<T>): Promise<T>;
  /** The page is being hidden or unloaded: calls until the next task do not wait for the lock (see the module documentation). */
  leaving(): void;
  /** Tells the other tabs that consent was set (`pending` is not passed on). */
  consent(consent: Consent, purposes: Purposes): void;
  /** Leaves the channel. */
  close(): void;
}

/**
 * Links this tab to the shop's other tabs (see the module documentation).
 * @example const tabs = linkTabs('my-shop', new IndexedDbEventStore({ appId: 'my-shop' }), { erased, denied });
 */
export function linkTabs(appId: string, inner: EventStore, on: TabEvents): Tabs {
  const name = `localrec:${appId}`;
  const channel = broadcastChannel(name);
  if (!channel) return { store: inner, erase: (run) => run(), leaving() {}, consent() {}, close() {} };
  const locks = webLocks();
  /** Erases of other tabs heard of. */
  let heard = 0;
  /** Erases of this tab under way: its own calls do not wait for the lock they hold (or wait for). */
  let erasing = 0;
  /** Set by leaving() until the next task. */
  let unloading = false;
  channel.onmessage = (e: MessageEvent) => {
    const m = e.data as ConsentMessage | string | null;
    if ((m as ConsentMessage | null)?.consent)
      try {
        on.consent((m as ConsentMessage).consent, mergePurposes(DEFAULT_PURPOSES, (m as ConsentMessage).purposes));
      } catch {
        // not a message of this SDK (consent and purposes are checked as the host's are)
      }
    if (m !== 'erase') return;
    heard++;
    on.erased();
    inner.close(); // the connection is idle (under the lock): closing it lets the deletion through at once
  };

  /** Runs a store call as the module documentation says; a dropped `write` answers `empty`. */
  const guard = <T>(call: () => Promise<T>, write: boolean, empty: T): Promise<T> => {
    if (erasing || (unloading && (inner.connected?.() ?? true))) return call();
    const asked = heard;
    const go = (): Promise<T> => (write && asked !== heard ? Promise.resolve(empty) : call());
    return locks ? (locks.request(name, { mode: 'shared' }, go) as Promise<T>) : go();
  };

  // Every call but the last three goes through guard(); a dropped write answers what an empty write
  // would. Only this tab's erase calls `destroy` and `residue` (under the exclusive lock).
  const writes: Record<string, unknown> = { append: [], prune: 0, setMeta: undefined, deleteMeta: undefined };
  const wrapped: Record<string, unknown> = { kind: inner.kind };
  const calls = [
    'open',
    'append',
    'query',
    'count',
    'prune',
    'getMeta',
    'setMeta',
    'deleteMeta',
    'dump',
    'tail',
    'destroy',
    'residue',
    'close',
  ];
  calls.forEach((k, i) => {
    const f = (inner as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[k];
    if (f) wrapped[k] = (...a: unknown[]) => (i > 9 ? f.apply(inner, a) : guard(() => f.apply(inner, a), k in writes, writes[k]));
  });
  const store = wrapped as unknown as EventStore;

  return {
    store,
    erase<T>(run: () => Promise<T>): Promise<T> {
      erasing++;
      const body = async (): Promise<T> => {
        channel.postMessage('erase');
        try {
          return await run();
        } finally {
          erasing--;
        }
      };
      return locks ? (locks.request(name, body) as Promise<T>) : body();
    },
    leaving() {
      unloading = true;
      setTimeout(() => (unloading = false), 0);
    },
    consent(consent, purposes) {
      if (consent !== 'pending') channel.postMessage({ consent, purposes } satisfies ConsentMessage);
    },
    close: () => channel.close(),
  };
}
