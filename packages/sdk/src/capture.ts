/**
 * Declarative capture (opt-in with `autoCapture: true`): elements carrying
 * `data-localrec-item="SKU"` are recorded when seen and when clicked.
 *
 * - **Seen** means at least half of the element visible for one second (IntersectionObserver;
 *   elements added later are picked up by a MutationObserver), once per element:
 *   - an element inside a list (`data-localrec-list` on it or an ancestor: a grid, a carousel, a
 *     search result page) is an **exposure**: the cards of one list that became visible together
 *     are recorded as ONE `impression` — `{ items, source: listId, context: { listId, position } }`,
 *     items in position order, `position` the first one's. A card merely shown in a grid is not a
 *     product viewed: recorded as views, one render of a 28-card grid would put 28 "views" in the
 *     same instant into the shopper's history (the model's input), and the abnormal-behaviour
 *     filter would flag them as a burst — together with a real click in the same second.
 *     `listExposure: 'view'` restores one `view` per card;
 *   - an element outside any list (a product page's main item, an article) records a `view` with
 *     its dwell time.
 * - **Clicked**: every click inside such an element records a `click` (one delegated, passive,
 *   capturing listener).
 *
 * `data-localrec-list` (list id) and `data-localrec-position` (0-based position, on the element or
 * an ancestor) become the events' context.
 */
import { LocalRecError, type EventContext, type TrackData } from '@localrec/core';

const ITEM_ATTR = 'data-localrec-item';
const SELECTOR = `[${ITEM_ATTR}]`;
/** Ids in one `impression` (core's `EVENT_LIMITS.impressionItems`); a longer exposure is split. */
const IMPRESSION_ITEMS = 100;

export interface CaptureOptions {
  /** Fraction of the element that must be visible. Default 0.5. */
  visibleRatio?: number;
  /** How long it must stay visible, in ms. Default 1000. */
  dwellMs?: number;
  /**
   * What a card inside a `data-localrec-list` records when seen: `'impression'` (default: one
   * impression per list for the cards that became visible together) or `'view'` (one view each).
   */
  listExposure?: 'impression' | 'view';
}

/** Receives each captured event, ready for `track(type, data)`. */
export type CaptureSink = (type: 'view' | 'click' | 'impression', data: TrackData) => void;

/** An element seen: its item, list and position. */
interface Seen {
  id: string;
  list?: string;
  position?: number;
}

function eventData(el: Element, itemId: string, dwellMs?: number): TrackData {
  const data: TrackData = { itemId };
  const context = contextOf(el);
  if (context) data.context = context;
  if (dwellMs !== undefined) data.dwellMs = dwellMs;
  return data;
}

function contextOf(el: Element): EventContext | undefined {
  const listEl = el.closest('[data-localrec-list]');
  const posEl = el.closest('[data-localrec-position]');
  const ctx: EventContext = {};
  const list = listEl?.getAttribute('data-localrec-list');
  if (list) ctx.listId = list;
  const pos = posEl ? Number(posEl.getAttribute('data-localrec-position')) : NaN;
  if (Number.isInteger(pos) && pos >= 0) ctx.position = pos;
  return ctx.listId === undefined && ctx.position === undefined ? undefined : ctx;
}

/**
 * The impressions for cards of lists seen together: one per list (split every
 * {@link IMPRESSION_ITEMS} ids), items by position (cards without one keep document order, last).
 */
export function impressionsOf(seen: readonly Seen[]): TrackData[] {
  const byList = new Map<string, Seen[]>();
  for (const s of seen) {
    if (s.list === undefined) continue;
    const l = byList.get(s.list);
    if (l) l.push(s);
    else byList.set(s.list, [s]);
  }
  const out: TrackData[] = [];
  for (const [list, cards] of byList) {
    const sorted = cards
      .map((c, i) => ({ c, i }))
      .sort((a, b) => (a.c.position ?? Infinity) - (b.c.position ?? Infinity) || a.i - b.i)
      .map(({ c }) => c);
    for (let i = 0; i < sorted.length; i += IMPRESSION_ITEMS) {
      const part = sorted.slice(i, i + IMPRESSION_ITEMS);
      const context: EventContext = { listId: list };
      if (part[0]!.position !== undefined) context.position = part[0]!.position;
      out.push({ items: part.map((c) => c.id), source: list, context });
    }
  }
  return out;
}

/** The signature of {@link startAutoCapture}, for code that loads it lazily. */
export type StartCapture = (doc: Document, sink: CaptureSink, options?: CaptureOptions) => () => void;

/**
 * Checks the options (they arrive as `autoCapture: {...}` in the SDK config).
 * @throws {LocalRecError} `INVALID_CONFIG` naming `autoCapture.<option>` and the accepted values.
 */
