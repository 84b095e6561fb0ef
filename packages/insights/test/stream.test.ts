/**
 * The stream logic moved from the runtime (issue 11): settling, seq runs, the feedback loop on
 * served lists, one fold step and the list feature context — tested here on their own, without
 * a model or a store (the runtime's insights test covers them end to end).
 */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@localrec/core';
import {
  ProfileAccumulator,
  Reranker,
  addSeqs,
  foldEvents,
  inRuns,
  isStreamState,
  joinGapMs,
  listFeatureContext,
  matchServed,
  newStreamState,
  observeFeedback,
  popularityTable,
  rankList,
  runsSize,
  settle,
  type RerankFeatures,
  type ServedList,
} from '../src/index.js';
import { T0, ev } from './helpers.js';

const F: RerankFeatures = { modelScore: 1, categoryAffinity: 0, priceAffinity: 0, recency: 0, popularity: 0, socialProof: 0 };
const withCtx = (e: StoredEvent, listId: string): StoredEvent => ({ ...e, context: { listId } });

describe('settle and seq runs', () => {
  it('joinGapMs is the widest gap any abnormal rule joins (60 s by default), or what the options say', () => {
    expect(joinGapMs()).toBe(60_000);
    expect(
      joinGapMs({
        burst: [{ windowMs: 1_000, maxEvents: 5 }],
        metronome: false as never,
        repeat: { maxGapMs: 90_000, minCount: 5 } as never,
      }),
    ).toBe(90_000);
  });

  it('settles the events before the last quiet gap, as a seq prefix', () => {
    const a = ev('view', 'a', T0);
    const b = ev('view', 'b', T0 + 1_000);
    const c = ev('view', 'c', T0 + 200_000); // after a gap > 60 s
    const d = ev('view', 'd', T0 + 201_000);
    const { settled, pending } = settle([d, b, c, a], T0 + 202_000, 60_000);
    expect(settled.map((e) => e.itemId)).toEqual(['a', 'b']);
    expect(pending.map((e) => e.itemId)).toEqual(['c', 'd']);
    // Quiet since the newest event: everything is settled.
    expect(settle([a, b, c, d], T0 + 400_000, 60_000).settled).toHaveLength(4);
    // Bounded: past maxOpen the oldest are settled.
    const many = Array.from({ length: 10 }, (_, i) => ev('view', `x${i}`, T0 + i));
    expect(settle(many, T0 + 10, 60_000, 4).settled).toHaveLength(8);
  });

  it('runs merge adjacent and overlapping seqs, count them and find them', () => {
    const runs = addSeqs(addSeqs([], [5, 3, 4, 10]), [11, 12, 20]);
    expect(runs).toEqual([
      [3, 5],
      [10, 12],
      [20, 20],
    ]);
    expect(runsSize(runs)).toBe(7);
    expect([2, 3, 5, 6, 11, 19, 20, 21].map((s) => inRuns(runs, s))).toEqual([false, true, true, false, true, false, true, false]);
  });
});

