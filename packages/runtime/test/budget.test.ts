/**
 * The time budget of similar() and rank(), as recommend() has it: never a rejection because the
 * model is missing or slow; an exhausted budget answers from the bundle's cold-start tables,
 * marked `fallbackReason: 'timeout'`; a model that has not loaded within `readyTimeoutMs`
 * answers `'no-model'`.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@localrec/core';
import { loadBundleDir, type LoadedBundle } from '@localrec/trainer';
import { Runtime } from '../src/runtime.js';
import type { RuntimeOptions } from '../src/api.js';
import { BASE, ev, fakeFetch, idOf, makeTinyBundle, wasmDir, type FakeFetch, type TinyBundle } from './fixture.js';

let tiny: TinyBundle;
let ref: LoadedBundle;
beforeAll(async () => {
  tiny = await makeTinyBundle();
  ref = await loadBundleDir(tiny.dir);
}, 120_000);
afterAll(() => {
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

async function runtime(
  store: MemoryEventStore,
  opts: Partial<RuntimeOptions> = {},
  net: FakeFetch = fakeFetch(tiny.dir),
): Promise<Runtime> {
  const rt = new Runtime({ createStore: () => store, fetch: net.fetch, caches: null, wasmPath: wasmDir() });
  await rt.init({ appId: 'test', modelUrl: BASE, backends: ['wasm'], calibrate: false, retryDelayMs: 0, ...opts });
  return rt;
}

const M = () => ref.manifest.coldStart.cooccurrenceNeighbours;
const coocOf = (row: number) => Array.from(ref.cold.coocItems.subarray(row * M(), row * M() + M())).filter((r) => r > 0);

describe('similar(): time budget', () => {
  it("budget 0: the item's co-occurrence neighbours (then popularity), marked timeout, never the item itself; a budget answers from the model", async () => {
    const store = new MemoryEventStore();
    const rt = await runtime(store, { budgetMs: 10_000 });
    await rt.ready();
    try {
      const r = await rt.similar(idOf(40), { k: 5, budgetMs: 0 });
      expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'timeout' });
      expect(r.items).toHaveLength(5);
      expect(r.items.map((i) => i.itemId)).not.toContain(idOf(40));
      const neighbours = coocOf(40);
      expect(r.items[0]).toMatchObject({
        itemId: idOf(neighbours[0]!),
        source: 'cooccurrence',
        reason: { kind: 'cooccurrence', text: 'Often chosen after Item 40', itemIds: [idOf(40)] },
      });
      // Purchases stay masked in the fallback too.
      await store.append([ev('purchase', idOf(neighbours[0]!), 100)]);
      expect((await rt.similar(idOf(40), { k: 5, budgetMs: 0 })).items.map((i) => i.itemId)).not.toContain(idOf(neighbours[0]!));
      // The configured default budget (10 s here) is plenty: the model's cosine answer.
      const m = await rt.similar(idOf(40), { k: 5 });
      expect(m.source).toBe('model');
      expect(m.fallbackReason).toBeUndefined();
      expect(m.items.every((i) => i.reason.kind === 'similar')).toBe(true);
    } finally {
      await rt.dispose();
    }
  });

  it('the runtime-wide budgetMs applies when the call gives none', async () => {
    const rt = await runtime(new MemoryEventStore(), { budgetMs: 0 });
    await rt.ready();
    try {
      expect(await rt.similar(idOf(7), { k: 3 })).toMatchObject({ source: 'fallback', fallbackReason: 'timeout' });
    } finally {
      await rt.dispose();
    }
  });

  it('a model that does not load in time: similar and rank resolve (no-model), never reject', async () => {
    const net = fakeFetch(tiny.dir);
    net.override = (url) => (url.startsWith(BASE) ? new Promise<Response>(() => {}) : undefined); // the network hangs
    const rt = await runtime(new MemoryEventStore(), { readyTimeoutMs: 30 }, net);
    try {
      expect(await rt.similar(idOf(7), { k: 3 })).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-model' });
      const r = await rt.rank([idOf(3), 'x', idOf(4)]);
      expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'no-model' });
      expect(r.items.map((i) => i.itemId)).toEqual([idOf(3), 'x', idOf(4)]);
    } finally {
      await rt.dispose();
    }
  });
});

describe('rank(): time budget', () => {
  it('budget 0: candidates ordered by the cold-start tables, unknown ids in their slots, marked timeout; a budget answers from the model', async () => {
    const store = new MemoryEventStore();
    await store.append([ev('view', idOf(33), 1000)]);
    const rt = await runtime(store, { budgetMs: 10_000 });
    await rt.ready();
    try {
      const neighbours = coocOf(33);
      const cands = ['unknown-1', idOf(120), idOf(neighbours[0]!), 'unknown-2', idOf(121)];
      const r = await rt.rank(cands, { budgetMs: 0 });
      expect(r).toMatchObject({ source: 'fallback', fallbackReason: 'timeout' });
      expect(r.items.map((i) => i.itemId)[0]).toBe('unknown-1');
      expect(r.items.map((i) => i.itemId)[3]).toBe('unknown-2');
      expect(r.items[1]).toMatchObject({
        itemId: idOf(neighbours[0]!),
        source: 'cooccurrence',
        reason: { text: 'Often chosen after Item 33' },
      });
      const m = await rt.rank(cands);
      expect(m.source).toBe('model');
      expect(m.items.filter((i) => i.source === 'model')).toHaveLength(3);
    } finally {
      await rt.dispose();
    }
  });
});
