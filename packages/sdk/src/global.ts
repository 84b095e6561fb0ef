/**
 * `window.LocalRec` for pages that load the SDK by script tag. The async snippet
 * (`packages/sdk/snippet.js`) first installs a stub: an array that queues
 * `[method, args, resolve, reject]` for every call. {@link installGlobal} replaces the stub,
 * replays its queue in order, settles each queued call's promise with the call's result, and
 * forwards anything pushed later onto the old stub. Loading the SDK twice keeps the first copy.
 */
import { LocalRecError } from '@localrec/core';
import type { StartCapture } from './capture.js';
import { chunk, setChunkBase } from './chunks.js';
import { createWithCapture } from './localrec.js';
import type { ModelChunk, ModelModule } from './model.js';
import { SCENARIO_METHODS } from './scenarios.js';
import type { Consent, LocalRec, LocalRecConfigInput, LocalRecStatus } from './types.js';

/** The methods the snippet stubs, in the snippet's order. */
export const GLOBAL_METHODS = [
  'init',
  'track',
  'setConsent',
  'flush',
  'exportData',
  'forgetMe',
  'recommend',
  'similar',
  'rank',
  'setCatalog',
  'runtimeStatus',
  'destroy',
  'getProfile',
  'getSegments',
  'setSocialContext',
  ...SCENARIO_METHODS,
] as const;
export type GlobalMethod = (typeof GLOBAL_METHODS)[number];

/** `window.LocalRec` once the SDK has loaded. Methods called before `init` wait for it (bounded). */
export interface LocalRecGlobal {
  readonly loaded: true;
  readonly version: string;
  /** Creates the page's LocalRec instance (once; later calls return the same instance). */
  init(config: LocalRecConfigInput): LocalRec | undefined;
  track(...args: Parameters<LocalRec['track']>): ReturnType<LocalRec['track']> | Promise<ReturnType<LocalRec['track']>>;
  setConsent(...args: Parameters<LocalRec['setConsent']>): void | Promise<void>;
  flush(): ReturnType<LocalRec['flush']>;
  exportData(): ReturnType<LocalRec['exportData']>;
  forgetMe(): ReturnType<LocalRec['forgetMe']>;
  recommend(...args: Parameters<LocalRec['recommend']>): ReturnType<LocalRec['recommend']>;
  similar(...args: Parameters<LocalRec['similar']>): ReturnType<LocalRec['similar']>;
  rank(...args: Parameters<LocalRec['rank']>): ReturnType<LocalRec['rank']>;
  recentlyViewed(...args: Parameters<LocalRec['recentlyViewed']>): ReturnType<LocalRec['recentlyViewed']>;
  buyAgain(...args: Parameters<LocalRec['buyAgain']>): ReturnType<LocalRec['buyAgain']>;
  frequentlyBoughtTogether(...args: Parameters<LocalRec['frequentlyBoughtTogether']>): ReturnType<LocalRec['frequentlyBoughtTogether']>;
  trending(...args: Parameters<LocalRec['trending']>): ReturnType<LocalRec['trending']>;
  trendingFacets(...args: Parameters<LocalRec['trendingFacets']>): ReturnType<LocalRec['trendingFacets']>;
  forSearch(...args: Parameters<LocalRec['forSearch']>): ReturnType<LocalRec['forSearch']>;
  next(...args: Parameters<LocalRec['next']>): ReturnType<LocalRec['next']>;
  setCatalog(...args: Parameters<LocalRec['setCatalog']>): ReturnType<LocalRec['setCatalog']>;
  runtimeStatus(): ReturnType<LocalRec['runtimeStatus']>;
  destroy(): Promise<void>;
  getProfile(): ReturnType<LocalRec['getProfile']>;
  getSegments(): ReturnType<LocalRec['getSegments']>;
  setSocialContext(...args: Parameters<LocalRec['setSocialContext']>): ReturnType<LocalRec['setSocialContext']>;
  /** The instance created by `init`, if any. */
  readonly instance: LocalRec | undefined;
  /** The instance's status, once `init` has run. */
  readonly status: LocalRecStatus | undefined;
  /** The instance's consent, once `init` has run. */
  readonly consent: Consent | undefined;
}

/** `window.LocalRec` before the SDK has loaded: every method queues and returns a promise. */
export type LocalRecStub = {
  [K in GlobalMethod]: (...args: Parameters<LocalRecGlobal[K]>) => Promise<Awaited<ReturnType<LocalRecGlobal[K]>>>;
};

