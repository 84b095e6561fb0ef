import { parse } from 'csv-parse/sync';
import { flagAbnormalRows, type DetectableRow } from './abnormal.js';
import { DEFAULT_LOG_RULES, type BadRow, type Dataset, type LogRules } from './types.js';

/** One usable row of an event log. */
interface LogRow {
  user: string;
  item: string;
  ts: number;
  type: string;
  weight: number;
  /** Position in the file: breaks timestamp ties so equal times keep file order. */
  order: number;
  /** 1-based line in the file. */
  line: number;
  query?: string;
  /** The order or session the row belongs to, when the log names one (column {@link LOG_COLUMNS}.basket). */
  basket?: string;
}

/** Accepted column names (case-insensitive) for each field. */
const LOG_COLUMNS = {
  user: ['user', 'user_id', 'userid', 'uid', 'visitor', 'visitor_id'],
  item: ['item', 'item_id', 'itemid', 'sku', 'product', 'product_id'],
  timestamp: ['timestamp', 'ts', 'time', 'event_time', 'date'],
  type: ['type', 'event', 'event_type', 'action'],
  query: ['query', 'search_query', 'q'],
  basket: ['order', 'order_id', 'orderid', 'basket', 'basket_id', 'session', 'session_id'],
} as const;

const MAX_ID_LENGTH = 256;

/** `report.ignoredByType` key of the interactions the abnormal-behaviour filter left out (no event type has parentheses). */
const ABNORMAL_KEY = '(abnormal)';

/**
 * Timestamps: numbers below 1e11 are seconds since the epoch, larger ones milliseconds; strings
 * holding a number follow the same rule; other strings must parse as ISO 8601 dates.
 */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? (v < 1e11 ? v * 1000 : v) : undefined;
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return parseTimestamp(Number(s));
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s && s.length <= MAX_ID_LENGTH ? s : undefined;
}

function pick(rec: Record<string, unknown>, names: readonly string[]): unknown {
  for (const n of names) if (n in rec) return rec[n];
  return undefined;
}

/** A zero-weight row, with what the abnormal-behaviour rules read when it has a user and a timestamp. */
interface IgnoredRow {
  ignored: string;
  detectable?: DetectableRow;
}

/** Checks one record; returns the row, the type for a zero-weight type, or a reason it is bad. */
function checkRecord(rec: Record<string, unknown>, order: number, line: number, rules: LogRules): LogRow | IgnoredRow | { bad: string } {
  const type = rec.__hasType === false ? 'view' : idOf(pick(rec, LOG_COLUMNS.type));
  if (type === undefined) return { bad: `missing event type (accepted: ${Object.keys(rules.typeWeights).join(', ')})` };
  const weight = rules.typeWeights[type];
  if (weight === undefined)
    return { bad: `unknown event type ${JSON.stringify(type)} (accepted: ${Object.keys(rules.typeWeights).join(', ')})` };
  const rawQuery = pick(rec, LOG_COLUMNS.query);
  const query = typeof rawQuery === 'string' ? rawQuery : undefined;
  if (weight === 0) {
    // Not an interaction, but an event of the shopper's all the same: the abnormal-behaviour rules count it, as on the device.
    const user = idOf(pick(rec, LOG_COLUMNS.user));
    const ts = parseTimestamp(pick(rec, LOG_COLUMNS.timestamp));
    if (user === undefined || ts === undefined) return { ignored: type };
    const item = idOf(pick(rec, LOG_COLUMNS.item));
    const detectable: DetectableRow = { user, ts, type, order, line };
    if (item !== undefined) detectable.item = item;
    if (query !== undefined) detectable.query = query;
    return { ignored: type, detectable };
  }
  const user = idOf(pick(rec, LOG_COLUMNS.user));
  if (user === undefined)
    return {
      bad: `missing or invalid user (a non-empty string or number of at most ${MAX_ID_LENGTH} characters, column ${LOG_COLUMNS.user.join('|')})`,
    };
  const item = idOf(pick(rec, LOG_COLUMNS.item));
  if (item === undefined)
    return {
      bad: `missing or invalid item (a non-empty string or number of at most ${MAX_ID_LENGTH} characters, column ${LOG_COLUMNS.item.join('|')})`,
    };
  const rawTs = pick(rec, LOG_COLUMNS.timestamp);
  const ts = parseTimestamp(rawTs);
  if (ts === undefined)
    return { bad: `invalid timestamp ${JSON.stringify(rawTs)} (accepted: epoch seconds or milliseconds, or an ISO 8601 date)` };
  const row: LogRow = { user, item, ts, type, weight, order, line };
  if (query !== undefined) row.query = query;
  const basket = idOf(pick(rec, LOG_COLUMNS.basket));
  if (basket !== undefined) row.basket = basket;
  return row;
}

