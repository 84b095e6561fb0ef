/**
 * Properties of the merchandising steps (`merchandising.ts`) over random catalogs, pools and rules
 * (fast-check): no duplicates; caps never exceeded (pins aside); eligible pins on the list, at their
 * positions when the pool is deep enough; the list for n items a prefix of the list for more, so
 * pages never overlap and their union is a prefix of the whole ranking; only pool items and
 * eligible pins come back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemMeta, MerchRules, ScoredItem } from '@localrec/core';
import { checkListOptions, compileFilter, merchandise, pageOf, type ListPlan } from '../src/merchandising.js';

const BRANDS = ['Acme', 'Zeta', 'Orbit'];
const COLORS = ['red', 'blue', 'green'];
const N = 40;
const id = (i: number) => `i${i}`;

const catalogArb = fc.array(
  fc.record({
    brand: fc.option(fc.constantFrom(...BRANDS), { nil: undefined }),
    color: fc.constantFrom(...COLORS),
    price: fc.integer({ min: 0, max: 100 }),
  }),
  { minLength: N, maxLength: N },
);

const testArb = fc.oneof(
  fc.record({ attr: fc.constant('brand'), eq: fc.constantFrom(...BRANDS) }),
  fc.record({ attr: fc.constant('color'), in: fc.subarray(COLORS) }),
  fc.record({ attr: fc.constant('price'), gte: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ attr: fc.constant('price'), lt: fc.integer({ min: 0, max: 100 }) }),
);
const filterArb = fc.oneof(testArb, fc.record({ not: testArb }), fc.record({ any: fc.array(testArb, { maxLength: 3 }) }));

const rulesArb: fc.Arbitrary<MerchRules> = fc.record(
  {
    boost: fc.array(fc.record({ filter: filterArb, weight: fc.double({ min: 0.01, max: 1, noNaN: true }) }), { maxLength: 2 }),
    bury: fc.array(fc.record({ filter: filterArb, weight: fc.double({ min: 0.01, max: 1, noNaN: true }) }), { maxLength: 2 }),
    pin: fc.array(fc.record({ itemId: fc.integer({ min: 0, max: N - 1 }).map(id), position: fc.integer({ min: 0, max: 15 }) }), {
      maxLength: 3,
    }),
    caps: fc.record({ brand: fc.integer({ min: 1, max: 4 }), color: fc.integer({ min: 1, max: 4 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

const caseArb = fc.record({
  catalog: catalogArb,
  // The pool: distinct items with scores (ties allowed), best first.
  pool: fc.uniqueArray(fc.integer({ min: 0, max: N - 1 }), { maxLength: N }),
  scores: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: N, maxLength: N }),
  ineligible: fc.uniqueArray(fc.integer({ min: 0, max: N - 1 }), { maxLength: 5 }),
  rules: rulesArb,
  diversity: fc.constantFrom(0, 0.3, 0.8),
  k: fc.integer({ min: 1, max: 6 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function setUp(c: Case) {
  const catalog: Record<string, ItemMeta> = {};
  c.catalog.forEach((m, i) => {
    catalog[id(i)] = m.brand === undefined ? { color: m.color, price: m.price } : m;
  });
  const ineligible = new Set(c.ineligible.map(id));
  const pool: ScoredItem[] = c.pool
    .filter((i) => !ineligible.has(id(i)))
    .map((i) => ({ itemId: id(i), score: c.scores[i]!, source: 'model' as const, reason: { kind: 'history' as const, text: 't' } }))
    .sort((a, b) => b.score - a.score);
  const similarity = (a: string, b: string) => (catalog[a]!.color === catalog[b]!.color ? 0.9 : 0.1);
  const run = (page: number, rules = c.rules): { plan: ListPlan; list: ScoredItem[] } => {
    const plan = checkListOptions({ rules, page }, c.k, c.diversity);
    return { plan, list: merchandise({ pool, catalog, similarity, eligible: (x) => !ineligible.has(x) }, plan) };
  };
  return { catalog, ineligible, pool, run };
}

const RUNS = { numRuns: 1000 };

describe('merchandising properties (fast-check)', () => {
  it('no duplicates, at most n items, only pool items and eligible pins', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 3 }), (c, page) => {
        const { pool, ineligible, run } = setUp(c);
        const { plan, list } = run(page);
        const got = list.map((i) => i.itemId);
        expect(new Set(got).size).toBe(got.length);
        expect(got.length).toBeLessThanOrEqual(plan.n);
        const pinIds = new Set((c.rules.pin ?? []).map((p) => p.itemId));
        const inPool = new Set(pool.map((i) => i.itemId));
        for (const x of got) expect(inPool.has(x) || (pinIds.has(x) && !ineligible.has(x))).toBe(true);
      }),
      RUNS,
    );
  });

  it('caps are never exceeded except by pinned items themselves', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { catalog, run } = setUp(c);
        const { list } = run(3);
        for (const [attr, cap] of Object.entries(c.rules.caps ?? {})) {
          const count = new Map<unknown, number>();
          const pinnedCount = new Map<unknown, number>();
          for (const it of list) {
            const v = catalog[it.itemId]![attr];
            if (v === undefined) continue;
            count.set(v, (count.get(v) ?? 0) + 1);
            if (it.reason.rules?.includes('pin')) pinnedCount.set(v, (pinnedCount.get(v) ?? 0) + 1);
          }
          for (const [v, n] of count) expect(n).toBeLessThanOrEqual(Math.max(cap, pinnedCount.get(v) ?? 0));
        }
      }),
      RUNS,
    );
  });

  it('eligible pins within the list are on it; at their exact positions when the pool is deep enough and nothing caps', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { ineligible, pool, run } = setUp(c);
        const { plan, list } = run(3);
        const got = list.map((i) => i.itemId);
        const seen = new Set<string>();
        const pins = [...(c.rules.pin ?? [])]
          .map((p, i) => ({ ...p, i }))
          .sort((a, b) => a.position - b.position || a.i - b.i)
          .filter((p) => !ineligible.has(p.itemId) && !seen.has(p.itemId) && !!seen.add(p.itemId));
        // Two pins at one position: the later one takes the next free slot (which may be past the list).
        const taken = new Set<number>();
        const slot = new Map<string, number>();
        for (const p of pins) {
          let at = p.position;
          while (taken.has(at)) at++;
          taken.add(at);
          slot.set(p.itemId, at);
        }
        for (const p of pins) if (slot.get(p.itemId)! < plan.n) expect(got).toContain(p.itemId);
        const distinct = new Set(pins.map((p) => p.position)).size === pins.length;
        if (distinct && !c.rules.caps && pool.length >= plan.n + pins.length)
          for (const p of pins) if (p.position < plan.n) expect(got[p.position]).toBe(p.itemId);
      }),
      RUNS,
    );
  });

  it('pages never overlap and their union is a prefix of the whole ranking', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { run } = setUp(c);
        const whole = run(3).list.map((i) => i.itemId);
        const pages = [0, 1, 2, 3].map((p) => {
          const { plan, list } = run(p);
          return pageOf(list, plan).map((i) => i.itemId);
        });
        const union = pages.flat();
        expect(new Set(union).size).toBe(union.length);
        expect(union).toEqual(whole.slice(0, union.length));
        // Each page is full until the list runs out.
        for (let p = 0; p < 3; p++) if (pages[p + 1]!.length) expect(pages[p]).toHaveLength(c.k);
      }),
      RUNS,
    );
  });

  it('score rules keep the pool order among items the same rules match (no diversity, caps or pins)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const rules: MerchRules = { ...(c.rules.boost ? { boost: c.rules.boost } : {}), ...(c.rules.bury ? { bury: c.rules.bury } : {}) };
        const { catalog, pool } = setUp(c);
        const plan = checkListOptions({ rules }, N, 0);
        const list = merchandise({ pool, catalog, eligible: () => true }, plan);
        const matchers = [...(rules.boost ?? []), ...(rules.bury ?? [])].map((r) => compileFilter(r.filter));
        const sig = (x: string) => matchers.map((m) => (m(catalog[x]) ? 1 : 0)).join('');
        const poolIndex = new Map(pool.map((it, i) => [it.itemId, i]));
        const bySig = new Map<string, number[]>();
        for (const it of list)
          (bySig.get(sig(it.itemId)) ?? bySig.set(sig(it.itemId), []).get(sig(it.itemId))!).push(poolIndex.get(it.itemId)!);
        for (const idx of bySig.values()) expect(idx).toEqual([...idx].sort((a, b) => a - b));
        expect(list).toHaveLength(pool.length);
      }),
      RUNS,
    );
  });
});
