/**
 * Social context supplied by the host page (`setSocialContext(...)`) and the ONE scoring step that
 * blends the model score with profile affinity and social proof.
 *
 * The context is what the host already shows on its page — counts of friends who liked or bought an
 * item, items friends shared with this shopper. It lives in memory only, for its lifetime
 * (`ttlMs`, default 30 minutes, at most 24 hours), and is never written to storage or exported.
 */
import { LocalRecError, type ItemMeta, type Reason, type ScoredItem } from '@localrec/core';
import { itemAffinity, type CatalogLookup, type Profile } from './profile.js';

/** Social signals about one item. */
export interface SocialItemSignal {
  /** How many of the shopper's friends liked the item. */
  friendsLiked?: number;
  /** How many of the shopper's friends bought the item. */
  friendsBought?: number;
  /**
   * Opaque ids of friends who liked the item (counted distinct; a followed friend then counts more).
   * With `friendsLiked` too, the count is the larger of the two.
   */
  likedBy?: string[];
  /** Opaque ids of friends who bought the item, as {@link likedBy}. */
  boughtBy?: string[];
  /** Friends who shared the item with this shopper: a count, or their opaque friend ids. */
  sharedBy?: number | string[];
}

/** The argument of `setSocialContext(...)`. */
export interface SocialContextInput {
  /** itemId → signals. At most {@link SOCIAL_LIMITS}.maxItems entries. */
  items: Record<string, SocialItemSignal>;
  /** Lifetime in ms. Default 30 minutes; at most 24 hours. */
  ttlMs?: number;
}

/** A validated context with its expiry. Held in memory only. */
export interface SocialContext {
  readonly items: ReadonlyMap<string, Readonly<NormalisedSignal>>;
  readonly receivedAt: number;
  readonly expiresAt: number;
}

/** A signal with every field reduced to a count of distinct friends. */
export interface NormalisedSignal {
  friendsLiked: number;
  friendsBought: number;
  sharedBy: number;
  /**
   * The host's opaque friend ids per field, when it gave ids (`likedBy`, `boughtBy`, `sharedBy`; memory
   * only: they weigh followed friends in `friends.ts` and never appear in an answer).
   */
  ids?: { liked?: readonly string[]; bought?: readonly string[]; shared?: readonly string[] };
  /** Friends who shared the item with this shopper, as recorded on the device (`share` with `direction: 'in'`). */
  inbound?: number;
  /**
   * The weighted evidence (followed friends count more, recorded shares decay with age) when the
   * device's own social events weighed in (`mergeSocial`); otherwise liked + 2 × bought + 3 × shared.
   */
  strength?: number;
}

export const SOCIAL_LIMITS = Object.freeze({
  maxItems: 10_000,
  maxItemIdLength: 256,
  maxCount: 1_000_000,
  defaultTtlMs: 30 * 60_000,
  maxTtlMs: 24 * 3_600_000,
});

const SIGNAL_KEYS = ['friendsLiked', 'friendsBought', 'sharedBy', 'likedBy', 'boughtBy'] as const;
const INPUT_KEYS = ['items', 'ttlMs'] as const;

function invalid(field: string, message: string, accepted?: readonly string[]): LocalRecError {
  return new LocalRecError('INVALID_ARGUMENT', `setSocialContext: ${field} ${message}`, accepted ? { field, accepted } : { field });
}

/** A short rendering of a bad value for messages; never throws (BigInt, cycles and traps defeat JSON.stringify). */
function show(v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof v;
  }
}

function count(v: unknown, field: string): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > SOCIAL_LIMITS.maxCount) {
    throw invalid(field, `must be an integer from 0 to ${SOCIAL_LIMITS.maxCount}, got ${show(v)}`);
  }
  return v;
}

