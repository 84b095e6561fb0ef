import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalRecError } from '@localrec/core';
import {
  CATEGORIES,
  DEMO_CATALOG,
  SIM_EVENT_TYPES,
  makeCatalog,
  makeClickModel,
  makeShoppers,
  simulateShoppers,
  type SimEvent,
  type Shopper,
} from '@localrec/simulator';

const catalog = makeCatalog(DEMO_CATALOG);
const byId = new Map(catalog.map((p) => [p.id, p]));
const sim = simulateShoppers({ seed: 7, catalog, shoppers: 600 });
const shopperById = new Map(sim.shoppers.map((s) => [s.id, s]));

function byUser(events: readonly SimEvent[]): Map<string, SimEvent[]> {
  const m = new Map<string, SimEvent[]>();
  for (const e of events) {
    let a = m.get(e.user);
    if (!a) m.set(e.user, (a = []));
    a.push(e);
  }
  return m;
}

/** Every funnel rule, checked on one log; returns the violations (empty when all hold). */
function funnelViolations(events: readonly SimEvent[]): string[] {
  const bad: string[] = [];
  for (const [user, evs] of byUser(events)) {
    const count = new Map<string, { view: number; cart: number; purchase: number }>();
    const inSession = new Map<string, { viewed: Set<string>; carted: Set<string> }>();
    for (const e of evs) {
      let s = inSession.get(e.sessionId);
      if (!s) inSession.set(e.sessionId, (s = { viewed: new Set(), carted: new Set() }));
      if (e.type === 'search') {
        if (e.item !== undefined || !e.data?.query) bad.push(`${user}: search without a query or with an item`);
        continue;
      }
      if (e.item === undefined) {
        bad.push(`${user}: ${e.type} without an item`);
        continue;
      }
      let c = count.get(e.item);
      if (!c) count.set(e.item, (c = { view: 0, cart: 0, purchase: 0 }));
      if (e.type === 'view') {
        c.view++;
        s.viewed.add(e.item);
      }
      if (e.type === 'add_to_cart') {
        c.cart++;
        if (!s.viewed.has(e.item)) bad.push(`${user}: cart of ${e.item} before a view in ${e.sessionId}`);
        s.carted.add(e.item);
      }
      if (e.type === 'purchase') {
        c.purchase++;
        if (!s.carted.has(e.item)) bad.push(`${user}: purchase of ${e.item} without a cart in ${e.sessionId}`);
      }
      if (e.type === 'remove_from_cart' && !s.carted.has(e.item)) bad.push(`${user}: removal of ${e.item} never carted`);
      if (['like', 'favorite', 'share'].includes(e.type) && !s.viewed.has(e.item))
        bad.push(`${user}: ${e.type} of ${e.item} before a view`);
    }
    for (const [item, c] of count) if (!(c.purchase <= c.cart && c.cart <= c.view)) bad.push(`${user}/${item}: ${JSON.stringify(c)}`);
  }
  return bad;
}

