/**
 * @localrec/vue — LocalRec's on-device recommendations in Vue 3: the {@link useRecommendations}
 * composable and the {@link Recommendations} component. Both render on the server (the component
 * renders its `fallback` slot, e.g. a bestseller list, which crawlers see) and ask the device once
 * mounted; the component records one impression per visible list and a click per selection
 * (LocalRec's feedback loop), sharing `@localrec/elements`' request checks, URL rules and recording.
 *
 * @example
 * app.provide(RECOMMENDER, createLocalRec({ appId: 'my-shop', model: '/localrec/models/my-shop/' }));
 * // <Recommendations scenario="similar" :item="sku" :limit="8"><template #fallback>…</template></Recommendations>
 * @packageDocumentation
 */
export { useRecommendations, RECOMMENDER, type RecommendationsState, type RecommendResult } from './composable.js';
export { Recommendations } from './component.js';
export type { ElementRecommender as Recommender, ListRequest, Scenario } from '@localrec/elements';
