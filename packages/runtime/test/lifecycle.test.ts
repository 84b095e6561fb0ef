/**
 * Data lifecycle in the runtime (Node, wasm backend, the tiny bundle):
 * - retention: with `retentionMs` the runtime reads no event past it — not for the history, the
 *   purchases or the profile — although the store still holds it (no prune has run);
 * - bounded model cache: once version N+1 is verified, the cached files of every other version of
 *   the same bundle URL are deleted; a version that fails verification deletes nothing.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@localrec/core';
import { parseModelCacheKey } from '@localrec/core/internal';
import { sha256Hex } from '@localrec/model';
import { loadBundle } from '../src/loader.js';
import { Runtime } from '../src/runtime.js';
import { BASE, ev, fakeFetch, idOf, makeTinyBundle, memoryCaches, wasmDir, tinyRuntime, type TinyBundle } from './fixture.js';

const DAY = 86_400_000;
let tiny: TinyBundle;

beforeAll(async () => {
  tiny = await makeTinyBundle();
}, 120_000);
afterAll(() => {
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

async function runtime(store: MemoryEventStore, retentionMs?: number): Promise<Runtime> {
  return tinyRuntime(tiny, store, { insights: {}, ...(retentionMs === undefined ? {} : { retentionMs }) });
}

describe('runtime: retention on read', () => {
  it('reads no event past retentionMs (history, purchases, profile) while the store still holds it', async () => {
    const store = new MemoryEventStore();
    const now = Date.now();
    // 40 days ago: views of 1–4 and a purchase of 5; nothing recent.
    await store.append([
      ...[1, 2, 3, 4].map((r, i) => ev('view', idOf(r), now - 40 * DAY + i * 60_000)),
      ev('purchase', idOf(5), now - 40 * DAY + 300_000),
    ]);
    const kept = await runtime(store, 30 * DAY);
    const r = await kept.recommend({ k: 150 });
    expect(r.fallbackReason).toBe('no-history');
    // The old purchase is not excluded: it is as if it never happened.
    expect(r.items.map((i) => i.itemId)).toContain(idOf(5));
    expect((await kept.getProfile()).eventCount).toBe(0);
    expect(await store.count()).toBe(5); // the runtime deletes nothing: that is the page's job
    await kept.dispose();

    // The same store without a retention window: the old events are the history.
    const all = await runtime(store);
    const r2 = await all.recommend({ k: 150 });
    expect(r2.items[0]?.source).toBe('model');
    expect(r2.items.map((i) => i.itemId)).not.toContain(idOf(5));
    expect((await all.getProfile()).eventCount).toBe(5);
    await all.dispose();
  });

  it('only the events within the window count, oldest ones left out', async () => {
    const store = new MemoryEventStore();
    const now = Date.now();
    // 50 and 10 days old, retention 30 days: only the newer one counts.
    await store.append([ev('view', idOf(7), now - 50 * DAY), ev('view', idOf(8), now - 10 * DAY)]);
    const rt = await runtime(store, 30 * DAY);
    expect((await rt.getProfile()).eventCount).toBe(1);
    const r = await rt.recommend({ k: 150 });
    expect(r.items[0]?.source).toBe('model');
    expect(r.items.map((i) => i.itemId)).toContain(idOf(7)); // not history: recommendable
    expect(r.items.map((i) => i.itemId)).not.toContain(idOf(8)); // history
    await rt.dispose();
  });

  it('refuses a retentionMs that is not a positive number, naming it', async () => {
    const rt = new Runtime({ createStore: () => new MemoryEventStore(), caches: null });
    for (const bad of [0, -1, Number.NaN, Infinity, '30d' as unknown as number]) {
      await expect(rt.init({ appId: 'x', modelUrl: BASE, retentionMs: bad })).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        field: 'retentionMs',
      });
    }
  });
});

describe('model cache: one version per bundle URL', () => {
  /** Serves the tiny bundle as version `v`, its catalog altered so that one file's hash changes too. */
  function versioned(v: number, corruptWeights = false) {
    const net = fakeFetch(tiny.dir);
    const manifest = JSON.parse(readFileSync(join(tiny.dir, 'manifest.json'), 'utf8')) as {
      version: string;
      catalogFile: string;
      files: Record<string, { sha256: string; bytes: number }>;
    };
    const catalog = readFileSync(join(tiny.dir, manifest.catalogFile), 'utf8');
    const altered = new TextEncoder().encode(catalog.replace(/^\{/, `{"sku-v${v}":{"name":"v${v}"},`));
    return (async () => {
      manifest.version = `tiny-${v}`;
      manifest.files[manifest.catalogFile] = { sha256: await sha256Hex(altered), bytes: altered.byteLength };
      net.override = (url) => {
        if (url.startsWith(`${BASE}manifest.json`)) return new Response(JSON.stringify(manifest));
        if (url.startsWith(`${BASE}${manifest.catalogFile}`)) return new Response(altered.slice());
        if (corruptWeights && url.startsWith(`${BASE}weights.bin`)) {
          const b = readFileSync(join(tiny.dir, 'weights.bin'));
          b[7] = b[7]! ^ 1;
          return new Response(b);
        }
        return undefined;
      };
      return net;
    })();
  }
  const versionsIn = (caches: ReturnType<typeof memoryCaches>, base = BASE): string[] =>
    [
      ...new Set(
        [...caches.entries.keys()].flatMap((k) => {
          const key = parseModelCacheKey(k);
          return key && key.url.startsWith(base) ? [key.version] : [];
        }),
      ),
    ].sort();

  it('after three updates exactly one version is cached; other bundles and a failed update delete nothing', async () => {
    const caches = memoryCaches();
    const other = 'http://bundle.test/other/weights.bin?localrec-version=o-1&sha256=00';
    caches.entries.set(other, new Uint8Array([1, 2, 3]));
    for (const v of [1, 2, 3]) {
      const b = await loadBundle({ baseUrl: BASE, fetch: (await versioned(v)).fetch, caches });
      expect(b.manifest.version).toBe(`tiny-${v}`);
      expect(versionsIn(caches)).toEqual([`tiny-${v}`]);
      // weights, vocab, catalog of the one version, plus the manifest.
      expect([...caches.entries.keys()].filter((k) => k.startsWith(BASE))).toHaveLength(4);
    }
    expect(caches.entries.has(other)).toBe(true);

    // Version 4 fails verification (a weights byte flipped): version 3 stays, nothing of 4 is cached.
    await expect(loadBundle({ baseUrl: BASE, fetch: (await versioned(4, true)).fetch, caches })).rejects.toMatchObject({
      code: 'MODEL_INTEGRITY',
    });
    expect(versionsIn(caches).filter((v) => v !== 'tiny-4')).toEqual(['tiny-3']);
    // Its verified files (vocab, catalog) may have been put; the weights of version 3 are still there.
    expect([...caches.entries.keys()].some((k) => k.includes('weights.bin') && k.includes('tiny-3'))).toBe(true);
  });

  it('the runtime bounds the cache too (through its guarded Cache Storage)', async () => {
    const caches = memoryCaches();
    for (const v of [1, 2, 3]) {
      const rt = new Runtime({ createStore: () => new MemoryEventStore(), fetch: (await versioned(v)).fetch, caches, wasmPath: wasmDir() });
      await rt.init({ appId: 'cache', modelUrl: BASE, backends: ['wasm'], calibrate: false, retryDelayMs: 0 });
      expect((await rt.ready()).modelVersion).toBe(`tiny-${v}`);
      await rt.dispose();
    }
    expect(versionsIn(caches)).toEqual(['tiny-3']);
  });
});
