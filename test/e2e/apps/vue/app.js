// The Vue test app's root component, rendered on the server by test/e2e/frameworks.test.ts
// (vue/server-renderer, no recommender) and hydrated in the browser by main.js.
import { defineComponent, h } from 'vue';
import { Recommendations } from '@localrec/vue';

export const App = defineComponent({
  props: { onPick: { type: Function, default: undefined } },
  setup(props) {
    return () =>
      h('main', null, [
        h(
          Recommendations,
          { scenario: 'for-you', limit: 4, label: 'Picked for you', dedupe: 'home', onSelect: (item, _i, e) => props.onPick?.(item, e) },
          { fallback: () => h('ul', null, [h('li', null, [h('a', { id: 'ssr', href: '/p/bestseller' }, 'Server-rendered bestseller')])]) },
        ),
        h(
          Recommendations,
          { scenario: 'similar', item: 'SKU-00003', limit: 3, dedupe: 'home' },
          { item: ({ item }) => h('article', null, [h('b', null, item.meta?.name ?? item.itemId), h('i', null, item.reason.text)]) },
        ),
      ]);
  },
});
