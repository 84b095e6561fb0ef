import { median, percentile } from '@localrec/core';
import type { SimEvent, SimEventType } from './simulate.js';

/** Sizes of a simulated log, as the CLI prints them. */
export interface LogSummary {
  events: number;
  users: number;
  items: number;
  sessions: number;
  byType: Partial<Record<SimEventType, number>>;
  /** Events per user: {@link median} and {@link percentile} of @localrec/core (0 for an empty log). */
  perUser: { mean: number; min: number; median: number; p90: number; max: number };
}

/** Counts events, users, items, sessions and events per type and per user. */
export function summarize(events: readonly SimEvent[]): LogSummary {
  const byType: Partial<Record<SimEventType, number>> = {};
  const perUser = new Map<string, number>();
  const items = new Set<string>();
  const sessions = new Set<string>();
  for (const e of events) {
    byType[e.type] = (byType[e.type] ?? 0) + 1;
    perUser.set(e.user, (perUser.get(e.user) ?? 0) + 1);
    if (e.item !== undefined) items.add(e.item);
    sessions.add(e.sessionId);
  }
  const counts = [...perUser.values()];
  const q = (p: number): number => (counts.length ? percentile(counts, p) : 0);
  return {
    events: events.length,
    users: perUser.size,
    items: items.size,
    sessions: sessions.size,
    byType,
    perUser: {
      mean: counts.length ? events.length / counts.length : 0,
      min: q(0),
      median: counts.length ? median(counts) : 0,
      p90: q(0.9),
      max: q(1),
    },
  };
}
