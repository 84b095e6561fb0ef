import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDataset, parseCsvLog, parseJsonLinesLog, parseSasrecText, parseTimestamp, splitLeaveOneOut } from '../src/data/index.js';

const loose = { minUserCount: 1, minItemCount: 1 };

describe('SASRec text format', () => {
  it('keeps integer item ids as rows and users in first-appearance order', () => {
    const d = parseSasrecText('2 5\n2 3\n1 7\n2 1\n');
    expect(d.userIds).toEqual(['2', '1']);
    expect(d.itemIds).toHaveLength(7);
    expect([...d.sequences[0]!]).toEqual([5, 3, 1]);
    expect([...d.sequences[1]!]).toEqual([7]);
    expect(d.report.interactions).toBe(4);
  });
  it('reports malformed lines with their line numbers and keeps going', () => {
    const d = parseSasrecText('1 2\nfoo bar\n\n1 0\n1 3 extra\n1 4\n');
    expect(d.report.badRows.map((b) => b.line)).toEqual([2, 4, 5]);
    expect([...d.sequences[0]!]).toEqual([2, 4]);
    expect(d.report.rows).toBe(5);
  });
});

describe('event logs (CSV and JSON Lines)', () => {
  const csv = [
    'user,item,timestamp,type',
    'u1,B,1700000005,view', // out of order: sorted by time
    'u1,A,1700000001,view',
    'u1,A,1700000002,add_to_cart', // consecutive repeat of A: collapsed, weight of the cart
    'u1,A,1700000002,add_to_cart', // exact duplicate
    'u1,C,2023-11-14T22:13:30Z,purchase',
    'u1,,1700000009,view', // bad: no item
    'u2,A,1700000000,impression', // ignored: weight 0
    'u2,A,1700000000,teleport', // bad: unknown type
    'u2,C,NaN,view', // bad: timestamp
    'u2,C,1700000000000,view', // milliseconds
  ].join('\n');

  it('orders, deduplicates, collapses repeats and weights by type', () => {
    const d = parseCsvLog(csv, loose);
    expect(d.userIds).toEqual(['u1', 'u2']);
    expect(d.sequences[0]!.length).toBe(3);
    expect([...d.sequences[0]!].map((r) => d.itemIds[r - 1])).toEqual(['A', 'B', 'C']);
    expect([...d.weights[0]!]).toEqual([3, 1, 5]);
    expect(d.report.duplicates).toBe(1);
    expect(d.report.collapsed).toBe(1);
    expect(d.report.ignoredByType).toEqual({ impression: 1 });
  });

  it('reports every bad row with its line number and reason, never throws', () => {
    const d = parseCsvLog(csv, loose);
    expect(d.report.badRows.map((b) => b.line)).toEqual([7, 9, 10]);
    expect(d.report.badRows[0]!.reason).toMatch(/item/);
    expect(d.report.badRows[1]!.reason).toMatch(/unknown event type "teleport" \(accepted: .*view/);
    expect(d.report.badRows[2]!.reason).toMatch(/timestamp/);
    const broken = parseCsvLog('user,item,timestamp,type\nu1,A,1,view\n"unclosed,B,2,view\n', loose);
    expect(broken.report.badRows.length).toBe(1);
    expect(broken.sequences).toHaveLength(1);
  });

  it('reads the same log as JSON Lines, with bad JSON reported', () => {
    const lines = csv
      .split('\n')
      .slice(1)
      .map((l) => {
        const [user, item, timestamp, type] = l.split(',');
        return JSON.stringify({ user, item, timestamp: /^\d+$/.test(timestamp!) ? Number(timestamp) : timestamp, type });
      });
    lines.splice(2, 0, '{not json');
    const d = parseJsonLinesLog(lines.join('\n'), loose);
    expect([...d.sequences[0]!].map((r) => d.itemIds[r - 1])).toEqual(['A', 'B', 'C']);
    expect(d.report.badRows.map((b) => b.line)).toEqual([3, 7, 9, 10]);
  });

  it('applies minimum counts repeatedly (k-core)', () => {
    const rows = ['user,item,timestamp,type'];
    // u1..u3 share items X,Y,Z; u4 has one rare item R and X: R goes (1 < 2), then u4 has 1 interaction (< 2) and goes.
    for (const u of ['u1', 'u2', 'u3']) ['X', 'Y', 'Z'].forEach((it, i) => rows.push(`${u},${it},${i + 1},view`));
    rows.push('u4,R,1,view', 'u4,X,2,view');
    const d = parseCsvLog(rows.join('\n'), { minUserCount: 2, minItemCount: 2 });
    expect(d.userIds).toEqual(['u1', 'u2', 'u3']);
    expect(d.itemIds.sort()).toEqual(['X', 'Y', 'Z']);
    expect(d.report.belowMinCount).toBe(2);
  });

  it('never throws on arbitrary input and accounts for every row', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.json(), fc.constant('u1,A,1,view'), fc.constant('{"user":1,"item":2,"ts":3,"type":"view"}')), {
          maxLength: 30,
        }),
        (lines) => {
          for (const parse of [parseCsvLog, parseJsonLinesLog]) {
            const text = (parse === parseCsvLog ? 'user,item,timestamp,type\n' : '') + lines.join('\n');
            const d = parse(text, loose);
            const ignored = Object.values(d.report.ignoredByType).reduce((a, b) => a + b, 0);
            const used = d.report.interactions + d.report.duplicates + d.report.collapsed + d.report.belowMinCount;
            expect(used + ignored + d.report.badRows.length).toBeGreaterThanOrEqual(d.report.rows);
            for (const b of d.report.badRows) expect(b.line).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parses timestamps: seconds, milliseconds, ISO dates; rejects the rest', () => {
    expect(parseTimestamp(1_700_000_000)).toBe(1_700_000_000_000);
    expect(parseTimestamp('1700000000000')).toBe(1_700_000_000_000);
    expect(parseTimestamp('2023-11-14T22:13:20Z')).toBe(1_700_000_000_000);
    for (const bad of [NaN, -1, Infinity, '', 'yesterday', null, {}]) expect(parseTimestamp(bad)).toBeUndefined();
  });
});

describe('loadDataset and the leave-one-out split', () => {
  it('picks the parser by extension and names accepted ones otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'localrec-data-'));
    writeFileSync(join(dir, 'a.txt'), '1 1\n1 2\n1 3\n1 4\n2 2\n');
    const d = loadDataset(join(dir, 'a.txt'));
    expect(d.report.format).toBe('sasrec-text');
    writeFileSync(join(dir, 'a.parquet'), '');
    expect(() => loadDataset(join(dir, 'a.parquet'))).toThrow(/accepted: \.txt, \.csv, \.jsonl/);
    const s = splitLeaveOneOut(d);
    expect([...s.train[0]!]).toEqual([1, 2]);
    expect(s.valid[0]).toBe(3);
    expect(s.test[0]).toBe(4);
    expect([...s.train[1]!]).toEqual([2]);
    expect(s.valid[1]).toBe(0);
  });
});
