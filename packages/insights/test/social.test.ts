import { describe, expect, it } from 'vitest';
import { LocalRecError, type ScoredItem } from '@localrec/core';
import { thrownBy } from '@localrec/core/testing';
import {
  DEFAULT_BLEND_WEIGHTS,
  blendRanking,
  blendScore,
  createSocialContext,
  normaliseScores,
  socialProof,
  socialReason,
  socialSignal,
} from '../src/social.js';
import { itemAffinity } from '../src/profile.js';

const NOW = 1_700_000_000_000;

const errorOf = thrownBy;

describe('social context: validation', () => {
  it('accepts counts and friend-id lists, de-duplicating friends', () => {
    const ctx = createSocialContext({ items: { a: { friendsLiked: 3 }, b: { sharedBy: ['f1', 'f2', 'f1'] } } }, NOW);
    expect(socialSignal(ctx, 'a', NOW)).toEqual({ friendsLiked: 3, friendsBought: 0, sharedBy: 0 });
    expect(socialSignal(ctx, 'b', NOW)!.sharedBy).toBe(2);
    expect(socialSignal(ctx, 'zzz', NOW)).toBeUndefined();
  });

  it('rejects bad input with errors that name the field and the accepted values', () => {
    const neg = errorOf(() => createSocialContext({ items: { 'sku-1': { friendsLiked: -1 } } }, NOW));
    expect(neg).toBeInstanceOf(LocalRecError);
    expect(neg.code).toBe('INVALID_ARGUMENT');
    expect(neg.field).toBe('items["sku-1"].friendsLiked');
    expect(neg.message).toContain('-1');

    const unknown = errorOf(() => createSocialContext({ items: { a: { friendsLoved: 1 } } }, NOW));
    expect(unknown.field).toBe('items["a"].friendsLoved');
    expect(unknown.accepted).toEqual(['friendsLiked', 'friendsBought', 'sharedBy', 'likedBy', 'boughtBy']);

    expect(errorOf(() => createSocialContext({ items: {}, ttlMs: 48 * 3_600_000 }, NOW)).field).toBe('ttlMs');
    expect(errorOf(() => createSocialContext({ items: [] }, NOW)).field).toBe('items');
    expect(errorOf(() => createSocialContext(null, NOW)).field).toBe('context');
    expect(errorOf(() => createSocialContext({ items: {}, extra: 1 }, NOW)).accepted).toEqual(['items', 'ttlMs']);
    expect(errorOf(() => createSocialContext({ items: { a: { friendsBought: 1.5 } } }, NOW)).field).toBe('items["a"].friendsBought');
    expect(errorOf(() => createSocialContext({ items: { a: { sharedBy: ['ok', 7] } } }, NOW)).field).toBe('items["a"].sharedBy[1]');
    const many = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`i${i}`, { friendsLiked: 1 }]));
    expect(errorOf(() => createSocialContext({ items: many }, NOW)).message).toContain('10001');
  });

  it('expires after its lifetime (default 30 minutes)', () => {
    const ctx = createSocialContext({ items: { a: { friendsLiked: 1 } } }, NOW);
    expect(socialSignal(ctx, 'a', NOW + 30 * 60_000 - 1)).toBeDefined();
    expect(socialSignal(ctx, 'a', NOW + 30 * 60_000)).toBeUndefined();
    const short = createSocialContext({ items: { a: { friendsLiked: 1 } }, ttlMs: 1000 }, NOW);
    expect(socialSignal(short, 'a', NOW + 1000)).toBeUndefined();
  });
});

describe('social proof and reasons', () => {
  it('saturates and orders share > purchase > like', () => {
    const s = (l: number, b: number, sh: number) => socialProof({ friendsLiked: l, friendsBought: b, sharedBy: sh });
    expect(s(0, 0, 0)).toBe(0);
    expect(s(1, 0, 0)).toBeCloseTo(1 - Math.exp(-0.25), 12);
    expect(s(0, 0, 1)).toBeGreaterThan(s(0, 1, 0));
    expect(s(0, 1, 0)).toBeGreaterThan(s(1, 0, 0));
    expect(s(10, 0, 0)).toBeLessThan(1);
    expect(s(1000, 0, 0)).toBeLessThanOrEqual(1);
  });

  it('writes the reasons people read', () => {
    expect(socialReason({ friendsLiked: 3, friendsBought: 0, sharedBy: 0 })).toEqual({ kind: 'social', text: '3 friends liked this' });
    expect(socialReason({ friendsLiked: 1, friendsBought: 0, sharedBy: 0 })!.text).toBe('A friend liked this');
    expect(socialReason({ friendsLiked: 3, friendsBought: 2, sharedBy: 0 })!.text).toBe('2 friends bought this');
    expect(socialReason({ friendsLiked: 3, friendsBought: 2, sharedBy: 1 })!.text).toBe('Shared by a friend');
    expect(socialReason({ friendsLiked: 0, friendsBought: 0, sharedBy: 0 })).toBeUndefined();
  });
});

