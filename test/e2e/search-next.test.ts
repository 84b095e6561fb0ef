/**
 * forSearch and next end to end in real Chromium: the BUILT SDK (`packages/sdk/dist/index.js`) with
 * the BUILT runtime worker (`packages/runtime/dist`, `insights: {}`) and the committed
 * `models/demo-shop` bundle (its catalog is what the query is matched against). Searches go
 * through `rec.track('search', …)` into real IndexedDB, then the views and clicks they led to,
 * human-paced; the worker reads them itself. Checks: the model's answer for a query with both
 * kinds of reasons (the shopper's search, the catalogue match), a no-match fallback, a bad query
 * reported; next() through an infinite scroll of recommend and of forSearch with a click between
 * the pages never repeats an item, and each answer's cursor crossed the worker boundary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo, useBrowser, watchPage, useSdkPage } from './helpers.js';

const MODEL = join(repo, 'models/demo-shop');
const present = existsSync(join(MODEL, 'manifest.json'));

const site = useSdkPage('search-next e2e', MODEL, present);
const chromium = useBrowser();

/** The demo bundle's catalog. */
const catalog = (): Record<string, { name: string; category?: string }> =>
  JSON.parse(readFileSync(join(MODEL, 'catalog.json'), 'utf8')) as Record<string, { name: string; category?: string }>;

describe.skipIf(!present)('forSearch and next through the SDK and the built worker (models/demo-shop)', () => {
  it('forSearch answers from the model with reasons; next never repeats an item, across a click', async () => {
    const page = await chromium.browser.newPage();
    const { errors } = watchPage(page);
    await page.goto(site.url);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    const c = catalog();
    const kettles = Object.keys(c).filter((id) => /kettle/i.test(c[id]!.name));
    const earbuds = Object.keys(c).find((id) => /earbuds/i.test(c[id]!.name))!;
    const history = Object.keys(c)
      .filter((id) => c[id]!.category === 'Coffee & Tea' && !kettles.includes(id))
      .slice(0, 4);
    expect(kettles.length).toBeGreaterThanOrEqual(3);
    const out = await page.evaluate(
      async ({ kettles, earbuds, history }) => {
        const { connector, sdk } = (window as any).__e2e;
        const reported: { code: string; field?: string }[] = [];
        const rec = sdk.createLocalRec({
          appId: 'search-next-e2e',
          consent: 'granted',
          retentionDays: 30,
          onError: (e: { code: string; field?: string }) => reported.push({ code: e.code, field: e.field }),
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
          list?: { method: string; args: unknown[]; page: number; returned: string[] };
        };
        const brief = (r: R) => ({ source: r.source, why: r.fallbackReason, ids: r.items.map((i) => i.itemId), list: r.list });
        const MIN = 60_000;
        const t0 = Date.now() - 3 * 60 * MIN;
        // A visit three hours ago, human-paced: views of coffee things, a search for kettles, a kettle
        // opened and the earbuds clicked after it (the search led to both).
        const visit: [string, Record<string, unknown>, number][] = [
          ...history.map((itemId, i): [string, Record<string, unknown>, number] => ['view', { itemId }, i * 50_000]),
          ['search', { query: 'Kettle' }, 260_000],
          ['view', { itemId: kettles[0] }, 300_000],
          ['click', { itemId: earbuds }, 370_000],
        ];
        for (const [type, data, dt] of visit) rec.track(type, { ...data, timestamp: t0 + dt });
        const found = (await rec.forSearch('kettles', { k: 8 })) as R;
        const noMatch = brief(await rec.forSearch('zebra', { k: 3 }));
        const bad = brief(await rec.forSearch('   '));

        // An infinite scroll of recommend: a click on the first page's item between pages.
        const pages: R[] = [await rec.recommend({ k: 6 })];
        rec.track('click', { itemId: pages[0]!.items[2]!.itemId, timestamp: Date.now() - 40_000 });
        pages.push(await rec.next(pages[0]));
        rec.track('view', { itemId: pages[1]!.items[0]!.itemId, timestamp: Date.now() - 10_000 });
        pages.push(await rec.next(pages[1]));
        // The same for forSearch.
        const searchPages: R[] = [await rec.forSearch('pour-over', { k: 3 })];
        rec.track('click', { itemId: searchPages[0]!.items[0]!.itemId });
        searchPages.push(await rec.next(searchPages[0]));
        const notAList = brief(await rec.next(await rec.rank([kettles[0], earbuds])));
        const runtime = rec.status.runtime;
        await rec.destroy();
        return {
          found: { ...brief(found), items: found.items },
          noMatch,
          bad,
          pages: pages.map(brief),
          searchPages: searchPages.map(brief),
          notAList,
          reported,
          runtime,
        };
      },
      { kettles, earbuds, history },
    );

    // The model's answer for the query, explained by the shopper's own search and by the catalogue.
    expect(out.found.source).toBe('model');
    expect(out.found.list).toMatchObject({ method: 'forSearch', args: ['kettles'], page: 0 });
    const why = new Map(out.found.items.map((i) => [i.itemId, i.reason.text]));
    expect(why.get(earbuds)).toBe(`You searched 'Kettle' and opened ${c[earbuds]!.name}`);
    expect(why.get(kettles[0]!)).toBe(`You searched 'Kettle' and opened ${c[kettles[0]!]!.name}`);
    // A searched item first; the answer is the searched items and every other kettle of the catalogue
    // ("Matches 'kettles'"), in the model's order for this shopper.
    expect([earbuds, kettles[0]]).toContain(out.found.ids[0]);
    expect([...out.found.ids].sort()).toEqual([earbuds, ...kettles].sort());
    for (const id of kettles.slice(1)) expect(why.get(id)).toBe("Matches 'kettles'");
    expect(out.found.items.every((i) => i.reason.kind === 'search')).toBe(true);
    expect(out.noMatch).toMatchObject({ source: 'fallback', why: 'no-match' });
    expect(out.noMatch.ids).toHaveLength(3);
    expect(out.bad).toMatchObject({ source: 'fallback', why: 'error', ids: [] });

    // next: full pages, no item twice across the click and the view, the cursor of all pages so far.
    const all = out.pages.flatMap((p) => p.ids);
    expect(out.pages.map((p) => p.ids.length)).toEqual([6, 6, 6]);
    expect(new Set(all).size).toBe(18);
    expect(out.pages.map((p) => p.list!.page)).toEqual([0, 1, 2]);
    expect(out.pages[2]!.list!.returned).toEqual(all);
    expect(out.pages.every((p) => p.source === 'model')).toBe(true);
    const searched = out.searchPages.flatMap((p) => p.ids);
    expect(out.searchPages.map((p) => p.ids.length)).toEqual([3, 3]);
    expect(new Set(searched).size).toBe(6);
    expect(out.searchPages[1]!.list).toMatchObject({ method: 'forSearch', args: ['pour-over'], page: 1, returned: searched });
    // A rank answer is no list: refused by the runtime, reported, answered 'error'.
    expect(out.notAList).toMatchObject({ source: 'fallback', why: 'error', ids: [] });
    expect(out.reported).toEqual([
      { code: 'INVALID_ARGUMENT', field: 'query' },
      { code: 'INVALID_ARGUMENT', field: 'list' },
    ]);
    expect(out.runtime).toBe('worker');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
