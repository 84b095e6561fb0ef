/**
 * Reads the shopper's recent item sequence and purchases from the event store on every call —
 * never a stale answer: each call checks the store's fingerprint (event count + newest event),
 * then reuses, extends or re-reads. The sequence rule is core's `recentSequence` (the SDK uses
 * the same one).
 *
 * - unchanged fingerprint → the previous answer (two cheap requests: count, newest event);
 * - only appended events (count grew by exactly the events found after the newest one seen) →
 *   the previous sequence extended with them through the same rule;
 * - anything else (deletions, forget, back-dated events) → a full read.
 *
 * The check is two requests in parallel, each one round trip: the event count and the events at
 * or after the newest one seen (an ascending range read) — in one transaction when the store has
 * `tail()` (the worker's IndexedDB reader does). It runs before every answer: this
 * page's own write counter cannot stand in for it, because other tabs of the same shop write to
 * the same database. Measured and rejected (benchmarks/results/NOTES-2026-11-23-recommend-2x.md):
 * scoring the previous read WHILE the check runs — in Chromium's worker the check took ≈0.5 ms
 * alone but ≈4 ms when it overlapped the wasm scoring, so the speculative answer came later.
 */
import { LocalRecError, recentSequence, type EventStore, type SequenceEntry, type StoredEvent } from '@localrec/core';
import type { PageHistory } from './api.js';
import type { ModelData } from './model-data.js';
import type { HistoryItem } from './ranking.js';

export interface ShopperState {
  sequence: SequenceEntry[];
  purchased: Set<string>;
}

interface Fingerprint { count: number; uid: string; seq: number; ts: number }

/** Item ids the shopper bought (as far back as the store remembers). */
export async function readPurchased(store: EventStore): Promise<Set<string>> {
  const ev = await store.query({ types: ['purchase'] });
  return new Set(ev.flatMap((e) => (e.itemId ? [e.itemId] : [])));
}

/** A sequence entry fed back as an event: re-applying the rule to entries + new events gives the rule's answer. */
const asEvent = (e: SequenceEntry): StoredEvent => ({ uid: `entry:${e.seq}`, seq: e.seq, ts: e.ts, type: e.type, itemId: e.itemId, sessionId: '', data: {} });

export class ShopperReader {
  private state?: ShopperState;
  private fp?: Fingerprint;
  private maxLen = 0;
  constructor(private readonly store: EventStore) {}

  /**
   * The event count and every event at or after the newest one seen (`ts ≥ fp.ts`, oldest first:
   * the last is the newest now; those with `seq > fp.seq` are the appended ones). Two requests in
   * parallel, each one round trip (an ascending range read, no cursor).
   */
  private async probe(fp: Fingerprint): Promise<{ count: number; rows: StoredEvent[] }> {
    if (this.store.tail) return this.store.tail(fp.ts); // one snapshot (IndexedDB: one transaction)
    const [count, rows] = await Promise.all([this.store.count(), this.store.query({ since: fp.ts })]);
    return { count, rows };
  }

  async read(maxLen: number): Promise<ShopperState> {
    const fp = this.fp;
    const prev = this.state;
    if (prev && fp && maxLen === this.maxLen) {
      const { count, rows } = await this.probe(fp);
      const top = rows[rows.length - 1];
      if (fp.count === count && top?.uid === fp.uid) return prev;
      if (top && count > fp.count && top.seq > fp.seq) {
        const now: Fingerprint = { count, uid: top.uid, seq: top.seq, ts: top.ts };
        const fresh = rows.filter((e) => e.seq > fp.seq);
        if (fp.count + fresh.length === count) {
          const sequence = recentSequence([...prev.sequence.map(asEvent), ...fresh], { maxLen });
          const purchased = new Set(prev.purchased);
          for (const e of fresh) if (e.type === 'purchase' && e.itemId) purchased.add(e.itemId);
          return this.keep({ sequence, purchased }, now, maxLen);
        }
      }
    }
    const [count, newest] = await Promise.all([this.store.count(), this.store.query({ order: 'desc', limit: 1 })]);
    const top = newest[0];
    if (!top) return this.keep({ sequence: [], purchased: new Set() }, undefined, maxLen);
    const now: Fingerprint = { count, uid: top.uid, seq: top.seq, ts: top.ts };
    const [sequence, purchased] = await Promise.all([recentSequence(this.store, { maxLen }), readPurchased(this.store)]);
    // Remember the fingerprint only if nothing changed while reading (else the next call reads again).
    const [count2, newest2] = await Promise.all([this.store.count(), this.store.query({ order: 'desc', limit: 1 })]);
    const stable = count2 === count && newest2[0]?.uid === top.uid;
    return this.keep({ sequence, purchased }, stable ? now : undefined, maxLen);
  }

  private keep(s: ShopperState, fp: Fingerprint | undefined, maxLen: number): ShopperState {
    this.state = s;
    this.fp = fp;
    this.maxLen = maxLen;
    return s;
  }
}

/** Maps sequence entries to history items with their model rows (0 = unknown to the model). */
export function toHistory(entries: readonly SequenceEntry[], md: ModelData | undefined): HistoryItem[] {
  return entries.map((e) => ({ itemId: e.itemId, type: e.type, ts: e.ts, row: md?.rowOf.get(e.itemId) ?? 0 }));
}

/**
 * Checks a history passed with a call (`CallContext.history`): `sequence` an array of entries
 * with a string `itemId` and `type` and finite `ts`/`seq`, `purchased` an array of strings.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming `history.sequence` or `history.purchased`.
 */
export function checkPageHistory(h: unknown): PageHistory {
  const o = h as Partial<PageHistory> | null;
  const entryOk = (e: unknown) => {
    const x = e as Partial<SequenceEntry> | null;
    return !!x && typeof x.itemId === 'string' && typeof x.type === 'string' && Number.isFinite(x.ts) && Number.isFinite(x.seq);
  };
  if (!o || typeof o !== 'object' || !Array.isArray(o.sequence) || !o.sequence.every(entryOk)) {
    throw new LocalRecError('INVALID_ARGUMENT', 'history.sequence must be an array of sequence entries ({ itemId, type, ts, seq, count }, oldest first)', { field: 'history.sequence' });
  }
  if (!Array.isArray(o.purchased) || !o.purchased.every((x) => typeof x === 'string')) {
    throw new LocalRecError('INVALID_ARGUMENT', 'history.purchased must be an array of item id strings', { field: 'history.purchased' });
  }
  return o as PageHistory;
}
