// Consent across the tabs of one shop and across visits, in real Chromium against real IndexedDB,
// with the built ESM SDK (dist/index.js; `rememberConsent` is in the npm build only). Pages of one
// origin in one browser context share one database and one BroadcastChannel, as tabs do.
// - A `granted` (with purposes) or a `denied` set in one tab applies in every other tab before that
//   tab's next flush: the other tab tracks and flushes at once, without waiting for anything.
// - The remembered record (`exportData().meta.consent`) says what, which purposes, who and when;
//   a new tab (the next visit) starts from it; a host's decided `consent` option wins and updates
//   it; forgetMe() deletes it.
// Each scenario runs ROUNDS times in one browser context.
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright';
import type { ConsentRecord, LocalRec } from '@localrec/sdk';
import { serveFixtures, useShop, watchPage } from './helpers.js';

declare global {
  interface Window {
    rec: LocalRec;
  }
}

const ROUNDS = 20;
const e2e = useShop();

/** A tab with the ESM SDK: `init` is the rest of createLocalRec's options. */
function esmTab(appId: string, init: string): string {
  return `<!doctype html><meta charset="utf-8"><title>e2e</title>
<script type="module">
  import { createLocalRec } from '/sdk/index.js';
  window.rec = createLocalRec({ appId: '${appId}', rememberConsent: true, batchSize: 5, flushIntervalMs: 60000, rateLimit: false, ${init} });
  window.ready = true;
</script><body></body>`;
}

interface Tabs {
  context: BrowserContext;
  pages: Page[];
  seen: Array<ReturnType<typeof watchPage>>;
  open(name?: string): Promise<Page>;
}

/** `n` tabs of app `appId`, each `tab.html` (consent pending, required); `open(name)` opens another page of the context. */
async function openTabs(n: number, appId: string, extra: Record<string, string> = {}): Promise<Tabs> {
  const context = await e2e.browser.newContext();
  await serveFixtures(context, e2e.url, { 'tab.html': esmTab(appId, `requireConsent: true`), ...extra });
  const seen: Tabs['seen'] = [];
  const open = async (name = 'tab.html'): Promise<Page> => {
    const p = await context.newPage();
    seen.push(watchPage(p));
    await p.goto(`${e2e.url}__e2e/${name}`);
    await p.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    // The stored record has been read (every store call waits for it).
    await p.evaluate(() => window.rec.flush());
    return p;
  };
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) pages.push(await open());
  return { context, pages, seen, open };
}

/** In `page`: tracks a view of `itemId` and flushes at once; returns whether it was accepted and the stored item ids. */
function trackNow(page: Page, itemId: string): Promise<{ accepted: boolean; consent: string; personalisation: boolean; stored: string[] }> {
  return page.evaluate(async (itemId) => {
    const accepted = window.rec.track('view', { itemId }) !== undefined;
    const consent = window.rec.consent;
    const personalisation = window.rec.purposes.personalisation;
    await window.rec.flush();
    const stored = (await window.rec.exportData()).events.map((e) => e.itemId ?? '');
    return { accepted, consent, personalisation, stored };
  }, itemId);
}

const record = (page: Page): Promise<ConsentRecord | undefined> =>
  page.evaluate(async () => (await window.rec.exportData()).meta.consent as ConsentRecord | undefined);

