/**
 * Abnormal-behaviour filter: finds events a person could not (or would not) have produced — a
 * script, a stuck key, a crawler, a wrong clock — so they can be kept out of the profile, the model
 * input and the re-ranker. Flagged events are not deleted: they stay in the store and in
 * `exportData()`; callers drop them by uid/seq (see {@link AbnormalReport}).
 *
 * Patterns (each configurable, each can be switched off with `false`):
 *
 * | flag        | rule (defaults)                                                                                 |
 * |-------------|-------------------------------------------------------------------------------------------------|
 * | `burst`     | more than 8 events within any 1 s, or more than 120 within any 60 s — every event in such a window |
 * | `repeat`    | 6 or more identical events in a row (same type, item and query), each ≤ 5 s after the previous — all but the first |
 * | `metronome` | 12 or more events in a row whose gaps vary by less than 5 % (coefficient of variation), gaps ≤ 60 s: timer-driven |
 * | `crawl`     | 30 or more item events in a row, each ≤ 1.5 s after the previous, at least 80 % on distinct items: a catalogue sweep |
 * | `future`    | a timestamp more than 5 minutes after `now`: a wrong clock or forged time                       |
 *
 * `impression` events say what the page showed, not what the person did (the SDK's declarative
 * capture records one per list render, the feedback helpers one per served list — several can
 * share an instant), so they are ignored by default (`ignoreTypes`). This is why capture records a
 * grid's cards as an impression, not as views: 28 views in one instant would be a burst. Events are examined in time order regardless of session, because one
 * person does not act in two tabs at machine speed.
 */
import { LocalRecError, compareEventOrder, type EventType, type StoredEvent } from '@localrec/core';
import { preview } from '@localrec/core/internal';

export type AbnormalFlag = 'burst' | 'repeat' | 'metronome' | 'crawl' | 'future';

export interface BurstRule {
  windowMs: number;
  /** More than this many events within `windowMs` is a burst. */
  maxEvents: number;
}

export interface AbnormalOptions {
  /** Burst windows. Default `[{ windowMs: 1000, maxEvents: 8 }, { windowMs: 60000, maxEvents: 120 }]`. */
  burst?: readonly BurstRule[] | false;
  repeat?: { minRun: number; maxGapMs: number } | false;
  metronome?: { minRun: number; maxCv: number; maxGapMs: number } | false;
  crawl?: { minRun: number; maxGapMs: number; minDistinctShare: number } | false;
  future?: { toleranceMs: number } | false;
  /** Time the `future` rule compares with. Default `Date.now()`. */
  now?: number;
  /** Event types neither counted nor flagged. Default `['impression']`. */
  ignoreTypes?: readonly EventType[];
}

export const DEFAULT_ABNORMAL_OPTIONS = Object.freeze({
  burst: Object.freeze([
    { windowMs: 1000, maxEvents: 8 },
    { windowMs: 60_000, maxEvents: 120 },
  ]),
  repeat: Object.freeze({ minRun: 6, maxGapMs: 5000 }),
  metronome: Object.freeze({ minRun: 12, maxCv: 0.05, maxGapMs: 60_000 }),
  crawl: Object.freeze({ minRun: 30, maxGapMs: 1500, minDistinctShare: 0.8 }),
  future: Object.freeze({ toleranceMs: 5 * 60_000 }),
  ignoreTypes: Object.freeze(['impression'] as EventType[]),
});

/**
 * Every rule off: for histories that are machine-paced on purpose (synthetic test histories,
 * replays of a model's reference sequences), where the filter, on by default in the runtime,
 * would flag everything. The runtime takes it as `insights: { rank: false, abnormal: NO_ABNORMAL_RULES }`.
 */
export const NO_ABNORMAL_RULES: Readonly<AbnormalOptions> = Object.freeze({
  burst: false,
  repeat: false,
  metronome: false,
  crawl: false,
  future: false,
});

/** What each rule's numbers must be: integer counts ≥ `min`, finite times ≥ 0, a share in [0, 1]. */
const RULE_FIELDS: Record<'repeat' | 'metronome' | 'crawl' | 'future', Record<string, 'count' | 'count2' | 'ms' | 'ratio' | 'share'>> = {
  repeat: { minRun: 'count', maxGapMs: 'ms' },
  metronome: { minRun: 'count2', maxCv: 'ratio', maxGapMs: 'ms' },
  crawl: { minRun: 'count', maxGapMs: 'ms', minDistinctShare: 'share' },
  future: { toleranceMs: 'ms' },
};
const WHAT = {
  count: ['an integer ≥ 1', (v: number) => Number.isInteger(v) && v >= 1],
  count2: ['an integer ≥ 2', (v: number) => Number.isInteger(v) && v >= 2],
  ms: ['a finite number of milliseconds ≥ 0', (v: number) => Number.isFinite(v) && v >= 0],
  ratio: ['a finite number ≥ 0', (v: number) => Number.isFinite(v) && v >= 0],
  share: ['a number in [0, 1]', (v: number) => v >= 0 && v <= 1],
} as const;

