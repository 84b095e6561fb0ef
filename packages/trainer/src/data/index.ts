/**
 * Training data: loaders for the SASRec text format and for real event logs (CSV, JSON Lines),
 * and the leave-one-out split.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseCsvLog, parseJsonLinesLog, parseLogEvents } from './event-log.js';
import { parseSasrecText } from './sasrec-text.js';
import type { Dataset, LogRules } from './types.js';

export * from './types.js';
export { parseSasrecText } from './sasrec-text.js';
export { parseCsvLog, parseJsonLinesLog, parseLogEvents, parseTimestamp, type LogEvent } from './event-log.js';

/** Formats by file extension. */
const DATA_FORMATS: Readonly<Record<string, 'sasrec-text' | 'csv' | 'jsonl'>> = {
  '.txt': 'sasrec-text',
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/**
 * Loads a data file, choosing the parser by extension (`.txt` SASRec text, `.csv`, `.jsonl`/`.ndjson`).
 * @throws Error naming the extension and the accepted ones.
 */
export function loadDataset(path: string, rules: Partial<LogRules> = {}): Dataset {
  const ext = extname(path).toLowerCase();
  const format = DATA_FORMATS[ext];
  if (!format) throw new Error(`${path}: unknown data format "${ext}" (accepted: ${Object.keys(DATA_FORMATS).join(', ')})`);
  const text = readFileSync(path, 'utf8');
  if (format === 'sasrec-text') return parseSasrecText(text);
  return format === 'csv' ? parseCsvLog(text, rules) : parseJsonLinesLog(text, rules);
}

/**
 * The interaction rows of an event-log file (`.csv`, `.jsonl`/`.ndjson`; see {@link parseLogEvents}).
 * @throws Error for another format (the SASRec text format has no event types, times or baskets).
 */
export function loadLogEvents(path: string, rules: Partial<LogRules> = {}): ReturnType<typeof parseLogEvents> {
  const ext = extname(path).toLowerCase();
  const format = DATA_FORMATS[ext];
  if (format !== 'csv' && format !== 'jsonl')
    throw new Error(
      `${path}: "${ext}" is not an event log (accepted: .csv, .jsonl, .ndjson — with user, item, timestamp and type columns)`,
    );
  return parseLogEvents(readFileSync(path, 'utf8'), format, rules);
}

/** The leave-one-out split of a dataset's sequences. */
export interface SequenceSplit {
  train: Int32Array[];
  valid: Int32Array;
  test: Int32Array;
}

/**
 * The SASRec paper's split: per user, the last interaction is the test item, the second-to-last the
 * validation item, the rest is training. Users with fewer than 3 interactions train on all of them
 * and are not evaluated (valid/test 0).
 */
export function splitLeaveOneOut(ds: Pick<Dataset, 'sequences'>): SequenceSplit {
  const n = ds.sequences.length;
  const split: SequenceSplit = { train: [], valid: new Int32Array(n), test: new Int32Array(n) };
  ds.sequences.forEach((s, u) => {
    if (s.length < 3) {
      split.train.push(s.slice());
      return;
    }
    split.train.push(s.slice(0, -2));
    split.valid[u] = s[s.length - 2]!;
    split.test[u] = s[s.length - 1]!;
  });
  return split;
}