interface Parsed {
  rows: LogRow[];
  count: number;
  badRows: BadRow[];
  ignoredByType: Record<string, number>;
  abnormal: ReturnType<typeof flagAbnormalRows>['summary'];
}

/**
 * Checks every record, then leaves out the rows the abnormal-behaviour rules flag (see
 * `abnormal.ts`; `rules.abnormal`, on by default), zero-weight rows counted as the device counts them.
 */
function collect(records: Iterable<{ rec: Record<string, unknown>; line: number }>, rules: LogRules, badRows: BadRow[]): Parsed {
  const rows: LogRow[] = [];
  const detectable: DetectableRow[] = [];
  const ignoredByType: Record<string, number> = {};
  let count = 0;
  for (const { rec, line } of records) {
    count++;
    const r = checkRecord(rec, count, line, rules);
    if ('bad' in r) badRows.push({ line, reason: r.bad });
    else if ('ignored' in r) {
      ignoredByType[r.ignored] = (ignoredByType[r.ignored] ?? 0) + 1;
      if (r.detectable) detectable.push(r.detectable);
    } else {
      rows.push(r);
      detectable.push(r);
    }
  }
  badRows.sort((a, b) => a.line - b.line);
  const { flagged, summary } = flagAbnormalRows(detectable, rules.abnormal);
  const kept = flagged.size ? rows.filter((r) => !flagged.has(r.order)) : rows;
  // Every row stays accounted for: the interactions left out are counted as ignored (zero-weight rows already are).
  if (kept.length < rows.length) ignoredByType[ABNORMAL_KEY] = rows.length - kept.length;
  return { rows: kept, count, badRows, ignoredByType, abnormal: summary };
}

/** Parses CSV with a header row (column names: {@link LOG_COLUMNS}); a file without a type column is all `view`s. */
function parseCsvRecords(text: string, badRows: BadRow[]): { rec: Record<string, unknown>; line: number }[] {
  let hasType = true;
  const out: { rec: Record<string, unknown>; line: number }[] = [];
  const records = parse<Record<string, unknown>>(text, {
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    columns: (header: string[]) => {
      const cols = header.map((h) => h.toLowerCase());
      hasType = cols.some((c) => (LOG_COLUMNS.type as readonly string[]).includes(c));
      return cols;
    },
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) badRows.push({ line: (err as { lines?: number }).lines ?? 0, reason: err.message });
    },
  }) as unknown as { record: Record<string, unknown>; info: { lines: number } }[];
  for (const { record, info } of records) out.push({ rec: hasType ? record : { ...record, __hasType: false }, line: info.lines });
  return out;
}

function* jsonLineRecords(text: string, badRows: BadRow[]): Generator<{ rec: Record<string, unknown>; line: number }> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      badRows.push({ line: i + 1, reason: `not valid JSON: ${(e as Error).message}` });
      continue;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      badRows.push({ line: i + 1, reason: 'expected a JSON object per line' });
      continue;
    }
    const rec: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) rec[k.toLowerCase()] = x;
    yield { rec, line: i + 1 };
  }
}

/**
 * Turns usable rows into a dataset. The rules, in order (after the abnormal-behaviour filter, see {@link collect}):
 * 1. Ordering: each user's events are sorted by timestamp; equal timestamps keep file order.
 * 2. Deduplication: exact duplicates (same user, item, type, timestamp) are removed.
 * 3. Repeats: with `collapseRepeats`, consecutive events of a user on the same item become one
 *    interaction whose weight is the strongest type's (view → cart → purchase of one item is one step).
 * 4. Minimum counts: users with fewer than `minUserCount` and items with fewer than `minItemCount`
 *    interactions are removed, repeatedly until both hold (a k-core, as in the SASRec preprocessing).
 * 5. Rows: items are numbered 1.. in order of first appearance; users keep their first-appearance order.
 */
