import { describe, expect, it } from 'vitest';
import type { ItemMeta } from '@localrec/core';
import { ProfileAccumulator, affinityOf, computeProfile, eventWeight, priceBandOf, type ProfileState } from '../src/profile.js';
import { DAY, HOUR, T0, ev } from './helpers.js';

const catalog: Record<string, ItemMeta> = {
  kettle: { category: 'kitchen', brand: 'Acme', price: 30 },
  pan: { category: 'kitchen', brand: 'Chef', price: 60 },
  tent: { category: 'outdoor', brand: 'Trail', price: 300 },
  lamp: { category: 'home', brand: 'Acme', price: 8 },
  boots: { category: 'shoes', brand: 'Trail', price: 120 },
};

describe('profile: weights and decay', () => {
  it('ranks event types purchase > cart > like > click > view with the documented weights', () => {
    const events = [
      ev('view', 'lamp', T0),
      ev('click', 'boots', T0),
      ev('like', 'tent', T0),
      ev('add_to_cart', 'pan', T0),
      ev('purchase', 'kettle', T0),
    ];
    const p = computeProfile(events, catalog, { now: T0, utcOffsetMinutes: 0 });
    expect(p.items.map((a) => [a.key, a.score])).toEqual([
      ['kettle', 5],
      ['pan', 3],
      ['tent', 2],
      ['boots', 1],
      ['lamp', 0.5],
    ]);
    expect(p.categories.map((a) => a.key)).toEqual(['kitchen', 'outdoor', 'shoes', 'home']);
    expect(p.categories[0]!.score).toBe(8);
    expect(p.categories.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1, 12);
    expect(p.brands.map((a) => [a.key, a.score])).toEqual([
      ['Acme', 5.5],
      ['Chef', 3],
      ['Trail', 3],
    ]);
    expect(affinityOf(p.categories, 'kitchen')).toBeCloseTo(8 / 11.5, 12);
    expect(affinityOf(p.categories, 'garden')).toBe(0);
  });

  it('applies the special rules: quantity, ratings, bounces, removals', () => {
    expect(eventWeight({ type: 'purchase', data: { quantity: 2 } })).toBe(10);
    expect(eventWeight({ type: 'purchase', data: { quantity: 50 } })).toBe(15);
    expect(eventWeight({ type: 'rate', data: { rating: 5 } })).toBe(2);
    expect(eventWeight({ type: 'rate', data: { rating: 1 } })).toBe(-2);
    expect(eventWeight({ type: 'view', data: { dwellMs: 500 } })).toBe(0.25);
    expect(eventWeight({ type: 'search', data: { query: 'x' } })).toBe(0);
    const one = computeProfile([ev('add_to_cart', 'pan', T0), ev('remove_from_cart', 'pan', T0)], catalog, { now: T0 });
    expect(one.items).toEqual([{ key: 'pan', score: 1, share: 1 }]); // 3 − 2
    const gone = computeProfile(
      [ev('add_to_cart', 'pan', T0), ev('remove_from_cart', 'pan', T0), ev('remove_from_cart', 'pan', T0)],
      catalog,
      { now: T0 },
    );
    expect(gone.items).toEqual([]); // 3 − 4 < 0 reads as no interest
  });

  it('decays with the configured half-life', () => {
    const acc = new ProfileAccumulator({ halfLifeDays: 7 });
    acc.add([ev('click', 'kettle', T0)]);
    expect(acc.profile(catalog, T0).items[0]!.score).toBeCloseTo(1, 12);
    expect(acc.profile(catalog, T0 + 7 * DAY).items[0]!.score).toBeCloseTo(0.5, 12);
    expect(acc.profile(catalog, T0 + 21 * DAY).items[0]!.score).toBeCloseTo(0.125, 12);
    // An old purchase loses to a fresh click once enough half-lives pass: 5·2^-3 = 0.625 < 1.
    const acc2 = new ProfileAccumulator({ halfLifeDays: 7 });
    acc2.add([ev('purchase', 'tent', T0), ev('click', 'kettle', T0 + 21 * DAY)]);
    expect(acc2.profile(catalog, T0 + 21 * DAY).categories.map((a) => a.key)).toEqual(['kitchen', 'outdoor']);
  });

  it('stays exact across years of events with a short half-life (rebasing)', () => {
    const acc = new ProfileAccumulator({ halfLifeDays: 1 });
    const ts = [0, 400, 800, 1200, 1500].map((d) => T0 + d * DAY);
    acc.add(ts.map((t) => ev('click', 'kettle', t)));
    const now = T0 + 1501 * DAY;
    const expected = ts.reduce((a, t) => a + 2 ** (-(now - t) / DAY), 0);
    const got = acc.profile(catalog, now).items[0]!.score;
    expect(Number.isFinite(got)).toBe(true);
    expect(got).toBeCloseTo(expected, 12);
  });
});

