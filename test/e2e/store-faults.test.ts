// Storage faults that are REAL in real Chromium, on the IndexedDB store and the Recorder:
// - quota exceeded: the origin's quota is lowered through CDP (Storage.overrideQuotaForOrigin;
//   navigator.storage.estimate() does not show it, but IndexedDB enforces it);
// - two tabs recording into the same database at the same time;
// - the page closed in the middle of a stream of write batches.
// Sources are bundled with esbuild into one page script; nothing else is served.
import { build } from 'esbuild';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repo, useBrowser } from './helpers.js';
import { startStaticServer, type StaticServer } from '../static-server.mjs';

let server: StaticServer;
let origin: string;

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: "export * from './packages/core/src/index.ts'; export * from './packages/store-idb/src/index.ts';",
      resolveDir: repo,
      sourcefile: 'quota-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'LR',
    conditions: ['@localrec/source'],
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  server = await startStaticServer({
    routes: {
      '/': { body: '<!doctype html><meta charset="utf-8"><title>quota</title><script src="/lr.js"></script>' },
      '/lr.js': { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0]!.text },
    },
  });
  origin = server.url.slice(0, -1); // no trailing slash: CDP's origin
});
afterAll(async () => {
  await server?.close();
});
const chromium = useBrowser();

async function pageWithQuota(quotaSize: number): Promise<Page> {
  const context = await chromium.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize });
  return page;
}

// In-page helpers (bulky, incompressible payloads: Chromium compresses IndexedDB values).
const IN_PAGE = `
  window.noise = (n) => Array.from(crypto.getRandomValues(new Uint32Array(n)), (x) => x.toString(36).padStart(7, '0')).join('').slice(0, n * 7);
`;

describe('real quota exceeded (Chromium, 1 MB quota)', () => {
  test('the store maps it to QUOTA_EXCEEDED, rolls back the failing batch and keeps every earlier one', async () => {
    const page = await pageWithQuota(1_000_000);
    await page.addScriptTag({ content: IN_PAGE });
    const r = await page.evaluate(async () => {
      const { IndexedDbEventStore } = (window as any).LR;
      const noise = (window as any).noise as (n: number) => string;
      const store = new IndexedDbEventStore({ appId: 'quota-store' });
      let stored = 0;
      let error: { name: string; code: string; message: string } | undefined;
      for (let b = 0; b < 400 && !error; b++) {
        const batch = Array.from({ length: 5 }, (_, i) => ({
          uid: `b${b}-${i}`,
          type: 'search',
          ts: 1_700_000_000_000 + b * 10 + i,
          sessionId: 's',
          data: { query: noise(1500) },
        }));
        try {
          stored += (await store.append(batch)).length;
        } catch (e) {
          error = { name: (e as Error).name, code: (e as { code: string }).code, message: (e as Error).message };
        }
      }
      const count = await store.count();
      const last = (await store.query({ order: 'desc', limit: 1 }))[0]?.uid;
      await store.destroy();
      return { stored, count, error, last };
    });
    expect(r.error).toMatchObject({ name: 'LocalRecError', code: 'QUOTA_EXCEEDED' });
    expect(r.stored).toBeGreaterThan(0);
    expect(r.count).toBe(r.stored); // every batch before the failing one, none of the failing one
    expect(r.last).toBe(`b${r.stored / 5 - 1}-4`);
  });

  test('the Recorder keeps recording into IndexedDB past the quota: evicts oldest first, loses nothing else', async () => {
    const page = await pageWithQuota(1_000_000);
    await page.addScriptTag({ content: IN_PAGE });
    const r = await page.evaluate(async () => {
      const { IndexedDbEventStore, Recorder, resolveConfig } = (window as any).LR;
      const noise = (window as any).noise as (n: number) => string;
      const errors: string[] = [];
      const store = new IndexedDbEventStore({ appId: 'quota-recorder' });
      const rec = new Recorder({
        config: resolveConfig({ appId: 'quota-recorder', rateLimit: false, batchSize: 20 }),
        store,
        onError: (e: { code: string }) => errors.push(e.code),
      });
      const recorded: string[] = [];
      for (let i = 0; i < 600; i++) {
        // ~3.9 KB of incompressible text per event, within the 4 KB payload limit.
        const props: Record<string, string> = {};
        for (let k = 0; k < 14; k++) props[`k${k}`] = noise(36).slice(0, 250);
        const ev = rec.record('myshop:bulk', { itemId: `I${i}`, props });
        recorded.push(ev.uid);
        if (i % 20 === 19) await rec.flush();
      }
      await rec.flush();
      const held = (await rec.query()).map((e: { uid: string }) => e.uid);
      const inIdb = await store.count();
      const status = rec.status;
      await rec.forget();
      return { errors, recorded, held, inIdb, status };
    });
    console.log(
      `Recorder past a 1 MB quota: ${r.recorded.length} recorded, ${r.held.length} held (${r.inIdb} in IndexedDB), storage ${r.status.storage}, errors ${[...new Set(r.errors)].join(',')}`,
    );
    expect(r.errors).toContain('QUOTA_EXCEEDED');
    // The newest event is always kept, and what is kept is the newest contiguous run: only the
    // oldest were evicted, by policy; nothing in between went missing.
    expect(r.held[r.held.length - 1]).toBe(r.recorded[r.recorded.length - 1]);
    expect(r.held).toEqual(r.recorded.slice(r.recorded.length - r.held.length));
    expect(r.held.length).toBeGreaterThan(0);
    expect(r.status).toMatchObject({ storage: 'indexeddb', degraded: false, pending: 0 });
    expect(r.inIdb).toBe(r.held.length);
  });
});

