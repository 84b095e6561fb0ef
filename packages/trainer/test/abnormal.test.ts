/**
 * Training and serving agree on what is abnormal: the event-log loader leaves out exactly the rows
 * the runtime's filter (`detectAbnormal` over a device's stored events) flags — the same events, by
 * the same rules, on by default — and `abnormal: false` keeps them all.
 */
import { describe, expect, it } from 'vitest';
import { MemoryEventStore, type NewEvent } from '@localrec/core';
import { detectAbnormal } from '@localrec/insights';
import { parseCsvLog, parseJsonLinesLog } from '../src/data/index.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

interface Row {
  user: string;
  type: string;
  ts: number;
  item?: string;
  query?: string;
}

/** One shopper's day: human-paced views and carts, a scripted sweep, a stuck key, searches, impressions, a wrong clock. */
function shopper(user: string, t0: number): Row[] {
  const rows: Row[] = [];
  let t = t0;
  const gaps = [41_000, 17_000, 63_000, 29_000, 90_000, 12_000, 55_000, 33_000];
  for (let i = 0; i < 48; i++) {
    t += gaps[i % gaps.length]!;
    rows.push({ user, type: i % 5 === 4 ? 'add_to_cart' : 'view', ts: t, item: `sku-${(i * 3) % 11}` });
    if (i % 4 === 0) rows.push({ user, type: 'impression', ts: t, item: `sku-${i}` });
  }
  t += 120_000;
  for (let i = 0; i < 35; i++) rows.push({ user, type: 'view', ts: t + i * 40, item: `sku-${100 + i}` }); // a script: burst + crawl
  t += 300_000;
  for (let i = 0; i < 7; i++) rows.push({ user, type: 'add_to_cart', ts: t + i * 900, item: 'sku-7' }); // a stuck key: repeat
  t += 200_000;
  for (let i = 0; i < 10; i++) rows.push({ user, type: 'search', ts: t + i * 100, query: `q${i % 2}` }); // searches count too
  t += 100_000;
  rows.push({ user, type: 'view', ts: NOW + 3_600_000, item: 'sku-1' }); // a wrong clock: future
  for (let i = 0; i < 4; i++) rows.push({ user, type: 'view', ts: t + i * 47_000 + (i % 2) * 9_000, item: `sku-${i}` });
  return rows;
}

/** Two shoppers' rows interleaved in one file, as a server log has them. */
function log(): Row[] {
  const a = shopper('alice', NOW - 86_400_000);
  const b = shopper('bob', NOW - 86_400_000 + 7_000);
  const out: Row[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]) out.push(a[i]!);
    if (b[i]) out.push(b[i]!);
  }
  return out;
}

/** What the runtime flags: each shopper's events stored on their own device, then `detectAbnormal` as the runtime runs it. */
async function servingFlags(rows: Row[]): Promise<Set<number>> {
  const flagged = new Set<number>();
  for (const user of new Set(rows.map((r) => r.user))) {
    const store = new MemoryEventStore();
    const events: NewEvent[] = [];
    rows.forEach((r, i) => {
      if (r.user !== user) return;
      const e: NewEvent = {
        uid: String(i),
        type: r.type as NewEvent['type'],
        ts: r.ts,
        sessionId: user,
        data: r.query ? { query: r.query } : {},
      };
      if (r.item) e.itemId = r.item;
      events.push(e);
    });
    await store.append(events);
    const report = detectAbnormal(await store.query(), { now: NOW });
    for (const uid of report.uids) flagged.add(Number(uid));
  }
  return flagged;
}

describe('the event-log loader applies the runtime abnormal-behaviour rules', () => {
  it('leaves out exactly the rows the runtime flags (JSON Lines and CSV), and reports them by flag and line', async () => {
    const rows = log();
    const serving = await servingFlags(rows);
    // Every kind of abnormal behaviour is in the log, and most rows are human.
    expect(serving.size).toBeGreaterThan(60);
    expect(serving.size).toBeLessThan(rows.length / 2);

    const jsonl = rows.map((r) => JSON.stringify(r)).join('\n');
    const csv = ['user,type,ts,item,query', ...rows.map((r) => `${r.user},${r.type},${r.ts},${r.item ?? ''},${r.query ?? ''}`)].join('\n');
    for (const [ds, firstDataLine] of [
      [parseJsonLinesLog(jsonl, { abnormal: { now: NOW }, minItemCount: 1, minUserCount: 1, collapseRepeats: false }), 1],
      [parseCsvLog(csv, { abnormal: { now: NOW }, minItemCount: 1, minUserCount: 1, collapseRepeats: false }), 2],
    ] as const) {
      const a = ds.report.abnormal!;
      const trained = new Set(a.lines.map((line) => line - firstDataLine));
      expect([...trained].sort((x, y) => x - y)).toEqual([...serving].sort((x, y) => x - y));
      expect(a.rows).toBe(serving.size);
      for (const f of ['burst', 'repeat', 'crawl', 'future'] as const) expect(a.byFlag[f], f).toBeGreaterThan(0);
      // No flagged row reaches training: the scripted sweep's items are not in the dataset at all.
      expect(ds.itemIds.filter((id) => /^sku-1\d\d$/.test(id))).toEqual([]);
      const interactions = rows.filter((r, i) => !serving.has(i) && r.type !== 'impression' && r.type !== 'search').length;
      expect(ds.report.interactions).toBe(interactions);
    }
  });

  it('is on by default, and `abnormal: false` keeps every row', () => {
    const rows = log();
    const jsonl = rows.map((r) => JSON.stringify(r)).join('\n');
    const loose = { minItemCount: 1, minUserCount: 1, collapseRepeats: false };
    const on = parseJsonLinesLog(jsonl, loose);
    const off = parseJsonLinesLog(jsonl, { ...loose, abnormal: false });
    expect(on.report.abnormal!.rows).toBeGreaterThan(60);
    expect(off.report.abnormal).toEqual({ rows: 0, byFlag: { burst: 0, repeat: 0, metronome: 0, crawl: 0, future: 0 }, lines: [] });
    expect(off.report.interactions).toBe(rows.filter((r) => r.type !== 'impression' && r.type !== 'search').length);
    expect(off.report.interactions - on.report.interactions).toBe(
      on.report.abnormal!.lines.filter((l) => !['impression', 'search'].includes(rows[l - 1]!.type)).length,
    );
  });
});
