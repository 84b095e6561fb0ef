import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mulberry32, type EventType, type StoredEvent } from '@localrec/core';
import { detectAbnormal, isAbnormal, withoutAbnormal } from '../src/abnormal.js';
import { computeProfile } from '../src/profile.js';
import { HOUR, T0, ev } from './helpers.js';

/** Events at the given times (ms after T0), cycling through items. */
function stream(times: number[], items: string[] = ['a'], type: EventType = 'click'): StoredEvent[] {
  return times.map((t, i) => ev(type, items[i % items.length], T0 + t));
}

/**
 * A human-like history: sessions of 3–40 actions, log-normal think times (median 8 s), a view
 * sometimes followed within 0.3–2 s by a click or cart on the same item, impressions rendered in
 * batches, days between sessions.
 */
function humanStream(seed: number): StoredEvent[] {
  const r = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const out: StoredEvent[] = [];
  let t = T0;
  for (let s = 0; s < 15; s++) {
    t += HOUR * (2 + r() * 70);
    const n = 3 + Math.floor(r() * 38);
    for (let i = 0; i < n; i++) {
      t += Math.exp(Math.log(8000) + normal());
      const item = `i${Math.floor(r() * 200)}`;
      out.push(ev('view', item, t, { dwellMs: 1000 + r() * 30_000 }, `s${s}`));
      if (r() < 0.3) {
        t += 300 + r() * 1700;
        out.push(ev(r() < 0.7 ? 'click' : 'add_to_cart', item, t, {}, `s${s}`));
      }
      if (r() < 0.2) for (let k = 0; k < 10; k++) out.push(ev('impression', undefined, t + k, { items: [item] }, `s${s}`));
    }
  }
  return out;
}

describe('abnormal: each documented pattern', () => {
  it('flags a burst faster than a person: 20 clicks in 0.5 s', () => {
    const bot = stream(
      Array.from({ length: 20 }, (_, i) => 20_000 + i * 25),
      ['a', 'b', 'c', 'd'],
    );
    const human = stream([0, 4000, 9000, 15000], ['x', 'y'], 'view');
    const r = detectAbnormal([...human, ...bot], { now: T0 + HOUR });
    expect(r.counts.burst).toBe(20);
    for (const e of bot) expect(r.flags.get(e.uid)).toContain('burst');
    for (const e of human) expect(r.uids.has(e.uid)).toBe(false);
    expect([...r.seqs].sort((a, b) => a - b)).toEqual(bot.map((e) => e.seq));
  });

  it('flags a sustained flood over the 60 s window', () => {
    const flood = stream(
      Array.from({ length: 150 }, (_, i) => i * 350),
      ['p', 'q', 'r'],
    ); // ~2.9/s, never 9 per second
    const r = detectAbnormal(flood, { now: T0 + HOUR, metronome: false, crawl: false });
    expect(r.counts.burst).toBe(150);
    expect(detectAbnormal(flood.slice(0, 100), { now: T0 + HOUR, metronome: false, crawl: false }).counts.burst).toBe(0);
  });

  it('flags a stuck key: a long identical run, all but the first event', () => {
    const run = stream([0, 1200, 2500, 3300, 5000, 7000, 9100, 12000], ['same'], 'add_to_cart');
    const r = detectAbnormal(run, { now: T0 + HOUR });
    expect(r.counts.repeat).toBe(7);
    expect(r.uids.has(run[0]!.uid)).toBe(false);
    // Five in a row is still allowed, and a gap above 5 s breaks the run.
    expect(detectAbnormal(run.slice(0, 5), { now: T0 + HOUR }).counts.repeat).toBe(0);
    expect(detectAbnormal(stream([0, 1000, 2000, 9000, 10000, 11000], ['same']), { now: T0 + HOUR }).counts.repeat).toBe(0);
  });

  it('flags timer-driven events (a metronome) but not irregular ones at the same pace', () => {
    const timer = stream(
      Array.from({ length: 14 }, (_, i) => i * 10_000 + (i % 2) * 50),
      ['a', 'b', 'c'],
    );
    expect(detectAbnormal(timer, { now: T0 + HOUR }).counts.metronome).toBe(14);
    const jitter = [0, 7000, 19000, 26000, 41000, 48000, 60000, 73000, 79000, 92000, 104000, 110000, 125000, 131000];
    expect(detectAbnormal(stream(jitter, ['a', 'b', 'c']), { now: T0 + HOUR }).counts.metronome).toBe(0);
  });

  it('flags a crawl over many distinct items', () => {
    const times: number[] = [];
    for (let i = 0, t = 0; i < 40; i++) times.push((t += 900 + (i % 5) * 120));
    const sweep = stream(
      times,
      Array.from({ length: 40 }, (_, i) => `p${i}`),
      'view',
    );
    const r = detectAbnormal(sweep, { now: T0 + HOUR });
    expect(r.counts.crawl).toBe(40);
    expect(detectAbnormal(sweep.slice(0, 29), { now: T0 + HOUR }).counts.crawl).toBe(0);
    expect(detectAbnormal(sweep, { now: T0 + HOUR, crawl: false }).counts.crawl).toBe(0);
  });

  it('flags timestamps from the future', () => {
    const r = detectAbnormal(stream([0, 60 * 60_000, 2 * HOUR]), { now: T0 + 30 * 60_000 });
    expect(r.counts.future).toBe(2);
  });

  it('ignores impressions (the SDK records several at once) unless asked', () => {
    const imps = Array.from({ length: 30 }, (_, i) => ev('impression', undefined, T0 + i, { items: ['a'] }));
    expect(detectAbnormal(imps, { now: T0 + HOUR }).uids.size).toBe(0);
    expect(detectAbnormal(imps, { now: T0 + HOUR, ignoreTypes: [] }).counts.burst).toBe(30);
  });
});

