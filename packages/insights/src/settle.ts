/**
 * Which of the shopper's newest events are "settled": no event that can still arrive could change
 * their abnormal-behaviour flags, so they can be folded into the stored profile for good.
 *
 * Every rule of `detectAbnormal` only joins events that are close in time: a burst window
 * (≤ 60 s by default), a repetition gap (≤ 5 s), a metronome gap (≤ 60 s), a crawl gap (≤ 1.5 s).
 * So after a quiet gap longer than the largest of these — between two events, or between the
 * newest event and now — nothing on the far side can be joined to anything before it. Events
 * before the last such gap are settled; the rest stay open (re-examined on every read, counted in
 * answers provisionally, never stored). Open events are bounded: past `maxOpen` the oldest are
 * settled with what is known then.
 *
 * Known limit: an event back-dated (host `timestamp`) before already settled events is not folded
 * into the profile. It still reaches the model input, which is read from the store.
 */
import { compareEventOrder, type StoredEvent } from '@localrec/core';
import { DEFAULT_ABNORMAL_OPTIONS, type AbnormalOptions } from './abnormal.js';

/** The longest time gap across which an abnormal-behaviour rule can join two events (ms). */
export function joinGapMs(o: AbnormalOptions = {}): number {
  const d = DEFAULT_ABNORMAL_OPTIONS;
  const burst = o.burst ?? d.burst;
  const repeat = o.repeat ?? d.repeat;
  const metronome = o.metronome ?? d.metronome;
  const crawl = o.crawl ?? d.crawl;
  let g = 0;
  if (burst) for (const r of burst) g = Math.max(g, r.windowMs);
  if (repeat) g = Math.max(g, repeat.maxGapMs);
  if (metronome) g = Math.max(g, metronome.maxGapMs);
  if (crawl) g = Math.max(g, crawl.maxGapMs);
  return g;
}

/**
 * Splits open events (any order) into the settled ones — a prefix in `seq` order, so an
 * accumulator that skips `seq ≤ lastSeq` never skips an open event — and the rest.
 */
export function settle(
  open: readonly StoredEvent[],
  now: number,
  gapMs: number,
  maxOpen = 2000,
): { settled: StoredEvent[]; pending: StoredEvent[] } {
  const byTs = [...open].sort(compareEventOrder);
  let cut = 0; // events byTs[0..cut) are settled by time
  const newest = byTs[byTs.length - 1];
  if (newest && now - newest.ts > gapMs) cut = byTs.length;
  else {
    for (let i = byTs.length - 1; i > 0; i--) {
      if (byTs[i]!.ts - byTs[i - 1]!.ts > gapMs) {
        cut = i;
        break;
      }
    }
  }
  if (byTs.length - cut > maxOpen) cut = byTs.length - Math.floor(maxOpen / 2);
  const settledByTime = new Set(byTs.slice(0, cut).map((e) => e.seq));
  const bySeq = [...open].sort((a, b) => a.seq - b.seq);
  let n = 0;
  while (n < bySeq.length && settledByTime.has(bySeq[n]!.seq)) n++;
  return { settled: bySeq.slice(0, n), pending: bySeq.slice(n) };
}

/** Sorted, disjoint, inclusive `[from, to]` runs of seqs: a bot flood of 10,000 events is one run. */
export type SeqRuns = [number, number][];

/** Adds seqs to runs (returns new runs, merged). */
export function addSeqs(runs: SeqRuns, seqs: Iterable<number>): SeqRuns {
  const all = [...runs.map((r) => [r[0], r[1]] as [number, number]), ...[...seqs].map((s) => [s, s] as [number, number])];
  all.sort((a, b) => a[0] - b[0]);
  const out: SeqRuns = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

/** True when `seq` is in one of the runs (binary search). */
export function inRuns(runs: SeqRuns, seq: number): boolean {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = runs[mid]!;
    if (seq < r[0]) hi = mid - 1;
    else if (seq > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** How many seqs the runs hold. */
export const runsSize = (runs: SeqRuns): number => runs.reduce((s, r) => s + r[1] - r[0] + 1, 0);
