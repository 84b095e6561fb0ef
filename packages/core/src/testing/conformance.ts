/**
 * The storage conformance suite: ONE set of tests that every {@link EventStore} adapter must
 * pass (memory, IndexedDB in real Chromium and on fake-indexeddb, key-value). Written against
 * vitest; call {@link describeEventStoreConformance} from a test file of the adapter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CONSENT_VALUES, resolveConfig } from '../config.js';
import { LocalRecError } from '../errors.js';
import type { EventType, NewEvent, StoredEvent } from '../events.js';
import { Recorder } from '../recorder.js';
import { withRetention } from '../retention.js';
import { recentSequence } from '../sequence.js';
import type { EventStore } from '../store.js';

/** Heals a broken store (see {@link ConformanceOptions.breakStore}). */
export type Heal = () => void | Promise<void>;

/** How the suite makes and breaks stores of one adapter. */
export interface ConformanceOptions {
  /** Adapter name, shown in the test names. */
  name: string;
  /**
   * Makes a store. Stores made with the same `key` share one backing storage (like two tabs on
   * one database); different keys are independent. The suite destroys every store it made.
   */
  makeStore(key: string): EventStore | Promise<EventStore>;
  /**
   * Makes the backing storage of `store` fail partway through its next write batch (a real or
   * injected storage fault — quota, I/O error), and returns a function that ends the fault.
   * Omitted: the fault tests are skipped (and reported as skipped).
   */
  breakStore?(store: EventStore): Heal | Promise<Heal>;
}

const BASE_TS = Date.UTC(2026, 0, 1);
const DAY = 24 * 60 * 60 * 1000;
const STORAGE_CODES = ['STORAGE_FAILED', 'STORAGE_UNAVAILABLE', 'QUOTA_EXCEEDED'];

/** A valid event for store tests: item `I<i % 10>`, `ts = BASE + i s`, unique uid. */
export function makeTestEvent(i: number, over: Partial<NewEvent> = {}): NewEvent {
  return {
    uid: `u-${i}-${Math.random().toString(36).slice(2, 10)}`,
    type: 'view',
    ts: BASE_TS + i * 1000,
    sessionId: 's1',
    itemId: `I${i % 10}`,
    data: {},
    ...over,
  };
}

function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

function uids(events: readonly StoredEvent[]): string[] {
  return events.map((e) => e.uid);
}

/**
 * Declares the conformance tests for one adapter.
 * @example describeEventStoreConformance({ name: 'memory', makeStore: (key) => new MemoryEventStore({ backing: backings(key) }) });
 */
