/**
 * dispose() while the model is loading: no Cache Storage write may happen after it returns (the
 * SDK erases storage right after disposing the runtime in `forgetMe()`).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryEventStore } from '@localrec/core';
import { Runtime } from '../src/runtime.js';
import { BASE, fakeFetch, makeTinyBundle, memoryCaches, wasmDir, type TinyBundle } from './fixture.js';

let tiny: TinyBundle;
beforeAll(async () => {
  tiny = await makeTinyBundle();
}, 120_000);
afterAll(() => {
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

it('waits for a cache open in flight, then refuses every later open and put', async () => {
  const caches = memoryCaches();
  const realOpen = caches.open.bind(caches);
  let release!: () => void;
  const held = new Promise<void>((ok) => {
    release = ok;
  });
  let opened = 0;
  let settledBeforeDispose = false;
  (caches as { open: CacheStorage['open'] }).open = async (name: string) => {
    opened++;
    await held;
    settledBeforeDispose = true;
    return realOpen(name);
  };
  const rt = new Runtime({ createStore: () => new MemoryEventStore(), fetch: fakeFetch(tiny.dir).fetch, caches, wasmPath: wasmDir() });
  await rt.init({ appId: 'test', modelUrl: BASE, backends: ['wasm'], calibrate: false, retryDelayMs: 0 });
  await new Promise((r) => setTimeout(r, 20));
  expect(opened).toBe(1); // the load has started and is opening the cache
  const disposing = rt.dispose();
  let disposed = false;
  void disposing.then(() => {
    disposed = true;
  });
  await new Promise((r) => setTimeout(r, 20));
  expect(disposed).toBe(false); // waits for the open in flight
  release();
  await disposing;
  expect(settledBeforeDispose).toBe(true);
  // Whatever the load in flight does next, nothing lands in Cache Storage.
  await new Promise((r) => setTimeout(r, 200));
  expect(caches.entries.size).toBe(0);
});
