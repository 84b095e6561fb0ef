/**
 * The shop's recommendation lists — every one is a `<localrec-recommendations>` element
 * (@localrec/elements), loaded as a script-tag site loads it: `localrec-elements.min.mjs` from the
 * shop's own origin (`/elements/`), imported by the shop's module script, given the page's
 * `window.LocalRec`. The views call {@link homeSections}, {@link categorySections},
 * {@link productSections} and {@link cartSections} and place the nodes they return; nothing else in
 * the shop knows about recommendations.
 *
 * The on-device model (`models/demo-shop`, trained on the simulator over this very catalog) runs
 * in the runtime's module Web Worker (`/runtime/worker.js`, tfjs), plugged into the SDK through
 * `workerRuntime()`. The lists:
 * - "Recommended for you" (home, product pages): `recommend()`;
 * - "Similar items", "Frequently bought together" (product page): `similar(id)`, `frequentlyBoughtTogether(id)`;
 * - "Frequently bought together with your cart" (cart): `frequentlyBoughtTogether(cart)`;
 * - "Trending now" (home): `trending()` from the bundle's public `trending.json`, re-ranked for the
 *   visitor with `rank()` (see {@link trendingForVisitor}); "Trending in <category>" (home, category
 *   pages): `trending({ facet })`, over the categories `trendingFacets('category')` names;
 * - "Recently viewed" (home, cart): `recentlyViewed()`.
 * The element draws the cards from the shop's `<template>` (styled through `::part`, see style.css),
 * writes every catalog value as text, and records what the on-device re-ranker learns from: one
 * `impression` per list shown (once half of it is on screen), a `click` per card opened. The
 * personal lists of one page view share a `dedupe` group (items another list has returned are left
 * out; the runtime applies it to lists whose answer came back before the call started).
 */
import type { LocalRecApi, LocalRecConfigInput, RecommendOptions, RecommendResult } from '@localrec/sdk';
import type { ElementRecommender, RecommendationsElement, Scenario } from '@localrec/elements';
import { workerRuntime, type ConnectContext, type RecommenderApi, type RuntimeConnector } from '@localrec/runtime/connector';
import type { Catalog } from './catalog.js';
import { h } from './dom.js';
import { lr } from './sdk.js';

/** Same-origin URLs served by serve.mjs: the runtime build, the demo model bundle, the web component. */
const RUNTIME_ASSETS = '/runtime/';
const MODEL_URL = '/models/demo-shop/';
const ELEMENTS_URL = '/elements/localrec-elements.min.mjs';

/** The runtime once the SDK has connected it (see {@link popularWithoutConsent}). */
let connected: Promise<RecommenderApi> | undefined;
let onConnected: ((api: Promise<RecommenderApi>) => void) | undefined;
const firstConnect = new Promise<Promise<RecommenderApi>>((resolve) => {
  onConnected = resolve;
});

/**
 * What the recommendation UI adds to the shop's LocalRec config: the worker runtime with the demo
 * model. The connector is wrapped only to keep a handle on the connected runtime.
 */
export function recommendationConfig(): Partial<LocalRecConfigInput> {
  // `insights: {}`: answers go through the one blending step (model score, profile affinity, the
  // simulated friends' social proof) and the on-device re-ranker, which learns from the
  // impressions and clicks the lists record; abnormal events stay out of the model input.
  // `mode: 'auto'`: where the shop's CSP forbids workers the model runs on the page (reported through onError).
  const inner = workerRuntime({ assetsUrl: RUNTIME_ASSETS, modelUrl: MODEL_URL, insights: {}, mode: 'auto' });
  const runtime: RuntimeConnector = {
    kind: inner.kind,
    connect(ctx: ConnectContext) {
      const p = inner.connect(ctx);
      connected = p;
      onConnected?.(p);
      p.catch(() => {
        if (connected === p) connected = undefined;
      });
      return p;
    },
  };
  return { runtime };
}

/**
 * Without consent the SDK answers `recommend()` with an empty `no-consent` result and never asks
 * the runtime. The shop still wants a non-personal list then: the bundle's popularity table.
 * The runtime reads no history while the SDK's consent is not `granted` (the connector passes the
 * SDK's live consent on before every call), so this answer is popularity only, marked
 * `fallbackReason: 'no-consent'` by the runtime itself.
 */
async function popularWithoutConsent(options: RecommendOptions): Promise<RecommendResult> {
  const api = await (connected ?? firstConnect);
  return api.recommend({ ...options, excludePurchased: false });
}

type TrendingOptions = NonNullable<Parameters<LocalRecApi['trending']>[0]>;

/**
 * "Trending now" (the whole shop): the trending file's list (`trending()`), re-ranked for this
 * visitor on the device with `rank()` — the step that blends the model's score with the on-device
 * profile and the (simulated) friends' social proof, and that the re-ranker learns for. Without a
 * personal answer (no consent, no history yet, no model) the trending answer as it is; a facet's
 * list ("Trending in <category>") is the trending answer too.
 */
