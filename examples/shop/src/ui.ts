/** Product cards and grids. Item data only ever becomes text or attribute values (see dom.ts). */
import { productUrl, type Product } from './catalog.js';
import { h } from './dom.js';

export const money = (n: number): string => `$${n.toFixed(2)}`;

/**
 * The product's picture: its category's tile in `/generated/thumbs.svg` (the file every product
 * shares, see scripts/prepare.mjs); a plain tile with the category's initial when it has none.
 */
export function thumb(p: Product): HTMLElement {
  if (p.image) return h('img', { class: 'thumb', src: p.image, alt: '' });
  return h('div', { class: 'thumb', 'aria-hidden': 'true' }, p.category.slice(0, 1).toUpperCase());
}

/**
 * A product card. `data-localrec-item` makes the SDK's declarative capture record it: the cards
 * of a grid seen together as one `impression` of the list, and a `click` on each click; list and
 * position become the events' context. (The recommendation lists draw their own cards: recommendations.ts.)
 */
function card(p: Product, listId: string, position: number): HTMLElement {
  return h(
    'a',
    {
      class: 'card',
      href: productUrl(p.id),
      'data-localrec-item': p.id,
      'data-localrec-list': listId,
      'data-localrec-position': position,
    },
    thumb(p),
    h('span', { class: 'name' }, p.name),
    h('span', { class: 'meta' }, `${p.brand} · ${p.category}`),
    h('span', { class: 'price' }, money(p.price)),
    p.inStock ? null : h('span', { class: 'out' }, 'Out of stock'),
  );
}

export function grid(items: readonly Product[], listId: string): HTMLElement {
  return h('div', { class: 'grid', 'data-list': listId }, ...items.map((p, i) => card(p, listId, i)));
}
