/**
 * The abnormal-behaviour filter for event logs: the same rules, the same code (`detectAbnormal` of
 * `@localrec/insights`) and the same defaults as the runtime applies to a shopper's events before
 * they reach the model, so a model is not trained on what serving would leave out (a script, a
 * stuck key, a crawler, a wrong clock).
 *
 * Each user's rows are one shopper's events, examined the way the runtime examines a device's
 * store: every event row with a timestamp counts, also those whose type carries no weight in
 * training (`search`, `remove_from_cart`, … — they count towards bursts on the device too), but
 * `impression` rows, which the rules ignore by default (`ignoreTypes`). Flagged rows are left out
 * before deduplication and the other rules of the loader; the load report says how many, by flag,
 * and on which lines.
 *
 * On by default; `LogRules.abnormal` changes the thresholds (the runtime's `insights.abnormal`
 * takes the same object) or switches the filter off with `false`. The `future` rule compares with
 * the time the log is loaded unless `abnormal.now` is given.
 */
import { checkAbnormalOptions, detectAbnormal, type AbnormalFlag, type AbnormalOptions } from '@localrec/insights';
import type { EventType } from '@localrec/core';

/** One event row as the filter sees it: whose, when, what, and where it is in the file. */
export interface DetectableRow {
  user: string;
  ts: number;
  type: string;
  item?: string;
  /** A search's query (the `repeat` rule tells identical searches apart by it). */
  query?: string;
  /** Position in the file (unique per row): ties at one timestamp keep file order. */
  order: number;
  /** 1-based line in the file. */
  line: number;
}

/** What the filter left out of a log. */
export interface AbnormalRows {
  /** Rows flagged (each counted once, whatever its flags). */
  rows: number;
  /** Rows each flag was raised on (a row can carry several). */
  byFlag: Record<AbnormalFlag, number>;
  /** Their lines in the file, ascending. */
  lines: number[];
}

/**
 * Runs the runtime's abnormal-behaviour rules over each user's rows and returns the `order` of
 * every flagged row, with the summary for the load report. `options === false`: nothing is flagged.
 * @example flagAbnormalRows(rows, {}).flagged.has(row.order)
 */
export function flagAbnormalRows(
  rows: readonly DetectableRow[],
  options: AbnormalOptions | false = {},
): { flagged: Set<number>; summary: AbnormalRows } {
  const summary: AbnormalRows = { rows: 0, byFlag: { burst: 0, repeat: 0, metronome: 0, crawl: 0, future: 0 }, lines: [] };
  const flagged = new Set<number>();
  if (options === false) return { flagged, summary };
  // Checked once, up front (a bad rule is refused even for a log with no users), naming `abnormal.<field>`.
  options = checkAbnormalOptions(options, 'abnormal.');
  const byUser = new Map<string, DetectableRow[]>();
  for (const r of rows) {
    let a = byUser.get(r.user);
    if (!a) byUser.set(r.user, (a = []));
    a.push(r);
  }
  const lineOf = new Map<number, number>();
  for (const evs of byUser.values()) {
    // As stored events: `seq` is the file order, which breaks timestamp ties as the store's key does.
    const events = evs.map((r) => {
      lineOf.set(r.order, r.line);
      const data: { query?: string } = r.query !== undefined ? { query: r.query } : {};
      return {
        uid: String(r.order),
        seq: r.order,
        type: r.type as EventType,
        ts: r.ts,
        data,
        ...(r.item !== undefined ? { itemId: r.item } : {}),
      };
    });
    const report = detectAbnormal(events, options);
    for (const [uid, flags] of report.flags) {
      flagged.add(Number(uid));
      for (const f of flags) summary.byFlag[f]++;
    }
  }
  summary.rows = flagged.size;
  summary.lines = [...flagged].map((o) => lineOf.get(o)!).sort((a, b) => a - b);
  return { flagged, summary };
}
