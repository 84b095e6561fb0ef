/**
 * Social candidates in the runtime (issue 15, "social signals used"), on the tiny real bundle: items
 * friends shared or liked ENTER `recommend()` lists (not only move within them), from the host's
 * `setSocialContext` and from the shopper's own recorded `share` (inbound) and `follow` events;
 * bounded, eligible only, with a social reason that names no friend; no social input → the list is
 * exactly the one before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore, type NewEvent } from '@localrec/core';
import type { Runtime } from '../src/runtime.js';
import type { InsightsOptions } from '../src/api.js';
import { idOf, makeTinyBundle, tinyRuntime, type TinyBundle } from './fixture.js';
import { rmSync } from 'node:fs';

let tiny: TinyBundle;
beforeAll(async () => {
  tiny = await makeTinyBundle();
}, 120_000);
afterAll(() => {
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

let n = 0;
function event(type: string, itemId: string | undefined, ts: number, data: NewEvent['data'] = {}, extra: Partial<NewEvent> = {}): NewEvent {
  const e: NewEvent = { uid: `sc${++n}`, type: type as NewEvent['type'], ts, sessionId: 's1', data, ...extra };
  if (itemId !== undefined) e.itemId = itemId;
  return e;
}

/** A shopper who viewed items 10–13 at a person's pace, ten minutes ago. */
async function shopper(): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  const t = Date.now() - 600_000;
  await store.append([10, 11, 12, 13].map((r, i) => event('view', idOf(r), t + i * 20_000, { dwellMs: 5000 })));
  return store;
}

const ids = (r: { items: { itemId: string }[] }) => r.items.map((i) => i.itemId);

async function runtime(store: MemoryEventStore, insights: InsightsOptions = {}): Promise<Runtime> {
  return tinyRuntime(tiny, store, { insights });
}

/** An item the model alone ranks far from the top 10 (and not seen). */
async function farItem(rt: Runtime): Promise<string> {
  const deep = await rt.recommend({ k: 60 });
  expect(deep.source).toBe('model');
  return deep.items[59]!.itemId;
}

