/**
 * The runtime in real Chromium: the BUILT worker (`packages/runtime/dist`, run `pnpm build` first)
 * loaded through the built connector and Comlink, reading events the page wrote to real
 * IndexedDB, scoring with each tfjs backend available, compared with the Node-side scorer
 * (the same `SasrecScorer` code the trainer evaluates with).
 *
 * Tolerance: every returned score is within 2e-3 (absolute, or relative above 1) of the Node
 * score of that item, and the top-10 ids equal Node's except where Node's scores tie within
 * that tolerance at the cut. GPU backends compute in float32 with different summation order.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import {
  type SasrecScorer,
  bundleScorer,
  evaluate,
  loadBundleDir,
  makeTinyBundle,
  recentSequence,
  tinySplit,
  type LoadedBundle,
  type StoredEvent,
  type TinyBundle,
} from '../../packages/runtime/test/fixture.js';
import { BOOT_PATH, bootPage, bootScript, repo, storeModuleJs, useBrowser } from './helpers.js';
import { startStaticServer, type StaticServer } from '../static-server.mjs';

const DIST = join(repo, 'packages/runtime/dist');
const TOL = 2e-3;

let server: StaticServer;
let origin: string;
let tiny: TinyBundle;
let storeJs: string;

beforeAll(async () => {
  if (!existsSync(join(DIST, 'worker.js')))
    throw new Error('packages/runtime/dist/worker.js is missing: run `pnpm build` first (pnpm test does).');
  tiny = await makeTinyBundle();
  // Test-only helper for the page: the IndexedDB event store, to write the shopper's events.
  storeJs = await storeModuleJs();
  server = await startStaticServer({
    mounts: { '/runtime/': DIST, '/models/tiny/': tiny.dir, '/models/': join(repo, 'models') },
    routes: {
      // `?noworker`: a page whose CSP forbids workers: the connector must fall back to the main thread.
      '/': (url) => ({
        body: bootPage('runtime e2e'),
        headers: url.searchParams.has('noworker')
          ? { 'content-security-policy': "worker-src 'none'; script-src 'self' 'wasm-unsafe-eval'" }
          : undefined,
      }),
      [BOOT_PATH]: bootScript({ connector: '/runtime/connector.js', store: '/__e2e/store.js' }),
      '/__e2e/store.js': { type: 'text/javascript; charset=utf-8', body: storeJs },
    },
  });
  origin = server.url;
}, 180_000);
const chromium = useBrowser();

afterAll(async () => {
  await server?.close();
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

/** What /__e2e/boot.js puts on window (loosely typed: the page code is plain JS). */

type E2E = { connector: any; store: any };

/** Opens the test page and waits for the built modules. */
async function open(path = ''): Promise<Page> {
  const page = await chromium.browser.newPage();
  await page.goto(origin + path);
  await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
  return page;
}

interface PageResult {
  status: { ready: boolean; backend?: string; runtime?: string };
  results: { itemId: string; score: number; source: string; reasonKind: string }[][];
  /** similar(id, {k: 10}) for each of `o.similarOf`, after the last sequence: ids and scores. */
  similar: { itemId: string; score: number }[][];
  /** rank(o.rankOf) after the last sequence: ids and scores, as ranked. */
  ranked: { itemId: string; score: number; source: string }[];
  phases: string[];
}

/**
 * In a fresh page: connects the built connector (worker), writes each sequence's events to
 * IndexedDB (appending), and asks recommend({k: 10}) after each.
 */
