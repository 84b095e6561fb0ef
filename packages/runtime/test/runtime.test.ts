import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRecError, MemoryEventStore, type RecommendResult } from '@localrec/core';
import { NO_ABNORMAL_RULES } from '@localrec/insights';
import type { SasrecScorer } from '@localrec/model';
import { loadBundleDir, type LoadedBundle } from '@localrec/trainer';
import { Runtime } from '../src/runtime.js';
import { loadBundle } from '../src/loader.js';
import type { RuntimeOptions } from '../src/api.js';
import {
  BASE,
  ITEMS,
  ev,
  fakeFetch,
  idOf,
  makeTinyBundle,
  memoryCaches,
  type FakeFetch,
  tinyRuntime,
  type TinyBundle,
  bundleScorer,
} from './fixture.js';

let tiny: TinyBundle;
let ref: LoadedBundle;
let refScorer: SasrecScorer;

beforeAll(async () => {
  tiny = await makeTinyBundle();
  ref = await loadBundleDir(tiny.dir);
  refScorer = bundleScorer(ref);
}, 120_000);
afterAll(() => {
  refScorer?.dispose();
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

const rowOf = (id: string) => Number(id.slice(4));

interface Harness {
  rt: Runtime;
  store: MemoryEventStore;
  net: FakeFetch;
}

async function harness(opts: Partial<RuntimeOptions> = {}, net?: FakeFetch, store = new MemoryEventStore()): Promise<Harness> {
  const n = net ?? fakeFetch(tiny.dir);
  // The synthetic histories here are 1 ms apart (a burst): the abnormal-behaviour filter, on by default, is off for them.
  const insights = { rank: false, abnormal: NO_ABNORMAL_RULES };
  const rt = await tinyRuntime(tiny, store, { insights, ...opts }, { net: n, ready: false });
  return { rt, store, net: n };
}

async function view(store: MemoryEventStore, ids: string[], type = 'view', t0 = 1000): Promise<void> {
  await store.append(ids.map((id, i) => ev(type, id, t0 + i)));
}

describe('loader', () => {
  it('loads and verifies a bundle, reporting progress up to the announced size', async () => {
    const net = fakeFetch(tiny.dir);
    const seen: number[] = [];
    const b = await loadBundle({
      baseUrl: BASE,
      fetch: net.fetch,
      caches: null,
      onProgress: (p) => {
        if (p.phase === 'download') seen.push(p.loadedBytes);
      },
    });
    expect(b.manifest.version).toBe('tiny-1');
    expect(b.vocab).toHaveLength(ITEMS);
    expect(b.catalog?.[idOf(3)]?.name).toBe('Item 3');
    const total = Object.entries(tiny.manifest.files).reduce((s, [, f]) => s + f.bytes, 0);
    expect(seen.at(-1)).toBe(total);
    expect([...seen].sort((a, c) => a - c)).toEqual(seen);
  });

  it('refuses a file whose SHA-256 does not match the manifest', async () => {
    const net = fakeFetch(tiny.dir);
    const good = fakeFetch(tiny.dir);
    net.override = (url) => {
      if (!url.includes('weights.bin')) return undefined;
      return good.fetch(url).then(async (r) => {
        const b = new Uint8Array(await r.arrayBuffer());
        b[17] = b[17]! ^ 0xff;
        return new Response(b);
      });
    };
    await expect(loadBundle({ baseUrl: BASE, fetch: net.fetch, caches: null })).rejects.toMatchObject({
      code: 'MODEL_INTEGRITY',
      message: expect.stringMatching(/weights\.bin: SHA-256 [0-9a-f]{64} does not match manifest/),
    });
  });

  it('refuses a manifest that does not match the pinned hash', async () => {
    const net = fakeFetch(tiny.dir);
    await expect(loadBundle({ baseUrl: BASE, fetch: net.fetch, caches: null, manifestSha256: '0'.repeat(64) })).rejects.toMatchObject({
      code: 'MODEL_INTEGRITY',
      field: 'manifestSha256',
    });
  });

  it('caches verified files by version and hash, and refetches a corrupted cache entry', async () => {
    const caches = memoryCaches();
    const net = fakeFetch(tiny.dir);
    await loadBundle({ baseUrl: BASE, fetch: net.fetch, caches });
    // Bundle files by version and hash; the manifest under its URL (the last valid one, for offline starts).
    expect(
      [...caches.entries.keys()].filter((k) => !k.endsWith('/manifest.json')).every((k) => k.includes('localrec-version=tiny-1&sha256=')),
    ).toBe(true);
    net.calls.length = 0;
    const again = await loadBundle({ baseUrl: BASE, fetch: net.fetch, caches });
    expect(again.fromCache.sort()).toEqual(['catalog.json', 'vocab.json', 'weights.bin']);
    expect(net.calls).toEqual([`${BASE}manifest.json`]);
    const key = [...caches.entries.keys()].find((k) => k.includes('weights.bin'))!;
    const cached = caches.entries.get(key)!;
    cached[5] = cached[5]! ^ 1;
    net.calls.length = 0;
    const third = await loadBundle({ baseUrl: BASE, fetch: net.fetch, caches });
    expect(third.fromCache).not.toContain('weights.bin');
    expect(net.calls).toContain(`${BASE}weights.bin`);
  });

  it('starts from the cached manifest and files when the network is unreachable, but not over an HTTP error', async () => {
    const caches = memoryCaches();
    await loadBundle({ baseUrl: BASE, fetch: fakeFetch(tiny.dir).fetch, caches });
    const unreachable = (async () => {
      throw new TypeError("Failed to fetch (connect-src 'none')");
    }) as typeof fetch;
    const offline = await loadBundle({ baseUrl: BASE, fetch: unreachable, caches });
    expect(offline.manifest.version).toBe('tiny-1');
    expect(offline.fromCache.sort()).toEqual(['catalog.json', 'vocab.json', 'weights.bin']);
    const gone = (async () => new Response('not found', { status: 404 })) as typeof fetch;
    await expect(loadBundle({ baseUrl: BASE, fetch: gone, caches })).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    await expect(loadBundle({ baseUrl: BASE, fetch: unreachable, caches: memoryCaches() })).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
    });
  });
});

