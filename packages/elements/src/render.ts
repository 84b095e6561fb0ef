/**
 * Rendering the items of an answer into DOM nodes. Everything the catalog or the model gives is
 * written as text (`textContent`) or as a checked attribute value — never parsed as HTML — so a
 * product name like `<img onerror=…>` shows as those characters; URLs (`url`, `image`) are used
 * only when they resolve to http(s) against the page, so `javascript:` links never reach the DOM.
 */
import type { ItemMeta, ScoredItem } from '@localrec/core';

/** How an item's price is written (`Intl.NumberFormat`): the element's `locale` and `currency`. */
export interface PriceFormat {
  locale: string | undefined;
  currency: string | undefined;
}

/** `raw` resolved against `base` when it is an http(s) URL, else undefined. */
export function safeUrl(raw: unknown, base: string, URLCtor: typeof URL): string | undefined {
  if (typeof raw !== 'string' || !raw) return undefined;
  try {
    const u = new URLCtor(raw, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The price as text, or undefined when the item has none (a bad currency code falls back to the plain number). */
export function priceText(meta: ItemMeta | undefined, f: PriceFormat): string | undefined {
  const p = meta?.price;
  if (typeof p !== 'number' || !Number.isFinite(p)) return undefined;
  const currency = f.currency ?? (typeof meta?.currency === 'string' ? meta.currency : undefined);
  try {
    return new Intl.NumberFormat(f.locale, currency ? { style: 'currency', currency } : undefined).format(p);
  } catch {
    return String(p);
  }
}

/** The value of a template field for one item: `name` (else the id), `price`, `reason`, `itemId`, or any catalog attribute. */
export function fieldText(item: ScoredItem, field: string, f: PriceFormat): string | undefined {
  if (field === 'name') return typeof item.meta?.name === 'string' && item.meta.name ? item.meta.name : item.itemId;
  if (field === 'price') return priceText(item.meta, f);
  if (field === 'reason') return item.reason.text;
  if (field === 'itemId') return item.itemId;
  const v = item.meta && Object.prototype.hasOwnProperty.call(item.meta, field) ? item.meta[field] : undefined;
  return v === undefined ? undefined : String(v);
}

/** What rendering needs from the page: its document, base URL and URL constructor. */
export interface RenderEnv {
  doc: Document;
  base: string;
  URL: typeof URL;
  price: PriceFormat;
}

/** What a default card shows of one item, checked: the one card model every renderer (DOM, React, Vue) draws. */
export interface CardContent {
  /** The item's page (http(s) only): the card is a link, else a button. */
  href: string | undefined;
  /** The item's image (http(s) only). */
  image: string | undefined;
  /** Its name, else its id. */
  name: string;
  price: string | undefined;
  reason: string;
}

/** The {@link CardContent} of `item`: URLs resolved against `base`, the price written per `price`. */
export function cardContent(item: ScoredItem, base: string, URLCtor: typeof URL, price: PriceFormat): CardContent {
  return {
    href: safeUrl(item.meta?.url, base, URLCtor),
    image: safeUrl(item.meta?.image, base, URLCtor),
    name: fieldText(item, 'name', price)!,
    price: priceText(item.meta, price),
    reason: item.reason.text,
  };
}

function span(doc: Document, part: string, text: string): HTMLSpanElement {
  const s = doc.createElement('span');
  s.setAttribute('part', part);
  s.textContent = text;
  return s;
}

/**
 * The default card: a link to the item's `url` (a button when it has none), with its image, name,
 * price and the reason it is recommended — the card's accessible name is its text.
 */
export function defaultCard(item: ScoredItem, env: RenderEnv): HTMLElement {
  const { doc } = env;
  const c = cardContent(item, env.base, env.URL, env.price);
  const card = doc.createElement(c.href ? 'a' : 'button');
  card.setAttribute('part', 'card');
  if (c.href) card.setAttribute('href', c.href);
  else card.setAttribute('type', 'button');
  if (c.image) {
    const img = doc.createElement('img');
    img.setAttribute('part', 'image');
    img.setAttribute('src', c.image);
    img.setAttribute('alt', ''); // decorative: the name follows as text
    img.setAttribute('loading', 'lazy');
    card.append(img);
  }
  card.append(span(doc, 'name', c.name));
  if (c.price !== undefined) card.append(span(doc, 'price', c.price));
  card.append(span(doc, 'reason', c.reason));
  return card;
}

/**
 * A card from the host's `<template>`: a clone of its content where every `[data-field]` element
 * gets the item's field (see {@link fieldText}) as text — on an `<a>` a `url` field sets `href`, on
 * an `<img>` an `image` field sets `src` (http(s) only) — and elements whose field the item lacks
 * are removed.
 */
export function templateCard(item: ScoredItem, template: HTMLTemplateElement, env: RenderEnv): DocumentFragment {
  const frag = template.content.cloneNode(true) as DocumentFragment;
  for (const el of Array.from(frag.querySelectorAll<HTMLElement>('[data-field]'))) {
    const field = el.getAttribute('data-field')!;
    const tag = el.tagName.toLowerCase();
    if ((tag === 'a' && field === 'url') || (tag === 'img' && field === 'image')) {
      const u = safeUrl(item.meta?.[field], env.base, env.URL);
      if (u) el.setAttribute(tag === 'a' ? 'href' : 'src', u);
      else if (tag === 'img') el.remove();
      else el.removeAttribute('href');
      continue;
    }
    const text = fieldText(item, field, env.price);
    if (text === undefined) el.remove();
    else el.textContent = text;
  }
  return frag;
}
