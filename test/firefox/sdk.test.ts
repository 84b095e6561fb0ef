/**
 * The SDK in Firefox ESR, as it ships (the built IIFE `packages/sdk/dist/localrec.min.js` by a
 * plain script tag, run `pnpm build` first), on real IndexedDB: recording that survives a reload
 * and a navigation, consent gating, exportData() and forgetMe() — the promises
 * test/e2e/persistence.test.ts and test/e2e/privacy.test.ts check in Chromium. Each test runs in
 * its own browser context (a Firefox container: storage of its own).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'puppeteer-core';
import type { LocalRecGlobal } from '@localrec/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo, sdkPage, totalRecords } from '../e2e/helpers.js';
import { startStaticServer, type StaticServer } from '../static-server.mjs';
import { HAS_FIREFOX, SKIPPED_WITHOUT_FIREFOX, readIndexedDb, useFirefox, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;

const SDK_DIST = join(repo, 'packages/sdk/dist');

/** The test pages, at `/__e2e/<name>`: the built SDK and one init call each. */
const PAGES: Record<string, string> = {
  'granted.html': sdkPage(`LocalRec.init({ appId: 'ff-sdk', consent: 'granted' });`),
  'pending.html': sdkPage(`LocalRec.init({ appId: 'ff-consent', requireConsent: true, consent: 'pending' });`),
  'forget.html': sdkPage(`LocalRec.init({ appId: 'ff-forget', consent: 'granted' });`),
  'other.html': sdkPage(),
  // As test/e2e/multi-tab.test.ts: no idle flush and a one-minute timer, so queued events stay queued.
  'tab.html': sdkPage(
    `delete window.requestIdleCallback; delete window.cancelIdleCallback;
     LocalRec.init({ appId: 'ff-tabs', batchSize: 5, flushIntervalMs: 60000, rateLimit: false, consent: 'granted' });`,
  ),
};

/** Rounds of the two-tab test (each: erase with the other tab holding stored and queued events, then a denied). */
const TAB_ROUNDS = 5;

