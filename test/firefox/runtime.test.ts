/**
 * The runtime in Firefox ESR: the BUILT worker (`packages/runtime/dist`, run `pnpm build` first)
 * loaded through the built connector, scoring the committed model (models/games-sasrec, else
 * models/demo-shop) on the wasm backend in a real Web Worker that reads the events the page wrote
 * to real IndexedDB (IndexedDB in a worker, Firefox's own implementation). Every answer must be
 * `source: 'model'` with the top-10 and scores of the Node-side scorer (the same `SasrecScorer`
 * the trainer evaluates with), within the tolerance of test/e2e/runtime.test.ts: 2e-3 absolute,
 * or relative above 1; the same ids except where Node's scores tie within it at the cut.
 * Firefox ESR here has no WebGPU (`navigator.gpu` is absent) and, headless, no WebGL2 in workers:
 * the second test checks that the backend calibration picks what exists and still answers from the model.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@localrec/trainer';
import {
  type SasrecScorer,
  bundleScorer,
  loadBundleDir,
  recentSequence,
  type LoadedBundle,
  type StoredEvent,
} from '../../packages/runtime/test/fixture.js';
import { BOOT_PATH, bootPage, bootScript, repo, storeModuleJs } from '../e2e/helpers.js';
import { startStaticServer, type StaticServer } from '../static-server.mjs';
import { HAS_FIREFOX, SKIPPED_WITHOUT_FIREFOX, useFirefox, watchPage } from './helpers.js';

const DIST = join(repo, 'packages/runtime/dist');
const TOL = 2e-3;
/** The committed model this file scores: games-sasrec, else the demo shop's. */
const MODEL = ['games-sasrec', 'demo-shop'].find((m) => existsSync(join(repo, 'models', m, 'manifest.json')));

interface Item {
  itemId: string;
  score: number;
  source: string;
  reasonKind: string;
}
interface PageResult {
  status: {
    ready: boolean;
    backend?: string;
    runtime?: string;
    calibration?: { backend: string; timings: Record<string, number | string> };
  };
  results: Item[][];
  gpu: boolean;
}

/** What /__e2e/boot.js puts on window (loosely typed: the page code is plain JS). */
type E2E = { connector: any; store: any };

