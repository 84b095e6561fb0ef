// Consent platforms and Global Privacy Control on real pages in Chromium, against real IndexedDB:
// the built ESM SDK (dist/index.js) with a stand-in IAB TCF v2.2 CMP (`window.__tcfapi`) and a
// stand-in Google Consent Mode (`gtag` on `window.dataLayer`), and the script-tag SDK with
// `navigator.globalPrivacyControl` set as a browser that sends GPC does.
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright';
import type { LocalRec, LocalRecGlobal } from '@localrec/sdk';
import { readIndexedDb, sdkPage, serveFixtures, totalRecords, useShop, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;
declare global {
  interface Window {
    rec: LocalRec;
    /** The stand-in CMP: the shopper decides in its banner. */
    cmp: { decide(consents: Record<number, boolean>): void; listeners: number };
    gtag(...args: unknown[]): void;
    dataLayer: unknown[];
    stop(): void;
  }
}

const e2e = useShop();

/** A stand-in TCF v2.2 CMP: `addEventListener` answers `cmpuishown` at once, the decision later. */
const TCF_STUB = `
  const listeners = new Map();
  window.__tcfapi = (command, version, cb, param) => {
    if (version !== 2) return cb(null, false);
    if (command === 'addEventListener') {
      const id = listeners.size + 1;
      listeners.set(id, cb);
      cb({ gdprApplies: true, eventStatus: 'cmpuishown', listenerId: id, purpose: { consents: {} } }, true);
    } else if (command === 'removeEventListener') {
      cb(listeners.delete(param), true);
    }
  };
  window.cmp = {
    decide(consents) {
      for (const [id, cb] of listeners) cb({ gdprApplies: true, eventStatus: 'useractioncomplete', listenerId: id, purpose: { consents } }, true);
    },
    get listeners() { return listeners.size; },
  };`;

/** A page with the built ESM SDK and `head` run before it (the CMP loads first, as on a real page). */
function esmPage(head: string, body: string): string {
  return `<!doctype html><meta charset="utf-8"><title>e2e</title><script>${head}</script>
<script type="module">
  import { createLocalRec, listenTcf, listenConsentMode } from '/sdk/index.js';
  ${body}
  window.ready = true;
</script><body></body>`;
}

async function open(pages: Record<string, string>, name: string, init?: () => void): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await e2e.browser.newContext();
  if (init) await context.addInitScript(init);
  await serveFixtures(context, e2e.url, pages);
  const page = await context.newPage();
  const seen = watchPage(page);
  await page.goto(`${e2e.url}__e2e/${name}`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true || 'LocalRec' in window);
  return {
    page,
    close: async () => {
      expect(seen.errors).toEqual([]);
      await context.close();
    },
  };
}

describe('IAB TCF v2.2 (stand-in CMP)', () => {
  test('nothing is stored until the shopper decides; Purpose 1 grants storage, 5+6 personalisation, 3+4 segments', async () => {
    const { page, close } = await open(
      {
        'tcf.html': esmPage(
          TCF_STUB,
          `window.rec = createLocalRec({ appId: 'e2e-tcf', requireConsent: true, consent: 'pending' });
           window.stop = listenTcf(window.rec);`,
        ),
      },
      'tcf.html',
    );
    const before = await page.evaluate(async () => {
      window.rec.track('view', { itemId: 'T-1' });
      await window.rec.flush();
      return { consent: window.rec.consent, pending: window.rec.status.pending, listeners: window.cmp.listeners };
    });
    expect(before).toEqual({ consent: 'pending', pending: 1, listeners: 1 });
    expect(await readIndexedDb(page)).toEqual({});

    const granted = await page.evaluate(async () => {
      window.cmp.decide({ 1: true, 5: true, 6: true });
      await window.rec.flush();
      const segments = await window.rec.getSegments().then(
        () => 'answered',
        (e: { code: string; field?: string }) => `${e.code} ${e.field}`,
      );
      return {
        consent: window.rec.consent,
        purposes: window.rec.purposes,
        items: (await window.rec.exportData()).events.map((e) => e.itemId),
        segments,
      };
    });
    expect(granted).toEqual({
      consent: 'granted',
      purposes: { personalisation: true, segments: false },
      items: ['T-1'],
      segments: 'CONSENT_REQUIRED purposes.segments',
    });
    expect(totalRecords(await readIndexedDb(page))).toBeGreaterThanOrEqual(1);

    // The shopper withdraws Purpose 1: denied, nothing new stored; stop() unsubscribes.
    const denied = await page.evaluate(async () => {
      window.cmp.decide({ 5: true, 6: true });
      const accepted = window.rec.track('view', { itemId: 'T-2' }) ?? null;
      await window.rec.flush();
      window.stop();
      return {
        consent: window.rec.consent,
        accepted,
        items: (await window.rec.exportData()).events.map((e) => e.itemId),
        listeners: window.cmp.listeners,
      };
    });
    expect(denied).toEqual({ consent: 'denied', accepted: null, items: ['T-1'], listeners: 0 });
    await close();
  });
});

