/** The shop's pages (hash routes): home / category, product, cart, search, not found. */
import type { Catalog, Product } from './catalog.js';
import { $, append, h, replace } from './dom.js';
import { cartSections, categorySections, homeSections, productSections } from './recommendations.js';
import { track } from './sdk.js';
import { grid, money, thumb } from './ui.js';

const cart = new Map<string, number>();

function updateCartCount(): void {
  let n = 0;
  cart.forEach((q) => {
    n += q;
  });
  $('#cart-count').textContent = String(n);
}

function renderHome(catalog: Catalog, category?: string): void {
  const items = category ? catalog.products.filter((p) => p.category === category) : catalog.products;
  replace(
    $('#view'),
    ...(category ? categorySections(category) : homeSections(catalog)),
    h('h1', {}, category ?? 'All products'),
    grid(items, category ? `category:${category}` : 'all'),
  );
}

function renderProduct(catalog: Catalog, id: string): void {
  const p = catalog.byId.get(id);
  if (!p) return renderNotFound();
  track('view', { itemId: p.id, context: { page: 'product' } });
  const rating = h('span', { class: 'row', role: 'group', 'aria-label': 'Rate' }, 'Rate:');
  for (let r = 1; r <= 5; r++) {
    append(
      rating,
      h(
        'button',
        {
          type: 'button',
          'data-rate': r,
          onclick: () => {
            track('rate', { itemId: p.id, rating: r });
            rating.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(Number(b.dataset.rate) <= r)));
          },
        },
        '★'.repeat(r),
      ),
    );
  }
  const like = h(
    'button',
    {
      type: 'button',
      id: 'like',
      'aria-pressed': 'false',
      onclick: () => {
        track('like', { itemId: p.id });
        like.setAttribute('aria-pressed', 'true');
      },
    },
    '♥ Like',
  );
  const channel = h(
    'select',
    { id: 'share-channel', 'aria-label': 'Share via' },
    h('option', { value: 'link' }, 'Copy link'),
    h('option', { value: 'email' }, 'E-mail'),
    h('option', { value: 'chat' }, 'Chat'),
  );
  const shared = h('span', { class: 'meta', id: 'shared' });
  const share = h(
    'button',
    {
      type: 'button',
      id: 'share',
      onclick: () => {
        track('share', { itemId: p.id, channel: channel.value, direction: 'out' });
        shared.textContent = `Shared via ${channel.value} (recorded on this device only).`;
      },
    },
    'Share',
  );
  const qty = h('input', { id: 'qty', type: 'number', min: 1, max: 9, value: 1, 'aria-label': 'Quantity' });
  const add = h(
    'button',
    {
      type: 'button',
      id: 'add-to-cart',
      class: 'primary',
      disabled: !p.inStock,
      onclick: () => {
        const q = Math.max(1, Math.min(9, Number(qty.value) || 1));
        cart.set(p.id, (cart.get(p.id) ?? 0) + q);
        track('add_to_cart', { itemId: p.id, quantity: q, price: p.price });
        updateCartCount();
        add.textContent = 'Added ✓';
      },
    },
    p.inStock ? 'Add to cart' : 'Out of stock',
  );

  replace(
    $('#view'),
    h(
      'article',
      { class: 'product', 'data-product': p.id },
      thumb(p),
      h(
        'div',
        {},
        h('h1', {}, p.name),
        h('p', { class: 'meta' }, `${p.brand} · `, h('a', { href: `#/c/${encodeURIComponent(p.category)}` }, p.category)),
        h('p', { class: 'price' }, money(p.price)),
        p.description ? h('p', { class: 'description' }, p.description) : null,
        h('div', { class: 'row' }, qty, add),
        h('div', { class: 'row' }, like, channel, share, shared),
        rating,
      ),
    ),
    ...productSections(p.id),
  );
}

function renderCart(catalog: Catalog): void {
  const rows = [...cart]
    .map(([id, q]) => ({ p: catalog.byId.get(id), q }))
    .filter((r): r is { p: Product; q: number } => r.p !== undefined);
  if (rows.length === 0) {
    replace($('#view'), h('h1', {}, 'Your cart'), h('p', { id: 'cart-empty' }, 'Your cart is empty.'), ...cartSections([]));
    return;
  }
  const total = rows.reduce((s, r) => s + r.p.price * r.q, 0);
  replace(
    $('#view'),
    h('h1', {}, 'Your cart'),
    h(
      'table',
      { class: 'cart' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Product'), h('th', {}, 'Qty'), h('th', {}, 'Price'), h('th', {}))),
      h(
        'tbody',
        {},
        ...rows.map(({ p, q }) =>
          h(
            'tr',
            { 'data-cart-item': p.id },
            h('td', {}, h('a', { href: `#/p/${encodeURIComponent(p.id)}` }, p.name)),
            h('td', {}, q),
            h('td', {}, money(p.price * q)),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'remove',
                  onclick: () => {
                    cart.delete(p.id);
                    track('remove_from_cart', { itemId: p.id, quantity: q });
                    updateCartCount();
                    renderCart(catalog);
                  },
                },
                'Remove',
              ),
            ),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'row' },
      h('strong', {}, `Total ${money(total)}`),
      h(
        'button',
        {
          type: 'button',
          id: 'checkout',
          class: 'primary',
          onclick: () => {
            for (const { p, q } of rows) track('purchase', { itemId: p.id, quantity: q, price: p.price, currency: 'USD' });
            cart.clear();
            updateCartCount();
            replace($('#view'), h('h1', {}, 'Thank you!'), h('p', { id: 'thanks' }, 'Your (pretend) order is placed.'));
          },
        },
        'Buy now',
      ),
    ),
    ...cartSections(rows.map((r) => r.p.id)),
  );
}

function renderSearch(catalog: Catalog, query: string): void {
  $<HTMLInputElement>('#q').value = query;
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const hits =
    words.length === 0
      ? []
      : catalog.products.filter((p) => {
          const text = `${p.name} ${p.brand} ${p.category}`.toLowerCase();
          return words.every((w) => text.includes(w));
        });
  replace(
    $('#view'),
    h('h1', {}, `Search: “${query}”`),
    hits.length ? grid(hits, 'search') : h('p', { id: 'no-results' }, 'No products match.'),
  );
}

function renderNotFound(): void {
  replace($('#view'), h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the shop')));
}

/** Renders the page for the current `location.hash`. */
export function route(catalog: Catalog): void {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = hash.split('?');
  let parts: string[];
  try {
    parts = path
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  } catch {
    parts = ['?'];
  }
  // Highlight the category shown: "All" on the home page, none on product/cart/search pages.
  const active = parts.length === 0 ? '' : parts[0] === 'c' ? parts[1] : null;
  document.querySelectorAll('#categories a').forEach((a) => a.classList.toggle('active', a.getAttribute('data-category') === active));
  if (parts.length === 0) renderHome(catalog);
  else if (parts[0] === 'c' && parts[1]) renderHome(catalog, parts[1]);
  else if (parts[0] === 'p' && parts[1]) renderProduct(catalog, parts[1]);
  else if (parts[0] === 'cart') renderCart(catalog);
  else if (parts[0] === 'search') renderSearch(catalog, new URLSearchParams(search).get('q') ?? '');
  else renderNotFound();
  window.scrollTo(0, 0);
}

/** The category bar. */
export function renderCategories(catalog: Catalog): void {
  replace(
    $('#categories'),
    h('a', { href: '#/', 'data-category': '' }, 'All'),
    ...catalog.categories.map((c) => h('a', { href: `#/c/${encodeURIComponent(c)}`, 'data-category': c }, c)),
  );
}