export function checkCaptureOptions(options: CaptureOptions): Required<CaptureOptions> {
  const o = {
    visibleRatio: options.visibleRatio ?? 0.5,
    dwellMs: options.dwellMs ?? 1000,
    listExposure: options.listExposure ?? 'impression',
  };
  const bad = (field: string, accepted: string, value: unknown): never => {
    throw new LocalRecError('INVALID_CONFIG', `autoCapture.${field} must be ${accepted}, got ${String(value)}`, {
      field: `autoCapture.${field}`,
      accepted: [accepted],
    });
  };
  if (!(typeof o.visibleRatio === 'number' && o.visibleRatio > 0 && o.visibleRatio <= 1))
    bad('visibleRatio', 'a number in (0, 1]', o.visibleRatio);
  if (!(typeof o.dwellMs === 'number' && o.dwellMs >= 0 && o.dwellMs <= 60_000)) bad('dwellMs', 'a number of ms in [0, 60000]', o.dwellMs);
  if (o.listExposure !== 'impression' && o.listExposure !== 'view') bad('listExposure', '"impression" or "view"', o.listExposure);
  return o;
}

/**
 * Starts capturing under `doc`; returns the function that stops it.
 * @throws {LocalRecError} `INVALID_CONFIG` for bad options (see {@link checkCaptureOptions}).
 */
export function startAutoCapture(doc: Document, sink: CaptureSink, options: CaptureOptions = {}): () => void {
  const { visibleRatio: ratio, dwellMs, listExposure } = checkCaptureOptions(options);
  const asImpressions = listExposure === 'impression';
  const win = doc.defaultView;
  const cleanups: Array<() => void> = [];

  const onClick = (ev: Event): void => {
    const t = ev.target;
    const el = t instanceof Element ? t.closest(SELECTOR) : null;
    const id = el?.getAttribute(ITEM_ATTR);
    if (el && id) sink('click', eventData(el, id));
  };
  doc.addEventListener('click', onClick, { capture: true, passive: true });
  cleanups.push(() => doc.removeEventListener('click', onClick, { capture: true }));

  const IO = win?.IntersectionObserver;
  if (IO && win) {
    /** Elements visible now (at the ratio), and since when. */
    const visibleSince = new Map<Element, number>();
    const seen = new WeakSet<Element>();
    const timers = new Set<number>();
    /** Stops watching an element that left the document (a re-rendered list), so none is retained. */
    const forget = (el: Element): void => {
      visibleSince.delete(el);
      io.unobserve(el);
    };
    /** Records the elements of one batch still visible for the full dwell time (others wait for their own batch). */
    const settle = (batch: readonly Element[]): void => {
      const now = win.performance.now();
      const views: Element[] = [];
      const exposed: Seen[] = [];
      for (const el of batch) {
        if (!el.isConnected) {
          forget(el);
          continue;
        }
        const since = visibleSince.get(el);
        const id = el.getAttribute(ITEM_ATTR);
        if (since === undefined || now - since < dwellMs - 1 || !id || seen.has(el)) continue;
        seen.add(el);
        visibleSince.delete(el);
        io.unobserve(el);
        const ctx = contextOf(el);
        if (asImpressions && ctx?.listId !== undefined) exposed.push({ id, list: ctx.listId, position: ctx.position });
        else views.push(el);
      }
      for (const data of impressionsOf(exposed)) sink('impression', data);
      for (const el of views) sink('view', eventData(el, el.getAttribute(ITEM_ATTR)!, dwellMs));
    };
    // One IntersectionObserver callback = the elements whose visibility changed in one frame
    // (a render, a scroll step): they form one batch, settled after the dwell time.
    const io = new IO(
      (entries) => {
        const now = win.performance.now();
        const batch: Element[] = [];
        for (const e of entries) {
          const el = e.target;
          if (e.isIntersecting && e.intersectionRatio >= ratio) {
            if (!visibleSince.has(el) && !seen.has(el)) {
              visibleSince.set(el, now);
              batch.push(el);
            }
          } else visibleSince.delete(el);
        }
        if (!batch.length) return;
        const t = win.setTimeout(() => {
          timers.delete(t);
          settle(batch);
        }, dwellMs);
        timers.add(t);
      },
      { threshold: [ratio] },
    );
    const watch = (root: ParentNode & Node): void => {
      if (root instanceof Element && root.hasAttribute(ITEM_ATTR) && !seen.has(root)) io.observe(root);
      root.querySelectorAll(SELECTOR).forEach((el) => {
        if (!seen.has(el)) io.observe(el);
      });
    };
    watch(doc);
    const mo = new win.MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') {
          if (r.target instanceof Element) watch(r.target);
          continue;
        }
        r.addedNodes.forEach((n) => {
          if (n instanceof Element) watch(n);
        });
        r.removedNodes.forEach((n) => {
          if (!(n instanceof Element) || n.isConnected) return;
          if (n.hasAttribute(ITEM_ATTR)) forget(n);
          n.querySelectorAll(SELECTOR).forEach(forget);
        });
      }
    });
    mo.observe(doc.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: [ITEM_ATTR] });
    cleanups.push(() => {
      mo.disconnect();
      io.disconnect();
      timers.forEach((t) => win.clearTimeout(t));
      timers.clear();
      visibleSince.clear();
    });
  }
  return () => cleanups.splice(0).forEach((f) => f());
}
