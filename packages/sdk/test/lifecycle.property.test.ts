// Bad input through the SDK's newer public surface (issues 12 and 13): the `model` option, consent
// per purpose and its `source`, the remembered consent (`rememberConsent`), and the consent platform
// adapters (TCF v2.2, Google Consent Mode). ≥ 10,000 generated cases each, in Node over the core's
// MemoryEventStore. A bad value is refused with a LocalRecError whose code is the documented one and
// whose field names the option; it changes nothing and stores nothing. A good value is accepted.
// (The `model` option's check runs in the connector file, `modelConnector`; one real-browser check
// of the whole path is test/e2e/runtime-origins.test.ts.)
import { afterAll, describe, expect, test, vi } from 'vitest';
import fc from 'fast-check';
import { LocalRecError, MemoryBacking, MemoryEventStore } from '@localrec/core';
import {
  createLocalRec,
  fromConsentMode,
  fromTcf,
  listenConsentMode,
  listenTcf,
  type TcfApi,
  type TcfPurposeMap,
  type TcfData,
} from '../src/index.js';
import { modelConnector } from '../src/model-connector.js';
import { CASES, hostileRecord, nastyPlainValue, nastyString, nastyValue, prototypesClean } from '../../../test/audit/hostile.js';

const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
afterAll(() => warn.mockRestore());

const CONSENTS = ['granted', 'denied', 'pending'] as const;
const SOURCES = ['host', 'init', 'tcf', 'consent-mode'] as const;
const MODES = ['worker', 'auto', 'main-thread'] as const;
const SDK_URL = 'https://shop.example/static/localrec.min.js';

/** `Object.defineProperty` as JSON.parse would set it (a `__proto__` key becomes an own key). */
function withKey(o: Record<string, unknown>, k: string, v: unknown): Record<string, unknown> {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** Reads `o[k]` as the test's oracle does: a value that cannot be read counts as bad. */
function own(o: unknown, k: string): { ok: boolean; v?: unknown } {
  try {
    return { ok: true, v: (o as Record<string, unknown>)[k] };
  } catch {
    return { ok: false };
  }
}

const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/** The oracle: is `m` a valid `model` option (docs of ModelOptions)? */
function modelIsValid(m: unknown): boolean {
  if (typeof m === 'string') return m.length > 0;
  if (typeof m !== 'object' || m === null) return false;
  const get = (k: string) => own(m, k);
  const url = get('url');
  if (!url.ok || !nonEmpty(url.v)) return false;
  for (const k of ['runtimeUrl', 'workerUrl', 'manifestSha256']) {
    const r = get(k);
    if (!r.ok || (r.v !== undefined && !nonEmpty(r.v))) return false;
  }
  const mode = get('mode');
  if (!mode.ok || (mode.v !== undefined && !(MODES as readonly unknown[]).includes(mode.v))) return false;
  const p = get('onProgress');
  return p.ok && (p.v === undefined || typeof p.v === 'function');
}

describe(`the model option with hostile input (${CASES.toLocaleString('en')} cases)`, () => {
  const goodModel = fc.record(
    {
      url: fc.constantFrom('/models/my-shop/', 'https://cdn.example/m/', 'models/x'),
      runtimeUrl: fc.constantFrom('/runtime/', 'https://cdn.example/localrec/'),
      workerUrl: fc.constantFrom('/localrec-worker.js', 'https://cdn.example/localrec/worker.js'),
      manifestSha256: fc.stringMatching(/^[0-9a-f]{64}$/),
      mode: fc.constantFrom(...MODES),
      onProgress: fc.constant(() => undefined),
    },
    { requiredKeys: ['url'] },
  );
  const model = fc.oneof(
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom('/models/my-shop/', 'https://cdn.example/m/'), nastyString) },
    { weight: 3, arbitrary: goodModel },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          goodModel,
          fc.constantFrom('url', 'runtimeUrl', 'workerUrl', 'manifestSha256', 'mode', 'onProgress', '__proto__'),
          nastyValue,
        )
        .map(([m, k, v]) => withKey({ ...m }, k, v)),
    },
    {
      weight: 2,
      arbitrary: hostileRecord({
        url: fc.oneof(nastyString, nastyValue),
        runtimeUrl: nastyValue,
        workerUrl: nastyValue,
        manifestSha256: nastyValue,
        mode: fc.oneof(fc.constantFrom(...MODES), nastyValue),
        onProgress: nastyValue,
      }),
    },
    { weight: 2, arbitrary: nastyValue },
  );

  test('modelConnector: a connector for a valid model, else INVALID_CONFIG naming model or model.<field>', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(model, async (m) => {
        const valid = modelIsValid(m);
        let connector;
        try {
          connector = await modelConnector({ model: m }, SDK_URL);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_CONFIG');
          expect((e as LocalRecError).field).toMatch(/^model(\.(url|runtimeUrl|workerUrl|manifestSha256|mode|onProgress))?$/);
          expect(valid).toBe(false);
          refused++;
          return;
        }
        expect(valid).toBe(true);
        expect(['worker', 'main-thread']).toContain(connector.kind);
        expect(typeof connector.connect).toBe('function');
        accepted++;
      }),
      { numRuns: CASES },
    );
    expect(accepted).toBeGreaterThan(2_000);
    expect(refused).toBeGreaterThan(2_000);
    expect(prototypesClean()).toBe(true);
    console.info(`model option: ${CASES} cases, ${accepted} accepted, ${refused} refused with INVALID_CONFIG naming the field`);
  });

  test('model together with runtime is refused (field model); no base URL and no runtimeUrl is refused (field model.runtimeUrl)', async () => {
    await fc.assert(
      fc.asyncProperty(goodModel, async (m) => {
        await expect(
          modelConnector({ model: m, runtime: { kind: 'worker', connect: () => Promise.reject(new Error('x')) } }, SDK_URL),
        ).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'model' });
        const noBase = modelConnector({ model: m }, undefined);
        if (m.runtimeUrl === undefined)
          await expect(noBase).rejects.toMatchObject({
            code: 'INVALID_CONFIG',
            field: 'model.runtimeUrl',
            message: expect.stringContaining("the SDK's own URL is unknown here") as string,
          });
        else await expect(noBase).resolves.toMatchObject({ kind: expect.any(String) as string });
      }),
      { numRuns: CASES },
    );
  });
});

