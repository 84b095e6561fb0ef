/**
 * The shopper's insights as an event stream folded incrementally: the JSON state a host keeps in
 * its store (the settled profile, the abnormal seqs, impressions waiting for their outcome), one
 * {@link foldEvents} step per read of the new events, and the re-ranker features of a list built
 * from what that step saw. Pure: the caller reads and writes the store (the runtime keeps the
 * state under its `insights:profile` meta key); nothing here touches storage, network or a global.
 *
 * One step: the impressions of served lists and what followed them teach the re-ranker
 * (`feedback.ts`), settled events go into the profile for good and open ones provisionally
 * (`settle.ts`), and abnormal events (`detectAbnormal`) are kept out of both.
 */
import type { ItemMeta, StoredEvent } from '@localrec/core';
import { detectAbnormal, type AbnormalOptions } from './abnormal.js';
import { observeFeedback, type FeatureContext, type PendingImpression, type ServedList } from './feedback.js';
import { ProfileAccumulator, isProfileState, type ProfileOptions, type ProfileState } from './profile.js';
import type { Reranker } from './reranker.js';
import { addSeqs, inRuns, joinGapMs, runsSize, settle, type SeqRuns } from './settle.js';
import type { SocialContext } from './social.js';

/** How long after an impression a click counts for it, by default (30 minutes). */
export const DEFAULT_FEEDBACK_WINDOW_MS = 30 * 60_000;
/** Half-life of the re-ranker's recency feature, by default (24 hours). */
export const DEFAULT_RECENCY_HALF_LIFE_MS = 24 * 3_600_000;

/** The stored state of the stream (JSON-safe). */
export interface StreamState {
  version: 1;
  /** Changes on every write: another writer (another tab's worker) wrote when it differs from ours. */
  rev: string;
  profile: ProfileState;
  /** Events with `ts` ≥ this (and `seq` above the profile's) are read on the next step. */
  sinceTs: number;
  /** Seqs of settled abnormal events. */
  abnormal: SeqRuns;
  /** Highest seq whose feedback (impression/click) was observed. */
  observedSeq: number;
  pending: PendingImpression[];
}

/** Whether `v` is a {@link StreamState} (a stored value from an older or foreign writer is not). */
export function isStreamState(v: unknown): v is StreamState {
  const s = v as StreamState;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.version === 1 &&
    typeof s.rev === 'string' &&
    isProfileState(s.profile) &&
    Number.isFinite(s.sinceTs) &&
    Array.isArray(s.abnormal) &&
    Number.isFinite(s.observedSeq) &&
    Array.isArray(s.pending)
  );
}

/** A new, empty state for `acc` (whose state it holds; `rev` empty: never written). */
export function newStreamState(acc: ProfileAccumulator): StreamState {
  return { version: 1, rev: '', profile: acc.toJSON(), sinceTs: 0, abnormal: [], observedSeq: -1, pending: [] };
}

/** The settings a fold step reads (a subset of the runtime's `insights` option). */
export interface StreamOptions {
  /** Half-life of profile affinities in days. */
  halfLifeDays?: number;
  /** Overrides of the profile's event weights. */
  eventWeights?: Record<string, number>;
  /** Abnormal-behaviour thresholds (`detectAbnormal`). */
  abnormal?: AbnormalOptions;
  /** How long after an impression a click counts for it (ms). Default {@link DEFAULT_FEEDBACK_WINDOW_MS}. */
  feedbackWindowMs?: number;
}

/** The profile accumulator's options out of {@link StreamOptions} (only the fields given). */
export function streamProfileOptions(o: StreamOptions): ProfileOptions {
  const p: ProfileOptions = {};
  if (o.halfLifeDays !== undefined) p.halfLifeDays = o.halfLifeDays;
  if (o.eventWeights) p.eventWeights = o.eventWeights;
  return p;
}

/** What one fold step gives: the profile so far (settled + open events) and the abnormal events. */
export interface StreamSnapshot {
  acc: ProfileAccumulator;
  /** The accumulator's state (for recency). */
  state: ProfileState;
  isAbnormal(seq: number): boolean;
  anyAbnormal: boolean;
  /** How many events were kept out (abnormal). */
  excluded: number;
  /** The step's clock (ms). */
  now: number;
}

/** The stream as a fold step changes it: the stored state, its accumulator and the re-ranker. */
export interface StreamParts {
  state: StreamState;
  /** The accumulator of `state.profile` (settled events only). */
  acc: ProfileAccumulator;
  reranker: Reranker;
}

/** One step's input: the events read (`ts ≥ state.sinceTs`, `seq` above the profile's), the lists served, the clock. */
export interface FoldInput {
  events: readonly StoredEvent[];
  served: readonly ServedList[];
  now: number;
}

/**
 * Folds the new events into the stream, in place: feedback on served lists teaches the
 * re-ranker, settled events go into `acc` and `state.profile` for good, `state.sinceTs` moves on.
 * @returns `changed`: whether `state` must be stored again; `snapshot`: the profile as of now
 * (open events included provisionally, never stored).
 */
