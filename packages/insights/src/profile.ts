/**
 * The shopper profile (用户画像), computed on the device from stored events.
 *
 * Everything here is incremental: a {@link ProfileAccumulator} folds new events into a small,
 * JSON-serialisable {@link ProfileState} (cache it with the store's `setMeta`) and never re-reads
 * history. Affinities are kept per item; category, brand and price-band affinities are derived from
 * the item scores when the profile is read, so catalog metadata that arrives later (from the bundle
 * or the host) applies to past behaviour too, and a missing catalog only empties those lists.
 */
import { cloneJson, type ItemMeta, type StoredEvent } from '@localrec/core';

/**
 * How much one event of each type says about the shopper's interest in its item (documented,
 * overridable through {@link ProfileOptions.eventWeights}):
 *
 * | type               | weight | note                                                      |
 * |--------------------|-------:|-----------------------------------------------------------|
 * | `purchase`         |  5     | × quantity, capped at 3                                   |
 * | `add_to_cart`      |  3     |                                                           |
 * | `favorite`, `like` |  2     |                                                           |
 * | `share`            |  2     |                                                           |
 * | `rate`             |  2     | scaled by (rating − 3) / 2: 5★ = +2, 3★ = 0, 1★ = −2     |
 * | `comment`          |  1.5   |                                                           |
 * | `click`            |  1     |                                                           |
 * | `view`             |  0.5   | halved again when `dwellMs` < 2000 (a bounce)            |
 * | `remove_from_cart` | −2     | takes back most of the cart signal                        |
 *
 * Other types (`search`, `impression`, `follow`, custom) carry no item interest unless given a weight.
 * Negative sums are kept (they cancel later positives) but read as 0.
 */
export const DEFAULT_EVENT_WEIGHTS: Readonly<Record<string, number>> = Object.freeze({
  purchase: 5,
  add_to_cart: 3,
  favorite: 2,
  like: 2,
  share: 2,
  rate: 2,
  comment: 1.5,
  click: 1,
  view: 0.5,
  remove_from_cart: -2,
});

/** Default price-band edges (currency units): bands are `<10`, `10–25`, …, `≥500`. */
export const DEFAULT_PRICE_BANDS: readonly number[] = Object.freeze([10, 25, 50, 100, 250, 500]);

/** Item metadata by id: a Map, a plain record, or a lookup function. */
export type CatalogLookup =
  ReadonlyMap<string, ItemMeta> | Readonly<Record<string, ItemMeta | undefined>> | ((itemId: string) => ItemMeta | undefined);

export interface ProfileOptions {
  /** Half-life of the exponential time decay of affinities, in days. Default 14. */
  halfLifeDays?: number;
  /** Overrides of {@link DEFAULT_EVENT_WEIGHTS}, by event type. */
  eventWeights?: Readonly<Record<string, number>>;
  /** Ascending price-band edges. Default {@link DEFAULT_PRICE_BANDS}. */
  priceBands?: readonly number[];
  /**
   * Offset of local time from UTC in minutes (e.g. +480 for UTC+8), used for the active-hours and
   * active-days histograms. Default: the device's own offset at each event's time.
   */
  utcOffsetMinutes?: number;
  /** How many distinct recent items {@link Profile.recent} keeps. Default 10. */
  recentCount?: number;
  /** At most this many items are tracked; the weakest are dropped. Default 5000. */
  maxItems?: number;
  /** At most this many sessions are kept for session statistics (the most recent). Default 200. */
  maxSessions?: number;
  /** Event uids to leave out (e.g. from {@link detectAbnormal}). Events with stored `flags` are always left out. */
  exclude?: ReadonlySet<string>;
}

/** One entry of an affinity list: the decayed score and its share of the list's total. */
export interface Affinity {
  key: string;
  /** Decayed, weighted interest at the profile's `computedAt`. */
  score: number;
  /** `score` divided by the sum of the list's scores (0..1). */
  share: number;
}

export interface PurchaseCadence {
  /** Purchase events counted. */
  count: number;
  /** Purchase occasions: purchases less than an hour apart count as one occasion. */
  occasions: number;
  /** Mean and median days between consecutive occasions (undefined with fewer than two). */
  meanDaysBetween?: number;
  medianDaysBetween?: number;
  lastPurchaseAt?: number;
  /** `lastPurchaseAt` + the median gap: when the next purchase would be due at the usual pace. */
  nextExpectedAt?: number;
}