describe('runtime: loading', () => {
  it('shares one load between concurrent callers', async () => {
    const { rt, store, net } = await harness();
    await view(store, [idOf(3), idOf(4)]);
    const rs = await Promise.all([rt.recommend(), rt.recommend(), rt.similar(idOf(3)), rt.ready()]);
    expect(net.calls.filter((u) => u.endsWith('manifest.json'))).toHaveLength(1);
    expect(net.calls.filter((u) => u.endsWith('weights.bin'))).toHaveLength(1);
    expect(rs[0].source).toBe('model');
    await rt.dispose();
  });

  it('never rejects without a model, reports the error, and retries on a later call', async () => {
    const net = fakeFetch(tiny.dir);
    net.override = (url) => (url.endsWith('weights.bin') ? new TypeError('network down') : undefined);
    const { rt, store } = await harness({}, net);
    await view(store, [idOf(3)]);
    const r1 = await rt.recommend();
    expect(r1).toMatchObject({ source: 'fallback', fallbackReason: 'no-model', items: [] });
    expect((await rt.status()).error).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    net.override = undefined;
    const r2 = await rt.recommend();
    expect(r2.source).toBe('model');
    expect(await rt.status()).toMatchObject({ ready: true, backend: 'wasm', modelVersion: 'tiny-1', itemCount: ITEMS });
    await rt.dispose();
  });

  it('rejects bad options with the field and the accepted values', async () => {
    const rt = new Runtime({ createStore: () => new MemoryEventStore() });
    await expect(rt.init({ appId: 'a', modelUrl: BASE, backends: ['gpu' as never] })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'backends',
      accepted: ['webgpu', 'webgl', 'wasm', 'cpu'],
    });
    const { rt: ok } = await harness();
    await expect(ok.recommend({ k: 0 })).rejects.toBeInstanceOf(LocalRecError);
    await expect(ok.recommend({ diversity: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'diversity' });
    await ok.dispose();
  });

  it('calibrates the candidates on the real model and reuses the cached choice', async () => {
    const store = new MemoryEventStore();
    const { rt } = await harness({ backends: ['cpu', 'wasm'], calibrate: true }, undefined, store);
    await rt.ready();
    const cal = (await rt.calibrationReport())!;
    expect(Object.keys(cal.timings).sort()).toEqual(['cpu', 'wasm']);
    expect(typeof cal.timings.cpu).toBe('number');
    const chosen = (await rt.status()).backend;
    expect(chosen).toBe(cal.backend);
    expect(cal.timings[cal.backend]).toBe(Math.min(cal.timings.cpu as number, cal.timings.wasm as number));
    // The serving path, each backend with its own matMul + tf.topk and with the int8 kernel (Node 20: plain SIMD).
    expect(Object.keys(cal.paths!).sort()).toEqual(['cpu', 'cpu+int8-wasm-simd', 'wasm', 'wasm+int8-wasm-simd']);
    for (const b of ['cpu', 'wasm'] as const) expect(cal.timings[b]).toBe(Math.min(cal.paths![b]!, cal.paths![`${b}+int8-wasm-simd`]!));
    const kernelWon = cal.paths![`${cal.backend}+int8-wasm-simd`]! < cal.paths![cal.backend]!;
    expect(cal.kernel).toBe(kernelWon ? 'wasm-simd' : undefined);
    const mem = (await rt.status()).memory!;
    expect(mem.kernelBytes > 0).toBe(kernelWon);
    const cached = await store.getMeta<Record<string, unknown>>('runtime:calibration');
    expect(Object.keys(cached!)[0]).toMatch(/^tiny-1\|[0-9a-f]{64}$/);
    await rt.dispose();
    const { rt: second } = await harness({ backends: ['cpu', 'wasm'], calibrate: true }, undefined, store);
    await second.ready();
    expect(await second.calibrationReport()).toEqual(cal);
    await second.dispose();
  });
});

