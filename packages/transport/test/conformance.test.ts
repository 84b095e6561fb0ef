/**
 * The transport conformance suite over the adapters that run in Node: in-thread, and Comlink over
 * a MessageChannel (the protocol a Web Worker speaks; the real worker runs the same suite in
 * Chromium, packages/runtime/test/transport.browser.ts). The runtime is the contract stand-in.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { expose, type Endpoint } from 'comlink';
import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import { comlinkTransport, connectTransport, inThreadTransport, installErrorTransfer, type TransportLink } from '@localrec/transport';
import { createContractRuntime, describeTransportConformance } from '@localrec/transport/testing';

const init = { modelUrl: 'https://models.example/m/' };

describeTransportConformance({ name: 'in-thread', makeTransport: () => inThreadTransport(() => createContractRuntime()), init });

/** Node's MessagePort as a Comlink endpoint (its `on('message')` hands over the data itself). */
function endpoint(port: MessagePort): Endpoint {
  const wrapped = new Map<EventListenerOrEventListenerObject, (data: unknown) => void>();
  return {
    postMessage: (m: unknown, transfer?: Transferable[]) => port.postMessage(m, transfer as never),
    addEventListener: (_type: string, l: EventListenerOrEventListenerObject) => {
      const f = (data: unknown) => (typeof l === 'function' ? l({ data } as MessageEvent) : l.handleEvent({ data } as MessageEvent));
      wrapped.set(l, f);
      port.on('message', f);
    },
    removeEventListener: (_type: string, l: EventListenerOrEventListenerObject) => {
      const f = wrapped.get(l);
      if (f) port.off('message', f);
    },
  };
}

/** A "worker": the stand-in exposed on one end of a MessageChannel; `kill()` closes it without the page's say. */
const kills = new WeakMap<TransportLink['lost'], () => void>();
function channelTransport(loadMs = 0) {
  return comlinkTransport('message-channel', () => {
    installErrorTransfer();
    const { port1, port2 } = new MessageChannel();
    expose(createContractRuntime({ loadMs }), endpoint(port1));
    let kill!: () => void;
    const lost = new Promise<void>((resolve) => {
      kill = () => {
        port1.close();
        resolve();
      };
    });
    kills.set(lost, kill);
    return {
      endpoint: endpoint(port2),
      name: 'runtime on a MessageChannel',
      watchLoss: async () => ({ lost }),
      close: () => {
        port1.close();
        port2.close();
      },
    };
  });
}

describeTransportConformance({
  name: 'Comlink over a MessageChannel',
  makeTransport: () => channelTransport(300),
  init,
  crash: (link) => kills.get(link.lost)!(),
});

describe('comlinkTransport start', () => {
  it("rejects with TIMEOUT, naming the peer, when nothing answers; and with the peer's own failure", async () => {
    const { port2 } = new MessageChannel();
    const silent = comlinkTransport('x', () => ({ endpoint: endpoint(port2), name: 'silent peer', close: () => port2.close() }), {
      startTimeoutMs: 50,
    });
    await expect(silent.open()).rejects.toMatchObject({ code: 'TIMEOUT', message: 'The silent peer did not answer within 50 ms' });
    const { port2: p } = new MessageChannel();
    const failing = comlinkTransport('x', () => ({
      endpoint: endpoint(p),
      name: 'failing peer',
      close: () => p.close(),
      failed: Promise.reject(new LocalRecError('WORKER_CRASHED', 'blocked')),
    }));
    await expect(failing.open()).rejects.toMatchObject({ code: 'WORKER_CRASHED', message: 'blocked' });
  });

  it('connectTransport rejects when the first runtime cannot start, and the error keeps its code', async () => {
    const t = inThreadTransport(() => createContractRuntime());
    await expect(connectTransport(t, { appId: 'a', consent: 'granted' }, { init: { modelUrl: 3 as never } })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'modelUrl',
    });
  });
});
