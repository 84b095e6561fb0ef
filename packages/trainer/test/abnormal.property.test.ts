// Bad input to the trainer's abnormal-behaviour rules (`LogRules.abnormal`, issue 13: the runtime's
// rules applied to event logs): ≥ 10,000 generated cases. A bad rule is INVALID_ARGUMENT naming
// `abnormal.<field>` before any row is read (also for a log with no users); `false`, `{}` and
// good thresholds give a dataset.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import { checkAbnormalOptions } from '@localrec/insights';
import { parseCsvLog, parseJsonLinesLog } from '../src/data/index.js';
import { CASES, nastyNumber, nastyValue } from '../../../test/audit/hostile.js';

const T0 = Date.parse('2026-11-30T12:00:00Z');
/** Three shoppers, each with a human-paced history and one scripted burst. */
const CSV = [
  'user_id,item_id,event_type,timestamp',
  ...['a', 'b', 'c'].flatMap((u) => [
    ...Array.from({ length: 6 }, (_, i) => `${u},sku-${i % 3},view,${new Date(T0 + i * 47_000).toISOString()}`),
    ...Array.from({ length: 12 }, (_, i) => `${u},sku-${i},view,${new Date(T0 + 600_000 + i * 30).toISOString()}`),
  ]),
].join('\n');
const EMPTY = 'user_id,item_id,event_type,timestamp\n';

const num = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100_000 }) },
  { weight: 1, arbitrary: nastyNumber },
  { weight: 1, arbitrary: nastyValue },
);
const abnormal = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(false, {}, { burst: false }, { repeat: { minRun: 3, maxGapMs: 1000 } }) },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        burst: fc.oneof(fc.array(fc.record({ windowMs: num, maxEvents: num }), { maxLength: 2 }), fc.constant(false), nastyValue),
        repeat: fc.oneof(fc.record({ minRun: num, maxGapMs: num }), fc.constant(false), nastyValue),
        crawl: fc.oneof(
          fc.record({ minRun: num, maxGapMs: num, minDistinctShare: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), nastyNumber) }),
          nastyValue,
        ),
        future: fc.oneof(fc.record({ toleranceMs: num }), fc.constant(false), nastyValue),
        now: fc.oneof(fc.constant(T0), nastyValue),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 2, arbitrary: nastyValue },
);

/** Whether insights' checker accepts `a` (its own property test, packages/insights/test/abnormal.property.test.ts, checks it against the documented ranges). */
function accepted(a: unknown): boolean {
  if (a === false) return true;
  try {
    checkAbnormalOptions(a, 'abnormal.');
    return true;
  } catch {
    return false;
  }
}

describe(`LogRules.abnormal with hostile input (${CASES.toLocaleString('en')} cases)`, () => {
  it('a dataset for good rules; INVALID_ARGUMENT naming abnormal.<field> for bad ones, with rows or without', () => {
    let ok = 0;
    let refused = 0;
    fc.assert(
      fc.property(abnormal, fc.boolean(), fc.boolean(), (a, jsonl, empty) => {
        const good = accepted(a);
        const text = jsonl
          ? empty
            ? ''
            : CSV.split('\n')
                .slice(1)
                .map((l) => {
                  const [user_id, item_id, event_type, timestamp] = l.split(',');
                  return JSON.stringify({ user_id, item_id, event_type, timestamp });
                })
                .join('\n')
          : empty
            ? EMPTY
            : CSV;
        const rules = { abnormal: a as never, minUserCount: 1, minItemCount: 1 };
        let ds;
        try {
          ds = jsonl ? parseJsonLinesLog(text, rules) : parseCsvLog(text, rules);
        } catch (e) {
          expect(good).toBe(false);
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_ARGUMENT');
          expect((e as LocalRecError).field).toMatch(/^abnormal(\.|$)/);
          refused++;
          return;
        }
        expect(good).toBe(true);
        // Flagged shoppers can drop out entirely (e.g. `now` before the log: every row is in the future).
        expect(ds.report.users).toBeLessThanOrEqual(empty ? 0 : 3);
        if (a === false) expect([ds.report.users, ds.report.abnormal?.rows ?? 0]).toEqual([empty ? 0 : 3, 0]);
        ok++;
      }),
      { numRuns: CASES },
    );
    expect(ok).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(1_000);
    console.info(`LogRules.abnormal: ${CASES} cases, ${ok} accepted, ${refused} refused naming the field`);
  });
});