describe('runtime: recommend', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
    await h.rt.ready();
  });
  afterAll(() => h.rt.dispose());
  const reset = async () => {
    await h.store.destroy();
    await h.rt.setConsent('granted');
  };

  it('matches the trainer-side scorer (same shared code): top-10 and scores', async () => {
    await reset();
    const seq = [12, 13, 14, 15];
    await view(h.store, seq.map(idOf));
    const r = await h.rt.recommend({ k: 10, excludePurchased: false });
    const [s] = await refScorer.scores([Int32Array.from(seq)]);
    const expected = Array.from({ length: ITEMS }, (_, i) => i + 1)
      .filter((x) => !seq.includes(x))
      .sort((a, b) => s![b]! - s![a]! || a - b)
      .slice(0, 10);
    expect(r.items.map((i) => rowOf(i.itemId))).toEqual(expected);
    // Where the int8 kernel serves (wasm/cpu with WebAssembly SIMD) its scores are the float32
    // path's (float64 sums); tfjs sums in float32.
    for (const it of r.items) expect(it.score).toBeCloseTo(s![rowOf(it.itemId)]!, 5);
  });

  it("scoreRows (the evaluation hook) returns the shared scorer's scores and checks its rows", async () => {
    const [got] = await h.rt.scoreRows([[5, 6, 7]]);
    const [want] = await refScorer.scores([Int32Array.from([5, 6, 7])]);
    expect(got!.length).toBe(ITEMS + 1);
    for (let r = 1; r <= ITEMS; r++) expect(got![r]).toBeCloseTo(want![r]!, 4);
    await expect(h.rt.scoreRows([[0, ITEMS + 1]])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'seqs' });
  });

  it('explains model items by the history item most similar to them', async () => {
    await reset();
    await view(h.store, [idOf(40), idOf(41)]);
    await h.store.append([ev('add_to_cart', idOf(7), 5000), ev('view', idOf(8), 5001)]);
    const r = await h.rt.recommend({ k: 5 });
    for (const it of r.items) {
      expect(it.source).toBe('model');
      expect(it.reason.kind).toBe('history');
      expect([idOf(40), idOf(41), idOf(7), idOf(8)]).toContain(it.reason.itemIds![0]);
      expect(it.reason.text).toMatch(/^Because you (viewed|added to your cart) Item \d+$/);
    }
  });

  it('reflects an event recorded just before the call (no stale cache)', async () => {
    await reset();
    await view(h.store, [idOf(20), idOf(21)]);
    const a = await h.rt.recommend({ k: 3 });
    const [s0] = await refScorer.scores([Int32Array.from([20, 21])]);
    expect(a.items.map((i) => rowOf(i.itemId))).toEqual(
      Array.from({ length: ITEMS }, (_, i) => i + 1)
        .filter((x) => x !== 20 && x !== 21)
        .sort((x, y) => s0![y]! - s0![x]!)
        .slice(0, 3),
    );
    await h.store.append([ev('view', idOf(50), 9000)]);
    const b = await h.rt.recommend({ k: 3 });
    const seq = [20, 21, 50];
    const [s] = await refScorer.scores([Int32Array.from(seq)]);
    const top = Array.from({ length: ITEMS }, (_, i) => i + 1)
      .filter((x) => !seq.includes(x))
      .sort((x, y) => s![y]! - s![x]!)
      .slice(0, 3);
    expect(b.items.map((i) => rowOf(i.itemId))).toEqual(top);
    expect(b.items.map((i) => i.itemId)).not.toEqual(a.items.map((i) => i.itemId));
  });

  it('masks history and purchases (by default), exclusions; filters before the top-k cut', async () => {
    await reset();
    // The purchase is older than the model's window (maxLen 10): only the purchase mask hides it.
    await h.store.append([ev('purchase', idOf(12), 500)]);
    const recent = [10, 11, 60, 61, 62, 63, 64, 65, 66, 30];
    await view(h.store, recent.map(idOf));
    const ids = (r: RecommendResult) => r.items.map((i) => i.itemId);
    const base = await h.rt.recommend({ k: 20 });
    expect(ids(base)).not.toContain(idOf(12));
    const everything = await h.rt.recommend({ k: ITEMS - recent.length - 1 });
    for (const x of recent) expect(ids(everything)).not.toContain(idOf(x));
    expect(everything.items).toHaveLength(ITEMS - recent.length - 1);
    const withPurchased = await h.rt.recommend({ k: ITEMS - recent.length, excludePurchased: false });
    expect(ids(withPurchased)).toContain(idOf(12));
    const ex = await h.rt.recommend({ k: 5, exclude: [ids(base)[0]!] });
    expect(ids(ex)).toEqual(ids(base).slice(1, 6));
    // Only 8 items pass: a filter applied after a top-8 cut would return fewer.
    const f = await h.rt.recommend({ k: 8, filter: { categories: ['books'], inStock: true, minPrice: 20, maxPrice: 40 } });
    expect(f.items).toHaveLength(8); // books 20,22,…,40 minus the out-of-stock 20, 30, 40
    for (const it of f.items) {
      const r = rowOf(it.itemId);
      expect(r % 2).toBe(0);
      expect(r % 5).not.toBe(0);
      expect(r).toBeGreaterThanOrEqual(20);
      expect(r).toBeLessThanOrEqual(40);
    }
    // The filtered list is the unfiltered ranking restricted to matching items (filter before the cut).
    const all = ids(everything);
    expect(ids(f)).toEqual(all.filter((id) => f.items.some((i) => i.itemId === id)));
  });

  it('uses host catalog metadata over the bundle catalog', async () => {
    await reset();
    await view(h.store, [idOf(1)]);
    await h.rt.setCatalog({ [idOf(2)]: { category: 'toys', name: 'Kite' } });
    const r = await h.rt.recommend({ k: 5, filter: { categories: ['toys'] } });
    expect(r.items.map((i) => i.itemId)).toEqual([idOf(2)]);
    const s = await h.rt.similar(idOf(2), { k: 1 });
    expect(s.items[0]!.reason.text).toBe('Similar to Kite');
  });

  it('diversity = MMR over item embeddings: lower similarity among the picks, 0 = plain ranking', async () => {
    await reset();
    await view(h.store, [idOf(25), idOf(26), idOf(27)]);
    const plain = await h.rt.recommend({ k: 6 });
    expect((await h.rt.recommend({ k: 6, diversity: 0 })).items.map((i) => i.itemId)).toEqual(plain.items.map((i) => i.itemId));
    const diverse = await h.rt.recommend({ k: 6, diversity: 0.9 });
    const emb = ref.weights.get('item_emb')!;
    const d = ref.manifest.architecture.dim;
    const cos = (a: number, b: number) => {
      let s = 0,
        na = 0,
        nb = 0;
      for (let j = 0; j < d; j++) {
        s += emb[a * d + j]! * emb[b * d + j]!;
        na += emb[a * d + j]! ** 2;
        nb += emb[b * d + j]! ** 2;
      }
      return s / Math.sqrt(na * nb);
    };
    const meanSim = (r: RecommendResult) => {
      const rows = r.items.map((i) => rowOf(i.itemId));
      let s = 0,
        n = 0;
      for (let i = 0; i < rows.length; i++)
        for (let j = i + 1; j < rows.length; j++) {
          s += cos(rows[i]!, rows[j]!);
          n++;
        }
      return s / n;
    };
    expect(diverse.items[0]!.itemId).toBe(plain.items[0]!.itemId);
    expect(meanSim(diverse)).toBeLessThan(meanSim(plain));
  });
});

