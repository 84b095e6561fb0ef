/**
 * The whole SDK in plain Node — no window, no document, no IndexedDB, no Worker — as a
 * mini-program's logic layer would run it: `createMiniProgramLocalRec` (the SDK's
 * `createLocalRec`) storing into `KeyValueEventStore` over the in-memory `wx` storage STAND-IN
 * (`@localrec/store-kv/testing`: an implementation of the documented `wx` storage API with its
 * size limits and errors — NOT WeChat), and the runtime in this thread (`inThreadRuntime`)
 * loading the REAL committed model `models/demo-shop` through the runtime's own loader (manifest,
 * size and SHA-256 checks) through `wx.request` — the mini-program has no `fetch`, so the SDK's
 * `createMiniProgramLocalRec` hands the runtime `wxFetch(wx)`, and the test removes Node's global
 * `fetch` — served by the `wx.request` STAND-IN (`@localrec/miniprogram/testing`, documented
 * behaviour, NOT WeChat) from the files on disk, on the mini-program backend list (no WebGL canvas
 * in Node: cpu).
 *
 * The runtime is never given a history: it opens its own store over the same `wx` storage and
 * reads the shopper's events itself. The expected answer is computed independently with the
 * trainer's bundle reader and the shared `SasrecScorer` over core's `recentSequence`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMiniProgramLocalRec, type LocalRec } from '@localrec/miniprogram';
import { createWxRequestStandin, type WxRequestStandin } from '@localrec/miniprogram/testing';
import { createWxStandin, type WxStandin } from '@localrec/store-kv/testing';
import { Runtime } from '@localrec/runtime';
import { bundleScorer, loadBundleDir, recentSequence, type LoadedBundle, type StoredEvent } from '../../packages/runtime/test/fixture.js';
import { repo } from './helpers.js';

const MODEL_DIR = join(repo, 'models/demo-shop');
/** Where the mini-program would download the model from (a domain in its request domain list). */
const MODEL_URL = 'https://models.example.com/demo-shop/';
const APP = 'node-e2e';

/**
 * The "server" behind the wx.request stand-in: `MODEL_URL<file>` → the file in models/demo-shop
 * (undefined → the stand-in answers 404). `tamper` changes the bytes of one file.
 */
function modelServer(tamper?: { file: string; change(b: Uint8Array): Uint8Array }) {
  return async (url: string): Promise<Uint8Array | undefined> => {
    if (!url.startsWith(MODEL_URL)) return undefined;
    const file = url.slice(MODEL_URL.length);
    if (!/^[\w.-]+$/.test(file)) return undefined;
    const bytes = await readFile(join(MODEL_DIR, file)).then(
      (b) => new Uint8Array(b),
      () => undefined,
    );
    return bytes && tamper?.file === file ? tamper.change(bytes) : bytes;
  };
}

/** A `wx` with the storage stand-in and the wx.request stand-in (its domain list: the model host). */
function createWx(tamper?: Parameters<typeof modelServer>[0]): WxStandin & { request: WxRequestStandin['request']; net: WxRequestStandin } {
  const net = createWxRequestStandin({ serve: modelServer(tamper), domains: [new URL(MODEL_URL).origin] });
  return Object.assign(createWxStandin(), { request: net.request, net });
}

const realFetch = globalThis.fetch;
let bundle: LoadedBundle;
let catalog: Record<string, { name: string; category: string }>;
let wx: ReturnType<typeof createWx>;
let rec: LocalRec;
const errors: string[] = [];

/** Our keys in the stand-in storage (the store's prefix is `localrec:<appId>:`). */
const ourKeys = (): string[] => [...wx.snapshot().keys()].filter((k) => k.startsWith(`localrec:${APP}:`));

