import { CATEGORIES, complementsOf, type CatalogItem } from './catalog.js';
import { makeClickModel, affinityAt, clickProbabilityAt, sigmoid, type ClickModel } from './click-model.js';
import { requireInt, requireNumber } from './errors.js';
import { SeededRandom } from '@localrec/core';
import { makeShoppers, type Shopper } from './shoppers.js';
import { worldOf, type World } from './world.js';

/** The event types the simulator emits (a subset of the SDK's standard types). */
export const SIM_EVENT_TYPES = [
  'view',
  'add_to_cart',
  'remove_from_cart',
  'purchase',
  'like',
  'favorite',
  'rate',
  'search',
  'share',
] as const;
export type SimEventType = (typeof SIM_EVENT_TYPES)[number];

/** Type-specific fields; names follow the SDK's `TrackData`. */
export interface SimEventData {
  /** view: time on the product page. */
  dwellMs?: number;
  /** add_to_cart / purchase. */
  quantity?: number;
  /** add_to_cart / purchase: unit price. */
  price?: number;
  /** share: the friend the item went to (`out`) or came from (`in`, on the friend's first view). */
  friendId?: string;
  channel?: string;
  direction?: 'in' | 'out';
  /** rate: 1–5. */
  rating?: number;
  /** search: the query text. */
  query?: string;
}

/** One simulated event. */
export interface SimEvent {
  user: string;
  /** Absent only for `search`. */
  item?: string;
  /** ms since the epoch. */
  ts: number;
  type: SimEventType;
  /** `u0001-s3`: the shopper's third session. */
  sessionId: string;
  data?: SimEventData;
}

/** What {@link simulateShoppers} is asked for. */
export interface SimulateOptions {
  seed: number;
  catalog: readonly CatalogItem[];
  /** Number of shoppers, 1..999999. */
  shoppers: number;
  /** Length of the simulated period in days (1..3650). Default 45. */
  days?: number;
  /** Start of the period, ms since the epoch. Default 2024-01-01T00:00:00Z. */
  start?: number;
  /** Mean friends each shopper adds (see {@link makeShoppers}). Default 2. */
  friends?: number;
  /** Number of taste communities. Default 12. */
  communities?: number;
}

/** The simulator's output: the log, and the ground truth behind it. */
export interface Simulation {
  /** Sorted by user, then time; within a user, sessions never overlap. */
  events: SimEvent[];
  shoppers: Shopper[];
  clickModel: ClickModel;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Minimum quiet time between two sessions of one shopper. */
const SESSION_GAP = 15 * MINUTE;
const CHANNELS = ['link', 'wechat', 'whatsapp', 'email'] as const;

/** The browsing process's knobs (probabilities per step). */
const P = {
  /** Keep browsing after a view (a session has 1 / (1 − p) views on average). */
  continue: 0.8,
  /** Continue from a shared link (friends who open a share browse briefly). */
  continueInbound: 0.6,
  maxViews: 25,
  /** Next item: follow a related item / stay in the department / jump to another department. */
  related: 0.55,
  sameCategory: 0.25,
  /** A jump goes to a complement of the current department. */
  complement: 0.35,
  search: 0.2,
  /** Session starts in the department the last session ended in. */
  returnToCategory: 0.35,
  rateLater: 0.3,
  share: 0.03,
};

interface Share {
  from: number;
  to: number;
  item: number;
  ts: number;
  channel: string;
}
/** Who a shopper can share with, and where shares are collected. */
interface Social {
  self: number;
  friends: number[];
  shoppers: readonly Shopper[];
  shares: Share[];
}
interface Session {
  start: number;
  end: number;
  events: Omit<SimEvent, 'user' | 'sessionId'>[];
}

/** One shopper's browsing state (internal). */
class Browser {
  t = 0;
  events: Omit<SimEvent, 'user' | 'sessionId'>[] = [];
  lastCategory: string | undefined;
  lastPurchaseCategory: string | undefined;
  unrated: number[] = [];
  readonly aff: Float64Array;
  private readonly cats: string[];
  private readonly catWeights: number[];