async function trendingForVisitor(options: TrendingOptions | undefined): Promise<RecommendResult> {
  if (options?.facet !== undefined) return lr().trending(options);
  const k = options?.k ?? 8;
  // A longer candidate list than shown, for the visitor's ranking to choose from.
  const t = await lr().trending({ ...options, k: Math.max(20, k) });
  const top = { ...t, items: t.items.slice(0, k) };
  if (t.source !== 'model' || t.items.length === 0) return top;
  const { dedupe: _dedupe, ...rest } = options ?? {};
  const r = await lr().rank(
    t.items.map((i) => i.itemId),
    { ...rest, k },
  );
  return r.source === 'model' ? r : top;
}

/**
 * What the lists ask: the page's `window.LocalRec` (read at each call: the snippet's queue until the
 * SDK has loaded), with popularity when there is no consent (see {@link popularWithoutConsent}).
 */
const recommender: ElementRecommender = {
  async recommend(options) {
    const res = await lr().recommend(options);
    if (res.fallbackReason === 'no-consent' && res.items.length === 0) return popularWithoutConsent(options ?? {}).catch(() => res);
    return res;
  },
  similar: (itemId, options) => lr().similar(itemId, options),
  recentlyViewed: (options) => lr().recentlyViewed(options),
  buyAgain: (options) => lr().buyAgain(options),
  frequentlyBoughtTogether: (items, options) => lr().frequentlyBoughtTogether(items, options),
  trending: (options) => trendingForVisitor(options),
  track: (type, data) => lr().track(type, data),
};

type Elements = typeof import('@localrec/elements');

/**
 * Loads the web component and defines `<localrec-recommendations>` with the shop's recommender.
 * Resolves false when it cannot be loaded: the lists then stay their fallback text.
 */
export async function defineLists(): Promise<boolean> {
  try {
    const elements = (await import(/* @vite-ignore */ ELEMENTS_URL)) as Elements;
    elements.defineRecommendations({ recommender });
    return true;
  } catch (err) {
    console.warn(`LocalRec demo: ${ELEMENTS_URL} could not be loaded; recommendation lists stay empty.`, err);
    return false;
  }
}

/** One line under a list's title: where its answer came from. */
function sourceLine(res: RecommendResult): string {
  if (res.source === 'model') {
    return `From the on-device model${res.modelVersion ? ` ${res.modelVersion}` : ''}${res.backend ? ` (${res.backend})` : ''} · ${res.tookMs.toFixed(1)} ms · nothing left this device`;
  }
  if (res.source === 'history') return 'From your own history on this device · nothing left this device';
  switch (res.fallbackReason) {
    case 'no-consent':
      return 'Not personalised: allow on-device history to get picks made from what you browse here.';
    case 'no-history':
      return 'Cold start: no history on this device yet. Browse a little and this list follows you.';
    case 'no-model':
      return 'The on-device model is still loading: popular picks meanwhile.';
    case 'timeout':
      return 'The model took too long this time: quick picks from co-occurrence and popularity.';
    case 'no-associations':
      return 'No purchase rules for these items: items often seen together instead.';
    case 'no-trending':
      return 'The trending list could not be used: popular picks instead.';
    case 'error':
      return 'Recommendations hit an error: showing fallbacks.';
    default:
      return 'Fallback answer.';
  }
}

/** The shop's card, drawn by the element for each item: fields as text, styled through `::part` (style.css). */
function cardTemplate(): HTMLTemplateElement {
  const t = document.createElement('template');
  t.content.append(
    h(
      'a',
      { 'data-field': 'url', part: 'card' },
      h('img', { 'data-field': 'image', part: 'image', alt: '' }),
      h('span', { 'data-field': 'name', part: 'name' }),
      h('span', { part: 'meta' }, h('span', { 'data-field': 'brand' }), ' · ', h('span', { 'data-field': 'category' })),
      h('span', { 'data-field': 'price', part: 'price' }),
      h('span', { 'data-field': 'stock', part: 'out' }),
      h('span', { 'data-field': 'reason', part: 'reason' }),
    ),
  );
  return t;
}

/** One list: what it shows and how the shop names it (`data-recs` on its section). */
interface ListSpec {
  listId: string;
  title: string;
  scenario: Scenario;
  limit: number;
  item?: string;
  cart?: readonly string[];
  facet?: string;
  dedupe?: string;
}

interface Live {
  el: RecommendationsElement;
  /** Whether the element is the component (else the module could not be loaded: a plain element showing its fallback). */
  defined: boolean;
  sync: () => void;
}

/** The lists on the page (pruned when they leave it). */
const live = new Set<Live>();
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let listening = false;

/**
 * Asks the lists on the page again, 150 ms from now (debounced): recommendations follow what the
 * visitor does. Only the lists already there: a page the visitor opens meanwhile asks for itself.
 */
export function refreshSoon(): void {
  clearTimeout(refreshTimer);
  const lists = [...live].filter((l) => l.el.isConnected);
  refreshTimer = setTimeout(() => {
    for (const l of live) if (!l.el.isConnected) live.delete(l);
    for (const l of lists) if (l.el.isConnected && l.defined) void l.el.refresh().then(l.sync);
  }, 150);
}

