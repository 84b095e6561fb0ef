import type { EventType, StoredEvent, TrackData } from '@localrec/core';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** 2024-01-01T00:00:00Z, a Monday. */
export const T0 = Date.UTC(2024, 0, 1);

let seq = 0;
/** A hand-made stored event. */
export function ev(
  type: EventType,
  itemId: string | undefined,
  ts: number,
  data: Omit<TrackData, 'itemId' | 'context' | 'timestamp'> = {},
  sessionId = 's1',
): StoredEvent {
  seq++;
  const e: StoredEvent = { seq, uid: `u${seq}`, type, ts, sessionId, data };
  if (itemId !== undefined) e.itemId = itemId;
  return e;
}