/**
 * Checks {@link AbnormalOptions} (what `detectAbnormal`, the runtime's `insights.abnormal` and the
 * trainer's `LogRules.abnormal` take) and returns a copy read once. `prefix` goes before each
 * field name in errors (e.g. `'abnormal.'`).
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the field (e.g. `burst[0].windowMs`) and what it must be.
 * @example checkAbnormalOptions({ repeat: { minRun: 4, maxGapMs: 2000 } })
 */
export function checkAbnormalOptions(options: unknown, prefix = ''): AbnormalOptions {
  /** `field` under `prefix`; `''` is the options themselves. */
  const name = (field: string): string => (field ? `${prefix}${field}` : prefix ? prefix.slice(0, -1) : 'options');
  const bad = (field: string, what: string, v: unknown): LocalRecError =>
    new LocalRecError('INVALID_ARGUMENT', `${name(field)} must be ${what}; got ${preview(v)}.`, { field: name(field), accepted: [what] });
  if (options === undefined) return {};
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const copy = (v: unknown, field: string, what: string): Record<string, unknown> => {
    try {
      if (plain(v)) return { ...v };
    } catch {
      // unreadable: refused below
    }
    throw bad(field, what, v);
  };
  const o = copy(options, '', 'an object of abnormal-behaviour rules') as AbnormalOptions & Record<string, unknown>;
  const out: Record<string, unknown> = { ...o };
  if (o.burst !== undefined && o.burst !== false) {
    if (!Array.isArray(o.burst)) throw bad('burst', 'false or an array of { windowMs, maxEvents }', o.burst);
    const rules: unknown[] = [];
    // A loop, not map: a sparse array's holes are rules too (undefined, refused).
    for (let i = 0; i < (o.burst as unknown[]).length; i++) {
      const rule = copy((o.burst as unknown[])[i], `burst[${i}]`, 'an object { windowMs, maxEvents }');
      if (!(typeof rule.windowMs === 'number' && Number.isFinite(rule.windowMs) && rule.windowMs > 0))
        throw bad(`burst[${i}].windowMs`, 'a finite number of milliseconds > 0', rule.windowMs);
      if (!(typeof rule.maxEvents === 'number' && Number.isInteger(rule.maxEvents) && rule.maxEvents >= 1))
        throw bad(`burst[${i}].maxEvents`, 'an integer ≥ 1', rule.maxEvents);
      rules.push(rule);
    }
    out.burst = rules;
  }
  for (const [name, fields] of Object.entries(RULE_FIELDS)) {
    const v = o[name];
    if (v === undefined || v === false) continue;
    const rule = copy(v, name, `false or an object { ${Object.keys(fields).join(', ')} }`);
    for (const [f, kind] of Object.entries(fields)) {
      const [what, ok] = WHAT[kind];
      const x = rule[f];
      if (!(typeof x === 'number' && ok(x))) throw bad(`${name}.${f}`, what, x);
    }
    out[name] = rule;
  }
  if (o.now !== undefined && !(typeof o.now === 'number' && Number.isFinite(o.now))) throw bad('now', 'a finite time in ms', o.now);
  if (o.ignoreTypes !== undefined && !(Array.isArray(o.ignoreTypes) && o.ignoreTypes.every((t) => typeof t === 'string')))
    throw bad('ignoreTypes', 'an array of event types', o.ignoreTypes);
  return out;
}

/** What {@link detectAbnormal} found. */
export interface AbnormalReport {
  /** uid → the flags raised on that event. */
  flags: Map<string, AbnormalFlag[]>;
  /** uids of flagged events (for the profile's `exclude` and the re-ranker). */
  uids: Set<string>;
  /** seqs of flagged events (for store queries). */
  seqs: Set<number>;
  /** How many events each flag was raised on. */
  counts: Record<AbnormalFlag, number>;
}

type Ev = Pick<StoredEvent, 'uid' | 'seq' | 'type' | 'ts' | 'itemId' | 'data'>;

/**
 * Examines events (any order) and returns the abnormal ones. Pure; the events are not changed.
 * For a live stream, pass the new events together with a tail of the previous ones (e.g. the last
 * 200) so runs that straddle the boundary are seen.
 * @throws {LocalRecError} `INVALID_ARGUMENT` for bad options, naming the field (see {@link checkAbnormalOptions}).
 */