function listen(): void {
  if (listening) return;
  listening = true;
  // Bubbling phase: the shop's own handlers (add to cart, like, rate, consent) have tracked first.
  document.addEventListener('click', refreshSoon);
}

/**
 * A titled section around one `<localrec-recommendations>`. Its `data-source`, `data-fallback`,
 * `data-ids` and `data-answers` say what the element shows (for the page's own use and the tests);
 * the line under the title says where the answer came from.
 */
function list(spec: ListSpec): HTMLElement {
  const el = document.createElement('localrec-recommendations') as RecommendationsElement;
  const attrs: Record<string, string | undefined> = {
    scenario: spec.scenario,
    limit: String(spec.limit),
    label: spec.title,
    currency: 'USD',
    locale: 'en-US',
    item: spec.item,
    cart: spec.cart?.join(','),
    facet: spec.facet,
    dedupe: spec.dedupe,
  };
  for (const [k, v] of Object.entries(attrs)) if (v) el.setAttribute(k, v);
  // The fallback (the element's own children): shown until the device answers, and when it has nothing.
  el.append(cardTemplate(), h('p', { class: 'note empty' }, 'Nothing to show yet.'));
  const note = h('p', { class: 'note source' }, 'Loading…');
  const box = h('section', { class: 'recs', 'data-recs': spec.listId }, h('h2', {}, spec.title), note, el);
  if (spec.facet) box.dataset.facet = spec.facet.slice(spec.facet.indexOf(':') + 1);
  let shown: RecommendResult | undefined;
  let answers = 0;
  const sync = (): void => {
    const res = el.result;
    if (!box.isConnected || (res === shown && res !== undefined)) return;
    shown = res;
    if (!res) {
      box.dataset.source = 'error';
      note.textContent = 'Recommendations are unavailable.';
      return;
    }
    box.dataset.answers = String(++answers);
    box.dataset.source = res.source;
    box.dataset.fallback = res.fallbackReason ?? '';
    box.dataset.ids = res.items.map((i) => i.itemId).join(' ');
    note.textContent = sourceLine(res);
  };
  // The element asks once it is on the page; `refresh()` then returns that same request.
  const defined = customElements.get('localrec-recommendations') !== undefined;
  queueMicrotask(() => {
    if (defined) void el.refresh().then(sync);
  });
  live.add({ el, defined, sync });
  listen();
  return box;
}

let pageViews = 0;
/** A new de-duplication group per page view (the runtime keeps a group for its lifetime). */
const group = (name: string): string => `${name}-${++pageViews}`;

/** Lists "Trending in <category>" for the categories most shoppers looked at this week (at most `n`). */
function trendingByCategory(catalog: Catalog, dedupe: string, n: number): HTMLElement {
  const box = h('div', { class: 'recs-facets', 'data-recs-group': 'trending-categories' });
  void Promise.resolve(lr().trendingFacets('category'))
    .then((f) => {
      for (const { value } of f.values.filter((v) => catalog.categories.includes(v.value)).slice(0, n))
        box.append(
          list({
            listId: 'trending-category',
            title: `Trending in ${value}`,
            scenario: 'trending',
            facet: `category:${value}`,
            limit: 4,
            dedupe,
          }),
        );
    })
    .catch(() => {});
  return box;
}

/** Lists above the catalog on the home page. */
export function homeSections(catalog: Catalog): Node[] {
  const dedupe = group('home');
  return [
    list({ listId: 'recommend', title: 'Recommended for you', scenario: 'for-you', limit: 8, dedupe }),
    list({ listId: 'trending', title: 'Trending now', scenario: 'trending', limit: 8, dedupe }),
    trendingByCategory(catalog, dedupe, 2),
    list({ listId: 'recently-viewed', title: 'Recently viewed', scenario: 'recently-viewed', limit: 6 }),
  ];
}

/** The list above a category's products. */
export function categorySections(category: string): Node[] {
  return [
    list({ listId: 'trending-category', title: `Trending in ${category}`, scenario: 'trending', facet: `category:${category}`, limit: 6 }),
  ];
}

/** Lists under a product's details. */
export function productSections(productId: string): Node[] {
  const dedupe = group('product');
  return [
    // The rules' short list stays whole (no dedupe group): what is bought with this product.
    list({ listId: 'together', title: 'Frequently bought together', scenario: 'frequently-bought-together', item: productId, limit: 4 }),
    list({ listId: 'similar', title: 'Similar items', scenario: 'similar', item: productId, limit: 6, dedupe }),
    list({ listId: 'recommend', title: 'Recommended for you', scenario: 'for-you', limit: 8, dedupe }),
  ];
}

/** Lists under the cart (an empty cart: only what was viewed). */
export function cartSections(cart: readonly string[]): Node[] {
  const viewed = list({ listId: 'recently-viewed', title: 'Recently viewed', scenario: 'recently-viewed', limit: 6 });
  if (!cart.length) return [viewed];
  return [
    list({
      listId: 'together-cart',
      title: 'Frequently bought together with your cart',
      scenario: 'frequently-bought-together',
      cart,
      limit: 4,
    }),
    viewed,
  ];
}