describe.skipIf(!HAS_FIREFOX)(`runtime in Firefox ESR: models/${MODEL} through the built worker${SKIPPED_WITHOUT_FIREFOX}`, () => {
  const firefox = useFirefox();
  let server: StaticServer;
  let ref: LoadedBundle;
  let scorer: SasrecScorer;
  let sequences: string[][];

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'worker.js')))
      throw new Error('packages/runtime/dist/worker.js is missing: run `pnpm build` first (pnpm test does).');
    if (!MODEL) throw new Error('neither models/games-sasrec nor models/demo-shop has a manifest.json: the committed models are missing');
    server = await startStaticServer({
      mounts: { '/runtime/': DIST, '/models/': join(repo, 'models') },
      routes: {
        '/': { body: bootPage('runtime (Firefox)') },
        [BOOT_PATH]: bootScript({ connector: '/runtime/connector.js', store: '/__e2e/store.js' }),
        '/__e2e/store.js': { type: 'text/javascript; charset=utf-8', body: await storeModuleJs() },
      },
    });
    await useBackend('wasm'); // Node's scorer: tfjs wasm, as the trainer's eval
    ref = await loadBundleDir(join(repo, 'models', MODEL));
    const N = ref.manifest.itemCount;
    scorer = bundleScorer(ref);
    // As test/e2e/runtime.test.ts: the most popular items, a few fixed rows, a deterministic spread.
    const pick = (rows: number[]): string[] => rows.map((r) => ref.vocab[(r - 1) % N]!);
    sequences = [
      pick(Array.from(ref.cold.popularItems.slice(0, 5))),
      pick([101, 2003, 777, 15000, 42]),
      pick(Array.from({ length: 50 }, (_, i) => 1 + ((i * 7919) % N))),
    ];
  });
  afterAll(async () => {
    scorer?.dispose();
    await server?.close();
  });

  async function open(): Promise<{ page: Page; seen: ReturnType<typeof watchPage> }> {
    const page = await (await firefox.browser.createBrowserContext()).newPage();
    const seen = watchPage(page);
    await page.goto(server.url);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    return { page, seen };
  }

  /** In the page: writes each sequence's events to IndexedDB (appending) and asks recommend({ k: 10 }) after each. */
  function runInPage(page: Page, o: { appId: string; backend?: string }): Promise<PageResult> {
    return page.evaluate(
      async (appId, modelUrl, backend, sequences) => {
        const { connector, store: storeModule } = (window as unknown as { __e2e: E2E }).__e2e;
        const store = new storeModule.IndexedDbEventStore({ appId });
        await store.open();
        const conn = connector.workerRuntime({
          assetsUrl: '/runtime/',
          modelUrl,
          forceBackend: backend,
          budgetMs: 600_000,
          mode: 'worker',
        });
        const api = await conn.connect({ appId, consent: 'granted' });
        await api.ready();
        const results: Item[][] = [];
        // Human-paced (7–40 s apart, uneven): the abnormal-behaviour filter, on by default, keeps
        // machine-paced histories out of the model input, and this history must reach the model whole.
        let ts = 1_000_000;
        let n = 0;
        for (const seq of sequences) {
          await store.append(
            seq.map((itemId) => ({
              uid: `${appId}-${ts}`,
              type: 'view',
              ts: (ts += 7_000 + ((++n * 7919) % 33_000)),
              sessionId: 's',
              itemId,
              data: {},
            })),
          );
          const r = await api.recommend({ k: 10, excludePurchased: false });
          results.push(
            r.items.map((i: { itemId: string; score: number; source: string; reason: { kind: string } }) => ({
              itemId: i.itemId,
              score: i.score,
              source: i.source,
              reasonKind: i.reason.kind,
            })),
          );
        }
        const status = await api.status();
        await api.dispose();
        store.close();
        return { status, results, gpu: 'gpu' in navigator };
      },
      o.appId,
      `/models/${MODEL}/`,
      o.backend,
      sequences,
    );
  }

  /** Node's answer after each sequence: recentSequence over every event so far → scorer → rows by score, history excluded. */
  async function expected(): Promise<Array<{ rows: number[]; scores: Float32Array; history: Set<number> }>> {
    const rowOf = new Map(ref.vocab.map((id, i) => [id, i + 1]));
    const events: StoredEvent[] = [];
    const out = [];
    // Human-paced (7–40 s apart, uneven): the abnormal-behaviour filter, on by default, keeps
    // machine-paced histories out of the model input, and this history must reach the model whole.
    let ts = 1_000_000;
    let n = 0;
    for (const seq of sequences) {
      for (const itemId of seq)
        events.push({
          uid: String(ts),
          seq: events.length + 1,
          type: 'view',
          ts: (ts += 7_000 + ((++n * 7919) % 33_000)),
          sessionId: 's',
          itemId,
          data: {},
        });
      const hist = recentSequence(events, { maxLen: ref.manifest.architecture.maxLen }).map((e) => rowOf.get(e.itemId)!);
      const [scores] = await scorer.scores([Int32Array.from(hist)]);
      const history = new Set(hist);
      const rows = Array.from({ length: ref.manifest.itemCount }, (_, i) => i + 1)
        .filter((r) => !history.has(r))
        .sort((x, y) => scores![y]! - scores![x]! || x - y);
      out.push({ rows, scores: scores!, history });
    }
    return out;
  }

  function compare(got: Item[][], want: Awaited<ReturnType<typeof expected>>): void {
    const rowOf = new Map(ref.vocab.map((id, i) => [id, i + 1]));
    expect(got).toHaveLength(want.length);
    got.forEach((items, i) => {
      const w = want[i]!;
      expect(items).toHaveLength(10);
      for (const it of items) {
        const r = rowOf.get(it.itemId)!;
        expect(w.history.has(r)).toBe(false);
        expect(it.source).toBe('model');
        expect(it.reasonKind).toBe('history');
        expect(Math.abs(it.score - w.scores[r]!)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(w.scores[r]!)));
      }
      const cut = w.scores[w.rows[9]!]!;
      const sure = w.rows.slice(0, 10).filter((r) => w.scores[r]! > cut + TOL * Math.max(1, Math.abs(cut)));
      const gotRows = items.map((it) => rowOf.get(it.itemId)!);
      for (const r of sure) expect(gotRows).toContain(r);
      for (let j = 1; j < items.length; j++) expect(items[j]!.score).toBeLessThanOrEqual(items[j - 1]!.score + TOL);
    });
  }

  it('wasm in a real worker: source "model", the Node scorer’s top-10 and scores, events read from IndexedDB in the worker', async () => {
    const { page, seen } = await open();
    const r = await runInPage(page, { appId: `ff-${MODEL}-wasm`, backend: 'wasm' });
    expect(r.status).toMatchObject({ ready: true, backend: 'wasm', runtime: 'worker' });
    compare(r.results, await expected());
    expect(seen.errors).toEqual([]);
    await page.browserContext().close();
  });

  it('without a forced backend: no WebGPU in Firefox ESR, the calibration picks a backend that exists, and the answers are the model’s', async () => {
    const { page, seen } = await open();
    const r = await runInPage(page, { appId: `ff-${MODEL}-auto` });
    expect(r.gpu).toBe(false);
    expect(r.status).toMatchObject({ ready: true, runtime: 'worker' });
    const measured = Object.entries(r.status.calibration?.timings ?? {}).filter(([, v]) => typeof v === 'number');
    expect(measured.map(([b]) => b)).toEqual(expect.arrayContaining(['wasm']));
    expect(measured.map(([b]) => b)).not.toContain('webgpu');
    expect(measured.map(([b]) => b)).toContain(r.status.backend);
    compare(r.results, await expected());
    console.log(`runtime in Firefox: calibration ${JSON.stringify(r.status.calibration?.timings)} → ${r.status.backend}`);
    expect(seen.errors).toEqual([]);
    await page.browserContext().close();
  });
});
