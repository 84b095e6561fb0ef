/**
 * Reads the shopper's recent item sequence and purchases straight from the event store, on every
 * call (no cache: an event tracked just before a call is in the very next answer). The sequence
 * rule is core's `recentSequence` (the SDK uses the same one).
 */
import { recentSequence, type EventStore, type SequenceEntry } from '@localrec/core';
import type { ModelData } from './model-data.js';
import type { HistoryItem } from './ranking.js';

/** The last `maxLen` entries of core's recent sequence, oldest first. */
export function readSequence(store: EventStore, maxLen: number): Promise<SequenceEntry[]> {
  return recentSequence(store, { maxLen });
}

/** Item ids the shopper bought (as far back as the store remembers). */
export async function readPurchased(store: EventStore): Promise<Set<string>> {
  const ev = await store.query({ types: ['purchase'] });
  return new Set(ev.flatMap((e) => (e.itemId ? [e.itemId] : [])));
}

/** Maps sequence entries to history items with their model rows (0 = unknown to the model). */
export function toHistory(entries: readonly SequenceEntry[], md: ModelData | undefined): HistoryItem[] {
  return entries.map((e) => ({ itemId: e.itemId, type: e.type, ts: e.ts, row: md?.rowOf.get(e.itemId) ?? 0 }));
}
