// The copy-paste async snippet: calls made before the SDK loads are queued and replayed in order;
// the snippet and the SDK each guard against being loaded twice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Route } from 'playwright';
import type { LocalRecGlobal } from '@localrec/sdk';
import { repo, serveFixtures, useShop, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;
declare const results: { order: string[]; exported?: number; initIsInstance?: boolean; trackUid?: string };

const snippet = readFileSync(join(repo, 'packages/sdk/snippet.js'), 'utf8');

const e2e = useShop();

/** Holds the SDK's script response until `release()`, so the page runs against the stub first. */
async function holdSdk(context: import('playwright').BrowserContext): Promise<{ release(): void; requests: () => number }> {
  let release!: () => void;
  const gate = new Promise<void>((ok) => {
    release = ok;
  });
  let requests = 0;
  await context.route('**/sdk/localrec.min.js', async (route: Route) => {
    requests++;
    await gate;
    await route.continue();
  });
  return { release, requests: () => requests };
}

const page = (snippets: number, body: string): string => `<!doctype html><meta charset="utf-8">
${`<script>${snippet}</script>\n`.repeat(snippets)}
<script>
  window.results = { order: [] };
  ${body}
</script>`;

describe('async snippet', () => {
  test('queues calls made before the SDK loads and replays them in order', async () => {
    const context = await e2e.browser.newContext();
    const gate = await holdSdk(context);
    await serveFixtures(context, e2e.url, {
      'q.html': page(
        1,
        `
        LocalRec.init({ appId: 'e2e-snippet', consent: 'granted' }).then((inst) => { results.order.push('init'); results.initIsInstance = !!inst && inst === LocalRec.instance; });
        LocalRec.track('view', { itemId: 'Q-1' }).then((ev) => { results.order.push('track Q-1'); results.trackUid = ev && ev.uid; });
        LocalRec.track('click', { itemId: 'Q-2' }).then(() => results.order.push('track Q-2'));
        LocalRec.track('add_to_cart', { itemId: 'Q-3', quantity: 1 }).then(() => results.order.push('track Q-3'));
        LocalRec.flush().then(() => results.order.push('flush'));
        LocalRec.exportData().then((d) => { results.order.push('export'); results.exported = d.events.length; });
      `,
      ),
    });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/q.html`, { waitUntil: 'domcontentloaded' });
    // The stub is in place and holding the calls; the SDK has not run.
    expect(
      await p.evaluate(() => ({ isArray: Array.isArray(window.LocalRec), queued: (window.LocalRec as unknown as unknown[]).length })),
    ).toEqual({ isArray: true, queued: 6 });
    gate.release();
    await p.waitForFunction(() => results.order.length === 6);
    const r = await p.evaluate(() => results);
    // Synchronous calls settle in call order; async ones (flush, export) settle when their work is done.
    expect(r.order.slice(0, 4)).toEqual(['init', 'track Q-1', 'track Q-2', 'track Q-3']);
    expect([...r.order].sort()).toEqual(['export', 'flush', 'init', 'track Q-1', 'track Q-2', 'track Q-3']);
    expect(r.initIsInstance).toBe(true);
    expect(r.trackUid).toMatch(/.+/);
    // exportData was queued after flush, so it sees all three events, in call order.
    expect(r.exported).toBe(3);
    const items = await p.evaluate(async () => (await LocalRec.exportData()).events.map((e) => `${e.type}:${e.itemId}`));
    expect(items).toEqual(['view:Q-1', 'click:Q-2', 'add_to_cart:Q-3']);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('calls made after load but before init() wait for init() and keep their order', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, {
      'late.html': `<!doctype html><meta charset="utf-8"><script src="/sdk/localrec.min.js"></script>
<script>
  window.results = { order: [] };
  LocalRec.track('view', { itemId: 'L-1' });
  LocalRec.track('view', { itemId: 'L-2' });
  setTimeout(() => LocalRec.init({ appId: 'e2e-late', consent: 'granted' }), 50);
</script>`,
    });
    const p = await context.newPage();
    await p.goto(`${e2e.url}__e2e/late.html`);
    await p.waitForFunction(() => LocalRec.instance !== undefined);
    const items = await p.evaluate(async () => {
      await LocalRec.flush();
      return (await LocalRec.exportData()).events.map((e) => e.itemId);
    });
    expect(items).toEqual(['L-1', 'L-2']);
    await context.close();
  });

  test('the snippet included twice loads the SDK once; the SDK loaded twice keeps the first copy', async () => {
    const context = await e2e.browser.newContext();
    const gate = await holdSdk(context);
    await serveFixtures(context, e2e.url, {
      'twice.html': page(
        2,
        `
        LocalRec.init({ appId: 'e2e-twice', consent: 'granted' });
        LocalRec.track('view', { itemId: 'T-1' });
      `,
      ),
    });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/twice.html`, { waitUntil: 'domcontentloaded' });
    expect(await p.evaluate(() => document.querySelectorAll('script[src$="localrec.min.js"]').length)).toBe(1);
    gate.release();
    await p.waitForFunction(() => !Array.isArray(window.LocalRec) && (window.LocalRec as LocalRecGlobal).instance !== undefined);
    const first = await p.evaluateHandle(() => window.LocalRec);
    // Load the script again, as a page with two copies of the tag would.
    await p.evaluate(
      () =>
        new Promise<void>((ok, fail) => {
          const s = document.createElement('script');
          s.src = '/sdk/localrec.min.js';
          s.onload = () => ok();
          s.onerror = () => fail(new Error('load failed'));
          document.head.appendChild(s);
        }),
    );
    expect(await p.evaluate((f) => f === window.LocalRec, first)).toBe(true);
    expect(gate.requests()).toBe(2);
    const items = await p.evaluate(async () => {
      await LocalRec.flush();
      return (await LocalRec.exportData()).events.map((e) => e.itemId);
    });
    expect(items).toEqual(['T-1']);
    expect(seen.warnings.some((w) => w.includes('snippet included twice'))).toBe(true);
    expect(seen.warnings.some((w) => w.includes('loaded twice'))).toBe(true);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