describe('profile: incremental and cached', () => {
  const history = () => {
    const out = [];
    const items = Object.keys(catalog);
    const types = ['view', 'click', 'like', 'add_to_cart', 'purchase', 'view', 'view'] as const;
    for (let i = 0; i < 60; i++) {
      out.push(
        ev(
          types[i % types.length]!,
          items[(i * 7) % items.length],
          T0 + i * 5 * HOUR + (i % 3) * 60_000,
          i % 5 === 4 ? { price: 10 + i } : {},
          `s${Math.floor(i / 4)}`,
        ),
      );
    }
    return out;
  };

  it('folding in chunks through a JSON round trip equals one batch computation', () => {
    const events = history();
    const now = T0 + 20 * DAY;
    const batch = computeProfile(events, catalog, { now, utcOffsetMinutes: 60 });
    let state: ProfileState | undefined;
    for (let i = 0; i < events.length; i += 7) {
      const acc = new ProfileAccumulator({ utcOffsetMinutes: 60 }, state);
      acc.add(events.slice(i, i + 7));
      state = JSON.parse(JSON.stringify(acc.toJSON())) as ProfileState;
    }
    const inc = new ProfileAccumulator({ utcOffsetMinutes: 60 }, state).profile(catalog, now);
    expect(inc.activeHours).toEqual(batch.activeHours);
    expect(inc.purchases).toEqual(batch.purchases);
    expect(inc.sessions).toEqual(batch.sessions);
    expect(inc.recent).toEqual(batch.recent);
    expect(inc.categories.map((a) => a.key)).toEqual(batch.categories.map((a) => a.key));
    inc.categories.forEach((a, i) => expect(a.score).toBeCloseTo(batch.categories[i]!.score, 10));
  });

  it('ignores events it has already folded in, and a state with another half-life', () => {
    const events = history();
    const acc = new ProfileAccumulator();
    expect(acc.add(events)).toBe(events.length);
    const before = acc.toJSON();
    expect(acc.add(events.slice(10, 30))).toBe(0);
    expect(acc.toJSON()).toEqual(before);
    expect(new ProfileAccumulator({ halfLifeDays: 3 }, before).lastSeq).toBe(-1);
    expect(new ProfileAccumulator({}, { ...before, hours: [1, 2] }).lastSeq).toBe(-1);
    expect(new ProfileAccumulator({}, null as unknown as ProfileState).lastSeq).toBe(-1);
    expect(new ProfileAccumulator().toJSON()).toEqual(JSON.parse(JSON.stringify(new ProfileAccumulator().toJSON())));
  });

  it('leaves out flagged events and excluded uids', () => {
    const bot = ev('click', 'tent', T0);
    bot.flags = ['burst'];
    const excluded = ev('purchase', 'boots', T0);
    const p = computeProfile([bot, excluded, ev('view', 'lamp', T0)], catalog, { now: T0, exclude: new Set([excluded.uid]) });
    expect(p.eventCount).toBe(1);
    expect(p.items.map((a) => a.key)).toEqual(['lamp']);
    expect(p.purchases.count).toBe(0);
    const acc = new ProfileAccumulator();
    const later = ev('purchase', 'tent', T0);
    expect(acc.add([later, ev('view', 'lamp', T0)], new Set([later.uid]))).toBe(1);
  });
});

