// The React test app's component tree, rendered on the server by test/e2e/frameworks.test.ts
// (renderToString, no recommender) and hydrated in the browser by main.js.
import { createElement as h } from 'react';
import { Recommendations } from '@localrec/react';

export function App({ rec, onSelect }) {
  return h(
    'main',
    null,
    h(Recommendations, {
      recommender: rec,
      scenario: 'for-you',
      limit: 4,
      label: 'Picked for you',
      dedupe: 'home',
      onSelect,
      fallback: h('ul', null, h('li', null, h('a', { id: 'ssr', href: '/p/bestseller' }, 'Server-rendered bestseller'))),
    }),
    h(Recommendations, {
      recommender: rec,
      scenario: 'similar',
      item: 'SKU-00003',
      limit: 3,
      dedupe: 'home',
      renderItem: (item) => h('article', null, h('b', null, item.meta?.name ?? item.itemId), h('i', null, item.reason.text)),
    }),
  );
}
