// The `model` option in Node (no Web Workers here): the connector file is imported on the first
// connect, its checks report through onError, and `mode: 'worker'` (the default) never falls back
// to the main thread. The real thing (built files, Chromium, workers) is test/e2e/runtime-origins.test.ts.
import { describe, expect, test } from 'vitest';
import { type LocalRecError, MemoryEventStore } from '@localrec/core';
import { createLocalRec, noRuntime, type LocalRecConfigInput } from '../src/index.js';

/** An instance with `config`, its reported errors, and a wait for the first one. */
function create(config: Partial<LocalRecConfigInput>) {
  const errors: LocalRecError[] = [];
  let first: (e: LocalRecError) => void = () => {};
  const reported = new Promise<LocalRecError>((r) => (first = r));
  const rec = createLocalRec({
    appId: 'model-test',
    consent: 'granted',
    store: new MemoryEventStore(),
    onError: (e) => {
      errors.push(e);
      first(e);
    },
    ...config,
  });
  return { rec, errors, reported };
}

describe('createLocalRec({ model })', () => {
  test('a bad model option is reported as INVALID_CONFIG naming the field, and answers are fallbacks', async () => {
    for (const [model, field] of [
      [42, 'model'],
      [{ url: '' }, 'model'],
      [{ url: '/m/', mode: 'thread' }, 'model.mode'],
      [{ url: '/m/', runtimeUrl: 7 }, 'model.runtimeUrl'],
    ] as const) {
      const { rec, reported } = create({ model: model as never });
      expect(await reported).toMatchObject({ code: 'INVALID_CONFIG', field });
      expect(await rec.recommend()).toMatchObject({ source: 'fallback', fallbackReason: 'error' });
      await rec.destroy();
    }
  });

  test('model and runtime exclude each other', async () => {
    const { rec, reported } = create({ model: '/m/', runtime: noRuntime });
    expect(await reported).toMatchObject({ code: 'INVALID_CONFIG', field: 'model', accepted: ['model', 'runtime'] });
    await rec.destroy();
  });

  test("mode 'worker' (default) where no worker can start: WORKER_CRASHED, fallback answers, status.runtime stays 'worker', never the main thread", async () => {
    const { rec, reported, errors } = create({ model: { url: 'http://127.0.0.1:9/m/', runtimeUrl: 'http://127.0.0.1:9/rt/' } });
    expect(rec.status.runtime).toBe('worker');
    expect(await reported).toMatchObject({ code: 'WORKER_CRASHED' });
    expect(await rec.recommend()).toMatchObject({ source: 'fallback', fallbackReason: 'error' });
    expect(await rec.runtimeStatus()).toMatchObject({ ready: false, error: { code: 'WORKER_CRASHED' } });
    expect(rec.status.runtime).toBe('worker');
    expect(errors.map((e) => e.code)).not.toContain('WORKER_UNAVAILABLE');
    await rec.destroy();
  });

  test("mode 'auto' where no worker can start: reported as WORKER_UNAVAILABLE before the main thread is tried", async () => {
    const { rec, errors } = create({ model: { url: 'http://127.0.0.1:9/m/', runtimeUrl: 'http://127.0.0.1:9/rt/', mode: 'auto' } });
    // runtime.js cannot be imported in Node: the main-thread start fails too, after the notice.
    expect(await rec.recommend()).toMatchObject({ source: 'fallback', fallbackReason: 'error' });
    expect(errors[0]).toMatchObject({ code: 'WORKER_UNAVAILABLE', message: expect.stringContaining("mode: 'auto'") as string });
    await rec.destroy();
  });
});
