/**
 * The shop's recommendation sections — the plug-in point for the recommendation UI. The views
 * call {@link homeSections} and {@link productSections} and place whatever nodes they return;
 * nothing else in the shop knows about recommendations.
 *
 * The on-device model (`models/demo-shop`, trained on the simulator over this very catalog) runs
 * in the runtime's module Web Worker (`/runtime/worker.js`, tfjs), plugged into the SDK through
 * `workerRuntime()`. The sections:
 * - "Recommended for you" (home and product pages): `recommend()`, refreshed after every click
 *   of the visitor (the SDK flushes before each call, so the click just recorded is in the answer);
 * - "Similar items" (product page): `similar(itemId)`;
 * - "Trending" (home): the shop's server-like candidate list re-ranked on the device with `rank()`.
 * Every item shows its reason ("Because you viewed X", "Similar to X", "Popular right now", …);
 * item data only ever becomes text (see dom.ts).
 */
import type { LocalRecConfigInput, RecommendResult, ScoredItem } from '@localrec/sdk';
import {
  withFeedback,
  workerRuntime,
  type ConnectContext,
  type FeedbackItem,
  type FeedbackResult,
  type RecommenderApi,
  type RuntimeConnector,
} from '@localrec/runtime/connector';
import type { Catalog, Product } from './catalog.js';
import { h, replace } from './dom.js';
import { lr, track } from './sdk.js';
import { card } from './ui.js';

/** Same-origin URLs served by serve.mjs: the runtime build and the demo model bundle. */
const RUNTIME_ASSETS = '/runtime/';
const MODEL_URL = '/models/demo-shop/';

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
  // impressions and clicks recorded below; abnormal events stay out of the model input.
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
async function popularWithoutConsent(k: number): Promise<RecommendResult | undefined> {
  const api = await (connected ?? firstConnect);
  return api.recommend({ k, excludePurchased: false });
}

/** The shop's "server-side" trending candidates: 20 fixed SKUs spread over the catalog. */
function trendingCandidates(catalog: Catalog): string[] {
  const step = Math.max(1, Math.floor(catalog.products.length / 20));
  return catalog.products
    .filter((_, i) => i % step === 0)
    .slice(0, 20)
    .map((p) => p.id);
}

/** One line under a section's title: where its answer came from. */
function sourceLine(res: RecommendResult): string {
  if (res.source === 'model') {
    return `From the on-device model${res.modelVersion ? ` ${res.modelVersion}` : ''}${res.backend ? ` (${res.backend})` : ''} · ${res.tookMs.toFixed(1)} ms · nothing left this device`;
  }
  switch (res.fallbackReason) {
    case 'no-consent':
      return 'Not personalised: allow on-device history to get picks made from what you browse here.';
    case 'no-history':
      return 'Cold start: no history on this device yet. Browse a little and this list follows you.';
    case 'no-model':
      return 'The on-device model is still loading: popular picks meanwhile.';
    case 'timeout':
      return 'The model took too long this time: quick picks from co-occurrence and popularity.';
    case 'error':
      return 'Recommendations hit an error: showing fallbacks.';
    default:
      return 'Fallback answer.';
  }
}

interface Section {
  catalog: Catalog;
  title: string;
  listId: string;
  box: HTMLElement;
  load(): Promise<RecommendResult | undefined>;
  /** Answers older than the newest request are dropped. */
  seq: number;
  /** The list on screen, with its feedback helpers (kept while the same items are shown). */
  shown?: FeedbackResult;
}

const live = new Set<Section>();
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let listening = false;

/** Re-asks every section on the page (debounced): recommendations follow the visitor's clicks. */
export function refreshSoon(): void {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    for (const s of live) {
      if (!s.box.isConnected) live.delete(s);
      else void fill(s);
    }
  }, 150);
}

function listen(): void {
  if (listening) return;
  listening = true;
  // Bubbling phase: the shop's own handlers (add to cart, like, rate, consent) have tracked first.
  document.addEventListener('click', refreshSoon);
}

