// Bad input through the SDK's public surface (createLocalRec + track + setConsent), in Node over
// the core's MemoryEventStore: ≥ 10,000 generated hostile cases per API. Whatever the host page
// passes, track() never throws (unless strict), an invalid event is never stored, and the error
// names the field. Real IndexedDB is covered by the Chromium e2e tests.
import { afterAll, describe, expect, test, vi } from 'vitest';
import fc from 'fast-check';
import { LocalRecError, MemoryBacking, MemoryEventStore, STANDARD_EVENT_TYPES, validateEvent } from '@localrec/core';
import { createLocalRec, type LocalRecConfigInput } from '../src/index.js';
import {
  CASES,
  hostileRecord,
  nastyNumber,
  nastyPlainValue,
  nastyString,
  nastyValue,
  prototypesClean,
} from '../../../test/audit/hostile.js';

const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
afterAll(() => warn.mockRestore());

const NOW = Date.now();
const DAY_MS = 86_400_000;

/**
 * What must be in the store after flush(): exactly the accepted events, except those dated before
 * the retention window (the generator dates some events years back; they are valid, and the
 * Recorder's upkeep prunes them after a write — whether it has by now depends on timing).
 */
function expectStored(backing: MemoryBacking, accepted: Map<string, number>, retentionDays = 30): void {
  const cutoff = Date.now() - retentionDays * DAY_MS;
  const stored = new Set(backing.events.map((e) => e.uid));
  for (const uid of stored) expect(accepted.has(uid)).toBe(true); // nothing but accepted events
  const recent = [...accepted].filter(([, ts]) => ts >= cutoff + 60_000).map(([uid]) => uid);
  expect(recent.filter((uid) => !stored.has(uid))).toEqual([]); // every accepted, retained event
  expect(backing.events.length).toBeGreaterThanOrEqual(recent.length);
}
const type = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STANDARD_EVENT_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom('shop:wish', 'a:b', 'A:b', 'shop:', ':', '__proto__', 'constructor', 'view ', 'VIEW') },
  { weight: 1, arbitrary: nastyValue },
);
const id = fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/), nastyString, nastyValue);
/** Events that are valid, or one field away from it, so the accepting path is exercised too. */
const goodId = fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/);
const nearlyValid = fc
  .tuple(
    fc.constantFrom(
      { type: 'view', data: { itemId: 'SKU-1', dwellMs: 1200 } },
      { type: 'purchase', data: { itemId: 'SKU-1', quantity: 2, price: 9.5, currency: 'EUR' } },
      { type: 'share', data: { itemId: 'SKU-1', channel: 'link', friendId: 'f1', direction: 'out' } },
      { type: 'rate', data: { itemId: 'SKU-1', rating: 4 } },
      { type: 'search', data: { query: 'red shoes' } },
      { type: 'impression', data: { items: ['A', 'B'], context: { listId: 'recs', page: 'home' } } },
      { type: 'shop:wish', data: { itemId: 'SKU-1', props: { n: 1 } } },
    ),
    goodId,
    fc.option(
      fc.tuple(
        fc.constantFrom(
          'itemId',
          'dwellMs',
          'quantity',
          'price',
          'rating',
          'query',
          'items',
          'timestamp',
          'context',
          '__proto__',
          'constructor',
        ),
        nastyValue,
      ),
      { freq: 2 },
    ),
  )
  .map(([base, itemId, mutation]) => {
    const d: Record<string, unknown> = { ...base.data };
    if ('itemId' in d) d.itemId = itemId;
    if (mutation) Object.defineProperty(d, mutation[0], { value: mutation[1], enumerable: true, writable: true, configurable: true });
    return [base.type, d] as const;
  });