describe('runtime: cold start', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
    await h.rt.ready();
  });
  afterAll(() => h.rt.dispose());

  const popularOrder = () => Array.from(ref.cold.popularItems).map(idOf);

  it('no history: the bundle popularity table, marked popular', async () => {
    await h.store.destroy();
    const r = await h.rt.recommend({ k: 5 });
    expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'no-history' });
    expect(r.items.map((i) => i.itemId)).toEqual(popularOrder().slice(0, 5));
    for (const it of r.items) expect(it).toMatchObject({ source: 'popular', reason: { kind: 'popular', text: 'Popular right now' } });
  });

  it('no consent: history is not read', async () => {
    await h.store.destroy();
    await view(h.store, [idOf(5)]);
    await h.rt.setConsent('denied');
    const r = await h.rt.recommend({ k: 5 });
    expect(r.fallbackReason).toBe('no-consent');
    expect(r.items.map((i) => i.itemId)).toEqual(popularOrder().slice(0, 5));
    await h.rt.setConsent('granted');
  });

  it('an unreadable event store: popular items marked error, no rejection', async () => {
    const broken = new MemoryEventStore();
    broken.query = async () => {
      throw new LocalRecError('STORAGE_FAILED', 'disk on fire');
    };
    const { rt } = await harness({}, undefined, broken);
    await rt.ready();
    const r = await rt.recommend({ k: 3 });
    expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'error' });
    expect(r.items.map((i) => i.itemId)).toEqual(popularOrder().slice(0, 3));
    await rt.dispose();
  });

  it('time budget exceeded: co-occurrence of the last items, naming the item that drove it', async () => {
    await h.store.destroy();
    await view(h.store, [idOf(33)]);
    const r = await h.rt.recommend({ k: 3, budgetMs: 0 });
    expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'timeout' });
    const M = ref.manifest.coldStart.cooccurrenceNeighbours;
    const top = ref.cold.coocItems[33 * M]!;
    expect(r.items[0]).toMatchObject({
      itemId: idOf(top),
      source: 'cooccurrence',
      reason: { kind: 'cooccurrence', text: 'Often chosen after Item 33', itemIds: [idOf(33)] },
    });
  });
});