describe.skipIf(!HAS_FIREFOX)(`the built SDK in Firefox ESR (real IndexedDB)${SKIPPED_WITHOUT_FIREFOX}`, () => {
  const firefox = useFirefox();
  let server: StaticServer;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(join(SDK_DIST, 'localrec.min.js')))
      throw new Error('packages/sdk/dist/localrec.min.js is missing: run `pnpm build` first (pnpm test does).');
    server = await startStaticServer({
      mounts: { '/sdk/': SDK_DIST },
      routes: Object.fromEntries(Object.entries(PAGES).map(([name, body]) => [`/__e2e/${name}`, { body }])),
    });
  });
  afterAll(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
    await server?.close();
  });

  /** A page of a new browser context (storage of its own), at `/__e2e/<name>`. */
  async function open(name: string): Promise<{ page: Page; seen: ReturnType<typeof watchPage> }> {
    const context = await firefox.browser.createBrowserContext();
    contexts.push(context);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(`${server.url}__e2e/${name}`);
    return { page, seen };
  }

  it('records to IndexedDB (not memory), and the events survive a reload', async () => {
    const { page, seen } = await open('granted.html');
    const uids = await page.evaluate(async () => {
      const ids = ['SKU-1', 'SKU-2', 'SKU-3'].map((itemId) => LocalRec.instance!.track('view', { itemId })!.uid);
      void LocalRec.track('search', { query: 'red shoes' });
      await LocalRec.flush();
      return ids;
    });
    expect(
      await page.evaluate(() => ({ storage: LocalRec.instance!.status.storage, degraded: LocalRec.instance!.status.degraded })),
    ).toEqual({
      storage: 'indexeddb',
      degraded: false,
    });
    const dbs = await readIndexedDb(page);
    expect(Object.keys(dbs).some((name) => name.includes('ff-sdk'))).toBe(true);
    expect(totalRecords(dbs)).toBeGreaterThanOrEqual(4);

    await page.reload();
    const after = await page.evaluate(async () =>
      (await LocalRec.exportData()).events.map((e) => [e.uid, e.type, e.itemId ?? e.data.query]),
    );
    expect(after).toEqual([...uids.map((uid, i) => [uid, 'view', `SKU-${i + 1}`]), [expect.any(String), 'search', 'red shoes']]);
    expect(seen.errors).toEqual([]);
  });

  it('events tracked in the task that navigates away are written (pagehide flush), 5 navigations', async () => {
    const { page } = await open('granted.html');
    // As in test/e2e/persistence.test.ts, the page has written before (its connection is open). On a
    // device whose database does not exist yet, creating it takes tasks a navigating page never
    // runs: events tracked in that very task are lost, in Chromium as in Firefox (docs/browsers.md).
    await page.evaluate(async () => {
      void LocalRec.track('click', { itemId: 'FIRST' });
      await LocalRec.flush();
    });
    const want = ['FIRST'];
    for (let round = 0; round < 5; round++) {
      await Promise.all([
        page.waitForNavigation(),
        page.evaluate((round) => {
          for (let i = 0; i < 20; i++) void LocalRec.track('view', { itemId: `NAV-${round}-${i}` });
          location.href = '/__e2e/other.html';
        }, round),
      ]);
      want.push(...Array.from({ length: 20 }, (_, i) => `NAV-${round}-${i}`));
      await page.goto(`${server.url}__e2e/granted.html`);
      const items = await page.evaluate(async () => (await LocalRec.exportData()).events.map((e) => e.itemId));
      expect(items, `round ${round}`).toEqual(want);
    }
  });

  it('requireConsent + pending stores nothing (no database at all) until consent is granted; denied stores nothing', async () => {
    const { page, seen } = await open('pending.html');
    const held = await page.evaluate(async () => {
      for (let i = 0; i < 5; i++) void LocalRec.track('view', { itemId: `C-${i}` });
      await LocalRec.flush();
      const d = await LocalRec.exportData();
      return { stored: d.events.length, pending: d.pending.map((e) => e.itemId), status: LocalRec.instance!.status.pending };
    });
    expect(held).toEqual({ stored: 0, pending: ['C-0', 'C-1', 'C-2', 'C-3', 'C-4'], status: 5 });
    expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);
    expect(await page.evaluate(async () => (await LocalRec.recommend()).fallbackReason)).toBe('no-consent');
    expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);

    await page.evaluate(async () => {
      void LocalRec.setConsent('granted');
      await LocalRec.flush();
    });
    expect(await page.evaluate(async () => (await LocalRec.exportData()).events.map((e) => e.itemId))).toEqual([
      'C-0',
      'C-1',
      'C-2',
      'C-3',
      'C-4',
    ]);
    expect(totalRecords(await readIndexedDb(page))).toBeGreaterThanOrEqual(5);

    // A second shopper (own container) who refuses: the held queue is dropped, nothing is stored.
    const other = await open('pending.html');
    const denied = await other.page.evaluate(async () => {
      for (let i = 0; i < 3; i++) void LocalRec.track('view', { itemId: `D-${i}` });
      void LocalRec.setConsent('denied');
      const after = LocalRec.track('click', { itemId: 'D-after' });
      await LocalRec.flush();
      return { pending: LocalRec.instance!.status.pending, after: after ?? null, exported: (await LocalRec.exportData()).events.length };
    });
    expect(denied).toEqual({ pending: 0, after: null, exported: 0 });
    expect(await readIndexedDb(other.page)).toEqual({});
    expect([...seen.errors, ...other.seen.errors]).toEqual([]);
  });

  it('forgetMe() deletes the database and LocalRec caches, proves it (verified: true), and a reload finds nothing', async () => {
    const { page, seen } = await open('forget.html');
    await page.evaluate(async () => {
      for (let i = 0; i < 10; i++) void LocalRec.track('view', { itemId: `F-${i}` });
      await LocalRec.flush();
      // A LocalRec cache (as the runtime keeps model files) and another app's cache on the same origin.
      await (await caches.open('localrec-models')).put('/models/x.bin', new Response('x'));
      await (await caches.open('someone-else')).put('/y', new Response('y'));
    });
    const exported = await page.evaluate(async () => (await LocalRec.exportData()).events.length);
    expect(exported).toBe(10);
    expect(totalRecords(await readIndexedDb(page))).toBeGreaterThanOrEqual(10);

    const proof = await page.evaluate(() => LocalRec.forgetMe());
    expect(proof).toMatchObject({ verified: true, remainingEvents: 0, remainingDatabases: [], remainingCaches: [] });
    expect(await page.evaluate(() => caches.keys())).toEqual(['someone-else']);
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual([]);
    expect(await page.evaluate(() => ({ ls: localStorage.length, ss: sessionStorage.length, cookie: document.cookie }))).toEqual({
      ls: 0,
      ss: 0,
      cookie: '',
    });

    await page.reload();
    expect(totalRecords(await readIndexedDb(page))).toBe(0);
    expect(await page.evaluate(async () => (await LocalRec.exportData()).events.length)).toBe(0);
    expect(totalRecords(await readIndexedDb(page))).toBe(0);
    // Recording works again after the erase.
    const items = await page.evaluate(async () => {
      void LocalRec.track('view', { itemId: 'NEW' });
      await LocalRec.flush();
      return (await LocalRec.exportData()).events.map((e) => e.itemId);
    });
    expect(items).toEqual(['NEW']);
    expect(seen.errors).toEqual([]);
  });

  it(`two tabs, ${TAB_ROUNDS} rounds: forgetMe() in one is verified while the other holds events; nothing from before survives; denied in one tab stops the other`, async () => {
    const { page: a, seen } = await open('tab.html');
    const b = await a.browserContext().newPage();
    const seenB = watchPage(b);
    await b.goto(`${server.url}__e2e/tab.html`);
    const track = (p: Page, ids: string[], queued: boolean): Promise<void> =>
      p.evaluate(
        async (ids, queued) => {
          for (const itemId of ids) void LocalRec.track('view', { itemId });
          if (!queued) await LocalRec.flush();
        },
        ids,
        queued,
      );
    const items = (p: Page): Promise<string[]> => p.evaluate(async () => (await LocalRec.exportData()).events.map((e) => e.itemId ?? ''));
    for (let round = 0; round < TAB_ROUNDS; round++) {
      for (const p of [a, b]) await p.evaluate(() => LocalRec.setConsent('granted'));
      for (const [t, p] of [a, b].entries()) {
        await track(p, [`r${round}-t${t}-stored`], false);
        await track(p, [`r${round}-t${t}-queued`], true);
      }
      expect(await b.evaluate(() => LocalRec.instance!.status.pending)).toBe(1);
      const proof = await a.evaluate(() => LocalRec.forgetMe());
      expect(proof, `round ${round}`).toMatchObject({ verified: true, remainingEvents: 0, remainingDatabases: [], remainingCaches: [] });
      // B's queue from before the erase is dropped; what B tracks now is stored, and both tabs see only that.
      await track(b, [`r${round}-after`], false);
      for (const p of [a, b]) expect(await items(p), `round ${round}`).toEqual([`r${round}-after`]);

      // A `denied` in A reaches B at once: B drops its queue and stores nothing more.
      await track(b, [`r${round}-queued-before-denied`], true);
      await a.evaluate(() => LocalRec.setConsent('denied'));
      await b.waitForFunction(() => LocalRec.consent === 'denied');
      const r = await b.evaluate(async () => {
        const pending = LocalRec.instance!.status.pending;
        const after = LocalRec.track('view', { itemId: 'after-denied' });
        await LocalRec.flush();
        return { pending, after: after ?? null };
      });
      expect(r, `round ${round}`).toEqual({ pending: 0, after: null });
      expect(await items(a), `round ${round}`).toEqual([`r${round}-after`]);
      await a.evaluate(() => LocalRec.forgetMe());
    }
    expect([...seen.errors, ...seenB.errors]).toEqual([]);
  });
});
