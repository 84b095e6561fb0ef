/**
 * What a shown list records for LocalRec's feedback loop (the on-device re-ranker learns from
 * impressions followed, or not, by clicks): shared by the web component and the framework
 * components. Recording goes through the SDK's `track`, so consent and validation apply as for
 * any event; a failure to record never reaches the page.
 */
import type { UiGlobals } from '@localrec/core/internal';
import type { ElementRecommender } from './scenarios.js';

/** Largest impression the SDK accepts (`EVENT_LIMITS.impressionItems`). */
const MAX_IMPRESSION = 100;

const quietly = (r: unknown) => void Promise.resolve(r).catch(() => {});

/**
 * Records one `impression` of `items` (in display order; `source`: the method that answered them)
 * once at least half of `target` is on screen — at once where IntersectionObserver is missing.
 * @returns a function that stops watching (nothing is recorded after it).
 */
export function watchImpression(
  ui: Pick<UiGlobals, 'IntersectionObserver'>,
  rec: Pick<ElementRecommender, 'track'>,
  target: Element,
  items: readonly string[],
  source: string,
): () => void {
  if (!items.length) return () => {};
  const record = () => quietly(rec.track('impression', { items: items.slice(0, MAX_IMPRESSION), source }));
  if (!ui.IntersectionObserver) {
    record();
    return () => {};
  }
  const obs = new ui.IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      obs.disconnect();
      record();
    },
    { threshold: 0.5 },
  );
  obs.observe(target);
  return () => obs.disconnect();
}

/** Records that the shopper selected `itemId` from a list. */
export function recordClick(rec: Pick<ElementRecommender, 'track'>, itemId: string): void {
  quietly(rec.track('click', { itemId }));
}
