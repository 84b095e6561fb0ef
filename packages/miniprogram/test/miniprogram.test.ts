/**
 * @localrec/miniprogram in Node. `wx` here is a STAND-IN (createWxStandin for storage,
 * createWxWorkerStandin for workers), NOT WeChat: these tests check the package against the
 * documented API shapes and limits as modelled by the stand-ins, not against a real device.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalRecError } from '@localrec/core';
import {
  KeyValueEventStore,
  assertModelFits,
  createMiniProgramRecorder,
  connectMiniProgramWorker,
  createMiniProgramStore,
  exposeInMiniProgramWorker,
  inThread,
  miniProgramBackends,
  modelFootprint,
  probeMiniProgram,
  serveStorageToWorker,
  workerStorage,
  wxStorage,
} from '@localrec/miniprogram';
import type { MiniProgramWorker } from '@localrec/miniprogram';
import { createWxStandin, createWxWorkerStandin } from '@localrec/miniprogram/testing';

describe('environment detection', () => {
  afterEach(() => {
    delete (globalThis as { wx?: unknown }).wx;
    vi.resetModules();
  });

  it('touches no global at import time, and probes lazily on call', async () => {
    let reads = 0;
    Object.defineProperty(globalThis, 'wx', {
      configurable: true,
      get() {
        reads += 1;
        return { ...createWxStandin(), createWorker: () => undefined, request: () => undefined };
      },
    });
    vi.resetModules();
    const mod = await import('@localrec/miniprogram');
    expect(reads).toBe(0);
    const env = mod.detectMiniProgram();
    expect(reads).toBeGreaterThan(0);
    expect(env).toMatchObject({ miniProgram: true, storage: true, worker: true, webgl: false, request: true, dom: false });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('says no in plain Node', () => {
    expect(probeMiniProgram({})).toEqual({ miniProgram: false, storage: false, worker: false, webgl: false, request: false, dom: false });
  });
});

describe('backends', () => {
  it('offers webgl then cpu, refuses webgpu and wasm by name', () => {
    expect(miniProgramBackends()).toEqual(['webgl', 'cpu']);
    expect(miniProgramBackends(['cpu', 'webgl'])).toEqual(['cpu', 'webgl']);
    expect(miniProgramBackends(undefined, { webgl: false })).toEqual(['cpu']);
    const err = (() => {
      try {
        miniProgramBackends(['webgpu', 'cpu']);
      } catch (e) {
        return e as LocalRecError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('BACKEND_UNAVAILABLE');
    expect(err?.message).toContain('"webgpu"');
    expect(err?.accepted).toEqual(['webgl', 'cpu']);
    expect(() => miniProgramBackends(['webgl'], { webgl: false })).toThrow(/no WebGL canvas/);
  });
});

describe('model-size check', () => {
  // Shaped like @localrec/model's manifest (format v1); sizes follow the games-sasrec bundle.
  const manifest = (itemCount: number, dim = 50) => ({
    itemCount,
    architecture: { dim },
    tensors: [
      { name: 'item_emb', dtype: 'int8', shape: [itemCount + 1, dim] },
      { name: 'item_emb/scales', dtype: 'float32', shape: [itemCount + 1] },
      { name: 'pos_emb', dtype: 'int8', shape: [50, dim] },
    ],
    files: { 'weights.bin': { bytes: (itemCount + 1) * (dim + 4) }, 'vocab.json': { bytes: itemCount * 10 } },
  });

  it('accepts a model that fits and reports its footprint', () => {
    const fp = assertModelFits(manifest(23715));
    expect(fp).toEqual(modelFootprint(manifest(23715)));
    expect(fp.fileBytes).toBe(23716 * 54 + 237150);
    expect(fp.memoryBytes).toBeGreaterThan(3 * 23716 * 50 * 4);
  });

  it('refuses a model too big for memory, naming sizes and budget', () => {
    expect(() => assertModelFits(manifest(1_000_000, 64))).toThrow(
      /Model needs about .* MB of memory \(1000000 items × 64 dims\); the mini-program budget is 64\.00 MB/,
    );
  });

  it('refuses packaging a model that does not fit the 2 MB code package next to the code', () => {
    const m = manifest(23715);
    expect(() => assertModelFits(m, { placement: 'package', codeBytes: 900 * 1024 })).toThrow(
      expect.objectContaining({ code: 'BUNDLE_INVALID', field: 'placement' }),
    );
    expect(assertModelFits(m, { placement: 'download' }).fileBytes).toBeGreaterThan(0);
    expect(assertModelFits(manifest(2000), { placement: 'package', codeBytes: 900 * 1024 }).fileBytes).toBeLessThan(200_000);
  });
});

describe('mini-program worker transport (Comlink over the wx worker STAND-IN)', () => {
  let open: MiniProgramWorker<unknown>[] = [];
  afterEach(() => {
    for (const w of open) w.terminate();
    open = [];
  });

  class Api {
    calls = 0;
    async add(a: number, b: number): Promise<number> {
      this.calls += 1;
      return a + b;
    }
    async mutate(o: { items: string[] }): Promise<{ items: string[] }> {
      o.items.push('changed-in-worker');
      return o;
    }
    async fail(): Promise<never> {
      throw new LocalRecError('NOT_READY', 'model not loaded');
    }
  }

  function start(standin = createWxWorkerStandin()) {
    const served = new Api();
    standin.onWorkerStart((g) => exposeInMiniProgramWorker(served, g));
    const w = connectMiniProgramWorker<Api>(standin.wx, 'workers/index.js');
    open.push(w);
    return { w, served, standin };
  }

  it('calls the worker through copied messages, with the Comlink protocol', async () => {
    const { w, served, standin } = start();
    expect(await w.api.add(2, 3)).toBe(5);
    expect(served.calls).toBe(1);
    const mine = { items: ['a'] };
    const back = await w.api.mutate(mine);
    expect(mine.items).toEqual(['a']); // the worker changed its copy, not ours
    expect(back.items).toEqual(['a', 'changed-in-worker']);
    // Comlink wire messages, inside the envelope.
    const first = standin.posted[0]!.message as { __localrec: number; data: { type: string; path: string[] } };
    expect(first.__localrec).toBe(1);
    expect(first.data).toMatchObject({ type: 'APPLY', path: ['add'] });
  });

  it('rejects with the worker error message', async () => {
    const { w } = start();
    await expect(w.api.fail()).rejects.toThrow('model not loaded');
  });

  it('allows one worker at a time, like wx', async () => {
    const standin = createWxWorkerStandin();
    const { w } = start(standin);
    expect(() => connectMiniProgramWorker<Api>(standin.wx, 'workers/index.js')).toThrow(/one worker at a time/);
    const replaced = connectMiniProgramWorker<Api>(standin.wx, 'workers/index.js', { replace: true });
    open.push(replaced);
    await expect(replaced.api.add(1, 1)).resolves.toBe(2);
    w.terminate(); // terminating the replaced one is harmless
    replaced.terminate();
    const again = start(standin);
    await expect(again.w.api.add(2, 2)).resolves.toBe(4);
  });
});

describe("storage bridge: a worker (no wx APIs) reads the logic layer's wx storage", () => {
  it('lets a store in the worker see events recorded by the logic layer, over a second channel', async () => {
    const storageWx = createWxStandin();
    const standin = createWxWorkerStandin();
    // Worker side: a "runtime" whose store reads through the bridge, exposed on the rpc channel.
    standin.onWorkerStart((g) => {
      const store = new KeyValueEventStore({ appId: 'shop', storage: workerStorage(g) });
      exposeInMiniProgramWorker({ recent: async () => (await store.query({ order: 'desc', limit: 2 })).map((e) => e.itemId) }, g);
    });
    const w = connectMiniProgramWorker<{ recent(): Promise<string[]> }>(standin.wx, 'workers/index.js');
    try {
      serveStorageToWorker(w.handle, wxStorage(storageWx));
      const logic = createMiniProgramStore(storageWx, 'shop');
      await logic.append([1, 2, 3].map((i) => ({ uid: `e${i}`, type: 'view' as const, ts: i, sessionId: 's', itemId: `I${i}`, data: {} })));
      expect(await w.api.recent()).toEqual(['I3', 'I2']);
      await logic.append([{ uid: 'e4', type: 'click', ts: 4, sessionId: 's', itemId: 'I4', data: {} }]);
      expect(await w.api.recent()).toEqual(['I4', 'I3']); // the next call sees the new event
      const channels = new Set(standin.posted.map((p) => (p.message as { ch: string }).ch));
      expect(channels).toEqual(new Set(['rpc', 'storage']));
    } finally {
      w.terminate();
    }
  });
});

describe('in-thread transport', () => {
  it('copies arguments and results and keeps error codes', async () => {
    const target = {
      seen: [] as unknown[],
      async echo(o: { n: number[] }) {
        this.seen.push(o);
        return o;
      },
      async boom(): Promise<never> {
        throw new LocalRecError('TIMEOUT', 'too slow', { field: 'budgetMs' });
      },
      async bug(): Promise<never> {
        throw new TypeError('x is undefined');
      },
      progress(cb: (p: number) => void) {
        cb(1);
        return 'ok';
      },
    };
    const api = inThread(target);
    const arg = { n: [1] };
    const out = await api.echo(arg);
    expect(out).toEqual(arg);
    expect(out).not.toBe(arg);
    expect(target.seen[0]).not.toBe(arg);
    await expect(api.boom()).rejects.toMatchObject({ code: 'TIMEOUT', field: 'budgetMs', message: 'too slow' });
    await expect(api.bug()).rejects.toMatchObject({ code: 'INTERNAL', message: 'TypeError: x is undefined' });
    const got: number[] = [];
    expect(await api.progress((p) => got.push(p))).toBe('ok');
    expect(got).toEqual([1]);
  });
});

describe('mini-program store', () => {
  it('records into wx storage (stand-in) through KeyValueEventStore', async () => {
    const wx = createWxStandin();
    const store = createMiniProgramStore(wx, 'shop');
    await store.append([{ uid: 'a', type: 'view', ts: 1, sessionId: 's', itemId: 'I1', data: {} }]);
    expect(await store.count()).toBe(1);
    expect([...wx.snapshot().keys()].some((k) => k.startsWith('localrec:shop:'))).toBe(true);
  });
});

describe('mini-program recorder', () => {
  it('validates, records into wx storage (stand-in), exports and forgets', async () => {
    const wx = createWxStandin();
    const rec = createMiniProgramRecorder(wx, { appId: 'shop', rateLimit: false });
    rec.record('view', { itemId: 'SKU-1', dwellMs: 1200 });
    rec.record('add_to_cart', { itemId: 'SKU-1', quantity: 1 });
    expect(() => rec.record('rate', { itemId: 'SKU-1', rating: 9 })).toThrow(LocalRecError);
    await rec.flush();
    expect(rec.status.storage).toBe('kv');
    expect((await rec.query()).map((e) => e.type)).toEqual(['view', 'add_to_cart']);
    expect((await rec.exportData()).events).toHaveLength(2);
    const forgot = await rec.forget();
    expect(forgot.verified).toBe(true);
    expect([...wx.snapshot().keys()].filter((k) => k.startsWith('localrec:shop:'))).toEqual([]);
  });
});
