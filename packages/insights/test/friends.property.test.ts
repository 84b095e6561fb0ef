// Properties of the social candidates (issue 15): an item with no social signal never gets a social
// reason; with no social input the ranked list is exactly the one before; social candidates respect
// the list's eligibility (exclude / filter / purchased), never repeat a pool item, stay within the
// bound, and are deterministic.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import type { ScoredItem, StoredEvent } from '@localrec/core';
import { blendRanking, createSocialContext, mergeSocial, recordedSocial, socialCandidates } from '../src/index.js';

const NOW = 1_700_000_000_000;
const ids = fc.constantFrom(...Array.from({ length: 24 }, (_, i) => `sku-${i}`));
const friend = fc.constantFrom('f1', 'f2', 'f3', 'f4');
const poolArb = fc
  .uniqueArray(fc.tuple(ids, fc.double({ min: -5, max: 5, noNaN: true })), { selector: (t) => t[0], maxLength: 12 })
  .map((rows) => rows.map(([itemId, score]): ScoredItem => ({ itemId, score, source: 'model', reason: { kind: 'history', text: 'own' } })));
const hostArb = fc.dictionary(
  ids,
  fc.record(
    {
      friendsLiked: fc.nat(5),
      likedBy: fc.array(friend, { maxLength: 3 }),
      friendsBought: fc.nat(3),
      sharedBy: fc.oneof(fc.nat(3), fc.array(friend, { maxLength: 3 })),
    },
    { requiredKeys: [] },
  ),
  { maxKeys: 10 },
);
const eventsArb = fc
  .array(
    fc.oneof(
      fc.record({ type: fc.constant('follow'), friendId: friend }),
      fc.record({
        type: fc.constant('share'),
        itemId: ids,
        friendId: fc.option(friend, { nil: undefined }),
        direction: fc.constantFrom('in', 'out', undefined),
        ref: fc.option(fc.constantFrom('r1', 'r2'), { nil: undefined }),
        age: fc.nat(30 * 86_400_000),
      }),
    ),
    { maxLength: 10 },
  )
  .map((rows) =>
    rows.map((r, i) => {
      const e: StoredEvent = {
        uid: `u${i}`,
        seq: i + 1,
        type: r.type,
        ts: NOW - ('age' in r ? r.age : 0),
        sessionId: 's',
        data: {},
      };
      if ('itemId' in r) e.itemId = r.itemId;
      if (r.friendId !== undefined) e.data.friendId = r.friendId;
      if ('direction' in r && r.direction) e.data.direction = r.direction;
      if ('ref' in r && r.ref) e.context = { ref: r.ref };
      return e;
    }),
  );

describe('social candidates (properties)', () => {
  test('an item with no social signal never gets a social reason', () => {
    fc.assert(
      fc.property(poolArb, hostArb, eventsArb, fc.nat(6), (pool, host, events, max) => {
        const social = mergeSocial(createSocialContext({ items: host }, NOW), recordedSocial(events), NOW);
        const entering = socialCandidates({ social, pool, now: NOW, eligible: () => true, known: () => true, max });
        for (const it of blendRanking([...pool, ...entering], { now: NOW, ...(social ? { social } : {}) })) {
          const sig = social?.items.get(it.itemId);
          const any = !!sig && (sig.friendsLiked > 0 || sig.friendsBought > 0 || sig.sharedBy > 0 || (sig.inbound ?? 0) > 0);
          if (!any) expect(it.reason.kind).not.toBe('social');
          if (it.source === 'social') expect(any).toBe(true);
          expect(it.reason.text).not.toMatch(/\bf[1-4]\b|\br[12]\b/); // no friend id or ref in a reason
        }
      }),
      { numRuns: 500 },
    );
  });

  test('with no social input the list is identical to before, and nothing enters', () => {
    fc.assert(
      fc.property(poolArb, fc.nat(6), (pool, max) => {
        const social = mergeSocial(undefined, recordedSocial([]), NOW);
        expect(social).toBeUndefined();
        expect(socialCandidates({ social, pool, now: NOW, eligible: () => true, known: () => true, max })).toEqual([]);
        expect(blendRanking(pool, { now: NOW })).toEqual(blendRanking(pool, { now: NOW, ...(social ? { social } : {}) }));
      }),
      { numRuns: 300 },
    );
  });

  test('social candidates are eligible (exclude / filter / purchased), known, outside the pool, bounded and deterministic', () => {
    fc.assert(
      fc.property(
        poolArb,
        hostArb,
        eventsArb,
        fc.nat(6),
        fc.uniqueArray(ids, { maxLength: 10 }),
        (pool, host, events, max, blockedList) => {
          const blocked = new Set(blockedList);
          const social = mergeSocial(createSocialContext({ items: host }, NOW), recordedSocial(events), NOW);
          const input = { social, pool, now: NOW, eligible: (id: string) => !blocked.has(id), known: (id: string) => id !== 'sku-23', max };
          const entering = socialCandidates(input);
          expect(entering.length).toBeLessThanOrEqual(max);
          const inPool = new Set(pool.map((p) => p.itemId));
          for (const it of entering) {
            expect(blocked.has(it.itemId)).toBe(false);
            expect(inPool.has(it.itemId)).toBe(false);
            expect(it.itemId).not.toBe('sku-23');
          }
          expect(new Set(entering.map((i) => i.itemId)).size).toBe(entering.length);
          expect(socialCandidates(input)).toEqual(entering);
        },
      ),
      { numRuns: 500 },
    );
  });
});
