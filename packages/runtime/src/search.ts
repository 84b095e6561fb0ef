/**
 * `forSearch(query)` (issue 15): recommendations for a search query, on the device.
 *
 * Rules:
 * - **Query**: a non-empty string of at most `EVENT_LIMITS.queryLength` (256) characters, split
 *   into words ({@link searchTokens}: lower case, accents dropped, split on anything but letters and
 *   digits, a plural `s` dropped: "Red Shoes" → `red`, `shoe`).
 * - **The shopper's searches** (consent `granted`, `personalise` not `false`): the stored `search`
 *   events whose query shares a word with this one, and the items each led to — viewed, clicked,
 *   carted or bought in the same session after it, within {@link SEARCH_RULE.windowMs} and before the
 *   session's next search. Such an item's score: the share of the words the two queries share
 *   ({@link querySimilarity}) × the weight of what the shopper did ({@link SEARCH_RULE.actions}:
 *   bought 1, carted 0.8, clicked 0.6, viewed 0.4), its best over the searches; reason "You searched
 *   'red shoes' and opened Blue Kettle". Abnormal events (stored flags, the insights layer's) are
 *   left out; past the retention window nothing is read.
 * - **The catalogue** (host metadata over the bundle's): items whose name (weight 1), category or
 *   brand (0.7) or another text attribute (0.5; not `image`/`url`) holds a word of the query — an
 *   item word starting with it ("sho" finds "shoes"), in Chinese, Japanese or Korean any text holding
 *   it; score the mean over the query's words of the best weight each found; reason
 *   "Matches 'shoes'" (the query's words it matched).
 * - The shopper's own searches come first: an item a search led to has the table score
 *   `½ + ½ · (1 − (1 − searched)(1 − text))` (the noisy-or of the two), explained by the search; an
 *   item only the catalogue matches `½ · text`. Re-ranked for the shopper by the model's score of the
 *   history (`personal.ts`); without it the table's order, marked with why (`no-history`: the cold
 *   start, `no-consent`, `no-model`, …).
 * - Nothing matches: the bundle's popularity table, `fallbackReason: 'no-match'`.
 * - Purchased items stay (a shopper searches for a bought item again) unless `excludePurchased:
 *   true`; `exclude`, `filter`, `dedupe` and the list steps (rules, diversity, page) as in `recommend`.
 * In the degraded case where the page passes its own history (`CallContext.history`, memory store)
 * there are no stored searches to read: the catalogue match, personalised by that history.
 * Never rejects for a missing model, history or match.
 */
import {
  EVENT_LIMITS,
  LocalRecError,
  compareEventOrder,
  type EventType,
  type ItemMeta,
  type RecommendOptions,
  type RecommendResult,
  type StoredEvent,
} from '@localrec/core';
import { preview } from '@localrec/core/internal';
import { catalogFor, eligibility, listAnswer, listCall, need, result, type AnswerContext, type ListContext } from './answers.js';
import { readShopper } from './history.js';
import { now } from './lazy.js';
import type { ModelData } from './model-data.js';
import { NO_SHOPPER, personalScores, personalise, type TableCandidate } from './personal.js';
import { nameOf } from './ranking.js';
import { normalEvents } from './scenarios.js';

/** The constants of the search rule (see the module documentation). */
interface SearchRule {
  /** How long after a search an item event of the same session counts as led to by it. */
  windowMs: number;
  /** Weight of each item event a search led to. */
  actions: Readonly<Record<'purchase' | 'add_to_cart' | 'click' | 'view', number>>;
  /** Weights of the catalogue fields. */
  fields: Readonly<{ name: number; category: number; brand: number; other: number }>;
}

/** The search rule's defaults. */
const SEARCH_RULE: Readonly<SearchRule> = Object.freeze({
  windowMs: 30 * 60_000,
  actions: Object.freeze({ purchase: 1, add_to_cart: 0.8, click: 0.6, view: 0.4 }),
  fields: Object.freeze({ name: 1, category: 0.7, brand: 0.7, other: 0.5 }),
});

/** Attributes that are not text to search (links). */
const NOT_TEXT = new Set(['image', 'url']);
/** Scripts written without spaces between words: a query word matches inside any text. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** A word as compared: a plural `s` dropped ("shoes" → "shoe", "berries" → "berry"; not "glass"). */
function stem(w: string): string {
  if (w.length <= 3 || !/[a-z]s$/.test(w) || w.endsWith('ss')) return w;
  return w.endsWith('ies') ? `${w.slice(0, -3)}y` : w.slice(0, -1);
}

