/**
 * `<localrec-recommendations>`: a framework-free custom element that shows one list of LocalRec
 * recommendations. The class is made by {@link defineRecommendations} (never at import time: the
 * DOM classes are read then, through core's one capability module), so this module is safe to
 * import anywhere, including a server that renders the fallback.
 *
 * Lifecycle: connected (or an observed attribute changes) → one request on the next microtask →
 * the answer's items replace the server-rendered fallback (the element's own children, which stay
 * in the DOM for crawlers and are shown again when the answer is empty or fails). When at least
 * half the list is on screen it records one `impression` (source: the scenario's method); a click
 * on a card records a `click` and dispatches `localrec-select` (cancelable: `preventDefault()`
 * keeps a link from navigating). Arrow keys, Home and End move the focus between cards.
 */
import { LocalRecError, type RecommendResult, type ScoredItem } from '@localrec/core';
import { pageDocument, scriptTagGlobal, uiGlobals, type UiGlobals } from '@localrec/core/internal';
import { DEFAULT_LABEL, askOf, requestOf, call, type ElementRecommender, type Scenario } from './scenarios.js';
import { recordClick, watchImpression } from './feedback.js';
import { focusStep } from './keys.js';
import { defaultCard, templateCard, type RenderEnv } from './render.js';
import { CSS } from './styles.js';

/** Options of {@link defineRecommendations}. */
export interface DefineOptions {
  /**
   * The recommender every element uses unless its `recommender` property is set: a
   * `createLocalRec(…)` instance (or a function returning it, read at each request). Default: the
   * script tag's `LocalRec` global.
   */
  recommender?: ElementRecommender | (() => ElementRecommender | undefined);
  /** Tag name (default `localrec-recommendations`). */
  tagName?: string;
  /** Where constructable stylesheets are missing, the `nonce` of the `<style>` element the default styles go into (strict CSP). */
  styleNonce?: string;
}

/** `detail` of the `localrec-select` event (bubbles, composed, cancelable). */
export interface SelectDetail {
  item: ScoredItem;
  position: number;
  scenario: Scenario;
}

/** The element's public surface (beyond HTMLElement). */
export interface RecommendationsElement extends HTMLElement {
  /** This element's recommender (else the one given to {@link defineRecommendations}, else the `LocalRec` global). */
  recommender: ElementRecommender | undefined;
  /** The last answer shown (undefined before the first, or after an error). */
  readonly result: RecommendResult | undefined;
  /** Asks again (e.g. after the cart changed); resolves when the answer is rendered. */
  refresh(): Promise<void>;
}

/** The attributes the element reads (a change asks again). */
export const OBSERVED = ['scenario', 'item', 'cart', 'limit', 'page', 'filter', 'dedupe', 'facet', 'label', 'currency', 'locale'] as const;

/**
 * Defines `<localrec-recommendations>` (idempotent: a second call returns the class already defined).
 * @throws {LocalRecError} `BACKEND_UNAVAILABLE` without a DOM with custom elements (a worker, Node, a mini-program).
 */
export function defineRecommendations(options: DefineOptions = {}): CustomElementConstructor {
  const ui = uiGlobals();
  const doc = pageDocument();
  if (!ui || !doc)
    throw new LocalRecError('BACKEND_UNAVAILABLE', 'defineRecommendations needs a page with custom elements (a browser main thread)', {
      accepted: ['a browser page'],
    });
  const tag = options.tagName ?? 'localrec-recommendations';
  const existing = ui.customElements.get(tag);
  if (existing) return existing;
  const cls = elementClass(ui, doc, options);
  ui.customElements.define(tag, cls);
  return cls;
}

