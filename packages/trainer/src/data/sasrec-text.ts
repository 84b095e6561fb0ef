import type { BadRow, Dataset } from './types.js';

const ROW = /^\s*(\d+)\s+(\d+)\s*$/;

/**
 * Parses the SASRec text format: one `userId itemId` pair of positive integers per line, each
 * user's lines in chronological order. Item ids are kept as rows (item `7` is row 7, so published
 * splits and results stay comparable); users keep their order of first appearance. Malformed lines
 * are reported with their line numbers and skipped; blank lines are ignored.
 */
export function parseSasrecText(text: string): Dataset {
  const badRows: BadRow[] = [];
  const seqOf = new Map<string, number[]>();
  let rows = 0;
  let maxItem = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    rows++;
    const m = ROW.exec(line);
    if (!m) {
      badRows.push({ line: i + 1, reason: `expected "userId itemId" (two positive integers), got ${JSON.stringify(line.slice(0, 80))}` });
      continue;
    }
    const item = Number(m[2]);
    if (item < 1 || !Number.isSafeInteger(item)) {
      badRows.push({ line: i + 1, reason: `item id ${m[2]} is not a positive integer` });
      continue;
    }
    const user = m[1]!;
    let s = seqOf.get(user);
    if (!s) seqOf.set(user, (s = []));
    s.push(item);
    if (item > maxItem) maxItem = item;
  }
  const userIds = [...seqOf.keys()];
  const sequences = userIds.map((u) => Int32Array.from(seqOf.get(u)!));
  const interactions = sequences.reduce((n, s) => n + s.length, 0);
  return {
    itemIds: Array.from({ length: maxItem }, (_, i) => String(i + 1)),
    userIds,
    sequences,
    weights: sequences.map((s) => new Float32Array(s.length).fill(1)),
    report: {
      format: 'sasrec-text',
      rows,
      badRows,
      ignoredByType: {},
      duplicates: 0,
      collapsed: 0,
      belowMinCount: 0,
      users: userIds.length,
      items: maxItem,
      interactions,
    },
  };
}
