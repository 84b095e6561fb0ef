/**
 * Merchandising on the device (issue 15): the host's filter expressions, boost/bury, diversity, caps
 * and pins over one ranked candidate list, and the page cut. Pure: no model, no store, no clock.
 *
 * Order of the steps of every list answer (`recommend`, `similar`, `recentlyViewed`, `buyAgain`, and
 * their cold-start answers):
 *
 * 1. **candidates** — the model's scores (or the cold-start tables, or the shopper's history);
 * 2. **exclude** — seen and purchased items (per method), `exclude`, items other lists of the same
 *    `dedupe` group returned;
 * 3. **filter** — `filter` ({@link compileFilter}) over the catalog (host metadata over the bundle's);
 * 4. the best `poolSize` candidates are kept, then (`recommend`, insights on) the **social candidates**
 *    join them — at most `insights.social.maxCandidates` (5) eligible items friends shared or liked
 *    that are not in the pool (`socialCandidates` of `@localrec/insights`; steps 2–3 apply to them) —
 *    and the **insights blend** (model score, affinity, social context, re-ranker) when it is on;
 * 5. **boost / bury** — each rule adds (boost) or subtracts (bury) its `weight` from the items' score
 *    min-max-normalised over the pool, and the pool is re-sorted (stable);
 * 6. **diversity** — MMR over item embeddings on the shifted scores (after every blend and shift);
 * 7. **caps** — at most `caps[attr]` items per attribute value, in the diversified order (an item
 *    without the attribute is not capped; pinned items count and are never dropped);
 * 8. **pins** — eligible pinned items at their 0-based positions of the whole list (never anywhere
 *    else, on no page); the rest fill the free slots in order;
 * 9. **page** — items `page·k … page·k + k − 1` of that list.
 *
 * Every step is deterministic, and steps 5–8 build the list item by item from its head, so the list
 * for `n` items is a prefix of the list for more: pages of the same ranking never overlap.
 */
import {
  LocalRecError,
  type AttributeValue,
  type ItemFilter,
  type ItemMeta,
  type MerchRuleKind,
  type MerchRules,
  type RecommendOptions,
  type ScoredItem,
} from '@localrec/core';
import { preview } from '@localrec/core/internal';
import { passesFilter } from './ranking.js';
import { checkHydrate, type Hydration } from './hydrate.js';

/** A compiled filter: whether an item (its catalog metadata, if any) passes. */
export type Matcher = (meta: ItemMeta | undefined) => boolean;

/** The rules after {@link checkRules}: filters compiled, pins in placement order. */
export interface CheckedRules {
  shifts: { kind: 'boost' | 'bury'; match: Matcher; weight: number }[];
  pins: { itemId: string; position: number }[];
  caps: [attr: string, cap: number][];
}

/** The list options of a call after {@link checkListOptions}. */
export interface ListPlan {
  k: number;
  page: number;
  /** Items of the whole list needed: `(page + 1)·k`. */
  n: number;
  diversity: number;
  match: Matcher | undefined;
  rules: CheckedRules;
  dedupe: string | undefined;
  /** Which catalog attributes the page's items carry as `meta` (see `hydrate.ts`). */
  hydrate: Hydration;
}

/** Operators of an attribute test. */
const TEST_OPS = ['eq', 'in', 'gt', 'gte', 'lt', 'lte'] as const;
/** Keys of the {@link ItemFilter} shorthand. */
const SHORTHAND = ['inStock', 'categories', 'brands', 'minPrice', 'maxPrice'] as const;
const NODE_SHAPES = [
  '{ attr, eq | in | gt | gte | lt | lte }',
  '{ not: node }',
  '{ all: [nodes] }',
  '{ any: [nodes] }',
  `the shorthand { ${SHORTHAND.join(', ')} }`,
];
const RULE_KEYS = ['boost', 'bury', 'pin', 'caps'] as const;
/** Deepest filter nesting accepted (a structured clone may even carry a cycle). */
const MAX_DEPTH = 32;
/** Largest `page` and pin position. */
const MAX_PAGE = 999;
const MAX_POSITION = 9999;