function elementClass(ui: UiGlobals, doc: Document, defaults: DefineOptions): CustomElementConstructor {
  let sheet: CSSStyleSheet | undefined;
  if (ui.CSSStyleSheet) {
    sheet = new ui.CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  const fallbackRecommender = (): ElementRecommender | undefined => {
    const r = defaults.recommender;
    return (typeof r === 'function' ? r() : r) ?? (scriptTagGlobal() as ElementRecommender | undefined);
  };

  return class LocalRecRecommendations extends ui.HTMLElement implements RecommendationsElement {
    static get observedAttributes(): readonly string[] {
      return OBSERVED;
    }

    recommender: ElementRecommender | undefined;
    #result: RecommendResult | undefined;
    #root: ShadowRoot;
    #region: HTMLElement;
    #pending: Promise<void> | undefined;
    #stopWatching: (() => void) | undefined;
    #render = 0;

    constructor() {
      super();
      this.#root = this.attachShadow({ mode: 'open' });
      if (sheet) this.#root.adoptedStyleSheets = [sheet];
      else {
        const style = doc.createElement('style');
        if (defaults.styleNonce) style.setAttribute('nonce', defaults.styleNonce);
        style.textContent = CSS;
        this.#root.append(style);
      }
      this.#region = doc.createElement('section');
      this.#region.setAttribute('part', 'container');
      this.#region.addEventListener('click', (e) => this.#clicked(e));
      this.#region.addEventListener('keydown', (e) => this.#key(e));
      this.#root.append(this.#region);
      // No attribute is set here: document.createElement() refuses an element whose constructor adds
      // attributes (NotSupportedError). The host's data-state comes with connectedCallback.
      this.#fallbackRegion();
    }

    get result(): RecommendResult | undefined {
      return this.#result;
    }

    connectedCallback(): void {
      if (!this.hasAttribute('data-state')) this.setAttribute('data-state', 'loading');
      void this.#schedule();
    }

    disconnectedCallback(): void {
      this.#stopWatching?.();
      this.#stopWatching = undefined;
    }

    attributeChangedCallback(): void {
      if (this.isConnected) void this.#schedule();
    }

    refresh(): Promise<void> {
      return this.#schedule();
    }

    /** One request per microtask, however many attributes changed. */
    #schedule(): Promise<void> {
      this.#pending ??= Promise.resolve().then(() => {
        this.#pending = undefined;
        return this.#ask();
      });
      return this.#pending;
    }

    #label(scenario: Scenario | undefined): string {
      return this.getAttribute('label') || (scenario ? DEFAULT_LABEL[scenario] : DEFAULT_LABEL['for-you']);
    }

    async #ask(): Promise<void> {
      const n = ++this.#render;
      this.setAttribute('aria-busy', 'true');
      let scenario: Scenario | undefined;
      try {
        const ask = askOf(
          requestOf({
            scenario: this.getAttribute('scenario'),
            item: this.getAttribute('item'),
            cart: this.getAttribute('cart'),
            limit: this.getAttribute('limit'),
            page: this.getAttribute('page'),
            filter: this.getAttribute('filter'),
            dedupe: this.getAttribute('dedupe'),
            facet: this.getAttribute('facet'),
          }),
        );
        scenario = ask.scenario;
        const rec = this.recommender ?? fallbackRecommender();
        if (!rec)
          throw new LocalRecError(
            'NOT_READY',
            '<localrec-recommendations> has no recommender: set .recommender, pass one to defineRecommendations, or load localrec.min.js',
            {
              accepted: ['a createLocalRec() instance', 'the LocalRec global'],
            },
          );
        const result = await call(rec, ask);
        if (n !== this.#render) return; // a newer request is under way
        this.#result = result;
        this.#show(rec, ask.scenario, ask.method, result);
      } catch (err) {
        if (n !== this.#render) return;
        this.#result = undefined;
        this.#showFallback(scenario, 'error');
        this.dispatchEvent(new ui.CustomEvent('localrec-error', { detail: err, bubbles: true, composed: true }));
      } finally {
        if (n === this.#render) this.removeAttribute('aria-busy');
      }
    }

    /** The server-rendered children (default slot) under the region's name. */
    #showFallback(scenario?: Scenario, state: 'loading' | 'empty' | 'error' = 'loading'): void {
      this.#fallbackRegion(scenario);
      this.setAttribute('data-state', state);
    }

    /** The region showing the slotted fallback (the host's own attributes untouched). */
    #fallbackRegion(scenario?: Scenario): void {
      this.#stopWatching?.();
      this.#region.setAttribute('aria-label', this.#label(scenario));
      const title = doc.createElement('slot');
      title.setAttribute('name', 'title');
      this.#region.replaceChildren(title, doc.createElement('slot'));
    }

    #env(): RenderEnv {
      return {
        doc,
        base: doc.baseURI,
        URL: ui.URL,
        price: { locale: this.getAttribute('locale') ?? undefined, currency: this.getAttribute('currency') ?? undefined },
      };
    }

    #show(rec: ElementRecommender, scenario: Scenario, method: string, result: RecommendResult): void {
      if (!result.items.length) return this.#showFallback(scenario, 'empty');
      const env = this.#env();
      const template = this.querySelector(':scope > template');
      const list = doc.createElement('ul');
      list.setAttribute('part', 'list');
      list.setAttribute('role', 'list'); // Safari drops list semantics under list-style: none
      result.items.forEach((item, i) => {
        const li = doc.createElement('li');
        li.setAttribute('part', 'item');
        li.setAttribute('data-item-id', item.itemId);
        li.setAttribute('data-position', String(i));
        li.append(template instanceof HTMLTemplateElement ? templateCard(item, template, env) : defaultCard(item, env));
        list.append(li);
      });
      const title = doc.createElement('slot');
      title.setAttribute('name', 'title');
      this.#region.setAttribute('aria-label', this.#label(scenario));
      this.#region.replaceChildren(title, list);
      this.setAttribute('data-state', 'ready');
      this.setAttribute('data-source', result.source);
      this.#impression(
        rec,
        method,
        list,
        result.items.map((i) => i.itemId),
      );
      this.dispatchEvent(new ui.CustomEvent('localrec-render', { detail: result, bubbles: true, composed: true }));
    }

    /** One impression per render, once at least half the list has been on screen. */
    #impression(rec: ElementRecommender, source: string, list: HTMLElement, items: string[]): void {
      this.#stopWatching?.();
      this.#stopWatching = watchImpression(ui, rec, list, items, source);
    }

    #clicked(e: MouseEvent): void {
      const li = (e.target as Element | null)?.closest?.('li[data-item-id]');
      const result = this.#result;
      if (!li || !result) return;
      const position = Number(li.getAttribute('data-position'));
      const item = result.items[position];
      if (!item) return;
      const rec = this.recommender ?? fallbackRecommender();
      if (rec) recordClick(rec, item.itemId);
      const scenario = (this.getAttribute('scenario') ?? 'for-you') as Scenario;
      const detail: SelectDetail = { item, position, scenario };
      const go = this.dispatchEvent(new ui.CustomEvent('localrec-select', { detail, bubbles: true, composed: true, cancelable: true }));
      if (!go) e.preventDefault();
    }

    /** Arrow keys / Home / End: focus the previous / next / first / last card. */
    #key(e: KeyboardEvent): void {
      const cards = Array.from(this.#region.querySelectorAll('li[data-item-id]'))
        .map((li) => li.querySelector<HTMLElement>('a[href], button, [tabindex]'))
        .filter((x): x is HTMLElement => !!x);
      const next = focusStep(e.key, cards, this.#root.activeElement);
      if (next === undefined) return;
      e.preventDefault();
      cards[next]!.focus();
    }
  };
}