describe('consent set in one tab applies in every other tab before its next flush', () => {
  for (const n of [2, 3]) {
    test(`${n} tabs, ${ROUNDS} rounds: granted (with purposes) and denied, from a different tab each round; the record follows`, async () => {
      const tabs = await openTabs(n, `e2e-consent-tabs-${n}`);
      for (let round = 0; round < ROUNDS; round++) {
        const setter = tabs.pages[round % n]!;
        const others = tabs.pages.filter((p) => p !== setter);
        const personalisation = round % 2 === 0;
        const t0 = Date.now();
        await setter.evaluate((personalisation) => window.rec.setConsent('granted', { personalisation, segments: false }), personalisation);
        for (const [i, p] of others.entries()) {
          const r = await trackNow(p, `r${round}-granted-${i}`);
          expect({ ...r, stored: r.stored.includes(`r${round}-granted-${i}`) }, `round ${round}`).toEqual({
            accepted: true,
            consent: 'granted',
            personalisation,
            stored: true,
          });
        }
        expect(await record(setter)).toMatchObject({
          version: 1,
          consent: 'granted',
          purposes: { personalisation, segments: false },
          source: 'host',
          gpc: false,
        });
        expect(Date.parse((await record(setter))!.at)).toBeGreaterThanOrEqual(t0 - 1000);

        const denier = tabs.pages[(round + 1) % n]!;
        const before = (await trackNow(denier, `r${round}-before-deny`)).stored.length;
        await denier.evaluate(() => window.rec.setConsent('denied'));
        for (const p of tabs.pages.filter((p) => p !== denier)) {
          const r = await trackNow(p, `r${round}-denied`);
          expect({ accepted: r.accepted, consent: r.consent, stored: r.stored.length }, `round ${round}`).toEqual({
            accepted: false,
            consent: 'denied',
            stored: before,
          });
        }
        // The denied record is stored (the shopper's choice), and nothing else was written under it.
        expect(await record(denier)).toMatchObject({ consent: 'denied', source: 'host' });
      }
      for (const s of tabs.seen) expect(s.errors).toEqual([]);
      await tabs.context.close();
    });
  }
});

describe('the remembered consent record', () => {
  test(`${ROUNDS} rounds: the next visit starts from it, the host's decided option wins and updates it, forgetMe() deletes it`, async () => {
    const tabs = await openTabs(1, 'e2e-consent-record', { 'granted.html': esmTab('e2e-consent-record', `consent: 'granted'`) });
    const [a] = tabs.pages as [Page];
    for (let round = 0; round < ROUNDS; round++) {
      const choice: 'denied' | 'granted' = round % 2 === 0 ? 'denied' : 'granted';
      await a.evaluate((c) => window.rec.setConsent(c, { segments: false }), choice);
      // The next visit (a new page, consent pending): starts from the record, before its first write.
      const next = await tabs.open();
      const r = await trackNow(next, `r${round}-next`);
      expect({ consent: r.consent, accepted: r.accepted, stored: r.stored.includes(`r${round}-next`) }, `round ${round}`).toEqual({
        consent: choice,
        accepted: choice === 'granted',
        stored: choice === 'granted',
      });
      expect(await next.evaluate(() => window.rec.purposes.segments)).toBe(false);
      await next.close();

      // A host that passes consent: 'granted' (purposes by default) wins over the stored choice, and the record says so.
      const host = await tabs.open('granted.html');
      expect(await host.evaluate(() => [window.rec.consent, window.rec.purposes.segments])).toEqual(['granted', true]);
      await host.waitForFunction(
        async () => ((await window.rec.exportData()).meta.consent as ConsentRecord | undefined)?.source === 'init',
      );
      expect(await record(host)).toMatchObject({ consent: 'granted', purposes: { personalisation: true, segments: true }, source: 'init' });
      await host.close();

      // forgetMe() deletes the record with everything else: the next visit is pending again.
      const proof = await a.evaluate(() => window.rec.forgetMe());
      expect(proof, `round ${round}`).toMatchObject({ verified: true, remainingDatabases: [] });
      const fresh = await tabs.open();
      expect(await fresh.evaluate(() => window.rec.consent)).toBe('pending');
      expect(await fresh.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);
      await fresh.close();
      // (Read after: under `granted` the export opens, so re-creates, the database; empty.)
      expect(await record(a)).toBeUndefined();
    }
    for (const s of tabs.seen) expect(s.errors).toEqual([]);
    await tabs.context.close();
  });
});
