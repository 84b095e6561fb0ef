import { describe, expect, it } from 'vitest';
import { LocalRecError } from '../src/errors.js';
import { resolveConfig, type LocalRecConfig } from '../src/config.js';
import { MemoryBacking, MemoryEventStore } from '../src/memory-store.js';
import { Recorder, SESSION_META_KEY } from '../src/recorder.js';
import { recentSequence } from '../src/sequence.js';
import type { EventStore, StoreResidue } from '../src/store.js';
import type { NewEvent, StoredEvent } from '../src/events.js';

const T0 = Date.UTC(2026, 0, 1);

/** A memory store that counts append calls (transactions) and can be made to fail. */
class CountingStore extends MemoryEventStore {
  appends: number[] = [];
  failOpen: Error | undefined;
  failAppend: Error | undefined;
  override async open(): Promise<void> {
    if (this.failOpen) throw this.failOpen;
    return super.open();
  }
  override async append(events: readonly NewEvent[]): Promise<StoredEvent[]> {
    this.appends.push(events.length);
    if (this.failAppend) throw this.failAppend;
    return super.append(events);
  }
}

function setup(cfg: Partial<LocalRecConfig> = {}, store: EventStore = new CountingStore()) {
  let now = T0;
  const errors: LocalRecError[] = [];
  const rec = new Recorder({
    config: resolveConfig({ appId: 'test', rateLimit: false, ...cfg }),
    store,
    onError: (e) => errors.push(e),
    now: () => now,
  });
  return { rec, store, errors, tick: (ms: number) => (now += ms), at: () => now };
}