const bad = (field: string, message: string, accepted: readonly string[]): never => {
  throw new LocalRecError('INVALID_ARGUMENT', `${field}: ${message}; accepted: ${accepted.join(', ')}`, { field, accepted });
};

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isScalar = (x: unknown): x is AttributeValue =>
  typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
const isBound = (x: unknown): x is number | string => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));

/**
 * Validates a filter expression (`FilterExpr`) and compiles it to a {@link Matcher}.
 * @throws {LocalRecError} `INVALID_ARGUMENT` whose `field` is the path of the bad node (e.g.
 * `filter.all[1].in`) and whose `accepted` lists the accepted shapes or values.
 */
export function compileFilter(expr: unknown, path = 'filter', depth = 0): Matcher {
  if (!isRecord(expr)) return bad(path, `a filter node must be an object, got ${preview(expr)}`, NODE_SHAPES);
  if (depth > MAX_DEPTH) return bad(path, `filters nest at most ${MAX_DEPTH} levels`, NODE_SHAPES);
  const keys = Object.keys(expr);
  const heads = keys.filter((x) => x === 'attr' || x === 'not' || x === 'all' || x === 'any');
  if (heads.length > 1) return bad(path, `one node has one of attr, not, all, any; got ${heads.join(' and ')}`, NODE_SHAPES);
  const head = heads[0];
  if (head === 'not') {
    if (keys.length > 1) return bad(path, `{ not } takes no other key, got ${keys.join(', ')}`, NODE_SHAPES);
    const inner = compileFilter(expr.not, `${path}.not`, depth + 1);
    return (m) => !inner(m);
  }
  if (head === 'all' || head === 'any') {
    const list = expr[head];
    if (keys.length > 1) return bad(path, `{ ${head} } takes no other key, got ${keys.join(', ')}`, NODE_SHAPES);
    if (!Array.isArray(list)) return bad(`${path}.${head}`, `must be an array of filter nodes, got ${preview(list)}`, NODE_SHAPES);
    const parts = list.map((x, i) => compileFilter(x, `${path}.${head}[${i}]`, depth + 1));
    return head === 'all' ? (m) => parts.every((p) => p(m)) : (m) => parts.some((p) => p(m));
  }
  if (head === 'attr') return compileTest(expr, path);
  return compileShorthand(expr, path);
}

function compileTest(t: Record<string, unknown>, path: string): Matcher {
  const attr = t.attr;
  if (typeof attr !== 'string' || !attr)
    return bad(`${path}.attr`, `must be a non-empty attribute name, got ${preview(attr)}`, ['a string']);
  const ops = Object.keys(t).filter((x) => x !== 'attr');
  if (!ops.length) return bad(path, `the test of "${attr}" has no operator`, TEST_OPS);
  const checks: ((v: AttributeValue) => boolean)[] = [];
  let boundType: string | undefined;
  for (const op of ops) {
    const v = t[op];
    const at = `${path}.${op}`;
    if (op === 'eq') {
      if (!isScalar(v))
        return bad(at, `must be a string, a finite number or a boolean, got ${preview(v)}`, ['string', 'number', 'boolean']);
      checks.push((x) => x === v);
    } else if (op === 'in') {
      if (!Array.isArray(v) || !v.every(isScalar))
        return bad(at, `must be an array of strings, finite numbers or booleans, got ${preview(v)}`, [
          'an array of strings, numbers, booleans',
        ]);
      const set = new Set<unknown>(v);
      checks.push((x) => set.has(x));
    } else if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') {
      if (!isBound(v)) return bad(at, `must be a finite number or a string, got ${preview(v)}`, ['number', 'string']);
      if (boundType !== undefined && typeof v !== boundType)
        return bad(at, `the bounds of one test must all be numbers or all strings, got ${typeof v} after ${boundType}`, [
          'number',
          'string',
        ]);
      boundType = typeof v;
      const b = v;
      const cmp = {
        gt: (x: number | string) => x > b,
        gte: (x: number | string) => x >= b,
        lt: (x: number | string) => x < b,
        lte: (x: number | string) => x <= b,
      }[op];
      checks.push((x) => typeof x === typeof b && cmp(x as number | string));
    } else return bad(at, `unknown operator "${op}" in the test of "${attr}"`, TEST_OPS);
  }
  return (m) => {
    const x = m?.[attr];
    return x !== undefined && x !== null && checks.every((c) => c(x));
  };
}

