import { defineComponent, h, inject, onBeforeUnmount, ref, watch, type PropType, type VNode } from 'vue';
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
  type Scenario,
} from '@localrec/elements';
import { RECOMMENDER, useRecommendations, type RecommendResult } from './composable.js';

type Item = RecommendResult['items'][number];

/** The default card (see `@localrec/elements`' cardContent): a link or a button, its parts as text. */
function card(item: Item, base: string, currency: string | undefined, locale: string | undefined): VNode {
  const c = cardContent(item, base, URL, { currency, locale });
  const body = [
    c.image ? h('img', { class: 'localrec-image', src: c.image, alt: '', loading: 'lazy' }) : null,
    h('span', { class: 'localrec-name' }, c.name),
    c.price !== undefined ? h('span', { class: 'localrec-price' }, c.price) : null,
    h('span', { class: 'localrec-reason' }, c.reason),
  ];
  return c.href ? h('a', { class: 'localrec-card', href: c.href }, body) : h('button', { class: 'localrec-card', type: 'button' }, body);
}

/**
 * One list of on-device recommendations: a `<section>` region (named by `label`) with a `<ul>` of
 * cards once the device answers, else the `fallback` slot (rendered on the server). Slot `item`
 * (`{ item, position }`) replaces the default card. Emits `select` (`item, position, event`) after
 * recording the click; records one impression per shown list once half of it is on screen; arrow
 * keys, Home and End move between cards. The recommender: prop `recommender`, else the one
 * provided under {@link RECOMMENDER}.
 */
export const Recommendations = defineComponent({
  name: 'LocalRecRecommendations',
  props: {
    recommender: { type: Object as PropType<ElementRecommender>, default: undefined },
    scenario: { type: String as PropType<Scenario>, default: undefined },
    item: { type: String, default: undefined },
    cart: { type: Array as PropType<string[]>, default: undefined },
    limit: { type: Number, default: undefined },
    page: { type: Number, default: undefined },
    filter: { type: Object as PropType<ListRequest['filter']>, default: undefined },
    dedupe: { type: String, default: undefined },
    facet: { type: [String, Object] as PropType<ListRequest['facet']>, default: undefined },
    label: { type: String, default: undefined },
    currency: { type: String, default: undefined },
    locale: { type: String, default: undefined },
  },
  emits: { select: (_item: Item, _position: number, _event: MouseEvent) => true },
  setup(props, { slots, emit, expose }) {
    const provided = inject(RECOMMENDER, undefined);
    const rec = () => props.recommender ?? provided;
    const request = (): ListRequest => ({
      scenario: props.scenario,
      item: props.item,
      cart: props.cart,
      limit: props.limit,
      page: props.page,
      filter: props.filter,
      dedupe: props.dedupe,
      facet: props.facet,
    });
    const state = useRecommendations(rec, request);
    expose({ refresh: state.refresh, result: state.result });
    const list = ref<HTMLUListElement>();
    let stop: (() => void) | undefined;
    watch(
      [list, state.result],
      () => {
        stop?.();
        stop = undefined;
        const r = rec();
        const items = state.result.value?.items ?? [];
        if (!r || !list.value || !items.length) return;
        stop = watchImpression(
          uiGlobals() ?? { IntersectionObserver: undefined },
          r,
          list.value,
          items.map((i) => i.itemId),
          SCENARIO_METHODS[props.scenario ?? 'for-you'],
        );
      },
      { flush: 'post' },
    );
    onBeforeUnmount(() => stop?.());

    const onKeydown = (e: KeyboardEvent) => {
      const cards = Array.from((e.currentTarget as HTMLElement).children)
        .map((li) => li.querySelector<HTMLElement>('a[href], button, [tabindex]'))
        .filter((x): x is HTMLElement => !!x);
      const next = focusStep(e.key, cards, e.target as Element);
      if (next === undefined) return;
      e.preventDefault();
      cards[next]!.focus();
    };
    return () => {
      const items = state.result.value?.items ?? [];
      const s = state.loading.value ? 'loading' : state.error.value ? 'error' : items.length ? 'ready' : 'empty';
      const base = typeof document === 'undefined' ? 'http://localhost/' : document.baseURI;
      const content =
        s === 'ready'
          ? h(
              'ul',
              { ref: list, role: 'list', class: 'localrec-list', onKeydown },
              items.map((item, i) =>
                h(
                  'li',
                  {
                    key: item.itemId,
                    class: 'localrec-item',
                    'data-item-id': item.itemId,
                    onClick: (e: MouseEvent) => {
                      const r = rec();
                      if (r) recordClick(r, item.itemId);
                      emit('select', item, i, e);
                    },
                  },
                  slots.item ? slots.item({ item, position: i }) : card(item, base, props.currency, props.locale),
                ),
              ),
            )
          : slots.fallback?.();
      return h(
        'section',
        {
          'aria-label': props.label ?? DEFAULT_LABEL[props.scenario ?? 'for-you'],
          'aria-busy': state.loading.value ? 'true' : undefined,
          'data-state': s,
          'data-source': state.result.value?.source,
        },
        content,
      );
    };
  },
});