/** A count and, when given, an array of friend ids: the larger of the two. */
function withIds(n: number, v: unknown, field: string): { n: number; ids?: string[] } {
  if (v === undefined) return { n };
  if (!Array.isArray(v)) throw invalid(field, `must be an array of friend id strings, got ${show(v)}`);
  const f = friends(v, field);
  return { n: Math.max(n, f.n), ids: f.ids! };
}

/** A count, or opaque friend ids counted distinct (kept, to weigh followed friends). */
function friends(v: unknown, field: string): { n: number; ids?: string[] } {
  if (!Array.isArray(v)) return { n: count(v, field) };
  if (v.length > SOCIAL_LIMITS.maxCount) throw invalid(field, `has ${v.length} friend ids; at most ${SOCIAL_LIMITS.maxCount} are accepted`);
  v.forEach((fid: unknown, i) => {
    if (typeof fid !== 'string' || fid.length === 0 || fid.length > 256) {
      throw invalid(`${field}[${i}]`, `must be a friend id string of length 1 to 256, got ${show(fid)}`);
    }
  });
  const ids = [...new Set(v as string[])];
  return { n: ids.length, ids };
}

/**
 * Validates host input and returns the in-memory context. Throws a `LocalRecError` with code
 * `INVALID_ARGUMENT` whose `field` names the bad value (e.g. `items["sku-1"].friendsLiked`).
 */
export function createSocialContext(input: unknown, now: number): SocialContext {
  try {
    return readSocialContext(input, now);
  } catch (err) {
    if (err instanceof LocalRecError) throw err;
    // Hostile input (a getter or Proxy trap that throws): still a typed error naming the argument.
    throw new LocalRecError('INVALID_ARGUMENT', 'setSocialContext: context could not be read as plain data', {
      field: 'context',
      cause: err,
    });
  }
}

function readSocialContext(input: unknown, now: number): SocialContext {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(
      'context',
      `must be an object { items, ttlMs? }, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`,
    );
  }
  for (const k of Object.keys(input)) {
    if (!(INPUT_KEYS as readonly string[]).includes(k)) throw invalid(k, 'is not a known field', INPUT_KEYS);
  }
  const { items, ttlMs } = input as { items?: unknown; ttlMs?: unknown };
  let ttl: number = SOCIAL_LIMITS.defaultTtlMs;
  if (ttlMs !== undefined) {
    if (typeof ttlMs !== 'number' || !(ttlMs > 0) || ttlMs > SOCIAL_LIMITS.maxTtlMs) {
      throw invalid('ttlMs', `must be a number of ms in (0, ${SOCIAL_LIMITS.maxTtlMs}] (24 h), got ${show(ttlMs)}`);
    }
    ttl = ttlMs;
  }
  if (typeof items !== 'object' || items === null || Array.isArray(items)) {
    throw invalid('items', 'must be an object mapping item ids to { friendsLiked?, friendsBought?, sharedBy? }');
  }
  const entries = Object.entries(items);
  if (entries.length > SOCIAL_LIMITS.maxItems) {
    throw invalid('items', `has ${entries.length} entries; at most ${SOCIAL_LIMITS.maxItems} are accepted`);
  }
  const out = new Map<string, NormalisedSignal>();
  for (const [id, sig] of entries as [string, unknown][]) {
    const f = `items[${JSON.stringify(id)}]`;
    if (id.length === 0 || id.length > SOCIAL_LIMITS.maxItemIdLength) {
      throw invalid(f, `has an item id of length ${id.length}; accepted 1 to ${SOCIAL_LIMITS.maxItemIdLength}`);
    }
    if (typeof sig !== 'object' || sig === null || Array.isArray(sig)) throw invalid(f, 'must be an object');
    for (const k of Object.keys(sig)) {
      if (!(SIGNAL_KEYS as readonly string[]).includes(k)) throw invalid(`${f}.${k}`, 'is not a known field', SIGNAL_KEYS);
    }
    const s = sig as SocialItemSignal;
    const liked = withIds(count(s.friendsLiked, `${f}.friendsLiked`), s.likedBy, `${f}.likedBy`);
    const bought = withIds(count(s.friendsBought, `${f}.friendsBought`), s.boughtBy, `${f}.boughtBy`);
    const shared = friends(s.sharedBy, `${f}.sharedBy`);
    const signal: NormalisedSignal = { friendsLiked: liked.n, friendsBought: bought.n, sharedBy: shared.n };
    if (liked.ids || bought.ids || shared.ids) {
      signal.ids = {};
      if (liked.ids) signal.ids.liked = liked.ids;
      if (bought.ids) signal.ids.bought = bought.ids;
      if (shared.ids) signal.ids.shared = shared.ids;
    }
    out.set(id, signal);
  }
  return Object.freeze({ items: out, receivedAt: now, expiresAt: now + ttl });
}