function compileShorthand(f: Record<string, unknown>, path: string): Matcher {
  for (const key of Object.keys(f)) {
    const v = f[key];
    const at = `${path}.${key}`;
    if (!(SHORTHAND as readonly string[]).includes(key)) return bad(at, `unknown filter key "${key}"`, NODE_SHAPES);
    if (key === 'inStock' && typeof v !== 'boolean') return bad(at, `must be a boolean, got ${preview(v)}`, ['true', 'false']);
    if ((key === 'categories' || key === 'brands') && !(Array.isArray(v) && v.every((x) => typeof x === 'string')))
      return bad(at, `must be an array of strings, got ${preview(v)}`, ['an array of strings']);
    if ((key === 'minPrice' || key === 'maxPrice') && !(typeof v === 'number' && Number.isFinite(v)))
      return bad(at, `must be a finite number, got ${preview(v)}`, ['a finite number']);
  }
  const shorthand = f as ItemFilter;
  return (m) => passesFilter(m, shorthand);
}

/**
 * Validates `rules` ({@link MerchRules}).
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the path (e.g. `rules.boost[0].weight`) and the accepted values.
 */
export function checkRules(rules: unknown): CheckedRules {
  const out: CheckedRules = { shifts: [], pins: [], caps: [] };
  if (rules === undefined) return out;
  if (!isRecord(rules)) return bad('rules', `must be an object, got ${preview(rules)}`, RULE_KEYS);
  for (const key of Object.keys(rules))
    if (!(RULE_KEYS as readonly string[]).includes(key)) bad(`rules.${key}`, `unknown rule "${key}"`, RULE_KEYS);
  const r = rules as MerchRules;
  for (const kind of ['boost', 'bury'] as const) {
    const list: unknown = r[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list))
      return bad(`rules.${kind}`, `must be an array of { filter, weight }, got ${preview(list)}`, ['an array of { filter, weight }']);
    list.forEach((x: unknown, i) => {
      const at = `rules.${kind}[${i}]`;
      if (!isRecord(x)) return bad(at, `must be { filter, weight }, got ${preview(x)}`, ['{ filter, weight }']);
      const w = x.weight;
      if (!(typeof w === 'number' && w > 0 && w <= 1))
        return bad(`${at}.weight`, `must be a number in (0, 1], got ${preview(w)}`, ['a number in (0, 1]']);
      out.shifts.push({ kind, match: compileFilter(x.filter, `${at}.filter`), weight: w });
    });
  }
  const pins: unknown = r.pin;
  if (pins !== undefined) {
    if (!Array.isArray(pins))
      return bad('rules.pin', `must be an array of { itemId, position }, got ${preview(pins)}`, ['an array of { itemId, position }']);
    pins.forEach((p: unknown, i) => {
      const at = `rules.pin[${i}]`;
      if (!isRecord(p) || typeof p.itemId !== 'string' || !p.itemId)
        return bad(`${at}.itemId`, `must be a non-empty item id, got ${preview(isRecord(p) ? p.itemId : p)}`, ['a non-empty string']);
      const pos = p.position;
      if (!(typeof pos === 'number' && Number.isInteger(pos) && pos >= 0 && pos <= MAX_POSITION))
        return bad(`${at}.position`, `must be an integer in 0..${MAX_POSITION} (0 = first), got ${preview(pos)}`, [
          `an integer in 0..${MAX_POSITION}`,
        ]);
      out.pins.push({ itemId: p.itemId, position: pos });
    });
    // Placement order: by position, then as given; an item pinned twice keeps its first place.
    const seen = new Set<string>();
    out.pins = out.pins
      .map((p, i) => ({ p, i }))
      .sort((a, b) => a.p.position - b.p.position || a.i - b.i)
      .map((x) => x.p)
      .filter((p) => !seen.has(p.itemId) && !!seen.add(p.itemId));
  }
  const caps: unknown = r.caps;
  if (caps !== undefined) {
    if (!isRecord(caps))
      return bad('rules.caps', `must be an object of attribute → count, got ${preview(caps)}`, ['{ [attribute]: integer ≥ 1 }']);
    for (const [attr, cap] of Object.entries(caps)) {
      if (!(typeof cap === 'number' && Number.isInteger(cap) && cap >= 1))
        return bad(`rules.caps.${attr}`, `must be an integer ≥ 1, got ${preview(cap)}`, ['an integer ≥ 1']);
      out.caps.push([attr, cap]);
    }
  }
  return out;
}

