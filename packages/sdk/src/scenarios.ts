/**
 * The scenario methods of `LocalRec` the SDK forwards by name (see `askScenario` in cold.ts): one
 * list for the facade (localrec.ts builds them from it) and the script-tag global (the tail of
 * `GLOBAL_METHODS`), so that the script tag carries each name once.
 */
export const SCENARIO_METHODS = [
  'recentlyViewed',
  'buyAgain',
  'trending',
  'frequentlyBoughtTogether',
  'trendingFacets',
  'forSearch',
  'next',
] as const;

/** One of {@link SCENARIO_METHODS}. */
export type ScenarioName = (typeof SCENARIO_METHODS)[number];