/** The words of `text`, each once: `[stem, as written (lower case)]` (see the module documentation). */
export function searchTokens(text: string): [stem: string, word: string][] {
  const out = new Map<string, string>();
  const plain = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  for (const w of plain.split(/[^\p{L}\p{N}]+/u)) if (w && !out.has(stem(w))) out.set(stem(w), w);
  return [...out];
}

/** Whether query word `q` finds item word `w`: the same word, a prefix of it (2+ characters), or inside it (unspaced scripts). */
const wordMatches = (q: string, w: string): boolean => w === q || (q.length >= 2 && w.startsWith(q)) || (UNSPACED.test(q) && w.includes(q));

/** Share of the words of two queries that find one another (1: the same words). */
export function querySimilarity(a: readonly string[], b: readonly string[]): number {
  if (!a.length || !b.length) return 0;
  const hits = a.filter((q) => b.some((p) => wordMatches(q, p) || wordMatches(p, q))).length;
  return hits / Math.max(a.length, b.length);
}

/**
 * Checks `query`: a string with a word in it, at most `EVENT_LIMITS.queryLength` characters.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming the value.
 */
function checkQuery(query: unknown): string {
  const max = EVENT_LIMITS.queryLength;
  if (typeof query !== 'string' || query.length > max || !searchTokens(query).length) {
    throw new LocalRecError(
      'INVALID_ARGUMENT',
      `forSearch expects a query: a string with a letter or digit, at most ${max} characters; got ${preview(query)}`,
      { field: 'query', accepted: [`a non-empty string of at most ${max} characters`] },
    );
  }
  return query.trim();
}

/** One item's searchable fields: their words and weights. */
type Indexed = [itemId: string, fields: [words: string[], weight: number][]];

/** The catalogue's words, kept per context while the bundle and the host catalogue are the same objects. */
const indexes = new WeakMap<AnswerContext, { md: ModelData | undefined; host: object; index: Indexed[] }>();

function catalogIndex(ctx: AnswerContext, md: ModelData | undefined, catalog: Record<string, ItemMeta>): Indexed[] {
  const memo = indexes.get(ctx);
  if (memo && memo.md === md && memo.host === ctx.hostCatalog) return memo.index;
  const { fields: w } = SEARCH_RULE;
  const index = Object.entries(catalog).map(([itemId, meta]): Indexed => {
    const fields: [string[], number][] = [];
    for (const [attr, v] of Object.entries(meta ?? {})) {
      if (typeof v !== 'string' || NOT_TEXT.has(attr)) continue;
      const weight = attr === 'name' ? w.name : attr === 'category' ? w.category : attr === 'brand' ? w.brand : w.other;
      fields.push([searchTokens(v).map(([s]) => s), weight]);
    }
    return [itemId, fields];
  });
  indexes.set(ctx, { md, host: ctx.hostCatalog, index });
  return index;
}

/** Catalogue items matching the query's words: score in (0, 1] and the words matched (as written). */
export function textMatches(
  index: readonly Indexed[],
  words: readonly [string, string][],
): Map<string, { score: number; words: string[] }> {
  const out = new Map<string, { score: number; words: string[] }>();
  for (const [itemId, fields] of index) {
    let sum = 0;
    const hit: string[] = [];
    for (const [q, as] of words) {
      let best = 0;
      for (const [ws, weight] of fields) if (weight > best && ws.some((x) => wordMatches(q, x))) best = weight;
      if (best > 0) hit.push(as);
      sum += best;
    }
    if (hit.length) out.set(itemId, { score: sum / words.length, words: hit });
  }
  return out;
}

/** An item a past search led to. */
interface Searched {
  score: number;
  query: string;
  type: keyof SearchRule['actions'];
  ts: number;
}

/** Event types a search may lead to, and the search itself. */
const LED_TYPES: readonly EventType[] = ['search', 'view', 'click', 'add_to_cart', 'purchase'];

/**
 * Items the shopper's past searches like `query` led to (see the module documentation): each with
 * its best score and the search and action behind it. `events`: normal events of {@link LED_TYPES}.
 */
export function searchedItems(
  events: readonly StoredEvent[],
  words: readonly string[],
  rule: Readonly<SearchRule> = SEARCH_RULE,
): Map<string, Searched> {
  const open = new Map<string, { query: string; sim: number; ts: number }>();
  const out = new Map<string, Searched>();
  for (const e of [...events].sort(compareEventOrder)) {
    if (e.type === 'search') {
      const query = typeof e.data.query === 'string' ? e.data.query : '';
      open.set(e.sessionId, {
        query,
        sim: querySimilarity(
          words,
          searchTokens(query).map(([s]) => s),
        ),
        ts: e.ts,
      });
      continue;
    }
    const s = open.get(e.sessionId);
    const weight = rule.actions[e.type as Searched['type']];
    if (!s || !e.itemId || weight === undefined || s.sim <= 0 || e.ts - s.ts > rule.windowMs) continue;
    const score = s.sim * weight;
    const had = out.get(e.itemId);
    if (!had || score > had.score || (score === had.score && e.ts >= had.ts))
      out.set(e.itemId, { score, query: s.query, type: e.type as Searched['type'], ts: e.ts });
  }
  return out;
}

