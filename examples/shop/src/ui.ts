/** Product cards and grids. Item data only ever becomes text or attribute values (see dom.ts). */
import type { Product } from './catalog.js';
import { h } from './dom.js';

export const money = (n: number): string => `$${n.toFixed(2)}`;

function hue(s: string): number {
  let x = 0;
  for (let i = 0; i < s.length; i++) x = (x * 31 + s.charCodeAt(i)) >>> 0;
  return x % 360;
}

/** A coloured placeholder image (CSSOM style, allowed under the strict CSP's `style-src 'self'`). */
export function thumb(p: Product): HTMLElement {
  const t = h('div', { class: 'thumb', 'aria-hidden': 'true' }, p.category.slice(0, 1).toUpperCase());
  t.style.background = `hsl(${hue(p.category)} 45% 55%)`;
  return t;
}

/**
 * A product card. `data-localrec-item` makes the SDK's declarative capture record it: the cards
 * of a grid seen together as one `impression` of the list, and a `click` on each click; list and
 * position become the events' context. `extra` goes under the price (e.g. a reason).
 */
export function card(p: Product, listId: string, position: number, extra?: Node | string): HTMLElement {
  return h(
    'a',
    {
      class: 'card',
      href: `#/p/${encodeURIComponent(p.id)}`,
      'data-localrec-item': p.id,
      'data-localrec-list': listId,
      'data-localrec-position': position,
    },
    thumb(p),
    h('span', { class: 'name' }, p.name),
    h('span', { class: 'meta' }, `${p.brand} · ${p.category}`),
    h('span', { class: 'price' }, money(p.price)),
    p.inStock ? null : h('span', { class: 'out' }, 'Out of stock'),
    extra ?? null,
  );
}

export function grid(items: readonly Product[], listId: string): HTMLElement {
  return h('div', { class: 'grid', 'data-list': listId }, ...items.map((p, i) => card(p, listId, i)));
}
