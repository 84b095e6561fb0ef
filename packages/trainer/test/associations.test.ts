/**
 * Association rules (frequently bought together) and the trending file: measures computed by hand
 * on a tiny log, the thresholds, determinism, the bundle round trip through `localrec associations`,
 * and properties over random baskets (fast-check).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { associationsProblems, sha256Hex, trendingBody, trendingProblems, type AssociationsFile, type TrendingFile } from '@localrec/model';
import { associationsOf, baskets, mineAssociations, type AssociationRule } from '../src/associations.js';
import { validateBundleDir } from '../src/bundle-io.js';
import { main } from '../src/cli.js';
import type { LogEvent } from '../src/data/index.js';
import { parseLogEvents } from '../src/data/index.js';
import { trendingOf } from '../src/trending.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1);
const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * Six baskets: {a,b,c} {a,b} {a,c} {b,c} {a,b} {d}; N = 6, n(a) = n(b) = 4, n(c) = 3, n(d) = 1,
 * n(a,b) = 3, n(a,c) = n(b,c) = 2. u2's two sessions are 3 h apart; u4's order spans two days
 * (one basket by its order id); views are not basket events.
 */
function tinyLog(): LogEvent[] {
  const e = (user: string, item: string, min: number, type = 'purchase', basket?: string): LogEvent => ({
    user,
    item,
    ts: T0 + min * MIN,
    type,
    ...(basket ? { basket } : {}),
  });
  return [
    e('u1', 'a', 0),
    e('u1', 'b', 1, 'add_to_cart'),
    e('u1', 'c', 2),
    e('u1', 'd', 3, 'view'),
    e('u2', 'a', 0),
    e('u2', 'b', 10),
    e('u2', 'a', 180),
    e('u2', 'c', 185, 'add_to_cart'),
    e('u3', 'b', 0),
    e('u3', 'c', 29),
    e('u4', 'a', 0, 'purchase', 'o1'),
    e('u4', 'b', 2 * 24 * 60, 'purchase', 'o1'),
    e('u5', 'd', 0),
  ];
}

const rule = (rules: AssociationRule[], a: string, c: string) => rules.find((r) => r.antecedent === a && r.consequent === c);

