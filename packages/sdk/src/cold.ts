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
import type { ScenarioName } from './scenarios.js';
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

/** The scenarios that take only their options (the others a subject before them). */
const OPTIONS_ONLY: readonly string[] = ['recentlyViewed', 'buyAgain', 'trending'];
/** The lists answered from the shopper's history alone: without consent nothing is asked. */
const HISTORY_ONLY: readonly string[] = ['recentlyViewed', 'buyAgain', 'recommend'];

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
 * A scenario on the page, forwarded by name with its arguments as the page gave them (`given`: its
 * subject, if it takes one, then the options); never rejects. When
 * history may not be used (`history` false) the history scenarios (`recentlyViewed`, `buyAgain`)
 * answer `'no-consent'` without asking; the table scenarios (`frequentlyBoughtTogether`,
 * `trending`, `trendingFacets`, `forSearch`) are asked all the same — their tables need no history —
 * with `personalise: false` (and `excludePurchased: false`). `next` continues the list of its
 * argument's cursor by the rules of the list's method; its fallbacks keep that cursor, so that a
 * later `next` asks for the same page again. A runtime without the method: `'no-model'`
 * (`trendingFacets`: no values, `'no-trending'`); a failing one: `'error'`, reported.
 */
export async function askScenario(
  ask: Ask,
  name: ScenarioName,
  given: unknown[],
  history: boolean,
): Promise<RecommendResult & TrendingFacets> {
  const n = +!OPTIONS_ONLY.includes(name);
  const args = given.slice(0, n);
  const facets = name === 'trendingFacets';
  const prev = args[0] as RecommendResult | undefined;
  const list = name === 'next' ? prev?.list : undefined;
  // An empty answer the SDK made without asking (no consent, no runtime) has nothing after it; any
  // other answer without a list goes to the runtime, which refuses it (`INVALID_ARGUMENT`, reported).
  if (name === 'next' && !list && prev?.fallbackReason && !prev.items?.length) return prev as never;
  const fallback = (why: Parameters<typeof emptyResult>[0], took?: number) =>
    facets ? noFacets(args[0]) : { ...emptyResult(why, took), ...(list && { list }) };
  if (!history && HISTORY_ONLY.includes(list?.method ?? name)) return fallback('no-consent') as never;
  // Without history: not personalised, purchases kept (`similar`'s; the others read none then).
  const o = history || facets ? given[n] : { ...(given[n] as RecommendOptions), personalise: false, excludePurchased: false };
  return ask(
    (api) => {
      const run = api[name] as ((...a: unknown[]) => Promise<RecommendResult>) | undefined;
      return run ? run.call(api, ...(list ? [{ list }] : args), o) : (fallback('no-model') as RecommendResult);
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