export function detectAbnormal(events: readonly Ev[], given: AbnormalOptions = {}): AbnormalReport {
  const options = checkAbnormalOptions(given);
  const d = DEFAULT_ABNORMAL_OPTIONS;
  const o = {
    burst: options.burst ?? d.burst,
    repeat: options.repeat ?? d.repeat,
    metronome: options.metronome ?? d.metronome,
    crawl: options.crawl ?? d.crawl,
    future: options.future ?? d.future,
    now: options.now,
    ignoreTypes: options.ignoreTypes ?? d.ignoreTypes,
  };
  const ignore = new Set<string>(o.ignoreTypes);
  const evs = events.filter((e) => !ignore.has(e.type)).sort(compareEventOrder);
  const report: AbnormalReport = {
    flags: new Map(),
    uids: new Set(),
    seqs: new Set(),
    counts: { burst: 0, repeat: 0, metronome: 0, crawl: 0, future: 0 },
  };
  const flag = (e: Ev, f: AbnormalFlag) => {
    const fs = report.flags.get(e.uid);
    if (fs?.includes(f)) return;
    if (fs) fs.push(f);
    else report.flags.set(e.uid, [f]);
    report.uids.add(e.uid);
    report.seqs.add(e.seq);
    report.counts[f]++;
  };

  if (o.burst) {
    for (const rule of o.burst) {
      let i = 0;
      let flaggedUpTo = -1;
      for (let j = 0; j < evs.length; j++) {
        while (evs[j]!.ts - evs[i]!.ts >= rule.windowMs) i++;
        if (j - i + 1 > rule.maxEvents) {
          for (let k = Math.max(i, flaggedUpTo + 1); k <= j; k++) flag(evs[k]!, 'burst');
          flaggedUpTo = j;
        }
      }
    }
  }

  if (o.repeat) {
    const { minRun, maxGapMs } = o.repeat;
    const key = (e: Ev) => `${e.type}\u0000${e.itemId ?? ''}\u0000${e.data.query ?? ''}`;
    forEachRun(
      evs,
      (a, b) => key(a) === key(b) && b.ts - a.ts <= maxGapMs,
      (run) => {
        if (run.length >= minRun) for (const e of run.slice(1)) flag(e, 'repeat');
      },
    );
  }

  if (o.metronome) {
    const { minRun, maxCv, maxGapMs } = o.metronome;
    for (let s = 0; s + minRun <= evs.length; s++) {
      let sum = 0;
      let sq = 0;
      let ok = true;
      for (let k = s + 1; k < s + minRun; k++) {
        const g = evs[k]!.ts - evs[k - 1]!.ts;
        if (g > maxGapMs) {
          ok = false;
          break;
        }
        sum += g;
        sq += g * g;
      }
      if (!ok) continue;
      const n = minRun - 1;
      const mean = sum / n;
      const sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
      if (sd <= maxCv * mean) for (let k = s; k < s + minRun; k++) flag(evs[k]!, 'metronome');
    }
  }

  if (o.crawl) {
    const { minRun, maxGapMs, minDistinctShare } = o.crawl;
    const items = evs.filter((e) => e.itemId !== undefined);
    forEachRun(
      items,
      (a, b) => b.ts - a.ts <= maxGapMs,
      (run) => {
        if (run.length < minRun) return;
        const distinct = new Set(run.map((e) => e.itemId)).size;
        if (distinct >= minDistinctShare * run.length) for (const e of run) flag(e, 'crawl');
      },
    );
  }

  if (o.future) {
    const limit = (o.now ?? Date.now()) + o.future.toleranceMs;
    for (const e of evs) if (e.ts > limit) flag(e, 'future');
  }
  return report;
}

/** Calls `onRun` with every maximal run of consecutive events where `joins(prev, next)` holds. */
function forEachRun(evs: readonly Ev[], joins: (a: Ev, b: Ev) => boolean, onRun: (run: Ev[]) => void): void {
  let run: Ev[] = [];
  for (const e of evs) {
    const prev = run[run.length - 1];
    if (prev && joins(prev, e)) run.push(e);
    else {
      if (run.length) onRun(run);
      run = [e];
    }
  }
  if (run.length) onRun(run);
}

/** True when an event must be kept out of models: flagged when stored, or flagged in `report`. */
export function isAbnormal(e: Pick<StoredEvent, 'uid' | 'flags'>, report?: AbnormalReport): boolean {
  return (e.flags?.length ?? 0) > 0 || (report?.uids.has(e.uid) ?? false);
}

/**
 * The events fit for the profile, the model input and the re-ranker: detection is run on `events`
 * and every flagged event (now or when stored) is left out. Returns the report too.
 */
export function withoutAbnormal<E extends Ev & Pick<StoredEvent, 'flags'>>(
  events: readonly E[],
  options: AbnormalOptions = {},
): { events: E[]; report: AbnormalReport } {
  const report = detectAbnormal(events, options);
  return { events: events.filter((e) => !isAbnormal(e, report)), report };
}