describe('association rules', () => {
  it('forms baskets from sessions (30 min gap) and order ids, of purchase and cart events only', () => {
    const b = baskets(tinyLog(), { types: ['purchase', 'add_to_cart'], basketGapMinutes: 30 });
    expect(b.map((x) => x.join(''))).toEqual(['abc', 'ab', 'ac', 'bc', 'ab', 'd']);
    // A 20-minute gap splits u3's basket (29 min apart) in two.
    expect(baskets(tinyLog(), { types: ['purchase', 'add_to_cart'], basketGapMinutes: 20 }).length).toBe(7);
  });

  it('computes support, confidence and lift as by hand', () => {
    const rules = mineAssociations(baskets(tinyLog(), { types: ['purchase', 'add_to_cart'], basketGapMinutes: 30 }), {
      minCount: 1,
      minConfidence: 0,
    });
    expect(rule(rules, 'a', 'b')).toEqual({ antecedent: 'a', consequent: 'b', count: 3, support: 0.5, confidence: 0.75, lift: 1.125 });
    expect(rule(rules, 'a', 'c')).toEqual({ antecedent: 'a', consequent: 'c', count: 2, support: 2 / 6, confidence: 0.5, lift: 1 });
    expect(rule(rules, 'c', 'a')!.confidence).toBeCloseTo(2 / 3, 12);
    expect(rule(rules, 'c', 'a')!.lift).toBeCloseTo(1, 12);
    expect(rule(rules, 'b', 'a')!.lift).toBeCloseTo(1.125, 12);
    expect(rules.some((r) => r.antecedent === 'd' || r.consequent === 'd')).toBe(false);
    // a's consequents: b (confidence 0.75) before c (0.5).
    expect(rules.filter((r) => r.antecedent === 'a').map((r) => r.consequent)).toEqual(['b', 'c']);
  });

  it('keeps only the rules passing min count, support and confidence, and the top consequents', () => {
    const b = baskets(tinyLog(), { types: ['purchase', 'add_to_cart'], basketGapMinutes: 30 });
    const pairs = (r: AssociationRule[]) => r.map((x) => `${x.antecedent}>${x.consequent}`);
    expect(pairs(mineAssociations(b, { minCount: 3, minConfidence: 0 }))).toEqual(['a>b', 'b>a']);
    expect(pairs(mineAssociations(b, { minCount: 1, minSupport: 0.4, minConfidence: 0 }))).toEqual(['a>b', 'b>a']);
    expect(pairs(mineAssociations(b, { minCount: 1, minConfidence: 0.6 }))).toEqual(['a>b', 'b>a', 'c>a', 'c>b']);
    // c → a and c → b tie on confidence and lift: the smaller id first.
    expect(pairs(mineAssociations(b, { minCount: 1, minConfidence: 0, top: 1 }))).toEqual(['a>b', 'b>a', 'c>a']);
  });

  it('is deterministic: the same file whatever the row order', () => {
    const log = tinyLog();
    const opts = { minCount: 1, minConfidence: 0 };
    const first = JSON.stringify(associationsOf(log, opts));
    const shuffled = [...log].reverse();
    expect(JSON.stringify(associationsOf(shuffled, opts))).toBe(first);
    expect(associationsProblems(JSON.parse(first))).toEqual([]);
  });

  it('confidence ≤ 1, support ≤ confidence and lift = confidence / P(consequent) over random baskets', () => {
    const basket = fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f', 'g'), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.array(basket, { minLength: 1, maxLength: 40 }), (bs) => {
        const rules = mineAssociations(bs, { minCount: 1, minConfidence: 0, top: 100 });
        const n = (x: string) => bs.filter((b) => b.includes(x)).length;
        for (const r of rules) {
          expect(r.confidence).toBeLessThanOrEqual(1);
          expect(r.support).toBeLessThanOrEqual(r.confidence);
          expect(r.lift).toBeCloseTo(r.confidence / (n(r.consequent) / bs.length), 9);
          expect(r.count).toBe(bs.filter((b) => b.includes(r.antecedent) && b.includes(r.consequent)).length);
        }
        const file = associationsOf(
          bs.flatMap((b, i) => b.map((item): LogEvent => ({ user: `u${i}`, item, ts: T0, type: 'purchase' }))),
          { minCount: 1, minConfidence: 0 },
        );
        expect(associationsProblems(file)).toEqual([]);
      }),
      { numRuns: 200, seed: 15 },
    );
  });

  it('names what is wrong in an associations file', () => {
    const bad = { format: 'localrec-associations', formatVersion: 1, baskets: 3, mined: {}, rules: { a: [['a', 1, 0.5, 2, 1]] } };
    expect(associationsProblems(bad)).toEqual([
      'associations.rules["a"][0]: ["a",1,0.5,2,1], expected [another item id, baskets ≥ 0, support in [0, 1], confidence in [0, 1], lift ≥ 0]',
    ]);
  });
});

describe('trending file', () => {
  const catalog = { a: { category: 'Shoes', brand: 'X' }, b: { category: 'Shoes', brand: 'Y' }, c: { category: 'Hats', brand: 'X' } };
  const DAY = 24 * 60 * MIN;
  /** a: 4 shoppers this week; b: 3 (one of them twice); c: 2; a's older views fall outside the window. */
  const log = (): LogEvent[] => [
    ...['u1', 'u2', 'u3', 'u4'].map((user, i): LogEvent => ({ user, item: 'a', ts: T0 + i * MIN, type: 'view' })),
    ...['u1', 'u2', 'u3', 'u3'].map((user, i): LogEvent => ({ user, item: 'b', ts: T0 + i * MIN, type: 'purchase' })),
    ...['u5', 'u6'].map((user, i): LogEvent => ({ user, item: 'c', ts: T0 + i * MIN, type: 'click' })),
    ...['u7', 'u8', 'u9'].map((user): LogEvent => ({ user, item: 'c', ts: T0 - 30 * DAY, type: 'view' })),
    { user: 'u9', item: 'b', ts: T0 + 10 * MIN, type: 'impression' },
  ];

  it('counts distinct shoppers per item and per facet value over the window, hashed', async () => {
    const f = trendingOf(log(), catalog, { minShoppers: 2 });
    expect(f.items).toEqual([
      ['a', 4],
      ['b', 3],
      ['c', 2],
    ]);
    expect(f.facets.category).toEqual({
      Hats: { shoppers: 2, items: [['c', 2]] },
      Shoes: {
        shoppers: 4,
        items: [
          ['a', 4],
          ['b', 3],
        ],
      },
    });
    expect(f.facets.brand!.X!.shoppers).toBe(6);
    expect(f.window.days).toBe(7);
    expect(f.version).toMatch(/^2026-11-01-[0-9a-f]{8}$/);
    expect(f.sha256).toBe(await sha256Hex(new TextEncoder().encode(trendingBody(f))));
    expect(trendingProblems(JSON.parse(JSON.stringify(f)))).toEqual([]);
  });

  it('leaves out items and facet values seen by fewer than --min-shoppers shoppers', () => {
    const f = trendingOf(log(), catalog, { minShoppers: 3 });
    expect(f.items.map((t) => t[0])).toEqual(['a', 'b']);
    expect(Object.keys(f.facets.category!)).toEqual(['Shoes']);
  });

  it('is deterministic and its version follows its content', () => {
    const a = trendingOf(log(), catalog, { minShoppers: 2 });
    expect(JSON.stringify(trendingOf([...log()].reverse(), catalog, { minShoppers: 2 }))).toBe(JSON.stringify(a));
    const b = trendingOf(log().slice(1), catalog, { minShoppers: 2 });
    expect(b.version).not.toBe(a.version);
    expect(b.sha256).not.toBe(a.sha256);
  });
});

