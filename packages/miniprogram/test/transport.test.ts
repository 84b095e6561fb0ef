/**
 * The mini-program's transports: the shared conformance suite over the wx worker transport
 * (Comlink over the wx worker STAND-IN, not WeChat), and the in-thread connector the SDK uses,
 * which answers every contract method (getProfile / getSegments / setSocialContext included).
 */
import { describe, expect, it } from 'vitest';
import {
  createMiniProgramLocalRec,
  exposeInMiniProgramWorker,
  inThreadRuntime,
  miniProgramWorkerTransport,
  createMiniProgramStore,
} from '@localrec/miniprogram';
import { createWxStandin, createWxWorkerStandin, type WxWorkerStandin } from '@localrec/miniprogram/testing';
import { createContractRuntime, describeTransportConformance } from '@localrec/transport/testing';

const init = { modelUrl: 'https://models.example/m/' };
let standin: WxWorkerStandin | undefined;

describeTransportConformance({
  name: 'mini-program worker (wx worker stand-in)',
  makeTransport: () => {
    standin = createWxWorkerStandin();
    // The worker script: a runtime served on the rpc channel.
    standin.onWorkerStart((g) => exposeInMiniProgramWorker(createContractRuntime({ loadMs: 300 }), g));
    return miniProgramWorkerTransport(standin.wx, 'workers/index.js');
  },
  init,
  crash: () => standin!.kill(),
  jsonMessages: true,
});

describe('the mini-program SDK with an in-thread runtime', () => {
  it('answers getProfile, getSegments and setSocialContext from the runtime (they were not forwarded: NOT_READY)', async () => {
    const wx = createWxStandin();
    const rec = createMiniProgramLocalRec(wx, {
      appId: 'shop',
      runtime: { create: () => createContractRuntime(), modelUrl: init.modelUrl, backends: ['cpu'] },
    });
    try {
      await expect(rec.getProfile()).resolves.toMatchObject({ excludedEvents: 0 });
      await expect(rec.getSegments()).resolves.toMatchObject({ segments: [] });
      await expect(rec.setSocialContext({ items: { 'SKU-1': { friendsLiked: 3 } } })).resolves.toMatchObject({ items: 1 });
      await expect(rec.setSocialContext({ items: 7 } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'items' });
      expect(await rec.runtimeStatus()).toMatchObject({ modelVersion: 'contract-stand-in', runtime: 'in-thread' });
    } finally {
      await rec.destroy();
    }
  });

  it("passes no history while the SDK records into the store the runtime reads, and the page's history once it is elsewhere", async () => {
    const wx = createWxStandin();
    const runtime = createContractRuntime();
    const asked: unknown[] = [];
    const recommend = runtime.recommend.bind(runtime);
    runtime.recommend = (o, call) => {
      asked.push(call);
      return recommend(o, call);
    };
    // The runtime opens its store (the real Runtime does in init): the connector learns which kind it reads.
    const connector = inThreadRuntime((appId) => createMiniProgramStore(wx, appId), {
      create: (deps) => {
        deps.createStore('shop');
        return runtime;
      },
      modelUrl: init.modelUrl,
      backends: ['cpu'],
    });
    const kv = createMiniProgramStore(wx, 'shop');
    const ctx = { appId: 'shop', consent: 'granted' as const, store: kv as import('@localrec/core').EventStore };
    const api = await connector.connect(ctx);
    await api.recommend({});
    expect(asked).toEqual([undefined]);
    const { MemoryEventStore } = await import('@localrec/core');
    const mem = new MemoryEventStore();
    await mem.append([{ uid: 'm1', type: 'view', ts: 1, sessionId: 's', itemId: 'SKU-9', data: {} }]);
    ctx.store = mem; // the SDK failed over to memory
    await api.recommend({});
    expect(asked[1]).toMatchObject({ history: { sequence: [{ itemId: 'SKU-9' }], purchased: [] } });
    await api.dispose();
  });
});