describe("abnormal: what the SDK's declarative capture records for a grid", () => {
  // A category page: 28 cards become visible in one frame; a second later capture records them,
  // then the shopper clicks a card 0.4 s later and its product page records a view.
  const cards = Array.from({ length: 28 }, (_, i) => `c${i}`);
  const clickAndView = [ev('click', 'c5', T0 + 1400), ev('view', 'c5', T0 + 1500)];

  it('as one impression (the default): nothing flagged, the click and the view count', () => {
    const evs = [ev('impression', undefined, T0 + 1000, { items: cards, source: 'cat' }), ...clickAndView];
    const r = detectAbnormal(evs, { now: T0 + HOUR });
    expect(r.uids.size).toBe(0);
    expect(withoutAbnormal(evs, { now: T0 + HOUR }).events.map((e) => `${e.type}:${e.itemId}`)).toEqual([
      'impression:undefined',
      'click:c5',
      'view:c5',
    ]);
  });

  it('as 28 views in one instant (listExposure: "view"): a burst, and it takes the real click and view with it', () => {
    const evs = [...cards.map((id) => ev('view', id, T0 + 1000, { dwellMs: 1000 })), ...clickAndView];
    const r = detectAbnormal(evs, { now: T0 + HOUR });
    expect(r.counts.burst).toBe(30);
    expect(withoutAbnormal(evs, { now: T0 + HOUR }).events).toEqual([]);
  });
});

describe('abnormal: generated streams', () => {
  it('never flags human-like histories (200 simulated shoppers)', () => {
    let events = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const h = humanStream(seed);
      events += h.length;
      const r = detectAbnormal(h, { now: T0 + 400 * 24 * HOUR });
      expect({ seed, flagged: r.uids.size }).toEqual({ seed, flagged: 0 });
    }
    expect(events).toBeGreaterThan(200 * 15 * 3);
  });

  it('flags every event of a script clicking faster than 9 per second (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 110 }), { minLength: 9, maxLength: 300 }),
        fc.array(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 50 }),
        (gaps, items) => {
          let t = 0;
          const bot = stream(
            gaps.map((g) => (t += g)),
            items,
          );
          const r = detectAbnormal(bot, { now: T0 + 1e9 });
          return bot.every((e) => r.flags.get(e.uid)?.includes('burst'));
        },
      ),
    );
  });

  it('flags all but the first event of any long identical run (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 80 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 80, maxLength: 80 }),
        fc.constantFrom<EventType>('click', 'view', 'add_to_cart', 'like'),
        (n, gaps, type) => {
          let t = 0;
          const run = stream(
            gaps.slice(0, n).map((g) => (t += g)),
            ['stuck'],
            type,
          );
          const r = detectAbnormal(run, { now: T0 + 1e9, burst: false, metronome: false });
          return !r.uids.has(run[0]!.uid) && run.slice(1).every((e) => r.flags.get(e.uid)?.includes('repeat'));
        },
      ),
    );
  });

  it('does not flag unhurried streams without long identical runs (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 2000, max: 3_600_000 }), item: fc.integer({ min: 0, max: 30 }) }), { maxLength: 200 }),
        (steps) => {
          let t = 0;
          const evs = steps.map((s) => ev('view', `i${s.item}`, T0 + (t += s.gap)));
          // Perfectly even timing is a metronome by definition, so that rule is off here.
          const r = detectAbnormal(evs, { now: T0 + 1e12, metronome: false, repeat: { minRun: 6, maxGapMs: 5000 } });
          const longRun = evs.some(
            (_, i) =>
              i >= 5 && evs.slice(i - 5, i + 1).every((e, k, a) => e.itemId === a[0]!.itemId && (k === 0 || e.ts - a[k - 1]!.ts <= 5000)),
          );
          return longRun || r.uids.size === 0;
        },
      ),
    );
  });
});

describe('abnormal: keeping bots out of the profile', () => {
  it('a flood on one item does not become the top interest', () => {
    const human = [ev('purchase', 'kettle', T0), ev('click', 'pan', T0 + 60_000)];
    const bot = stream(
      Array.from({ length: 200 }, (_, i) => 120_000 + i * 20),
      ['spam'],
      'add_to_cart',
    );
    const all = [...human, ...bot];
    const dirty = computeProfile(all, undefined, { now: T0 + HOUR });
    expect(dirty.items[0]!.key).toBe('spam');
    const { events, report } = withoutAbnormal(all, { now: T0 + HOUR });
    expect(events).toEqual(human);
    const clean = computeProfile(all, undefined, { now: T0 + HOUR, exclude: report.uids });
    expect(clean.items.map((a) => a.key)).toEqual(['kettle', 'pan']);
    const stored = { ...human[0]!, flags: ['burst'] };
    expect(isAbnormal(stored)).toBe(true);
    expect(isAbnormal(human[1]!, report)).toBe(false);
  });
});
