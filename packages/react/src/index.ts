/**
 * @localrec/react — LocalRec's on-device recommendations in React: the {@link useRecommendations}
 * hook and the {@link Recommendations} component. Both render on the server (the component renders
 * its `fallback`, e.g. a bestseller list, which crawlers see) and ask the device after hydration;
 * the component records one impression per visible list and a click per selection (LocalRec's
 * feedback loop), like `<localrec-recommendations>` from `@localrec/elements`, whose request
 * checks, URL rules and recording it shares.
 *
 * @example
 * const rec = createLocalRec({ appId: 'my-shop', model: '/localrec/models/my-shop/' });
 * <Recommendations recommender={rec} scenario="similar" item={sku} limit={8} fallback={<Bestsellers />} />
 * @packageDocumentation
 */
export { useRecommendations, type RecommendationsState } from './hook.js';
export { Recommendations, type RecommendationsProps } from './component.js';
export type { ElementRecommender as Recommender, ListRequest, Scenario } from '@localrec/elements';