describe('feedback on served lists', () => {
  const served: ServedList[] = [{ at: T0, itemIds: ['a', 'b', 'c'], features: [F, { ...F, modelScore: 0.5 }, { ...F, modelScore: 0 }] }];

  it('matches an impression to the most recent served list holding all its items, else nothing', () => {
    expect(matchServed(served, ['c', 'a'], T0 + 1)).toEqual([served[0]!.features[2], served[0]!.features[0]]);
    expect(matchServed(served, ['a', 'z'], T0 + 1)).toBeUndefined();
    expect(matchServed(served, ['a'], T0 - 10_000)).toBeUndefined(); // served after the impression
  });

  it('a click marks its item; a purchase resolves the list; an unserved list teaches nothing', () => {
    const imp = withCtx(ev('impression', undefined, T0 + 10, { items: ['a', 'b'] }), 'home');
    const click = ev('click', 'b', T0 + 20);
    const step = observeFeedback([], [imp, click], served, T0 + 30, 60_000);
    expect(step.resolved).toEqual([]);
    expect(step.pending).toHaveLength(1);
    expect(step.pending[0]).toMatchObject({ key: 'home', itemIds: ['a', 'b'], clicked: [false, true] });
    const buy = ev('purchase', 'a', T0 + 40);
    const done = observeFeedback(step.pending, [buy], served, T0 + 50, 60_000);
    expect(done.pending).toEqual([]);
    expect(done.resolved[0]).toMatchObject({ clicked: [true, true] });
    const stranger = withCtx(ev('impression', undefined, T0 + 10, { items: ['y', 'z'] }), 'home');
    expect(observeFeedback([], [stranger], served, T0 + 30, 60_000)).toEqual({ pending: [], resolved: [] });
  });

  it('the window ends an impression; a newer impression of the same list supersedes it', () => {
    const first = withCtx(ev('impression', undefined, T0 + 10, { items: ['a'] }), 'home');
    const second = withCtx(ev('impression', undefined, T0 + 20, { items: ['b'] }), 'home');
    const step = observeFeedback([], [first, second], served, T0 + 30, 60_000);
    expect(step.resolved.map((p) => p.itemIds)).toEqual([['a']]);
    expect(step.pending.map((p) => p.itemIds)).toEqual([['b']]);
    expect(observeFeedback(step.pending, [], served, T0 + 100_000, 60_000).resolved.map((p) => p.itemIds)).toEqual([['b']]);
  });

  it("rankList keeps the blended order of a re-ranker without feedback and returns each item's features", () => {
    const items = [
      { itemId: 'a', score: 0.9, source: 'model' as const, reason: { kind: 'popular' as const, text: '' } },
      { itemId: 'b', score: 0.1, source: 'model' as const, reason: { kind: 'popular' as const, text: '' } },
    ];
    const snapshot = foldEvents(
      { state: newStreamState(new ProfileAccumulator()), acc: new ProfileAccumulator(), reranker: new Reranker() },
      { events: [], served: [], now: T0 },
    ).snapshot;
    const ctx = listFeatureContext({ snapshot, catalog: {}, social: undefined, now: T0, popularity: new Map([['b', 1]]) });
    const r = rankList(items, ctx, new Reranker());
    expect(r.items.map((i) => i.itemId)).toEqual(['a', 'b']);
    expect(r.features.map((f) => [f.modelScore, f.popularity])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});

describe('one fold step', () => {
  it('folds settled events for good, keeps open ones provisional, and says when the state changed', () => {
    const acc = new ProfileAccumulator();
    const state = newStreamState(acc);
    expect(isStreamState(state)).toBe(true);
    expect(isStreamState({ ...state, version: 2 })).toBe(false);
    const reranker = new Reranker();
    const old = ev('view', 'a', T0);
    const open = ev('view', 'b', T0 + 100_000);
    const now = T0 + 100_500;
    const first = foldEvents({ state, acc, reranker }, { events: [old, open], served: [], now });
    expect(first.changed).toBe(true);
    expect(acc.lastSeq).toBe(old.seq); // only the settled event is in the stored accumulator
    expect(state.sinceTs).toBe(open.ts); // the next read starts at the open event
    expect(Object.keys(state.profile.items)).toEqual(['a']);
    expect(Object.keys(first.snapshot.state.items).sort()).toEqual(['a', 'b']); // the open one provisionally
    expect(first.snapshot.excluded).toBe(0);
    // The same open event again: nothing to store.
    const again = foldEvents({ state, acc, reranker }, { events: [open], served: [], now: now + 1 });
    expect(again.changed).toBe(false);
  });

  it('abnormal events are kept out and counted', () => {
    const acc = new ProfileAccumulator();
    const state = newStreamState(acc);
    // A crawl: 40 distinct items 100 ms apart.
    const bot = Array.from({ length: 40 }, (_, i) => ev('view', `c${i}`, T0 + i * 100));
    const { snapshot } = foldEvents({ state, acc, reranker: new Reranker() }, { events: bot, served: [], now: T0 + 3_600_000 });
    expect(snapshot.anyAbnormal).toBe(true);
    expect(snapshot.excluded).toBeGreaterThan(0);
    expect(snapshot.isAbnormal(bot[10]!.seq)).toBe(true);
    expect(runsSize(state.abnormal)).toBe(snapshot.excluded);
  });
});

describe('popularity and the list feature context', () => {
  it('popularity is relative to the most popular item; unknown rows are skipped', () => {
    const m = popularityTable(['a', 'b', 'c'], Int32Array.from([2, 1, 9]), Float32Array.from([4, 2, 1]));
    expect([...m]).toEqual([
      ['b', 1],
      ['a', 0.5],
    ]);
    expect(popularityTable(['a'], [1], [0]).size).toBe(0);
  });

  it("lastTouch is the later of the item's own last event and its category's", () => {
    const acc = new ProfileAccumulator();
    const events = [ev('view', 'a', T0), ev('view', 'b', T0 + 5_000)];
    const { snapshot } = foldEvents(
      { state: newStreamState(acc), acc, reranker: new Reranker() },
      { events, served: [], now: T0 + 3_600_000 },
    );
    const catalog = { a: { category: 'shoes' }, b: { category: 'shoes' }, z: { category: 'hats' } };
    const ctx = listFeatureContext({
      snapshot,
      catalog,
      social: undefined,
      now: T0 + 3_600_000,
      popularity: new Map(),
      recencyHalfLifeMs: 1_000,
    });
    expect(ctx.lastTouch('a', 'shoes')).toBe(T0 + 5_000); // its category was touched later
    expect(ctx.lastTouch('a', undefined)).toBe(T0);
    expect(ctx.lastTouch('z', 'hats')).toBeUndefined();
    expect(ctx.recencyHalfLifeMs).toBe(1_000);
    expect(ctx.popularity('a')).toBe(0);
  });
});
