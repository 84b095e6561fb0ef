/**
 * Data lifecycle in real Chromium, with the BUILT SDK (`packages/sdk/dist/index.js`) and the
 * BUILT runtime worker (`packages/runtime/dist`):
 * - retention without writes: a shopper's events 40 days old left in real IndexedDB by an earlier
 *   visit, retention 30 days, nothing written since → the worker does not use them (history,
 *   purchases, profile) even before any prune, `exportData()` does not return them (under
 *   `granted`, `denied` and `pending`), and opening the SDK deletes them;
 * - bounded model cache: three model updates (a copy of `models/demo-shop` re-versioned, its
 *   catalog altered, served from a temp folder) leave exactly one version in Cache Storage, and
 *   `exportData()` lists what is cached (URLs, versions, bytes) and nothing else.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { BOOT_PATH, bootPage, bootScript, repo, storeModuleJs, useBrowser, watchPage } from './helpers.js';
import { startStaticServer, type StaticServer } from '../static-server.mjs';

const MODEL = join(repo, 'models/demo-shop');
const present = existsSync(join(MODEL, 'manifest.json'));
const DAY = 86_400_000;

let server: StaticServer | undefined;
let origin: string;
let updates: string;

beforeAll(async () => {
  if (!present) return;
  for (const f of ['packages/runtime/dist/worker.js', 'packages/sdk/dist/index.js']) {
    if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run \`pnpm build\` first (pnpm test does).`);
  }
  updates = mkdtempSync(join(tmpdir(), 'localrec-model-updates-'));
  cpSync(MODEL, updates, { recursive: true });
  const storeJs = await storeModuleJs();
  server = await startStaticServer({
    mounts: {
      '/runtime/': join(repo, 'packages/runtime/dist'),
      '/sdk/': join(repo, 'packages/sdk/dist'),
      '/models/demo-shop/': MODEL,
      '/models/updates/': updates,
    },
    routes: {
      '/favicon.ico': { status: 204 },
      '/': { body: bootPage('lifecycle e2e') },
      [BOOT_PATH]: bootScript({ connector: '/runtime/connector.js', sdk: '/sdk/index.js', store: '/__e2e/store.js' }),
      '/__e2e/store.js': { type: 'text/javascript; charset=utf-8', body: storeJs },
    },
  });
  origin = server.url;
}, 120_000);
afterAll(async () => {
  await server?.close();
  if (updates) rmSync(updates, { recursive: true, force: true });
});
const chromium = useBrowser();

async function open(): Promise<{ page: Page; errors: string[] }> {
  const page = await chromium.browser.newPage();
  const w = watchPage(page);
  await page.goto(origin);
  await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
  return { page, errors: w.errors };
}

/** The events of `localrec:<appId>`, read straight from IndexedDB (the store module, no SDK, no retention view). */
function rawEvents(page: Page, appId: string): Promise<{ itemId: string; type: string; ageDays: number }[]> {
  return page.evaluate(async (appId) => {
    const { store } = (window as any).__e2e;
    const s = new store.IndexedDbEventStore({ appId });
    const events = await s.query();
    s.close();
    return events.map((e: { itemId: string; type: string; ts: number }) => ({
      itemId: e.itemId,
      type: e.type,
      ageDays: Math.round((Date.now() - e.ts) / 86_400_000),
    }));
  }, appId);
}

