// Several tabs of one shop, in real Chromium: pages of one origin in one browser context share one
// IndexedDB database, one BroadcastChannel and one Web Locks manager, as tabs do. forgetMe() in one
// tab must succeed (verified: true) while the other tabs keep recording, and nothing tracked before
// the erase (in any tab: stored, queued, or in a write under way) may survive it; a `denied` in one
// tab stops the others. Each scenario runs ROUNDS times in one browser context.
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright';
import type { LocalRecGlobal } from '@localrec/sdk';
import { readIndexedDb, sdkPage, serveFixtures, totalRecords, useShop, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;
declare global {
  interface Window {
    /** A tab's own busy recording (see startBusy). */
    __busy?: { stop(): Promise<number>; n: number };
  }
}

const ROUNDS = 20;
const e2e = useShop();

interface Tabs {
  context: BrowserContext;
  pages: Page[];
  seen: Array<ReturnType<typeof watchPage>>;
}

/** `n` tabs of app `appId` (same origin, one context), each with the script-tag SDK initialised by `init`. */
async function openTabs(n: number, appId: string, init = `consent: 'granted'`): Promise<Tabs> {
  const context = await e2e.browser.newContext();
  // No idle flush (the page's scheduler then uses its timer, as in Safari) and a one-minute timer:
  // queued events stay queued. A small batch and no rate limit: the busy tabs below write often,
  // in many small transactions, by batch and by their own flush() calls.
  const page = sdkPage(
    `delete window.requestIdleCallback; delete window.cancelIdleCallback;
     LocalRec.init({ appId: '${appId}', batchSize: 5, flushIntervalMs: 60000, rateLimit: false, ${init} });`,
  );
  await serveFixtures(context, e2e.url, { 'tab.html': page });
  const pages: Page[] = [];
  const seen: Tabs['seen'] = [];
  for (let i = 0; i < n; i++) {
    const p = await context.newPage();
    seen.push(watchPage(p));
    await p.goto(`${e2e.url}__e2e/tab.html`);
    pages.push(p);
  }
  return { context, pages, seen };
}

/** Tracks `ids` as views; flushes unless `queued` (they stay in the tab's write-behind queue). */
function track(page: Page, ids: string[], queued = false): Promise<void> {
  return page.evaluate(
    async ({ ids, queued }) => {
      for (const itemId of ids) void LocalRec.track('view', { itemId });
      if (!queued) await LocalRec.flush();
    },
    { ids, queued },
  );
}

/**
 * Starts a tab recording on its own, as a busy shopper's page does: a view every millisecond
 * (`<prefix>-0`, `<prefix>-1`, …), with its own flushes in between, until `stop()`.
 */
function startBusy(page: Page, prefix: string): Promise<void> {
  return page.evaluate((prefix) => {
    let on = true;
    const busy = {
      n: 0,
      async stop() {
        on = false;
        await LocalRec.flush();
        return busy.n;
      },
    };
    const step = (): void => {
      if (!on) return;
      void LocalRec.track('view', { itemId: `${prefix}-${busy.n++}` });
      if (busy.n % 4 === 0) void LocalRec.flush();
      setTimeout(step, 1);
    };
    window.__busy = busy;
    step();
  }, prefix);
}

/** Stops {@link startBusy}; returns how many views the tab tracked. */
function stopBusy(page: Page): Promise<number> {
  return page.evaluate(() => window.__busy!.stop());
}

/** Every stored event, read through the SDK of `page` (after its own flush): [itemId, ts]. */
async function stored(page: Page): Promise<Array<{ itemId: string; ts: number }>> {
  return page.evaluate(async () => (await LocalRec.exportData()).events.map((e) => ({ itemId: e.itemId ?? '', ts: e.ts })));
}

/** forgetMe() in `page`; returns the proof and the time (ms since epoch, the events' clock) just before it was called. */
function forget(page: Page): Promise<{ startedAt: number; proof: Awaited<ReturnType<LocalRecGlobal['forgetMe']>> }> {
  return page.evaluate(async () => {
    const startedAt = Date.now();
    return { startedAt, proof: await LocalRec.forgetMe() };
  });
}

/**
 * One round with `tabs.pages[0]` erasing while every other tab records: before the erase each tab
 * has events stored and events still queued, and the others keep recording (and flushing) through
 * the erase. Checks the proof, that nothing tracked before the erase is left anywhere, and that
 * each other tab's recording after the erase is stored.
 */
async function eraseRound(tabs: Tabs, round: number): Promise<void> {
  const [eraser, ...others] = tabs.pages as [Page, ...Page[]];
  const before = (tab: number, kind: string): string[] => [0, 1].map((k) => `r${round}-t${tab}-${kind}-${k}`);
  for (const [t, p] of tabs.pages.entries()) {
    await track(p, before(t, 'stored'));
    await track(p, before(t, 'queued'), true);
  }
  expect(totalRecords(await readIndexedDb(eraser))).toBeGreaterThanOrEqual(2 * tabs.pages.length);
  for (const p of tabs.pages) expect(await p.evaluate(() => LocalRec.instance!.status.pending)).toBe(2);
  for (const [t, p] of others.entries()) await startBusy(p, `r${round}-busy${t + 1}`);

  const { startedAt, proof } = await forget(eraser);
  expect(proof, `round ${round}`).toMatchObject({ verified: true, remainingEvents: 0, remainingDatabases: [], remainingCaches: [] });

  const busy = await Promise.all(others.map(stopBusy));
  expect(Math.min(...busy)).toBeGreaterThan(0);
  // After the erase each other tab records as its consent says (granted): stored.
  for (const [t, p] of others.entries()) await track(p, [`r${round}-t${t + 1}-after`]);

  for (const p of tabs.pages) {
    const events = await stored(p);
    // Nothing tracked before forgetMe() was called survives: not the stored events, not the
    // queued ones, not the busy tabs' views still being written when the erase began.
    expect(
      events.filter((e) => e.ts < startedAt || /-(stored|queued)-/.test(e.itemId)),
      `round ${round}`,
    ).toEqual([]);
    for (const t of others.keys()) expect(events.map((e) => e.itemId)).toContain(`r${round}-t${t + 1}-after`);
  }
}

describe('forgetMe() with other tabs of the shop open', () => {
  for (const n of [2, 3]) {
    test(`${n} tabs, ${ROUNDS} rounds: verified every time, nothing from before the erase survives in any tab`, async () => {
      const tabs = await openTabs(n, `e2e-tabs-${n}`);
      for (let round = 0; round < ROUNDS; round++) await eraseRound(tabs, round);
      for (const s of tabs.seen) expect(s.errors).toEqual([]);
      await tabs.context.close();
    });
  }

  test(`${ROUNDS} rounds: after the erase another tab records as its consent dictates (pending: held, not stored)`, async () => {
    const tabs = await openTabs(2, 'e2e-tabs-consent', `requireConsent: true, consent: 'pending'`);
    const [a, b] = tabs.pages as [Page, Page];
    for (let round = 0; round < ROUNDS; round++) {
      // Both tabs granted: both record; then B goes back to pending (this tab only) and queues.
      for (const p of [a, b]) await p.evaluate(() => LocalRec.setConsent('granted'));
      await track(a, [`r${round}-a`]);
      await track(b, [`r${round}-b`]);
      await b.evaluate(() => LocalRec.setConsent('pending'));
      await track(b, [`r${round}-b-held`], true);

      const { proof } = await forget(a);
      expect(proof, `round ${round}`).toMatchObject({ verified: true, remainingDatabases: [] });
      // B's queue from before the erase was dropped; what B tracks now is held (pending), and
      // neither its flush nor its reads re-create the database.
      const after = await b.evaluate(async () => {
        void LocalRec.track('view', { itemId: 'after' });
        await LocalRec.flush();
        const d = await LocalRec.exportData();
        return { stored: d.events.length, pending: d.pending.map((e) => e.itemId), dbs: (await indexedDB.databases()).length };
      });
      expect(after).toEqual({ stored: 0, pending: ['after'], dbs: 0 });
      // Granted again: exactly what was tracked after the erase is stored.
      const items = await b.evaluate(async () => {
        void LocalRec.setConsent('granted');
        await LocalRec.flush();
        return (await LocalRec.exportData()).events.map((e) => e.itemId);
      });
      expect(items).toEqual(['after']);
      await a.evaluate(() => LocalRec.forgetMe());
    }
    await tabs.context.close();
  });
});

describe("setConsent('denied') in one tab", () => {
  test(`${ROUNDS} rounds: every other tab is denied at once, drops its queue and stores nothing more`, async () => {
    const tabs = await openTabs(3, 'e2e-tabs-denied');
    const [a, ...others] = tabs.pages as [Page, ...Page[]];
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of tabs.pages) await p.evaluate(() => LocalRec.setConsent('granted'));
      for (const p of others) await track(p, [`r${round}-queued`], true);
      for (const p of others) expect(await p.evaluate(() => LocalRec.instance!.status.pending)).toBe(1);
      const storedBefore = (await stored(a)).length;
      await a.evaluate(() => LocalRec.setConsent('denied'));
      for (const p of others) {
        await p.waitForFunction(() => LocalRec.consent === 'denied');
        const r = await p.evaluate(async () => {
          const pending = LocalRec.instance!.status.pending;
          const accepted = LocalRec.track('view', { itemId: 'denied' }) ?? null;
          await LocalRec.flush();
          return { pending, accepted };
        });
        expect(r, `round ${round}`).toEqual({ pending: 0, accepted: null });
      }
      const events = await stored(a);
      expect(events).toHaveLength(storedBefore);
      expect(events.filter((e) => e.itemId.includes('queued') || e.itemId === 'denied')).toEqual([]);
    }
    for (const s of tabs.seen) expect(s.errors).toEqual([]);
    await tabs.context.close();
  });
});
