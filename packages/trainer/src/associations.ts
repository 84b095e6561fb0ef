/**
 * Association rules for "frequently bought together", mined at training time from purchase/cart
 * co-occurrence and shipped in the bundle as `associations.json` (format: `@localrec/model`'s
 * `popularity.ts`).
 *
 * Rules, in order:
 * 1. **Baskets.** A basket is one order or session: the rows' own order/session id when the log
 *    has one (`order_id`, `basket`, `session_id`, … — per shopper), else a shopper's session: their
 *    counted events with no gap longer than `basketGapMinutes` (default 30) between two of them.
 *    Only events of `types` count (default `purchase`, `add_to_cart`); a basket is the SET of its
 *    items. Baskets of more than {@link MAX_BASKET_ITEMS} items (bulk buyers, crawlers) are left out.
 * 2. **Counts.** N = baskets; n(A) = baskets holding A; n(A, B) = baskets holding both.
 * 3. **Measures** of the rule A → B: support = n(A, B) / N, confidence = n(A, B) / n(A),
 *    lift = confidence / P(B) = n(A, B) · N / (n(A) · n(B)).
 * 4. **Thresholds.** A rule is kept when n(A, B) ≥ `minCount` (default 2: a pair seen in one basket
 *    says something about one shopper), support ≥ `minSupport` and confidence ≥ `minConfidence`.
 * 5. **Order.** Each antecedent keeps its `top` (default 10) best consequents: higher confidence
 *    first, then higher lift, then the smaller item id; antecedents in id order. The output is a
 *    pure function of the rows and the options (deterministic); the file rounds measures to 6
 *    significant digits.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSOCIATIONS_FORMAT, type AssociationsFile, type AssociationTuple, type BundleManifest } from '@localrec/model';
import type { LogEvent } from './data/index.js';

/** Baskets larger than this are left out of the counts (one basket of m items adds m(m−1) rule counts). */
export const MAX_BASKET_ITEMS = 50;

/** How baskets are formed and which rules are kept (see the module documentation). */
export interface AssociationOptions {
  /** Event types whose items make up a basket. */
  types: readonly string[];
  /** Without an order/session id in the log: a gap longer than this (minutes) starts a new basket. */
  basketGapMinutes: number;
  /** Minimum baskets holding both items. */
  minCount: number;
  /** Minimum support n(A, B) / N. */
  minSupport: number;
  /** Minimum confidence n(A, B) / n(A). */
  minConfidence: number;
  /** Consequents kept per antecedent. */
  top: number;
}

/** The defaults of {@link AssociationOptions}. */
export const DEFAULT_ASSOCIATION_OPTIONS: Readonly<AssociationOptions> = Object.freeze({
  types: Object.freeze(['purchase', 'add_to_cart']),
  basketGapMinutes: 30,
  minCount: 2,
  minSupport: 0,
  minConfidence: 0.05,
  top: 10,
});

/** One rule A → B with its exact measures. */
export interface AssociationRule {
  antecedent: string;
  consequent: string;
  /** n(A, B). */
  count: number;
  support: number;
  confidence: number;
  lift: number;
}

/** The baskets of a log: sets of item ids (rule 1 of the module documentation), in a deterministic order. */
export function baskets(events: readonly LogEvent[], o: Pick<AssociationOptions, 'types' | 'basketGapMinutes'>): string[][] {
  const types = new Set(o.types);
  const gap = o.basketGapMinutes * 60_000;
  const byUser = new Map<string, LogEvent[]>();
  for (const e of events) if (types.has(e.type)) (byUser.get(e.user) ?? byUser.set(e.user, []).get(e.user)!).push(e);
  const out: string[][] = [];
  for (const user of [...byUser.keys()].sort()) {
    const evs = byUser.get(user)!;
    const named = new Map<string, Set<string>>();
    const sessions: Set<string>[] = [];
    let last = -Infinity;
    for (const e of [...evs].sort((a, b) => a.ts - b.ts)) {
      if (e.basket !== undefined) {
        (named.get(e.basket) ?? named.set(e.basket, new Set()).get(e.basket)!).add(e.item);
        continue;
      }
      if (!sessions.length || e.ts - last > gap) sessions.push(new Set());
      sessions[sessions.length - 1]!.add(e.item);
      last = e.ts;
    }
    for (const s of sessions) out.push([...s]);
    for (const k of [...named.keys()].sort()) out.push([...named.get(k)!]);
  }
  return out.map((b) => b.sort()).filter((b) => b.length > 0 && b.length <= MAX_BASKET_ITEMS);
}