function buildDataset(p: Parsed, rules: LogRules, format: 'csv' | 'jsonl'): Dataset {
  const byUser = new Map<string, LogRow[]>();
  for (const r of p.rows) {
    let a = byUser.get(r.user);
    if (!a) byUser.set(r.user, (a = []));
    a.push(r);
  }
  let duplicates = 0;
  let collapsed = 0;
  let seqs = new Map<string, { item: string; weight: number }[]>();
  for (const [user, evs] of byUser) {
    evs.sort((a, b) => a.ts - b.ts || a.order - b.order);
    const seen = new Set<string>();
    const out: { item: string; weight: number }[] = [];
    for (const e of evs) {
      const key = `${e.item}\u0000${e.type}\u0000${e.ts}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      const last = out[out.length - 1];
      if (rules.collapseRepeats && last && last.item === e.item) {
        last.weight = Math.max(last.weight, e.weight);
        collapsed++;
        continue;
      }
      out.push({ item: e.item, weight: e.weight });
    }
    seqs.set(user, out);
  }
  const before = [...seqs.values()].reduce((n, s) => n + s.length, 0);
  for (;;) {
    const itemCount = new Map<string, number>();
    for (const s of seqs.values()) for (const x of s) itemCount.set(x.item, (itemCount.get(x.item) ?? 0) + 1);
    let changed = false;
    const next = new Map<string, { item: string; weight: number }[]>();
    for (const [u, s] of seqs) {
      const kept = s.filter((x) => itemCount.get(x.item)! >= rules.minItemCount);
      if (kept.length !== s.length) changed = true;
      if (kept.length >= rules.minUserCount) next.set(u, kept);
      else changed = true;
    }
    seqs = next;
    if (!changed) break;
  }
  const rowOf = new Map<string, number>();
  const itemIds: string[] = [];
  const userIds: string[] = [];
  const sequences: Int32Array[] = [];
  const weights: Float32Array[] = [];
  for (const [u, s] of seqs) {
    userIds.push(u);
    sequences.push(
      Int32Array.from(s, (x) => {
        let r = rowOf.get(x.item);
        if (r === undefined) {
          itemIds.push(x.item);
          rowOf.set(x.item, (r = itemIds.length));
        }
        return r;
      }),
    );
    weights.push(Float32Array.from(s, (x) => x.weight));
  }
  const interactions = sequences.reduce((n, s) => n + s.length, 0);
  return {
    itemIds,
    userIds,
    sequences,
    weights,
    report: {
      format,
      rows: p.count,
      badRows: p.badRows,
      ignoredByType: p.ignoredByType,
      abnormal: p.abnormal,
      duplicates,
      collapsed,
      belowMinCount: before - interactions,
      users: userIds.length,
      items: itemIds.length,
      interactions,
    },
  };
}

/** Parses a CSV event log (header row required). Bad rows are reported with line numbers, never thrown. */
export function parseCsvLog(text: string, rules: Partial<LogRules> = {}): Dataset {
  const r = { ...DEFAULT_LOG_RULES, ...rules };
  const badRows: BadRow[] = [];
  let records: { rec: Record<string, unknown>; line: number }[] = [];
  try {
    records = parseCsvRecords(text, badRows);
  } catch (e) {
    badRows.push({ line: (e as { lines?: number }).lines ?? 1, reason: `CSV could not be read past this point: ${(e as Error).message}` });
  }
  return buildDataset(collect(records, r, badRows), r, 'csv');
}

/** Parses a JSON Lines event log (one object per line). Bad rows are reported with line numbers, never thrown. */
export function parseJsonLinesLog(text: string, rules: Partial<LogRules> = {}): Dataset {
  const r = { ...DEFAULT_LOG_RULES, ...rules };
  const badRows: BadRow[] = [];
  return buildDataset(collect(jsonLineRecords(text, badRows), r, badRows), r, 'jsonl');
}

/** One interaction row of an event log as the association rules and the trending counts read it. */
export interface LogEvent {
  user: string;
  item: string;
  /** Epoch milliseconds. */
  ts: number;
  type: string;
  /** The order or session id the log gives (`order_id`, `basket`, `session_id`, …), when it gives one. */
  basket?: string;
}

/**
 * The interaction rows of a CSV or JSON Lines event log after the same checks and the same
 * abnormal-behaviour filter as training (zero-weight types such as impressions left out), in file
 * order; bad rows reported, never thrown.
 */
export function parseLogEvents(
  text: string,
  format: 'csv' | 'jsonl',
  rules: Partial<LogRules> = {},
): { events: LogEvent[]; badRows: BadRow[] } {
  const r = { ...DEFAULT_LOG_RULES, ...rules };
  const badRows: BadRow[] = [];
  let records: Iterable<{ rec: Record<string, unknown>; line: number }> = [];
  if (format === 'jsonl') records = jsonLineRecords(text, badRows);
  else
    try {
      records = parseCsvRecords(text, badRows);
    } catch (e) {
      badRows.push({
        line: (e as { lines?: number }).lines ?? 1,
        reason: `CSV could not be read past this point: ${(e as Error).message}`,
      });
    }
  const p = collect(records, r, badRows);
  const events = p.rows.map((x): LogEvent => {
    const e: LogEvent = { user: x.user, item: x.item, ts: x.ts, type: x.type };
    if (x.basket !== undefined) e.basket = x.basket;
    return e;
  });
  return { events, badRows: p.badRows };
}
