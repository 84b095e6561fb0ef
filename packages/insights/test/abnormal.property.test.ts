// Bad input to the abnormal-behaviour rules (issue 13: on by default in the runtime, the same rules in
// the trainer's loader): `detectAbnormal`'s options, ≥ 10,000 generated cases. A bad option is
// INVALID_ARGUMENT naming the field (never a TypeError: a burst window ≤ 0 used to read past the last
// event, `burst: true` was "not iterable"); good options are accepted and give a well-formed report.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalRecError, type StoredEvent } from '@localrec/core';
import { DEFAULT_ABNORMAL_OPTIONS, NO_ABNORMAL_RULES, checkAbnormalOptions, detectAbnormal } from '../src/index.js';
import { CASES, nastyNumber, nastyValue, prototypesClean } from '../../../test/audit/hostile.js';

const T0 = Date.parse('2026-11-30T12:00:00Z');

/** A short history with a scripted burst and a stuck key, so rules have something to find. */
const EVENTS: StoredEvent[] = [
  ...Array.from({ length: 14 }, (_, i) => ({ type: 'view', ts: T0 + i * 50, itemId: `sku-${i}` })),
  ...Array.from({ length: 8 }, (_, i) => ({ type: 'add_to_cart', ts: T0 + 60_000 + i * 800, itemId: 'sku-7' })),
  { type: 'view', ts: T0 + 3_600_000, itemId: 'sku-1' },
].map((e, i) => ({ ...e, uid: `u${i}`, seq: i + 1, sessionId: 's', data: {} }) as StoredEvent);

type Kind = 'count' | 'count2' | 'ms' | 'msPositive' | 'ratio' | 'share';
const FIELDS: Record<string, Record<string, Kind>> = {
  repeat: { minRun: 'count', maxGapMs: 'ms' },
  metronome: { minRun: 'count2', maxCv: 'ratio', maxGapMs: 'ms' },
  crawl: { minRun: 'count', maxGapMs: 'ms', minDistinctShare: 'share' },
  future: { toleranceMs: 'ms' },
};
/** The oracle: the documented ranges, written out independently of the checker. */
const OK: Record<Kind, (v: unknown) => boolean> = {
  count: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  count2: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 2,
  ms: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  msPositive: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  ratio: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  share: (v) => typeof v === 'number' && v >= 0 && v <= 1,
};
const GOOD: Record<Kind, fc.Arbitrary<number>> = {
  count: fc.integer({ min: 1, max: 50 }),
  count2: fc.integer({ min: 2, max: 50 }),
  ms: fc.integer({ min: 0, max: 120_000 }),
  msPositive: fc.integer({ min: 1, max: 120_000 }),
  ratio: fc.double({ min: 0, max: 2, noNaN: true }),
  share: fc.double({ min: 0, max: 1, noNaN: true }),
};
/** A value for a field of `kind`: mostly good, else anything. */
const value = (kind: Kind): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: GOOD[kind] }, { weight: 1, arbitrary: nastyNumber }, { weight: 1, arbitrary: nastyValue });
const rule = (fields: Record<string, Kind>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record(Object.fromEntries(Object.entries(fields).map(([f, k]) => [f, value(k)]))) },
    { weight: 1, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: nastyValue },
  );
const burstRule = fc.oneof(
  { weight: 8, arbitrary: fc.record({ windowMs: value('msPositive'), maxEvents: value('count') }) },
  { weight: 1, arbitrary: nastyValue },
);
const options = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        burst: fc.oneof(
          { weight: 5, arbitrary: fc.array(burstRule, { maxLength: 3 }) },
          { weight: 1, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: nastyValue },
        ),
        repeat: rule(FIELDS.repeat!),
        metronome: rule(FIELDS.metronome!),
        crawl: rule(FIELDS.crawl!),
        future: rule(FIELDS.future!),
        now: fc.oneof(fc.constant(T0), nastyNumber, nastyValue),
        ignoreTypes: fc.oneof(fc.constant(['impression']), fc.array(fc.string(), { maxLength: 3 }), nastyValue),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom({}, DEFAULT_ABNORMAL_OPTIONS, NO_ABNORMAL_RULES, undefined) },
  { weight: 1, arbitrary: nastyValue },
);

/** Which field of `o` is bad (the first, in the checker's documented order), or undefined. */
function badField(o: unknown): string | undefined {
  if (o === undefined) return undefined;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'options';
  let r: Record<string, unknown>;
  try {
    r = { ...(o as Record<string, unknown>) };
  } catch {
    return 'options';
  }
  const plain = (v: unknown): v is Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    try {
      void { ...v }; // as the checker copies it: a Proxy or getter that throws cannot be read
      return true;
    } catch {
      return false;
    }
  };
  if (r.burst !== undefined && r.burst !== false) {
    if (!Array.isArray(r.burst)) return 'burst';
    for (const [i, b] of (r.burst as unknown[]).entries()) {
      if (!plain(b)) return `burst[${i}]`;
      if (!OK.msPositive(b.windowMs)) return `burst[${i}].windowMs`;
      if (!OK.count(b.maxEvents)) return `burst[${i}].maxEvents`;
    }
  }
  for (const [name, fields] of Object.entries(FIELDS)) {
    const v = r[name];
    if (v === undefined || v === false) continue;
    if (!plain(v)) return name;
    for (const [f, k] of Object.entries(fields)) if (!OK[k](v[f])) return `${name}.${f}`;
  }
  if (r.now !== undefined && !(typeof r.now === 'number' && Number.isFinite(r.now))) return 'now';
  if (r.ignoreTypes !== undefined && !(Array.isArray(r.ignoreTypes) && r.ignoreTypes.every((t) => typeof t === 'string')))
    return 'ignoreTypes';
  return undefined;
}

describe(`detectAbnormal options with hostile input (${CASES.toLocaleString('en')} cases)`, () => {
  it('good options give a well-formed report; any bad one is INVALID_ARGUMENT naming the field', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(options, (o) => {
        const bad = badField(o);
        let report;
        try {
          report = detectAbnormal(EVENTS, o as never);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_ARGUMENT');
          expect((e as LocalRecError).field).toBe(bad);
          refused++;
          return;
        }
        expect(bad).toBeUndefined();
        for (const uid of report.uids) expect(EVENTS.some((e) => e.uid === uid)).toBe(true);
        expect(report.seqs.size).toBe(report.uids.size);
        for (const n of Object.values(report.counts)) expect(Number.isInteger(n) && n >= 0 && n <= EVENTS.length).toBe(true);
        accepted++;
      }),
      { numRuns: CASES },
    );
    expect(accepted).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(1_000);
    expect(prototypesClean()).toBe(true);
    console.info(`detectAbnormal(options): ${CASES} cases, ${accepted} accepted, ${refused} refused naming the field`);
  });

  it('checkAbnormalOptions names the field under a prefix (the trainer passes "abnormal.")', () => {
    expect(() => checkAbnormalOptions({ burst: [{ windowMs: -1, maxEvents: 8 }] }, 'abnormal.')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'abnormal.burst[0].windowMs' }),
    );
    expect(() => checkAbnormalOptions(7, 'abnormal.')).toThrow(expect.objectContaining({ field: 'abnormal' }));
    expect(checkAbnormalOptions(DEFAULT_ABNORMAL_OPTIONS)).toEqual(DEFAULT_ABNORMAL_OPTIONS);
  });
});