beforeAll(async () => {
  bundle = await loadBundleDir(MODEL_DIR);
  catalog = JSON.parse(await readFile(join(MODEL_DIR, 'catalog.json'), 'utf8')) as typeof catalog;
  // A mini-program's logic layer has no fetch: neither does this process while the tests run.
  delete (globalThis as { fetch?: unknown }).fetch;
  wx = createWx();
  rec = createMiniProgramLocalRec(wx, {
    appId: APP,
    onError: (e) => errors.push(`${e.code}: ${e.message}`),
    runtime: {
      // deps: createStore (the same wx storage) and fetch (wxFetch over wx.request, as there is no global fetch).
      create: (deps) => new Runtime({ ...deps, caches: null }),
      modelUrl: MODEL_URL,
      cache: false,
      // Generous: this checks answers, not speed (the machine is shared with training jobs).
      budgetMs: 120_000,
      readyTimeoutMs: 120_000,
    },
  });
});

afterAll(async () => {
  await rec?.destroy();
  globalThis.fetch = realFetch;
});

describe('the SDK in plain Node over the wx storage stand-in, with the real demo-shop model', () => {
  test('runs with no browser globals', () => {
    const g = globalThis as Record<string, unknown>;
    for (const name of ['window', 'document', 'indexedDB', 'Worker', 'localStorage', 'caches', 'fetch'])
      expect(g[name], name).toBeUndefined();
  });

  test('track() → recommend(): model answers with reasons, from the history the runtime read in the KV store', async () => {
    const category = 'Coffee & Tea';
    const viewed = bundle.vocab.filter((id) => catalog[id]?.category === category).slice(0, 6);
    expect(viewed).toHaveLength(6);
    for (const itemId of viewed) {
      const ev = rec.track('view', { itemId });
      expect(ev, `track view ${itemId}`).toBeDefined();
    }
    const result = await rec.recommend({ k: 10 });
    expect(errors).toEqual([]);
    expect(result.fallbackReason).toBeUndefined();
    expect(result.source).toBe('model');
    expect(result.backend).toBe('cpu');
    expect(result.modelVersion).toBe(bundle.manifest.version);
    expect(result.items).toHaveLength(10);

    // The events are in the stand-in's wx storage (index + chunk keys), written by the SDK's flush.
    expect(ourKeys()).toEqual(expect.arrayContaining([`localrec:${APP}:idx`]));
    expect(ourKeys().length).toBeGreaterThan(1);
    // The runtime fetched the model through its loader over wx.request (bytes, every file found).
    expect(wx.net.log.map((l) => l.url)).toEqual(
      expect.arrayContaining([`${MODEL_URL}manifest.json`, `${MODEL_URL}weights.bin`, `${MODEL_URL}vocab.json`]),
    );
    for (const l of wx.net.log)
      expect(l, l.url).toMatchObject({ method: 'GET', responseType: 'arraybuffer', outcome: 'success', statusCode: 200 });

    // Independent expectation: the stored events → core's recentSequence → shared scorer, history masked.
    const stored = (await rec.exportData()).events as StoredEvent[];
    expect(stored.map((e) => e.itemId)).toEqual(viewed);
    const rowOf = new Map(bundle.vocab.map((id, i) => [id, i + 1]));
    const hist = recentSequence(stored, { maxLen: bundle.manifest.architecture.maxLen }).map((e) => rowOf.get(e.itemId)!);
    const scorer = bundleScorer(bundle);
    const [scores] = await scorer.scores([Int32Array.from(hist)]);
    scorer.dispose();
    const seen = new Set(hist);
    const want = Array.from({ length: bundle.manifest.itemCount }, (_, i) => i + 1)
      .filter((r) => !seen.has(r))
      .sort((a, b) => scores![b]! - scores![a]! || a - b)
      .slice(0, 10)
      .map((r) => bundle.vocab[r - 1]);
    expect(result.items.map((i) => i.itemId)).toEqual(want);

    for (const item of result.items) {
      expect(item.source).toBe('model');
      expect(viewed).not.toContain(item.itemId);
      expect(item.reason.kind).toBe('history');
      expect(item.reason.text).toMatch(/viewed/i);
      for (const id of item.reason.itemIds ?? []) expect(viewed).toContain(id);
    }
    // The model learned categories: most of what it suggests after six coffee & tea views is coffee & tea.
    const same = result.items.filter((i) => catalog[i.itemId]?.category === category).length;
    console.log(
      `demo-shop on cpu in Node: ${same}/10 recommendations in "${category}"; top-3 ${result.items
        .slice(0, 3)
        .map((i) => `${catalog[i.itemId]?.name} (${i.reason.text})`)
        .join('; ')}`,
    );
    expect(same).toBeGreaterThanOrEqual(5);

    const status = rec.status;
    expect(status.storage).toBe('kv');
    expect(status.degraded).toBe(false);
    expect(status.runtime).toBe('in-thread');
    const rs = (await rec.runtimeStatus()) as Awaited<ReturnType<LocalRec['runtimeStatus']>> & { runtime?: string };
    expect(rs).toMatchObject({ ready: true, backend: 'cpu', modelVersion: bundle.manifest.version, runtime: 'in-thread' });
  });

  test('an event tracked just before a call is in its answer (the runtime re-reads the store)', async () => {
    const before = await rec.recommend({ k: 10 });
    const next = before.items[0]!.itemId;
    rec.track('view', { itemId: next });
    const after = await rec.recommend({ k: 10 });
    expect(after.source).toBe('model');
    expect(after.items.map((i) => i.itemId)).not.toContain(next);
  });

  test('forgetMe() empties the stand-in storage, and the runtime then has no history', async () => {
    expect(ourKeys().length).toBeGreaterThan(0);
    const proof = await rec.forgetMe();
    expect(proof).toMatchObject({ verified: true, remainingEvents: 0, storage: 'kv' });
    expect(ourKeys()).toEqual([]);
    expect([...wx.snapshot().keys()]).toEqual([]);
    const cold = await rec.recommend({ k: 5 });
    expect(cold.fallbackReason).toBe('no-history');
    expect(cold.items.length).toBe(5);
    expect(errors).toEqual([]);
  });
});