describe(`consent per purpose, source and the remembered record with hostile input (${CASES.toLocaleString('en')} cases each)`, () => {
  const purposes = fc.oneof(
    { weight: 3, arbitrary: fc.record({ personalisation: fc.boolean(), segments: fc.boolean() }, { requiredKeys: [] }) },
    {
      weight: 3,
      arbitrary: hostileRecord({
        personalisation: fc.oneof(fc.boolean(), nastyValue),
        segments: fc.oneof(fc.boolean(), nastyValue),
      }),
    },
    { weight: 2, arbitrary: nastyValue },
  );
  const consent = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...CONSENTS) }, { weight: 1, arbitrary: nastyValue });
  const source = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...SOURCES, undefined) },
    { weight: 1, arbitrary: nastyValue.filter((v) => v !== undefined) },
  );

  /** The oracle for `purposes` (Purposes docs): undefined, or an object with boolean personalisation / segments only. */
  function purposesValid(p: unknown): boolean {
    if (p === undefined) return true;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
    try {
      return Object.entries(p).every(([k, v]) => (k === 'personalisation' || k === 'segments') && typeof v === 'boolean');
    } catch {
      return false;
    }
  }

  for (const remember of [false, true]) {
    test(`setConsent(consent, purposes, source)${remember ? ' with rememberConsent' : ''}: applied when all three are valid, else INVALID_ARGUMENT naming one bad argument and nothing changes`, async () => {
      const backing = new MemoryBacking();
      const store = new MemoryEventStore({ backing });
      const errors: LocalRecError[] = [];
      const rec = createLocalRec({
        appId: 'prop',
        store,
        consent: 'pending',
        requireConsent: true,
        rememberConsent: remember,
        onError: (e) => errors.push(e),
      });
      let applied = 0;
      let refused = 0;
      let last: { consent: string; purposes: unknown } | undefined;
      fc.assert(
        fc.property(consent, purposes, source, (c, p, s) => {
          const before = { consent: rec.consent, purposes: rec.purposes };
          const bad: string[] = [];
          if (!(CONSENTS as readonly unknown[]).includes(c)) bad.push('consent');
          if (!purposesValid(p)) bad.push('purposes');
          if (s !== undefined && !(SOURCES as readonly unknown[]).includes(s)) bad.push('source');
          const n = errors.length;
          rec.setConsent(c as never, p as never, s as never); // never throws (not strict)
          if (bad.length === 0) {
            expect(errors.length).toBe(n);
            expect(rec.consent).toBe(c);
            const expected = { ...before.purposes, ...(p as object) };
            expect(rec.purposes).toEqual(expected);
            if (c !== 'pending') last = { consent: c as string, purposes: expected };
            else last = undefined;
            applied++;
          } else {
            expect({ consent: rec.consent, purposes: rec.purposes }).toEqual(before);
            expect(errors.length).toBe(n + 1);
            expect(errors[n]).toBeInstanceOf(LocalRecError);
            expect(errors[n]!.code).toBe('INVALID_ARGUMENT');
            expect(bad).toContain(errors[n]!.field);
            refused++;
          }
        }),
        { numRuns: CASES },
      );
      expect(applied).toBeGreaterThan(2_000);
      expect(refused).toBeGreaterThan(2_000);
      if (remember) {
        // The remembered record is the last valid choice (written in order after each one), nothing a bad call passed.
        await rec.flush();
        await vi.waitFor(async () => {
          const record = await store.getMeta<{ consent: string; purposes: unknown }>('consent');
          expect(record ? { consent: record.consent, purposes: record.purposes } : undefined).toEqual(last);
        });
      } else expect(await store.getMeta('consent')).toBeUndefined();
      expect(prototypesClean()).toBe(true);
      console.info(
        `setConsent(c, purposes, source)${remember ? ' remembered' : ''}: ${CASES} cases, ${applied} applied, ${refused} refused`,
      );
      await rec.destroy();
    });
  }

  test('createLocalRec with purposes / rememberConsent / model: a working instance or INVALID_CONFIG naming the option', async () => {
    const options = fc.tuple(
      fc.oneof(fc.constant(undefined), purposes),
      fc.oneof(fc.constantFrom(undefined, true, false), nastyValue),
      fc.constantFrom(...CONSENTS, undefined),
    );
    let ok = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(options, async ([p, remember, c]) => {
        const config: Record<string, unknown> = { appId: 'prop', store: new MemoryEventStore(), onError: () => undefined };
        if (p !== undefined) config.purposes = p;
        if (remember !== undefined) config.rememberConsent = remember;
        if (c !== undefined) config.consent = c;
        const bad: string[] = [];
        if (!purposesValid(p)) bad.push('config.purposes');
        if (remember !== undefined && typeof remember !== 'boolean') bad.push('rememberConsent');
        let rec;
        try {
          rec = createLocalRec(config as never);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_CONFIG');
          expect(bad).toContain((e as LocalRecError).field);
          refused++;
          return;
        }
        expect(bad).toEqual([]);
        expect(rec.purposes).toEqual({ personalisation: true, segments: true, ...(p as object) });
        ok++;
        await rec.destroy();
      }),
      { numRuns: CASES },
    );
    expect(ok).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(1_000);
    console.info(`createLocalRec(purposes, rememberConsent): ${CASES} cases, ${ok} accepted, ${refused} refused`);
  });
});

