// IndexedDbEventStore specifics on fake-indexeddb: migrations, error mapping, read-only mode,
// stepping aside for other connections. The same behaviours run on real IndexedDB in Chromium
// (test/e2e/store-idb.test.ts); this file is the fast Node check.
import 'fake-indexeddb/auto';
import { deleteDB, openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { LocalRecError, MemoryEventStore, Recorder, resolveConfig } from '@localrec/core';
import { makeTestEvent } from '@localrec/core/testing';
import { IndexedDbEventReader, IndexedDbEventStore } from '../src/index.js';
import { SCHEMA_VERSION, databaseName, openDatabase } from '../src/testing.js';
import { failAddsAfter } from './faults.js';

let n = 0;
const appId = (): string => `store-test-${n++}`;

describe('IndexedDbEventStore', () => {
  it('names the database after the app', () => {
    expect(new IndexedDbEventStore({ appId: 'shop' }).dbName).toBe('localrec:shop');
    expect(databaseName('a.b')).toBe('localrec:a.b');
    expect(() => new IndexedDbEventStore({ appId: '' })).toThrow(LocalRecError);
  });

  it('migrates a v1 database with data in it to the current schema, keeping every event', async () => {
    expect(SCHEMA_VERSION).toBe(2);
    const id = appId();
    const v1 = await openDatabase(databaseName(id), 1);
    expect([...v1.transaction('events').store.indexNames].sort()).toEqual(['itemId', 'ts', 'uid']);
    const old = [makeTestEvent(1), makeTestEvent(2, { type: 'click' }), makeTestEvent(3, { type: 'click' })];
    const tx = v1.transaction(['events', 'meta'], 'readwrite');
    for (const e of old) await tx.objectStore('events').add(e as never);
    await tx.objectStore('meta').put({ id: 'sess' }, 'session');
    await tx.done;
    v1.close();

    const store = new IndexedDbEventStore({ appId: id });
    const clicks = await store.query({ types: ['click'] }); // served by the v2 type_ts index
    expect(clicks.map((e) => e.uid)).toEqual([old[1]?.uid, old[2]?.uid]);
    const dump = await store.dump();
    expect(dump.schemaVersion).toBe(2);
    expect(dump.events.map((e) => e.uid)).toEqual(old.map((e) => e.uid));
    expect(dump.meta).toEqual({ session: { id: 'sess' } });
    store.close();
    const raw = await openDB(databaseName(id));
    expect([...raw.transaction('events').store.indexNames].sort()).toEqual(['itemId', 'ts', 'type', 'type_ts', 'uid']);
    raw.close();
  });

  it('open failure → STORAGE_UNAVAILABLE with the cause; the failure is not cached', async () => {
    const factory = globalThis.indexedDB;
    const original = factory.open;
    factory.open = () => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    };
    const store = new IndexedDbEventStore({ appId: appId() });
    try {
      const err = await store.open().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LocalRecError);
      expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      expect(((err as LocalRecError).cause as Error).name).toBe('SecurityError');
      await expect(store.append([makeTestEvent(1)])).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    } finally {
      factory.open = original;
    }
    await store.append([makeTestEvent(1)]);
    expect(await store.count()).toBe(1);
    await store.destroy();
  });

  it('a database from a newer schema → STORAGE_UNAVAILABLE that says so', async () => {
    const id = appId();
    const newer = await openDB(databaseName(id), SCHEMA_VERSION + 1);
    newer.close();
    const err = await new IndexedDbEventStore({ appId: id }).open().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect((err as Error).message).toMatch(/newer/);
    await deleteDB(databaseName(id));
  });

  it('QuotaExceededError mid-batch → QUOTA_EXCEEDED and the batch is rolled back', async () => {
    const store = new IndexedDbEventStore({ appId: appId() });
    await store.append([makeTestEvent(0)]);
    const heal = failAddsAfter(2);
    try {
      await expect(store.append([1, 2, 3, 4].map((i) => makeTestEvent(i)))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    } finally {
      heal();
    }
    expect(await store.count()).toBe(1);
    await store.destroy();
  });

  it('steps aside when another connection deletes the database, then reconnects', async () => {
    const store = new IndexedDbEventStore({ appId: appId() });
    await store.append([makeTestEvent(1)]);
    let blocked = false;
    await deleteDB(store.dbName, {
      blocked: () => {
        blocked = true;
      },
    });
    expect(blocked).toBe(false);
    await store.append([makeTestEvent(2)]);
    expect(await store.count()).toBe(1);
    await store.destroy();
  });

  it('read-only mode never creates the database and reads what a writer stored', async () => {
    const id = appId();
    const reader = new IndexedDbEventReader({ appId: id });
    expect(await reader.query()).toEqual([]);
    expect(await reader.count()).toBe(0);
    expect(await reader.getMeta('session')).toBeUndefined();
    await expect(reader.append([makeTestEvent(1)])).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(await reader.residue()).toEqual({ events: 0, databases: [] });

    const writer = new IndexedDbEventStore({ appId: id });
    await writer.append([makeTestEvent(1), makeTestEvent(2)]);
    expect((await reader.query({ order: 'desc', limit: 1 }))[0]?.ts).toBe(makeTestEvent(2).ts);
    // tail(): the oldest event and the events stored after a key, in one transaction.
    const [third] = await writer.append([makeTestEvent(3)]);
    const all = await reader.query();
    const tail = await reader.tail(all[0]!.seq);
    expect(tail.oldest).toEqual(all[0]);
    expect(tail.rows).toEqual(all.slice(1)); // by key: 2, 3
    expect(tail.rows.at(-1)).toEqual(third);
    expect((await reader.tail(third!.seq)).rows).toEqual([]);
    // A back-dated event stored later is after every key (a time-range read would miss it) and becomes the oldest.
    const [old] = await writer.append([{ ...makeTestEvent(4), ts: all[0]!.ts - 1000 }]);
    const after = await reader.tail(third!.seq);
    expect(after.rows).toEqual([old]);
    expect(after.oldest).toEqual(old);
    expect(await new IndexedDbEventReader({ appId: appId() }).tail(0)).toEqual({ rows: [] }); // no database: empty, none created
    // The writer can still delete the database: the reader steps aside.
    await writer.destroy();
    expect(await reader.count()).toBe(0);
  });

  it('with the Recorder: a transient quota error evicts the oldest fifth and keeps writing to IndexedDB', async () => {
    const store = new IndexedDbEventStore({ appId: appId() });
    const errors: LocalRecError[] = [];
    const rec = new Recorder({ config: resolveConfig({ appId: 'x' }), store, onError: (e) => errors.push(e) });
    for (let i = 0; i < 100; i++) rec.record('view', { itemId: `I${i}` });
    await rec.flush();
    const heal = failAddsAfter(0, { times: 1 });
    try {
      rec.record('view', { itemId: 'NEW' });
      await rec.flush();
    } finally {
      heal();
    }
    expect(rec.status).toMatchObject({ storage: 'indexeddb', degraded: false });
    expect(errors.map((e) => e.code)).toEqual(['QUOTA_EXCEEDED']);
    const ids = (await store.query()).map((e) => e.itemId);
    expect(ids).toHaveLength(80);
    expect(ids[0]).toBe('I21');
    expect(ids[79]).toBe('NEW');
    await store.destroy();
  });

  it('with the Recorder: events go to IndexedDB in batches; a failing database falls back to memory', async () => {
    const store = new IndexedDbEventStore({ appId: appId() });
    const rec = new Recorder({ config: resolveConfig({ appId: 'x', batchSize: 50 }), store });
    for (let i = 0; i < 120; i++) rec.record('view', { itemId: `I${i}` });
    await rec.flush();
    expect(await store.count()).toBe(120);
    expect(rec.status).toMatchObject({ storage: 'indexeddb', degraded: false });

    const errors: LocalRecError[] = [];
    const rec2 = new Recorder({ config: resolveConfig({ appId: 'x' }), store, onError: (e) => errors.push(e) });
    const heal = failAddsAfter(0, { name: 'UnknownError' });
    try {
      rec2.record('purchase', { itemId: 'I1', quantity: 1 });
      await rec2.flush();
    } finally {
      heal();
    }
    expect(rec2.status).toMatchObject({ storage: 'memory', degraded: true });
    expect(errors[0]?.code).toBe('STORAGE_FAILED');
    const seen = await rec2.query();
    expect(seen).toHaveLength(121); // the 120 already stored were carried over, plus the new one
    expect(await store.count()).toBe(120); // and nothing stored was lost from IndexedDB
    await store.destroy();
    expect(new MemoryEventStore().kind).toBe('memory');
  });
});
