/**
 * recentlyViewed / buyAgain end to end in real Chromium: the BUILT SDK (`packages/sdk/dist/index.js`)
 * with the BUILT runtime worker (`packages/runtime/dist`, `insights: {}`) and the committed
 * `models/demo-shop` bundle (its catalog serves the category filter). Events go through
 * `rec.track()` into real IndexedDB, human-paced (explicit timestamps); the worker reads them
 * itself. Checks: no-consent then no-history; recently viewed newest first, distinct, the current
 * item excluded, filtered by the bundle's categories, a bot burst left out; buy again by cadence.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo, useBrowser, watchPage, useSdkPage } from './helpers.js';

const MODEL = join(repo, 'models/demo-shop');
const present = existsSync(join(MODEL, 'manifest.json'));

const site = useSdkPage('scenarios e2e', MODEL, present);
const chromium = useBrowser();

/** Items of the demo catalog by category. */
function itemsOf(category: string, n: number): string[] {
  const catalog = JSON.parse(readFileSync(join(MODEL, 'catalog.json'), 'utf8')) as Record<string, { category?: string }>;
  return Object.keys(catalog)
    .filter((id) => catalog[id]!.category === category)
    .slice(0, n);
}

describe.skipIf(!present)('recentlyViewed and buyAgain through the SDK and the built worker (models/demo-shop)', () => {
  it('answer from the shopper’s own events: consent, cold start, order, exclusions, filters, bots left out, cadence', async () => {
    const page = await chromium.browser.newPage();
    const { errors } = watchPage(page);
    await page.goto(site.url);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    const coffee = itemsOf('Coffee & Tea', 5);
    const audio = itemsOf('Audio', 1);
    const toys = itemsOf('Toys', 20);
    expect(coffee.length + audio.length).toBe(6);
    const out = await page.evaluate(
      async ({ coffee, audio, toys }) => {
        const { connector, sdk } = (window as any).__e2e;
        const rec = sdk.createLocalRec({
          appId: 'scenarios-e2e',
          requireConsent: true,
          consent: 'pending',
          retentionDays: 120,
          runtime: connector.workerRuntime({
            assetsUrl: '/runtime/',
            modelUrl: '/models/demo-shop/',
            forceBackend: 'wasm',
            mode: 'worker',
            insights: {},
          }),
        });
        type R = {
          items: { itemId: string; source: string; reason: { kind: string; text: string } }[];
          source: string;
          fallbackReason?: string;
        };
        const brief = (r: R) => ({
          source: r.source,
          why: r.fallbackReason,
          ids: r.items.map((i) => i.itemId),
          texts: r.items.map((i) => i.reason.text),
        });
        const noConsent = [brief(await rec.recentlyViewed()), brief(await rec.buyAgain())];
        rec.setConsent('granted');
        const empty = [brief(await rec.recentlyViewed()), brief(await rec.buyAgain())];
        const MIN = 60_000;
        const DAY = 1440 * MIN;
        const now = Date.now();
        // Purchases of coffee[4] 63, 41 and 20 days ago (every ~3 weeks: due); audio[0] once, 5 days ago (not due).
        for (const d of [63, 41, 20])
          rec.track('purchase', { itemId: coffee[4], price: 9, quantity: 1, timestamp: now - d * DAY + 7 * MIN });
        rec.track('purchase', { itemId: audio[0], price: 40, quantity: 1, timestamp: now - 5 * DAY });
        // A visit three hours ago, human-paced (irregular gaps of 30–90 s).
        const t0 = now - 3 * 60 * MIN;
        const visit: [string, string | undefined, number][] = [
          ['view', coffee[0], 0],
          ['view', coffee[1], 45_000],
          ['click', coffee[0], 100_000],
          ['view', audio[0], 190_000],
          ['add_to_cart', coffee[2], 230_000],
          ['view', coffee[3], 300_000],
        ];
        for (const [type, itemId, dt] of visit) rec.track(type, { itemId, timestamp: t0 + dt });
        const viewed = brief(await rec.recentlyViewed());
        // A script: 40 views of toys within a few milliseconds.
        for (let i = 0; i < 40; i++) rec.track('view', { itemId: toys[i % toys.length] });
        const afterBot = brief(await rec.recentlyViewed());
        const onPage = brief(await rec.recentlyViewed({ k: 3, exclude: [coffee[3]] }));
        const coffeeOnly = brief(await rec.recentlyViewed({ filter: { categories: ['Coffee & Tea'] } }));
        const again = brief(await rec.buyAgain());
        const runtime = rec.status.runtime;
        await rec.destroy();
        return { noConsent, empty, viewed, afterBot, onPage, coffeeOnly, again, runtime };
      },
      { coffee, audio, toys },
    );

    const cold = (why: string) => ({ source: 'fallback', why, ids: [], texts: [] });
    expect(out.noConsent).toEqual([cold('no-consent'), cold('no-consent')]);
    expect(out.empty).toEqual([cold('no-history'), cold('no-history')]);
    // Newest first, each item once (coffee[0] at its click), purchases are not views.
    expect(out.viewed.source).toBe('history');
    expect(out.viewed.ids).toEqual([coffee[3], coffee[2], audio[0], coffee[0], coffee[1]]);
    expect(out.viewed.texts).toEqual([
      'You viewed this 3 hours ago',
      'You added this to your cart 3 hours ago',
      'You viewed this 3 hours ago',
      'You viewed this 3 hours ago',
      'You viewed this 3 hours ago',
    ]);
    // The burst is stored but flagged abnormal: no toy shows.
    expect(out.afterBot).toEqual(out.viewed);
    expect(out.onPage.ids).toEqual([coffee[2], audio[0], coffee[0]]);
    // The bundle's catalog (loaded in the worker) filters by category.
    expect(out.coffeeOnly.ids).toEqual([coffee[3], coffee[2], coffee[0], coffee[1]]);
    expect(out.again).toEqual({
      source: 'history',
      ids: [coffee[4]],
      texts: ['You buy this about every 3 weeks; last bought 20 days ago'],
    });
    // Answered in the worker, without waiting for the model's backend (no model needed).
    expect(out.runtime).toBe('worker');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
