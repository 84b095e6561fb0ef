// The script tag's lazily loaded file, `localrec-extras.min.mjs` (packages/sdk/src/chunks.ts): a
// page that only records never fetches it (nor any other file of the SDK) during init and track;
// exportData() and forgetMe() load it on first use, also when called right after init, before it
// could have arrived (they wait for it); a file that cannot be loaded is a
// LocalRecError with a code, named by its URL, and recording goes on.
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Request } from 'playwright';
import type { LocalRecGlobal } from '@localrec/sdk';
import { serveFixtures, useShop, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;

const e2e = useShop();

/** Every request of `context` for a file of the SDK's folder, as its file name. */
function sdkRequests(context: BrowserContext): string[] {
  const seen: string[] = [];
  context.on('request', (r: Request) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/sdk/')) seen.push(path.slice('/sdk/'.length));
  });
  return seen;
}

const page = (body: string): string => `<!doctype html><meta charset="utf-8"><title>chunks</title>
<script src="/sdk/localrec.min.js"></script>
<script>${body}</script>`;

describe('localrec-extras.min.mjs', () => {
  test('a record-only page loads localrec.min.js only: init, track, setConsent, flush and status fetch nothing else', async () => {
    const context = await e2e.browser.newContext();
    const requests = sdkRequests(context);
    await serveFixtures(context, e2e.url, {
      'record.html': page(`
        LocalRec.init({ appId: 'e2e-chunks-record', requireConsent: true, consent: 'pending' });
        LocalRec.track('view', { itemId: 'R-1' });
        LocalRec.setConsent('granted');
        LocalRec.track('click', { itemId: 'R-1' });
      `),
    });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/record.html`);
    const status = await p.evaluate(async () => {
      for (let i = 0; i < 20; i++) void LocalRec.track('view', { itemId: `R-${i}` });
      await LocalRec.flush();
      return LocalRec.status!;
    });
    expect(status).toMatchObject({ storage: 'indexeddb', degraded: false, pending: 0, consent: 'granted' });
    expect(requests).toEqual(['localrec.min.js']);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  /** A context whose localrec-extras.min.mjs is held back until `release()`; `requests()` counts its fetches. */
  async function holdExtras(context: BrowserContext): Promise<{ release(): void; requests(): number }> {
    let n = 0;
    let release!: () => void;
    const gate = new Promise<void>((ok) => (release = ok));
    await context.route('**/sdk/localrec-extras.min.mjs', async (route) => {
      n++;
      await gate;
      await route.continue();
    });
    return { release, requests: () => n };
  }

  test('exportData() called right after init waits for the file, then sees every event tracked before it', async () => {
    const context = await e2e.browser.newContext();
    const requests = sdkRequests(context);
    const extras = await holdExtras(context);
    await serveFixtures(context, e2e.url, {
      'export.html': page(`
        window.results = [];
        LocalRec.init({ appId: 'e2e-chunks-export', consent: 'granted' });
        LocalRec.track('view', { itemId: 'E-1' });
        LocalRec.track('add_to_cart', { itemId: 'E-2', quantity: 1 });
        window.exported = LocalRec.exportData().then((d) => { results.push('export'); return d.events.map((e) => e.type + ':' + e.itemId); });
      `),
    });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/export.html`);
    await expect.poll(() => extras.requests()).toBe(1);
    expect(await p.evaluate(() => (window as unknown as { results: string[] }).results)).toEqual([]); // still waiting
    extras.release();
    expect(await p.evaluate(() => (window as unknown as { exported: Promise<string[]> }).exported)).toEqual([
      'view:E-1',
      'add_to_cart:E-2',
    ]);
    expect(await p.evaluate(async () => (await LocalRec.exportData()).app)).toBe('e2e-chunks-export');
    expect(extras.requests()).toBe(1);
    expect(requests).toEqual(['localrec.min.js', 'localrec-extras.min.mjs']);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('forgetMe() called right after init waits for the file, erases and proves it; recording goes on afterwards', async () => {
    const context = await e2e.browser.newContext();
    const requests = sdkRequests(context);
    const extras = await holdExtras(context);
    await serveFixtures(context, e2e.url, {
      'forget.html': page(`
        window.results = [];
        LocalRec.init({ appId: 'e2e-chunks-forget', consent: 'granted' });
        LocalRec.track('view', { itemId: 'F-1' });
        LocalRec.flush();
        window.erased = LocalRec.forgetMe().then((proof) => { results.push('forget'); return proof; });
      `),
    });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/forget.html`);
    await expect.poll(() => extras.requests()).toBe(1);
    expect(await p.evaluate(() => (window as unknown as { results: string[] }).results)).toEqual([]);
    extras.release();
    const proof = await p.evaluate(() => (window as unknown as { erased: Promise<Record<string, unknown>> }).erased);
    expect(proof).toMatchObject({ verified: true, storage: 'indexeddb', remainingEvents: 0, remainingDatabases: [], remainingCaches: [] });
    const after = await p.evaluate(async () => {
      void LocalRec.track('view', { itemId: 'F-2' });
      await LocalRec.flush();
      return (await LocalRec.exportData()).events.map((e) => e.itemId);
    });
    expect(after).toEqual(['F-2']);
    expect(requests).toEqual(['localrec.min.js', 'localrec-extras.min.mjs']);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('a file that cannot be loaded: forgetMe() and exportData() reject with NOT_READY naming its URL; recording goes on; a later call retries', async () => {
    const context = await e2e.browser.newContext();
    let fail = true;
    await context.route('**/sdk/localrec-extras.min.mjs', (route) =>
      fail ? route.fulfill({ status: 404, body: 'gone' }) : route.continue(),
    );
    await serveFixtures(context, e2e.url, {
      'missing.html': page(`
        window.reported = [];
        LocalRec.init({ appId: 'e2e-chunks-missing', consent: 'granted', onError: (e) => reported.push(e.code) });
        LocalRec.track('view', { itemId: 'M-1' });
      `),
    });
    const p = await context.newPage();
    await p.goto(`${e2e.url}__e2e/missing.html`);
    const r = await p.evaluate(async () => {
      const err = (e: unknown) => ({ name: (e as Error).name, code: (e as { code?: string }).code, message: (e as Error).message });
      const forget = await LocalRec.forgetMe().then(() => 'resolved', err);
      const exported = await LocalRec.exportData().then(() => 'resolved', err);
      void LocalRec.track('view', { itemId: 'M-2' });
      await LocalRec.flush();
      return { forget, exported, status: LocalRec.status };
    });
    for (const e of [r.forget, r.exported])
      expect(e).toMatchObject({
        name: 'LocalRecError',
        code: 'NOT_READY',
        message: expect.stringContaining(`${e2e.url}sdk/localrec-extras.min.mjs`),
      });
    expect(r.status).toMatchObject({ storage: 'indexeddb', degraded: false, pending: 0 });
    fail = false;
    const items = await p.evaluate(async () => (await LocalRec.exportData()).events.map((e) => e.itemId));
    expect(items).toEqual(['M-1', 'M-2']);
    await context.close();
  });
});