  /** `social` is absent for sessions that may not share (those opened from a friend's share). */
  constructor(
    readonly world: World,
    readonly shopper: Shopper,
    readonly rng: SeededRandom,
    private readonly social?: Social,
  ) {
    this.aff = new Float64Array(world.catalog.length);
    for (let j = 0; j < this.aff.length; j++) this.aff[j] = affinityAt(world, shopper, j);
    this.cats = CATEGORIES.filter((c) => world.byCategory.has(c));
    this.catWeights = this.cats.map((c) => shopper.taste.categories[c] ?? 0);
  }

  private push(type: SimEventType, item: number | undefined, data?: SimEventData): void {
    const e: Omit<SimEvent, 'user' | 'sessionId'> = { ts: Math.round(this.t), type };
    if (item !== undefined) e.item = this.world.catalog[item]!.id;
    if (data) e.data = data;
    this.events.push(e);
  }

  /** 0..1: how well an item fits this shopper (drives the funnel). */
  private fit(j: number): number {
    return sigmoid(this.aff[j]! - 1);
  }

  private tasteCategory(): string {
    return this.cats[this.rng.weighted(this.catWeights)]!;
  }

  private complementOf(c: string): string {
    const comps = complementsOf(c).filter((x) => this.world.byCategory.has(x));
    if (comps.length === 0) return this.tasteCategory();
    return comps[this.rng.weighted(comps.map((x) => (this.shopper.taste.categories[x] ?? 0) + 0.03))]!;
  }

  /** An item of `pool`, chosen with weight e^affinity; already-seen items are much less likely. */
  private choose(pool: readonly number[], seen?: ReadonlySet<number>, exclude?: number): number | undefined {
    const w = pool.map((j) => (j === exclude ? 0 : Math.exp(this.aff[j]!) * (seen?.has(j) ? 0.1 : 1)));
    return w.some((x) => x > 0) ? pool[this.rng.weighted(w)] : undefined;
  }

  private chooseInCategory(c: string, seen?: ReadonlySet<number>, exclude?: number): number {
    return this.choose(this.world.byCategory.get(c)!, seen, exclude) ?? this.world.byCategory.get(c)![0]!;
  }

  private next(cur: number, seen: ReadonlySet<number>): number {
    const r = this.rng.next();
    const c = this.world.catalog[cur]!.category;
    let j: number | undefined;
    if (r < P.related) j = this.choose(this.world.related[cur]!, seen, cur);
    else if (r < P.related + P.sameCategory) j = this.choose(this.world.byCategory.get(c)!, seen, cur);
    else j = this.chooseInCategory(this.rng.chance(P.complement) ? this.complementOf(c) : this.tasteCategory(), seen, cur);
    return j ?? this.chooseInCategory(this.tasteCategory(), seen, cur);
  }

  private searchQuery(j: number): string {
    const p = this.world.catalog[j]!;
    const r = this.rng.next();
    if (r < 0.3) return p.brand.toLowerCase();
    if (r < 0.5) return p.category.toLowerCase();
    const colon = p.name.indexOf(':');
    if (colon >= 0)
      return p.name
        .slice(colon + 1)
        .trim()
        .toLowerCase();
    return p.name.slice(p.brand.length).trim().split(/\s+/).slice(1, 3).join(' ').toLowerCase();
  }

  /** Simulates one session from time `t`: entry, browsing, checkout. */
  session(t: number): void {
    this.t = t;
    const rng = this.rng;
    if (this.unrated.length > 0 && rng.chance(P.rateLater)) {
      const j = this.unrated.shift()!;
      const rating = Math.min(5, Math.max(1, Math.round(3.3 + 0.6 * this.aff[j]! + 0.7 * rng.normal())));
      this.push('rate', j, { rating });
      this.t += rng.uniform(20, 90) * SECOND;
    }
    let first: number;
    if (rng.chance(P.search)) {
      first = this.chooseInCategory(this.tasteCategory());
      this.push('search', undefined, { query: this.searchQuery(first) });
      this.t += rng.uniform(3, 10) * SECOND;
    } else {
      let c: string;
      if (this.lastCategory !== undefined && rng.chance(P.returnToCategory)) c = this.lastCategory;
      else if (this.lastPurchaseCategory !== undefined && rng.chance(0.3)) c = this.complementOf(this.lastPurchaseCategory);
      else c = this.tasteCategory();
      first = this.chooseInCategory(c);
    }
    this.browse(first, P.continue);
  }