/** The association rules of `basketList` (rules 2–5 of the module documentation), antecedents in id order. */
export function mineAssociations(basketList: readonly (readonly string[])[], options: Partial<AssociationOptions> = {}): AssociationRule[] {
  const o = { ...DEFAULT_ASSOCIATION_OPTIONS, ...options };
  const N = basketList.length;
  const single = new Map<string, number>();
  const pair = new Map<string, Map<string, number>>();
  for (const b of basketList) {
    const items = [...new Set(b)];
    for (const a of items) {
      single.set(a, (single.get(a) ?? 0) + 1);
      let row = pair.get(a);
      if (!row) pair.set(a, (row = new Map<string, number>()));
      for (const c of items) if (c !== a) row.set(c, (row.get(c) ?? 0) + 1);
    }
  }
  const out: AssociationRule[] = [];
  for (const a of [...pair.keys()].sort()) {
    const na = single.get(a)!;
    const rules: AssociationRule[] = [];
    for (const [c, n] of pair.get(a)!) {
      const support = n / N;
      const confidence = n / na;
      if (n < o.minCount || support < o.minSupport || confidence < o.minConfidence) continue;
      rules.push({ antecedent: a, consequent: c, count: n, support, confidence, lift: confidence / (single.get(c)! / N) });
    }
    rules.sort((x, y) => y.confidence - x.confidence || y.lift - x.lift || (x.consequent < y.consequent ? -1 : 1));
    out.push(...rules.slice(0, o.top));
  }
  return out;
}

const round = (x: number) => Number(x.toPrecision(6));

/** The `associations.json` object of mined rules. */
export function associationsFile(
  rules: readonly AssociationRule[],
  basketCount: number,
  options: Partial<AssociationOptions> = {},
): AssociationsFile {
  const o = { ...DEFAULT_ASSOCIATION_OPTIONS, ...options };
  const byA: Record<string, AssociationTuple[]> = {};
  for (const r of rules) (byA[r.antecedent] ??= []).push([r.consequent, r.count, round(r.support), round(r.confidence), round(r.lift)]);
  return {
    format: ASSOCIATIONS_FORMAT,
    formatVersion: 1,
    baskets: basketCount,
    mined: {
      basket: `order/session id of the log, else a session of events no more than ${o.basketGapMinutes} min apart`,
      types: [...o.types],
      maxBasketItems: MAX_BASKET_ITEMS,
      minCount: o.minCount,
      minSupport: o.minSupport,
      minConfidence: o.minConfidence,
      top: o.top,
    },
    rules: byA,
  };
}

/** Baskets, rules and the file of a log in one step. */
export function associationsOf(events: readonly LogEvent[], options: Partial<AssociationOptions> = {}): AssociationsFile {
  const o = { ...DEFAULT_ASSOCIATION_OPTIONS, ...options };
  const b = baskets(events, o);
  return associationsFile(mineAssociations(b, o), b.length, o);
}

/** File name of the associations inside a bundle (`manifest.associationsFile`). */
const ASSOCIATIONS_FILE = 'associations.json';

/**
 * Writes `associations.json` into an existing bundle folder and lists it in `manifest.json`
 * (`associationsFile`, its SHA-256 and size in `files`), replacing an earlier one. Returns the manifest.
 */
export function addAssociations(dir: string, file: AssociationsFile): BundleManifest {
  const mpath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(mpath, 'utf8')) as BundleManifest;
  const bytes = new TextEncoder().encode(JSON.stringify(file));
  writeFileSync(join(dir, ASSOCIATIONS_FILE), bytes);
  manifest.files[ASSOCIATIONS_FILE] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
  manifest.associationsFile = ASSOCIATIONS_FILE;
  writeFileSync(mpath, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