describe('localrec associations / trending', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  /** A JSON Lines log over the demo shop's ids: SKU-00001 and SKU-00002 bought together by 3 shoppers. */
  function writeLog(dir: string): string {
    const rows: object[] = [];
    for (let u = 0; u < 5; u++) {
      rows.push({ user: `u${u}`, item: 'SKU-00001', timestamp: T0 + u * MIN, type: 'purchase' });
      if (u < 3) rows.push({ user: `u${u}`, item: 'SKU-00002', timestamp: T0 + u * MIN + 1000, type: 'add_to_cart' });
      rows.push({ user: `u${u}`, item: 'SKU-00003', timestamp: T0 + u * MIN + 2000, type: 'view' });
    }
    const path = join(dir, 'log.jsonl');
    writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n'));
    return path;
  }

  it('adds a hashed associations.json to a bundle, listed in its manifest, and the bundle stays valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'localrec-assoc-'));
    tmp.push(dir);
    cpSync(join(import.meta.dirname, '../../../models/demo-shop'), join(dir, 'b'), { recursive: true });
    const bundle = join(dir, 'b');
    expect(await main(['associations', '--bundle', bundle, '--data', writeLog(dir), '--min-count', '3'])).toBe(0);
    const m = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    expect(m.associationsFile).toBe('associations.json');
    const bytes = readFileSync(join(bundle, 'associations.json'));
    expect(m.files['associations.json']).toEqual({ sha256: await sha256Hex(new Uint8Array(bytes)), bytes: bytes.byteLength });
    const file = JSON.parse(bytes.toString('utf8')) as AssociationsFile;
    expect(file.baskets).toBe(5);
    expect(file.rules['SKU-00002']).toEqual([['SKU-00001', 3, 0.6, 1, 1]]);
    expect(file.rules['SKU-00001']).toEqual([['SKU-00002', 3, 0.6, 0.6, 1]]);
    expect(await validateBundleDir(bundle)).toEqual([]);
    // A tampered file is caught by the manifest's hash.
    writeFileSync(join(bundle, 'associations.json'), bytes.toString('utf8').replace('"baskets":5', '"baskets":6'));
    expect((await validateBundleDir(bundle)).join('\n')).toMatch(/file "associations.json": SHA-256 [0-9a-f]+ does not match/);
  });

  it('writes trending.json with the facets of the bundle catalog', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'localrec-trending-'));
    tmp.push(dir);
    const target = join(dir, 'trending.json');
    const bundle = join(import.meta.dirname, '../../../models/demo-shop');
    expect(await main(['trending', '--data', writeLog(dir), '--out', target, '--bundle', bundle, '--min-shoppers', '3'])).toBe(0);
    const f = JSON.parse(readFileSync(target, 'utf8')) as TrendingFile;
    expect(f.items).toEqual([
      ['SKU-00001', 5],
      ['SKU-00003', 5],
      ['SKU-00002', 3],
    ]);
    expect(Object.keys(f.facets)).toEqual(['category', 'brand']);
    expect(f.facets.category!['Coffee & Tea']!.items[0]).toEqual(['SKU-00001', 5]);
  });

  it('refuses a log without event types, times or baskets (SASRec text)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'localrec-assoc-'));
    tmp.push(dir);
    writeFileSync(join(dir, 'd.txt'), '1 1\n1 2\n');
    expect(await main(['trending', '--data', join(dir, 'd.txt'), '--out', join(dir, 't.json')])).toBe(1);
    expect(out.join('\n')).toContain('".txt" is not an event log (accepted: .csv, .jsonl, .ndjson');
  });

  it('reads order ids from the log', () => {
    const { events } = parseLogEvents('{"user":"u","item":"a","ts":1,"type":"purchase","order_id":"o7"}', 'jsonl');
    expect(events).toEqual([{ user: 'u', item: 'a', ts: 1000, type: 'purchase', basket: 'o7' }]);
  });
});