export function foldEvents(stream: StreamParts, input: FoldInput, o: StreamOptions = {}): { changed: boolean; snapshot: StreamSnapshot } {
  const { state: s, acc, reranker } = stream;
  const { events, now } = input;
  const report = detectAbnormal(events, { ...o.abnormal, now });
  let changed = false;

  // Feedback: impressions of served lists and what followed.
  const fresh = events.filter((e) => e.seq > s.observedSeq && !report.seqs.has(e.seq) && !e.flags?.length);
  if (fresh.length || s.pending.length) {
    const step = observeFeedback(s.pending, fresh, input.served, now, o.feedbackWindowMs ?? DEFAULT_FEEDBACK_WINDOW_MS);
    for (const r of step.resolved) {
      reranker.learnFromList(r.itemIds.map((_, i) => ({ features: r.features[i]!, clicked: r.clicked[i]! })));
    }
    changed = changed || step.resolved.length > 0 || step.pending.length !== s.pending.length || fresh.some((e) => e.type === 'impression');
    s.pending = step.pending;
  }
  for (const e of events) if (e.seq > s.observedSeq) s.observedSeq = e.seq;

  // Profile: settled events for good, the open ones provisionally.
  const { settled, pending: open } = settle(events, now, joinGapMs(o.abnormal));
  if (settled.length) {
    acc.add(settled, report.uids);
    s.abnormal = addSeqs(
      s.abnormal,
      settled.filter((e) => report.seqs.has(e.seq)).map((e) => e.seq),
    );
    s.profile = acc.toJSON();
    changed = true;
  }
  const nextSince = open.length ? Math.min(...open.map((e) => e.ts)) : settled.length ? Math.max(...settled.map((e) => e.ts)) : s.sinceTs;
  if (nextSince !== s.sinceTs) {
    s.sinceTs = nextSince;
    changed = true;
  }

  let view = acc;
  if (open.length) {
    view = new ProfileAccumulator(streamProfileOptions(o), s.profile);
    view.add(open, report.uids);
  }
  const openAbnormal = new Set(open.filter((e) => report.seqs.has(e.seq) || e.flags?.length).map((e) => e.seq));
  const runs = s.abnormal;
  const snapshot: StreamSnapshot = {
    acc: view,
    state: open.length ? view.toJSON() : s.profile,
    isAbnormal: (seq) => openAbnormal.has(seq) || inRuns(runs, seq),
    anyAbnormal: openAbnormal.size > 0 || runs.length > 0,
    excluded: openAbnormal.size + runsSize(runs),
    now,
  };
  return { changed, snapshot };
}

/**
 * Popularity in [0, 1] per item id, relative to the most popular one, from a bundle's popularity
 * table (`rows` 1-based into `vocab`, `scores` best first). Empty when the top score is not positive.
 */
export function popularityTable(vocab: readonly string[], rows: ArrayLike<number>, scores: ArrayLike<number>): Map<string, number> {
  const m = new Map<string, number>();
  const top = scores[0] ?? 0;
  for (let i = 0; i < rows.length; i++) {
    const id = vocab[rows[i]! - 1];
    if (id !== undefined && top > 0) m.set(id, scores[i]! / top);
  }
  return m;
}

/** What {@link listFeatureContext} builds the feature context of a list from. */
export interface ListContextInput {
  snapshot: StreamSnapshot;
  catalog: Readonly<Record<string, ItemMeta>>;
  social: SocialContext | undefined;
  /** The clock when the list is ranked (ms). */
  now: number;
  /** Popularity in [0, 1] per item id (see {@link popularityTable}); absent ids count 0. */
  popularity: ReadonlyMap<string, number>;
  /** Half-life of the recency feature (ms). Default {@link DEFAULT_RECENCY_HALF_LIFE_MS}. */
  recencyHalfLifeMs?: number;
  /** Model term of an item that entered through friends (see `SOCIAL_ENTRY_WEIGHT`). */
  entryWeight?: number;
}

/**
 * The feature context of a list (`rankList`): the snapshot's profile, and the last touch of an
 * item — the later of the item's own last event and its category's (computed once, on first use).
 */
export function listFeatureContext(c: ListContextInput): FeatureContext {
  const { snapshot: snap, catalog } = c;
  let catLast: Map<string, number> | undefined;
  return {
    profile: snap.acc.profile(catalog, snap.now),
    catalog,
    social: c.social,
    now: c.now,
    popularity: (id) => c.popularity.get(id) ?? 0,
    lastTouch: (id, category) => {
      if (!catLast) {
        catLast = new Map();
        for (const [item, [, ts]] of Object.entries(snap.state.items)) {
          const cat = catalog[item]?.category;
          if (cat !== undefined && ts > (catLast.get(cat) ?? -Infinity)) catLast.set(cat, ts);
        }
      }
      const own = snap.state.items[id]?.[1];
      const cat = category === undefined ? undefined : catLast.get(category);
      return own === undefined ? cat : cat === undefined ? own : Math.max(own, cat);
    },
    recencyHalfLifeMs: c.recencyHalfLifeMs ?? DEFAULT_RECENCY_HALF_LIFE_MS,
    ...(c.entryWeight !== undefined ? { entryWeight: c.entryWeight } : {}),
  };
}
