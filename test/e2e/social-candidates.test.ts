/**
 * Social candidates end to end in real Chromium (issue 15, "social signals used"): the BUILT SDK
 * with the BUILT runtime worker (`insights: {}`) and the committed `models/demo-shop` bundle. A
 * friend's inbound share and a `follow`, recorded through `rec.track()` into real IndexedDB (the
 * worker reads them itself), and friends' likes given with `setSocialContext`, bring items the
 * model alone does not put in the top 10 INTO it, as `source: 'social'` with a reason that names no
 * friend; `exclude` and a `filter` keep them out; a share once opened is "seen"; no friend id
 * appears in any answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo, useBrowser, watchPage, useSdkPage } from './helpers.js';

const MODEL = join(repo, 'models/demo-shop');
const present = existsSync(join(MODEL, 'manifest.json'));

const site = useSdkPage('social candidates e2e', MODEL, present);
const chromium = useBrowser();

/** Items of the demo catalog by category, in the model's vocabulary. */
function itemsOf(category: string, n: number): string[] {
  const catalog = JSON.parse(readFileSync(join(MODEL, 'catalog.json'), 'utf8')) as Record<string, { category?: string }>;
  const vocab = new Set(JSON.parse(readFileSync(join(MODEL, 'vocab.json'), 'utf8')) as string[]);
  return Object.keys(catalog)
    .filter((id) => catalog[id]!.category === category && vocab.has(id))
    .slice(0, n);
}

interface Item {
  itemId: string;
  source: string;
  reason: { kind: string; text: string };
  meta?: { category?: string };
}

describe.skipIf(!present)('social candidates through the SDK and the built worker (models/demo-shop)', () => {
  it('a tracked inbound share + follow and a host social context bring items outside the top 10 in, with social reasons', async () => {
    const page = await chromium.browser.newPage();
    const w = watchPage(page);
    await page.goto(site.url);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    const coffee = itemsOf('Coffee & Tea', 4);
    expect(coffee.length).toBe(4);
    const out = await page.evaluate(
      async ({ coffee }) => {
        const { connector, sdk } = (window as any).__e2e;
        const rec = sdk.createLocalRec({
          appId: 'social-e2e',
          consent: 'granted',
          runtime: connector.workerRuntime({
            assetsUrl: '/runtime/',
            modelUrl: '/models/demo-shop/',
            forceBackend: 'wasm',
            mode: 'worker',
            insights: {},
          }),
        });
        const t0 = Date.now() - 10 * 60_000;
        coffee.forEach((itemId: string, i: number) => rec.track('view', { itemId, dwellMs: 8000, timestamp: t0 + i * 40_000 }));
        const base = await rec.recommend({ k: 10 });
        const deep = await rec.recommend({ k: 200, hydrate: ['category'] });
        // Two items ranked far down (outside the pool of 30 a top 10 is chosen from), of a category other than the top item's.
        const topCat = deep.items[0].meta?.category;
        const far = deep.items.slice(100).filter((i: Item) => i.meta?.category !== topCat);
        const shared = far[0].itemId;
        const liked = far[1].itemId;
        // A friend shared `shared` with the shopper through a link (?ref=…), and the shopper follows that friend.
        rec.track('share', { itemId: shared, direction: 'in', friendId: 'pal-1', channel: 'link', context: { ref: 'share-link-77' } });
        rec.track('follow', { friendId: 'pal-1' });
        const r1 = await rec.recommend({ k: 10, hydrate: ['category'] });
        // Friends' likes and purchases, from the host page (pal-1 is followed: counts twice).
        await rec.setSocialContext({
          items: { [liked]: { likedBy: ['pal-1', 'pal-2', 'pal-3', 'pal-4', 'pal-5', 'pal-6'], boughtBy: ['pal-2', 'pal-3'] } },
        });
        const r2 = await rec.recommend({ k: 10, hydrate: ['category'] });
        const excluded = await rec.recommend({ k: 10, exclude: [shared, liked] });
        const filtered = await rec.recommend({ k: 10, filter: { attr: 'category', eq: topCat } });
        // The shopper opens the shared item: it is seen now.
        rec.track('view', { itemId: shared, dwellMs: 6000 });
        const r3 = await rec.recommend({ k: 10 });
        const dump = JSON.stringify(await rec.exportData());
        const status = await rec.runtimeStatus();
        await rec.destroy();
        return { base, r1, r2, excluded, filtered, r3, shared, liked, topCat, dump, backend: status.backend };
      },
      { coffee },
    );
    const ids = (r: { items: Item[] }) => r.items.map((i) => i.itemId);
    expect(out.backend).toBe('wasm');
    expect(out.base.source).toBe('model');
    // The model alone does not rank them in the top 10.
    expect(ids(out.base)).not.toContain(out.shared);
    expect(ids(out.base)).not.toContain(out.liked);
    // The recorded inbound share brings `shared` in.
    const s1 = out.r1.items.find((i: Item) => i.itemId === out.shared);
    expect(s1, JSON.stringify(out.r1.items.map((i: Item) => [i.itemId, i.source]))).toBeDefined();
    expect(s1.source).toBe('social');
    expect(s1.reason).toEqual({ kind: 'social', text: 'Shared with you by a friend' });
    // The host's likes bring `liked` in too.
    const l2 = out.r2.items.find((i: Item) => i.itemId === out.liked);
    expect(l2, JSON.stringify(out.r2.items.map((i: Item) => [i.itemId, i.source]))).toBeDefined();
    expect(l2.source).toBe('social');
    expect(l2.reason).toEqual({ kind: 'social', text: '2 friends bought this' });
    expect(out.r2.items).toHaveLength(10);
    // Every item without a friend's signal keeps its own reason.
    for (const it of out.r2.items as Item[])
      if (it.itemId !== out.shared && it.itemId !== out.liked) expect(it.reason.kind).not.toBe('social');
    // exclude and filter apply to social candidates.
    expect(ids(out.excluded)).not.toContain(out.shared);
    expect(ids(out.excluded)).not.toContain(out.liked);
    expect(ids(out.filtered)).not.toContain(out.shared);
    expect(ids(out.filtered)).not.toContain(out.liked);
    // Opened: seen, out of the list.
    expect(ids(out.r3)).not.toContain(out.shared);
    // Friend ids never appear in an answer; the host's context is not stored.
    for (const r of [out.r1, out.r2, out.excluded, out.filtered, out.r3]) {
      const text = JSON.stringify(r);
      for (const secret of ['pal-1', 'pal-2', 'pal-6', 'share-link-77']) expect(text).not.toContain(secret);
    }
    expect(out.dump).not.toContain('pal-2');
    expect(out.dump).not.toContain('friendsLiked');
    expect(w.errors).toEqual([]);
    await page.close();
  }, 180_000);
});