describe('profile: habits', () => {
  it('builds active hours and days in local time', () => {
    // 2024-01-01T10:00Z is 18:00 on Monday in UTC+8; 2024-01-06T20:00Z is 04:00 Sunday in UTC+8.
    const p = computeProfile(
      [ev('view', 'lamp', T0 + 10 * HOUR), ev('view', 'lamp', T0 + 10 * HOUR + 5000), ev('click', 'lamp', T0 + 5 * DAY + 20 * HOUR)],
      catalog,
      { now: T0 + 6 * DAY, utcOffsetMinutes: 480 },
    );
    expect(p.activeHours[18]).toBe(2);
    expect(p.activeHours[4]).toBe(1);
    expect(p.activeHours.reduce((a, b) => a + b, 0)).toBe(3);
    expect(p.activeDays).toEqual([1, 2, 0, 0, 0, 0, 0]);
  });

  it('measures purchase cadence by occasion', () => {
    const p = computeProfile(
      [
        ev('purchase', 'kettle', T0),
        ev('purchase', 'pan', T0 + 10 * 60_000), // same occasion
        ev('purchase', 'lamp', T0 + 10 * DAY),
        ev('purchase', 'lamp', T0 + 20 * DAY),
        ev('purchase', 'tent', T0 + 50 * DAY),
      ],
      catalog,
      { now: T0 + 51 * DAY },
    );
    expect(p.purchases.count).toBe(5);
    expect(p.purchases.occasions).toBe(4);
    expect(p.purchases.meanDaysBetween).toBeCloseTo(50 / 3, 12);
    expect(p.purchases.medianDaysBetween).toBe(10);
    expect(p.purchases.lastPurchaseAt).toBe(T0 + 50 * DAY);
    expect(p.purchases.nextExpectedAt).toBe(T0 + 60 * DAY);
  });

  it('summarises sessions and recent interests', () => {
    const p = computeProfile(
      [
        ev('view', 'lamp', T0, {}, 'a'),
        ev('view', 'pan', T0 + 60_000, {}, 'a'),
        ev('click', 'pan', T0 + 120_000, {}, 'a'),
        ev('view', 'tent', T0 + DAY, {}, 'b'),
        ev('view', 'lamp', T0 + DAY + 600_000, {}, 'b'),
        ev('search', undefined, T0 + DAY + 700_000, { query: 'boots' }, 'b'),
      ],
      catalog,
      { now: T0 + 2 * DAY },
    );
    expect(p.sessions.count).toBe(2);
    expect(p.sessions.meanEvents).toBe(3);
    expect(p.sessions.meanDurationMs).toBe((120_000 + 700_000) / 2);
    expect(p.sessions.lastSessionAt).toBe(T0 + DAY + 700_000);
    expect(p.recent.items).toEqual(['lamp', 'tent', 'pan']);
    expect(p.recent.categories).toEqual(['home', 'outdoor', 'kitchen']);
  });

  it('degrades gracefully without catalog metadata', () => {
    const events = [ev('purchase', 'x1', T0, { price: 42 }), ev('click', 'x2', T0)];
    const p = computeProfile(events, undefined, { now: T0 });
    expect(p.categories).toEqual([]);
    expect(p.brands).toEqual([]);
    expect(p.items.map((a) => a.key)).toEqual(['x1', 'x2']);
    expect(p.priceBands).toEqual([{ key: '25–50', score: 5, share: 1 }]); // from the event's own price
    expect(p.metadataCoverage).toBe(0);
    expect(computeProfile(events, { x1: { category: 'c' } }, { now: T0 }).metadataCoverage).toBeCloseTo(5 / 6, 12);
  });

  it('labels price bands', () => {
    expect(priceBandOf(5)).toBe('<10');
    expect(priceBandOf(10)).toBe('10–25');
    expect(priceBandOf(499)).toBe('250–500');
    expect(priceBandOf(9000)).toBe('≥500');
    expect(priceBandOf(3, [])).toBe('all');
  });
});
