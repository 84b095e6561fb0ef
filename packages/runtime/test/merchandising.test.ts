/**
 * The merchandising steps as pure functions (`merchandising.ts`): each filter operator, each rule,
 * the order of the steps, pages, and the validation errors (path of the bad node, accepted values);
 * and the dedupe memory (`shown.ts`).
 */
import { describe, expect, it } from 'vitest';
import { LocalRecError, type ItemMeta, type RecommendOptions, type ScoredItem } from '@localrec/core';
import { checkListOptions, checkRules, compileFilter, merchandise, pageOf, poolSize, type ListPlan } from '../src/merchandising.js';
import { listKey, SHOWN_LIMITS, ShownMemory } from '../src/shown.js';

const CATALOG: Record<string, ItemMeta> = {
  a: { brand: 'Acme', price: 10, inStock: true, color: 'red', released: '2026-01-10' },
  b: { brand: 'Acme', price: 20, inStock: false, color: 'blue', released: '2026-03-01' },
  c: { brand: 'Zeta', price: 30, color: 'red', released: '2025-12-24' },
  d: { brand: 'Zeta', price: 40, inStock: true, eco: true },
  e: { brand: 'Acme', price: 50, inStock: true },
  f: { category: 'x' },
};

const passing = (expr: unknown) => {
  const m = compileFilter(expr);
  return Object.keys(CATALOG).filter((id) => m(CATALOG[id]));
};

/** A pool of the catalog's items, scores descending in the given order. */
const pool = (ids: string[]): ScoredItem[] =>
  ids.map((itemId, i) => ({ itemId, score: ids.length - i, source: 'model', reason: { kind: 'history', text: 'because' } }));

const plan = (options: RecommendOptions, k = options.k ?? 10, diversity = options.diversity ?? 0): ListPlan =>
  checkListOptions(options, k, diversity);

const run = (
  ids: string[],
  options: RecommendOptions,
  extra: { eligible?: (id: string) => boolean; similarity?: (a: string, b: string) => number } = {},
) =>
  merchandise({ pool: pool(ids), catalog: CATALOG, eligible: extra.eligible ?? (() => true), similarity: extra.similarity }, plan(options));

const ids = (items: readonly ScoredItem[]) => items.map((i) => i.itemId);

/** The error `f` throws (fails the test when it throws none). */
function thrown(f: () => unknown): LocalRecError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LocalRecError);
    return e as LocalRecError;
  }
  throw new Error('expected an error');
}