export function describeEventStoreConformance(opts: ConformanceOptions): void {
  const made: EventStore[] = [];
  let counter = 0;
  const freshKey = (): string => `conf-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const make = async (key: string): Promise<EventStore> => {
    const s = await opts.makeStore(key);
    made.push(s);
    return s;
  };
  const fresh = async (): Promise<EventStore> => {
    const s = await make(freshKey());
    await s.open();
    return s;
  };

  describe(`EventStore conformance: ${opts.name}`, () => {
    afterEach(async () => {
      const stores = made.splice(0);
      for (const s of stores) s.close();
      for (const s of stores) await s.destroy().catch(() => undefined);
    });

    it('records and reads back in order, assigning increasing seq', async () => {
      const s = await fresh();
      const a = range(5).map((i) => makeTestEvent(i));
      const b = range(5, 5).map((i) => makeTestEvent(i, { type: 'click', context: { page: 'p', position: i } }));
      const storedA = await s.append(a);
      const storedB = await s.append(b);
      expect(storedA.map((e) => e.uid)).toEqual(a.map((e) => e.uid));
      const seqs = [...storedA, ...storedB].map((e) => e.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(10);
      const all = await s.query();
      expect(all).toHaveLength(10);
      expect(uids(all)).toEqual([...a, ...b].map((e) => e.uid));
      expect(all[7]).toEqual({ ...b[2], seq: storedB[2]?.seq });
      expect(await s.count()).toBe(10);
    });

    it('orders by timestamp, ties by insertion order', async () => {
      const s = await fresh();
      const late = makeTestEvent(50);
      const early = makeTestEvent(1);
      const tieA = makeTestEvent(20, { itemId: 'tieA' });
      const tieB = makeTestEvent(20, { itemId: 'tieB' });
      await s.append([late, tieA]);
      await s.append([early, tieB]);
      expect(uids(await s.query())).toEqual([early.uid, tieA.uid, tieB.uid, late.uid]);
      expect(uids(await s.query({ order: 'desc' }))).toEqual([late.uid, tieB.uid, tieA.uid, early.uid]);
    });

    it('queries by type, time, item, with order and limit', async () => {
      const s = await fresh();
      const types: EventType[] = ['view', 'click', 'add_to_cart', 'purchase', 'myshop:wishlist'];
      const evs = range(40).map((i) => makeTestEvent(i, { type: types[i % types.length] as EventType }));
      await s.append(evs);
      const ts = (i: number): number => BASE_TS + i * 1000;
      const want = (f: (e: NewEvent, i: number) => boolean): string[] => evs.filter(f).map((e) => e.uid);

      expect(uids(await s.query({ types: ['click'] }))).toEqual(want((_, i) => i % 5 === 1));
      expect(uids(await s.query({ types: ['purchase', 'myshop:wishlist'] }))).toEqual(want((_, i) => i % 5 >= 3));
      expect(await s.query({ types: [] })).toEqual([]);
      expect(uids(await s.query({ since: ts(10), until: ts(20) }))).toEqual(want((_, i) => i >= 10 && i < 20));
      expect(uids(await s.query({ itemId: 'I3' }))).toEqual(want((_, i) => i % 10 === 3));
      expect(uids(await s.query({ itemId: 'I3', types: ['view'], since: ts(5) }))).toEqual(
        want((_, i) => i % 10 === 3 && i % 5 === 0 && i >= 5),
      );
      expect(uids(await s.query({ types: ['view'], since: ts(10), until: ts(30), order: 'desc', limit: 3 }))).toEqual(
        want((_, i) => i % 5 === 0 && i >= 10 && i < 30)
          .reverse()
          .slice(0, 3),
      );
      expect(uids(await s.query({ limit: 4 }))).toEqual(want((_, i) => i < 4));
      expect(uids(await s.query({ order: 'desc', limit: 2 }))).toEqual(want((_, i) => i >= 38).reverse());
      expect(uids(await s.query({ types: ['click', 'view'], order: 'desc', limit: 3 }))).toEqual(
        want((_, i) => i % 5 <= 1)
          .reverse()
          .slice(0, 3),
      );
      expect(await s.query({ itemId: 'nope' })).toEqual([]);
      expect(await s.query({ since: ts(100) })).toEqual([]);
    });

    it('retention deletes events older than the window and nothing newer', async () => {
      const s = await fresh();
      const now = BASE_TS + 40 * DAY;
      const evs = range(10).map((i) => makeTestEvent(i, { ts: now - (i * 5 + 1) * DAY }));
      await s.append(evs);
      const deleted = await s.prune({ retentionMs: 30 * DAY, maxEvents: 1000, now });
      expect(deleted).toBe(4); // ages 1, 6, 11, 16, 21, 26 days stay; 31, 36, 41, 46 go
      const left = await s.query();
      expect(left.every((e) => e.ts >= now - 30 * DAY)).toBe(true);
      expect(left).toHaveLength(6);
      expect(await s.prune({ retentionMs: 30 * DAY, maxEvents: 1000, now })).toBe(0);
    });

    it('the cap evicts the oldest events first (by time, not by insertion)', async () => {
      const s = await fresh();
      const evs = range(20).map((i) => makeTestEvent(i));
      await s.append(evs.slice(10)); // newer ones first
      await s.append(evs.slice(0, 10));
      const deleted = await s.prune({ retentionMs: 3650 * DAY, maxEvents: 7, now: BASE_TS + DAY });
      expect(deleted).toBe(13);
      expect(uids(await s.query())).toEqual(evs.slice(13).map((e) => e.uid));
      expect(await s.count()).toBe(7);
    });

    it('appends are idempotent by uid (retries, duplicates within a batch)', async () => {
      const s = await fresh();
      const evs = range(6).map((i) => makeTestEvent(i));
      expect(await s.append(evs)).toHaveLength(6);
      expect(await s.append(evs)).toEqual([]);
      const again = await s.append([
        evs[0] as NewEvent,
        makeTestEvent(6),
        makeTestEvent(6, { uid: 'dup' }),
        makeTestEvent(7, { uid: 'dup' }),
      ]);
      expect(again).toHaveLength(2);
      expect(await s.count()).toBe(8);
      expect(new Set(uids(await s.query())).size).toBe(8);
    });

    it('keeps a small meta area', async () => {
      const s = await fresh();
      expect(await s.getMeta('missing')).toBeUndefined();
      await s.setMeta('session', { id: 'abc', lastActivity: 5, nested: { list: [1, 2] } });
      await s.setMeta('n', 3);
      expect(await s.getMeta('session')).toEqual({ id: 'abc', lastActivity: 5, nested: { list: [1, 2] } });
      await s.setMeta('n', 4);
      expect(await s.getMeta('n')).toBe(4);
      await s.deleteMeta('n');
      expect(await s.getMeta('n')).toBeUndefined();
    });

    it('dump exports every event (ordered) and meta, as JSON-safe data', async () => {
      const s = await fresh();
      const evs = range(12).map((i) => makeTestEvent(i, { data: { dwellMs: i } }));
      await s.append(evs);
      await s.setMeta('k', { v: 1 });
      const d = await s.dump();
      expect(d.store).toBe(s.kind);
      expect(d.schemaVersion).toBeGreaterThan(0);
      expect(uids(d.events)).toEqual(evs.map((e) => e.uid));
      expect(d.meta).toEqual({ k: { v: 1 } });
      expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    });

    it('destroy leaves nothing, proven by a re-read that creates nothing', async () => {
      const key = freshKey();
      const s = await make(key);
      await s.append(range(30).map((i) => makeTestEvent(i)));
      await s.setMeta('session', { id: 'x' });
      const before = await s.residue();
      expect(before.events).toBe(30);
      expect(before.databases.length).toBeGreaterThan(0);
      await s.destroy();
      expect(await s.residue()).toEqual({ events: 0, databases: [] });
      expect(await s.residue()).toEqual({ events: 0, databases: [] }); // residue() itself created nothing
      const other = await make(key);
      expect(await other.count()).toBe(0);
      expect(await other.getMeta('session')).toBeUndefined();
      // The store is still usable afterwards, on fresh storage.
      await s.append([makeTestEvent(1)]);
      expect(await s.count()).toBe(1);
    });

    it('residue of storage never written reports nothing and creates nothing', async () => {
      const s = await make(freshKey());
      expect(await s.residue()).toEqual({ events: 0, databases: [] });
      expect(await s.residue()).toEqual({ events: 0, databases: [] });
    });

    it('data persists across instances (close, reopen)', async () => {
      const key = freshKey();
      const a = await make(key);
      const evs = range(8).map((i) => makeTestEvent(i));
      await a.append(evs);
      a.close();
      const b = await make(key);
      expect(uids(await b.query())).toEqual(evs.map((e) => e.uid));
      await a.append([makeTestEvent(9)]); // a closed store reopens on use
      expect(await b.count()).toBe(9);
    });

    it('a large batch is stored in one append', async () => {
      const s = await fresh();
      const evs = range(3000).map((i) => makeTestEvent(i));
      expect(await s.append(evs)).toHaveLength(3000);
      expect(await s.count()).toBe(3000);
    });

    it('two writers on the same storage, concurrently: nothing lost, nothing duplicated', async () => {
      const key = freshKey();
      const a = await make(key);
      const b = await make(key);
      await Promise.all([a.open(), b.open()]);
      const ownA = range(200).map((i) => makeTestEvent(i, { sessionId: 'A' }));
      const ownB = range(200).map((i) => makeTestEvent(i, { sessionId: 'B' }));
      const shared = range(40).map((i) => makeTestEvent(1000 + i, { sessionId: 'shared' }));
      const batches = (own: NewEvent[]): NewEvent[][] =>
        range(10).map((k) => [...own.slice(k * 20, k * 20 + 20), ...shared.slice(k * 4, k * 4 + 8)]);
      const write = async (s: EventStore, bs: NewEvent[][]): Promise<void> => {
        for (const batch of bs) {
          await s.append(batch);
          await s.prune({ retentionMs: 3650 * DAY, maxEvents: 100_000, now: BASE_TS });
        }
      };
      await Promise.all([write(a, batches(ownA)), write(b, batches(ownB))]);
      for (const reader of [a, b]) {
        const all = await reader.query();
        expect(all).toHaveLength(440);
        expect(new Set(uids(all)).size).toBe(440);
        expect(new Set(all.map((e) => e.seq)).size).toBe(440);
        expect(uids(all.filter((e) => e.sessionId === 'A'))).toEqual(uids(ownA as StoredEvent[]));
        expect(uids(all.filter((e) => e.sessionId === 'B'))).toEqual(uids(ownB as StoredEvent[]));
      }
    });

    describe('nothing past retention is ever returned, with or without writes, under every consent state', () => {
      const RETENTION = 30 * DAY;
      /** Ages in days of the events a previous visit left: 1, 6, …, 46 (31 and older are past retention). */
      const AGES = range(10).map((i) => i * 5 + 1);
      const T0 = BASE_TS + 60 * DAY;

      /** A store (on a fresh key) holding one event per age in {@link AGES} as of `T0`, and its key. */
      const seeded = async (): Promise<{ key: string; store: EventStore; events: NewEvent[] }> => {
        const key = freshKey();
        const store = await make(key);
        const types: EventType[] = ['view', 'purchase'];
        const events = AGES.map((age, i) => makeTestEvent(i, { ts: T0 - age * DAY, type: types[i % 2] as EventType, itemId: `A${age}` }));
        await store.append(events);
        return { key, store, events };
      };
      const within = (events: readonly NewEvent[], now: number): string[] =>
        events
          .filter((e) => e.ts >= now - RETENTION)
          .sort((a, b) => a.ts - b.ts)
          .map((e) => e.uid);
      /** Every read of `s`, each checked to hold exactly the events of `want` (ordered by time). */
      const expectOnly = async (s: EventStore, want: string[], now: number): Promise<void> => {
        const cutoff = now - RETENTION;
        expect(uids(await s.query())).toEqual(want);
        expect(uids(await s.query({ order: 'desc' }))).toEqual([...want].reverse());
        expect(uids(await s.query({ since: cutoff - 20 * DAY }))).toEqual(want);
        expect(uids(await s.query({ until: cutoff }))).toEqual([]);
        expect(uids(await s.query({ limit: 1 }))).toEqual(want.slice(0, 1));
        expect(uids(await s.query({ types: ['purchase'] })).every((u) => want.includes(u))).toBe(true);
        expect((await s.query({ itemId: `A${AGES[AGES.length - 1]}` })).length).toBe(0);
        expect(await s.count()).toBe(want.length);
        expect(uids((await s.dump()).events)).toEqual(want);
        if (s.tail) {
          const t = await s.tail(0);
          expect(t.oldest?.uid).toBe(want[0]);
          expect(t.rows.every((e) => e.ts >= cutoff)).toBe(true);
          expect(t.rows).toHaveLength(want.length);
        }
        const seq = await recentSequence(s, { maxLen: 50 });
        expect(seq.every((e) => e.ts >= cutoff)).toBe(true);
      };

      it('withRetention hides expired events on every read before any prune, and more as the clock moves on', async () => {
        const { key, store, events } = await seeded();
        let now = T0;
        const view = withRetention(store, { retentionMs: RETENTION, now: () => now });
        await expectOnly(view, within(events, now), now);
        expect(within(events, now)).toHaveLength(6);
        // Nothing was deleted: this is the read side alone (another instance sees all ten).
        expect(await (await make(key)).count()).toBe(10);
        now += 10 * DAY; // no write, no prune: two more pass the window
        await expectOnly(view, within(events, now), now);
        expect(within(events, now)).toHaveLength(4);
        expect(await store.count()).toBe(10);
        // Writes through the view still land, and show while within the window.
        const fresh = makeTestEvent(99, { ts: now - DAY });
        await view.append([fresh]);
        await expectOnly(view, [...within(events, now), fresh.uid], now);
      });

      for (const consent of CONSENT_VALUES) {
        it(`a Recorder (consent ${consent}) never returns an expired event, deletes them at open, on its timer and after writes`, async () => {
          const { key, events } = await seeded();
          let now = T0;
          const ticks: Array<() => void> = [];
          const rec = new Recorder({
            config: resolveConfig({ appId: 'conformance', consent, requireConsent: consent !== 'granted', retentionDays: 30 }),
            store: await make(key),
            now: () => now,
            timer: (tick) => {
              ticks.push(tick);
              return () => ticks.splice(0);
            },
          });
          const raw = await make(key);
          // Without any write: export and query (which open the store) hold only what is within retention …
          const exported = await rec.exportData();
          expect(uids(exported.events)).toEqual(within(events, now));
          expect(uids(await rec.query())).toEqual(within(events, now));
          await expectOnly(rec.store, within(events, now), now);
          // … and opening deleted the rest, whatever the consent.
          expect(uids(await raw.query())).toEqual(within(events, now));
          expect(ticks).toHaveLength(1);

          // The clock moves on, nothing is written: reads hide the newly expired events before any prune …
          now += 10 * DAY;
          expect(uids((await rec.exportData()).events)).toEqual(within(events, now));
          await expectOnly(rec.store, within(events, now), now);
          expect(await raw.count()).toBe(within(events, now - 10 * DAY).length);
          // … and the timer deletes them.
          ticks[0]!();
          await rec.flush();
          expect(uids(await raw.query())).toEqual(within(events, now));

          // With a write (only where consent allows one): still nothing past retention, old or new.
          now += 5 * DAY;
          const recorded = rec.record('view', { itemId: 'NEW' });
          await rec.flush();
          const want = [...within(events, now), ...(consent === 'granted' ? [recorded!.uid] : [])];
          expect(recorded === undefined).toBe(consent === 'denied');
          expect(uids((await rec.exportData()).events)).toEqual(want);
          if (consent === 'granted') expect(uids(await raw.query())).toEqual(want);
          rec.close();
          expect(ticks).toHaveLength(0);
        });

        it(`a Recorder (consent ${consent}) opened with open() deletes expired events without any read or write`, async () => {
          const { key, events } = await seeded();
          const rec = new Recorder({
            config: resolveConfig({ appId: 'conformance', consent, requireConsent: consent !== 'granted', retentionDays: 30 }),
            store: await make(key),
            now: () => T0,
            pruneIntervalMs: 0,
          });
          await rec.open();
          expect(uids(await (await make(key)).query())).toEqual(within(events, T0));
          rec.close();
        });
      }

      it('open() creates no storage where none exists', async () => {
        const key = freshKey();
        const rec = new Recorder({
          config: resolveConfig({ appId: 'conformance', retentionDays: 30 }),
          store: await make(key),
          now: () => T0,
        });
        await rec.open();
        expect(await (await make(key)).residue()).toEqual({ events: 0, databases: [] });
        rec.close();
      });
    });

    it.skipIf(!opts.breakStore)('a storage failure mid-write stores none of the batch and loses nothing stored before', async () => {
      const key = freshKey();
      const s = await make(key);
      const before = range(10).map((i) => makeTestEvent(i));
      await s.append(before);
      const batch = range(10, 10).map((i) => makeTestEvent(i));
      const heal = await opts.breakStore!(s);
      let error: unknown;
      try {
        await s.append(batch);
      } catch (e) {
        error = e;
      } finally {
        await heal();
      }
      expect(error).toBeInstanceOf(LocalRecError);
      expect(STORAGE_CODES).toContain((error as LocalRecError).code);
      // Nothing already stored was lost, none of the failed batch is there — seen by this and a new instance.
      expect(uids(await s.query())).toEqual(uids(before as StoredEvent[]));
      const other = await make(key);
      expect(uids(await other.query())).toEqual(uids(before as StoredEvent[]));
      // A retry of the same batch after the fault succeeds, exactly once.
      expect(await s.append(batch)).toHaveLength(10);
      expect(uids(await other.query())).toEqual(uids([...before, ...batch] as StoredEvent[]));
    });
  });
}
