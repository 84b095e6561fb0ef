// IndexedDbEventStore on REAL IndexedDB in Chromium: schema upgrade with data, use from a real
// module Web Worker (read-only, as the runtime does), concurrent writers in two threads, erasure
// proven with indexedDB.databases(), and the Recorder's fallback when the database cannot open.
import { describe, expect, it } from 'vitest';
import { Recorder, recentSequence, resolveConfig, type LocalRecError, type NewEvent } from '@localrec/core';
import { makeTestEvent } from '@localrec/core/testing';
import { IndexedDbEventStore } from '../src/index.js';
import { databaseName, openDatabase } from '../src/testing.js';

let n = 0;
const appId = (): string => `browser-${Date.now().toString(36)}-${n++}`;

let nextId = 0;
function inWorker<T>(msg: Record<string, unknown>): Promise<T> {
  const worker = new Worker(new URL('./fixtures/store.worker.ts', import.meta.url), { type: 'module' });
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent<{ id: number; ok: boolean; error?: unknown } & T>) => {
      if (ev.data.id !== id) return;
      worker.terminate();
      if (ev.data.ok) resolve(ev.data);
      else reject(new Error(JSON.stringify(ev.data.error)));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message));
    };
    worker.postMessage({ id, ...msg });
  });
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '');
}

