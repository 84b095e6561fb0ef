// A deletion blocked by a connection that never closes, on REAL IndexedDB in Chromium: the store's
// destroy() gives up with an error naming the cause instead of hanging (so forgetMe() can report
// it), the re-read says so at once rather than waiting behind the deletion, and the deletion goes
// through as soon as the blocking connection closes.
import { describe, expect, it } from 'vitest';
import { makeTestEvent } from '@localrec/core/testing';
import { IndexedDbEventStore } from '../src/index.js';
import { deleteDatabase, openExisting } from '../src/schema.js';

let n = 0;
const appId = (): string => `blocked-${Date.now().toString(36)}-${n++}`;

/** A raw connection that ignores `versionchange` (another library, or a very old LocalRec). */
function stubborn(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error(`could not open ${name}`));
  });
}

const names = async (): Promise<string[]> => (await indexedDB.databases()).map((d) => d.name!);

describe('a deletion blocked by a connection that does not close', () => {
  it('deleteDatabase() rejects with BlockedError after blockedMs, and completes once the blocker closes', async () => {
    const store = new IndexedDbEventStore({ appId: appId() });
    await store.append([makeTestEvent(1)]);
    store.close();
    const blocker = await stubborn(store.dbName);
    const err = await deleteDatabase(store.dbName, 200).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('BlockedError');
    expect((err as Error).message).toContain(store.dbName);
    // The re-read does not wait behind the pending deletion: it says the database is still blocked.
    await expect(openExisting(store.dbName)).rejects.toThrow(/blocked/);
    expect(await names()).toContain(store.dbName);
    blocker.close();
    // The deletion request was never withdrawn: it completes now, and the re-read works again.
    await expect.poll(names).not.toContain(store.dbName);
    await expect.poll(() => openExisting(store.dbName).then((db) => db ?? 'none')).toBe('none');
  });

  it('without a blocker, deleteDatabase() deletes at once even when the database does not exist', async () => {
    const store = new IndexedDbEventStore({ appId: appId() });
    await store.append([makeTestEvent(1)]);
    store.close();
    await deleteDatabase(store.dbName, 200);
    expect(await names()).not.toContain(store.dbName);
    await deleteDatabase(store.dbName, 200);
  });

  it("the store's destroy() gives up (STORAGE_FAILED naming the cause) and residue() reports it instead of hanging", async () => {
    const store = new IndexedDbEventStore({ appId: appId() });
    await store.append([makeTestEvent(1)]);
    const blocker = await stubborn(store.dbName);
    const err = await store.destroy().catch((e: unknown) => e as { code: string; message: string });
    expect(err).toMatchObject({ code: 'STORAGE_FAILED' });
    expect(err!.message).toMatch(/blocked/);
    await expect(store.residue()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    blocker.close();
    await expect.poll(() => store.residue()).toEqual({ events: 0, databases: [] });
  });
});
