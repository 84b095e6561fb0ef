/**
 * The insights layer end to end in real Chromium: the BUILT SDK (`packages/sdk/dist/index.js`)
 * with the BUILT runtime worker (`packages/runtime/dist`, `insights: {}`) and the committed
 * `models/demo-shop` bundle (catalog + segments). Events go through `rec.track()` into real
 * IndexedDB; the worker reads them itself. Checks: getProfile reflects human-paced events; a
 * bot-like burst moves neither the profile nor the model input; getSegments answers ≤ 3 segments
 * with consent and refuses without; social context shows in reasons; the state is in exportData().
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { repo, useBrowser, watchPage, useSdkPage } from './helpers.js';

const MODEL = join(repo, 'models/demo-shop');
const present = existsSync(join(MODEL, 'manifest.json')) && existsSync(join(MODEL, 'segments.json'));

const site = useSdkPage('insights e2e', MODEL, present);
const chromium = useBrowser();

/** Items of the demo catalog by category, in the model's vocabulary. */
function itemsOf(category: string, n: number): string[] {
  const catalog = JSON.parse(readFileSync(join(MODEL, 'catalog.json'), 'utf8')) as Record<string, { category?: string }>;
  const vocab = new Set(JSON.parse(readFileSync(join(MODEL, 'vocab.json'), 'utf8')) as string[]);
  return Object.keys(catalog)
    .filter((id) => catalog[id]!.category === category && vocab.has(id))
    .slice(0, n);
}

async function open(): Promise<{ page: Page; errors: string[] }> {
  const page = await chromium.browser.newPage();
  const w = watchPage(page);
  await page.goto(site.url);
  await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
  return { page, errors: w.errors };
}

