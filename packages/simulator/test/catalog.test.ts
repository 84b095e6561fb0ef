import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import { CATEGORIES, DEMO_CATALOG, PRICE_BANDS, makeCatalog, priceBandOf, priceRange } from '@localrec/simulator';

describe('makeCatalog', () => {
  const demo = makeCatalog(DEMO_CATALOG);

  it('makes the demo catalog: 300 products, SKU-00001.., unique ids and names, every department', () => {
    expect(demo).toHaveLength(300);
    expect(demo[0]!.id).toBe('SKU-00001');
    expect(demo[299]!.id).toBe('SKU-00300');
    expect(new Set(demo.map((p) => p.id)).size).toBe(300);
    expect(new Set(demo.map((p) => p.name)).size).toBe(300);
    expect(new Set(demo.map((p) => p.category))).toEqual(new Set(CATEGORIES));
    // Several brands per department, all three price bands in use.
    for (const c of CATEGORIES) expect(new Set(demo.filter((p) => p.category === c).map((p) => p.brand)).size).toBeGreaterThan(2);
    expect(new Set(demo.map((p) => p.priceBand))).toEqual(new Set(PRICE_BANDS));
    expect(demo.filter((p) => p.inStock).length).toBeGreaterThan(250);
  });

  it('pins the demo catalog (examples/shop/scripts/prepare.mjs serves makeCatalog(DEMO_CATALOG))', () => {
    expect(DEMO_CATALOG).toEqual({ seed: 42, size: 300 });
    expect(Object.isFrozen(DEMO_CATALOG)).toBe(true);
  });

  it('is deterministic, and a different seed gives a different catalog', () => {
    expect(makeCatalog({ seed: 42, size: 300 })).toEqual(demo);
    const other = makeCatalog({ seed: 43, size: 300 });
    expect(other.map((p) => p.name)).not.toEqual(demo.map((p) => p.name));
  });

  it('keeps prices within the department limits and in the band they are labelled with', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1e6 }), fc.integer({ min: 1, max: 400 }), (seed, size) => {
        const items = makeCatalog({ seed, size });
        expect(items).toHaveLength(size);
        for (const p of items) {
          const r = priceRange(p.category);
          expect(p.price).toBeGreaterThanOrEqual(r.min);
          expect(p.price).toBeLessThanOrEqual(r.max);
          expect(Math.round(p.price * 100) / 100).toBe(p.price);
          expect(p.priceBand).toBe(priceBandOf(p.category, p.price));
          if (p.priceBand === 'low') expect(p.price).toBeLessThan(r.lowMax);
          if (p.priceBand === 'mid') expect(p.price >= r.lowMax && p.price < r.highMin).toBe(true);
          if (p.priceBand === 'high') expect(p.price).toBeGreaterThanOrEqual(r.highMin);
        }
        expect(new Set(items.map((p) => p.name)).size).toBe(size);
      }),
      { numRuns: 30 },
    );
  });

  it('is prefix-stable: a larger catalog with the same seed starts with the smaller one', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 100 }), (seed, n, extra) => {
        expect(makeCatalog({ seed, size: n + extra }).slice(0, n)).toEqual(makeCatalog({ seed, size: n }));
      }),
      { numRuns: 25 },
    );
  });

  it('rejects bad options naming the field', () => {
    for (const bad of [
      { seed: 1, size: 0 },
      { seed: 1, size: 2.5 },
      { seed: Number.NaN, size: 3 },
      { seed: 1, size: 1e6 },
    ]) {
      let err: unknown;
      try {
        makeCatalog(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LocalRecError);
      expect((err as LocalRecError).code).toBe('INVALID_ARGUMENT');
      expect(['seed', 'size']).toContain((err as LocalRecError).field);
    }
    expect(() => priceBandOf('Spaceships', 3)).toThrow(/Spaceships/);
  });
});