describe('filter expressions', () => {
  it('eq: strict equality over any attribute (strings, numbers, booleans)', () => {
    expect(passing({ attr: 'brand', eq: 'Acme' })).toEqual(['a', 'b', 'e']);
    expect(passing({ attr: 'price', eq: 30 })).toEqual(['c']);
    expect(passing({ attr: 'eco', eq: true })).toEqual(['d']);
    expect(passing({ attr: 'price', eq: '30' })).toEqual([]);
  });

  it('in: one of the values', () => {
    expect(passing({ attr: 'color', in: ['red', 'green'] })).toEqual(['a', 'c']);
    expect(passing({ attr: 'color', in: [] })).toEqual([]);
  });

  it('ranges: gt/gte/lt/lte combined with AND; numbers with numbers, strings (ISO dates) with strings', () => {
    expect(passing({ attr: 'price', gte: 20, lt: 40 })).toEqual(['b', 'c']);
    expect(passing({ attr: 'price', gt: 20, lte: 40 })).toEqual(['c', 'd']);
    expect(passing({ attr: 'released', gte: '2026-01-01' })).toEqual(['a', 'b']);
    // A number bound never matches a string value.
    expect(passing({ attr: 'released', gte: 0 })).toEqual([]);
  });

  it('an item without the attribute fails every test; not passes it', () => {
    expect(passing({ attr: 'inStock', eq: false })).toEqual(['b']);
    expect(passing({ not: { attr: 'inStock', eq: false } })).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect(compileFilter({ attr: 'price', gte: 0 })(undefined)).toBe(false);
  });

  it('all (AND, [] passes all), any (OR, [] passes none), nested', () => {
    expect(
      passing({
        all: [
          { attr: 'brand', eq: 'Acme' },
          { attr: 'price', gt: 10 },
        ],
      }),
    ).toEqual(['b', 'e']);
    expect(
      passing({
        any: [
          { attr: 'brand', eq: 'Zeta' },
          { attr: 'price', eq: 10 },
        ],
      }),
    ).toEqual(['a', 'c', 'd']);
    expect(passing({ all: [] })).toHaveLength(6);
    expect(passing({ any: [] })).toEqual([]);
    expect(passing({ any: [{ not: { attr: 'brand', in: ['Acme', 'Zeta'] } }, { all: [{ attr: 'eco', eq: true }] }] })).toEqual(['d', 'f']);
  });

  it('the ItemFilter shorthand keeps its meaning, also as a node', () => {
    expect(passing({ brands: ['Zeta'], maxPrice: 35 })).toEqual(['c']);
    // inStock: true drops only items flagged out of stock.
    expect(passing({ inStock: true })).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect(passing({ any: [{ categories: ['x'] }, { minPrice: 45 }] })).toEqual(['e', 'f']);
  });

  it('refuses a bad node naming its path and the accepted shapes or values', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ attr: 'brand', equals: 'x' }, 'filter.equals', /unknown operator "equals"/],
      [{ all: [{ attr: 'a', eq: 1 }, { brand: 'Acme' }] }, 'filter.all[1].brand', /unknown filter key "brand"/],
      [{ any: 'x' }, 'filter.any', /array of filter nodes/],
      [{ not: 5 }, 'filter.not', /must be an object/],
      [{ attr: 'price' }, 'filter', /no operator/],
      [{ attr: '', eq: 1 }, 'filter.attr', /non-empty attribute name/],
      [{ attr: 'p', eq: { x: 1 } }, 'filter.eq', /string, a finite number or a boolean/],
      [{ attr: 'p', eq: Number.NaN }, 'filter.eq', /finite number/],
      [{ attr: 'p', in: [1, [2]] }, 'filter.in', /array of strings/],
      [{ attr: 'p', gte: 1, lt: 'z' }, 'filter.lt', /must all be numbers or all strings/],
      [{ attr: 'p', not: { attr: 'q', eq: 1 } }, 'filter', /one of attr, not, all, any/],
      [{ not: { attr: 'q', eq: 1 }, all: [] }, 'filter', /one of attr, not, all, any/],
      [{ inStock: 'yes' }, 'filter.inStock', /boolean/],
      [{ brands: 'Acme' }, 'filter.brands', /array of strings/],
      [null, 'filter', /must be an object/],
    ];
    for (const [expr, field, message] of cases) {
      const e = thrown(() => compileFilter(expr));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.field, JSON.stringify(expr)).toBe(field);
      expect(e.message).toMatch(message);
      expect(e.message).toContain(`${field}:`);
      expect(e.accepted?.length).toBeGreaterThan(0);
    }
    expect(thrown(() => compileFilter({ attr: 'p', eq: [] })).accepted).toEqual(['string', 'number', 'boolean']);
    expect(thrown(() => compileFilter({ attr: 'p', like: 1 })).accepted).toEqual(['eq', 'in', 'gt', 'gte', 'lt', 'lte']);
  });

  it('refuses a cyclic or too deep expression instead of overflowing the stack', () => {
    const cyclic: { not?: unknown } = {};
    cyclic.not = cyclic;
    expect(thrown(() => compileFilter(cyclic)).message).toMatch(/nest at most 32/);
  });
});

