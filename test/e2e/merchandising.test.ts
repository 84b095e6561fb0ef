/**
 * Merchandising rules and pages end to end in real Chromium: the BUILT SDK with the BUILT runtime
 * worker and the committed `models/demo-shop` bundle (whose catalog the filter reads). A shopper's
 * human-paced views go through `rec.track()` into IndexedDB; the worker reads them and answers from
 * the model. Checks: a filter expression + a brand cap + pages answered with source `'model'`
 * (every item passes the filter, the cap holds over the pages, pages never overlap and together
 * are the one-call list); `similar` in the same `dedupe` group repeats none of them; a pin at its
 * position, marked; a bad filter answered (never rejected) with the error reported to `onError`;
 * results hydrated with the catalog's metadata across the worker boundary (the host's entry wins).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo, useBrowser, useSdkPage, watchPage } from './helpers.js';

const MODEL = join(repo, 'models/demo-shop');
const present = existsSync(join(MODEL, 'manifest.json'));

const site = useSdkPage('merchandising e2e', MODEL, present);
const chromium = useBrowser();

type Meta = { category?: string; brand?: string; price?: number };
const catalog = present ? (JSON.parse(readFileSync(join(MODEL, 'catalog.json'), 'utf8')) as Record<string, Meta>) : {};
const ofCategory = (c: string) => Object.keys(catalog).filter((id) => catalog[id]!.category === c);

describe.skipIf(!present)('merchandising rules and pages through the SDK and the built worker (models/demo-shop)', () => {
  it('filter + cap + pages from the model, dedupe across widgets, a pin, a bad filter answered', async () => {
    const page = await chromium.browser.newPage();
    const { errors } = watchPage(page);
    await page.goto(site.url);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    const audio = ofCategory('Audio');
    const viewed = [...audio.slice(0, 2), ...ofCategory('Gaming').slice(0, 2)];
    const pinned = audio.find((id) => !viewed.includes(id) && catalog[id]!.price! < 200)!;
    const out = await page.evaluate(
      async ({ viewed, pinned }) => {
        const { connector, sdk } = (window as any).__e2e;
        const reported: { code: string; field?: string; message: string }[] = [];
        const rec = sdk.createLocalRec({
          appId: 'merch-e2e',
          runtime: connector.workerRuntime({
            assetsUrl: '/runtime/',
            modelUrl: '/models/demo-shop/',
            forceBackend: 'wasm',
            mode: 'worker',
          }),
          onError: (e: { code: string; field?: string; message: string }) =>
            reported.push({ code: e.code, field: e.field, message: e.message }),
        });
        const t0 = Date.now() - 30 * 60_000;
        viewed.forEach((itemId: string, i: number) => rec.track('view', { itemId, timestamp: t0 + i * 47_000 + (i % 2) * 13_000 }));
        type R = {
          items: { itemId: string; source: string; reason: { kind: string; rules?: string[] }; meta?: unknown }[];
          source: string;
          fallbackReason?: string;
        };
        const brief = (r: R) => ({ source: r.source, why: r.fallbackReason, ids: r.items.map((i) => i.itemId), items: r.items });
        const filter = {
          all: [
            { attr: 'category', eq: 'Audio' },
            { attr: 'price', lt: 200 },
          ],
        };
        const rules = { caps: { brand: 2 } };
        await rec.runtimeStatus();
        const pages = [];
        for (const p of [0, 1, 2]) pages.push(brief(await rec.recommend({ k: 3, filter, rules, page: p, dedupe: 'home' })));
        const whole = brief(await rec.recommend({ k: 9, filter, rules }));
        const similar = brief(await rec.similar(viewed[0], { k: 4, filter: { attr: 'category', eq: 'Audio' }, dedupe: 'home' }));
        const pin = brief(await rec.recommend({ k: 3, filter, rules: { ...rules, pin: [{ itemId: pinned, position: 1 }] } }));
        const bad = brief(await rec.recommend({ filter: { attr: 'price', between: [1, 2] } }));
        // Hydration across the worker boundary: the host's entry wins over the bundle's, per item.
        const host = { name: 'Host <b>kit</b>', image: '/img/kit.png', url: '/p/kit?a=1&b=2', price: 12 };
        await rec.setCatalog({ [pinned]: host });
        const ranked = brief(await rec.rank([pinned, whole.ids[0]]));
        const names = brief(await rec.rank([pinned, whole.ids[0]], { hydrate: ['name'] }));
        await rec.destroy();
        return { pages, whole, similar, pin, bad, reported, ranked, names, host };
      },
      { viewed, pinned },
    );

    const passes = (id: string) => catalog[id]!.category === 'Audio' && catalog[id]!.price! < 200;
    for (const p of out.pages) {
      expect(p.source).toBe('model');
      expect(p.ids).toHaveLength(3);
      for (const id of p.ids) expect(passes(id), id).toBe(true);
    }
    const union = out.pages.flatMap((p) => p.ids);
    // Pages never overlap, and together are the list one call for 9 items answers.
    expect(new Set(union).size).toBe(9);
    expect(out.whole.source).toBe('model');
    expect(union).toEqual(out.whole.ids);
    for (const id of union) expect(viewed).not.toContain(id);
    const perBrand = new Map<string, number>();
    for (const id of union) perBrand.set(catalog[id]!.brand!, (perBrand.get(catalog[id]!.brand!) ?? 0) + 1);
    expect(Math.max(...perBrand.values())).toBeLessThanOrEqual(2);
    // The other widget of the page view: from the model, in Audio, none of the items shown above.
    expect(out.similar.source).toBe('model');
    expect(out.similar.ids).toHaveLength(4);
    for (const id of out.similar.ids) {
      expect(catalog[id]!.category).toBe('Audio');
      expect(union).not.toContain(id);
    }
    // The pin at position 1, marked; the list still from the model.
    expect(out.pin.source).toBe('model');
    expect(out.pin.ids[1]).toBe(pinned);
    expect(out.pin.items[1]!.reason.rules).toContain('pin');
    expect(out.pin.ids.filter((id) => id === pinned)).toHaveLength(1);
    // A bad filter: answered (empty, 'error'), reported naming the bad node and the accepted operators.
    expect(out.bad).toMatchObject({ source: 'fallback', why: 'error', ids: [] });
    expect(out.reported).toEqual([expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'filter.between' })]);
    expect(out.reported[0]!.message).toMatch(/eq, in, gt, gte, lt, lte/);
    // Every list item carries the bundle catalog's metadata; the host's entry replaces it for its item.
    for (const item of [...out.pages.flatMap((p) => p.items), ...out.similar.items]) expect(item.meta).toEqual(catalog[item.itemId]);
    const first = out.whole.ids[0]!;
    expect(out.ranked.items.find((i) => i.itemId === pinned)!.meta).toEqual(out.host);
    expect(out.ranked.items.find((i) => i.itemId === first)!.meta).toEqual(catalog[first]);
    expect(out.names.items.map((i) => i.meta)).toEqual(
      out.names.ids.map((id) => ({ name: id === pinned ? out.host.name : (catalog[id] as { name: string }).name })),
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