describe('simulateShoppers', () => {
  it('is deterministic in the seed', () => {
    const again = simulateShoppers({ seed: 7, catalog, shoppers: 600 });
    expect(again.events).toEqual(sim.events);
    expect(again.shoppers).toEqual(sim.shoppers);
    const other = simulateShoppers({ seed: 8, catalog, shoppers: 600 });
    expect(other.events.length).not.toBe(sim.events.length);
    expect(other.events.slice(0, 50)).not.toEqual(sim.events.slice(0, 50));
  });

  it('gives every shopper a history of a trainable length, of known event types', () => {
    const users = byUser(sim.events);
    expect(users.size).toBe(600);
    const perUser = [...users.values()].map((a) => a.filter((e) => e.item !== undefined).length);
    const mean = perUser.reduce((a, b) => a + b, 0) / perUser.length;
    expect(mean).toBeGreaterThan(20);
    expect(mean).toBeLessThan(80);
    for (const e of sim.events) expect(SIM_EVENT_TYPES).toContain(e.type);
    for (const t of SIM_EVENT_TYPES) expect(sim.events.some((e) => e.type === t)).toBe(true);
    for (const e of sim.events) if (e.item !== undefined) expect(byId.has(e.item)).toBe(true);
  });

  it('sorts by user then time, with sessions that never overlap', () => {
    const unsorted = sim.events.filter((b, i) => {
      const a = sim.events[i - 1];
      return a !== undefined && !(a.user < b.user || (a.user === b.user && a.ts < b.ts));
    });
    expect(unsorted).toEqual([]);
    for (const [user, evs] of byUser(sim.events)) {
      // A session's events are contiguous: once a session ends, its id never comes back.
      const done = new Set<string>();
      let cur = '';
      for (const e of evs) {
        expect(e.sessionId.startsWith(`${user}-s`)).toBe(true);
        if (e.sessionId !== cur) {
          expect(done.has(e.sessionId)).toBe(false);
          done.add(cur);
          cur = e.sessionId;
        }
      }
    }
  });

  it('keeps the funnel: purchases ≤ carts ≤ views per shopper and item; carts follow views, purchases follow carts', () => {
    expect(funnelViolations(sim.events)).toEqual([]);
    const n = (t: string): number => sim.events.filter((e) => e.type === t).length;
    expect(n('purchase')).toBeGreaterThan(0);
    expect(n('purchase')).toBeLessThan(n('add_to_cart'));
    expect(n('add_to_cart')).toBeLessThan(n('view') / 3);
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 400 }),
        (seed, shoppers, days, size) => {
          const small = simulateShoppers({ seed, catalog: makeCatalog({ seed, size }), shoppers, days });
          expect(funnelViolations(small.events)).toEqual([]);
          expect(new Set(small.events.map((e) => e.user)).size).toBe(shoppers);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("reflects latent taste: views concentrate in each shopper's top departments, far above uniform", () => {
    let top = 0,
      views = 0;
    for (const e of sim.events) {
      if (e.type !== 'view') continue;
      const taste = shopperById.get(e.user)!.taste.categories;
      const top3 = Object.entries(taste)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([c]) => c);
      views++;
      if (top3.includes(byId.get(e.item!)!.category)) top++;
    }
    const uniform = 3 / CATEGORIES.length;
    expect(top / views).toBeGreaterThan(2.4 * uniform);
    // Brand loyalty: shoppers view their favourite brands far more than those brands' catalog share.
    let fav = 0,
      favShare = 0;
    for (const [user, evs] of byUser(sim.events)) {
      const brands = shopperById.get(user)!.taste.brands;
      const vs = evs.filter((e) => e.type === 'view');
      if (Object.keys(brands).length === 0 || vs.length === 0) continue;
      fav += vs.filter((e) => byId.get(e.item!)!.brand in brands).length / vs.length;
      favShare += catalog.filter((p) => p.brand in brands).length / catalog.length;
    }
    expect(fav).toBeGreaterThan(1.5 * favShare);
  });

  it('has learnable sequential structure: the next view is often a related product', () => {
    const model = makeClickModel(catalog);
    let pairs = 0,
      related = 0;
    for (const evs of byUser(sim.events).values()) {
      const vs = evs.filter((e) => e.type === 'view');
      for (let i = 1; i < vs.length; i++) {
        if (vs[i]!.sessionId !== vs[i - 1]!.sessionId) continue;
        pairs++;
        if (model.related(vs[i - 1]!.item!).includes(vs[i]!.item!)) related++;
      }
    }
    const relatedPerItem = catalog.reduce((a, p) => a + model.related(p).length, 0) / catalog.length;
    expect(related / pairs).toBeGreaterThan(10 * (relatedPerItem / catalog.length));
  });
});