/**
 * A recommended product with its reason. Unlike the catalog's cards, it is not left to the SDK's
 * declarative capture (which records the cards seen for a second): the list is recorded when it is
 * shown, as it was served, by the runtime's feedback helpers (`withFeedback`: `shown()` one
 * `impression` of the whole list, `clicked()` a `click` in this list), which is what the on-device
 * re-ranker learns from.
 */
function itemNode(p: Product, s: ScoredItem, feedback: FeedbackItem, listId: string, position: number): HTMLElement {
  const el = card(
    p,
    listId,
    position,
    h('span', { class: 'reason', 'data-source': s.source, 'data-reason': s.reason.kind }, s.reason.text),
  );
  el.removeAttribute('data-localrec-item');
  el.setAttribute('data-rec-item', p.id);
  el.addEventListener('click', () => {
    feedback.clicked();
  });
  return el;
}

async function fill(s: Section): Promise<void> {
  const seq = ++s.seq;
  const { box, title, listId } = s;
  let res: RecommendResult | undefined;
  try {
    res = await s.load();
  } catch {
    res = undefined;
  }
  // A newer request is on its way, or the visitor has left the page: this answer is never shown
  // (and must not be recorded as an impression).
  if (seq !== s.seq || !box.isConnected) return;
  if (!res) {
    box.dataset.source = 'error';
    replace(box, h('h2', {}, title), h('p', { class: 'note' }, 'Recommendations are unavailable.'));
    return;
  }
  // What is displayed: the items the catalog knows, in the runtime's order.
  const displayed = { ...res, items: res.items.filter((it) => s.catalog.byId.has(it.itemId)) };
  const ids = displayed.items.map((it) => it.itemId);
  box.dataset.answers = String(Number(box.dataset.answers ?? 0) + 1);
  box.dataset.source = res.source;
  box.dataset.fallback = res.fallbackReason ?? '';
  box.dataset.ids = ids.join(' ');
  const line = h('p', { class: 'note source' }, sourceLine(res));
  if (ids.length === 0) {
    replace(box, h('h2', {}, title), line, h('p', { class: 'note empty' }, 'Nothing to show yet.'));
    return;
  }
  // The same items again (a refresh after a click elsewhere) are the same showing: one impression.
  const same = s.shown !== undefined && s.shown.items.map((it) => it.itemId).join() === ids.join();
  const list = same ? s.shown! : withFeedback(displayed, track, listId);
  // Reasons may change while the items stay (e.g. friends turned on): show the new answer's.
  replace(
    box,
    h('h2', {}, title),
    line,
    h(
      'div',
      { class: 'grid', 'data-list': listId },
      ...displayed.items.map((it, i) => itemNode(s.catalog.byId.get(it.itemId)!, it, list.items[i]!, listId, i)),
    ),
  );
  s.shown = list;
  list.shown();
}

/** A titled box that fills itself from `load()` now and after every click. */
function recsBox(catalog: Catalog, title: string, listId: string, load: () => Promise<RecommendResult | undefined>): HTMLElement {
  const box = h('section', { class: 'recs', 'data-recs': listId }, h('h2', {}, title), h('p', { class: 'note' }, 'Loading…'));
  const s: Section = { catalog, title, listId, box, load, seq: 0 };
  live.add(s);
  listen();
  void fill(s);
  return box;
}

/** "Recommended for you": the model on this device's history; popularity without consent. */
function forYou(catalog: Catalog, exclude: string[] = []): HTMLElement {
  const k = 8;
  return recsBox(catalog, 'Recommended for you', 'recommend', async () => {
    const res = await lr().recommend({ k, exclude });
    if (res.fallbackReason === 'no-consent' && res.items.length === 0) return (await popularWithoutConsent(k)) ?? res;
    return res;
  });
}

/** Sections above the catalog on the home page. */
export function homeSections(catalog: Catalog): Node[] {
  const candidates = trendingCandidates(catalog);
  return [forYou(catalog), recsBox(catalog, 'Trending', 'trending', async () => lr().rank(candidates, { k: 8 }))];
}

/** Sections under a product's details. */
export function productSections(catalog: Catalog, product: Product): Node[] {
  return [recsBox(catalog, 'Similar items', 'similar', async () => lr().similar(product.id, { k: 6 })), forYou(catalog, [product.id])];
}
