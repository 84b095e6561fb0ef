// Faults in real Chromium, each real: IndexedDB that cannot open, a tiny storage quota, a tab
// killed in the middle of recording, two tabs writing at once, an old (v1) database with data in
// it. In every case nothing that was already flushed may be lost. The figures (what was lost) are
// printed for the closing note.
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright';
import { freshProfileDir, launchPersistent, readIndexedDb, sdkPage, serveFixtures, useShop, watchPage } from './helpers.js';

const e2e = useShop();

type Win = Window & {
  LocalRec: {
    init(c: object): unknown;
    track(t: string, d: object): unknown;
    flush(): Promise<void>;
    exportData(): Promise<{ events: Array<{ uid: string; itemId?: string; type: string }> }>;
    status: { storage: string; degraded: boolean; storageError?: string };
  };
  errors: Array<{ code: string; message: string }>;
};

/** A page that loads the built IIFE and creates an instance (consent granted, no rate limit). */
const PAGE = sdkPage(`window.errors = [];
LocalRec.init({ appId: 'faults', consent: 'granted', rateLimit: false, flushIntervalMs: 60000, onError: (e) => window.errors.push({ code: e.code, message: e.message }) });`);

async function open(context: BrowserContext): Promise<Page> {
  await serveFixtures(context, e2e.url, { 'faults.html': PAGE });
  const page = await context.newPage();
  await page.goto(`${e2e.url}__e2e/faults.html`);
  return page;
}

const track = (page: Page, prefix: string, n: number): Promise<void> =>
  page.evaluate(
    ([p, count]) => {
      for (let i = 0; i < count; i++) void (window as unknown as Win).LocalRec.track('view', { itemId: `${p}-${i}` });
    },
    [prefix, n] as const,
  );

/** Stored events read straight from IndexedDB (not through the SDK). */
const storedIds = (page: Page): Promise<string[]> =>
  page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const r = indexedDB.open('localrec:faults');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error ?? new Error('IndexedDB request failed'));
    });
    if (!db.objectStoreNames.contains('events')) {
      db.close();
      return [];
    }
    const all = await new Promise<Array<{ itemId: string; uid: string }>>((ok, fail) => {
      const r = db.transaction('events').objectStore('events').getAll();
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error ?? new Error('IndexedDB request failed'));
    });
    db.close();
    return all.map((e) => e.itemId);
  });