describe('rules: validation', () => {
  it('accepts the documented shapes; pins sorted by position, an item pinned twice keeps its first place', () => {
    const r = checkRules({
      boost: [{ filter: { attr: 'eco', eq: true }, weight: 0.5 }],
      bury: [{ filter: { inStock: false }, weight: 1 }],
      pin: [
        { itemId: 'x', position: 4 },
        { itemId: 'y', position: 1 },
        { itemId: 'x', position: 0 },
      ],
      caps: { brand: 2 },
    });
    expect(r.shifts.map((s) => [s.kind, s.weight])).toEqual([
      ['boost', 0.5],
      ['bury', 1],
    ]);
    expect(r.pins).toEqual([
      { itemId: 'x', position: 0 },
      { itemId: 'y', position: 1 },
    ]);
    expect(r.caps).toEqual([['brand', 2]]);
  });

  it('refuses bad rules naming the path', () => {
    const cases: [unknown, string][] = [
      ['boost', 'rules'],
      [{ promote: [] }, 'rules.promote'],
      [{ boost: {} }, 'rules.boost'],
      [{ boost: [{ filter: { attr: 'a', eq: 1 }, weight: 0 }] }, 'rules.boost[0].weight'],
      [{ bury: [{ filter: { attr: 'a', eq: 1 }, weight: 1.5 }] }, 'rules.bury[0].weight'],
      [{ boost: [{ filter: { attr: 'a', bad: 1 }, weight: 0.5 }] }, 'rules.boost[0].filter.bad'],
      [{ pin: [{ itemId: '', position: 0 }] }, 'rules.pin[0].itemId'],
      [{ pin: [{ itemId: 'a', position: -1 }] }, 'rules.pin[0].position'],
      [{ pin: [{ itemId: 'a', position: 1.5 }] }, 'rules.pin[0].position'],
      [{ caps: { brand: 0 } }, 'rules.caps.brand'],
      [{ caps: [2] }, 'rules.caps'],
    ];
    for (const [rules, field] of cases) {
      const e = thrown(() => checkRules(rules));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.field, JSON.stringify(rules)).toBe(field);
    }
  });

  it('page and dedupe: page an integer in 0..999, dedupe a non-empty name', () => {
    expect(plan({ page: 2 }, 5)).toMatchObject({ page: 2, n: 15 });
    expect(thrown(() => plan({ page: -1 })).field).toBe('page');
    expect(thrown(() => plan({ page: 1000 })).field).toBe('page');
    expect(thrown(() => plan({ page: '1' as never })).field).toBe('page');
    expect(thrown(() => plan({ dedupe: '' })).field).toBe('dedupe');
  });

  it('pool size: n plus pins when nothing reorders, else max(5·(n + pins), 50)', () => {
    expect(poolSize(plan({ k: 4, page: 1 }))).toBe(8);
    expect(poolSize(plan({ k: 4, rules: { pin: [{ itemId: 'a', position: 0 }] } }))).toBe(5);
    expect(poolSize(plan({ k: 4, rules: { caps: { brand: 1 } } }))).toBe(50);
    expect(poolSize(plan({ k: 20, diversity: 0.5 }))).toBe(100);
  });
});