describe(`consent platform adapters with hostile signals (${CASES.toLocaleString('en')} cases each)`, () => {
  const purposeId = fc.oneof(fc.integer({ min: 1, max: 11 }), fc.constantFrom('1', '5', 'x', '__proto__'));
  const goodTcf = fc.record(
    {
      gdprApplies: fc.boolean(),
      eventStatus: fc.constantFrom('tcloaded', 'useractioncomplete', 'cmpuishown'),
      listenerId: fc.nat(),
      purpose: fc.record({ consents: fc.dictionary(purposeId.map(String), fc.oneof(fc.boolean(), fc.constant(undefined))) }),
    },
    { requiredKeys: [] },
  );
  const tcfData = fc.oneof(
    { weight: 4, arbitrary: goodTcf },
    {
      weight: 2,
      arbitrary: hostileRecord({
        gdprApplies: fc.oneof(fc.boolean(), nastyValue),
        eventStatus: fc.oneof(fc.constantFrom('tcloaded', 'useractioncomplete'), nastyValue),
        listenerId: nastyValue,
        purpose: fc.oneof(hostileRecord({ consents: fc.oneof(fc.dictionary(purposeId.map(String), nastyValue), nastyValue) }), nastyValue),
      }),
    },
    { weight: 2, arbitrary: nastyValue },
  );

  /** The oracle: TCF v2.2 as the module documents it. */
  function expectedTcf(d: unknown): ReturnType<typeof fromTcf> | 'unreadable' {
    try {
      const data = d as TcfData | null | undefined;
      if (data !== null && typeof data === 'object' && data.gdprApplies === false)
        return { consent: 'granted', purposes: { personalisation: true, segments: true } };
      if (data === null || typeof data !== 'object' || (data.eventStatus !== 'tcloaded' && data.eventStatus !== 'useractioncomplete'))
        return undefined;
      const consents = (data.purpose as { consents?: unknown } | undefined)?.consents as Record<string, unknown> | undefined;
      const yes = (id: number): boolean => (consents !== null && typeof consents === 'object' ? consents[id] === true : false);
      return {
        consent: yes(1) ? 'granted' : 'denied',
        purposes: { personalisation: yes(5) && yes(6), segments: yes(3) && yes(4) },
      };
    } catch {
      return 'unreadable';
    }
  }

  test('fromTcf: the documented signal for any data, undefined for what cannot be read or is undecided; never throws', () => {
    let decided = 0;
    fc.assert(
      fc.property(tcfData, (d) => {
        const want = expectedTcf(d);
        const got = fromTcf(d as TcfData);
        expect(got).toEqual(want === 'unreadable' ? undefined : want);
        if (got) decided++;
      }),
      { numRuns: CASES },
    );
    expect(decided).toBeGreaterThan(1_000);
    console.info(`fromTcf: ${CASES} cases, ${decided} decided`);
  });

  test('fromTcf / listenTcf map: a bad purpose map is INVALID_ARGUMENT naming map.<switch>; a good one is used', () => {
    const ids = fc.array(fc.integer({ min: 1, max: 11 }), { maxLength: 4 });
    const map = fc.oneof(
      fc.record({ storage: ids, personalisation: ids, segments: ids }),
      fc
        .tuple(
          fc.record({ storage: ids, personalisation: ids, segments: ids }),
          fc.constantFrom('storage', 'personalisation', 'segments'),
          nastyPlainValue,
        )
        .map(([m, k, v]) => withKey({ ...m }, k, v)),
      nastyPlainValue.filter((v) => v !== undefined),
    );
    const decided: TcfData = { gdprApplies: true, eventStatus: 'tcloaded', purpose: { consents: { 1: true, 3: true, 5: true } } };
    let good = 0;
    fc.assert(
      fc.property(map, (m) => {
        const valid =
          typeof m === 'object' &&
          m !== null &&
          (['storage', 'personalisation', 'segments'] as const).every((k) => {
            const v = (m as Record<string, unknown>)[k];
            return Array.isArray(v) && v.every((n) => Number.isInteger(n) && (n as number) >= 1);
          });
        const calls: unknown[] = [];
        const api: TcfApi = (cmd, _v, cb) => {
          if (cmd === 'addEventListener') cb(decided, true);
        };
        if (valid) {
          expect(fromTcf(decided, m as never)?.consent).toBe(
            (m as TcfPurposeMap).storage.every((n) => n === 1 || n === 3 || n === 5) ? 'granted' : 'denied',
          );
          listenTcf({ setConsent: (...a) => calls.push(a) }, { map: m as never, api })();
          expect(calls).toHaveLength(1);
          good++;
        } else {
          for (const call of [
            () => fromTcf(decided, m as never),
            () => listenTcf({ setConsent: (...a) => calls.push(a) }, { map: m as never, api }),
          ]) {
            let err: unknown;
            try {
              call();
            } catch (e) {
              err = e;
            }
            expect(err).toBeInstanceOf(LocalRecError);
            expect((err as LocalRecError).code).toBe('INVALID_ARGUMENT');
            expect((err as LocalRecError).field).toMatch(/^map(\.(storage|personalisation|segments))?$/);
          }
          expect(calls).toEqual([]);
        }
      }),
      { numRuns: CASES },
    );
    expect(good).toBeGreaterThan(1_000);
  });

  test('listenTcf: whatever the CMP calls back with, it never throws into the CMP and applies only documented signals', () => {
    const applied: unknown[][] = [];
    let listener: ((d: TcfData, ok: boolean) => void) | undefined;
    const api: TcfApi = (cmd, _v, cb) => {
      if (cmd === 'addEventListener') listener = cb;
    };
    const stop = listenTcf({ setConsent: (...a) => applied.push(a) }, { api });
    fc.assert(
      fc.property(tcfData, fc.oneof(fc.constant(true), nastyPlainValue), (d, success) => {
        const n = applied.length;
        expect(() => listener!(d as TcfData, success as boolean)).not.toThrow();
        const want = expectedTcf(d);
        if (success && want && want !== 'unreadable') expect(applied.slice(n)).toEqual([[want.consent, want.purposes, 'tcf']]);
        else expect(applied.length).toBe(n);
      }),
      { numRuns: CASES },
    );
    stop();
  });

  const cmValue = fc.oneof(fc.constantFrom('granted', 'denied'), nastyValue);
  const cmState = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ personalization_storage: cmValue, ad_user_data: cmValue, ad_personalization: cmValue }, { requiredKeys: [] }),
    },
    { weight: 2, arbitrary: hostileRecord({ personalization_storage: cmValue, ad_user_data: cmValue }) },
    { weight: 1, arbitrary: nastyValue },
  );

  /** The oracle for Consent Mode (module docs). */
  function expectedConsentMode(s: unknown): ReturnType<typeof fromConsentMode> | 'unreadable' {
    try {
      if (s === null || typeof s !== 'object') return undefined;
      const st = s as Record<string, unknown>;
      const p = st.personalization_storage;
      if (p !== 'granted' && p !== 'denied') return undefined;
      return {
        consent: p,
        purposes: { personalisation: p === 'granted', segments: st.ad_user_data === 'granted' && st.ad_personalization === 'granted' },
      };
    } catch {
      return 'unreadable';
    }
  }

  test('fromConsentMode: the documented signal for any state, undefined for what cannot be read; never throws', () => {
    let decided = 0;
    fc.assert(
      fc.property(cmState, (s) => {
        const want = expectedConsentMode(s);
        const got = fromConsentMode(s as never);
        expect(got).toEqual(want === 'unreadable' ? undefined : want);
        if (got) decided++;
      }),
      { numRuns: CASES },
    );
    expect(decided).toBeGreaterThan(1_000);
  });

  test('listenConsentMode: any dataLayer entry pushed is kept and never throws; only documented signals apply; a dataLayer that is not an array is INVALID_ARGUMENT', () => {
    const entry = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.constant('consent'), fc.constantFrom('default', 'update'), cmState) },
      { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constant('consent'), nastyValue), nastyValue, nastyValue) },
      { weight: 1, arbitrary: nastyValue },
    );
    const layer: unknown[] = [];
    const applied: unknown[][] = [];
    const stop = listenConsentMode({ setConsent: (...a) => applied.push(a) }, { dataLayer: layer });
    fc.assert(
      fc.property(entry, (e) => {
        const n = layer.length;
        const seen = applied.length;
        expect(layer.push(e)).toBe(n + 1);
        expect(layer[n]).toBe(e);
        for (const [c, p, s] of applied.slice(seen)) {
          expect(['granted', 'denied']).toContain(c);
          expect(Object.keys(p as object).sort()).toEqual(['personalisation', 'segments']);
          expect(s).toBe('consent-mode');
        }
      }),
      { numRuns: CASES },
    );
    stop();
    expect(applied.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(
        nastyPlainValue.filter((v) => v !== undefined && !Array.isArray(v)),
        (v) => {
          expect(() => listenConsentMode({ setConsent: () => undefined }, { dataLayer: v as never })).toThrow(
            expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'dataLayer' }),
          );
        },
      ),
      { numRuns: CASES },
    );
  });
});
