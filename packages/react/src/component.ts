import { createElement as h, useEffect, useRef, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import {
  DEFAULT_LABEL,
  SCENARIO_METHODS,
  cardContent,
  focusStep,
  recordClick,
  uiGlobals,
  watchImpression,
  type ElementRecommender,
  type ListRequest,
} from '@localrec/elements';
import { useRecommendations, type RecommendResult } from './hook.js';

type Item = RecommendResult['items'][number];

/** Props of {@link Recommendations}: the list (as `<localrec-recommendations>`'s attributes) and how to show it. */
export interface RecommendationsProps extends ListRequest {
  /** The page's LocalRec instance (`createLocalRec(…)`). */
  recommender: ElementRecommender | undefined;
  /** The region's accessible name (default by scenario, e.g. "Recommended for you"). */
  label?: string;
  /** Shown on the server, until the device answers, and when the answer is empty or fails (e.g. a bestseller list). */
  fallback?: ReactNode;
  /** A card of your own (the component still wraps it in its `<li>` and records its clicks). */
  renderItem?: (item: Item, position: number) => ReactNode;
  /** Called when the shopper selects a card (after the click is recorded); `event.preventDefault()` keeps a link from navigating. */
  onSelect?: (item: Item, position: number, event: MouseEvent) => void;
  /** How prices are written (`Intl.NumberFormat`). */
  currency?: string;
  locale?: string;
  className?: string;
}

/**
 * The default card: a link to the item's `url` (http(s) only; a button without one) with its image,
 * name, price and reason, all as text. Class names `localrec-card`, `-image`, `-name`, `-price`, `-reason`.
 */
function Card({ item, currency, locale, base }: { item: Item; currency?: string | undefined; locale?: string | undefined; base: string }) {
  const c = cardContent(item, base, URL, { currency, locale });
  const body = [
    c.image ? h('img', { key: 'i', className: 'localrec-image', src: c.image, alt: '', loading: 'lazy' }) : null,
    h('span', { key: 'n', className: 'localrec-name' }, c.name),
    c.price !== undefined ? h('span', { key: 'p', className: 'localrec-price' }, c.price) : null,
    h('span', { key: 'r', className: 'localrec-reason' }, c.reason),
  ];
  return c.href
    ? h('a', { className: 'localrec-card', href: c.href }, body)
    : h('button', { className: 'localrec-card', type: 'button' }, body);
}

/**
 * One list of on-device recommendations: a `<section>` region (named by `label`) with a `<ul>` of
 * cards once the device answers, else `fallback`. Records one impression per shown list once half
 * of it is on screen, and a click per selected card; arrow keys, Home and End move between cards.
 */
export function Recommendations(props: RecommendationsProps): ReactNode {
  const { recommender, label, fallback, renderItem, onSelect, currency, locale, className, ...request } = props;
  const { result, loading, error } = useRecommendations(recommender, request);
  const list = useRef<HTMLUListElement>(null);
  const scenario = request.scenario ?? 'for-you';
  const items = result?.items ?? [];
  const ids = items.map((i) => i.itemId).join('\n');
  useEffect(() => {
    const ui = uiGlobals();
    if (!recommender || !list.current || !ids) return;
    return watchImpression(
      ui ?? { IntersectionObserver: undefined },
      recommender,
      list.current,
      ids.split('\n'),
      SCENARIO_METHODS[scenario],
    );
  }, [recommender, ids, scenario, result]);

  const state = loading ? 'loading' : error ? 'error' : items.length ? 'ready' : 'empty';
  const select = (position: number) => (e: MouseEvent) => {
    const item = items[position];
    if (!item) return;
    if (recommender) recordClick(recommender, item.itemId);
    onSelect?.(item, position, e);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const cards = Array.from(e.currentTarget.children)
      .map((li) => li.querySelector<HTMLElement>('a[href], button, [tabindex]'))
      .filter((x): x is HTMLElement => !!x);
    const next = focusStep(e.key, cards, e.target as Element);
    if (next === undefined) return;
    e.preventDefault();
    cards[next]!.focus();
  };
  const base = typeof document === 'undefined' ? 'http://localhost/' : document.baseURI;
  const content =
    state === 'ready'
      ? h(
          'ul',
          { ref: list, role: 'list', className: 'localrec-list', onKeyDown },
          items.map((item, i) =>
            h(
              'li',
              { key: item.itemId, className: 'localrec-item', 'data-item-id': item.itemId, onClick: select(i) },
              renderItem ? renderItem(item, i) : h(Card, { item, currency, locale, base }),
            ),
          ),
        )
      : fallback;
  return h(
    'section',
    {
      className,
      'aria-label': label ?? DEFAULT_LABEL[scenario],
      'aria-busy': loading || undefined,
      'data-state': state,
      'data-source': result?.source,
    },
    content,
  );
}
