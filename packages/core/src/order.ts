/** What {@link compareEventOrder} reads from an event (a stored event has both). */
export interface EventOrderKey {
  /** When the event happened (ms since the epoch). */
  readonly ts: number;
  /** The store's sequence number: the order events were recorded in. */
  readonly seq: number;
}

/**
 * The order events happened in, as an `Array.prototype.sort` comparator: by `ts`, then by `seq`
 * (two events in the same millisecond keep the order they were recorded in).
 *
 * @example
 * const history = [...events].sort(compareEventOrder);
 */
export function compareEventOrder(a: EventOrderKey, b: EventOrderKey): number {
  return a.ts - b.ts || a.seq - b.seq;
}