describe('rules: each step', () => {
  const ALL = ['a', 'b', 'c', 'd', 'e'];

  it('no rules: the pool as it is, cut to n', () => {
    expect(ids(run(ALL, { k: 3 }))).toEqual(['a', 'b', 'c']);
  });

  it('boost raises matching items by weight over the normalised score, and marks them', () => {
    // Normalised scores: a 1, b .75, c .5, d .25, e 0. d + .6 = .85 passes b.
    const out = run(ALL, { rules: { boost: [{ filter: { attr: 'eco', eq: true }, weight: 0.6 }] } });
    expect(ids(out)).toEqual(['a', 'd', 'b', 'c', 'e']);
    expect(out[1]!.reason).toEqual({ kind: 'history', text: 'because', rules: ['boost'] });
    expect(out[0]!.reason.rules).toBeUndefined();
    // The scores are the ranking's own.
    expect(out[1]!.score).toBe(2);
    // Weight 1: above every unshifted item.
    expect(ids(run(ALL, { rules: { boost: [{ filter: { attr: 'brand', eq: 'Zeta' }, weight: 1 }] } }))).toEqual(['c', 'd', 'a', 'b', 'e']);
  });

  it('bury lowers matching items; boosts and buries add up', () => {
    expect(ids(run(ALL, { rules: { bury: [{ filter: { attr: 'brand', eq: 'Acme' }, weight: 1 }] } }))).toEqual(['c', 'd', 'a', 'b', 'e']);
    const out = run(ALL, {
      rules: {
        boost: [{ filter: { attr: 'color', eq: 'red' }, weight: 0.3 }],
        bury: [{ filter: { attr: 'brand', eq: 'Acme' }, weight: 0.3 }],
      },
    });
    // a: 1 + .3 − .3 = 1; b: .75 − .3; c: .5 + .3 = .8; d: .25; e: −.3.
    expect(ids(out)).toEqual(['a', 'c', 'b', 'd', 'e']);
    expect(out[0]!.reason.rules).toEqual(['boost', 'bury']);
  });

  it('caps: at most cap items per attribute value, in order; items without the attribute are not capped', () => {
    expect(ids(run(ALL, { rules: { caps: { brand: 1 } } }))).toEqual(['a', 'c']);
    expect(ids(run([...ALL, 'f'], { rules: { caps: { brand: 2 } } }))).toEqual(['a', 'b', 'c', 'd', 'f']);
    expect(ids(run(ALL, { rules: { caps: { brand: 2, color: 1 } } }))).toEqual(['a', 'b', 'd']);
  });

  it('pins: eligible items at their 0-based positions, from the pool or outside it; ineligible ones left out', () => {
    const out = run(
      ['a', 'b', 'c'],
      {
        rules: {
          pin: [
            { itemId: 'e', position: 0 },
            { itemId: 'b', position: 2 },
            { itemId: 'z', position: 1 },
          ],
        },
        k: 4,
      },
      { eligible: (id) => id !== 'z' },
    );
    expect(ids(out)).toEqual(['e', 'a', 'b', 'c']);
    expect(out[0]).toEqual({
      itemId: 'e',
      score: 0,
      source: 'host',
      reason: { kind: 'pinned', text: 'Featured by the shop', rules: ['pin'] },
    });
    expect(out[2]).toMatchObject({ itemId: 'b', source: 'model', reason: { kind: 'history', rules: ['pin'] } });
  });

  it('pins: a pin past the end of a shorter list lands at its end; two at one position take the next slot', () => {
    expect(ids(run(['a', 'b'], { rules: { pin: [{ itemId: 'e', position: 7 }] } }))).toEqual(['a', 'b', 'e']);
    expect(
      ids(
        run(['a', 'b', 'c'], {
          rules: {
            pin: [
              { itemId: 'd', position: 1 },
              { itemId: 'e', position: 1 },
            ],
          },
        }),
      ),
    ).toEqual(['a', 'd', 'e', 'b', 'c']);
  });

  it('pins count toward caps and are never dropped by them', () => {
    // e (Acme) pinned first: one Acme left for the ranked items.
    const out = run(ALL, { rules: { caps: { brand: 2 }, pin: [{ itemId: 'e', position: 0 }] } });
    expect(ids(out)).toEqual(['e', 'a', 'c', 'd']);
  });

  it('diversity: MMR over the similarity, on the shifted scores; 0 or no embeddings = the order as it is', () => {
    // a and b are near-duplicates; c is far from both.
    const sim = (x: string, y: string) => ([x, y].sort().join() === 'a,b' ? 0.99 : 0);
    expect(ids(run(['a', 'b', 'c'], { diversity: 0.5 }, { similarity: sim }))).toEqual(['a', 'c', 'b']);
    expect(ids(run(['a', 'b', 'c'], { diversity: 0 }, { similarity: sim }))).toEqual(['a', 'b', 'c']);
    expect(ids(run(['a', 'b', 'c'], { diversity: 0.5 }))).toEqual(['a', 'b', 'c']);
  });
});

