import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import {
  DEMO_CATALOG,
  SIM_EVENT_TYPES,
  fromJsonLines,
  makeCatalog,
  simulateShoppers,
  summarize,
  toCsv,
  toJsonLines,
  type SimEvent,
} from '@localrec/simulator';

const { events } = simulateShoppers({ seed: 3, catalog: makeCatalog(DEMO_CATALOG), shoppers: 80 });
const core = (e: SimEvent): Omit<SimEvent, 'sessionId' | 'data'> => {
  const { sessionId: _s, data: _d, ...rest } = e;
  return rest;
};

/** Arbitrary events, including ids that need CSV quoting. */
const arbEvent: fc.Arbitrary<SimEvent> = fc
  .record({
    user: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s.length > 0),
    item: fc.option(
      fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s.length > 0),
      { nil: undefined },
    ),
    ts: fc.integer({ min: 1e12, max: 2e12 }),
    type: fc.constantFrom(...SIM_EVENT_TYPES),
    sessionId: fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() === s && s.length > 0),
  })
  .map((e) => {
    const out: SimEvent = { user: e.user, ts: e.ts, type: e.type, sessionId: e.sessionId };
    if (e.item !== undefined) out.item = e.item;
    return out;
  });

describe('JSON Lines', () => {
  it('writes the trainer format: one {user,item,ts,type} object per line', () => {
    const text = toJsonLines(events);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(events.length);
    expect(text.endsWith('\n')).toBe(true);
    for (const r of lines.map((l) => JSON.parse(l) as Record<string, unknown>)) {
      expect(Object.keys(r)).toEqual(r.type === 'search' ? ['user', 'ts', 'type'] : ['user', 'item', 'ts', 'type']);
    }
  });

  it('round-trips: plain logs keep user/item/ts/type, extended logs keep sessions and data', () => {
    expect(fromJsonLines(toJsonLines(events))).toEqual(events.map(core));
    expect(fromJsonLines(toJsonLines(events, { extended: true }))).toEqual(events);
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 20 }), (evs) => {
        expect(fromJsonLines(toJsonLines(evs, { extended: true }))).toEqual(evs);
      }),
    );
  });

  it('names the line of a malformed row', () => {
    const text = `${toJsonLines(events.slice(0, 2))}{"user":"u1","ts":"soon","type":"view"}\n`;
    expect(() => fromJsonLines(text)).toThrow(/line 3/);
    expect(() => fromJsonLines('{oops\n')).toThrow(LocalRecError);
  });
});

describe('CSV', () => {
  it('writes header user,item,timestamp,type and parses back with a CSV library', () => {
    const text = toCsv(events);
    expect(text.split('\n')[0]).toBe('user,item,timestamp,type');
    const rows = parse<Record<string, string>>(text, { columns: true });
    expect(rows).toHaveLength(events.length);
    rows.forEach((r, i) => {
      const e = events[i]!;
      expect({ user: r.user, item: r.item || undefined, ts: Number(r.timestamp), type: r.type }).toEqual({
        user: e.user,
        item: e.item,
        ts: e.ts,
        type: e.type,
      });
    });
  });

  it('quotes fields that need it (property)', () => {
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 20 }), (evs) => {
        const rows = parse<Record<string, string>>(toCsv(evs, { extended: true }), { columns: true });
        expect(rows.map((r) => [r.user, r.item || undefined, Number(r.timestamp), r.type, r.session])).toEqual(
          evs.map((e) => [e.user, e.item, e.ts, e.type, e.sessionId]),
        );
      }),
    );
  });
});

describe('summarize', () => {
  it('counts what the log holds', () => {
    const s = summarize(events);
    expect(s.events).toBe(events.length);
    expect(s.users).toBe(80);
    expect(Object.values(s.byType).reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(s.sessions).toBe(new Set(events.map((e) => e.sessionId)).size);
    expect(s.perUser.min).toBeLessThanOrEqual(s.perUser.median);
    expect(s.perUser.median).toBeLessThanOrEqual(s.perUser.max);
    expect(s.perUser.mean * s.users).toBeCloseTo(events.length);
  });
});
