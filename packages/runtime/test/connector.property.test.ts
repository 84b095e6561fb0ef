// Bad input to the runtime's newer options (issue 12 and 13): `workerRuntime`'s mode / assetsUrl /
// workerUrl / modelUrl / startTimeoutMs / onProgress, and the runtime's `retentionMs` (checked by
// checkRuntimeOptions at init). ≥ 10,000 generated cases each: a bad value is INVALID_CONFIG naming
// the option, never a TypeError; a good value is accepted. (Starting a real worker is
// test/e2e/runtime-origins.test.ts.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import { workerRuntime } from '../src/connector.js';
import { checkRuntimeOptions } from '../src/options.js';
import { CASES, hostileRecord, nastyNumber, nastyString, nastyValue, prototypesClean } from '../../../test/audit/hostile.js';

const MODES = ['worker', 'auto', 'main-thread'] as const;
const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/** The oracle (WorkerRuntimeOptions docs): which option of `o` is bad, if any. */
function badField(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null) return 'options';
  let r: Record<string, unknown>;
  try {
    r = { ...(o as Record<string, unknown>) };
  } catch {
    return 'options';
  }
  if (r.mode !== undefined && !(MODES as readonly unknown[]).includes(r.mode)) return 'mode';
  if (!nonEmpty(r.assetsUrl)) return 'assetsUrl';
  if (r.workerUrl !== undefined && !nonEmpty(r.workerUrl)) return 'workerUrl';
  if (!nonEmpty(r.modelUrl)) return 'modelUrl';
  const t = r.startTimeoutMs;
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t > 0)) return 'startTimeoutMs';
  if (r.onProgress !== undefined && typeof r.onProgress !== 'function') return 'onProgress';
  return undefined;
}

const good = fc.record(
  {
    assetsUrl: fc.constantFrom('/runtime/', 'https://cdn.example/localrec/', 'runtime'),
    modelUrl: fc.constantFrom('/models/demo-shop/', 'https://cdn.example/m/'),
    workerUrl: fc.constantFrom('/localrec-worker.js', 'https://cdn.example/localrec/worker.js'),
    mode: fc.constantFrom(...MODES),
    startTimeoutMs: fc.integer({ min: 1, max: 60_000 }),
    onProgress: fc.constant(() => undefined),
  },
  { requiredKeys: ['assetsUrl', 'modelUrl'] },
);
const options = fc.oneof(
  { weight: 3, arbitrary: good },
  {
    weight: 4,
    arbitrary: fc
      .tuple(good, fc.constantFrom('assetsUrl', 'modelUrl', 'workerUrl', 'mode', 'startTimeoutMs', 'onProgress', '__proto__'), nastyValue)
      .map(([o, k, v]) => Object.defineProperty({ ...o }, k, { value: v, enumerable: true, writable: true, configurable: true })),
  },
  {
    weight: 2,
    arbitrary: hostileRecord({
      assetsUrl: nastyString,
      modelUrl: fc.oneof(nastyString, nastyValue),
      workerUrl: nastyValue,
      mode: fc.oneof(fc.constantFrom(...MODES), nastyValue),
      startTimeoutMs: nastyNumber,
    }),
  },
  { weight: 1, arbitrary: nastyValue },
);

describe(`workerRuntime options with hostile input (${CASES.toLocaleString('en')} cases)`, () => {
  it('a connector for valid options, else INVALID_CONFIG naming the option (at creation, never a TypeError)', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(options, (o) => {
        const bad = badField(o);
        let c;
        try {
          c = workerRuntime(o as never);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_CONFIG');
          expect((e as LocalRecError).field).toBe(bad);
          refused++;
          return;
        }
        expect(bad).toBeUndefined();
        expect(c.kind).toBe((o as { mode?: string }).mode === 'main-thread' ? 'main-thread' : 'worker');
        accepted++;
      }),
      { numRuns: CASES },
    );
    expect(accepted).toBeGreaterThan(2_000);
    expect(refused).toBeGreaterThan(2_000);
    expect(prototypesClean()).toBe(true);
    console.info(`workerRuntime(options): ${CASES} cases, ${accepted} accepted, ${refused} refused naming the option`);
  });
});

describe(`the runtime's retentionMs and modelUrl with hostile input (${CASES.toLocaleString('en')} cases)`, () => {
  it('init options: a positive finite retentionMs and a non-empty modelUrl are accepted, anything else is INVALID_CONFIG naming it', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 400 * 86_400_000 }), nastyNumber, nastyValue),
        fc.oneof(fc.constantFrom('/models/demo-shop/', 'https://cdn.example/m/'), nastyValue),
        (retentionMs, modelUrl) => {
          const okRetention =
            retentionMs === undefined || (typeof retentionMs === 'number' && Number.isFinite(retentionMs) && retentionMs > 0);
          const okUrl = nonEmpty(modelUrl);
          try {
            const checked = checkRuntimeOptions({ appId: 'prop', modelUrl, retentionMs } as never);
            expect(okRetention && okUrl).toBe(true);
            expect(checked.retentionMs).toBe(retentionMs);
            accepted++;
          } catch (e) {
            expect(e).toBeInstanceOf(LocalRecError);
            expect((e as LocalRecError).code).toBe('INVALID_CONFIG');
            expect((e as LocalRecError).field).toBe(okUrl ? 'retentionMs' : 'modelUrl');
            expect(okRetention && okUrl).toBe(false);
          }
        },
      ),
      { numRuns: CASES },
    );
    expect(accepted).toBeGreaterThan(1_000);
  });
});