describe('the order of the steps', () => {
  it('boost before diversity: diversity works on the boosted order', () => {
    const sim = (x: string, y: string) => ([x, y].sort().join() === 'c,d' ? 0.99 : 0);
    // Boost brings c, d (Zeta) on top; diversity then keeps d away from c.
    const out = run(
      ['a', 'b', 'c', 'd'],
      { diversity: 0.6, rules: { boost: [{ filter: { attr: 'brand', eq: 'Zeta' }, weight: 1 }] } },
      { similarity: sim },
    );
    expect(ids(out)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('diversity before caps: caps choose in the diversified order', () => {
    // a ~ c. Diversified: a, b, d, c; a cap of 1 per brand then keeps a and d (capping first would keep a and c).
    const sim = (x: string, y: string) => ([x, y].sort().join() === 'a,c' ? 0.99 : 0);
    expect(ids(run(['a', 'b', 'c', 'd'], { diversity: 0.9 }, { similarity: sim }))).toEqual(['a', 'b', 'd', 'c']);
    expect(ids(run(['a', 'b', 'c', 'd'], { diversity: 0.9, rules: { caps: { brand: 1 } } }, { similarity: sim }))).toEqual(['a', 'd']);
  });

  it('caps before pins, pins before the page: a pin fixes a position of the whole list, on its page only', () => {
    const rules = { caps: { brand: 1 }, pin: [{ itemId: 'b', position: 2 }] };
    const whole = run(['a', 'b', 'c', 'd', 'e', 'f'], { k: 4, rules });
    // b (Acme) is pinned, so its Acme counts first: a and e are capped, as is d after c (Zeta).
    expect(ids(whole)).toEqual(['c', 'f', 'b']);
    const p = plan({ k: 2, page: 1, rules });
    const list = merchandise({ pool: pool(['a', 'b', 'c', 'd', 'e', 'f']), catalog: CATALOG, eligible: () => true }, p);
    expect(ids(pageOf(list, p))).toEqual(['b']);
    expect(ids(pageOf(list, plan({ k: 2, page: 0, rules })))).toEqual(['c', 'f']);
  });
});

describe('pages', () => {
  it('page n is items n·k … n·k + k − 1 of the whole list; past the end: empty', () => {
    const ALL = ['a', 'b', 'c', 'd', 'e', 'f'];
    const pageN = (page: number) => {
      const p = plan({ k: 2, page });
      return ids(pageOf(merchandise({ pool: pool(ALL), catalog: CATALOG, eligible: () => true }, p), p));
    };
    expect([pageN(0), pageN(1), pageN(2), pageN(3)]).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], []]);
  });
});

describe('dedupe memory', () => {
  it('a list sees what OTHER lists of its group returned, never its own pages; groups are separate', () => {
    const m = new ShownMemory();
    const home = listKey('recommend', '', { k: 4 });
    const similarA = listKey('similar', 'a', { k: 4 });
    m.remember('page-1', home, ['a', 'b']);
    m.remember('page-1', similarA, ['b', 'c']);
    // b was returned by home first: it stays home's.
    expect([...m.others('page-1', similarA)]).toEqual(['a', 'b']);
    expect([...m.others('page-1', home)]).toEqual(['c']);
    expect([...m.others('page-2', home)]).toEqual([]);
    expect([...m.others(undefined, home)]).toEqual([]);
  });

  it('the list key ignores page, dedupe and budgetMs, and nothing else', () => {
    expect(listKey('recommend', '', { k: 4, page: 3, dedupe: 'g', budgetMs: 9 })).toBe(listKey('recommend', '', { k: 4 }));
    expect(listKey('recommend', '', { k: 4, diversity: 0.2 })).not.toBe(listKey('recommend', '', { k: 4 }));
    expect(listKey('similar', 'a', {})).not.toBe(listKey('similar', 'b', {}));
    // Options JSON cannot write still key a list (cycles, bigints in fields nobody checks).
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(listKey('recommend', '', { exclude: cyclic as never })).toBe(JSON.stringify(['recommend', '']));
    expect(listKey('recommend', '', { excludePurchased: 1n as never })).toContain('"1n"');
  });

  it('stays bounded: the oldest groups and items are dropped', () => {
    const m = new ShownMemory();
    for (let g = 0; g <= SHOWN_LIMITS.groups; g++) m.remember(`g${g}`, 'l', ['x']);
    expect(m.others('g0', 'other').size).toBe(0);
    expect(m.others(`g${SHOWN_LIMITS.groups}`, 'other').size).toBe(1);
    m.remember(
      'big',
      'l',
      Array.from({ length: SHOWN_LIMITS.items + 5 }, (_, i) => `i${i}`),
    );
    const left = m.others('big', 'other');
    expect(left.size).toBe(SHOWN_LIMITS.items);
    expect(left.has('i0')).toBe(false);
  });
});
