import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeededRandom, cloneJson, compareEventOrder, hash32, median, mulberry32, percentile, sfc32 } from '@localrec/core';

describe('compareEventOrder', () => {
  it('orders by time, then by sequence number for events in the same millisecond', () => {
    const evs = [
      { ts: 5, seq: 3 },
      { ts: 1, seq: 9 },
      { ts: 5, seq: 1 },
      { ts: 2, seq: 2 },
    ];
    expect([...evs].sort(compareEventOrder)).toEqual([
      { ts: 1, seq: 9 },
      { ts: 2, seq: 2 },
      { ts: 5, seq: 1 },
      { ts: 5, seq: 3 },
    ]);
  });
});

describe('cloneJson', () => {
  it('copies deeply: changing the copy leaves the original as it was', () => {
    const original = { a: [1, { b: 'x' }], c: { d: null } };
    const copy = cloneJson(original);
    expect(copy).toEqual(original);
    (copy.a[1] as { b: string }).b = 'changed';
    expect((original.a[1] as { b: string }).b).toBe('x');
  });
  it('drops what JSON cannot hold', () => {
    expect(cloneJson({ keep: 1, gone: undefined })).toEqual({ keep: 1 });
  });
});

describe('median and percentile', () => {
  it('median is the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it('percentile is one of the values: ⌊p·n⌋ values before it', () => {
    const xs = [10, 40, 20, 30];
    expect(percentile(xs, 0)).toBe(10);
    expect(percentile(xs, 0.5)).toBe(30); // the upper middle value, unlike median's 25
    expect(percentile(xs, 0.95)).toBe(40);
    expect(percentile(xs, 1)).toBe(40);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile(xs, 1.5)).toThrow(/p must be in \[0, 1\], got 1.5/);
  });
  it('leave their input unsorted, and percentile is monotone in p (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, p, q) => {
          const before = [...xs];
          const [lo, hi] = p <= q ? [p, q] : [q, p];
          expect(percentile(xs, lo)).toBeLessThanOrEqual(percentile(xs, hi));
          expect(median(xs)).toBeGreaterThanOrEqual(percentile(xs, 0));
          expect(median(xs)).toBeLessThanOrEqual(percentile(xs, 1));
          expect(xs).toEqual(before);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('seeded random', () => {
  // Pinned draws: the demo catalog, the simulated logs and the committed models were made with
  // these streams (sfc32 for the simulator, mulberry32 for the trainer); a change here changes them.
  it('keeps the streams the simulator and the trainer were built on', () => {
    const t = SeededRandom.fromInt(42);
    expect([t.next(), t.next(), t.int(1000)]).toEqual([0.6011037519201636, 0.44829055899754167, 852]);
    const s = SeededRandom.named('simulate:7');
    expect([s.next(), s.next(), s.int(1000)]).toEqual([0.10688086971640587, 0.011114600580185652, 36]);
    expect(SeededRandom.named('simulate:7').fork('x').next()).toBe(0.6012078069616109);
    expect(hash32('abc')).toBe(1181011423);
    expect(mulberry32(42)()).toBe(0.6011037519201636);
    expect(sfc32('simulate:7')()).toBe(0.10688086971640587);
  });
  it('forks by name, not by how much the parent has drawn', () => {
    const a = SeededRandom.named('root');
    const b = SeededRandom.named('root');
    for (let i = 0; i < 10; i++) b.next();
    expect(a.fork('child').next()).toBe(b.fork('child').next());
    expect(a.fork('child').next()).not.toBe(a.fork('other').next());
  });
  it('draws within the documented ranges', () => {
    const r = SeededRandom.fromInt(7);
    for (let i = 0; i < 1000; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      expect(r.int(5)).toBeLessThan(5);
      expect(r.weighted([0, 2, 0, 1])).not.toBe(0);
    }
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(r.sample(10, 4)).size).toBe(4);
    expect(() => r.pick([])).toThrow(RangeError);
    expect(() => r.weighted([0, 0])).toThrow(/at least one positive weight, got a total of 0/);
  });
});