/** What page code sees at `window.LocalRec`: the stub or the loaded SDK. Await results to handle both. */
export type LocalRecApi = LocalRecStub | LocalRecGlobal;

type Settle = (value: unknown) => void;
type QueuedCall = [method: string, args?: unknown[], resolve?: Settle, reject?: Settle];
interface StubArray extends Array<QueuedCall> {
  loaded?: boolean;
}

/** Calls made after load but before `init` wait (at most this many), then run right after `init`. */
const MAX_HELD = 1000;

/** The script-tag build of declarative capture (an ES module), next to `localrec.min.js`. */
const CAPTURE_FILE = 'localrec-capture.min.mjs';
/** The script-tag build of the runtime's page side (for `model`), next to `localrec.min.js`. */
const MODEL_FILE = 'localrec-model.min.mjs';

/**
 * Installs `win.LocalRec` (unless an SDK copy is already there) and replays the snippet's queue.
 * `sdkSrc` is the URL `localrec.min.js` was loaded from (where its capture file lives).
 */
export function installGlobal(win: Window & { LocalRec?: unknown }, version: string, sdkSrc?: string): LocalRecGlobal {
  const prev = win.LocalRec as StubArray | LocalRecGlobal | undefined;
  if (prev && !Array.isArray(prev) && prev.loaded) {
    console.warn('LocalRec: the SDK was loaded twice; keeping the first copy.');
    return prev;
  }
  let instance: LocalRec | undefined;
  const held: Array<() => void> = [];
  // The opt-in files (`autoCapture`, `model`) are imported like the extras (chunks.ts), from the
  // folder of this script, only by pages that opt in: a file that cannot be loaded is NOT_READY
  // naming its URL, and the connector file takes the main bundle's shared modules.
  setChunkBase(sdkSrc);
  const capture = async (): Promise<StartCapture> => (await chunk(CAPTURE_FILE)).startAutoCapture as unknown as StartCapture;
  const model: ModelChunk = { base: sdkSrc, load: () => chunk(MODEL_FILE) as unknown as Promise<ModelModule> };

  const call = (method: string, args: unknown[]): unknown => {
    if (method === 'init') {
      if (instance) {
        console.warn('LocalRec: init() called again; keeping the first instance.');
        return instance;
      }
      const cfg = args[0] as LocalRecConfigInput;
      try {
        instance = createWithCapture(cfg, capture, model);
      } catch (e) {
        console.warn('LocalRec: init failed:', e);
        try {
          if (e instanceof LocalRecError) cfg?.onError?.(e);
        } catch {
          /* a throwing host callback must not break the page */
        }
        if (cfg?.strict) throw e;
        return undefined;
      }
      held.splice(0).forEach((run) => run());
      return instance;
    }
    if (!(GLOBAL_METHODS as readonly string[]).includes(method)) {
      throw new LocalRecError('INVALID_ARGUMENT', `Unknown LocalRec method "${method}".`, { field: 'method', accepted: GLOBAL_METHODS });
    }
    if (instance) return (instance as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
    if (held.length >= MAX_HELD) {
      console.warn(`LocalRec: ${method}() dropped: no init().`);
      return undefined;
    }
    return new Promise((resolve, reject) => held.push(() => settle([method, args, resolve, reject])));
  };

  const settle = ([method, args, resolve, reject]: QueuedCall): void => {
    try {
      resolve?.(call(method, Array.isArray(args) ? args : []));
    } catch (e) {
      if (reject) reject(e);
      else console.warn('LocalRec:', e);
    }
  };

  const api: Record<string, unknown> = {
    loaded: true,
    version,
    get instance() {
      return instance;
    },
    get status() {
      return instance?.status;
    },
    get consent() {
      return instance?.consent;
    },
  };
  for (const m of GLOBAL_METHODS) api[m] = (...args: unknown[]) => call(m, args);
  const global = api as unknown as LocalRecGlobal;
  (win as { LocalRec?: unknown }).LocalRec = global;

  if (Array.isArray(prev)) {
    // Replay in order, then keep the old stub working for code that kept a reference to it.
    for (const entry of prev.splice(0)) if (Array.isArray(entry) && typeof entry[0] === 'string') settle(entry);
    prev.loaded = true;
    prev.push = (...entries: QueuedCall[]) => {
      entries.forEach(settle);
      return 0;
    };
  }
  return global;
}