  /** A session opened from a friend's share: the shared item first, then brief browsing. */
  inbound(t: number, share: Share, fromId: string): void {
    this.t = t;
    this.browse(share.item, P.continueInbound, { friendId: fromId, channel: share.channel, direction: 'in' });
  }

  private browse(first: number, cont: number, firstData?: SimEventData): void {
    const rng = this.rng;
    const seen = new Set<number>();
    const carted: number[] = [];
    let cur = first;
    for (let v = 0; v < P.maxViews; v++) {
      seen.add(cur);
      const item = this.world.catalog[cur]!;
      const u = this.fit(cur);
      const dwell = rng.logNormal(30 * SECOND, 0.6) * (0.6 + 0.8 * u);
      this.push('view', cur, { dwellMs: Math.round(dwell), ...firstData });
      firstData = undefined;
      this.t += dwell;
      if (item.inStock && !carted.includes(cur) && rng.chance(0.015 + 0.22 * u)) {
        this.push('add_to_cart', cur, { quantity: 1, price: item.price });
        carted.push(cur);
        this.t += rng.uniform(3, 15) * SECOND;
      }
      if (rng.chance(0.01 + 0.08 * u)) {
        this.push('like', cur);
        this.t += rng.uniform(1, 4) * SECOND;
      }
      if (rng.chance(0.005 + 0.05 * u)) {
        this.push('favorite', cur);
        this.t += rng.uniform(1, 4) * SECOND;
      }
      const social = this.social;
      if (social && social.friends.length > 0 && rng.chance(P.share * (0.3 + 1.5 * u))) {
        // Shared with the friend most likely to care (by their taste for the department).
        const to =
          social.friends[rng.weighted(social.friends.map((f) => 0.05 + (social.shoppers[f]!.taste.categories[item.category] ?? 0)))]!;
        const channel = rng.pick(CHANNELS);
        this.push('share', cur, { friendId: social.shoppers[to]!.id, channel, direction: 'out' });
        social.shares.push({ from: social.self, to, item: cur, ts: Math.round(this.t), channel });
        this.t += rng.uniform(10, 40) * SECOND;
      }
      this.lastCategory = item.category;
      if (!rng.chance(cont)) break;
      this.t += rng.uniform(2, 12) * SECOND;
      cur = this.next(cur, seen);
    }
    if (carted.length > 0) {
      this.t += rng.uniform(30, 120) * SECOND;
      for (const j of carted) {
        const item = this.world.catalog[j]!;
        const dear = item.priceBand === 'high' ? 1 : item.priceBand === 'mid' ? 0.5 : 0;
        const pBuy = Math.min(0.95, Math.max(0.05, 0.3 + 0.45 * this.fit(j) - 0.35 * this.shopper.taste.priceSensitivity * dear));
        if (rng.chance(pBuy)) {
          this.push('purchase', j, { quantity: 1, price: item.price });
          this.lastPurchaseCategory = item.category;
          if (!this.unrated.includes(j)) this.unrated.push(j);
        } else if (rng.chance(0.35)) {
          this.push('remove_from_cart', j);
        }
        this.t += rng.uniform(1, 3) * SECOND;
      }
    }
  }
}

/**
 * Simulates shoppers browsing the catalog over `days` days and returns the event log and the ground
 * truth (tastes, friends, the click model). Deterministic: the same options give the same output.
 *
 * Each shopper has sessions at their usual hours. A session starts in a preferred department (or the
 * last one, or a complement of the last purchase, or a search), then follows related products (same
 * brand, similar products, fixed complements such as coffee grinder → a kitchen item), stays in the
 * department, or jumps. Every view may lead to a cart, a like, a favorite or a share to a friend;
 * carts are checked out at the end of the session (purchase or removal), purchases are often rated in
 * a later session. A shared item is opened by the friend with a probability that grows with the
 * friend's taste for it, in a short session of its own.
 *
 * @example
 * const { events, shoppers, clickModel } = simulateShoppers({ seed: 7, catalog: makeCatalog(DEMO_CATALOG), shoppers: 3000 });
 */
export function simulateShoppers(options: SimulateOptions): Simulation {
  const seed = requireInt(options?.seed, 'seed', -(2 ** 31), 2 ** 32);
  const days = requireInt(options.days ?? 45, 'days', 1, 3650);
  const start = requireNumber(options.start ?? Date.UTC(2024, 0, 1), 'start', 0, 8.64e15);
  const world = worldOf(options.catalog);
  const shoppers = makeShoppers({
    seed,
    catalog: options.catalog,
    shoppers: options.shoppers,
    ...(options.friends !== undefined ? { friends: options.friends } : {}),
    ...(options.communities !== undefined ? { communities: options.communities } : {}),
  });
  const indexOf = new Map(shoppers.map((s, i) => [s.id, i]));
  const root = SeededRandom.named(`simulate:${seed}`);
  const shares: Share[] = [];
  const sessions: Session[][] = [];

  shoppers.forEach((s, i) => {
    const rng = root.fork(`shopper:${i}`);
    const b = new Browser(world, s, rng, { self: i, friends: s.friends.map((f) => indexOf.get(f)!), shoppers, shares });
    const n = Math.max(1, Math.min(60, rng.poisson((s.activity * days) / 7)));
    const starts = Array.from(
      { length: n },
      () => start + rng.int(days) * DAY + ((((s.peakHour + 2 * rng.normal()) % 24) + 24) % 24) * HOUR,
    ).sort((a, c) => a - c);
    const mine: Session[] = [];
    let free = -Infinity;
    for (const t0 of starts) {
      b.events = [];
      b.session(Math.max(t0, free));
      const evs = b.events;
      mine.push({ start: evs[0]!.ts, end: evs[evs.length - 1]!.ts, events: evs });
      free = evs[evs.length - 1]!.ts + SESSION_GAP;
    }
    sessions.push(mine);
  });

  // Friends open shared items in sessions of their own, placed between their other sessions.
  shares.forEach((sh, k) => {
    const friend = shoppers[sh.to]!;
    const rng = root.fork(`share:${k}`);
    if (!rng.chance(0.2 + 0.7 * clickProbabilityAt(world, friend, sh.item))) return;
    const b = new Browser(world, friend, rng);
    b.inbound(0, sh, shoppers[sh.from]!.id);
    const dur = b.events[b.events.length - 1]!.ts;
    let t0 = sh.ts + Math.round(MINUTE + rng.exponential(3 * HOUR));
    const mine = sessions[sh.to]!;
    for (const s of mine) if (t0 + dur > s.start - SESSION_GAP && t0 < s.end + SESSION_GAP) t0 = s.end + SESSION_GAP;
    const events = b.events.map((e) => ({ ...e, ts: e.ts + t0 }));
    const at = mine.findIndex((s) => s.start > t0);
    mine.splice(at < 0 ? mine.length : at, 0, { start: t0, end: t0 + dur, events });
  });

  const events: SimEvent[] = [];
  shoppers.forEach((s, i) => {
    sessions[i]!.forEach((sess, n) => {
      const sessionId = `${s.id}-s${n + 1}`;
      for (const e of sess.events)
        events.push({
          user: s.id,
          ...(e.item !== undefined ? { item: e.item } : {}),
          ts: e.ts,
          type: e.type,
          sessionId,
          ...(e.data ? { data: e.data } : {}),
        });
    });
  });
  return { events, shoppers, clickModel: makeClickModel(options.catalog) };
}
