/**
 * The SDK's steps that pages which only record never run: the Cache Storage parts of
 * `exportData()` and `forgetMe()`, the insights calls and the answers of {@link noRuntime} (both
 * need a runtime). Async functions only, so that the script-tag build can load this module from its
 * second file on first use (see the `localrec-cold` plugin in rollup.config.mjs).
 */
import {
  LocalRecError,
  type ForgetResult,
  type RecommendOptions,
  type RecommendResult,
  type RecorderExport,
  type TrendingFacets,
} from '@localrec/core';
import { cacheStorage, listModelCaches } from '@localrec/core/internal';
import { emptyResult, hostOrder, type RecommenderApi } from './connector.js';
import type { ExportedData, ForgetProof } from './types.js';

/** The insights calls of {@link askInsight}. */
export type InsightName = 'getProfile' | 'getSegments' | 'setSocialContext';

/** Removes LocalRec's Cache Storage entries (model files); returns the names still there afterwards. */
async function eraseCaches(): Promise<string[]> {
  const caches = cacheStorage();
  if (!caches) return [];
  const ours = async (): Promise<string[]> => (await caches.keys()).filter((k) => k.startsWith('localrec'));
  await Promise.all((await ours()).map((k) => caches.delete(k)));
  return ours();
}

/** `exportData()`'s answer: the Recorder's `dump`, LocalRec's Cache Storage entries (model files; unreadable: none, reported), when and which app. */
export async function withCaches(dump: RecorderExport, app: string, report: (err: unknown) => void): Promise<ExportedData> {
  const caches = await listModelCaches(cacheStorage()).catch((err: unknown) => {
    report(err);
    return [];
  });
  return { ...dump, caches, exportedAt: new Date().toISOString(), app };
}

/** `forgetMe()`'s proof: the Recorder's `proof` after LocalRec's Cache Storage entries are removed too (what is left is named). */
export async function withoutCaches(proof: ForgetResult, report: (err: unknown) => void): Promise<ForgetProof> {
  const remainingCaches = await eraseCaches().catch((err: unknown) => {
    report(err);
    return ['(Cache Storage unreadable)'];
  });
  return { ...proof, remainingCaches, verified: proof.verified && remainingCaches.length === 0 };
}

/**
 * Forwards an insights call to the runtime, after flushing. `getProfile` and `getSegments` answer
 * from the shopper's history, so they need `allowed.history` (consent); segments can leave the
 * device, so `getSegments` needs `allowed.segments` too (off under Global Privacy Control).
 * @throws {LocalRecError} `CONSENT_REQUIRED` naming the missing consent; `NOT_READY` when runtime `kind` has no such call.
 */
export async function askInsight(
  name: InsightName,
  arg: unknown,
  allowed: { history: boolean; segments: boolean },
  flush: () => Promise<unknown>,
  connect: () => Promise<RecommenderApi>,
  kind: string,
): Promise<never> {
  if (name !== 'setSocialContext' && !allowed.history)
    throw new LocalRecError('CONSENT_REQUIRED', `${name} needs consent`, { field: 'consent' });
  if (name === 'getSegments' && !allowed.segments)
    throw new LocalRecError('CONSENT_REQUIRED', 'getSegments needs the segments purpose (off, or Global Privacy Control is on)', {
      field: 'purposes.segments',
    });
  await flush();
  const api = await connect();
  if (!api[name]) throw new LocalRecError('NOT_READY', `No ${name} in runtime ${kind}`);
  return api[name](arg as null) as Promise<never>;
}

/** The SDK's `ask`: runs a call on the runtime after flushing, `fallbackFor` answering when it fails. */
type Ask = (
  run: (api: RecommenderApi) => Promise<RecommendResult> | RecommendResult,
  fallbackFor: typeof emptyResult,
) => Promise<RecommendResult>;

/** The scenarios {@link askScenario} forwards. */
export type ScenarioName = 'recentlyViewed' | 'buyAgain' | 'frequentlyBoughtTogether' | 'trending' | 'trendingFacets';

/** `trendingFacets()` without a runtime that answers it. */
const noFacets = (attribute: unknown): TrendingFacets => ({
  attribute: String(attribute),
  values: [],
  source: 'fallback',
  fallbackReason: 'no-trending',
  attributes: [],
  tookMs: 0,
});

/**
 * A scenario on the page, forwarded by name with `args` then the options; never rejects. When
 * history may not be used (`history` false) the history scenarios (`recentlyViewed`, `buyAgain`)
 * answer `'no-consent'` without asking; the table scenarios (`frequentlyBoughtTogether`,
 * `trending`, `trendingFacets`) are asked all the same — their tables need no history — with
 * `personalise: false`. A runtime without the method: `'no-model'` (`trendingFacets`: no values,
 * `'no-trending'`); a failing one: `'error'`, reported.
 */
export async function askScenario(
  ask: Ask,
  name: ScenarioName,
  args: unknown[],
  options: RecommendOptions | undefined,
  history: boolean,
): Promise<RecommendResult & TrendingFacets> {
  const facets = name === 'trendingFacets';
  if (!history && (name === 'recentlyViewed' || name === 'buyAgain')) return emptyResult('no-consent') as never;
  const o = history || facets ? options : { ...options, personalise: false };
  const fallback = (why: Parameters<typeof emptyResult>[0], took?: number) => (facets ? noFacets(args[0]) : emptyResult(why, took));
  return ask(
    (api) => {
      const run = api[name] as ((...a: unknown[]) => Promise<RecommendResult>) | undefined;
      return run ? run.call(api, ...args, o) : (fallback('no-model') as RecommendResult);
    },
    fallback as typeof emptyResult,
  ) as never;
}

/** What {@link noRuntime} connects to: cold-start answers (`'no-model'`, the host's order for `rank`); `status()` says `NOT_READY`. */
export async function noRuntimeApi(): Promise<RecommenderApi> {
  return {
    status: async () => ({ ready: false, error: { code: 'NOT_READY', message: 'No runtime configured.' } }),
    recommend: async () => emptyResult('no-model'),
    similar: async () => emptyResult('no-model'),
    rank: async (itemIds) => hostOrder(itemIds, 'no-model'),
    setCatalog: async () => undefined,
  };
}
