/**
 * Result feedback helpers: impressions of a recommendation list and clicks on its items, recorded
 * by the host simply by using the result object. Main-thread code (no tfjs): it only calls the
 * `track` function it is given — normally `LocalRec.track`, or the SDK's `ConnectContext.track`.
 *
 * What it records is exactly what the runtime's feedback loop (`insights-feedback.ts`) learns from:
 * - `result.shown()`: one `impression` — `{ items, source: listId, context: { listId } }`, the ids in
 *   display order — once per result object;
 * - `result.items[i].clicked()`: one `click` — `{ itemId, context: { listId, position: i } }` — per
 *   call (after the impression, which it records first if the host has not).
 * Carts and purchases of a shown item need nothing more: the host tracks them as usual, and the
 * runtime attributes them to the impression; items shown and never clicked are the negatives.
 *
 * @example
 * const res = withFeedback(await LocalRec.recommend({ k: 8 }), LocalRec.track, 'home-for-you');
 * render(res.items, (item) => item.clicked());
 * res.shown();
 */
import { EVENT_LIMITS, LocalRecError, type RecommendResult, type ScoredItem, type TrackData } from '@localrec/core';

/** Records an event, as `LocalRec.track(type, data)` does. Its return value is passed through. */
export type TrackFn = (type: string, data: TrackData) => unknown;

/** A recommended item with its feedback helper. */
export interface FeedbackItem extends ScoredItem {
  /**
   * Records a `click` of this item in its list (`context: { listId, position }`), after the list's
   * impression if that was not recorded yet. Returns what `track` returned (e.g. a promise).
   */
  clicked(): unknown;
}

/** A result whose items were shown in the list `listId`. */
export interface FeedbackResult extends RecommendResult {
  items: FeedbackItem[];
  /** The list the result is shown in (e.g. `"home-for-you"`). */
  readonly listId: string;
  /**
   * Records the `impression` of the items (display order) the first time it is called; later calls
   * record nothing and return `undefined`, as does a result with no items.
   */
  shown(): unknown;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

function checkListId(listId: unknown): string {
  if (typeof listId !== 'string' || listId.trim() === '' || listId.length > EVENT_LIMITS.idLength || CONTROL.test(listId)) {
    throw new LocalRecError(
      'INVALID_ARGUMENT',
      `listId must be a non-blank string of at most ${EVENT_LIMITS.idLength} characters without control characters; got ${JSON.stringify(listId) ?? String(listId)}`,
      { field: 'listId' },
    );
  }
  return listId;
}

const hidden = (value: unknown): PropertyDescriptor => ({ value, enumerable: false, writable: false, configurable: true });

/**
 * Returns a copy of `result` (and of its items) carrying the feedback helpers as non-enumerable
 * methods, so the copy still serialises, spreads and compares as the plain result. The input is
 * not changed.
 *
 * @param result a `recommend()` / `similar()` / `rank()` answer, as displayed (filter it first if
 *   the page drops some items: positions are indexes into `result.items`).
 * @param track records an event (`LocalRec.track`).
 * @param listId where the list is shown; the runtime matches an impression to the next one of the
 *   same `listId`, so use one id per place on the page.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming `listId` or `track`.
 */
export function withFeedback(result: RecommendResult, track: TrackFn, listId: string): FeedbackResult {
  const list = checkListId(listId);
  if (typeof track !== 'function') {
    throw new LocalRecError('INVALID_ARGUMENT', `track must be a function (e.g. LocalRec.track); got ${typeof track}`, { field: 'track' });
  }
  const items = result.items.map((it) => ({ ...it })) as FeedbackItem[];
  const out = { ...result, items } as FeedbackResult;
  let recorded = false;
  const shown = (): unknown => {
    if (recorded || items.length === 0) return undefined;
    recorded = true;
    // The event accepts at most EVENT_LIMITS.impressionItems ids: a longer list records its head.
    const ids = items.slice(0, EVENT_LIMITS.impressionItems).map((it) => it.itemId);
    return track('impression', { items: ids, source: list, context: { listId: list } });
  };
  items.forEach((item, position) => {
    Object.defineProperty(
      item,
      'clicked',
      hidden((): unknown => {
        shown();
        return track('click', { itemId: item.itemId, context: { listId: list, position } });
      }),
    );
  });
  Object.defineProperties(out, { shown: hidden(shown), listId: hidden(list) });
  return out;
}
