// The product's promise, checked against real IndexedDB in real Chromium: consent gating stores
// nothing before consent, `denied` stores nothing at all, and forgetMe() leaves nothing behind.
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright';
import type { LocalRecGlobal } from '@localrec/sdk';
import { readIndexedDb, sdkPage, serveFixtures, totalRecords, useShop, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;

const e2e = useShop();

async function open(init: string): Promise<{ context: BrowserContext; page: Page; seen: ReturnType<typeof watchPage> }> {
  const context = await e2e.browser.newContext();
  await serveFixtures(context, e2e.url, { 'p.html': sdkPage(init), 'plain.html': sdkPage() });
  const page = await context.newPage();
  const seen = watchPage(page);
  await page.goto(`${e2e.url}__e2e/p.html`);
  return { context, page, seen };
}

describe('consent', () => {
  test('requireConsent + pending: nothing reaches IndexedDB until consent is granted', async () => {
    const { context, page } = await open(`LocalRec.init({ appId: 'e2e-consent', requireConsent: true, consent: 'pending' });`);
    await page.evaluate(async () => {
      for (let i = 0; i < 5; i++) void LocalRec.track('view', { itemId: `C-${i}` });
      await LocalRec.flush();
    });
    // Give idle/timer flushes every chance to (wrongly) write.
    await page.waitForTimeout(1500);
    expect(await readIndexedDb(page)).toEqual({});
    expect(await page.evaluate(() => LocalRec.instance!.status.pending)).toBe(5);
    // Reading (the data panel does) creates nothing either; held events are reported as pending.
    const held = await page.evaluate(async () => {
      const d = await LocalRec.exportData();
      return { stored: d.events.length, pending: d.pending.map((e) => e.itemId) };
    });
    expect(held).toEqual({ stored: 0, pending: ['C-0', 'C-1', 'C-2', 'C-3', 'C-4'] });
    expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);
    expect(await page.evaluate(async () => (await LocalRec.recommend()).fallbackReason)).toBe('no-consent');
    expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);

    await page.evaluate(async () => {
      void LocalRec.setConsent('granted');
      await LocalRec.flush();
    });
    const items = await page.evaluate(async () => (await LocalRec.exportData()).events.map((e) => e.itemId));
    expect(items).toEqual(['C-0', 'C-1', 'C-2', 'C-3', 'C-4']);
    expect(totalRecords(await readIndexedDb(page))).toBeGreaterThanOrEqual(5);
    await context.close();
  });

  test('denied discards the held queue and stores nothing afterwards', async () => {
    const { context, page, seen } = await open(`LocalRec.init({ appId: 'e2e-deny', requireConsent: true, consent: 'pending' });`);
    const result = await page.evaluate(async () => {
      for (let i = 0; i < 3; i++) void LocalRec.track('view', { itemId: `D-${i}` });
      void LocalRec.setConsent('denied');
      const after = LocalRec.track('click', { itemId: 'D-after' });
      await LocalRec.flush();
      return { pending: LocalRec.instance!.status.pending, after: after ?? null };
    });
    expect(result).toEqual({ pending: 0, after: null });
    await page.waitForTimeout(1500);
    expect(await readIndexedDb(page)).toEqual({});
    expect(await page.evaluate(async () => (await LocalRec.exportData()).events.length)).toBe(0);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});

describe('forgetMe()', () => {
  test('deletes the database, proves it by re-reading, and a reload finds nothing', async () => {
    const { context, page } = await open(`LocalRec.init({ appId: 'e2e-forget', consent: 'granted' });`);
    await page.evaluate(async () => {
      for (let i = 0; i < 10; i++) void LocalRec.track('view', { itemId: `F-${i}` });
      void LocalRec.track('search', { query: 'red shoes' });
      await LocalRec.flush();
    });
    const before = await readIndexedDb(page);
    expect(totalRecords(before)).toBeGreaterThanOrEqual(11);
    // A LocalRec cache (as the runtime keeps model files) and another app's cache on the same origin.
    await page.evaluate(async () => {
      await (await caches.open('localrec-models')).put('/models/x.bin', new Response('x'));
      await (await caches.open('someone-else')).put('/y', new Response('y'));
    });
    const proof = await page.evaluate(() => LocalRec.forgetMe());
    expect(proof).toMatchObject({ verified: true, remainingEvents: 0, remainingDatabases: [], remainingCaches: [] });
    expect(await page.evaluate(() => caches.keys())).toEqual(['someone-else']);

    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual([]);
    expect(await page.evaluate(() => ({ ls: localStorage.length, ss: sessionStorage.length, cookie: document.cookie }))).toEqual({
      ls: 0,
      ss: 0,
      cookie: '',
    });
    expect(await context.cookies()).toEqual([]);

    // A new page load finds nothing. (With consent granted, reading may create an empty database
    // again: no record in it.)
    await page.reload();
    expect(totalRecords(await readIndexedDb(page))).toBe(0);
    expect(await page.evaluate(async () => (await LocalRec.exportData()).events.length)).toBe(0);
    expect(totalRecords(await readIndexedDb(page))).toBe(0);
    await context.close();
  });

  test('recording keeps working after forgetMe()', async () => {
    const { context, page, seen } = await open(`LocalRec.init({ appId: 'e2e-forget2', consent: 'granted' });`);
    const items = await page.evaluate(async () => {
      void LocalRec.track('view', { itemId: 'OLD' });
      await LocalRec.flush();
      await LocalRec.forgetMe();
      void LocalRec.track('view', { itemId: 'NEW' });
      await LocalRec.flush();
      return (await LocalRec.exportData()).events.map((e) => e.itemId);
    });
    expect(items).toEqual(['NEW']);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