describe('social candidates enter recommend()', () => {
  it('a host-given share brings an item outside the top 10 in, with the social reason; bounded; cleared → the list before', async () => {
    const store = await shopper();
    const rt = await runtime(store);
    const base = await rt.recommend({ k: 10 });
    const far = await farItem(rt);
    expect(ids(base)).not.toContain(far);
    await rt.setSocialContext({ items: { [far]: { sharedBy: ['friend-a', 'friend-b', 'friend-c'], friendsLiked: 4 } } });
    const social = await rt.recommend({ k: 10 });
    const item = social.items.find((i) => i.itemId === far);
    expect(item, JSON.stringify(ids(social))).toBeDefined();
    expect(item!.source).toBe('social');
    expect(item!.reason).toEqual({ kind: 'social', text: 'Shared by 3 friends' });
    expect(JSON.stringify(social)).not.toContain('friend-a');
    // At most maxCandidates enter: 20 weak signals, 2 allowed.
    const many = Object.fromEntries((await rt.recommend({ k: 60 })).items.slice(30, 50).map((i) => [i.itemId, { friendsLiked: 12 }]));
    const capped = await runtime(store, { social: { maxCandidates: 2 } });
    await capped.setSocialContext({ items: many });
    const c = await capped.recommend({ k: 10 });
    expect(c.items.filter((i) => i.source === 'social').length).toBeLessThanOrEqual(2);
    await capped.setSocialContext(null);
    await rt.setSocialContext(null);
    expect(ids(await rt.recommend({ k: 10 }))).toEqual(ids(base));
    for (const r of [rt, capped]) await r.dispose();
  });

  it('social candidates respect exclude, filter and purchases', async () => {
    const store = await shopper();
    const rt = await runtime(store);
    const far = await farItem(rt);
    await rt.setSocialContext({ items: { [far]: { sharedBy: 3 }, [idOf(11)]: { sharedBy: 3 } } });
    expect(ids(await rt.recommend({ k: 10 }))).toContain(far);
    expect(ids(await rt.recommend({ k: 10 }))).not.toContain(idOf(11)); // viewed: seen
    expect(ids(await rt.recommend({ k: 10, exclude: [far] }))).not.toContain(far);
    const cat = (await rt.recommend({ k: 60, hydrate: ['category'] })).items.find((i) => i.itemId === far)!.meta!.category;
    const other = cat === 'books' ? 'games' : 'books';
    expect(ids(await rt.recommend({ k: 10, filter: { attr: 'category', eq: other } }))).not.toContain(far);
    await store.append([event('purchase', far, Date.now() - 1000, { quantity: 1 })]);
    expect(ids(await rt.recommend({ k: 10 }))).not.toContain(far);
    await rt.dispose();
  });

  it('a recorded inbound share (not opened yet) enters as "Shared with you by a friend"; a followed friend counts more; ids never leave', async () => {
    const store = await shopper();
    const rt = await runtime(store);
    const base = await rt.recommend({ k: 10 });
    const far = await farItem(rt);
    await store.append([event('share', far, Date.now() - 60_000, { direction: 'in', friendId: 'pal-7', channel: 'link' })]);
    const r = await rt.recommend({ k: 10 });
    const item = r.items.find((i) => i.itemId === far);
    expect(item, JSON.stringify(ids(r))).toBeDefined();
    expect(item!.reason).toEqual({ kind: 'social', text: 'Shared with you by a friend' });
    expect(JSON.stringify(r)).not.toContain('pal-7');
    // The score of a followed friend's share is higher than an unfollowed one's.
    const before = item!.score;
    await store.append([event('follow', undefined, Date.now() - 30_000, { friendId: 'pal-7' })]);
    const followed = (await rt.recommend({ k: 10 })).items.find((i) => i.itemId === far)!;
    expect(followed.score).toBeGreaterThan(before);
    // Once opened (viewed), it is seen: out of the list again.
    await store.append([event('view', far, Date.now() - 10_000, { dwellMs: 4000 })]);
    expect(ids(await rt.recommend({ k: 10 }))).not.toContain(far);
    expect(ids(base)).not.toContain(far);
    await rt.dispose();
  });

  it('merchandising runs after the blend: a pin keeps its slot, boost moves and marks a social item, dedupe applies', async () => {
    const store = await shopper();
    const rt = await runtime(store);
    const far = await farItem(rt);
    await rt.setSocialContext({ items: { [far]: { sharedBy: 3 } } });
    const plain = await rt.recommend({ k: 10 });
    const at = ids(plain).indexOf(far);
    expect(at).toBeGreaterThanOrEqual(0);
    const pinned = ids(plain).find((id) => id !== far)!;
    const withPin = await rt.recommend({ k: 10, rules: { pin: [{ itemId: pinned, position: 9 }] }, diversity: 0.2 });
    expect(withPin.items[9]!.itemId).toBe(pinned);
    expect(ids(withPin)).toContain(far);
    const cat = (await rt.recommend({ k: 10, hydrate: ['category'] })).items.find((i) => i.itemId === far)!.meta!.category!;
    const boosted = await rt.recommend({ k: 10, rules: { boost: [{ filter: { attr: 'category', eq: cat }, weight: 0.5 }] } });
    const b = boosted.items.find((i) => i.itemId === far);
    expect(b, JSON.stringify(ids(boosted))).toBeDefined();
    expect(b!.reason).toMatchObject({ kind: 'social', rules: ['boost'] });
    expect(boosted.items.indexOf(b!)).toBeLessThanOrEqual(at);
    // Another widget of the same page-view group already showed it: not again.
    await rt.recommend({ k: 10, dedupe: 'home' });
    expect(ids(await rt.recommend({ k: 10, dedupe: 'home', exclude: [] }))).not.toContain(far);
    await rt.dispose();
  });

  it('an outbound share, a share without ref or direction, and no social input change nothing', async () => {
    const store = await shopper();
    const rt = await runtime(store);
    const base = await rt.recommend({ k: 10 });
    const far = await farItem(rt);
    await store.append([
      event('share', idOf(12), Date.now() - 5000, { direction: 'out', friendId: 'pal-1' }),
      event('share', idOf(13), Date.now() - 4000, {}),
    ]);
    const again = await rt.recommend({ k: 10 });
    expect(again.items.some((i) => i.source === 'social' || i.reason.kind === 'social')).toBe(false);
    expect(ids(again)).not.toContain(far);
    // Without insights ranking nothing social happens at all.
    const plain = await tinyRuntime(tiny, store, {});
    await plain.setSocialContext({ items: { [far]: { sharedBy: 5 } } });
    expect(ids(await plain.recommend({ k: 10 }))).not.toContain(far);
    expect(ids(base).length).toBe(10);
    for (const r of [rt, plain]) await r.dispose();
  });
});