async function runInPage(
  page: Page,
  o: { appId: string; modelUrl: string; backend: string; sequences: string[][]; mode?: string; similarOf?: string[]; rankOf?: string[] },
): Promise<PageResult> {
  return page.evaluate(
    async ({ appId, modelUrl, backend, sequences, mode, similarOf, rankOf }) => {
      const {
        connector: { workerRuntime },
        store: { IndexedDbEventStore },
      } = (window as unknown as { __e2e: E2E }).__e2e;
      const store = new IndexedDbEventStore({ appId });
      const phases: string[] = [];
      const conn = workerRuntime({
        assetsUrl: '/runtime/',
        modelUrl,
        forceBackend: backend,
        budgetMs: 600_000,
        mode: mode ?? 'worker',
        onProgress: (p: { phase: string }) => phases.push(p.phase),
      });
      const api = await conn.connect({ appId, consent: 'granted' });
      await api.ready();
      const results = [];
      // Human-paced (7–40 s apart, uneven): the abnormal-behaviour filter, on by default, keeps
      // machine-paced histories out of the model input, and this history must reach the model whole.
      let ts = 1_000_000;
      let n = 0;
      for (const seq of sequences) {
        await store.append(
          seq.map((itemId: string) => ({
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
      type Item = { itemId: string; score: number; source: string };
      const similar = [];
      for (const id of similarOf)
        similar.push((await api.similar(id, { k: 10 })).items.map((i: Item) => ({ itemId: i.itemId, score: i.score })));
      const ranked = rankOf.length
        ? (await api.rank(rankOf, { excludePurchased: false })).items.map((i: Item) => ({
            itemId: i.itemId,
            score: i.score,
            source: i.source,
          }))
        : [];
      const status = await api.status();
      await api.dispose();
      store.close();
      return { status, results, similar, ranked, phases };
    },
    { ...o, mode: o.mode ?? 'worker', similarOf: o.similarOf ?? [], rankOf: o.rankOf ?? [] },
  );
}

/** Node-side expectation for each step: recentSequence over all events so far → scorer → top-10 without history. */
async function expected(
  b: LoadedBundle,
  scorer: SasrecScorer,
  sequences: string[][],
): Promise<{ rows: number[]; scores: Float32Array; history: Set<number> }[]> {
  const rowOf = new Map(b.vocab.map((id, i) => [id, i + 1]));
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
    const hist = recentSequence(events, { maxLen: b.manifest.architecture.maxLen }).map((e) => rowOf.get(e.itemId)!);
    const [scores] = await scorer.scores([Int32Array.from(hist)]);
    const history = new Set(hist);
    const rows = Array.from({ length: b.manifest.itemCount }, (_, i) => i + 1)
      .filter((r) => !history.has(r))
      .sort((x, y) => scores![y]! - scores![x]! || x - y);
    out.push({ rows, scores: scores!, history });
  }
  return out;
}

function compare(b: LoadedBundle, got: PageResult['results'], want: Awaited<ReturnType<typeof expected>>): void {
  const rowOf = new Map(b.vocab.map((id, i) => [id, i + 1]));
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
    // Order: non-increasing scores (within tolerance).
    for (let j = 1; j < items.length; j++) expect(items[j]!.score).toBeLessThanOrEqual(items[j - 1]!.score + TOL);
  });
}

/** Node-side similar(): the 10 items of highest cosine with `itemId` over the dequantised float32 table (ties: lower row). */
function cosineTop(b: LoadedBundle, itemId: string, k: number): { itemId: string; score: number }[] {
  const e = b.weights.get('item_emb')!;
  const d = b.manifest.architecture.dim,
    N = b.manifest.itemCount;
  const row = b.vocab.indexOf(itemId) + 1;
  const inv = (r: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += e[r * d + j]! * e[r * d + j]!;
    return s > 0 ? 1 / Math.sqrt(s) : 0;
  };
  const cos = new Float32Array(N + 1);
  const iq = inv(row);
  for (let r = 1; r <= N; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += e[r * d + j]! * e[row * d + j]!;
    cos[r] = s * inv(r) * iq;
  }
  return Array.from({ length: N }, (_, i) => i + 1)
    .filter((r) => r !== row)
    .sort((x, y) => cos[y]! - cos[x]! || x - y)
    .slice(0, k)
    .map((r) => ({ itemId: b.vocab[r - 1]!, score: cos[r]! }));
}

/** rank(): every candidate back, model-scored within TOL of the scorer, in score order (pairs closer than TOL may swap). */
function compareRanked(b: LoadedBundle, got: PageResult['ranked'], candidates: string[], scores: Float32Array, backend: string): void {
  const rowOf = new Map(b.vocab.map((id, i) => [id, i + 1]));
  expect(got.map((x) => x.itemId).sort(), `${backend}: rank() keeps every candidate`).toEqual([...candidates].sort());
  for (const x of got) {
    expect(x.source).toBe('model');
    const want = scores[rowOf.get(x.itemId)!]!;
    expect(Math.abs(x.score - want)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(want)));
  }
  const ws = got.map((x) => scores[rowOf.get(x.itemId)!]!);
  for (let i = 0; i < ws.length; i++)
    for (let j = i + 1; j < ws.length; j++)
      expect(ws[i]! + TOL * Math.max(1, Math.abs(ws[i]!)), `${backend}: rank order`).toBeGreaterThanOrEqual(ws[j]!);
}

async function availableBackends(page: Page): Promise<string[]> {
  const caps = await page.evaluate(async () => {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
    const gl = typeof OffscreenCanvas !== 'undefined' && !!new OffscreenCanvas(1, 1).getContext('webgl2');
    return { webgpu: !!adapter, webgl: gl };
  });
  return [...(caps.webgpu ? ['webgpu'] : []), ...(caps.webgl ? ['webgl'] : []), 'wasm', 'cpu'];
}

describe('runtime in Chromium: tiny bundle through the built worker', () => {
  let ref: LoadedBundle;
  let scorer: SasrecScorer;
  const sequences = [
    ['sku-3', 'sku-4', 'sku-5'],
    ['sku-90'],
    ['sku-17', 'sku-18', 'sku-19', 'sku-20', 'sku-21', 'sku-22', 'sku-23', 'sku-24'],
  ];
  beforeAll(async () => {
    ref = await loadBundleDir(tiny.dir);
    scorer = bundleScorer(ref);
  });
  afterAll(() => scorer?.dispose());

  it('matches the Node scorer on every available backend (webgpu via SwiftShader, webgl, wasm, cpu)', async () => {
    const page = await open();
    const backends = await availableBackends(page);
    expect(backends).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    const want = await expected(ref, scorer, sequences);
    for (const backend of backends) {
      const r = await runInPage(page, { appId: `tiny-${backend}`, modelUrl: '/models/tiny/', backend, sequences });
      expect(r.status).toMatchObject({ ready: true, backend, runtime: 'worker' });
      compare(ref, r.results, want);
    }
    console.log(`runtime e2e: tiny bundle matched the Node scorer on ${backends.join(', ')}`);
    await page.close();
  });

  it('serves a warm load from Cache Storage, and keeps error codes across the boundary', async () => {
    const page = await open();
    const out = await page.evaluate(async () => {
      const { workerRuntime } = (window as unknown as { __e2e: E2E }).__e2e.connector;
      const phases: string[][] = [];
      for (let i = 0; i < 2; i++) {
        const seen: string[] = [];
        const api = await workerRuntime({
          assetsUrl: '/runtime/',
          modelUrl: '/models/tiny/',
          forceBackend: 'wasm',
          onProgress: (p: { phase: string }) => seen.push(p.phase),
        }).connect({ appId: 'warm', consent: 'granted' });
        await api.ready();
        phases.push([...new Set(seen)]);
        if (i === 1) {
          const err = await api.recommend({ k: -1 }).then(
            () => null,
            (e: { code?: string; field?: string; name?: string }) => ({ code: e.code, field: e.field, name: e.name }),
          );
          await api.dispose();
          return { phases, err };
        }
        await api.dispose();
      }
      return { phases, err: null };
    });
    expect(out.phases[0]).toContain('download');
    expect(out.phases[1]).toContain('cached');
    expect(out.phases[1]).not.toContain('download');
    expect(out.err).toEqual({ code: 'INVALID_ARGUMENT', field: 'k', name: 'LocalRecError' });
    await page.close();
  });

  it('falls back to the main thread when the page CSP blocks workers, behind the same interface', async () => {
    const page = await open('?noworker=1');
    const want = await expected(ref, scorer, [sequences[0]!]);
    const r = await runInPage(page, { appId: 'csp', modelUrl: '/models/tiny/', backend: 'wasm', sequences: [sequences[0]!], mode: 'auto' });
    expect(r.status).toMatchObject({ ready: true, backend: 'wasm', runtime: 'main-thread' });
    compare(ref, r.results, want);
    await page.close();
  });
});

describe('runtime in Chromium: the eval protocol through the browser runtime', () => {
  it('sampled-100 HR@10 / NDCG@10 on 150 users match the trainer-side evaluation', async () => {
    const ref = await loadBundleDir(tiny.dir);
    const scorer = bundleScorer(ref);
    const split = tinySplit();
    const users = Array.from({ length: 150 }, (_, i) => i);
    const opts = { protocol: 'sampled100' as const, target: 'test' as const, users, seeds: [1, 2, 3], batchSize: 50 };
    const node = await evaluate((seqs) => scorer.scores(seqs), split, opts);
    const page = await open();
    await page.evaluate(async () => {
      const w = window as unknown as { __e2e: E2E; __api: unknown };
      w.__api = await w.__e2e.connector
        .workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/tiny/', forceBackend: 'wasm' })
        .connect({ appId: 'eval', consent: 'granted' });
    });
    const browserScores = async (seqs: Int32Array[]) => {
      const flat: number[][] = await page.evaluate(
        async (rows) => {
          const api = (window as unknown as { __api: { scoreRows(s: number[][]): Promise<Float32Array[]> } }).__api;
          return (await api.scoreRows(rows)).map((a) => Array.from(a, (v) => (Number.isFinite(v) ? v : -1e30)));
        },
        seqs.map((q) => Array.from(q)),
      );
      return flat.map((a) => Float32Array.from(a));
    };
    const browser = await evaluate(browserScores, split, opts);
    for (const m of ['HR@10', 'NDCG@10']) expect(Math.abs(browser.metrics[m]! - node.metrics[m]!)).toBeLessThanOrEqual(0.005);
    console.log(
      `runtime e2e: sampled100 on 150 users — Node ${JSON.stringify({ hr: node.metrics['HR@10'], ndcg: node.metrics['NDCG@10'] })}, browser ${JSON.stringify({ hr: browser.metrics['HR@10'], ndcg: browser.metrics['NDCG@10'] })}`,
    );
    scorer.dispose();
    await page.close();
  });
});

describe('runtime in Chromium: backend choice', () => {
  it('calibrates on the real model, refuses the software WebGPU adapter unless forced, and caches the choice', async () => {
    const page = await open();
    const out = await page.evaluate(async () => {
      const {
        connector: { workerRuntime },
        store: { IndexedDbEventStore },
      } = (window as unknown as { __e2e: E2E }).__e2e;
      // The page (the SDK, in real use) creates the database; the worker only reads it and keeps its calibration there.
      const store = new IndexedDbEventStore({ appId: 'calib' });
      await store.open();
      const statuses = [];
      for (let i = 0; i < 2; i++) {
        const api = await workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/tiny/' }).connect({
          appId: 'calib',
          consent: 'granted',
        });
        statuses.push(await api.ready().then(() => api.status()));
        await api.dispose();
      }
      store.close();
      return statuses;
    });
    const [first, second] = out as { backend: string; calibration: { backend: string; timings: Record<string, number | string> } }[];
    const t = first!.calibration.timings;
    expect(String(t.webgpu)).toMatch(/software fallback/);
    const measured = Object.entries(t).filter(([, v]) => typeof v === 'number') as [string, number][];
    expect(measured.map(([b]) => b)).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    // The chosen backend is the fastest measured one (timings are rounded to µs: ties are possible).
    expect(t[first!.backend]).toBe(Math.min(...measured.map(([, ms]) => ms)));
    expect(second!.calibration).toEqual(first!.calibration);
    expect(second!.backend).toBe(first!.backend);
    console.log(`runtime e2e: calibration ${JSON.stringify(t)} → ${first!.backend}`);
    await page.close();
  });
});

