/**
 * `next(previous)` (issue 15): the next page of the list an answer came from, without repeats.
 *
 * Where the state lives: in the answer. Every list answer carries its cursor (`RecommendResult.list`:
 * method, arguments, options, page, and every item its pages so far returned), plain data written
 * by the runtime; `next` reads nothing else. So a list survives what the runtime's memory does not —
 * a worker that crashed and restarted, `forgetMe()`'s new runtime, a second tab, a page that kept
 * the result — and the runtime holds no per-list state to bound or expire; the price is the
 * returned ids travelling with each answer (a few KB for hundreds of items).
 *
 * Rule: the list is built again as for page `page + 1` (the same method, subject and options, the
 * history as it is NOW), at least as long as the earlier pages plus one page, and the page is its
 * first `k` items that no earlier page returned. With the same history this is exactly page
 * `page + 1` (the list minus its first pages starts there); when the history changed (a click
 * during an infinite scroll) the page still repeats nothing. `dedupe` applies as to any page: the
 * list keeps its key (method, subject, options but `page`), so the other widgets' items stay out.
 */
import { LocalRecError, type ListCursor, type ListMethod, type RecommendOptions } from '@localrec/core';
import { preview } from '@localrec/core/internal';

/** The list methods and how many arguments each takes before its options. */
const LIST_METHODS: Readonly<Record<ListMethod, number>> = Object.freeze({
  recommend: 0,
  similar: 1,
  recentlyViewed: 0,
  buyAgain: 0,
  frequentlyBoughtTogether: 1,
  trending: 0,
  forSearch: 1,
});

/** Largest page a list has (`RecommendOptions.page`'s bound). */
const LAST_PAGE = 999;
/** Most returned items a cursor may carry. */
const MAX_RETURNED = 100_000;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The cursor of `previous` (an answer of a list method, or `{ list }`), checked.
 * @throws {LocalRecError} `INVALID_ARGUMENT` (`field: 'list'` or `list.<field>`) naming what is wrong.
 */
export function checkCursor(previous: unknown): ListCursor {
  const l: unknown = isRecord(previous) ? previous.list : undefined;
  const bad = (field: string, what: string): never => {
    throw new LocalRecError('INVALID_ARGUMENT', `next expects ${what}; got ${preview(field === 'list' ? previous : l)}`, {
      field,
      accepted: Object.keys(LIST_METHODS),
    });
  };
  if (!isRecord(l)) return bad('list', `an answer of a list method (${Object.keys(LIST_METHODS).join(', ')}), which carries its \`list\``);
  const arity = Object.hasOwn(LIST_METHODS, l.method as string) ? LIST_METHODS[l.method as ListMethod] : -1;
  if (arity < 0) return bad('list.method', 'a list whose method is a list method');
  if (!Array.isArray(l.args) || l.args.length !== arity) return bad('list.args', `a ${String(l.method)} list with ${arity} argument(s)`);
  if (!isRecord(l.options)) return bad('list.options', 'a list with its options object');
  const page = l.page;
  if (!(typeof page === 'number' && Number.isInteger(page) && page >= 0 && page < LAST_PAGE))
    return bad('list.page', `a list at a page in 0..${LAST_PAGE - 1} (page ${LAST_PAGE} is the last)`);
  const r = l.returned;
  if (!Array.isArray(r) || r.length > MAX_RETURNED || !r.every((x) => typeof x === 'string'))
    return bad('list.returned', `a list whose returned items are at most ${MAX_RETURNED} item ids`);
  return {
    method: l.method as ListMethod,
    args: l.args as unknown[],
    options: l.options,
    page,
    returned: r,
  };
}

/**
 * The options `next` is given to change (any list option but `page`), or none.
 * @throws {LocalRecError} `INVALID_ARGUMENT` (`field: 'options'`) for options that are not an object or set `page`.
 */
export function checkOverrides(options: unknown): RecommendOptions {
  if (options === undefined) return {};
  if (!isRecord(options) || options.page !== undefined)
    throw new LocalRecError('INVALID_ARGUMENT', `next's options must be an object of list options without page, got ${preview(options)}`, {
      field: 'options',
      accepted: ['an object of RecommendOptions without page'],
    });
  return options;
}
