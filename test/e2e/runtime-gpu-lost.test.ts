/**
 * WebGPU device lost mid-session, for real: the BUILT runtime worker (`packages/runtime/dist`, run
 * `pnpm build` first) forced onto WebGPU (SwiftShader here, `--enable-unsafe-webgpu`) answers from
 * the model; then the test destroys the worker's own GPUDevice (`device.destroy()` through
 * Playwright's `worker.evaluate`, on the device tfjs-backend-webgpu uses, reached through tfjs's
 * global engine `globalThis._tfengine`). The browser resolves `device.lost`; the runtime must
 * switch to the next working backend: a call racing the loss still resolves (never rejects), the
 * next one answers from the model on another backend with the same top items (within the
 * tolerance of test/e2e/runtime.test.ts), and `status()` reports the new backend and the loss.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyBundle, type TinyBundle } from '../../packages/runtime/test/fixture.js';
import { BOOT_PATH, bootPage, bootScript, repo, storeModuleJs, useBrowser } from './helpers.js';
import { startStaticServer, type StaticServer } from '../static-server.mjs';

const DIST = join(repo, 'packages/runtime/dist');
const TOL = 2e-3;
let server: StaticServer;
let origin: string;
let tiny: TinyBundle;

beforeAll(async () => {
  if (!existsSync(join(DIST, 'worker.js')))
    throw new Error('packages/runtime/dist/worker.js is missing: run `pnpm build` first (pnpm test does).');
  tiny = await makeTinyBundle();
  server = await startStaticServer({
    mounts: { '/runtime/': DIST, '/models/tiny/': tiny.dir },
    routes: {
      '/': { body: bootPage('runtime e2e: WebGPU device lost') },
      [BOOT_PATH]: bootScript({ connector: '/runtime/connector.js', store: '/__e2e/store.js' }),
      '/__e2e/store.js': { type: 'text/javascript; charset=utf-8', body: await storeModuleJs() },
    },
  });
  origin = server.url;
}, 180_000);
const chromium = useBrowser(); // with --enable-unsafe-webgpu

afterAll(async () => {
  await server?.close();
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

interface Item {
  itemId: string;
  score: number;
  source: string;
}
interface Answer {
  source: string;
  backend?: string;
  fallbackReason?: string;
  items: Item[];
}
interface Status {
  ready: boolean;
  backend?: string;
  error?: { code: string; message: string };
  backendEvents?: Array<{ kind: string; backend: string; reason: string; fallback?: string; error?: string }>;
}

type Api = any;

describe('runtime in Chromium: WebGPU device lost mid-session', () => {
  it('switches to the next backend: a racing call resolves, the next answers from the model with the same top items, status reports the loss', async () => {
    const page = await chromium.browser.newPage();
    const workers: import('playwright').Worker[] = [];
    page.on('worker', (w) => workers.push(w));
    await page.goto(origin);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
    const gpu = await page.evaluate(async () => {
      const a = await (
        navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { architecture?: string } } | null> } }
      ).gpu?.requestAdapter();
      return a ? (a.info?.architecture ?? 'unknown') : null;
    });
    // Not skipped: without an adapter this test cannot check anything, so it fails and says why.
    expect(gpu, 'WebGPU adapter (Chromium with --enable-unsafe-webgpu gives SwiftShader here)').not.toBeNull();

    // Forced onto WebGPU; the shopper viewed a few items (written to real IndexedDB by the page).
    const first = (await page.evaluate(async () => {
      const w = window as unknown as { __e2e: { connector: Api; store: Api }; __api: Api };
      const store = new w.__e2e.store.IndexedDbEventStore({ appId: 'gpu-lost' });
      await store.append(
        ['sku-3', 'sku-4', 'sku-5', 'sku-6'].map((itemId, i) => ({
          uid: `e${i}`,
          type: 'view',
          ts: 1000 + i,
          sessionId: 's',
          itemId,
          data: {},
        })),
      );
      store.close();
      w.__api = await w.__e2e.connector
        .workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/tiny/', forceBackend: 'webgpu', mode: 'worker' })
        .connect({ appId: 'gpu-lost', consent: 'granted' });
      await w.__api.ready();
      return { answer: (await w.__api.recommend({ k: 10, budgetMs: 600_000 })) as unknown, status: (await w.__api.status()) as unknown };
    })) as { answer: Answer; status: Status };
    expect(first.status).toMatchObject({ ready: true, backend: 'webgpu' });
    expect(first.answer).toMatchObject({ source: 'model', backend: 'webgpu' });
    expect(first.answer.items).toHaveLength(10);

    // Destroy the GPUDevice tfjs-backend-webgpu runs on, inside the runtime worker, while the page
    // asks for recommendations with the default budget.
    const worker = workers.find((w) => w.url().endsWith('/runtime/worker.js'));
    expect(worker, 'the runtime worker').toBeDefined();
    const [destroyed, racing] = await Promise.all([
      worker!.evaluate(() => {
        const engine = (globalThis as unknown as { _tfengine: { backendName: string; backend: { device?: { destroy(): void } } } })
          ._tfengine;
        const name = engine.backendName;
        if (!engine.backend.device) return `no GPUDevice on the active tfjs backend (${name})`;
        engine.backend.device.destroy();
        return name;
      }),
      page.evaluate(() =>
        (window as unknown as { __api: Api }).__api.recommend({ k: 10 }).then(
          (r: Answer) => ({ resolved: true, source: r.source, n: r.items.length }),
          (e: Error) => ({ resolved: false, source: String(e?.message ?? e), n: 0 }),
        ),
      ),
    ]);
    expect(destroyed).toBe('webgpu');
    expect(racing, 'a call racing the loss resolves (model or fallback), never rejects').toMatchObject({ resolved: true, n: 10 });

    // The next call: the model again, on another backend, same top items.
    const after = (await page.evaluate(async () => {
      const api = (window as unknown as { __api: Api }).__api;
      return { answer: (await api.recommend({ k: 10, budgetMs: 600_000 })) as unknown, status: (await api.status()) as unknown };
    })) as { answer: Answer; status: Status };
    expect(after.answer.source).toBe('model');
    expect(after.answer.backend).toBeDefined();
    expect(after.answer.backend).not.toBe('webgpu');
    const before = new Map(first.answer.items.map((i) => [i.itemId, i.score]));
    const cut = first.answer.items[9]!.score;
    // Items clearly above the cut (not tied with it within the tolerance) must all be there again.
    for (const it of first.answer.items)
      if (it.score > cut + TOL * Math.max(1, Math.abs(cut))) expect(after.answer.items.map((i) => i.itemId)).toContain(it.itemId);
    for (const it of after.answer.items) {
      const was = before.get(it.itemId);
      if (was !== undefined) expect(Math.abs(it.score - was)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(was)));
    }
    expect(after.status).toMatchObject({ ready: true, backend: after.answer.backend });
    expect(after.status.error).toBeUndefined();
    expect(after.status.backendEvents).toEqual([
      expect.objectContaining({ kind: 'device-lost', backend: 'webgpu', fallback: after.answer.backend, reason: expect.any(String) }),
    ]);
    console.log(
      `gpu-lost e2e: adapter ${gpu}; racing call ${racing.source}; after the loss ${after.answer.backend} (${after.status.backendEvents![0]!.reason})`,
    );
    await page.evaluate(() => (window as unknown as { __api: Api }).__api.dispose());
    await page.close();
  }, 240_000);
});