/** The item's social signal, or undefined when there is none or the context has expired. */
export function socialSignal(ctx: SocialContext | undefined, itemId: string, now: number): NormalisedSignal | undefined {
  if (!ctx || now >= ctx.expiresAt) return undefined;
  return ctx.items.get(itemId);
}

/**
 * Social proof in [0, 1]: 1 − exp(−strength / 4), strength = liked + 2 × bought + 3 × shared (or the
 * weighted {@link NormalisedSignal.strength}). One friend's like gives 0.22, a share 0.53; it
 * saturates, so a hundred likes cannot outweigh the model by themselves.
 */
export function socialProof(s: NormalisedSignal | undefined): number {
  if (!s) return 0;
  const strength = s.strength ?? s.friendsLiked + 2 * s.friendsBought + 3 * s.sharedBy;
  return strength > 0 ? 1 - Math.exp(-strength / 4) : 0;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many.replace('#', String(n)));

/**
 * The reason a person reads, strongest signal first: shares recorded on the device, the host's shares,
 * purchases, likes — "Shared with you by a friend", "Shared by a friend", "2 friends bought this",
 * "3 friends liked this". Counts only: no friend id ever appears in a reason.
 */
export function socialReason(s: NormalisedSignal | undefined): Reason | undefined {
  if (!s) return undefined;
  if ((s.inbound ?? 0) > 0)
    return { kind: 'social', text: plural(s.inbound!, 'Shared with you by a friend', 'Shared with you by # friends') };
  if (s.sharedBy > 0) return { kind: 'social', text: plural(s.sharedBy, 'Shared by a friend', 'Shared by # friends') };
  if (s.friendsBought > 0) return { kind: 'social', text: plural(s.friendsBought, 'A friend bought this', '# friends bought this') };
  if (s.friendsLiked > 0) return { kind: 'social', text: plural(s.friendsLiked, 'A friend liked this', '# friends liked this') };
  return undefined;
}

/** Inputs of {@link blendScore}, each in [0, 1]. */
export interface BlendInput {
  /** The model's score, normalised within the list (see {@link normaliseScores}). */
  modelScore: number;
  /** Profile affinity ({@link itemAffinity}). */
  affinity: number;
  /** {@link socialProof}. */
  socialProof: number;
}

export interface BlendWeights {
  model: number;
  affinity: number;
  social: number;
}

/** Default weights: the model leads; affinity and social proof break near-ties and lift good fits. */
export const DEFAULT_BLEND_WEIGHTS: Readonly<BlendWeights> = Object.freeze({ model: 0.7, affinity: 0.15, social: 0.15 });

export interface BlendResult {
  score: number;
  /** Each term's contribution (weight × input); they sum to `score`. */
  parts: BlendWeights;
  /** The term that contributed most beyond the model, if any contributed: it picks the reason. */
  lift: 'affinity' | 'social' | undefined;
}

/**
 * THE scoring step: score = w.model × modelScore + w.affinity × affinity + w.social × socialProof.
 * Inputs are clamped to [0, 1]; weights must be non-negative.
 */