describe.skipIf(!present)('insights through the SDK and the built worker (models/demo-shop)', () => {
  it('profile from tracked events; a bot burst changes nothing; segments only with consent; social reasons; state in exportData', async () => {
    const { page, errors } = await open();
    const coffee = itemsOf('Coffee & Tea', 4);
    const audio = itemsOf('Audio', 2);
    const toys = itemsOf('Toys', 20);
    expect(coffee.length + audio.length).toBe(6);
    const out = await page.evaluate(
      async ({ coffee, audio, toys }) => {
        const { connector, sdk } = (window as any).__e2e;
        const rec = sdk.createLocalRec({
          appId: 'insights-e2e',
          requireConsent: true,
          consent: 'pending',
          runtime: connector.workerRuntime({
            assetsUrl: '/runtime/',
            modelUrl: '/models/demo-shop/',
            forceBackend: 'wasm',
            mode: 'worker',
            insights: {},
          }),
        });
        const code = (p: Promise<unknown>) =>
          p.then(
            () => 'resolved',
            (e: { code?: string }) => e.code ?? String(e),
          );
        const before = { profile: await code(rec.getProfile()), segments: await code(rec.getSegments()) };
        rec.setConsent('granted');
        // A person: six events over four minutes (explicit timestamps in the recent past).
        const t0 = Date.now() - 10 * 60_000;
        const human = [...coffee, ...audio];
        const types = ['view', 'click', 'add_to_cart', 'view', 'view', 'click'];
        human.forEach((itemId, i) => rec.track(types[i], { itemId, timestamp: t0 + i * 40_000 }));
        const p1 = await rec.getProfile();
        const r1 = await rec.recommend({ k: 10 });
        // A script: 40 views of toys within a few milliseconds.
        for (let i = 0; i < 40; i++) rec.track('view', { itemId: toys[i % toys.length] });
        const p2 = await rec.getProfile();
        const r2 = await rec.recommend({ k: 10 });
        const s1 = await rec.getSegments();
        const s2 = await rec.getSegments();
        // Social context: the last recommended item, liked by 12 friends.
        const last = r2.items[r2.items.length - 1].itemId;
        await rec.setSocialContext({ items: { [last]: { friendsLiked: 12 } } });
        const r3 = await rec.recommend({ k: 10 });
        const badSocial = await rec.setSocialContext({ items: { x: { friendsLiked: 'many' } } }).then(
          () => null,
          (e: { code: string; field: string }) => ({ code: e.code, field: e.field }),
        );
        const exported = await rec.exportData();
        rec.setConsent('denied');
        const after = { profile: await code(rec.getProfile()), segments: await code(rec.getSegments()) };
        const status = await rec.runtimeStatus();
        await rec.destroy();
        const brief = (p: {
          eventCount: number;
          excludedEvents: number;
          categories: { key: string; share: number }[];
          activeHours: number[];
        }) => ({
          eventCount: p.eventCount,
          excluded: p.excludedEvents,
          categories: p.categories.map((c) => [c.key, c.share]),
          hours: p.activeHours.reduce((a, b) => a + b, 0),
        });
        const recs = (r: { items: { itemId: string; reason: { kind: string; text: string; itemIds?: string[] } }[]; source: string }) => ({
          source: r.source,
          ids: r.items.map((i) => i.itemId),
          reasons: r.items.map((i) => i.reason),
        });
        return {
          before,
          after,
          p1: brief(p1),
          p2: brief(p2),
          r1: recs(r1),
          r2: recs(r2),
          r3: recs(r3),
          last,
          s1,
          s2,
          badSocial,
          metaKeys: Object.keys(exported.meta),
          events: exported.events.length,
          backend: status.backend,
        };
      },
      { coffee, audio, toys },
    );

    expect(out.before).toEqual({ profile: 'CONSENT_REQUIRED', segments: 'CONSENT_REQUIRED' });
    expect(out.after).toEqual({ profile: 'CONSENT_REQUIRED', segments: 'CONSENT_REQUIRED' });
    expect(out.backend).toBe('wasm');

    // The profile reflects the six tracked events: coffee first, audio second.
    expect(out.p1.eventCount).toBe(6);
    expect(out.p1.hours).toBe(6);
    expect(out.p1.categories.map((c) => c[0])).toEqual(['Coffee & Tea', 'Audio']);
    // The burst: stored (exportData shows all 46 events) but out of the profile…
    expect(out.events).toBe(46);
    expect(out.p2.excluded).toBe(40);
    expect(out.p2.eventCount).toBe(6);
    expect(out.p2.categories.map((c) => c[0])).toEqual(['Coffee & Tea', 'Audio']);
    out.p2.categories.forEach((c, i) => expect(c[1]).toBeCloseTo(out.p1.categories[i]![1] as number, 4));
    // …and out of the model input: the same answer, no reason cites a toy.
    expect(out.r2.source).toBe('model');
    expect(out.r2.ids).toEqual(out.r1.ids);
    const cited = out.r2.reasons.flatMap((r) => r.itemIds ?? []);
    expect(cited.some((id) => toys.includes(id))).toBe(false);

    // Segments: with consent, 1–3, stable within the week.
    expect(out.s1.segments.length).toBeGreaterThanOrEqual(1);
    expect(out.s1.segments.length).toBeLessThanOrEqual(3);
    for (const s of out.s1.segments) expect(typeof s.label).toBe('string');
    expect(out.s2).toEqual(out.s1);

    // Social proof reorders and explains; bad context is refused with the field named.
    const pos = out.r3.ids.indexOf(out.last);
    expect(pos).toBeGreaterThanOrEqual(0);
    expect(pos).toBeLessThan(9);
    expect(out.r3.reasons[pos]).toEqual({ kind: 'social', text: '12 friends liked this' });
    expect(out.badSocial).toEqual({ code: 'INVALID_ARGUMENT', field: 'items["x"].friendsLiked' });

    // What the device learned is in exportData() (and goes with forgetMe(): it lives in the same database).
    expect(out.metaKeys).toEqual(
      expect.arrayContaining(['insights:profile', 'insights:reranker', 'insights:segments-salt', 'insights:segments']),
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