/**
 * Checks the list options of a call (`filter`, `rules`, `page`, `dedupe`; `k` and `diversity` checked
 * by the caller) into a {@link ListPlan}.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the option.
 */
export function checkListOptions(options: RecommendOptions, k: number, diversity: number): ListPlan {
  const page: unknown = options.page ?? 0;
  if (!(typeof page === 'number' && Number.isInteger(page) && page >= 0 && page <= MAX_PAGE))
    bad('page', `must be an integer in 0..${MAX_PAGE} (0 = first page), got ${preview(page)}`, [`an integer in 0..${MAX_PAGE}`]);
  const dedupe: unknown = options.dedupe;
  if (dedupe !== undefined && (typeof dedupe !== 'string' || !dedupe))
    bad('dedupe', `must be a non-empty group name, got ${preview(dedupe)}`, ['a non-empty string']);
  const p = page as number;
  return {
    k,
    page: p,
    n: (p + 1) * k,
    diversity,
    match: options.filter === undefined ? undefined : compileFilter(options.filter),
    rules: checkRules(options.rules),
    dedupe: dedupe as string | undefined,
    hydrate: checkHydrate(options.hydrate),
  };
}

/**
 * How many ranked candidates the rules need to fill `n` items: `n` plus the pins when nothing
 * reorders, else max(5·(n + pins), 50) (the pool diversity has always chosen from).
 */
export function poolSize(plan: ListPlan): number {
  const n = plan.n + plan.rules.pins.length;
  const reorders = plan.diversity > 0 || plan.rules.shifts.length > 0 || plan.rules.caps.length > 0;
  return reorders ? Math.max(5 * n, 50) : n;
}

/** What {@link merchandise} needs besides the plan. */
export interface MerchInput {
  /** Ranked candidates, best first (excluded and filtered already). */
  pool: readonly ScoredItem[];
  catalog: Readonly<Record<string, ItemMeta>>;
  /** Cosine of two items' embeddings, when a model is loaded (diversity is skipped without it). */
  similarity?: ((a: string, b: string) => number) | undefined;
  /** Whether an item outside the pool may be pinned (it passes the filter, is not excluded, seen or shown). */
  eligible: (itemId: string) => boolean;
}

const marked = (item: ScoredItem, kinds: readonly MerchRuleKind[]): ScoredItem =>
  kinds.length ? { ...item, reason: { ...item.reason, rules: [...(item.reason.rules ?? []), ...kinds] } } : item;

/** Step 5: the pool re-sorted by its normalised score shifted by the boost/bury rules (items marked). */
function shifted(pool: readonly ScoredItem[], plan: ListPlan, catalog: MerchInput['catalog']): { items: ScoredItem[]; scores: number[] } {
  let lo = Infinity,
    hi = -Infinity;
  for (const it of pool)
    if (Number.isFinite(it.score)) {
      lo = Math.min(lo, it.score);
      hi = Math.max(hi, it.score);
    }
  const span = hi - lo || 1;
  const rows = pool.map((item, i) => {
    let s = Number.isFinite(item.score) ? (item.score - lo) / span : 0;
    const kinds: MerchRuleKind[] = [];
    for (const r of plan.rules.shifts)
      if (r.match(catalog[item.itemId])) {
        s += r.kind === 'boost' ? r.weight : -r.weight;
        if (!kinds.includes(r.kind)) kinds.push(r.kind);
      }
    return { item: marked(item, kinds), s, i };
  });
  if (plan.rules.shifts.length) rows.sort((a, b) => b.s - a.s || a.i - b.i);
  return { items: rows.map((r) => r.item), scores: rows.map((r) => r.s) };
}

/**
 * Step 6, lazily: the items in Maximal Marginal Relevance order (Carbonell & Goldstein 1998) —
 * repeatedly the one maximising `(1 − λ)·rel − λ·max cos(item, emitted)`, `rel` the score
 * min-max-normalised over the pool, `λ = diversity`; ties: the earlier item. Without diversity
 * (or embeddings) the items as they are.
 */