for (const name of ['games-sasrec', 'demo-shop']) {
  const dir = join(repo, 'models', name);
  describe.skipIf(!existsSync(join(dir, 'manifest.json')))(
    `runtime in Chromium: models/${name} (skipped while the committed model is absent)`,
    () => {
      it('top-10 and scores match the Node scorer on every available backend', async () => {
        const ref = await loadBundleDir(dir);
        const N = ref.manifest.itemCount;
        // As shipped: with the bundle's blend (games-sasrec has one), as the runtime scores.
        const scorer = bundleScorer(ref);
        // Fixed sequences from the vocabulary: the most popular items, a few fixed rows, a deterministic spread.
        const pop = Array.from(ref.cold.popularItems.slice(0, 5));
        const pick = (rows: number[]) => rows.map((r) => ref.vocab[(r - 1) % N]!);
        const sequences = [pick(pop), pick([101, 2003, 777, 15000, 42]), pick(Array.from({ length: 50 }, (_, i) => 1 + ((i * 7919) % N)))];
        const want = await expected(ref, scorer, sequences);
        // similar(): cosine over the float32 (dequantised) item table; rank(): the scorer's scores of the last history.
        const similarOf = pick([pop[0]!, 101, 2003, 1 + (4099 % N)]);
        const last = want[want.length - 1]!;
        const rankOf = pick(Array.from({ length: 40 }, (_, i) => 1 + ((i * 3571 + 11) % N)).filter((r) => !last.history.has(r)));
        const page = await open();
        const backends = await availableBackends(page);
        for (const backend of backends) {
          const r = await runInPage(page, {
            appId: `${name}-${backend}`,
            modelUrl: `/models/${name}/`,
            backend,
            sequences,
            similarOf,
            rankOf,
          });
          expect(r.status).toMatchObject({ ready: true, backend });
          compare(ref, r.results, want);
          r.similar.forEach((items, i) => {
            const w = cosineTop(ref, similarOf[i]!, 10);
            expect(
              items.map((x) => x.itemId),
              `${backend}: similar(${similarOf[i]})`,
            ).toEqual(w.map((x) => x.itemId));
            items.forEach((x, j) => expect(Math.abs(x.score - w[j]!.score)).toBeLessThanOrEqual(1e-6));
          });
          compareRanked(ref, r.ranked, rankOf, last.scores, backend);
        }
        console.log(`runtime e2e: models/${name} matched the Node scorer (recommend, similar, rank) on ${backends.join(', ')}`);
        scorer.dispose();
        await page.close();
      });
    },
  );
}
