// Events are written to real IndexedDB and survive a reload and a browser restart.
import { describe, expect, test } from 'vitest';
import type { LocalRecGlobal } from '@localrec/sdk';
import { freshProfileDir, launchPersistent, readIndexedDb, sdkPage, serveFixtures, totalRecords, useShop, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;

const page = sdkPage(`LocalRec.init({ appId: 'e2e-persist', consent: 'granted' });`);

const e2e = useShop();

describe('persistence in real IndexedDB', () => {
  test('events survive a reload', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, { 'persist.html': page });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/persist.html`);
    const uids = await p.evaluate(async () => {
      const ids = ['SKU-1', 'SKU-2', 'SKU-3'].map((itemId) => LocalRec.instance!.track('view', { itemId })!.uid);
      await LocalRec.flush();
      return ids;
    });
    expect(totalRecords(await readIndexedDb(p))).toBeGreaterThanOrEqual(3);

    await p.reload();
    const after = await p.evaluate(async () => (await LocalRec.exportData()).events.map((e) => [e.uid, e.type, e.itemId]));
    expect(after).toEqual(uids.map((uid, i) => [uid, 'view', `SKU-${i + 1}`]));
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('events are flushed without an explicit flush() (idle/timer) and on navigation (pagehide)', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, { 'persist.html': page, 'other.html': sdkPage() });
    const p = await context.newPage();
    await p.goto(`${e2e.url}__e2e/persist.html`);
    await p.evaluate(() => {
      void LocalRec.track('click', { itemId: 'IDLE-1' });
    });
    await expect.poll(async () => totalRecords(await readIndexedDb(p)), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await p.evaluate(() => LocalRec.flush());

    // Record and leave the page in the same task: only the pagehide/visibility flush can save these
    // (its transaction commits explicitly: without that, Chromium dropped it in about 1 run of 4).
    await Promise.all([
      p.waitForURL('**/other.html'),
      p.evaluate(() => {
        for (let i = 0; i < 20; i++) void LocalRec.track('view', { itemId: `NAV-${i}` });
        location.href = '/__e2e/other.html';
      }),
    ]);
    await p.goto(`${e2e.url}__e2e/persist.html`);
    const items = await p.evaluate(async () => (await LocalRec.exportData()).events.map((e) => e.itemId));
    expect(items).toEqual(['IDLE-1', ...Array.from({ length: 20 }, (_, i) => `NAV-${i}`)]);
    await context.close();
  });

  test('pagehide and visibilitychange→hidden each flush at once (idle and timer flushes ruled out)', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, {
      'lifecycle.html': sdkPage(`LocalRec.init({ appId: 'e2e-lifecycle', consent: 'granted', flushIntervalMs: 60000 });`),
    });
    // No idle callbacks and a 60 s timer: only the lifecycle events can write within the test.
    await context.addInitScript(() => {
      delete (window as { requestIdleCallback?: unknown }).requestIdleCallback;
    });
    const p = await context.newPage();
    await p.goto(`${e2e.url}__e2e/lifecycle.html`);
    await p.evaluate(() => {
      void LocalRec.track('view', { itemId: 'PH-1' });
    });
    await p.waitForTimeout(500);
    expect(totalRecords(await readIndexedDb(p))).toBe(0);
    await p.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false })));
    await expect.poll(async () => (await readIndexedDb(p))['localrec:e2e-lifecycle']?.events ?? 0).toBe(1);

    await p.evaluate(() => {
      void LocalRec.track('view', { itemId: 'VC-1' });
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(async () => (await readIndexedDb(p))['localrec:e2e-lifecycle']?.events ?? 0).toBe(2);
    await context.close();
  });

  test('events survive a browser restart (on-disk profile)', async () => {
    const profile = await freshProfileDir();
    try {
      let context = await launchPersistent(profile.dir);
      await serveFixtures(context, e2e.url, { 'persist.html': page });
      let p = await context.newPage();
      await p.goto(`${e2e.url}__e2e/persist.html`);
      await p.evaluate(async () => {
        void LocalRec.track('add_to_cart', { itemId: 'SKU-9', quantity: 2, price: 3.5 });
        void LocalRec.track('purchase', { itemId: 'SKU-9', quantity: 2, price: 3.5 });
        await LocalRec.flush();
      });
      await context.close();

      context = await launchPersistent(profile.dir);
      await serveFixtures(context, e2e.url, { 'persist.html': page });
      p = await context.newPage();
      await p.goto(`${e2e.url}__e2e/persist.html`);
      const events = await p.evaluate(async () =>
        (await LocalRec.exportData()).events.map((e) => ({ type: e.type, itemId: e.itemId, data: e.data })),
      );
      expect(events).toEqual([
        { type: 'add_to_cart', itemId: 'SKU-9', data: { quantity: 2, price: 3.5 } },
        { type: 'purchase', itemId: 'SKU-9', data: { quantity: 2, price: 3.5 } },
      ]);
      await context.close();
    } finally {
      await profile.remove();
    }
  });
});