describe('friends and shares', () => {
  const cosine = (a: Shopper, b: Shopper): number => {
    let d = 0,
      na = 0,
      nb = 0;
    for (const c of CATEGORIES) {
      const x = a.taste.categories[c]!,
        y = b.taste.categories[c]!;
      d += x * y;
      na += x * x;
      nb += y * y;
    }
    return d / Math.sqrt(na * nb);
  };

  it('makes a symmetric friendship graph with correlated tastes', () => {
    let friendSim = 0,
      friendPairs = 0,
      randomSim = 0;
    sim.shoppers.forEach((s, i) => {
      for (const f of s.friends) {
        expect(f).not.toBe(s.id);
        expect(shopperById.get(f)!.friends).toContain(s.id);
        friendSim += cosine(s, shopperById.get(f)!);
        friendPairs++;
      }
      randomSim += cosine(s, sim.shoppers[(i * 7919 + 13) % sim.shoppers.length]!);
    });
    expect(friendPairs / sim.shoppers.length).toBeGreaterThan(2);
    expect(friendSim / friendPairs).toBeGreaterThan(1.5 * (randomSim / sim.shoppers.length));
  });

  it("turns shares into the friend's views, always after the share", () => {
    const users = byUser(sim.events);
    const shares = sim.events.filter((e) => e.type === 'share');
    expect(shares.length).toBeGreaterThan(100);
    let opened = 0;
    for (const s of shares) {
      expect(s.data?.direction).toBe('out');
      expect(shopperById.get(s.user)!.friends).toContain(s.data!.friendId);
      const followed = users
        .get(s.data!.friendId!)!
        .some((e) => e.type === 'view' && e.item === s.item && e.ts > s.ts && e.data?.friendId === s.user);
      if (followed) opened++;
    }
    expect(opened / shares.length).toBeGreaterThan(0.2);
    // Every inbound view answers an earlier share of that item from that friend.
    const inbound = sim.events.filter((e) => e.data?.direction === 'in');
    expect(inbound.length).toBeGreaterThan(0);
    for (const v of inbound) {
      expect(v.type).toBe('view');
      expect(
        users.get(v.data!.friendId!)!.some((e) => e.type === 'share' && e.item === v.item && e.data?.friendId === v.user && e.ts < v.ts),
      ).toBe(true);
    }
  });
});

describe('click model', () => {
  const model = sim.clickModel;
  const shopper = sim.shoppers[0]!;

  it('gives probabilities that follow taste, context and position', () => {
    const ps = catalog.map((p) => model.clickProbability(shopper, p));
    for (const p of ps) expect(p > 0 && p < 1).toBe(true);
    const favourite = Object.entries(shopper.taste.categories).sort((a, b) => b[1] - a[1])[0]![0];
    const least = Object.entries(shopper.taste.categories).sort((a, b) => a[1] - b[1])[0]![0];
    const mean = (c: string): number => {
      const xs = catalog.filter((p) => p.category === c).map((p) => model.clickProbability(shopper, p));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(mean(favourite)).toBeGreaterThan(3 * mean(least));
    const item = catalog[0]!;
    const rel = model.related(item)[0]!;
    expect(model.clickProbability(shopper, rel, { lastItem: item.id })).toBeGreaterThan(model.clickProbability(shopper, rel));
    const same = model.listClickProbabilities(shopper, [rel, rel, rel, rel]);
    for (let i = 1; i < same.length; i++) expect(same[i]!).toBeLessThan(same[i - 1]!);
  });

  it('prefers what the shopper actually viewed over random products', () => {
    let viewed = 0,
      n = 0;
    for (const e of sim.events)
      if (e.type === 'view' && e.user === shopper.id) {
        viewed += model.clickProbability(shopper, e.item!);
        n++;
      }
    const all = catalog.reduce((a, p) => a + model.clickProbability(shopper, p), 0) / catalog.length;
    expect(viewed / n).toBeGreaterThan(1.5 * all);
  });

  it('rejects unknown items and bad options with INVALID_ARGUMENT', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof LocalRecError ? `${e.code}:${e.field}` : 'other';
      }
      return undefined;
    };
    expect(code(() => model.clickProbability(shopper, 'SKU-99999'))).toBe('INVALID_ARGUMENT:item');
    expect(code(() => simulateShoppers({ seed: 1, catalog, shoppers: 0 }))).toBe('INVALID_ARGUMENT:shoppers');
    expect(code(() => simulateShoppers({ seed: 1, catalog, shoppers: 3, days: 0 }))).toBe('INVALID_ARGUMENT:days');
    expect(code(() => simulateShoppers({ seed: 1, catalog: [], shoppers: 3 }))).toBe('INVALID_ARGUMENT:catalog');
    expect(code(() => makeShoppers({ seed: 1, catalog, shoppers: 3, friends: -1 }))).toBe('INVALID_ARGUMENT:friends');
  });
});