describe('IndexedDbEventStore in Chromium', () => {
  it('runs on the real platform IndexedDB', () => {
    expect(navigator.userAgent).toMatch(/Chrome\//);
    expect(Object.prototype.toString.call(indexedDB)).toBe('[object IDBFactory]');
  });

  it('upgrades a v1 database holding data to v2 without losing any event', async () => {
    const id = appId();
    const v1 = await openDatabase(databaseName(id), 1);
    const old = [makeTestEvent(1), makeTestEvent(2, { type: 'click' }), makeTestEvent(3, { type: 'purchase' })];
    const tx = v1.transaction('events', 'readwrite');
    for (const e of old) await tx.store.add(e as never);
    await tx.done;
    v1.close();
    const store = new IndexedDbEventStore({ appId: id });
    expect((await store.query({ types: ['purchase'] })).map((e) => e.uid)).toEqual([old[2]?.uid]);
    const dump = await store.dump();
    expect(dump.schemaVersion).toBe(2);
    expect(dump.events.map((e) => e.uid)).toEqual(old.map((e) => e.uid));
    await store.destroy();
  });

  it('a module worker reads what the page stored (read-only, no DOM), and never creates the database', async () => {
    const id = appId();
    type QueryReply = {
      events: NewEvent[];
      count: number;
      residue: { events: number; databases: string[] };
      tail?: { oldest?: NewEvent; rows: NewEvent[] };
    };
    const before = await inWorker<QueryReply>({ op: 'query', appId: id, readOnly: true });
    expect(before).toMatchObject({ events: [], count: 0, residue: { events: 0, databases: [] }, tail: { rows: [] } });
    expect(await databaseNames()).not.toContain(databaseName(id));

    const store = new IndexedDbEventStore({ appId: id });
    const evs = Array.from({ length: 12 }, (_, i) => makeTestEvent(i));
    await store.append(evs);
    const after = await inWorker<QueryReply>({ op: 'query', appId: id, readOnly: true });
    expect(after.count).toBe(12);
    expect(after.events.map((e) => e.uid)).toEqual(
      evs
        .slice(7)
        .reverse()
        .map((e) => e.uid),
    );
    expect(after.tail!.oldest?.uid).toBe(evs[0]!.uid);
    expect(after.tail!.rows.map((e) => e.uid)).toEqual(evs.slice(8).map((e) => e.uid)); // stored after the 5th newest
    await store.destroy();
  });

  it('page and worker writing the same database at the same time: nothing lost, nothing duplicated', async () => {
    const id = appId();
    const shared = Array.from({ length: 50 }, (_, i) => makeTestEvent(1000 + i, { sessionId: 'shared' }));
    const mine = Array.from({ length: 300 }, (_, i) => makeTestEvent(i, { sessionId: 'page' }));
    const theirs = Array.from({ length: 300 }, (_, i) => makeTestEvent(i, { sessionId: 'worker' }));
    const batches = (own: NewEvent[]): NewEvent[][] =>
      Array.from({ length: 10 }, (_, k) => [...own.slice(k * 30, k * 30 + 30), ...shared.slice(k * 5, k * 5 + 10)]);
    const store = new IndexedDbEventStore({ appId: id });
    await store.open();
    const [, reply] = await Promise.all([
      (async () => {
        for (const b of batches(mine)) await store.append(b);
      })(),
      inWorker<{ stored: number; hasDocument: boolean }>({ op: 'append', appId: id, batches: batches(theirs) }),
    ]);
    expect(reply.hasDocument).toBe(false);
    const all = await store.query();
    expect(all).toHaveLength(650);
    expect(new Set(all.map((e) => e.uid)).size).toBe(650);
    expect(all.filter((e) => e.sessionId === 'worker').map((e) => e.uid)).toEqual(theirs.map((e) => e.uid));
    expect(all.filter((e) => e.sessionId === 'page').map((e) => e.uid)).toEqual(mine.map((e) => e.uid));
    await store.destroy();
  });

  it('10,000 events in batches of 500 (one transaction each): all stored, in order (timing logged, not asserted)', async () => {
    const store = new IndexedDbEventStore({ appId: appId() });
    const evs = Array.from({ length: 10_000 }, (_, i) => makeTestEvent(i, { context: { page: 'p', position: i % 24 } }));
    const t0 = performance.now();
    for (let k = 0; k < evs.length; k += 500) await store.append(evs.slice(k, k + 500));
    const writeMs = performance.now() - t0;
    const t1 = performance.now();
    const all = await store.query();
    const readMs = performance.now() - t1;
    const t2 = performance.now();
    const recent = await store.query({ types: ['view'], order: 'desc', limit: 200 });
    const recentMs = performance.now() - t2;
    console.log(
      `IndexedDB (Chromium): wrote 10,000 events in 20 transactions in ${writeMs.toFixed(0)} ms; read all in ${readMs.toFixed(0)} ms; newest 200 by type in ${recentMs.toFixed(1)} ms`,
    );
    expect(all.map((e) => e.uid)).toEqual(evs.map((e) => e.uid));
    expect(recent).toHaveLength(200);
    await store.destroy();
  });

  it('destroy deletes the database: indexedDB.databases() no longer lists it', async () => {
    const id = appId();
    const store = new IndexedDbEventStore({ appId: id });
    await store.append([makeTestEvent(1)]);
    expect(await databaseNames()).toContain(databaseName(id));
    await store.destroy();
    expect(await databaseNames()).not.toContain(databaseName(id));
    expect(await store.residue()).toEqual({ events: 0, databases: [] });
    expect(await databaseNames()).not.toContain(databaseName(id));
  });

  it('the Recorder on a database it cannot open (newer schema) keeps working from memory and says why', async () => {
    const id = appId();
    const req = indexedDB.open(databaseName(id), 99); // as if a newer LocalRec created it
    await new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result.close());
      req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
    });
    const errors: LocalRecError[] = [];
    const rec = new Recorder({
      config: resolveConfig({ appId: id }),
      store: new IndexedDbEventStore({ appId: id }),
      onError: (e) => errors.push(e),
    });
    rec.record('view', { itemId: 'A' });
    rec.record('add_to_cart', { itemId: 'A', quantity: 1 });
    await rec.flush();
    expect(rec.status).toMatchObject({ storage: 'memory', degraded: true });
    expect(errors[0]?.code).toBe('STORAGE_UNAVAILABLE');
    expect(errors[0]?.message).toMatch(/newer/);
    expect(recentSequence(await rec.query()).map((e) => [e.itemId, e.type])).toEqual([['A', 'add_to_cart']]);
    indexedDB.deleteDatabase(databaseName(id));
  });
});