function* diversified(
  items: readonly ScoredItem[],
  scores: readonly number[],
  plan: ListPlan,
  sim: MerchInput['similarity'],
): Generator<ScoredItem> {
  const lambda = plan.diversity;
  if (!(lambda > 0) || !sim || items.length <= 1) {
    yield* items;
    return;
  }
  const lo = Math.min(...scores),
    span = Math.max(...scores) - lo || 1;
  const left = items.map((item, i) => ({ item, rel: (scores[i]! - lo) / span, maxSim: -1 }));
  let first = true;
  while (left.length) {
    let best = 0,
      bestVal = -Infinity;
    left.forEach((c, i) => {
      const v = (1 - lambda) * c.rel - lambda * (first ? 0 : c.maxSim);
      if (v > bestVal) {
        bestVal = v;
        best = i;
      }
    });
    const [picked] = left.splice(best, 1);
    first = false;
    for (const c of left) c.maxSim = Math.max(c.maxSim, sim(c.item.itemId, picked!.item.itemId));
    yield picked!.item;
  }
}

/** The attribute value an item is capped by (scalars only; none: not capped). */
const capValue = (meta: ItemMeta | undefined, attr: string): AttributeValue | undefined => {
  const v: unknown = meta?.[attr];
  return isScalar(v) ? v : undefined;
};

/**
 * Steps 5–8 over a ranked, excluded and filtered pool: the first `plan.n` items of the whole list
 * (fewer when the pool runs out), each marked with the rules that moved it (`reason.rules`).
 */
export function merchandise(input: MerchInput, plan: ListPlan): ScoredItem[] {
  const { pool, catalog } = input;
  const inPool = new Map(pool.map((it) => [it.itemId, it]));
  // Pins: eligible ones only, each item once; their slots and cap counts are fixed first.
  const pins = plan.rules.pins
    .filter((p) => inPool.has(p.itemId) || input.eligible(p.itemId))
    .map((p) => {
      const it = inPool.get(p.itemId);
      const item: ScoredItem = it ?? {
        itemId: p.itemId,
        score: 0,
        source: 'host',
        reason: { kind: 'pinned', text: 'Featured by the shop' },
      };
      return { position: p.position, item: marked(item, ['pin']) };
    });
  const pinned = new Set(pins.map((p) => p.item.itemId));
  const counts = plan.rules.caps.map(([attr, cap]) => ({ attr, cap, n: new Map<AttributeValue, number>() }));
  /** Whether one more of this item's attribute values stays within every cap. */
  const fits = (itemId: string) =>
    counts.every((c) => {
      const v = capValue(catalog[itemId], c.attr);
      return v === undefined || (c.n.get(v) ?? 0) < c.cap;
    });
  const add = (itemId: string) => {
    for (const c of counts) {
      const v = capValue(catalog[itemId], c.attr);
      if (v !== undefined) c.n.set(v, (c.n.get(v) ?? 0) + 1);
    }
  };
  // The list is built from its head up to the last pin (so every prefix is the same), then cut.
  const length = Math.max(plan.n, ...pins.map((p) => p.position + 1));
  const slots = new Array<ScoredItem | undefined>(length).fill(undefined);
  for (const p of pins) {
    add(p.item.itemId);
    // A pin whose slot is taken (two pins at one position) goes to the next free slot.
    let at = p.position;
    while (slots[at]) at++;
    slots[at] = p.item;
  }
  const { items, scores } = shifted(pool, plan, catalog);
  let free = 0;
  for (const it of diversified(items, scores, plan, input.similarity)) {
    while (free < slots.length && slots[free]) free++;
    if (free >= length) break;
    if (pinned.has(it.itemId) || !fits(it.itemId)) continue;
    add(it.itemId);
    slots[free] = it;
  }
  // A pin past the end of a shorter list lands at its end.
  return slots.filter((x): x is ScoredItem => x !== undefined).slice(0, plan.n);
}

/** Step 9: the page of the whole list. */
export const pageOf = (list: readonly ScoredItem[], plan: ListPlan): ScoredItem[] =>
  list.slice(plan.page * plan.k, plan.page * plan.k + plan.k);