export function blendScore(input: BlendInput, weights: Readonly<BlendWeights> = DEFAULT_BLEND_WEIGHTS): BlendResult {
  for (const k of ['model', 'affinity', 'social'] as const) {
    if (!(weights[k] >= 0))
      throw new LocalRecError('INVALID_ARGUMENT', `blend weight "${k}" must be ≥ 0, got ${weights[k]}`, { field: `weights.${k}` });
  }
  const c = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
  const parts = {
    model: weights.model * c(input.modelScore),
    affinity: weights.affinity * c(input.affinity),
    social: weights.social * c(input.socialProof),
  };
  let lift: BlendResult['lift'];
  if (parts.social > 0 || parts.affinity > 0) lift = parts.social >= parts.affinity ? 'social' : 'affinity';
  return { score: parts.model + parts.affinity + parts.social, parts, lift };
}

/** Min–max normalisation of a list's scores to [0, 1] (all equal → all 1). */
export function normaliseScores(scores: readonly number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of scores) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  return scores.map((s) => (hi > lo ? (s - lo) / (hi - lo) : 1));
}

/**
 * Default weight of social proof standing in for the model score of an item that entered a list
 * through friends (`source: 'social'`): the model did not rank it, so its model term is
 * `entryWeight × socialProof` (0.8: chosen with `benchmarks/social.ts` on seed 1).
 */
export const SOCIAL_ENTRY_WEIGHT = 0.8;

/**
 * The model term of each item of a list, in [0, 1]: the score min–max normalised over the items
 * the model (or the cold-start tables) ranked ({@link normaliseScores}); for an item that entered
 * through friends (`source: 'social'`), `entryWeight × socialProof`. Without such items it is
 * exactly `normaliseScores` of the scores.
 */
export function modelTerms(
  items: readonly ScoredItem[],
  social: SocialContext | undefined,
  now: number,
  entryWeight: number = SOCIAL_ENTRY_WEIGHT,
): number[] {
  const ranked = items.flatMap((it) => (it.source === 'social' ? [] : [it.score]));
  const norm = normaliseScores(ranked);
  let j = 0;
  return items.map((it) => (it.source === 'social' ? entryWeight * socialProof(socialSignal(social, it.itemId, now)) : norm[j++]!));
}

export interface BlendRankingOptions {
  profile?: Pick<Profile, 'categories' | 'brands' | 'priceBands'>;
  catalog?: CatalogLookup;
  social?: SocialContext;
  now: number;
  weights?: Readonly<BlendWeights>;
  /** See {@link SOCIAL_ENTRY_WEIGHT}. */
  entryWeight?: number;
}

function meta(catalog: CatalogLookup | undefined, id: string): ItemMeta | undefined {
  if (!catalog) return undefined;
  if (typeof catalog === 'function') return catalog(id);
  if (catalog instanceof Map) return (catalog as ReadonlyMap<string, ItemMeta>).get(id);
  return (catalog as Record<string, ItemMeta | undefined>)[id];
}

/**
 * Applies {@link blendScore} to a result list and re-sorts it (stable on ties). The reason becomes
 * the social reason when social proof is the larger lift (always for an item that entered through
 * friends, `source: 'social'`), otherwise the item keeps its own reason.
 */
export function blendRanking(items: readonly ScoredItem[], o: BlendRankingOptions): ScoredItem[] {
  const norm = modelTerms(items, o.social, o.now, o.entryWeight);
  return items
    .map((item, i) => {
      const sig = socialSignal(o.social, item.itemId, o.now);
      const b = blendScore(
        {
          modelScore: norm[i]!,
          affinity: o.profile ? itemAffinity(o.profile, meta(o.catalog, item.itemId)) : 0,
          socialProof: socialProof(sig),
        },
        o.weights,
      );
      const reason = b.lift === 'social' || item.source === 'social' ? (socialReason(sig) ?? item.reason) : item.reason;
      return { i, item: { ...item, score: b.score, reason } };
    })
    .sort((a, b) => b.item.score - a.item.score || a.i - b.i)
    .map((x) => x.item);
}
