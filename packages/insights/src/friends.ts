/**
 * Friends as the device itself recorded them, and the social candidates of a list (issue 15,
 * "social signals used"): items friends shared with the shopper or liked may ENTER a list, not only
 * move within it.
 *
 * What the device records (`track()`; see `@localrec/core`'s events):
 * - `follow { friendId }` — the shopper follows that friend: the friend's signals count
 *   `followWeight` (2) times;
 * - an inbound share — `share { itemId, direction: 'in', friendId? }`, or a `share` without
 *   `direction` that carries `context.ref` (a landing through a share link, `?ref=`): "Shared with
 *   you by a friend", a strong signal (3 per friend, like a host `sharedBy`) decaying with its age
 *   (half-life `inboundHalfLifeDays`, 7). The friend is `friendId`, else the link's `ref`, else one
 *   unnamed friend per item.
 *
 * {@link mergeSocial} joins these with the host's context (`setSocialContext`) into one context of
 * the same shape; {@link socialCandidates} picks the at most `maxCandidates` strongest social items
 * a list does not hold yet, that pass the list's exclusions and filter. Friend ids stay inside this
 * module's maps (memory only): reasons carry counts, never an id. Everything here is deterministic
 * (ties: item id order).
 */
import type { ScoredItem, StoredEvent } from '@localrec/core';
import { socialReason, type NormalisedSignal, type SocialContext } from './social.js';

const DAY = 86_400_000;

/** Settings of the social candidates (the runtime's `insights.social`). */
export interface SocialOptions {
  /** Most items that may enter one list through friends. Default 5 (never more than the list's length). */
  maxCandidates?: number;
  /** How many times a followed friend's like, purchase or share counts. Default 2. */
  followWeight?: number;
  /** Half-life of a recorded inbound share, in days. Default 7. */
  inboundHalfLifeDays?: number;
  /** Model term of an item that entered through friends: `entryWeight × socialProof`. Default 0.8 (`SOCIAL_ENTRY_WEIGHT`). */
  entryWeight?: number;
}

export const DEFAULT_SOCIAL_OPTIONS = Object.freeze({
  maxCandidates: 5,
  followWeight: 2,
  inboundHalfLifeDays: 7,
  entryWeight: 0.8,
} satisfies Required<SocialOptions>);

/** The device's own social events, folded. Memory only. */
export interface RecordedSocial {
  /** itemId → friend key → time of that friend's newest inbound share of the item. */
  inbound: Map<string, Map<string, number>>;
  /** itemId → inbound share events (to tell a share the shopper has not opened yet). */
  inboundEvents: Map<string, number>;
  /** Friend ids the shopper follows. */
  followed: Set<string>;
}

/** Event types {@link recordedSocial} reads (the runtime queries only these). */
export const SOCIAL_EVENT_TYPES = ['share', 'follow'] as const;

/** Whether an event is an inbound share (see the module documentation). */
export function isInboundShare(e: Pick<StoredEvent, 'type' | 'data' | 'context'>): boolean {
  if (e.type !== 'share') return false;
  const dir = e.data?.direction;
  return dir === 'in' || (dir === undefined && typeof e.context?.ref === 'string');
}

/** Folds the shopper's `share` and `follow` events (flagged, i.e. abnormal, ones left out; `skip` leaves out more). */
export function recordedSocial(events: readonly StoredEvent[], skip?: (e: StoredEvent) => boolean): RecordedSocial {
  const out: RecordedSocial = { inbound: new Map(), inboundEvents: new Map(), followed: new Set() };
  for (const e of events) {
    if (e.flags?.length || skip?.(e)) continue;
    if (e.type === 'follow' && typeof e.data?.friendId === 'string') out.followed.add(e.data.friendId);
    else if (isInboundShare(e) && typeof e.itemId === 'string') {
      const id = e.itemId;
      const friend = e.data?.friendId ?? (e.context?.ref !== undefined ? `ref:${e.context.ref}` : '');
      let m = out.inbound.get(id);
      if (!m) out.inbound.set(id, (m = new Map<string, number>()));
      m.set(friend, Math.max(m.get(friend) ?? -Infinity, e.ts));
      out.inboundEvents.set(id, (out.inboundEvents.get(id) ?? 0) + 1);
    }
  }
  return out;
}

/** Whether the device recorded anything social. */
export const hasRecorded = (r: RecordedSocial | undefined): r is RecordedSocial => !!r && (r.inbound.size > 0 || r.followed.size > 0);

/**
 * The host's context and the recorded events as one context: the host's counts as given, plus
 * `inbound` (recorded inbound friends, distinct, a host `sharedBy` id counted once) and `strength`
 * (Σ over friends of weight × 1 per like, 2 per purchase, 3 per share; a followed friend's weight
 * is `followWeight`, a recorded share's 2^(−age / half-life)). An expired host context counts
 * nothing. With nothing recorded, the host's context itself (unchanged).
 */