export interface SessionStats {
  /** Distinct sessions seen. */
  count: number;
  /** Over the most recent `maxSessions` sessions. */
  meanEvents: number;
  meanDurationMs: number;
  medianDurationMs: number;
  lastSessionAt?: number;
}

/** What {@link ProfileAccumulator.profile} returns. Plain data, safe to post across threads. */
export interface Profile {
  computedAt: number;
  halfLifeDays: number;
  /** Events counted (not flagged, known type). */
  eventCount: number;
  categories: Affinity[];
  brands: Affinity[];
  /** Keys are band labels such as `"25–50"`, `"<10"`, `"≥500"`. */
  priceBands: Affinity[];
  /** The strongest item affinities (at most 50). */
  items: Affinity[];
  /** Events per local hour 0..23. */
  activeHours: number[];
  /** Events per local weekday, 0 = Sunday. */
  activeDays: number[];
  purchases: PurchaseCadence;
  sessions: SessionStats;
  /** Most recent interests, newest first: distinct items with a positive-weight event, and their categories. */
  recent: { items: string[]; categories: string[] };
  /** Share of the item-affinity mass whose item has catalog metadata (0 when there is none). */
  metadataCoverage: number;
}

/** The accumulator's serialisable state (JSON-safe; store it to avoid re-reading history). */
export interface ProfileState {
  version: 1;
  /** Highest `seq` folded in; older or equal seqs are ignored, which makes `add` idempotent. */
  lastSeq: number;
  /** Reference time of the stored item scores (see {@link ProfileAccumulator}). */
  ref: number;
  halfLifeMs: number;
  eventCount: number;
  /** itemId → [score relative to `ref`, last event ts, last price seen in an event or null]. */
  items: Record<string, [number, number, number | null]>;
  hours: number[];
  days: number[];
  purchaseCount: number;
  /** Timestamps of purchase occasions (the most recent 100). */
  occasions: number[];
  /** sessionId → [start, end, events]. */
  sessions: Record<string, [number, number, number]>;
  sessionCount: number;
  /** Most recent distinct items, newest first. */
  recent: string[];
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Rebase stored scores when an exponent would exceed this many half-lives (keeps 2^x finite). */
const REBASE_HALF_LIVES = 64;

function lookup(catalog: CatalogLookup | undefined, id: string): ItemMeta | undefined {
  if (!catalog) return undefined;
  if (typeof catalog === 'function') return catalog(id);
  if (catalog instanceof Map) return (catalog as ReadonlyMap<string, ItemMeta>).get(id);
  const rec = catalog as Readonly<Record<string, ItemMeta | undefined>>;
  return Object.prototype.hasOwnProperty.call(rec, id) ? rec[id] : undefined;
}

/** The label of the price band `price` falls in, e.g. `"25–50"`. */
export function priceBandOf(price: number, bands: readonly number[] = DEFAULT_PRICE_BANDS): string {
  if (bands.length === 0) return 'all';
  if (price < bands[0]!) return `<${bands[0]}`;
  for (let i = 1; i < bands.length; i++) if (price < bands[i]!) return `${bands[i - 1]}–${bands[i]}`;
  return `≥${bands[bands.length - 1]}`;
}

/** The share of `key` in an affinity list (0 when absent). */
export function affinityOf(list: readonly Affinity[], key: string | undefined): number {
  if (key === undefined) return 0;
  for (const a of list) if (a.key === key) return a.share;
  return 0;
}

/** The weight one event contributes to its item, by the documented rules of {@link DEFAULT_EVENT_WEIGHTS}. */
export function eventWeight(
  e: Pick<StoredEvent, 'type' | 'data'>,
  weights: Readonly<Record<string, number>> = DEFAULT_EVENT_WEIGHTS,
): number {
  const w = weights[e.type];
  if (w === undefined || w === 0) return 0;
  switch (e.type) {
    case 'purchase':
      return w * Math.min(3, Math.max(1, e.data.quantity ?? 1));
    case 'rate':
      return e.data.rating === undefined ? 0 : (w * (e.data.rating - 3)) / 2;
    case 'view':
      return e.data.dwellMs !== undefined && e.data.dwellMs < 2000 ? w / 2 : w;
    default:
      return w;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** True for a well-formed {@link ProfileState} (a cached state may be old or damaged). */
export function isProfileState(v: unknown): v is ProfileState {
  const s = v as ProfileState;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.version === 1 &&
    Number.isFinite(s.lastSeq) &&
    Number.isFinite(s.ref) &&
    s.halfLifeMs > 0 &&
    Array.isArray(s.hours) &&
    s.hours.length === 24 &&
    Array.isArray(s.days) &&
    s.days.length === 7 &&
    typeof s.items === 'object' &&
    s.items !== null &&
    typeof s.sessions === 'object' &&
    s.sessions !== null &&
    Array.isArray(s.occasions) &&
    Array.isArray(s.recent) &&
    Number.isFinite(s.eventCount)
  );
}

/** Deep copy through JSON: the state is JSON-safe by design, and this works where structuredClone does not (mini-programs). */
const clone = cloneJson;

function emptyState(halfLifeMs: number): ProfileState {
  return {
    version: 1,
    lastSeq: -1,
    ref: 0,
    halfLifeMs,
    eventCount: 0,
    items: {},
    hours: new Array<number>(24).fill(0),
    days: new Array<number>(7).fill(0),
    purchaseCount: 0,
    occasions: [],
    sessions: {},
    sessionCount: 0,
    recent: [],
  };
}

/**
 * Folds events into a profile state, one event at a time, without keeping the events.
 *
 * Decay: an item's affinity at time `t` is Σ wᵢ · 2^(−(t − tᵢ)/h) over its events (h = half-life).
 * It is stored as Σ wᵢ · 2^((tᵢ − ref)/h) for a reference time `ref`, so adding an event is one
 * multiply-add and reading multiplies by 2^(−(t − ref)/h); `ref` moves forward (rescaling every
 * score once) before an exponent could overflow.
 *
 * @example
 * const acc = new ProfileAccumulator({ halfLifeDays: 7 }, await store.getMeta('profile'));
 * acc.add(await store.query({ since: lastTs }));
 * await store.setMeta('profile', acc.toJSON());
 * const profile = acc.profile(catalog, Date.now());
 */
export class ProfileAccumulator {
  private readonly state: ProfileState;
  private readonly weights: Readonly<Record<string, number>>;
  private readonly bands: readonly number[];
  private readonly opts: ProfileOptions;

  /** @param state a state from {@link toJSON}; ignored (a fresh start) when malformed or when its half-life differs from the options'. */
  constructor(options: ProfileOptions = {}, state?: ProfileState) {
    const halfLifeDays = options.halfLifeDays ?? 14;
    if (!(halfLifeDays > 0) || !Number.isFinite(halfLifeDays)) {
      throw new RangeError(`halfLifeDays must be a positive finite number, got ${String(halfLifeDays)}`);
    }
    this.opts = options;
    this.weights = { ...DEFAULT_EVENT_WEIGHTS, ...options.eventWeights };
    this.bands = options.priceBands ?? DEFAULT_PRICE_BANDS;
    const halfLifeMs = halfLifeDays * DAY_MS;
    this.state = isProfileState(state) && state.halfLifeMs === halfLifeMs ? clone(state) : emptyState(halfLifeMs);
  }

  /** Highest event `seq` folded in so far (−1 when none). */
  get lastSeq(): number {
    return this.state.lastSeq;
  }

  /**
   * Folds events in (any order; they are applied by ascending `seq`). Events already folded
   * (`seq` ≤ {@link lastSeq}), flagged events, and uids in `options.exclude` or `exclude` (e.g.
   * `detectAbnormal(newEvents + tail).uids`) are skipped. Returns how many events were counted.
   */
  add(events: readonly StoredEvent[], exclude?: ReadonlySet<string>): number {
    const fresh = events.filter((e) => e.seq > this.state.lastSeq).sort((a, b) => a.seq - b.seq);
    let counted = 0;
    for (const e of fresh) {
      this.state.lastSeq = e.seq;
      if (e.flags?.length || this.opts.exclude?.has(e.uid) || exclude?.has(e.uid) || e.type === 'impression') continue;
      this.addOne(e);
      counted++;
    }
    return counted;
  }

  private addOne(e: StoredEvent): void {
    const s = this.state;
    s.eventCount++;
    const offsetMin = this.opts.utcOffsetMinutes ?? -new Date(e.ts).getTimezoneOffset();
    const local = new Date(e.ts + offsetMin * 60_000);
    s.hours[local.getUTCHours()]!++;
    s.days[local.getUTCDay()]!++;

    const sess = s.sessions[e.sessionId];
    if (sess) {
      sess[0] = Math.min(sess[0], e.ts);
      sess[1] = Math.max(sess[1], e.ts);
      sess[2]++;
    } else {
      s.sessions[e.sessionId] = [e.ts, e.ts, 1];
      s.sessionCount++;
      this.capSessions();
    }

    if (e.type === 'purchase') {
      s.purchaseCount++;
      const last = s.occasions[s.occasions.length - 1];
      if (last === undefined || e.ts - last >= HOUR_MS) {
        s.occasions.push(e.ts);
        s.occasions.sort((a, b) => a - b);
        if (s.occasions.length > 100) s.occasions.shift();
      }
    }

    if (e.itemId === undefined) return;
    const w = eventWeight(e, this.weights);
    if (w === 0 && e.data.price === undefined) return;
    if ((e.ts - s.ref) / s.halfLifeMs > REBASE_HALF_LIVES) this.rebase(e.ts);
    const item = s.items[e.itemId] ?? (s.items[e.itemId] = [0, e.ts, null]);
    item[0] += w * 2 ** ((e.ts - s.ref) / s.halfLifeMs);
    item[1] = Math.max(item[1], e.ts);
    if (e.data.price !== undefined) item[2] = e.data.price;
    if (w > 0) {
      s.recent = [e.itemId, ...s.recent.filter((id) => id !== e.itemId)].slice(0, this.opts.recentCount ?? 10);
    }
    this.capItems();
  }

  private rebase(to: number): void {
    const f = 2 ** (-(to - this.state.ref) / this.state.halfLifeMs);
    for (const v of Object.values(this.state.items)) v[0] *= f;
    this.state.ref = to;
  }

  private capItems(): void {
    const max = this.opts.maxItems ?? 5000;
    const entries = Object.entries(this.state.items);
    if (entries.length <= max) return;
    // Drop the weakest tenth at once so capping is amortised, not one sort per event.
    entries.sort((a, b) => Math.abs(a[1][0]) - Math.abs(b[1][0]));
    for (const [id] of entries.slice(0, entries.length - Math.floor(max * 0.9))) delete this.state.items[id];
  }

  private capSessions(): void {
    const max = this.opts.maxSessions ?? 200;
    const entries = Object.entries(this.state.sessions);
    if (entries.length <= max) return;
    entries.sort((a, b) => a[1][1] - b[1][1]);
    for (const [id] of entries.slice(0, entries.length - max)) delete this.state.sessions[id];
  }

  /** A deep copy of the state, JSON- and structured-clone-safe. */
  toJSON(): ProfileState {
    return clone(this.state);
  }

  /**
   * Reads the profile at time `now`. Category, brand and price-band affinities need `catalog`; without it they are
   * empty (a price band can still come from prices recorded in purchase/cart events).
   */
  profile(catalog?: CatalogLookup, now: number = Date.now()): Profile {
    const s = this.state;
    const decay = 2 ** (-(now - s.ref) / s.halfLifeMs);
    const cats = new Map<string, number>();
    const brands = new Map<string, number>();
    const bands = new Map<string, number>();
    const items: [string, number][] = [];
    let mass = 0;
    let covered = 0;
    const bump = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
    for (const [id, [raw, , eventPrice]] of Object.entries(s.items)) {
      const v = raw * decay;
      if (!(v > 0)) continue;
      items.push([id, v]);
      mass += v;
      const meta = lookup(catalog, id);
      if (meta && (meta.category !== undefined || meta.brand !== undefined || meta.price !== undefined)) covered += v;
      if (meta?.category !== undefined) bump(cats, meta.category, v);
      if (meta?.brand !== undefined) bump(brands, meta.brand, v);
      const price = meta?.price ?? eventPrice ?? undefined;
      if (price !== undefined) bump(bands, priceBandOf(price, this.bands), v);
    }
    const recentCategories: string[] = [];
    for (const id of s.recent) {
      const c = lookup(catalog, id)?.category;
      if (c !== undefined && !recentCategories.includes(c)) recentCategories.push(c);
    }
    const sessions = Object.values(s.sessions);
    const durations = sessions.map(([a, b]) => b - a);
    const gaps = s.occasions.slice(1).map((t, i) => (t - s.occasions[i]!) / DAY_MS);
    const last = s.occasions[s.occasions.length - 1];
    const purchases: PurchaseCadence = { count: s.purchaseCount, occasions: s.occasions.length };
    if (last !== undefined) purchases.lastPurchaseAt = last;
    if (gaps.length > 0) {
      purchases.meanDaysBetween = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      purchases.medianDaysBetween = median(gaps);
      purchases.nextExpectedAt = last! + purchases.medianDaysBetween * DAY_MS;
    }
    const sessionStats: SessionStats = {
      count: s.sessionCount,
      meanEvents: sessions.length ? sessions.reduce((a, x) => a + x[2], 0) / sessions.length : 0,
      meanDurationMs: durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : 0,
      medianDurationMs: durations.length ? median(durations) : 0,
    };
    if (sessions.length) sessionStats.lastSessionAt = Math.max(...sessions.map((x) => x[1]));
    return {
      computedAt: now,
      halfLifeDays: s.halfLifeMs / DAY_MS,
      eventCount: s.eventCount,
      categories: toAffinities(cats),
      brands: toAffinities(brands),
      priceBands: toAffinities(bands),
      items: toAffinities(new Map(items)).slice(0, 50),
      activeHours: [...s.hours],
      activeDays: [...s.days],
      purchases,
      sessions: sessionStats,
      recent: { items: [...s.recent], categories: recentCategories },
      metadataCoverage: mass > 0 ? covered / mass : 0,
    };
  }
}

function toAffinities(m: Map<string, number>): Affinity[] {
  let total = 0;
  for (const v of m.values()) total += v;
  return [...m]
    .map(([key, score]) => ({ key, score, share: total > 0 ? score / total : 0 }))
    .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
}

/**
 * Computes a profile from a full list of events in one go (a fresh {@link ProfileAccumulator}).
 * Prefer the accumulator when events arrive over time.
 */
export function computeProfile(
  events: readonly StoredEvent[],
  catalog?: CatalogLookup,
  options: ProfileOptions & { now?: number } = {},
): Profile {
  const acc = new ProfileAccumulator(options);
  acc.add(events);
  return acc.profile(catalog, options.now ?? Date.now());
}

/** Weights of {@link itemAffinity}: how much category, brand and price band each say. */
export const ITEM_AFFINITY_WEIGHTS = Object.freeze({ category: 0.6, brand: 0.25, priceBand: 0.15 });

/**
 * How well an item fits the profile, in [0, 1]: 0.6 × category + 0.25 × brand + 0.15 × price band,
 * each the item's affinity relative to the profile's strongest entry in that list (the favourite
 * category scores 1). Unknown metadata contributes 0.
 */
export function itemAffinity(
  profile: Pick<Profile, 'categories' | 'brands' | 'priceBands'>,
  meta: ItemMeta | undefined,
  priceBands: readonly number[] = DEFAULT_PRICE_BANDS,
): number {
  if (!meta) return 0;
  const rel = (list: readonly Affinity[], key: string | undefined) => {
    const top = list[0]?.share ?? 0;
    return top > 0 ? affinityOf(list, key) / top : 0;
  };
  const w = ITEM_AFFINITY_WEIGHTS;
  return (
    w.category * rel(profile.categories, meta.category) +
    w.brand * rel(profile.brands, meta.brand) +
    w.priceBand * rel(profile.priceBands, meta.price === undefined ? undefined : priceBandOf(meta.price, priceBands))
  );
}