describe('the blending step', () => {
  it('is the documented weighted sum, with contributions that add up', () => {
    const b = blendScore({ modelScore: 0.8, affinity: 0.5, socialProof: 0.4 });
    expect(b.score).toBeCloseTo(0.7 * 0.8 + 0.15 * 0.5 + 0.15 * 0.4, 12);
    expect(b.parts.model + b.parts.affinity + b.parts.social).toBeCloseTo(b.score, 12);
    expect(b.lift).toBe('affinity');
    expect(blendScore({ modelScore: 2, affinity: -1, socialProof: NaN }).score).toBeCloseTo(0.7, 12);
    expect(blendScore({ modelScore: 1, affinity: 0, socialProof: 0 }).lift).toBeUndefined();
    expect(() => blendScore({ modelScore: 1, affinity: 0, socialProof: 0 }, { ...DEFAULT_BLEND_WEIGHTS, social: -1 })).toThrow(/social/);
  });

  it('normalises model scores within the list', () => {
    expect(normaliseScores([2, 4, 3])).toEqual([0, 1, 0.5]);
    expect(normaliseScores([5, 5])).toEqual([1, 1]);
  });

  it('lifts a socially proven near-tie and explains it; keeps the order without context', () => {
    const items: ScoredItem[] = [
      { itemId: 'a', score: 10, reason: { kind: 'history', text: 'Because you viewed X' }, source: 'model' },
      { itemId: 'b', score: 9.8, reason: { kind: 'history', text: 'Because you viewed Y' }, source: 'model' },
      { itemId: 'c', score: 5, reason: { kind: 'popular', text: 'Popular' }, source: 'model' },
    ];
    const plain = blendRanking(items, { now: NOW });
    expect(plain.map((i) => i.itemId)).toEqual(['a', 'b', 'c']);
    const social = createSocialContext({ items: { b: { friendsLiked: 3 } } }, NOW);
    const out = blendRanking(items, { now: NOW, social });
    expect(out.map((i) => i.itemId)).toEqual(['b', 'a', 'c']);
    expect(out[0]!.reason).toEqual({ kind: 'social', text: '3 friends liked this' });
    expect(out[1]!.reason.text).toBe('Because you viewed X');
    // After the context's lifetime the social lift is gone.
    expect(blendRanking(items, { now: NOW + 31 * 60_000, social }).map((i) => i.itemId)).toEqual(['a', 'b', 'c']);
  });

  it('uses profile affinity relative to the favourite category, brand and price band', () => {
    const profile = {
      categories: [
        { key: 'kitchen', score: 6, share: 0.6 },
        { key: 'garden', score: 4, share: 0.4 },
      ],
      brands: [{ key: 'Acme', score: 1, share: 1 }],
      priceBands: [{ key: '25–50', score: 1, share: 1 }],
    };
    expect(itemAffinity(profile, { category: 'kitchen', brand: 'Acme', price: 30 })).toBeCloseTo(1, 12);
    expect(itemAffinity(profile, { category: 'garden' })).toBeCloseTo(0.6 * (0.4 / 0.6), 12);
    expect(itemAffinity(profile, undefined)).toBe(0);
    const items: ScoredItem[] = [
      { itemId: 'g', score: 1.0, reason: { kind: 'popular', text: 'Popular' }, source: 'popular' },
      { itemId: 'k', score: 0.98, reason: { kind: 'popular', text: 'Popular' }, source: 'popular' },
      { itemId: 'z', score: 0.0, reason: { kind: 'popular', text: 'Popular' }, source: 'popular' },
    ];
    const catalog = { g: { category: 'toys' }, k: { category: 'kitchen', brand: 'Acme' } };
    expect(blendRanking(items, { now: NOW, profile, catalog }).map((i) => i.itemId)).toEqual(['k', 'g', 'z']);
  });
});
