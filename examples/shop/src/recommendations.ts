/**
 * The shop's recommendation sections — the plug-in point for the recommendation UI. The views
 * call {@link homeSections} and {@link productSections} and place whatever nodes they return;
 * nothing else in the shop knows about recommendations. This version shows what the SDK's seam
 * answers, including an explicit cold start while no on-device model is loaded; the live UI
 * (reasons, "Trending" re-ranking, refresh as the visitor clicks) replaces this file and keeps
 * these three exports.
 */
import type { LocalRecConfigInput, RecommendResult } from '@localrec/sdk';
import type { Catalog, Product } from './catalog.js';
import { h, replace } from './dom.js';
import { lr, track } from './sdk.js';
import { grid } from './ui.js';

/**
 * What the recommendation UI adds to the shop's LocalRec config — typically `runtime`, the
 * connector of the on-device model. Nothing yet: the SDK's default is an explicit cold start.
 */
export function recommendationConfig(): Partial<LocalRecConfigInput> {
  return {};
}

/** A titled box that fills itself from `load()`; an empty answer says why (cold start). */
function recsBox(catalog: Catalog, title: string, listId: string, load: () => Promise<RecommendResult | undefined>): HTMLElement {
  const heading = (): HTMLElement => h('h2', {}, title);
  const box = h('section', { class: 'recs', 'data-recs': listId }, heading(), h('p', { class: 'note' }, 'Loading…'));
  const unavailable = (): void => replace(box, heading(), h('p', { class: 'note' }, 'Recommendations are unavailable.'));
  load().then((res) => {
    if (!res) return unavailable();
    const items = res.items.map((s) => catalog.byId.get(s.itemId)).filter((p): p is Product => p !== undefined);
    if (items.length === 0) {
      const why = res.fallbackReason === 'no-model'
        ? 'No on-device model is loaded yet (cold start). Browse around: your history is kept on this device.'
        : res.fallbackReason === 'no-consent'
          ? 'Allow on-device history to get recommendations made from what you browse here.'
          : `Nothing to recommend yet (${res.fallbackReason ?? 'empty'}).`;
      replace(box, heading(), h('p', { class: 'note', 'data-fallback': res.fallbackReason ?? '' }, why));
      return;
    }
    replace(box, heading(), grid(items, listId));
    track('impression', { items: items.map((p) => p.id), source: listId });
  }, unavailable);
  return box;
}

/** Sections above the catalog on the home page. */
export function homeSections(catalog: Catalog): Node[] {
  return [recsBox(catalog, 'Recommended for you', 'recommend', async () => lr().recommend({ k: 8 }))];
}

/** Sections under a product's details. */
export function productSections(catalog: Catalog, product: Product): Node[] {
  return [recsBox(catalog, 'Similar items', 'similar', async () => lr().similar(product.id, { k: 6 }))];
}
