/**
 * KeyValueEventStore against `createWxStandin()` — an in-memory STAND-IN for WeChat's storage
 * API, NOT WeChat. It enforces the documented limits (1 MB per key, 10 MB in total, or smaller
 * limits where a test says so) and answers with WeChat's errMsg strings; these tests prove the
 * store's behaviour against that written-down model of wx storage, not against a real device.
 */
import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import type { NewEvent } from '@localrec/core';
import { KeyValueEventStore, wxStorage } from '@localrec/store-kv';
import { createWxStandin } from '@localrec/store-kv/testing';

let n = 0;
function ev(i: number, extra: Partial<NewEvent> = {}): NewEvent {
  n += 1;
  return {
    uid: `u${i}-${n}`,
    type: 'view',
    ts: 1_700_000_000_000 + i * 1000,
    sessionId: 's1',
    itemId: `item-${i % 97}`,
    data: { dwellMs: i },
    context: { page: '/p/' + (i % 13), listId: 'list-with-a-longer-name-to-make-events-bigger' },
    ...extra,
  };
}
const batch = (from: number, count: number): NewEvent[] => Array.from({ length: count }, (_, k) => ev(from + k));

const KB = 1024;

/** Keys of the stand-in that belong to store `appId`. */
function storeKeys(wx: ReturnType<typeof createWxStandin>, appId = 't'): string[] {
  return [...wx.snapshot().keys()].filter((k) => k.startsWith(`localrec:${appId}:`));
}

/** Every chunk named by the index exists and no chunk key is unnamed (no orphans). */
function assertConsistent(wx: ReturnType<typeof createWxStandin>, appId = 't'): void {
  const snap = wx.snapshot();
  const idxText = snap.get(`localrec:${appId}:idx`);
  const chunkKeys = storeKeys(wx, appId)
    .filter((k) => /:c\d+$/.test(k))
    .sort();
  if (idxText === undefined) {
    expect(chunkKeys).toEqual([]);
    return;
  }
  const idx = JSON.parse(idxText) as { chunks: { id: number }[] };
  expect(idx.chunks.map((c) => `localrec:${appId}:c${c.id}`).sort()).toEqual(chunkKeys);
}

describe('wx stand-in (NOT WeChat: an in-memory model of the documented API)', () => {
  it('answers in both the callback and the Promise style, with wx errMsg strings', async () => {
    const wx = createWxStandin();
    await expect(wx.setStorage({ key: 'a', data: { x: 1 } })).resolves.toEqual({ errMsg: 'setStorage:ok' });
    const got = await new Promise((resolve) => void wx.getStorage({ key: 'a', success: resolve }));
    expect(got).toEqual({ data: { x: 1 }, errMsg: 'getStorage:ok' });
    const miss = await new Promise((resolve) => void wx.getStorage({ key: 'nope', fail: resolve }));
    expect(miss).toEqual({ errMsg: 'getStorage:fail data not found' });
  });

  it('enforces 1 MB per key and 10 MB in total (documented limits)', async () => {
    const wx = createWxStandin();
    const almost = 'x'.repeat(1024 * 1024 - 10);
    await expect(wx.setStorage({ key: 'k', data: almost })).resolves.toBeDefined();
    await expect(wx.setStorage({ key: 'k', data: almost + 'x'.repeat(20) })).rejects.toEqual({
      errMsg: 'setStorage:fail:entry size limit reached',
    });
    for (let i = 1; i < 10; i++) await wx.setStorage({ key: `k${i}`, data: almost });
    await expect(wx.setStorage({ key: 'k10', data: almost })).rejects.toEqual({ errMsg: 'setStorage:fail exceed storage max size 10Mb' });
    const info = await wx.getStorageInfo();
    expect(info?.limitSize).toBe(10 * 1024);
    expect(info?.currentSize).toBeLessThanOrEqual(10 * 1024);
  });

  it('fails the Nth write on request and stores nothing for it', async () => {
    const wx = createWxStandin();
    wx.failNthWrite(2);
    await wx.setStorage({ key: 'a', data: 1 });
    await expect(wx.setStorage({ key: 'b', data: 2 })).rejects.toMatchObject({ errMsg: expect.stringMatching(/^setStorage:fail/) });
    await wx.setStorage({ key: 'c', data: 3 });
    expect([...wx.snapshot().keys()]).toEqual(['a', 'c']);
  });
});