describe('faults', () => {
  test('IndexedDB open fails: the SDK records in memory, says so in status and onError, the page keeps working', async () => {
    const context = await e2e.browser.newContext();
    await context.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException('blocked by the test', 'SecurityError');
      };
    });
    const page = await open(context);
    const watch = watchPage(page);
    await track(page, 'mem', 25);
    await page.evaluate(() => (window as unknown as Win).LocalRec.flush());
    const r = await page.evaluate(async () => {
      const w = window as unknown as Win;
      return { status: w.LocalRec.status, exported: (await w.LocalRec.exportData()).events.length, errors: w.errors };
    });
    expect(r.status).toMatchObject({ storage: 'memory', degraded: true });
    expect(r.status.storageError).toMatch(/blocked by the test|IndexedDB/i);
    expect(r.exported).toBe(25); // nothing lost within the page
    expect(r.errors[0]!.code).toMatch(/STORAGE_UNAVAILABLE|STORAGE_FAILED/);
    expect(watch.errors.filter((e) => !e.includes('console.error'))).toEqual([]);
    await context.close();
  });

  test('quota exceeded: the store evicts oldest-first and keeps recording; the newest events survive', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, { 'faults.html': PAGE, 'blank.html': '<!doctype html><title>blank</title>' });
    const page = await context.newPage();
    await page.goto(`${e2e.url}__e2e/blank.html`);
    // The quota must be set before the origin's IndexedDB is first opened (Chromium caches it per
    // storage bucket; navigator.storage.estimate() keeps reporting the default, enforcement is real).
    const cdp = await context.newCDPSession(page);
    const QUOTA = 400_000;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(e2e.url).origin, quotaSize: QUOTA });
    await page.goto(`${e2e.url}__e2e/faults.html`);
    await track(page, 'warm', 10);
    await page.evaluate(() => (window as unknown as Win).LocalRec.flush());
    const long = 'x'.repeat(100);
    let rounds = 0;
    for (; rounds < 30; rounds++) {
      await page.evaluate(
        ([r, l]) => {
          for (let i = 0; i < 500; i++)
            void (window as unknown as Win).LocalRec.track('view', {
              itemId: `q${r}-${i}`,
              context: { page: l, listId: l },
            });
          return (window as unknown as Win).LocalRec.flush();
        },
        [rounds, long] as const,
      );
      const errs = await page.evaluate(() => (window as unknown as Win).errors.map((e) => e.code));
      if (errs.includes('QUOTA_EXCEEDED') || errs.includes('STORAGE_FAILED')) break;
    }
    const after = await page.evaluate(async () => {
      const w = window as unknown as Win;
      return { status: w.LocalRec.status, errors: w.errors };
    });
    // Recording went on after the quota error: the last round's events are stored (in IndexedDB, or in memory if eviction could not make room).
    await page.evaluate(() => {
      void (window as unknown as Win).LocalRec.track('view', { itemId: 'after-quota' });
      return (window as unknown as Win).LocalRec.flush();
    });
    const exported = await page.evaluate(async () => (await (window as unknown as Win).LocalRec.exportData()).events.map((e) => e.itemId));
    expect(after.errors.map((e) => e.code)).toContain('QUOTA_EXCEEDED');
    expect(exported).toContain('after-quota');
    expect(exported).toContain(`q${Math.min(rounds, 29)}-499`);
    // Oldest first: the batch that hit the quota is kept whole; what went is older than everything kept.
    const last = Math.min(rounds, 29);
    expect(exported.filter((id) => id?.startsWith(`q${last}-`))).toHaveLength(500);
    if (exported.some((id) => id?.startsWith('warm-'))) expect(exported.filter((id) => id?.startsWith('warm-'))).toHaveLength(10);
    console.info(
      `quota: hit after ${rounds + 1} rounds of 500 events; storage now "${after.status.storage}" (degraded ${after.status.degraded}); ${exported.length} events kept; messages: ${after.errors.map((e) => e.message).join(' | ')}`,
    );
    await context.close();
  });

  test('tab closed in the middle of recording: every flushed event survives a reopen', async () => {
    const profile = await freshProfileDir();
    try {
      let context = await launchPersistent(profile.dir);
      let page = await open(context);
      await track(page, 'flushed', 300);
      await page.evaluate(() => (window as unknown as Win).LocalRec.flush());
      // More events, and the tab and browser are gone before the write-behind timer (60 s here) fires.
      await track(page, 'unflushed', 300);
      await page.close({ runBeforeUnload: false });
      await context.close();
      context = await launchPersistent(profile.dir);
      page = await open(context);
      const ids = await storedIds(page);
      const flushed = ids.filter((i) => i.startsWith('flushed-'));
      const late = ids.filter((i) => i.startsWith('unflushed-'));
      expect(new Set(flushed).size).toBe(300);
      expect(flushed.length).toBe(300);
      console.info(
        `page close: 300/300 flushed events survived; ${late.length}/300 unflushed events were saved by the pagehide flush (worst case: all events of the last flush interval)`,
      );
      await context.close();
    } finally {
      await profile.remove();
    }
  });

  test('two tabs writing at the same time: no event lost, none duplicated', async () => {
    const context = await e2e.browser.newContext();
    const [a, b] = [await open(context), await open(context)];
    await Promise.all([
      (async () => {
        for (let r = 0; r < 5; r++) {
          await track(a, `a${r}`, 200);
          await a.evaluate(() => (window as unknown as Win).LocalRec.flush());
        }
      })(),
      (async () => {
        for (let r = 0; r < 5; r++) {
          await track(b, `b${r}`, 200);
          await b.evaluate(() => (window as unknown as Win).LocalRec.flush());
        }
      })(),
    ]);
    const ids = await storedIds(a);
    expect(ids.length).toBe(2000);
    expect(new Set(ids).size).toBe(2000);
    expect(await readIndexedDb(a)).toMatchObject({ 'localrec:faults': { events: 2000 } });
    await context.close();
  });

  test('schema upgrade: a v1 database with events in it opens under the current SDK with nothing lost', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, { 'faults.html': PAGE, 'blank.html': '<!doctype html><title>blank</title>' });
    const setup = await context.newPage();
    await setup.goto(`${e2e.url}__e2e/blank.html`);
    // The v1 layout (store-idb MIGRATIONS[0]): events (auto-increment seq; ts, itemId, unique uid) and meta.
    await setup.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open('localrec:faults', 1);
        r.onupgradeneeded = () => {
          const ev = r.result.createObjectStore('events', { keyPath: 'seq', autoIncrement: true });
          ev.createIndex('ts', 'ts');
          ev.createIndex('itemId', 'itemId');
          ev.createIndex('uid', 'uid', { unique: true });
          r.result.createObjectStore('meta');
        };
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error ?? new Error('IndexedDB request failed'));
      });
      const tx = db.transaction('events', 'readwrite');
      const now = Date.now();
      for (let i = 0; i < 50; i++)
        tx.objectStore('events').add({
          uid: `v1-${i}`,
          type: i % 5 ? 'view' : 'purchase',
          ts: now - (50 - i) * 1000,
          sessionId: 's-v1',
          itemId: `old-${i}`,
          data: {},
        });
      await new Promise((ok, fail) => {
        tx.oncomplete = ok;
        tx.onerror = () => fail(tx.error ?? new Error('IndexedDB transaction failed'));
      });
      db.close();
    });
    await setup.close();
    const page = await context.newPage();
    await page.goto(`${e2e.url}__e2e/faults.html`);
    await track(page, 'new', 10);
    await page.evaluate(() => (window as unknown as Win).LocalRec.flush());
    const r = await page.evaluate(async () => {
      const w = window as unknown as Win;
      const events = (await w.LocalRec.exportData()).events;
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const q = indexedDB.open('localrec:faults');
        q.onsuccess = () => ok(q.result);
        q.onerror = () => fail(q.error ?? new Error('IndexedDB request failed'));
      });
      const info = { version: db.version, indexes: Array.from(db.transaction('events').objectStore('events').indexNames).sort() };
      db.close();
      return {
        ids: events.map((e) => e.itemId),
        purchases: events.filter((e) => e.type === 'purchase').length,
        info,
        status: w.LocalRec.status,
      };
    });
    expect(r.status.degraded).toBe(false);
    expect(r.info.version).toBe(2);
    expect(r.info.indexes).toEqual(expect.arrayContaining(['type', 'type_ts', 'ts', 'itemId', 'uid']));
    expect(r.ids.filter((i) => i?.startsWith('old-'))).toHaveLength(50);
    expect(r.ids.filter((i) => i?.startsWith('new-'))).toHaveLength(10);
    expect(r.purchases).toBe(10);
    await context.close();
  });
});