const data = fc.oneof(
  {
    weight: 4,
    arbitrary: hostileRecord({
      itemId: id,
      dwellMs: nastyNumber,
      quantity: nastyNumber,
      price: nastyNumber,
      rating: fc.oneof(fc.integer({ min: 0, max: 6 }), nastyNumber),
      currency: nastyString,
      channel: nastyString,
      friendId: id,
      direction: fc.oneof(fc.constantFrom('in', 'out'), nastyValue),
      query: nastyString,
      items: fc.oneof(fc.array(id, { maxLength: 120 }), nastyValue),
      timestamp: fc.oneof(
        fc.constant(NOW - 1000),
        nastyNumber,
        fc.date().map((d) => d.getTime()),
      ),
      context: fc.oneof(hostileRecord({ page: nastyString, position: nastyNumber, listId: id, ref: nastyString }), nastyValue),
      props: fc.oneof(fc.dictionary(fc.string(), nastyValue, { maxKeys: 25 }), nastyValue),
      commentLength: nastyNumber,
    }),
  },
  { weight: 1, arbitrary: nastyValue },
);

describe(`track() with hostile input (${CASES.toLocaleString('en')} cases)`, () => {
  test('never throws, never stores an invalid event, every rejection names a field', async () => {
    const backing = new MemoryBacking();
    const errors: LocalRecError[] = [];
    const rec = createLocalRec({
      appId: 'prop',
      rateLimit: false,
      maxEvents: 10_000_000,
      store: new MemoryEventStore({ backing }),
      onError: (e) => errors.push(e),
    });
    const stored = new Map<string, number>();
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.oneof(fc.tuple(type, data), nearlyValid), ([t, d]) => {
        const before = errors.length;
        let valid = true;
        try {
          validateEvent(t, d ?? {}, Date.now()); // the SDK reads null/undefined data as {}
        } catch {
          valid = false;
        }
        const ev = rec.track(t as string, d as never); // must not throw
        if (ev) {
          accepted++;
          stored.set(ev.uid, ev.ts);
          expect(valid).toBe(true);
          expect(JSON.parse(JSON.stringify(ev))).toEqual(ev); // plain data, nothing live
        } else {
          rejected++;
          expect(valid).toBe(false);
          const e = errors[before];
          expect(e).toBeInstanceOf(LocalRecError);
          expect(e!.code).toBe('INVALID_EVENT');
          expect(e!.field).toMatch(/^(type|data)/);
        }
      }),
      { numRuns: CASES },
    );
    await rec.flush();
    expectStored(backing, stored);
    for (const e of backing.events)
      expect(() => validateEvent(e.type, { ...e.data, ...(e.itemId ? { itemId: e.itemId } : {}) }, Date.now())).not.toThrow();
    expect(prototypesClean()).toBe(true);
    // Both paths were exercised in earnest.
    expect(accepted).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(5_000);
    console.info(`track(): ${CASES} cases, ${accepted} accepted and stored, ${rejected} rejected with a named field`);
    await rec.destroy();
  });

  test('strict mode throws the same named LocalRecError, and still stores nothing invalid', async () => {
    const backing = new MemoryBacking();
    const rec = createLocalRec({
      appId: 'prop',
      strict: true,
      rateLimit: false,
      maxEvents: 10_000_000,
      store: new MemoryEventStore({ backing }),
    });
    const accepted = new Map<string, number>();
    fc.assert(
      fc.property(fc.oneof(fc.tuple(type, data), nearlyValid), ([t, d]) => {
        try {
          const ev = rec.track(t as string, d as never);
          if (ev) accepted.set(ev.uid, ev.ts);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).field).toMatch(/^(type|data)/);
        }
      }),
      { numRuns: CASES },
    );
    await rec.flush();
    expectStored(backing, accepted);
    expect(accepted.size).toBeGreaterThan(500);
    await rec.destroy();
  });
});

