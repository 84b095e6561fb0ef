/**
 * Declarative capture (opt-in with `autoCapture: true`): elements carrying
 * `data-localrec-item="SKU"` record
 * - `view` once per element, when at least half of it has been visible for one second
 *   (IntersectionObserver; elements added later are picked up by a MutationObserver);
 * - `click` on every click inside them (one delegated, passive, capturing listener).
 *
 * Optional attributes on the element or an ancestor: `data-localrec-list` (list id) and
 * `data-localrec-position` (0-based position) become the event's context.
 */
import type { EventContext, TrackData } from '@localrec/core';

export const ITEM_ATTR = 'data-localrec-item';
const SELECTOR = `[${ITEM_ATTR}]`;

export interface CaptureOptions {
  /** Fraction of the element that must be visible. Default 0.5. */
  visibleRatio?: number;
  /** How long it must stay visible, in ms. Default 1000. */
  dwellMs?: number;
}

/** Receives each captured event, ready for `track(type, data)`. */
export type CaptureSink = (type: 'view' | 'click', data: TrackData) => void;

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

/** The signature of {@link startAutoCapture}, for code that loads it lazily. */
export type StartCapture = (doc: Document, sink: CaptureSink, options?: CaptureOptions) => () => void;

/** Starts capturing under `doc`; returns the function that stops it. */
export function startAutoCapture(doc: Document, sink: CaptureSink, options: CaptureOptions = {}): () => void {
  const ratio = options.visibleRatio ?? 0.5;
  const dwellMs = options.dwellMs ?? 1000;
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
    const timers = new Map<Element, number>();
    const seen = new WeakSet<Element>();
    const io = new IO((entries) => {
      for (const e of entries) {
        const el = e.target;
        if (e.isIntersecting && e.intersectionRatio >= ratio) {
          if (timers.has(el) || seen.has(el)) continue;
          timers.set(el, win.setTimeout(() => {
            timers.delete(el);
            const id = el.getAttribute(ITEM_ATTR);
            if (!el.isConnected || !id) return;
            seen.add(el);
            io.unobserve(el);
            sink('view', eventData(el, id, dwellMs));
          }, dwellMs));
        } else {
          const t = timers.get(el);
          if (t !== undefined) win.clearTimeout(t);
          timers.delete(el);
        }
      }
    }, { threshold: [ratio] });
    const watch = (root: ParentNode & Node): void => {
      if (root instanceof Element && root.hasAttribute(ITEM_ATTR) && !seen.has(root)) io.observe(root);
      root.querySelectorAll(SELECTOR).forEach((el) => { if (!seen.has(el)) io.observe(el); });
    };
    watch(doc);
    const mo = new win.MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') {
          if (r.target instanceof Element) watch(r.target);
          continue;
        }
        r.addedNodes.forEach((n) => { if (n instanceof Element) watch(n); });
      }
    });
    mo.observe(doc.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: [ITEM_ATTR] });
    cleanups.push(() => {
      mo.disconnect();
      io.disconnect();
      timers.forEach((t) => win.clearTimeout(t));
      timers.clear();
    });
  }
  return () => cleanups.splice(0).forEach((f) => f());
}