describe('wxStorage(wx) adapter', () => {
  it('maps a missing key to undefined and limit errors to QUOTA_EXCEEDED', async () => {
    const wx = createWxStandin({ perKeyLimit: 100 });
    const kv = wxStorage(wx);
    expect(await kv.get('missing')).toBeUndefined();
    await kv.set('a', 'small');
    expect(await kv.get('a')).toBe('small');
    const err = await kv.set('b', 'x'.repeat(200)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalRecError);
    expect((err as LocalRecError).code).toBe('QUOTA_EXCEEDED');
    expect((err as LocalRecError).message).toContain('entry size limit reached');
    await kv.remove('missing-too');
    expect((await kv.info()).limitSize).toBe(10 * 1024 * 1024);
  });

  it('refuses an object without the storage methods, naming what is missing', () => {
    expect(() => wxStorage({} as never)).toThrow(/lacks getStorage, setStorage, removeStorage, getStorageInfo/);
  });
});

describe('KeyValueEventStore on the wx stand-in', () => {
  it('records and reads back in order, idempotent by uid', async () => {
    const wx = createWxStandin();
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx) });
    await store.open();
    const first = batch(0, 10);
    const stored = await store.append(first);
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await store.append([...first.slice(0, 3), ev(10)])).toHaveLength(1);
    const all = await store.query();
    expect(all).toHaveLength(11);
    expect(all.slice(0, 10).map((e) => e.uid)).toEqual(first.map((e) => e.uid));
    expect((await store.query({ order: 'desc', limit: 2 })).map((e) => e.seq)).toEqual([11, 10]);
    // A new instance (app restart) reads the same events.
    const again = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx) });
    expect(await again.query()).toEqual(all);
  });

  it('packs events into chunks that stay under the chunk size and far under the 1 MB key limit', async () => {
    const wx = createWxStandin();
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 16 * KB });
    for (let i = 0; i < 10; i++) await store.append(batch(i * 300, 300));
    const stats = await store.stats();
    expect(stats.events).toBe(3000);
    expect(stats.chunks).toBeGreaterThan(10);
    expect(stats.maxChunkBytes).toBeLessThanOrEqual(16 * KB);
    // The stand-in's own count of every key agrees: none over the chunk size.
    for (const [k, v] of wx.snapshot()) expect(k.length + v.length).toBeLessThanOrEqual(16 * KB);
    expect((await store.query()).map((e) => e.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    assertConsistent(wx);
  });

  it('refuses one event larger than a chunk with PAYLOAD_TOO_LARGE and stores nothing of the batch', async () => {
    const wx = createWxStandin();
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 4 * KB });
    const big = ev(1, { data: { props: { blob: 'x'.repeat(5000) } } });
    await expect(store.append([ev(0), big])).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await store.count()).toBe(0);
  });

  it('evicts oldest chunks before the total limit is reached, and never hits the platform limit', async () => {
    // Small limits so the test is quick: 64 KB per key, 512 KB in total.
    const limits = { perKeyBytes: 64 * KB, totalBytes: 512 * KB };
    const wx = createWxStandin({ perKeyLimit: limits.perKeyBytes, totalLimit: limits.totalBytes });
    // The host app's own data lives in the same storage.
    await wx.setStorage({ key: 'host:cart', data: 'c'.repeat(50 * KB) });
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), limits, chunkBytes: 16 * KB, reserveBytes: 32 * KB });
    let appended = 0;
    for (let i = 0; i < 40; i++) {
      await store.append(batch(appended, 100));
      appended += 100;
      expect(wx.usedBytes()).toBeLessThanOrEqual(limits.totalBytes - 32 * KB);
    }
    const count = await store.count();
    expect(count).toBeLessThan(appended);
    expect(count).toBeGreaterThan(0);
    const kept = await store.query();
    // Oldest went first: what is left is the newest, contiguous up to the last event.
    expect(kept[kept.length - 1]!.seq).toBe(appended);
    expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: count }, (_, i) => appended - count + 1 + i));
    expect(await wx.getStorage({ key: 'host:cart' })).toBeDefined();
    assertConsistent(wx);
  });

  it('keeps this store under maxBytes', async () => {
    const wx = createWxStandin();
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 16 * KB, maxBytes: 128 * KB });
    for (let i = 0; i < 30; i++) await store.append(batch(i * 100, 100));
    expect((await store.stats()).bytes).toBeLessThanOrEqual(128 * KB);
  });

  it('rejects a batch that cannot fit even in an empty store with QUOTA_EXCEEDED, storing nothing', async () => {
    const limits = { perKeyBytes: 16 * KB, totalBytes: 64 * KB };
    const wx = createWxStandin({ perKeyLimit: limits.perKeyBytes, totalLimit: limits.totalBytes });
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), limits, chunkBytes: 4 * KB, reserveBytes: 0 });
    await store.append(batch(0, 5));
    await expect(store.append(batch(5, 2000))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(await store.count()).toBe(5);
    assertConsistent(wx);
  });

  it('compacts: small appends merge into the tail chunk; prune and compact() merge what is left', async () => {
    const wx = createWxStandin();
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 8 * KB });
    for (let i = 0; i < 200; i++) await store.append([ev(i)]);
    const after = await store.stats();
    // One event per append, yet chunks hold many events each.
    expect(after.chunks).toBeLessThan(200 / 10);
    const before = await store.query();
    const removed = await store.prune({ retentionMs: 1e15, maxEvents: 50, now: Date.now() });
    expect(removed).toBe(150);
    expect(await store.query()).toEqual(before.slice(150));
    const chunksAfterPrune = (await store.stats()).chunks;
    expect(await store.compact()).toBeLessThanOrEqual(chunksAfterPrune);
    expect(await store.query()).toEqual(before.slice(150));
    assertConsistent(wx);
  });

  it('applies retention by time', async () => {
    const wx = createWxStandin();
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx) });
    await store.append(batch(0, 100));
    const now = 1_700_000_000_000 + 100 * 1000;
    expect(await store.prune({ retentionMs: 30 * 1000, maxEvents: 1e6, now })).toBe(70);
    expect((await store.query())[0]!.ts).toBe(now - 30 * 1000);
  });

  it('a failed write stores none of its batch and loses nothing stored before', async () => {
    const wx = createWxStandin();
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 4 * KB });
    await store.append(batch(0, 40));
    const before = await store.query();
    for (let nth = 1; nth <= 6; nth++) {
      wx.failNthWrite(nth);
      const err = await store.append(batch(1000, 80)).catch((e: unknown) => e);
      if (err === undefined) {
        // The failure hit a post-commit cleanup write: the batch is stored whole.
        expect(await store.count()).toBe(before.length + 80);
        break;
      }
      expect(err).toMatchObject({ code: 'STORAGE_FAILED' });
      expect(await store.query()).toEqual(before);
      assertConsistent(wx);
    }
  });

  it('recovers from a torn write at every crash point: old state or new state, never a mix, no orphans', async () => {
    const outcomes = new Set<string>();
    for (let crashAfter = 0; crashAfter < 12; crashAfter++) {
      const wx = createWxStandin();
      const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 4 * KB });
      await store.append(batch(0, 30)); // a small tail chunk that the next append rewrites
      const before = await store.query();
      const next = batch(500, 60);
      wx.crashAfterWrites(crashAfter);
      const ok = await store.append(next).then(
        () => true,
        () => false,
      );
      wx.revive();
      // The "restarted" app opens a new store over what is on disk.
      const reopened = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 4 * KB });
      await reopened.open();
      const after = await reopened.query();
      const committed = after.length === before.length + next.length;
      if (!committed) expect(after).toEqual(before);
      else expect(after.slice(0, before.length)).toEqual(before);
      if (ok) expect(committed).toBe(true);
      outcomes.add(committed ? 'new' : 'old');
      assertConsistent(wx);
      // And it keeps working.
      await reopened.append([ev(9999)]);
      expect(await reopened.count()).toBe(after.length + 1);
    }
    // The crash points cover both sides of the commit.
    expect([...outcomes].sort()).toEqual(['new', 'old']);
  });

  it('rebuilds an unreadable index from the chunks', async () => {
    const wx = createWxStandin();
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 4 * KB });
    await store.append(batch(0, 100));
    const before = await store.query();
    await wx.setStorage({ key: 'localrec:t:idx', data: 'garbage' });
    const reopened = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 4 * KB });
    expect(await reopened.query()).toEqual(before);
    const more = await reopened.append([ev(5000)]);
    expect(more[0]!.seq).toBe(101);
    assertConsistent(wx);
  });

  it('two writers in one process (two stores, two adapters over one wx) lose nothing and never interleave', async () => {
    const wx = createWxStandin();
    const a = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 4 * KB });
    const b = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx), chunkBytes: 4 * KB });
    const shared = ev(77777);
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      jobs.push(a.append(batch(i * 1000, 7)));
      jobs.push(b.append(batch(i * 1000 + 500, 5)));
    }
    jobs.push(a.append([shared]), b.append([shared]));
    await Promise.all(jobs);
    const all = await a.query();
    expect(all).toHaveLength(20 * 12 + 1);
    expect(new Set(all.map((e) => e.seq)).size).toBe(all.length);
    expect(new Set(all.map((e) => e.uid)).size).toBe(all.length);
    expect(await b.query()).toEqual(all);
    assertConsistent(wx);
  });

  it('keeps meta, exports everything, and destroy() leaves nothing (checked by residue())', async () => {
    const wx = createWxStandin();
    await wx.setStorage({ key: 'host:token', data: 'keep-me' });
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx) });
    await store.append(batch(0, 5));
    await store.setMeta('session', { id: 's1', last: 5 });
    expect(await store.getMeta('session')).toEqual({ id: 's1', last: 5 });
    const dump = await store.dump();
    expect(dump.store).toBe('kv');
    expect(dump.events).toHaveLength(5);
    expect(dump.meta).toEqual({ session: { id: 's1', last: 5 } });
    await store.deleteMeta('session');
    expect(await store.getMeta('session')).toBeUndefined();
    await store.destroy();
    expect(await store.residue()).toEqual({ events: 0, databases: [] });
    expect(storeKeys(wx)).toEqual([]);
    expect([...wx.snapshot().keys()]).toEqual(['host:token']);
    // Still usable afterwards, from empty.
    await store.append([ev(1)]);
    expect(await store.count()).toBe(1);
  });

  it('refuses meta that is too large or not JSON', async () => {
    const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(createWxStandin()) });
    await expect(store.setMeta('big', 'x'.repeat(600 * KB))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await expect(store.setMeta('bad', { n: 1n })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('validates its options, naming the bad one', () => {
    const storage = wxStorage(createWxStandin());
    expect(() => new KeyValueEventStore({ appId: 'bad id!', storage })).toThrow(/appId/);
    expect(() => new KeyValueEventStore({ appId: 't', storage, chunkBytes: 900 * KB })).toThrow(
      /chunkBytes must be an integer from 1024 to 524288/,
    );
  });
});
