/**
 * Shopper reading: {@link readShopper} gives one answer its history (model rows) and purchases —
 * from the store, or from the page's history in the degraded memory-store case — and
 * {@link ShopperReader} keeps that read fresh and cheap.
 *
 * The reader reads the shopper's recent item sequence and purchases from the event store on every call —
 * never a stale answer: each call checks what changed since the last read, then reuses, extends
 * or re-reads. The sequence rule is core's `recentSequence` (the SDK uses the same one).
 *
 * - nothing changed → the previous answer;
 * - only events appended after the newest one seen → the previous sequence extended with them
 *   through the same rule;
 * - anything else (deletions by retention or the cap, forget, back-dated events) → a full read.
 *
 * With a retention window (`RuntimeOptions.retentionMs`) the store the reader is given is core's
 * `withRetention` view: an event passing out of the window shows, like a deletion, as another
 * oldest event (or a lower count), so it leaves the history on the next call without any write.
 *
 * The check is one round trip: with the IndexedDB reader's `tail()`, one transaction reading the
 * oldest event and the events stored after the highest key seen (its cost does not grow with the
 * store: a count of 20,000 events took 0.6 ms in Chromium, the oldest event + new keys 0.3 ms);
 * with other stores, the event count and the events at or after the newest one seen. It runs
 * before every answer: this page's own write counter cannot stand in for it, because other tabs
 * of the shop write to the same database. Measured and rejected (benchmarks/results/NOTES-2026-11-23-recommend-2x.md):
 * scoring the previous read WHILE the check runs — in Chromium's worker the check took ≈0.5 ms
 * alone but ≈4 ms when it overlapped the wasm scoring, so the speculative answer came later.
 */
import {
  LocalRecError,
  compareEventOrder,
  extendSequence,
  recentSequence,
  type EventStore,
  type SequenceEntry,
  type StoredEvent,
} from '@localrec/core';
import { badEntry } from '@localrec/core/internal';
import type { CallContext, Consent, PageHistory } from './api.js';
import { now } from './lazy.js';
import type { ModelData } from './model-data.js';
import type { HistoryItem } from './ranking.js';

export interface ShopperState {
  sequence: SequenceEntry[];
  purchased: Set<string>;
}

/**
 * What the store looked like at the last read. `uid`/`ts`: the newest event (by time); `seq`: the
 * highest storage key seen; `count` (stores without `tail`) or `oldest` (the uid of the oldest event
 * by time, stores with `tail`): what reveals deletions.
 */
interface Fingerprint {
  uid: string;
  seq: number;
  ts: number;
  count?: number;
  oldest?: string;
}

/** What changed since a fingerprint: nothing, only events appended after the newest one, or anything else. */
type Change = { kind: 'none' } | { kind: 'appended'; rows: StoredEvent[]; fp: Fingerprint } | { kind: 'other' };

/** Item ids the shopper bought (as far back as the store remembers). */
export async function readPurchased(store: EventStore): Promise<Set<string>> {
  const ev = await store.query({ types: ['purchase'] });
  return new Set(ev.flatMap((e) => (e.itemId ? [e.itemId] : [])));
}

export class ShopperReader {
  private state?: ShopperState;
  private fp?: Fingerprint;
  private maxLen = 0;
  constructor(private readonly store: EventStore) {}

  /** The store's fingerprint now, or `undefined` when it holds no event. */
  private async fingerprint(): Promise<Fingerprint | undefined> {
    const { store } = this;
    if (store.tail) {
      // The newest event, then the oldest and any event stored after the newest (back-dated ones
      // stored later): `seq` must be the highest key, where the next check starts.
      const top = (await store.query({ order: 'desc', limit: 1 }))[0];
      if (!top) return undefined;
      const t = await store.tail(top.seq);
      return t.oldest ? { uid: top.uid, ts: top.ts, seq: Math.max(top.seq, ...t.rows.map((e) => e.seq)), oldest: t.oldest.uid } : undefined;
    }
    const [count, newest] = await Promise.all([store.count(), store.query({ order: 'desc', limit: 1 })]);
    const top = newest[0];
    return top ? { uid: top.uid, seq: top.seq, ts: top.ts, count } : undefined;
  }

  /**
   * What changed since `fp`, in one round trip:
   * - with `tail()` (the IndexedDB reader; one transaction, cost independent of the store's size):
   *   the oldest event and the events stored after `fp.seq`. Deletions show as another oldest event —
   *   the store only deletes from the oldest end (retention and the cap prune by time) or deletes
   *   everything (erase) —, back-dated events as new events older than the newest seen;
   * - otherwise: the event count and the events at or after the newest one seen (`ts ≥ fp.ts`).
   */
  private async changes(fp: Fingerprint): Promise<Change> {
    const { store } = this;
    if (store.tail) {
      const { oldest, rows } = await store.tail(fp.seq);
      if (oldest?.uid !== fp.oldest) return { kind: 'other' };
      if (!rows.length) return { kind: 'none' };
      if (rows.some((e) => e.ts < fp.ts)) return { kind: 'other' };
      const sorted = [...rows].sort(compareEventOrder);
      const top = sorted[sorted.length - 1]!;
      return {
        kind: 'appended',
        rows: sorted,
        fp: { uid: top.uid, ts: top.ts, seq: Math.max(...rows.map((e) => e.seq)), oldest: fp.oldest },
      };
    }
    const [count, since] = await Promise.all([store.count(), store.query({ since: fp.ts })]);
    const top = since[since.length - 1];
    if (fp.count === count && top?.uid === fp.uid) return { kind: 'none' };
    if (top && fp.count !== undefined && count > fp.count && top.seq > fp.seq) {
      const fresh = since.filter((e) => e.seq > fp.seq);
      if (fp.count + fresh.length === count)
        return { kind: 'appended', rows: fresh, fp: { uid: top.uid, seq: top.seq, ts: top.ts, count } };
    }
    return { kind: 'other' };
  }