describe('Google Consent Mode (stand-in gtag)', () => {
  test('the default and updates already on dataLayer count as one signal; later gtag updates apply at once', async () => {
    const { page, close } = await open(
      {
        'gcm.html': esmPage(
          `window.dataLayer = window.dataLayer || [];
           window.gtag = function () { dataLayer.push(arguments); };
           gtag('consent', 'default', { ad_storage: 'denied', personalization_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' });`,
          `window.rec = createLocalRec({ appId: 'e2e-gcm', requireConsent: true, consent: 'pending' });
           window.stop = listenConsentMode(window.rec);`,
        ),
      },
      'gcm.html',
    );
    const first = await page.evaluate(async () => {
      const accepted = window.rec.track('view', { itemId: 'G-0' }) ?? null;
      await window.rec.flush();
      return { consent: window.rec.consent, accepted };
    });
    expect(first).toEqual({ consent: 'denied', accepted: null });
    expect(await readIndexedDb(page)).toEqual({});

    const later = await page.evaluate(async () => {
      window.gtag('consent', 'update', { personalization_storage: 'granted' });
      window.rec.track('view', { itemId: 'G-1' });
      await window.rec.flush();
      const a = { consent: window.rec.consent, purposes: window.rec.purposes };
      window.gtag('consent', 'update', { ad_user_data: 'granted', ad_personalization: 'granted' });
      return { a, b: window.rec.purposes, items: (await window.rec.exportData()).events.map((e) => e.itemId) };
    });
    expect(later).toEqual({
      a: { consent: 'granted', purposes: { personalisation: true, segments: false } },
      b: { personalisation: true, segments: true },
      items: ['G-1'],
    });
    await close();
  });
});

describe('Global Privacy Control', () => {
  test('navigator.globalPrivacyControl: segments are off (CONSENT_REQUIRED); recording and recommendations are not', async () => {
    const { page, close } = await open(
      { 'gpc.html': sdkPage(`LocalRec.init({ appId: 'e2e-gpc', consent: 'granted', purposes: { segments: true } });`) },
      'gpc.html',
      () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }),
    );
    const r = await page.evaluate(async () => {
      const rec = LocalRec.instance!;
      rec.track('view', { itemId: 'P-1' });
      await rec.flush();
      const segments = await rec.getSegments().then(
        () => 'answered',
        (e: { code: string; field?: string }) => `${e.code} ${e.field}`,
      );
      return {
        gpc: (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl,
        purposes: rec.purposes,
        segments,
        recommend: (await rec.recommend()).fallbackReason,
        items: (await rec.exportData()).events.map((e) => e.itemId),
      };
    });
    expect(r).toEqual({
      gpc: true,
      purposes: { personalisation: true, segments: false },
      segments: 'CONSENT_REQUIRED purposes.segments',
      recommend: 'no-model', // asked (no runtime configured), not refused for consent
      items: ['P-1'],
    });
    await close();
  });

  test('without GPC the same page reaches the runtime for segments (NOT_READY: no insights runtime)', async () => {
    const { page, close } = await open(
      { 'nogpc.html': sdkPage(`LocalRec.init({ appId: 'e2e-nogpc', consent: 'granted' });`) },
      'nogpc.html',
    );
    const code = await page.evaluate(() =>
      LocalRec.instance!.getSegments().then(
        () => 'answered',
        (e: { code: string }) => e.code,
      ),
    );
    expect(code).toBe('NOT_READY');
    await close();
  });
});
