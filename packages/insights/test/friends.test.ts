import { describe, expect, it } from 'vitest';
import type { ScoredItem, StoredEvent } from '@localrec/core';
import {
  blendRanking,
  createSocialContext,
  isInboundShare,
  mergeSocial,
  recordedSocial,
  socialCandidates,
  socialProof,
  socialSignal,
  unopenedShares,
} from '../src/index.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;
let seq = 0;
const ev = (type: string, itemId: string | undefined, ts: number, data: StoredEvent['data'] = {}, extra: Partial<StoredEvent> = {}) =>
  ({ uid: `e${++seq}`, seq, type, ts, sessionId: 's', data, ...(itemId ? { itemId } : {}), ...extra }) as StoredEvent;
const item = (itemId: string, score: number): ScoredItem => ({ itemId, score, source: 'model', reason: { kind: 'history', text: 'own' } });

describe('recorded social events', () => {
  it('inbound shares: direction "in", or a share with context.ref and no direction; follows; flagged events ignored', () => {
    expect(isInboundShare(ev('share', 'a', NOW, { direction: 'in' }))).toBe(true);
    expect(isInboundShare(ev('share', 'a', NOW, {}, { context: { ref: 'link-9' } }))).toBe(true);
    expect(isInboundShare(ev('share', 'a', NOW, { direction: 'out' }, { context: { ref: 'link-9' } }))).toBe(false);
    expect(isInboundShare(ev('share', 'a', NOW, {}))).toBe(false);
    expect(isInboundShare(ev('view', 'a', NOW, {}, { context: { ref: 'x' } }))).toBe(false);
    const r = recordedSocial([
      ev('share', 'a', NOW - DAY, { direction: 'in', friendId: 'f1' }),
      ev('share', 'a', NOW - 2 * DAY, { direction: 'in', friendId: 'f1' }),
      ev('share', 'b', NOW, {}, { context: { ref: 'r7' } }),
      ev('share', 'c', NOW, { direction: 'in', friendId: 'f2' }, { flags: ['burst'] }),
      ev('follow', undefined, NOW, { friendId: 'f1' }),
    ]);
    expect([...r.inbound.keys()]).toEqual(['a', 'b']);
    expect(r.inbound.get('a')).toEqual(new Map([['f1', NOW - DAY]]));
    expect(r.inbound.get('b')).toEqual(new Map([['ref:r7', NOW]]));
    expect(r.inboundEvents.get('a')).toBe(2);
    expect([...r.followed]).toEqual(['f1']);
  });

  it('mergeSocial: nothing recorded → the host context itself; a followed friend counts twice; a share decays by half in 7 days', () => {
    const host = createSocialContext(
      { items: { x: { likedBy: ['f1', 'f2'] }, y: { friendsLiked: 2 }, w: { friendsLiked: 3, likedBy: ['f1'] } } },
      NOW,
    );
    expect(mergeSocial(host, recordedSocial([]), NOW)).toBe(host);
    expect(mergeSocial(undefined, undefined, NOW)).toBeUndefined();
    const rec = recordedSocial([
      ev('follow', undefined, NOW, { friendId: 'f1' }),
      ev('share', 'z', NOW - 7 * DAY, { direction: 'in', friendId: 'f3' }),
    ]);
    const m = mergeSocial(host, rec, NOW)!;
    expect(m.items.get('x')!.strength).toBe(3); // f1 followed (2) + f2 (1)
    expect(m.items.get('y')!.strength).toBe(2); // counts without ids: as given
    expect(m.items.get('w')).toMatchObject({ friendsLiked: 3, strength: 4 }); // f1 (2) + two unnamed (1 each)
    expect(() => createSocialContext({ items: { v: { likedBy: 'f1' } } }, NOW)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'items["v"].likedBy' }),
    );
    expect(m.items.get('z')!.strength).toBeCloseTo(1.5, 10); // 3 × 2^(−1)
    expect(m.items.get('z')!.inbound).toBe(1);
    expect(socialProof(socialSignal(m, 'x', NOW))).toBeGreaterThan(socialProof(socialSignal(host, 'x', NOW)));
    // The host context expired: only the recorded share is left, and it does not expire with it.
    const later = mergeSocial(host, rec, host.expiresAt + 1)!;
    expect([...later.items.keys()]).toEqual(['z']);
    expect(later.expiresAt).toBe(Infinity);
  });

  it('a host sharedBy id and a recorded share of the same friend count once', () => {
    const host = createSocialContext({ items: { x: { sharedBy: ['f1'] } } }, NOW);
    const m = mergeSocial(host, recordedSocial([ev('share', 'x', NOW, { direction: 'in', friendId: 'f1' })]), NOW)!;
    expect(m.items.get('x')).toMatchObject({ sharedBy: 1, strength: 3 });
    expect(m.items.get('x')!.inbound).toBeUndefined();
  });

  it('unopenedShares: items whose every history event is an inbound share', () => {
    const rec = recordedSocial([ev('share', 'a', NOW, { direction: 'in' }), ev('share', 'b', NOW, { direction: 'in' })]);
    expect(
      unopenedShares(
        [
          { itemId: 'a', count: 1 },
          { itemId: 'b', count: 2 },
          { itemId: 'c', count: 1 },
        ],
        rec,
      ),
    ).toEqual(new Set(['a']));
    expect(unopenedShares([{ itemId: 'a', count: 1 }], undefined)).toEqual(new Set());
  });
});

