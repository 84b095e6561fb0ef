/**
 * The whole SDK in plain Node — no window, no document, no IndexedDB, no Worker — as a
 * mini-program's logic layer would run it: `createMiniProgramLocalRec` (the SDK's
 * `createLocalRec`) storing into `KeyValueEventStore` over the in-memory `wx` storage STAND-IN
 * (`@localrec/store-kv/testing`: an implementation of the documented `wx` storage API with its
 * size limits and errors — NOT WeChat), and the runtime in this thread (`inThreadRuntime`)
 * loading the REAL committed model `models/demo-shop` through the runtime's own loader (manifest,
 * size and SHA-256 checks) from disk, on the mini-program backend list (no WebGL canvas in Node:
 * cpu).
 *
 * The runtime is never given a history: it opens its own store over the same `wx` storage and
 * reads the shopper's events itself. The expected answer is computed independently with the
 * trainer's bundle reader and the shared `SasrecScorer` over core's `recentSequence`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMiniProgramLocalRec, type LocalRec } from '../../packages/miniprogram/src/index.js';
import { createWxStandin, type WxStandin } from '../../packages/store-kv/src/testing/index.js';
import { Runtime } from '../../packages/runtime/src/index.js';
import { SasrecScorer, loadBundleDir, recentSequence, type LoadedBundle, type StoredEvent } from '../../packages/runtime/test/fixture.js';
import { repo } from './helpers.js';

const MODEL_DIR = join(repo, 'models/demo-shop');
const MODEL_URL = pathToFileURL(`${MODEL_DIR}/`).href;
const APP = 'node-e2e';

/** `fetch` for the runtime's loader: file:// URLs read from disk (Node's fetch has no file: scheme). */
const requested: string[] = [];
const diskFetch = (async (input: RequestInfo | URL) => {
  const url = new URL(String(input instanceof Request ? input.url : input));
  requested.push(url.href);
  if (url.protocol !== 'file:') return new Response('only file: URLs here', { status: 404 });
  try {
    return new Response(await readFile(fileURLToPath(url)));
  } catch {
    return new Response('not found', { status: 404 });
  }
}) as typeof fetch;

let bundle: LoadedBundle;
let catalog: Record<string, { name: string; category: string }>;
let wx: WxStandin;
let rec: LocalRec;
const errors: string[] = [];

/** Our keys in the stand-in storage (the store's prefix is `localrec:<appId>:`). */
const ourKeys = (): string[] => [...wx.snapshot().keys()].filter((k) => k.startsWith(`localrec:${APP}:`));

beforeAll(async () => {
  bundle = await loadBundleDir(MODEL_DIR);
  catalog = JSON.parse(await readFile(join(MODEL_DIR, 'catalog.json'), 'utf8')) as typeof catalog;
  wx = createWxStandin();
  rec = createMiniProgramLocalRec(wx, {
    appId: APP,
    onError: (e) => errors.push(`${e.code}: ${e.message}`),
    runtime: {
      create: (deps) => new Runtime({ ...deps, fetch: diskFetch, caches: null }),
      modelUrl: MODEL_URL,
      cache: false,
      // Generous: this checks answers, not speed (the machine is shared with training jobs).
      budgetMs: 120_000,
      readyTimeoutMs: 120_000,
    },
  });
});

afterAll(async () => { await rec?.destroy(); });

describe('the SDK in plain Node over the wx storage stand-in, with the real demo-shop model', () => {
  test('runs with no browser globals', () => {
    const g = globalThis as Record<string, unknown>;
    for (const name of ['window', 'document', 'indexedDB', 'Worker', 'localStorage', 'caches']) expect(g[name], name).toBeUndefined();
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
    // The runtime fetched the model through its loader, from disk.
    expect(requested).toEqual(expect.arrayContaining([`${MODEL_URL}manifest.json`, `${MODEL_URL}weights.bin`, `${MODEL_URL}vocab.json`]));

    // Independent expectation: the stored events → core's recentSequence → shared scorer, history masked.
    const stored = (await rec.exportData()).events as StoredEvent[];
    expect(stored.map((e) => e.itemId)).toEqual(viewed);
    const rowOf = new Map(bundle.vocab.map((id, i) => [id, i + 1]));
    const hist = recentSequence(stored, { maxLen: bundle.manifest.architecture.maxLen }).map((e) => rowOf.get(e.itemId!)!);
    const scorer = new SasrecScorer(bundle.manifest.architecture, bundle.manifest.itemCount, bundle.weights);
    const [scores] = await scorer.scores([Int32Array.from(hist)]);
    scorer.dispose();
    const seen = new Set(hist);
    const want = Array.from({ length: bundle.manifest.itemCount }, (_, i) => i + 1)
      .filter((r) => !seen.has(r)).sort((a, b) => scores![b]! - scores![a]! || a - b).slice(0, 10).map((r) => bundle.vocab[r - 1]);
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
    console.log(`demo-shop on cpu in Node: ${same}/10 recommendations in "${category}"; top-3 ${result.items.slice(0, 3).map((i) => `${catalog[i.itemId]?.name} (${i.reason.text})`).join('; ')}`);
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
