/**
 * Result feedback helpers: what `shown()` and `clicked()` record, that core's event validation
 * accepts it, and — with the real runtime on the tiny bundle — that the re-ranker learns from it.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore, validateEvent, type RecommendResult, type TrackData } from '@localrec/core';
import { withFeedback } from '../src/feedback.js';
import { withFeedback as fromIndex } from '../src/index.js';
import type { Runtime } from '../src/runtime.js';
import { idOf, makeTinyBundle, tinyRuntime, type TinyBundle } from './fixture.js';

const result = (n: number): RecommendResult => ({
  items: Array.from({ length: n }, (_, i) => ({
    itemId: `sku-${i + 1}`,
    score: n - i,
    reason: { kind: 'popular', text: 'Popular right now' },
    source: 'popular' as const,
  })),
  source: 'fallback',
  fallbackReason: 'no-history',
  tookMs: 1.5,
});

/** A `track` that records calls and, like the SDK, validates them (throws on a shape core refuses). */
function recorder(): { calls: Array<[string, TrackData]>; track: (type: string, data: TrackData) => string } {
  const calls: Array<[string, TrackData]> = [];
  return {
    calls,
    track: (type, data) => {
      validateEvent(type, data, Date.now());
      calls.push([type, data]);
      return `ok:${calls.length}`;
    },
  };
}

describe('withFeedback', () => {
  it('is exported from the package entry', () => {
    expect(fromIndex).toBe(withFeedback);
  });

  it('shown() records one impression of the items in display order, once per result', () => {
    const { calls, track } = recorder();
    const res = withFeedback(result(4), track, 'home-for-you');
    expect(calls).toEqual([]); // wrapping records nothing
    expect(res.shown()).toBe('ok:1'); // track's return value is passed through
    expect(res.shown()).toBeUndefined();
    expect(calls).toEqual([
      ['impression', { items: ['sku-1', 'sku-2', 'sku-3', 'sku-4'], source: 'home-for-you', context: { listId: 'home-for-you' } }],
    ]);
    // Another result of the same list is a new showing.
    withFeedback(result(2), track, 'home-for-you').shown();
    expect(calls).toHaveLength(2);
  });

  it('clicked() records a click with list and position, after the impression if none was recorded', () => {
    const { calls, track } = recorder();
    const res = withFeedback(result(5), track, 'similar');
    expect(res.items[3]!.clicked()).toBe('ok:2');
    expect(calls).toEqual([
      ['impression', { items: ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5'], source: 'similar', context: { listId: 'similar' } }],
      ['click', { itemId: 'sku-4', context: { listId: 'similar', position: 3 } }],
    ]);
    res.shown();
    res.items[0]!.clicked();
    res.items[0]!.clicked(); // every call is a click
    expect(calls.map(([t, d]) => `${t}:${d.itemId ?? ''}:${d.context?.position ?? ''}`)).toEqual([
      'impression::',
      'click:sku-4:3',
      'click:sku-1:0',
      'click:sku-1:0',
    ]);
  });

  it('the helpers are non-enumerable: the result still serialises, spreads and compares as the plain result; the input is unchanged', () => {
    const plain = result(3);
    const before = JSON.stringify(plain);
    const res = withFeedback(plain, () => undefined, 'l');
    expect(JSON.stringify(res)).toBe(before);
    expect(res).toEqual(plain);
    expect(Object.keys(res).sort()).toEqual(Object.keys(plain).sort());
    expect(Object.keys(res.items[0]!).sort()).toEqual(['itemId', 'reason', 'score', 'source']);
    expect(structuredClone(res)).toEqual(plain);
    expect(res.listId).toBe('l');
    expect(JSON.stringify(plain)).toBe(before);
    expect('shown' in plain || 'clicked' in plain.items[0]!).toBe(false);
    expect(res.items[0]).not.toBe(plain.items[0]);
  });

  it('an empty result records nothing; a list longer than an impression accepts records its first 100 ids', () => {
    const { calls, track } = recorder();
    expect(withFeedback(result(0), track, 'x').shown()).toBeUndefined();
    expect(calls).toEqual([]);
    const long = withFeedback(result(130), track, 'x');
    long.items[120]!.clicked();
    expect(calls[0]![1].items).toHaveLength(100);
    expect(calls[1]).toEqual(['click', { itemId: 'sku-121', context: { listId: 'x', position: 120 } }]);
  });

  it('refuses a bad listId or track, naming it', () => {
    for (const bad of ['', '  ', 'a\nb', 'x'.repeat(129), 7, undefined]) {
      expect(() => withFeedback(result(1), () => undefined, bad as string)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'listId' }),
      );
    }
    expect(() => withFeedback(result(1), 'track' as never, 'ok')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'track' }),
    );
  });
});

describe('withFeedback + the runtime: the re-ranker learns from what the helpers record', () => {
  let tiny: TinyBundle;
  beforeAll(async () => {
    tiny = await makeTinyBundle();
  }, 120_000);
  afterAll(() => {
    if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
  });

  it('impressions via shown() and clicks via clicked() become observations and move the order', async () => {
    const store = new MemoryEventStore();
    let seq = 0;
    // What LocalRec.track does, minus batching: validate, then store (the runtime reads the store itself).
    const track = (type: string, data: TrackData): Promise<unknown> => {
      const v = validateEvent(type, data, Date.now());
      return store.append([{ ...v, uid: `u${++seq}`, sessionId: 's1' }]);
    };
    const t0 = Date.now() - 3 * 3_600_000;
    await store.append(
      [10, 11, 12, 13, 14].map((r, i) => ({
        uid: `h${i}`,
        type: 'view' as const,
        ts: t0 + i * 40_000,
        sessionId: 's0',
        itemId: idOf(r),
        data: {},
      })),
    );
    const make = async (insights?: object): Promise<Runtime> => {
      return tinyRuntime(tiny, store, insights ? { insights } : {});
    };
    const rt = await make({});
    const plain = await make();
    const rounds = 30;
    for (let r = 0; r < rounds; r++) {
      const res = withFeedback(await rt.recommend({ k: 10 }), track, 'home');
      await res.shown();
      await res.items[9]!.clicked(); // always the last one shown: the opposite of the model
    }
    await rt.recommend({ k: 10 });
    const p = await rt.getProfile();
    // Every impression but the newest was superseded by the next one of the same list and learned.
    expect(p.feedback.observations).toBe((rounds - 1) * 10);
    expect(p.feedback.weights.modelScore).toBeLessThan(2); // the prior is 2
    const ids = (x: RecommendResult) => x.items.map((i) => i.itemId);
    expect(ids(await rt.recommend({ k: 10 }))).not.toEqual(ids(await plain.recommend({ k: 10 })));
    await rt.dispose();
    await plain.dispose();
  }, 120_000);
});
