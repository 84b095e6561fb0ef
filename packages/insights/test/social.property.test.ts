// setSocialContext input (createSocialContext): ≥ 10,000 hostile inputs. It returns a context or
// throws a LocalRecError INVALID_ARGUMENT whose `field` names the bad value; it never throws
// anything else, never pollutes prototypes, and an accepted context holds only bounded counts.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { LocalRecError } from '@localrec/core';
import { SOCIAL_LIMITS, createSocialContext, socialProof, socialSignal } from '../src/index.js';
import { CASES, hostileRecord, nastyKey, nastyNumber, nastyString, nastyValue, prototypesClean } from '../../../test/audit/hostile.js';

const NOW = 1_700_000_000_000;
const count = fc.oneof({ weight: 3, arbitrary: fc.nat(50) }, { weight: 2, arbitrary: nastyNumber }, { weight: 1, arbitrary: nastyValue });
const signal = fc.oneof(
  {
    weight: 4,
    arbitrary: hostileRecord(
      {
        friendsLiked: count,
        friendsBought: count,
        sharedBy: fc.oneof(count, fc.array(fc.oneof(fc.stringMatching(/^[a-z0-9]{1,8}$/), nastyString, nastyValue), { maxLength: 6 })),
      },
      0.15,
    ),
  },
  { weight: 1, arbitrary: nastyValue },
);
/** items: mostly well-formed ids, plus hostile ones (`__proto__`, empty, 300+ chars, lone surrogates). */
const items = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.stringMatching(/^sku-[0-9]{1,4}$/), nastyKey, nastyString), signal), { maxLength: 8 })
      .map((entries) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        return o;
      }),
  },
  { weight: 1, arbitrary: nastyValue },
);
const input = fc.oneof(
  {
    weight: 5,
    arbitrary: hostileRecord(
      { items, ttlMs: fc.oneof(fc.integer({ min: 1, max: SOCIAL_LIMITS.maxTtlMs }), nastyNumber, nastyValue) },
      0.15,
    ),
  },
  { weight: 1, arbitrary: nastyValue },
);

describe(`setSocialContext with hostile input (${CASES.toLocaleString('en')} cases)`, () => {
  test('a bounded in-memory context, or INVALID_ARGUMENT naming the field', () => {
    let accepted = 0;
    fc.assert(
      fc.property(input, (v) => {
        let ctx;
        try {
          ctx = createSocialContext(v, NOW);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_ARGUMENT');
          // The field is the path of the bad value; for an unknown top-level key it is that key (even "").
          expect((e as LocalRecError).field).toEqual(expect.any(String));
          expect((e as LocalRecError).message).toContain('setSocialContext:');
          return;
        }
        accepted++;
        expect(ctx.expiresAt).toBeGreaterThanOrEqual(NOW); // a sub-ms ttl gives an already-expired context, harmless
        expect(ctx.expiresAt - NOW).toBeLessThanOrEqual(SOCIAL_LIMITS.maxTtlMs);
        for (const [id, s] of ctx.items) {
          expect(id.length).toBeGreaterThan(0);
          for (const n of [s.friendsLiked, s.friendsBought, s.sharedBy]) {
            expect(Number.isInteger(n) && n >= 0 && n <= SOCIAL_LIMITS.maxCount).toBe(true);
          }
          const proof = socialProof(socialSignal(ctx, id, NOW));
          expect(proof >= 0 && proof <= 1).toBe(true);
        }
      }),
      { numRuns: CASES },
    );
    expect(accepted).toBeGreaterThan(100); // the accepting path is exercised too (most cases carry at least one bad value)
    expect(prototypesClean()).toBe(true);
    console.info(`setSocialContext: ${CASES} cases, ${accepted} accepted`);
  });
});