const did = (type: Searched['type'], name: string): string =>
  type === 'purchase' ? `bought ${name}` : type === 'add_to_cart' ? `added ${name} to your cart` : `opened ${name}`;

/** The candidates of a query: what the shopper's searches led to and what the catalogue matches, best first. */
function searchCandidates(
  searched: ReadonlyMap<string, Searched>,
  text: ReadonlyMap<string, { score: number; words: string[] }>,
  name: (id: string) => string,
): TableCandidate[] {
  const ids = new Set([...searched.keys(), ...text.keys()]);
  return [...ids]
    .map((itemId): TableCandidate & { led: number } => {
      const s = searched.get(itemId);
      const t = text.get(itemId);
      const both = 1 - (1 - (s?.score ?? 0)) * (1 - (t?.score ?? 0));
      const base = s ? 0.5 + 0.5 * both : 0.5 * both;
      if (s)
        return {
          itemId,
          base,
          led: s.score,
          source: 'history',
          reason: { kind: 'search', text: `You searched '${s.query}' and ${did(s.type, name(itemId))}`, itemIds: [itemId] },
        };
      return { itemId, base, led: 0, source: 'search', reason: { kind: 'search', text: `Matches '${t!.words.join(' ')}'` } };
    })
    .sort((a, b) => b.base - a.base || b.led - a.led || (a.itemId < b.itemId ? -1 : 1));
}

/** The bundle's popular items, for a query nothing matches. */
function popular(md: ModelData | undefined): TableCandidate[] {
  if (!md) return [];
  const { popularItems, popularScores } = md.cold;
  const top = Math.max(1e-12, popularScores[0] ?? 0);
  return [...popularItems].flatMap((row, i) => {
    const itemId = md.vocab[row - 1];
    return itemId
      ? [{ itemId, base: popularScores[i]! / top, source: 'popular', reason: { kind: 'popular', text: 'Popular right now' } }]
      : [];
  });
}

/**
 * Recommendations for a search query (see the module documentation).
 * @throws {LocalRecError} `INVALID_ARGUMENT` for a bad `query` or option; `NOT_READY` before `init`.
 */
export async function forSearch(
  c: AnswerContext | undefined,
  query: string,
  options: RecommendOptions = {},
  call?: ListContext,
): Promise<RecommendResult> {
  const t0 = now();
  const q = checkQuery(query);
  const ctx = need(c);
  const words = searchTokens(q);
  const lc = listCall(ctx, { method: 'forSearch', subject: words.map(([s]) => s).join(' '), args: [q] }, options, t0, call);
  const budgetMs = options.budgetMs ?? ctx.budgetMs;
  const md = await ctx.model.ready();
  const catalog = catalogFor(ctx, md);
  const history = ctx.consent === 'granted' && options.personalise !== false;
  const shopper = history ? await readShopper(ctx, md, call) : NO_SHOPPER;
  let searched = new Map<string, Searched>();
  if (history && call?.history === undefined) {
    try {
      searched = searchedItems(
        await normalEvents(ctx, LED_TYPES),
        words.map(([s]) => s),
      );
    } catch {
      /* an unreadable store: the catalogue match alone (the shopper read says `error`) */
    }
  }
  const purchased = options.excludePurchased === true ? shopper.purchased : [];
  const eligible = eligibility(catalog, new Set([...(options.exclude ?? []), ...purchased, ...lc.shown]), lc.plan.match);
  const name = (id: string) => nameOf(md, catalog, id);
  let cands = searchCandidates(searched, textMatches(catalogIndex(ctx, md, catalog), words), name).filter((x) => eligible(x.itemId));
  const match = cands.length > 0;
  if (!match) cands = popular(md).filter((x) => eligible(x.itemId));
  const personal = cands.length ? await personalScores(ctx, md, shopper, budgetMs, options.personalise !== false) : {};
  const r = result(ctx, personalise(cands, md, personal.scores), t0, md, match ? personal.why : 'no-match');
  return listAnswer(ctx, lc, false, async () => ({ r, eligible, cut: false }));
}
