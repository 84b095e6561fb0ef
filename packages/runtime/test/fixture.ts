/**
 * A tiny real bundle for the runtime's unit tests: a SASRec model trained for a few epochs on
 * generated cyclic data (item i is usually followed by i+1), written by the trainer's own
 * `writeBundle` (int8, cold-start tables, catalog), plus a `fetch` that serves it from disk and
 * an in-memory Cache Storage.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { EventStore, ItemMeta, NewEvent } from '@localrec/core';
import type { RuntimeOptions } from '../src/api.js';
import { Runtime } from '../src/runtime.js';
import { buildColdTables, train, useBackend, writeBundle, type LoadedBundle, type Split } from '@localrec/trainer';
import { SasrecScorer, type BundleManifest } from '@localrec/model';

// ≥ 101 items: the trainer's sampled-100 validation needs 100 untouched items per user.
export const ITEMS = 150;
export const BASE = 'http://bundle.test/tiny/';
export const idOf = (row: number) => `sku-${row}`;

/** Deterministic LCG, enough for test data. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function cyclicSplit(users: number, items: number, seed: number): Split {
  const rnd = lcg(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const split: Split = { itemCount: items, train: [], valid: new Int32Array(users), test: new Int32Array(users) };
  for (let u = 0; u < users; u++) {
    const len = 6 + int(10);
    const s: number[] = [1 + int(items)];
    while (s.length < len) s.push(rnd() < 0.9 ? (s[s.length - 1]! % items) + 1 : 1 + int(items));
    split.train.push(Int32Array.from(s.slice(0, -2)));
    split.valid[u] = s[s.length - 2]!;
    split.test[u] = s[s.length - 1]!;
  }
  return split;
}

/** Catalog: even rows are "books", odd rows "games"; every 5th item is out of stock; price = row. */
export function catalog(): Record<string, ItemMeta> {
  const c: Record<string, ItemMeta> = {};
  for (let r = 1; r <= ITEMS; r++) {
    c[idOf(r)] = { name: `Item ${r}`, category: r % 2 ? 'games' : 'books', price: r, inStock: r % 5 !== 0 };
  }
  return c;
}

export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/** The tiny bundle's training data (leave-one-out split), also for evaluating it. */
export const tinySplit = () => cyclicSplit(400, ITEMS, 7);

export interface TinyBundle {
  dir: string;
  manifest: BundleManifest;
}

/** Trains and writes the tiny bundle (a few seconds on wasm). */
export async function makeTinyBundle(): Promise<TinyBundle> {
  await useBackend('wasm');
  const split = tinySplit();
  const r = await train(split, {
    dim: 16,
    maxLen: 10,
    blocks: 1,
    heads: 1,
    dropout: 0.1,
    epochs: 12,
    evalEvery: 12,
    batchSize: 64,
    lr: 0.01,
    seed: 1,
    validUsers: 50,
  });
  const dir = mkdtempSync(join(tmpdir(), 'localrec-runtime-'));
  const manifest = writeBundle(dir, {
    name: 'tiny',
    version: 'tiny-1',
    arch: r.arch,
    itemCount: ITEMS,
    weights: r.weights,
    vocab: Array.from({ length: ITEMS }, (_, i) => idOf(i + 1)),
    cold: buildColdTables(split, { neighbours: 5 }),
    quantize: true,
    catalog: catalog(),
  });
  return { dir, manifest };
}

export interface FakeFetch {
  fetch: typeof fetch;
  /** URLs requested, in order. */
  calls: string[];
  /** Replace a file's bytes (e.g. to corrupt it) or make requests fail. */
  override?: (url: string) => Response | Promise<Response> | Error | undefined;
}

/** Serves `dir` under {@link BASE}. */
export function fakeFetch(dir: string): FakeFetch {
  const f: FakeFetch = {
    calls: [],
    fetch: async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      f.calls.push(url);
      const o = f.override?.(url);
      if (o instanceof Error) throw o;
      if (o) return o;
      if (!url.startsWith(BASE)) return new Response('not found', { status: 404 });
      try {
        return new Response(readFileSync(join(dir, url.slice(BASE.length).split('?')[0]!)));
      } catch {
        return new Response('not found', { status: 404 });
      }
    },
  };
  return f;
}

/** A minimal in-memory Cache Storage (Node has none). */
export function memoryCaches(): CacheStorage & { entries: Map<string, Uint8Array> } {
  const entries = new Map<string, Uint8Array>();
  const headers = new Map<string, [string, string][]>();
  const cache = {
    match: async (k: RequestInfo | URL) => {
      const key = String(k instanceof Request ? k.url : k);
      const b = entries.get(key);
      return b ? new Response(b.slice(), { headers: headers.get(key) ?? [] }) : undefined;
    },
    put: async (k: RequestInfo | URL, r: Response) => {
      entries.set(String(k), new Uint8Array(await r.arrayBuffer()));
      headers.set(String(k), [...r.headers]);
    },
    delete: async (k: RequestInfo | URL) => entries.delete(String(k instanceof Request ? k.url : k)),
    keys: async () => [...entries.keys()].map((url) => new Request(url)),
  };
  return { entries, open: async () => cache as unknown as Cache } as unknown as CacheStorage & { entries: Map<string, Uint8Array> };
}

let n = 0;
/** A valid stored-event input for `store.append`. */
export function ev(type: string, itemId: string, ts: number): NewEvent {
  return { uid: `e${++n}-${ts}`, type: type as NewEvent['type'], ts, sessionId: 's1', itemId, data: {} };
}

// Re-exported for test/e2e/runtime*.test.ts (the root package does not depend on the workspace packages).
/** How {@link tinyRuntime} starts a runtime. */
export interface TinyRuntimeSetup {
  /** The network the runtime fetches the bundle through (default: `fakeFetch(tiny.dir)`). */
  net?: FakeFetch;
  /** Await `ready()` (default true). */
  ready?: boolean;
}

/**
 * A runtime over the tiny bundle, as the unit tests use it: wasm only, no calibration, no Cache
 * Storage, a 10 s budget and no retry delay, then `opts` (any runtime option, e.g. `insights`).
 */
export async function tinyRuntime(
  tiny: TinyBundle,
  store: EventStore,
  opts: Partial<RuntimeOptions> = {},
  setup: TinyRuntimeSetup = {},
): Promise<Runtime> {
  const rt = new Runtime({ createStore: () => store, fetch: (setup.net ?? fakeFetch(tiny.dir)).fetch, caches: null, wasmPath: wasmDir() });
  await rt.init({ appId: 'test', modelUrl: BASE, backends: ['wasm'], calibrate: false, budgetMs: 10_000, retryDelayMs: 0, ...opts });
  if (setup.ready !== false) await rt.ready();
  return rt;
}

export { loadBundleDir, evaluate, type LoadedBundle } from '@localrec/trainer';
export { SasrecScorer } from '@localrec/model';

/** A loaded bundle's scorer as the runtime scores (and `localrec eval` measures): with the bundle's blend (`manifest.blend`) when it has one. */
export function bundleScorer(b: LoadedBundle): SasrecScorer {
  const spec = b.manifest.blend;
  return new SasrecScorer(b.manifest.architecture, b.manifest.itemCount, b.weights, spec ? { blend: { spec, table: b.cold } } : {});
}
export { recentSequence, type StoredEvent } from '@localrec/core';
