/**
 * The demo shop's entry. It talks to LocalRec only through `window.LocalRec` (loaded by the
 * async snippet in index.html), exactly as a shop that cannot bundle the SDK would.
 *
 * Modules: sdk.ts (the LocalRec door and config), catalog.ts (demo catalog), ui.ts/dom.ts
 * (cards; text-only DOM building), views.ts (pages), recommendations.ts (the recommendation
 * lists: `<localrec-recommendations>` elements, the plug-in point), panel.ts ("Your data on this device"), insights.ts ("Your
 * profile": charts of the on-device profile, simulated friends, segments), charts.ts (Chart.js,
 * loaded when the profile is first opened).
 */
import type { LocalRec } from '@localrec/sdk';
import { itemMeta, loadCatalog } from './catalog.js';
import { $ } from './dom.js';
import { mountInsights } from './insights.js';
import { mountPanel } from './panel.js';
import { defineLists, recommendationConfig, refreshSoon } from './recommendations.js';
import { CONFIG, lr, track } from './sdk.js';
import { renderCategories, route } from './views.js';

async function boot(): Promise<LocalRec | undefined> {
  // Before the SDK loads this is the snippet's promise; it settles once the SDK has replayed it.
  const ready = Promise.resolve(lr().init({ ...CONFIG, ...recommendationConfig() }));
  // Read by the panels' getters before it is set (they see `undefined` until the SDK is ready):
  // a `const` declared at the assignment would throw in them instead.
  // eslint-disable-next-line prefer-const
  let rec: LocalRec | undefined;
  const lists = defineLists();
  const catalog = await loadCatalog();
  const panel = mountPanel(catalog, () => rec);
  const insights = mountInsights(catalog, () => rec, refreshSoon);
  $('#search').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $<HTMLInputElement>('#q').value.trim();
    if (!q) return;
    track('search', { query: q });
    location.hash = `#/search?q=${encodeURIComponent(q)}`;
  });
  void lr().setCatalog(itemMeta(catalog.products));
  renderCategories(catalog);
  await lists;
  window.addEventListener('hashchange', () => route(catalog));
  route(catalog);
  rec = (await ready) ?? undefined;
  await panel.refresh();
  await insights.refresh();
  return rec;
}

window.shopReady = boot();