describe.skipIf(!present)('retention without writes (models/demo-shop, real IndexedDB, the built worker)', () => {
  const vocab = (): string[] => JSON.parse(readFileSync(join(MODEL, 'vocab.json'), 'utf8')) as string[];

  for (const consent of ['granted', 'denied', 'pending'] as const) {
    it(`an event 40 days old, retention 30, no new write (consent ${consent}): not read by the runtime, not exported, gone after open`, async () => {
      const { page, errors } = await open();
      const [bought, seen, fresh] = vocab() as [string, string, string];
      const appId = `retention-${consent}`;
      const out = await page.evaluate(
        async ({ appId, consent, bought, seen, fresh, DAY }) => {
          const { store, connector, sdk } = (window as any).__e2e;
          // An earlier visit: a purchase and a view 40 days ago, a view 2 days ago.
          const s = new store.IndexedDbEventStore({ appId });
          const now = Date.now();
          const ev = (uid: string, type: string, itemId: string, ageDays: number) => ({
            uid,
            type,
            itemId,
            ts: now - ageDays * DAY,
            sessionId: 'old',
            data: {},
          });
          await s.append([ev('old-buy', 'purchase', bought, 40), ev('old-view', 'view', seen, 40), ev('fresh', 'view', fresh, 2)]);
          s.close();

          // The worker alone, told the window, before any SDK (so before any prune): the old events do not count.
          let runtime = null;
          if (consent === 'granted') {
            const api = await connector
              .workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/', forceBackend: 'wasm', mode: 'worker', insights: {} })
              .connect({ appId, consent: 'granted', retentionMs: 30 * DAY });
            await api.ready();
            const r = await api.recommend({ k: 300 });
            const profile = await api.getProfile();
            runtime = { items: r.items.map((i: { itemId: string }) => i.itemId), source: r.items[0]?.source, events: profile.eventCount };
            await api.dispose();
          }
          const untouched = await (async () => {
            const t = new store.IndexedDbEventStore({ appId });
            const n = await t.count();
            t.close();
            return n;
          })();

          // The SDK, retention 30 days, nothing tracked.
          const rec = sdk.createLocalRec({
            appId,
            retentionDays: 30,
            consent,
            requireConsent: consent !== 'granted',
            runtime: connector.workerRuntime({
              assetsUrl: '/runtime/',
              modelUrl: '/models/demo-shop/',
              forceBackend: 'wasm',
              mode: 'worker',
              insights: {},
            }),
          });
          const exported = (await rec.exportData()).events.map((e: { uid: string }) => e.uid);
          let sdkRuntime = null;
          if (consent === 'granted') {
            const r = await rec.recommend({ k: 300 });
            sdkRuntime = { items: r.items.map((i: { itemId: string }) => i.itemId), events: (await rec.getProfile()).eventCount };
          }
          await rec.destroy();
          return { runtime, untouched, exported, sdkRuntime };
        },
        { appId, consent, bought, seen, fresh, DAY },
      );
      if (consent === 'granted') {
        // Read by the worker: only the fresh view — the old purchase is recommendable again, the old view is not history.
        expect(out.runtime!.source).toBe('model');
        expect(out.runtime!.events).toBe(1);
        expect(out.runtime!.items).toContain(bought);
        expect(out.runtime!.items).toContain(seen);
        expect(out.runtime!.items).not.toContain(fresh);
        expect(out.sdkRuntime!.events).toBe(1);
        expect(out.sdkRuntime!.items).toContain(bought);
        expect(out.sdkRuntime!.items).not.toContain(fresh);
      }
      expect(out.untouched).toBe(3); // the worker deleted nothing: the read side alone kept them out
      expect(out.exported).toEqual(['fresh']);
      // Opening the SDK deleted them from IndexedDB, whatever the consent.
      expect(await rawEvents(page, appId)).toEqual([{ itemId: fresh, type: 'view', ageDays: 2 }]);
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  }
});

describe.skipIf(!present)('bounded model cache (models/demo-shop re-versioned three times)', () => {
  /** Makes the served copy version `v`: a new manifest version and an altered catalog (new hash). */
  function publish(v: number): { version: string; files: Record<string, { sha256: string; bytes: number }> } {
    const manifest = JSON.parse(readFileSync(join(MODEL, 'manifest.json'), 'utf8')) as {
      version: string;
      catalogFile: string;
      files: Record<string, { sha256: string; bytes: number }>;
    };
    const catalog = JSON.parse(readFileSync(join(MODEL, manifest.catalogFile), 'utf8')) as Record<string, { name?: string }>;
    const first = Object.keys(catalog)[0]!;
    catalog[first] = { ...catalog[first], name: `${catalog[first]!.name} (update ${v})` };
    const bytes = Buffer.from(JSON.stringify(catalog));
    writeFileSync(join(updates, manifest.catalogFile), bytes);
    manifest.version = `e2e-update-${v}`;
    manifest.files[manifest.catalogFile] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
    writeFileSync(join(updates, 'manifest.json'), JSON.stringify(manifest, null, 2));
    return manifest;
  }

  it('after three model updates exactly one version is cached, and exportData() lists it', async () => {
    const { page, errors } = await open();
    const seen: { loaded: string; cachedVersions: string[] }[] = [];
    let manifest: ReturnType<typeof publish> | undefined;
    for (const v of [1, 2, 3]) {
      manifest = publish(v);
      seen.push(
        await page.evaluate(async () => {
          const { connector } = (window as any).__e2e;
          const api = await connector
            .workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/updates/', forceBackend: 'wasm', mode: 'worker' })
            .connect({ appId: 'cache-e2e', consent: 'granted' });
          const status = await api.ready();
          await api.dispose();
          const cache = await caches.open('localrec-models-v1');
          const versions = (await cache.keys())
            .map((r) => new URL(r.url))
            .filter((u) => u.pathname.startsWith('/models/updates/'))
            .flatMap((u) => (u.searchParams.has('localrec-version') ? [u.searchParams.get('localrec-version')!] : []));
          return { loaded: status.modelVersion as string, cachedVersions: [...new Set(versions)].sort() };
        }),
      );
      expect(seen[seen.length - 1]).toEqual({ loaded: `e2e-update-${v}`, cachedVersions: [`e2e-update-${v}`] });
    }

    const listed = await page.evaluate(async () => {
      const { sdk } = (window as any).__e2e;
      const rec = sdk.createLocalRec({ appId: 'cache-e2e' });
      const data = await rec.exportData();
      await rec.destroy();
      return data.caches as Record<string, unknown>[];
    });
    const files = listed.filter((c) => String(c['url']).includes('/models/updates/') && c['version'] !== undefined);
    expect(new Set(files.map((c) => c['version']))).toEqual(new Set(['e2e-update-3']));
    // What the worker loads with the model (segments.json only when a segments call asks for it).
    const expected = ['weights.bin', 'vocab.json', 'catalog.json', 'associations.json'].map((f) => ({
      cache: 'localrec-models-v1',
      url: `${origin}models/updates/${f}`,
      version: 'e2e-update-3',
      sha256: manifest!.files[f]!.sha256,
      bytes: manifest!.files[f]!.bytes,
    }));
    expect(files.sort((a, b) => String(a['url']).localeCompare(String(b['url'])))).toEqual(
      expected.sort((a, b) => a.url.localeCompare(b.url)),
    );
    // Nothing but what is cached: every entry has exactly these fields (the manifest's has no version or hash).
    for (const c of listed) expect(Object.keys(c).every((k) => ['cache', 'url', 'version', 'sha256', 'bytes'].includes(k))).toBe(true);
    expect(listed.find((c) => String(c['url']).endsWith('/models/updates/manifest.json'))).toMatchObject({ cache: 'localrec-models-v1' });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