describe(`config and consent with hostile input (${CASES.toLocaleString('en')} cases each)`, () => {
  const config = fc.oneof(
    {
      weight: 4,
      arbitrary: hostileRecord({
        appId: fc.oneof(fc.constantFrom('shop', 'my-shop.eu_1'), nastyString, nastyValue),
        consent: fc.oneof(fc.constantFrom('granted', 'denied', 'pending'), nastyValue),
        requireConsent: fc.oneof(fc.boolean(), nastyValue),
        retentionDays: nastyNumber,
        maxEvents: nastyNumber,
        sessionIdleMs: nastyNumber,
        flushIntervalMs: nastyNumber,
        batchSize: nastyNumber,
        queueLimit: nastyNumber,
        rateLimit: fc.oneof(fc.constant(false), hostileRecord({ perSecond: nastyNumber, burst: nastyNumber }), nastyValue),
        // The SDK-only options hold the host's own code objects (a runtime connector, a store): junk is
        // tried there, but not Proxies whose traps throw (the SDK reads `.connect`/`.append` unguarded).
        strict: fc.oneof(fc.boolean(), nastyValue),
        onError: nastyPlainValue,
        autoCapture: nastyPlainValue,
        runtime: nastyPlainValue,
        store: nastyPlainValue,
      }),
    },
    { weight: 1, arbitrary: nastyValue },
  );

  /** A valid config with at most one option replaced by something hostile. */
  const nearlyValidConfig = fc
    .tuple(
      fc.record(
        {
          appId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
          consent: fc.constantFrom('granted', 'denied', 'pending'),
          requireConsent: fc.boolean(),
          retentionDays: fc.integer({ min: 1, max: 365 }),
          maxEvents: fc.integer({ min: 1, max: 100_000 }),
          strict: fc.boolean(),
        },
        { requiredKeys: ['appId'] },
      ),
      fc.option(
        fc.tuple(
          fc.constantFrom(
            'appId',
            'consent',
            'requireConsent',
            'retentionDays',
            'maxEvents',
            'sessionIdleMs',
            'rateLimit',
            'batchSize',
            'queueLimit',
            'flushIntervalMs',
            'strict',
            'onError',
            'autoCapture',
            'runtime',
            'store',
            '__proto__',
            'constructor',
          ),
          nastyValue,
        ),
        { freq: 2 },
      ),
    )
    .map(([base, mutation]) => {
      const c: Record<string, unknown> = { ...base, onError: () => undefined };
      if (mutation) Object.defineProperty(c, mutation[0], { value: mutation[1], enumerable: true, writable: true, configurable: true });
      return c;
    })
    .filter(
      (c) =>
        !['onError', 'autoCapture', 'runtime', 'store'].some((k) => typeof c[k] === 'object' && c[k] !== null && fc.toStringMethod in c[k]),
    );

  test('createLocalRec: a working instance or INVALID_CONFIG naming the option', async () => {
    let ok = 0;
    fc.assert(
      fc.property(fc.oneof(config, nearlyValidConfig), (c) => {
        let rec;
        try {
          // `store` is replaced by a memory store when the generated one is accepted, so no junk object is used as storage.
          rec = createLocalRec(c as LocalRecConfigInput);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_CONFIG');
          expect(typeof (e as LocalRecError).field).toBe('string');
          return;
        }
        ok++;
        expect(rec.status.destroyed).toBe(false);
        void rec.destroy().catch(() => undefined);
      }),
      { numRuns: CASES },
    );
    expect(ok).toBeGreaterThan(50);
    expect(prototypesClean()).toBe(true);
    console.info(`createLocalRec(config): ${CASES} cases, ${ok} accepted`);
  });

  test('setConsent: anything but the three values is refused with field "consent", state unchanged', async () => {
    const rec = createLocalRec({
      appId: 'prop',
      store: new MemoryEventStore(),
      consent: 'pending',
      requireConsent: true,
      onError: () => undefined,
    });
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('granted', 'denied', 'pending'), nastyValue), (v) => {
        const before = rec.consent;
        rec.setConsent(v as never);
        if (v === 'granted' || v === 'denied' || v === 'pending') expect(rec.consent).toBe(v);
        else {
          expect(rec.consent).toBe(before);
          expect(rec.status.lastError).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'consent' });
        }
      }),
      { numRuns: CASES },
    );
    await rec.destroy();
  });
});