describe('model loading over wx.request: what the loader refuses', () => {
  /** A fresh SDK over a wx served by `serve`; tracks one view, asks once, reports the runtime's status. */
  async function attempt(serve: (url: string) => Promise<Uint8Array | undefined>) {
    const net = createWxRequestStandin({ serve, domains: [new URL(MODEL_URL).origin] });
    const w = Object.assign(createWxStandin(), { request: net.request });
    const r = createMiniProgramLocalRec(w, {
      appId: 'node-e2e-bad',
      runtime: {
        create: (deps) => new Runtime({ ...deps, caches: null }),
        modelUrl: MODEL_URL,
        cache: false,
        budgetMs: 120_000,
        readyTimeoutMs: 120_000,
      },
    });
    r.track('view', { itemId: bundle.vocab[0]! });
    const result = await r.recommend({ k: 5 });
    const status = await r.runtimeStatus();
    await r.destroy();
    return { result, status, log: net.log };
  }

  test('one flipped byte in weights.bin: SHA-256 mismatch, MODEL_INTEGRITY, fallback answer', async () => {
    const { result, status, log } = await attempt(
      modelServer({
        file: 'weights.bin',
        change: (b) => {
          b[1000] = b[1000]! ^ 1;
          return b;
        },
      }),
    );
    expect(log.find((l) => l.url === `${MODEL_URL}weights.bin`)).toMatchObject({ outcome: 'success', statusCode: 200 });
    expect(status.ready).toBe(false);
    expect(status.error).toMatchObject({ code: 'MODEL_INTEGRITY' });
    expect(status.error?.message).toMatch(/weights\.bin: SHA-256 [0-9a-f]{64} does not match/);
    expect(result.source).toBe('fallback');
  });

  test('a file the server does not have: wx.request succeeds with statusCode 404, the loader says MODEL_LOAD_FAILED (HTTP 404)', async () => {
    const disk = modelServer();
    const { status, log } = await attempt(async (url) => (url.endsWith('/vocab.json') ? undefined : disk(url)));
    expect(log.find((l) => l.url === `${MODEL_URL}vocab.json`)).toMatchObject({ outcome: 'success', statusCode: 404 });
    expect(status.error).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect(status.error?.message).toMatch(/vocab\.json: HTTP 404/);
  });
});