describe('Recorder', () => {
  it('records, batches writes (one append per batch, never one per event) and reads back in order', async () => {
    const { rec, store } = setup({ batchSize: 100 });
    for (let i = 0; i < 250; i++) rec.record('view', { itemId: `I${i}` });
    await rec.flush();
    const s = store as CountingStore;
    expect(s.appends.reduce((a, b) => a + b, 0)).toBe(250);
    expect(s.appends.length).toBe(3);
    const events = await store.query();
    expect(events.map((e) => e.itemId)).toEqual(Array.from({ length: 250 }, (_, i) => `I${i}`));
    expect(rec.status).toMatchObject({ storage: 'memory', degraded: false, pending: 0 });
  });

  it('rejects invalid events, storing nothing', async () => {
    const { rec, store } = setup();
    expect(() => rec.record('view', { itemId: 42 })).toThrow(LocalRecError);
    expect(() => rec.record('nope', {})).toThrow(/type/);
    await rec.flush();
    expect(await store.count()).toBe(0);
    expect(rec.status.pending).toBe(0);
  });

  it('requireConsent: holds events in memory, touches no storage, writes on grant', async () => {
    const backing = new MemoryBacking();
    const { rec } = setup({ requireConsent: true }, new MemoryEventStore({ backing }));
    expect(rec.consent).toBe('pending');
    rec.record('view', { itemId: 'A' });
    rec.record('click', { itemId: 'A' });
    await rec.flush();
    expect(backing.exists).toBe(false);
    expect(rec.status.pending).toBe(2);
    expect((await rec.exportData()).pending).toHaveLength(2);
    expect(backing.exists).toBe(false); // export before consent does not create storage
    rec.setConsent('granted');
    await rec.flush();
    expect(backing.events.map((e) => e.type)).toEqual(['view', 'click']);
  });

  it("'denied' discards the queue and stores nothing afterwards", async () => {
    const backing = new MemoryBacking();
    const { rec } = setup({ requireConsent: true }, new MemoryEventStore({ backing }));
    rec.record('view', { itemId: 'A' });
    rec.setConsent('denied');
    expect(rec.status.pending).toBe(0);
    expect(rec.record('view', { itemId: 'B' })).toBeUndefined();
    await rec.flush();
    expect(backing.exists).toBe(false);
    expect(backing.events).toHaveLength(0);
  });

  it('bounds the consent queue, dropping the oldest and reporting QUEUE_FULL once', async () => {
    const { rec, errors } = setup({ requireConsent: true, queueLimit: 10 });
    for (let i = 0; i < 25; i++) rec.record('view', { itemId: `I${i}` });
    expect(rec.status.pending).toBe(10);
    expect(errors.filter((e) => e.code === 'QUEUE_FULL')).toHaveLength(1);
    rec.setConsent('granted');
    await rec.flush();
    expect((await rec.query()).map((e) => e.itemId)).toEqual(Array.from({ length: 10 }, (_, i) => `I${i + 15}`));
  });

  it('rejects invalid consent values naming the accepted ones', () => {
    const { rec } = setup();
    expect(() => rec.setConsent('yes' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', accepted: ['granted', 'denied', 'pending'] }),
    );
  });

  it('store open failure → memory fallback, reported, nothing lost', async () => {
    const store = new CountingStore();
    store.failOpen = new LocalRecError('STORAGE_UNAVAILABLE', 'IndexedDB refused to open');
    const { rec, errors } = setup({}, store);
    rec.record('view', { itemId: 'A' });
    rec.record('purchase', { itemId: 'A', quantity: 1, price: 3 });
    await expect(rec.flush()).resolves.toBeUndefined();
    expect(rec.status).toMatchObject({ storage: 'memory', degraded: true, pending: 0 });
    expect(rec.status.storageError).toMatch(/refused/);
    expect(errors.map((e) => e.code)).toContain('STORAGE_UNAVAILABLE');
    expect((await rec.query()).map((e) => e.type)).toEqual(['view', 'purchase']);
  });

  it('append failure mid-session → fallback keeps the stored history and the failed batch', async () => {
    const store = new CountingStore();
    const { rec, errors } = setup({}, store);
    rec.record('view', { itemId: 'A' });
    await rec.flush();
    store.failAppend = new Error('disk gone');
    rec.record('view', { itemId: 'B' });
    rec.record('view', { itemId: 'C' });
    await rec.flush();
    expect(rec.status.degraded).toBe(true);
    expect(errors[0]?.code).toBe('STORAGE_FAILED');
    expect((await rec.query()).map((e) => e.itemId)).toEqual(['A', 'B', 'C']);
    expect(await store.count()).toBe(1); // the failed store still holds what it had
  });

  it('strict mode: flush rejects with the storage error, still after failing over', async () => {
    const store = new CountingStore();
    store.failAppend = new Error('boom');
    const rec = new Recorder({ config: resolveConfig({ appId: 'x' }), store, strict: true });
    rec.record('view', { itemId: 'A' });
    await expect(rec.flush()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect(rec.status.degraded).toBe(true);
    expect(await rec.query()).toHaveLength(1);
  });

  it('QUOTA_EXCEEDED: evicts oldest first and keeps recording in the same store', async () => {
    const store = new CountingStore();
    const { rec, errors } = setup({}, store);
    for (let i = 0; i < 10; i++) rec.record('view', { itemId: `I${i}` });
    await rec.flush();
    let failures = 1;
    const orig = store.append.bind(store);
    store.append = async (evs) => {
      if (failures-- > 0) throw new LocalRecError('QUOTA_EXCEEDED', 'full');
      return orig(evs);
    };
    rec.record('view', { itemId: 'NEW' });
    await rec.flush();
    expect(rec.status.degraded).toBe(false);
    const ids = (await rec.query()).map((e) => e.itemId);
    expect(ids[ids.length - 1]).toBe('NEW');
    expect(ids).not.toContain('I0');
    expect(errors[0]?.code).toBe('QUOTA_EXCEEDED');
  });

  it('applies retention and the cap after a flush, oldest first', async () => {
    const { rec, tick } = setup({ maxEvents: 5, retentionDays: 1 });
    rec.record('view', { itemId: 'old' });
    await rec.flush();
    tick(2 * 24 * 3600 * 1000);
    for (let i = 0; i < 8; i++) rec.record('view', { itemId: `I${i}` });
    await rec.flush();
    expect((await rec.query()).map((e) => e.itemId)).toEqual(['I3', 'I4', 'I5', 'I6', 'I7']);
  });

  it('rate limit rejects bursts with RATE_LIMITED and refills over time', () => {
    const { rec, tick } = setup({ rateLimit: { perSecond: 2, burst: 3 } });
    for (let i = 0; i < 3; i++) rec.record('view', { itemId: 'A' });
    expect(() => rec.record('view', { itemId: 'A' })).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    tick(500);
    expect(rec.record('view', { itemId: 'A' })).toBeDefined();
  });

  it('sessions rotate after 30 min idle and continue across instances (page loads)', async () => {
    const backing = new MemoryBacking();
    const a = setup({}, new MemoryEventStore({ backing }));
    const e1 = a.rec.record('view', { itemId: 'A' })!;
    a.tick(29 * 60_000);
    const e2 = a.rec.record('view', { itemId: 'B' })!;
    expect(e2.sessionId).toBe(e1.sessionId);
    await a.rec.flush();
    expect(((await new MemoryEventStore({ backing }).getMeta(SESSION_META_KEY)) as { id: string }).id).toBe(e1.sessionId);

    // A new page 10 minutes later continues the session…
    const b = setup({}, new MemoryEventStore({ backing }));
    b.tick(39 * 60_000);
    b.rec.record('view', { itemId: 'C' });
    await b.rec.flush();
    const stored = await b.store.query();
    expect(stored[2]?.sessionId).toBe(e1.sessionId);
    // …but after 31 idle minutes a new one starts.
    b.tick(31 * 60_000);
    const e4 = b.rec.record('view', { itemId: 'D' })!;
    expect(e4.sessionId).not.toBe(e1.sessionId);
  });

  it('returned events are frozen (the host cannot change what will be stored)', () => {
    const { rec } = setup();
    const e = rec.record('impression', { items: ['A', 'B'] })!;
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.data)).toBe(true);
    expect(() => (e.data.items as string[]).push('C')).toThrow();
  });

  it('exportData returns stored events, meta and pending; forget deletes and proves it', async () => {
    const backing = new MemoryBacking();
    const { rec } = setup({}, new MemoryEventStore({ backing }));
    rec.record('view', { itemId: 'A' });
    rec.record('search', { query: 'kettle' });
    const exp = await rec.exportData();
    expect(exp.events.map((e) => e.type)).toEqual(['view', 'search']);
    expect(exp.meta[SESSION_META_KEY]).toBeDefined();
    expect(JSON.parse(JSON.stringify(exp))).toEqual(exp);
    const proof = await rec.forget();
    expect(proof).toMatchObject({ verified: true, remainingEvents: 0, remainingDatabases: [], storage: 'memory' });
    expect(backing.events).toHaveLength(0);
    // Recording continues afterwards.
    rec.record('view', { itemId: 'B' });
    expect((await rec.query()).map((e) => e.itemId)).toEqual(['B']);
  });

  it('forget reports what it could not delete', async () => {
    const store = new MemoryEventStore();
    store.residue = async (): Promise<StoreResidue> => ({ events: 3, databases: ['stuck'] });
    const { rec } = setup({}, store);
    const proof = await rec.forget();
    expect(proof).toMatchObject({ verified: false, remainingEvents: 3, remainingDatabases: ['stuck'] });
  });

  it('query reads the active store (input of recentSequence)', async () => {
    const { rec } = setup();
    for (const id of ['A', 'A', 'B', 'C']) rec.record('view', { itemId: id });
    rec.record('impression', { items: ['X'] });
    expect(recentSequence(await rec.query(), { maxLen: 2 }).map((e) => e.itemId)).toEqual(['B', 'C']);
  });

  it('a throwing onError callback does not break recording', async () => {
    const store = new CountingStore();
    store.failOpen = new Error('nope');
    const rec = new Recorder({
      config: resolveConfig({ appId: 'x' }),
      store,
      onError: () => {
        throw new Error('host bug');
      },
    });
    rec.record('view', { itemId: 'A' });
    await rec.flush();
    expect(await rec.query()).toHaveLength(1);
  });

  it('a flush asked for during the upkeep after a write (session, retention, cap) writes at once, not behind it', async () => {
    let release!: () => void;
    const held = new Promise<void>((ok) => {
      release = ok;
    });
    class SlowUpkeep extends CountingStore {
      hold = false;
      override async setMeta(key: string, value: unknown): Promise<void> {
        if (this.hold) await held; // the upkeep is slow (e.g. a big prune)
        return super.setMeta(key, value);
      }
    }
    const store = new SlowUpkeep();
    const { rec } = setup({}, store);
    rec.record('view', { itemId: 'A' });
    await rec.flush();
    store.hold = true;
    rec.record('view', { itemId: 'B' });
    const first = rec.flush(); // writes B, then its upkeep waits
    await new Promise((ok) => setTimeout(ok, 5));
    rec.record('view', { itemId: 'C' }); // e.g. tracked just before pagehide
    const second = rec.flush();
    await new Promise((ok) => setTimeout(ok, 5));
    expect((await store.query()).map((e) => e.itemId)).toEqual(['A', 'B', 'C']); // durable while the upkeep still runs
    expect(rec.writes).toBe(3);
    let settled = false;
    void second.then(() => {
      settled = true;
    });
    await new Promise((ok) => setTimeout(ok, 5));
    expect(settled).toBe(false); // flush() still resolves only after the upkeep (the cap holds when it resolves)
    release();
    await Promise.all([first, second]);
    const proof = await rec.forget();
    expect(proof.verified).toBe(true);
    expect(rec.writes).toBe(4);
  });

  it('forget() waits for an upkeep in flight, so the upkeep cannot re-create what was erased', async () => {
    let release!: () => void;
    const held = new Promise<void>((ok) => {
      release = ok;
    });
    const backing = new MemoryBacking();
    class SlowPrune extends MemoryEventStore {
      override async prune(o: Parameters<MemoryEventStore['prune']>[0]): Promise<number> {
        await held;
        return super.prune(o);
      }
    }
    const store = new SlowPrune({ backing });
    const { rec } = setup({}, store);
    rec.record('view', { itemId: 'A' });
    const flushed = rec.flush();
    await new Promise((ok) => setTimeout(ok, 5));
    const forgetting = rec.forget();
    release();
    await flushed;
    expect(await forgetting).toMatchObject({ verified: true, remainingEvents: 0 });
    expect(backing.events).toHaveLength(0);
    expect(Object.keys(backing.meta)).toEqual([]);
  });

  it('flushNow() writes the queue at once while an earlier write still waits, storing nothing twice; it waits behind an erase', async () => {
    let release!: () => void;
    const gate = new Promise<void>((ok) => {
      release = ok;
    });
    /** The first append waits for the gate (a write waiting for a lock that a leaving page never gets). */
    class Gated extends CountingStore {
      override async append(events: readonly NewEvent[]): Promise<StoredEvent[]> {
        if (this.appends.length === 0) {
          this.appends.push(events.length);
          await gate;
          return MemoryEventStore.prototype.append.call(this, events);
        }
        return super.append(events);
      }
    }
    const store = new Gated();
    const { rec } = setup({}, store);
    await rec.open();
    for (const itemId of ['A', 'B']) rec.record('view', { itemId });
    const slow = rec.flush();
    await new Promise((ok) => setTimeout(ok, 5));
    rec.record('view', { itemId: 'C' });
    await rec.flushNow();
    expect((await store.query()).map((e) => e.itemId)).toEqual(['A', 'B', 'C']);
    release();
    await slow;
    expect((await store.query()).map((e) => e.itemId)).toEqual(['A', 'B', 'C']);
    expect(rec.status.pending).toBe(0);

    // An erase asked for first is not overtaken: what was queued before it is not written after it.
    rec.record('view', { itemId: 'D' });
    const erased = rec.forget();
    await rec.flushNow();
    expect(await erased).toMatchObject({ verified: true });
    expect(await store.count()).toBe(0);
  });
});
