/**
 * The shopper's recent sequence of item interactions: the input of the sequence model and of
 * "because you viewed …" reasons. One rule, used by the SDK and the runtime alike.
 */
import type { EventType, StoredEvent } from './events.js';
import { compareEventOrder } from './order.js';
import type { EventStore } from './store.js';

/** Types that count as interest in an item, by default. */
export const SEQUENCE_TYPES: readonly EventType[] = [
  'view',
  'click',
  'add_to_cart',
  'purchase',
  'favorite',
  'like',
  'share',
  'comment',
  'rate',
];

/** Strength of an interaction, used to label a collapsed run (higher wins). */
const STRENGTH: Readonly<Record<string, number>> = {
  view: 1,
  click: 2,
  comment: 3,
  share: 4,
  like: 5,
  favorite: 6,
  rate: 7,
  add_to_cart: 8,
  purchase: 9,
};

/** One entry of the recent sequence. */
export interface SequenceEntry {
  itemId: string;
  /** The strongest interaction type in the collapsed run. */
  type: EventType;
  /** Time of the run's latest event. */
  ts: number;
  /** `seq` of the run's latest event. */
  seq: number;
  /** How many events the run collapsed. */
  count: number;
}

/** Options of {@link recentSequence}. */
export interface SequenceOptions {
  /** Keep at most this many entries (the most recent). Default 50. */
  maxLen?: number;
  /** Types that count. Default {@link SEQUENCE_TYPES}. */
  types?: readonly EventType[];
}

/** Applies the rule's steps 1–3 to `events`, continuing the entries in `out` (changed in place). */
function fold(out: SequenceEntry[], events: readonly StoredEvent[], opts: SequenceOptions): SequenceEntry[] {
  const types = new Set<string>(opts.types ?? SEQUENCE_TYPES);
  const sorted = events
    .filter((e) => types.has(e.type) && typeof e.itemId === 'string' && !(e.flags && e.flags.length > 0))
    .sort(compareEventOrder);
  for (const e of sorted) {
    const last = out[out.length - 1];
    const itemId = e.itemId as string;
    if (last !== undefined && last.itemId === itemId) {
      if ((STRENGTH[e.type] ?? 0) >= (STRENGTH[last.type] ?? 0)) last.type = e.type;
      last.ts = e.ts;
      last.seq = e.seq;
      last.count++;
    } else {
      out.push({ itemId, type: e.type, ts: e.ts, seq: e.seq, count: 1 });
    }
  }
  const maxLen = Math.max(0, Math.floor(opts.maxLen ?? 50));
  return maxLen === 0 ? [] : out.slice(-maxLen);
}

function build(events: readonly StoredEvent[], opts: SequenceOptions): SequenceEntry[] {
  return fold([], events, opts);
}

/**
 * {@link recentSequence} of "the events that gave `prev`, then `events`", without the first ones:
 * `prev` (a previous answer, not changed) continued by the same rule — a run of the same item
 * collapses into `prev`'s last entry and adds to its `count`. Every event of `events` must come
 * after `prev`'s last entry in the rule's order (`ts`, then `seq`); for anything else (deletions,
 * back-dated events) read the sequence again.
 */
export function extendSequence(
  prev: readonly SequenceEntry[],
  events: readonly StoredEvent[],
  opts: SequenceOptions = {},
): SequenceEntry[] {
  return fold(
    prev.map((e) => ({ ...e })),
    events,
    opts,
  );
}

/**
 * The recent sequence of item interactions, oldest first. The rule:
 * 1. Only events whose type is in `types` (default: view, click, add_to_cart, purchase, favorite,
 *    like, share, comment, rate) and that carry an `itemId` count. Impressions, searches,
 *    remove_from_cart, follows, custom types and flagged (abnormal) events are left out.
 * 2. Events are ordered by time (`ts`), ties by storage order (`seq`).
 * 3. CONSECUTIVE events on the same item collapse into one entry (view → click → add_to_cart of
 *    item A is one "A"), labelled with the strongest type of the run (purchase > add_to_cart >
 *    rate > favorite > like > share > comment > click > view) and the time of its last event.
 *    Non-consecutive repeats stay: A, B, A is three entries.
 * 4. The last `maxLen` entries are kept (default 50).
 *
 * Given an array it answers synchronously; given an {@link EventStore} it reads the store.
 * @example recentSequence(events, { maxLen: 50 }).map((e) => e.itemId)
 */
export function recentSequence(events: readonly StoredEvent[], opts?: SequenceOptions): SequenceEntry[];
export function recentSequence(store: Pick<EventStore, 'query'>, opts?: SequenceOptions): Promise<SequenceEntry[]>;
export function recentSequence(
  source: readonly StoredEvent[] | Pick<EventStore, 'query'>,
  opts: SequenceOptions = {},
): SequenceEntry[] | Promise<SequenceEntry[]> {
  if (Array.isArray(source)) return build(source, opts);
  return readRecent(source as Pick<EventStore, 'query'>, opts);
}

/** Reads newest-first pages until the sequence is complete, instead of the whole history. */
async function readRecent(store: Pick<EventStore, 'query'>, opts: SequenceOptions): Promise<SequenceEntry[]> {
  const maxLen = Math.max(0, Math.floor(opts.maxLen ?? 50));
  const types = opts.types ?? SEQUENCE_TYPES;
  for (let limit = Math.max(64, maxLen * 4); ; limit *= 4) {
    const page = await store.query({ types, order: 'desc', limit });
    // One entry more than needed guarantees the oldest kept run is complete (not cut by the page).
    const all = build(page, { ...opts, maxLen: Number.MAX_SAFE_INTEGER });
    if (page.length < limit || all.length > maxLen) return maxLen === 0 ? [] : all.slice(-maxLen);
  }
}
