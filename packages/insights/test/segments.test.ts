import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@localrec/core';
import { LocalRecError } from '@localrec/core';
import { bundleSegments, createSegmentSalt, getSegments, segmentScores, segmentWeek, type SegmentsResult } from '../src/segments.js';
import { computeProfile } from '../src/profile.js';
import { DAY, T0, ev } from './helpers.js';

const WEEK = 7 * DAY;
const LABELS = ['Kitchen', 'Garden', 'Toys', 'Books', 'Shoes', 'Music', 'Sports', 'Beauty', 'Pets', 'Tools'];
const vocab = Array.from({ length: 30 }, (_, i) => `sku-${i}`);
/** segments.json as the trainer writes it: item row r (1-based) is in segment (r - 1) % 10. */
const file = {
  version: 1,
  k: 10,
  dim: 4,
  segments: LABELS.map((label, id) => ({ id, label, size: 3 })),
  itemSegments: [-1, ...vocab.map((_, i) => i % 10)],
};
const bundle = bundleSegments(file, vocab);

const SCORES = [0, 5, 0, 9, 0, 0, 2, 1, 0, 0]; // top 3: Books, Garden, Sports
const TOP = [3, 1, 6];

describe('segments on the device', () => {
  it('maps a profile onto segments and returns at most the 3 strongest', () => {
    const profile = computeProfile(
      [
        ev('purchase', 'sku-3', T0),
        ev('purchase', 'sku-13', T0), // Books ×2
        ev('add_to_cart', 'sku-1', T0),
        ev('click', 'sku-6', T0),
        ev('view', 'sku-7', T0),
        ev('view', 'unknown', T0),
      ],
      undefined,
      { now: T0 },
    );
    expect(segmentScores(profile, bundle)).toEqual([0, 3, 0, 10, 0, 0, 1, 0.5, 0, 0]);
    const salt = createSegmentSalt(mulberry32(1));
    const r = getSegments(profile, bundle, { consent: 'granted', now: T0, salt, noiseRate: 0 });
    expect(r.segments).toEqual([
      { id: 3, label: 'Books' },
      { id: 1, label: 'Garden' },
      { id: 6, label: 'Sports' },
    ]);
    expect(getSegments([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bundle, { consent: true, now: T0, salt, noiseRate: 0 }).segments).toEqual([]);
  });

  it('answers only with consent', () => {
    const salt = createSegmentSalt(mulberry32(2));
    for (const consent of ['denied', 'pending', false] as const) {
      let err: unknown;
      try {
        getSegments(SCORES, bundle, { consent, now: T0, salt });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LocalRecError);
      expect((err as LocalRecError).code).toBe('CONSENT_REQUIRED');
    }
    expect(() => getSegments(SCORES, bundle, { consent: true, now: T0, salt: 'short' })).toThrow(/salt/);
  });

  it('adds a random segment in 5 % of calls (20,000 devices × weeks, fixed seed)', () => {
    const rnd = mulberry32(42);
    const trials = 20_000;
    let noisy = 0;
    let emptyNoisy = 0;
    const seen = new Array<number>(10).fill(0);
    for (let t = 0; t < trials; t++) {
      const salt = createSegmentSalt(rnd);
      const now = T0 + Math.floor(rnd() * 520) * WEEK;
      const ids = getSegments(SCORES, bundle, { consent: true, now, salt }).segments.map((s) => s.id);
      expect(ids.length).toBe(3);
      const extra = ids.filter((id) => !TOP.includes(id));
      if (extra.length) {
        noisy++;
        seen[extra[0]!]!++;
      }
      // A shopper with no interests gets a random segment just as often.
      if (getSegments(new Array(10).fill(0), bundle, { consent: true, now, salt }).segments.length) emptyNoisy++;
    }
    const sd = Math.sqrt((0.05 * 0.95) / trials); // 0.0015
    expect(Math.abs(noisy / trials - 0.05)).toBeLessThan(4 * sd);
    expect(Math.abs(emptyNoisy / trials - 0.05)).toBeLessThan(4 * sd);
    // The noise segment is uniform over the other 7 segments.
    for (const id of [0, 2, 4, 5, 7, 8, 9]) expect(seen[id]! / noisy).toBeGreaterThan(0.1);
    for (const id of TOP) expect(seen[id]).toBe(0);
  });

  it('is stable for a week (even as interests change) and varies across weeks', () => {
    const salt = createSegmentSalt(mulberry32(7));
    const start = segmentWeek(T0, salt);
    // Find the first instant of the next device week.
    let t0 = T0;
    while (segmentWeek(t0, salt) === start) t0 += 3_600_000;
    const opts = { consent: true as const, salt, noiseRate: 0.5 };
    let previous: SegmentsResult | undefined;
    const answers = new Set<string>();
    for (let h = 0; h < 7 * 24; h += 5) {
      const drifting = SCORES.map((s, i) => (i === 9 ? h : s)); // a new interest grows during the week
      const r = getSegments(drifting, bundle, { ...opts, now: t0 + h * 3_600_000, previous });
      previous = r;
      answers.add(JSON.stringify(r));
    }
    expect(answers.size).toBe(1);
    // Without a cached answer, the same interests in the same week give the same answer (no re-rolling).
    const a = getSegments(SCORES, bundle, { ...opts, now: t0 + 1000 });
    const b = getSegments(SCORES, bundle, { ...opts, now: t0 + 6 * DAY });
    expect(b).toEqual(a);
    // The next week is drawn afresh: over 40 weeks the noise (rate 0.5) changes the answer.
    const weekly = new Set<string>();
    for (let w = 0; w < 40; w++) weekly.add(JSON.stringify(getSegments(SCORES, bundle, { ...opts, now: t0 + w * WEEK }).segments));
    expect(weekly.size).toBeGreaterThan(5);
    // A previous answer drawn with another salt is not reused.
    const other = createSegmentSalt(mulberry32(8));
    expect(getSegments(SCORES, bundle, { ...opts, salt: other, now: t0, previous: a }).saltTag).not.toBe(a.saltTag);
  });

  it('shifts the week boundary per device', () => {
    const offsets = new Set<number>();
    const rnd = mulberry32(9);
    for (let i = 0; i < 20; i++) {
      const salt = createSegmentSalt(rnd);
      let t = T0;
      const w = segmentWeek(t, salt);
      while (segmentWeek(t, salt) === w) t += 3_600_000;
      offsets.add(t % WEEK);
    }
    expect(offsets.size).toBeGreaterThan(15);
  });

  it('rejects a malformed segments.json', () => {
    expect(() => bundleSegments({ segments: [] }, vocab)).toThrow(/itemSegments/);
    expect(() => bundleSegments({ ...file, itemSegments: [-1] }, vocab)).toThrow(/expected vocab length \+ 1 = 31/);
    expect(() => bundleSegments({ ...file, segments: [{ id: 1, label: 'x' }] }, vocab)).toThrow(/segments\[0\]/);
  });

  it('makes salts from crypto by default', () => {
    const a = createSegmentSalt();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(createSegmentSalt()).not.toBe(a);
  });
});
