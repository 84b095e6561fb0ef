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