describe('two tabs of the same shop', () => {
  test('record at the same time, retrying the same events: nothing lost, nothing duplicated', async () => {
    const context = await chromium.browser.newContext();
    const [a, b] = await Promise.all([context.newPage(), context.newPage()]);
    await Promise.all([a.goto(`${origin}/`), b.goto(`${origin}/`)]);
    const run = (page: Page, tab: string) =>
      page.evaluate(async (tab) => {
        const { IndexedDbEventStore, Recorder, resolveConfig } = (window as any).LR;
        const store = new IndexedDbEventStore({ appId: 'two-tabs' });
        const rec = new Recorder({ config: resolveConfig({ appId: 'two-tabs', rateLimit: false, batchSize: 50 }), store });
        const shared = Array.from({ length: 100 }, (_, i) => ({
          uid: `shared-${i}`,
          type: 'view',
          ts: 1_700_000_000_000 + i,
          sessionId: 'x',
          itemId: `S${i}`,
          data: {},
        }));
        for (let i = 0; i < 1000; i++) {
          rec.record('view', { itemId: `${tab}${i}` });
          if (i % 100 === 99) {
            await rec.flush();
            await store.append(shared.slice(0, (i + 1) / 10)); // both tabs retry the same events
          }
        }
        await rec.flush();
      }, tab);
    await Promise.all([run(a, 'A'), run(b, 'B')]);
    const all = await a.evaluate(async () => {
      const { IndexedDbEventStore } = (window as any).LR;
      const store = new IndexedDbEventStore({ appId: 'two-tabs' });
      const events = (await store.query()) as Array<{ uid: string; itemId: string }>;
      await store.destroy();
      return events.map((e) => [e.uid, e.itemId] as const);
    });
    const items = all.map(([, item]) => item);
    expect(all).toHaveLength(2100);
    expect(new Set(all.map(([uid]) => uid)).size).toBe(2100);
    for (const tab of ['A', 'B']) {
      expect(items.filter((x) => x.startsWith(tab))).toEqual(Array.from({ length: 1000 }, (_, i) => `${tab}${i}`));
    }
    await context.close();
  });
});

describe('the page closed in the middle of writing', () => {
  test('every batch that committed survives whole; none survives in part', async () => {
    const context = await chromium.browser.newContext();
    const [writer, observer] = await Promise.all([context.newPage(), context.newPage()]);
    await Promise.all([writer.goto(`${origin}/`), observer.goto(`${origin}/`)]);
    const countNow = () =>
      observer.evaluate(async () => {
        const { IndexedDbEventStore } = (window as any).LR;
        const s = new IndexedDbEventStore({ appId: 'closed-mid-write' });
        const n = await s.count();
        s.close();
        return n as number;
      });
    // 20,000 events in batches of 250: the writer keeps flushing for a while.
    await writer.evaluate(() => {
      const { IndexedDbEventStore, Recorder, resolveConfig } = (window as any).LR;
      const rec = new Recorder({
        config: resolveConfig({ appId: 'closed-mid-write', rateLimit: false, batchSize: 250, queueLimit: 50_000, maxEvents: 100_000 }),
        store: new IndexedDbEventStore({ appId: 'closed-mid-write' }),
      });
      for (let i = 0; i < 20_000; i++) rec.record('view', { itemId: `I${i}` });
      void rec.flush();
    });
    let before = 0;
    for (let i = 0; i < 500 && before === 0; i++) before = await countNow();
    await writer.close({ runBeforeUnload: false });
    const result = await observer.evaluate(async () => {
      const { IndexedDbEventStore } = (window as any).LR;
      const s = new IndexedDbEventStore({ appId: 'closed-mid-write' });
      const items = ((await s.query()) as Array<{ itemId: string }>).map((e) => e.itemId);
      await s.destroy();
      return items;
    });
    console.log(`page closed mid-write: ${before} events seen committed before close, ${result.length} of 20,000 survived`);
    expect(before).toBeGreaterThan(0);
    expect(result.length).toBeGreaterThanOrEqual(before); // nothing that was committed is lost
    expect(result.length % 250).toBe(0); // whole batches only
    expect(result).toEqual(Array.from({ length: result.length }, (_, i) => `I${i}`));
    await context.close();
  });
});