export function mergeSocial(
  host: SocialContext | undefined,
  rec: RecordedSocial | undefined,
  now: number,
  options: SocialOptions = {},
): SocialContext | undefined {
  if (!hasRecorded(rec)) return host;
  const o = { ...DEFAULT_SOCIAL_OPTIONS, ...options };
  const live = host && now < host.expiresAt ? host : undefined;
  const w = (friend: string) => (rec.followed.has(friend) ? o.followWeight : 1);
  /** Named friends by their weight, the rest of the count (unnamed) at 1. */
  const sum = (ids: readonly string[] | undefined, n: number) =>
    ids ? ids.reduce((a, f) => a + w(f), 0) + Math.max(0, n - ids.length) : n;
  const halfLife = o.inboundHalfLifeDays * DAY;
  const items = new Map<string, NormalisedSignal>();
  const ids = new Set([...(live?.items.keys() ?? []), ...rec.inbound.keys()]);
  for (const id of [...ids].sort()) {
    const h = live?.items.get(id);
    const hostShared = new Set(h?.ids?.shared ?? []);
    let inbound = 0;
    let recorded = 0;
    for (const [friend, ts] of rec.inbound.get(id) ?? []) {
      if (hostShared.has(friend)) continue; // the host already counts this share
      inbound++;
      recorded += 3 * w(friend) * 2 ** (-Math.max(0, now - ts) / halfLife);
    }
    const base = h ? sum(h.ids?.liked, h.friendsLiked) + 2 * sum(h.ids?.bought, h.friendsBought) + 3 * sum(h.ids?.shared, h.sharedBy) : 0;
    const sig: NormalisedSignal = {
      friendsLiked: h?.friendsLiked ?? 0,
      friendsBought: h?.friendsBought ?? 0,
      sharedBy: h?.sharedBy ?? 0,
      strength: base + recorded,
    };
    if (inbound) sig.inbound = inbound;
    items.set(id, sig);
  }
  return Object.freeze({ items, receivedAt: now, expiresAt: live ? live.expiresAt : Infinity });
}

/**
 * Item ids whose every event in the shopper's history is an inbound share (shared with them, not
 * opened yet): a list may show them although the shopper "has" them in their history.
 * `history`: the sequence entries (`count` events each; an item may have several entries).
 */
export function unopenedShares(history: readonly { itemId: string; count?: number }[], rec: RecordedSocial | undefined): Set<string> {
  const out = new Set<string>();
  if (!rec || rec.inboundEvents.size === 0) return out;
  const counts = new Map<string, number>();
  for (const h of history) counts.set(h.itemId, (counts.get(h.itemId) ?? 0) + (h.count ?? 1));
  for (const [id, n] of counts) if (rec.inboundEvents.get(id) === n) out.add(id);
  return out;
}

/** What {@link socialCandidates} needs of the list. */
export interface SocialCandidateInput {
  /** The merged context ({@link mergeSocial}). */
  social: SocialContext | undefined;
  /** The list's candidates so far: those never enter twice. */
  pool: readonly ScoredItem[];
  now: number;
  /** The list's exclusions and filter (seen, purchased, `exclude`, dedupe, `filter`). */
  eligible: (itemId: string) => boolean;
  /** Whether the item exists (the model or the catalog knows it): unknown ids never enter. */
  known: (itemId: string) => boolean;
  /** At most this many enter. */
  max: number;
}

/** Social strength of a signal (as `socialProof` weighs it). */
const strengthOf = (s: NormalisedSignal) => s.strength ?? s.friendsLiked + 2 * s.friendsBought + 3 * s.sharedBy;

/**
 * The at most `max` items with a social signal that are not in the pool, exist, and are eligible —
 * strongest first (ties: item id) — as `source: 'social'` items with the social reason; their score
 * is set by the blend (`modelTerms`). None without a context or when `max` < 1.
 */
export function socialCandidates(c: SocialCandidateInput): ScoredItem[] {
  const ctx = c.social;
  if (!ctx || c.now >= ctx.expiresAt || !(c.max >= 1)) return [];
  const inPool = new Set(c.pool.map((it) => it.itemId));
  const picks: [string, number, NormalisedSignal][] = [];
  for (const [id, sig] of ctx.items) {
    const s = strengthOf(sig);
    if (s > 0 && !inPool.has(id) && c.known(id) && c.eligible(id)) picks.push([id, s, sig]);
  }
  picks.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return picks.slice(0, Math.floor(c.max)).map(([itemId, , sig]) => ({
    itemId,
    score: 0,
    source: 'social' as const,
    reason: socialReason(sig) ?? { kind: 'social', text: 'Popular with your friends' },
  }));
}
