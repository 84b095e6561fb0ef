// Declarative capture's pure parts: how the cards of lists seen together become impressions, and
// the option checks. The observers themselves run in real Chromium (test/e2e/sdk.test.ts).
import { describe, expect, test } from 'vitest';
import { LocalRecError, validateEvent } from '@localrec/core';
import { checkCaptureOptions, impressionsOf } from '../src/capture.js';

describe('impressionsOf', () => {
  test('one impression per list, items by position, the first position in the context', () => {
    const got = impressionsOf([
      { id: 'b', list: 'grid', position: 1 },
      { id: 'x', list: 'recs', position: 3 },
      { id: 'a', list: 'grid', position: 0 },
      { id: 'solo' }, // outside any list: not an impression
      { id: 'c', list: 'grid', position: 2 },
    ]);
    expect(got).toEqual([
      { items: ['a', 'b', 'c'], source: 'grid', context: { listId: 'grid', position: 0 } },
      { items: ['x'], source: 'recs', context: { listId: 'recs', position: 3 } },
    ]);
  });

  test('cards without a position keep document order after the positioned ones; no position, no context position', () => {
    expect(
      impressionsOf([
        { id: 'p', list: 'l' },
        { id: 'q', list: 'l', position: 4 },
        { id: 'r', list: 'l' },
      ]),
    ).toEqual([{ items: ['q', 'p', 'r'], source: 'l', context: { listId: 'l', position: 4 } }]);
    expect(impressionsOf([{ id: 'p', list: 'l' }])).toEqual([{ items: ['p'], source: 'l', context: { listId: 'l' } }]);
  });

  test('a list of 250 cards is split into impressions of at most 100 ids, each a valid event', () => {
    const seen = Array.from({ length: 250 }, (_, i) => ({ id: `i${i}`, list: 'big', position: i }));
    const got = impressionsOf(seen);
    expect(got.map((d) => d.items!.length)).toEqual([100, 100, 50]);
    expect(got.map((d) => d.context!.position)).toEqual([0, 100, 200]);
    expect(got.flatMap((d) => d.items)).toEqual(seen.map((s) => s.id));
    for (const d of got) expect(() => validateEvent('impression', d, Date.now())).not.toThrow();
  });

  test('nothing seen, nothing recorded', () => {
    expect(impressionsOf([])).toEqual([]);
    expect(impressionsOf([{ id: 'solo' }])).toEqual([]);
  });
});

describe('checkCaptureOptions', () => {
  test('defaults', () => {
    expect(checkCaptureOptions({})).toEqual({ visibleRatio: 0.5, dwellMs: 1000, listExposure: 'impression' });
    expect(checkCaptureOptions({ listExposure: 'view', dwellMs: 0, visibleRatio: 1 })).toEqual({
      visibleRatio: 1,
      dwellMs: 0,
      listExposure: 'view',
    });
  });

  test.each([
    ['listExposure', { listExposure: 'views' }, '"impression" or "view"'],
    ['visibleRatio', { visibleRatio: 0 }, '(0, 1]'],
    ['visibleRatio', { visibleRatio: '0.5' }, '(0, 1]'],
    ['dwellMs', { dwellMs: -1 }, '[0, 60000]'],
    ['dwellMs', { dwellMs: Number.NaN }, '[0, 60000]'],
  ])('bad %s → INVALID_CONFIG naming autoCapture.%s and the accepted values', (field, options, accepted) => {
    let err: unknown;
    try {
      checkCaptureOptions(options as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LocalRecError);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', field: `autoCapture.${field}` });
    expect((err as Error).message).toContain(accepted);
  });
});
