/**
 * @localrec/elements — LocalRec's ready-made UI: the framework-free `<localrec-recommendations>`
 * web component. Import costs nothing until {@link defineRecommendations} runs (no DOM global is
 * read before). Script-tag pages import `localrec-elements.min.mjs` from their own folder.
 *
 * @example
 * import { defineRecommendations } from '@localrec/elements';
 * defineRecommendations({ recommender: rec }); // rec = createLocalRec({ … })
 * // <localrec-recommendations scenario="similar" item="SKU-1" limit="8"></localrec-recommendations>
 * @packageDocumentation
 */
export { defineRecommendations, OBSERVED, type DefineOptions, type RecommendationsElement, type SelectDetail } from './element.js';
export {
  SCENARIOS,
  SCENARIO_METHODS,
  MAX_LIMIT,
  DEFAULT_LABEL,
  fetchList,
  type ElementRecommender,
  type ListRequest,
  type Scenario,
} from './scenarios.js';
export { watchImpression, recordClick } from './feedback.js';
export { focusStep } from './keys.js';
export { safeUrl, priceText, cardContent, type CardContent, type PriceFormat } from './render.js';
export { uiGlobals, type UiGlobals } from '@localrec/core/internal';
export type {
  AttributeTest,
  AttributeValue,
  Facet,
  FilterExpr,
  ItemFilter,
  ItemMeta,
  Reason,
  RecommendOptions,
  RecommendResult,
  ScoredItem,
  TrendingOptions,
} from '@localrec/core';