  async read(maxLen: number): Promise<ShopperState> {
    const fp = this.fp;
    const prev = this.state;
    if (prev && fp && maxLen === this.maxLen) {
      const change = await this.changes(fp);
      if (change.kind === 'none') return prev;
      if (change.kind === 'appended') {
        const sequence = extendSequence(prev.sequence, change.rows, { maxLen });
        const purchased = new Set(prev.purchased);
        for (const e of change.rows) if (e.type === 'purchase' && e.itemId) purchased.add(e.itemId);
        return this.keep({ sequence, purchased }, change.fp, maxLen);
      }
    }
    const before = await this.fingerprint();
    if (!before) return this.keep({ sequence: [], purchased: new Set() }, undefined, maxLen);
    const [sequence, purchased] = await Promise.all([recentSequence(this.store, { maxLen }), readPurchased(this.store)]);
    // Remember the fingerprint only if nothing changed while reading (else the next call reads again).
    const after = await this.fingerprint();
    const stable =
      after !== undefined &&
      after.uid === before.uid &&
      after.seq === before.seq &&
      after.count === before.count &&
      after.oldest === before.oldest;
    return this.keep({ sequence, purchased }, stable ? before : undefined, maxLen);
  }

  private keep(s: ShopperState, fp: Fingerprint | undefined, maxLen: number): ShopperState {
    this.state = s;
    this.fp = fp;
    this.maxLen = maxLen;
    return s;
  }
}

/** Maps sequence entries to history items with their model rows (0 = unknown to the model). */
function toHistory(entries: readonly SequenceEntry[], md: ModelData | undefined): HistoryItem[] {
  return entries.map((e) => ({ itemId: e.itemId, type: e.type, ts: e.ts, row: md?.rowOf.get(e.itemId) ?? 0, count: e.count }));
}

/**
 * Checks a history passed with a call (`CallContext.history`): `sequence` an array of entries
 * with a string `itemId` and `type` and finite `ts`/`seq`, `purchased` an array of strings.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming `history.sequence` or `history.purchased`.
 */
function checkPageHistory(h: unknown): PageHistory {
  const o = h as Partial<PageHistory> | null;
  const entryOk = (e: unknown) => {
    const x = e as Partial<SequenceEntry> | null;
    return !!x && typeof x.itemId === 'string' && typeof x.type === 'string' && Number.isFinite(x.ts) && Number.isFinite(x.seq);
  };
  if (!o || typeof o !== 'object' || !Array.isArray(o.sequence) || !o.sequence.every(entryOk)) {
    throw new LocalRecError(
      'INVALID_ARGUMENT',
      `history.sequence must be an array of sequence entries ({ itemId, type, ts, seq, count }, oldest first), got ${badEntry(o?.sequence ?? h, entryOk)}`,
      { field: 'history.sequence' },
    );
  }
  if (!Array.isArray(o.purchased) || !o.purchased.every((x) => typeof x === 'string')) {
    throw new LocalRecError(
      'INVALID_ARGUMENT',
      `history.purchased must be an array of item id strings, got ${badEntry(o.purchased, (x) => typeof x === 'string')}`,
      {
        field: 'history.purchased',
      },
    );
  }
  return o as PageHistory;
}

/** The shopper's history and purchases as one answer uses them. */
export interface Shopper {
  history: HistoryItem[];
  purchased: Set<string>;
  /** The store could not be read: answers are cold, marked `error`. */
  storeError: boolean;
  /** How long the read took (ms). */
  readMs: number;
}

/** Where {@link readShopper} reads from (the runtime's answer context is one). */
export interface ShopperSource {
  consent: Consent;
  reader: ShopperReader;
  /** The insights layer's model input: abnormal events (bursts, repeats, …) left out. */
  insights: { modelSequence(base: SequenceEntry[], maxLen: number): Promise<SequenceEntry[]> };
}

/**
 * The shopper's sequence and purchases, read now; nothing without consent. With a page history
 * (`call.history`, the degraded memory-store case) that history is used instead of the store.
 * An unreadable store (blocked IndexedDB, quota, …) gives no history and `storeError`.
 * @throws {LocalRecError} `INVALID_ARGUMENT` for a malformed `call.history` (see {@link checkPageHistory}).
 */
export async function readShopper(src: ShopperSource, md: ModelData | undefined, call: CallContext | undefined): Promise<Shopper> {
  const t = now();
  try {
    const s = await readSequence(src, md, call);
    return { ...s, storeError: false, readMs: now() - t };
  } catch (e) {
    if (e instanceof LocalRecError && e.code === 'INVALID_ARGUMENT') throw e;
    return { history: [], purchased: new Set(), storeError: true, readMs: now() - t };
  }
}

async function readSequence(
  src: ShopperSource,
  md: ModelData | undefined,
  call: CallContext | undefined,
): Promise<{ history: HistoryItem[]; purchased: Set<string> }> {
  if (src.consent !== 'granted') return { history: [], purchased: new Set() };
  const maxLen = md?.maxLen ?? 50;
  if (call?.history !== undefined) {
    const page = checkPageHistory(call.history);
    return { history: toHistory(page.sequence.slice(-maxLen), md), purchased: new Set(page.purchased) };
  }
  const { sequence, purchased } = await src.reader.read(maxLen);
  // Abnormal events (bursts, repeats, …) are kept out of the model input.
  return { history: toHistory(await src.insights.modelSequence(sequence, md?.maxLen ?? 50), md), purchased };
}
