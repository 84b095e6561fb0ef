import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import { workerRuntime } from '../src/connector.js';

describe('workerRuntime (main-thread connector)', () => {
  it('refuses bad options at creation, naming the field and the accepted values', () => {
    expect(() => workerRuntime({ assetsUrl: '', modelUrl: '/m/' })).toThrow(LocalRecError);
    expect(() => workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/m/', mode: 'thread' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', field: 'mode', accepted: ['worker', 'auto', 'main-thread'] }),
    );
    expect(workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/m/' }).kind).toBe('worker');
  });

  it("mode 'worker' rejects with WORKER_CRASHED where there are no Web Workers (and never loads tfjs here)", async () => {
    const c = workerRuntime({ assetsUrl: 'http://127.0.0.1:9/runtime/', modelUrl: 'http://127.0.0.1:9/m/', mode: 'worker' });
    await expect(c.connect({ appId: 'a', consent: 'granted' })).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
  });
});

describe('workerRuntime modes', () => {
  it("defaults to mode 'worker': no Web Workers here means WORKER_CRASHED, never the main thread", async () => {
    const reported: unknown[] = [];
    const c = workerRuntime({ assetsUrl: 'http://127.0.0.1:9/runtime/', modelUrl: 'http://127.0.0.1:9/m/' });
    await expect(c.connect({ appId: 'a', consent: 'granted', report: (e) => reported.push(e) })).rejects.toMatchObject({
      code: 'WORKER_CRASHED',
    });
    expect(reported).toEqual([]);
  });

  it("mode 'auto' reports WORKER_UNAVAILABLE through ctx.report before it runs on the main thread", async () => {
    const reported: LocalRecError[] = [];
    const c = workerRuntime({ assetsUrl: 'http://127.0.0.1:9/runtime/', modelUrl: 'http://127.0.0.1:9/m/', mode: 'auto' });
    // The main-thread start then fails too (runtime.js cannot be imported from http in Node).
    await expect(c.connect({ appId: 'a', consent: 'granted', report: (e) => reported.push(e) })).rejects.toBeDefined();
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      code: 'WORKER_UNAVAILABLE',
      message: expect.stringContaining('Web Workers are not available') as string,
    });
  });

  it('names the kind after the mode and checks workerUrl', () => {
    expect(workerRuntime({ assetsUrl: '/r/', modelUrl: '/m/', mode: 'main-thread' }).kind).toBe('main-thread');
    expect(workerRuntime({ assetsUrl: '/r/', modelUrl: '/m/', mode: 'auto' }).kind).toBe('worker');
    expect(() => workerRuntime({ assetsUrl: '/r/', modelUrl: '/m/', workerUrl: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', field: 'workerUrl' }),
    );
  });
});