describe('runtime: similar and rank', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
    await h.rt.ready();
  });
  afterAll(() => h.rt.dispose());

  it('similar: item-embedding cosine, best first, with a reason', async () => {
    await h.store.destroy();
    const r = await h.rt.similar(idOf(9), { k: 5 });
    const emb = ref.weights.get('item_emb')!;
    const d = ref.manifest.architecture.dim;
    const cos = (b: number) => {
      let s = 0,
        na = 0,
        nb = 0;
      for (let j = 0; j < d; j++) {
        s += emb[9 * d + j]! * emb[b * d + j]!;
        na += emb[9 * d + j]! ** 2;
        nb += emb[b * d + j]! ** 2;
      }
      return s / Math.sqrt(na * nb);
    };
    const expected = Array.from({ length: ITEMS }, (_, i) => i + 1)
      .filter((x) => x !== 9)
      .sort((a, b) => cos(b) - cos(a))
      .slice(0, 5);
    expect(r.items.map((i) => rowOf(i.itemId))).toEqual(expected);
    for (const it of r.items) expect(it.reason).toEqual({ kind: 'similar', text: 'Similar to Item 9', itemIds: [idOf(9)] });
    const unknown = await h.rt.similar('not-in-model', { k: 3 });
    expect(unknown).toMatchObject({ source: 'fallback', fallbackReason: 'no-history' });
    expect(unknown.items).toHaveLength(3);
  });

  it('rank: known candidates sorted by model score into their slots; unknown ids keep theirs', async () => {
    await h.store.destroy();
    await view(h.store, [idOf(44), idOf(45)]);
    const cands = [idOf(3), 'new-A', idOf(46), idOf(20), 'new-B', idOf(47)];
    const r = await h.rt.rank(cands);
    expect(r.source).toBe('model');
    const ids = r.items.map((i) => i.itemId);
    expect(ids[1]).toBe('new-A');
    expect(ids[4]).toBe('new-B');
    expect(r.items[1]).toMatchObject({ source: 'host', reason: { kind: 'candidate' } });
    const known = r.items.filter((i) => i.source === 'model');
    expect(known.map((i) => i.score)).toEqual([...known.map((i) => i.score)].sort((a, b) => b - a));
    const [ref44] = await refScorer.scores([Int32Array.from([44, 45])]);
    const byRef = [3, 46, 20, 47].sort((a, b) => ref44![b]! - ref44![a]!);
    expect(ids).toEqual([idOf(byRef[0]!), 'new-A', idOf(byRef[1]!), idOf(byRef[2]!), 'new-B', idOf(byRef[3]!)]);
    const cut = await h.rt.rank(cands, { k: 2, exclude: [idOf(byRef[0]!)] });
    expect(cut.items.map((i) => i.itemId)).toEqual([idOf(byRef[1]!), 'new-A']);
  });
});