describe('socialCandidates and the blend', () => {
  const pool = [item('p1', 5), item('p2', 4), item('p3', 3)];
  const ctx = createSocialContext(
    { items: { s1: { friendsLiked: 2 }, s2: { sharedBy: 1 }, s3: { friendsLiked: 1 }, p2: { friendsLiked: 9 } } },
    NOW,
  );
  const all = () => true;

  it('strongest first, not in the pool, at most max, only eligible and known ids', () => {
    const c = socialCandidates({ social: ctx, pool, now: NOW, eligible: all, known: all, max: 2 });
    expect(c.map((i) => i.itemId)).toEqual(['s2', 's1']);
    expect(c.every((i) => i.source === 'social' && i.reason.kind === 'social')).toBe(true);
    expect(
      socialCandidates({ social: ctx, pool, now: NOW, eligible: (id) => id !== 's2', known: all, max: 5 }).map((i) => i.itemId),
    ).toEqual(['s1', 's3']);
    expect(
      socialCandidates({ social: ctx, pool, now: NOW, eligible: all, known: (id) => id === 's3', max: 5 }).map((i) => i.itemId),
    ).toEqual(['s3']);
    expect(socialCandidates({ social: ctx, pool, now: ctx.expiresAt, eligible: all, known: all, max: 5 })).toEqual([]);
    expect(socialCandidates({ social: ctx, pool, now: NOW, eligible: all, known: all, max: 0 })).toEqual([]);
  });

  it('an entering item is scored entryWeight × socialProof as its model term, keeps its social reason, and never outranks on the model term alone', () => {
    const c = socialCandidates({ social: ctx, pool, now: NOW, eligible: all, known: all, max: 1 });
    const out = blendRanking([...pool, ...c], { social: ctx, now: NOW });
    const s2 = out.find((i) => i.itemId === 's2')!;
    expect(s2.reason).toEqual({ kind: 'social', text: 'Shared by a friend' });
    const proof = socialProof(socialSignal(ctx, 's2', NOW));
    expect(s2.score).toBeCloseTo(0.7 * 0.8 * proof + 0.15 * proof, 10);
    // The pool's normalisation is the one without the entering item.
    expect(out.find((i) => i.itemId === 'p1')!.score).toBeCloseTo(0.7, 10);
    expect(out.find((i) => i.itemId === 'p3')!.score).toBeCloseTo(0, 10);
  });
});
