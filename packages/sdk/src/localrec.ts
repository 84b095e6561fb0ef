/**
 * `createLocalRec`: the main-thread SDK. It wires the core's Recorder (validation, rate limit,
 * consent gating, write-behind queue, memory fallback) to the browser: a storage adapter, flush
 * triggers, optional declarative capture, and the recommendation runtime seam.
 */
import {
  LocalRecError,
  Recorder,
  resolveConfig,
  serializeError,
  type ItemMeta,
  type NewEvent,
  type RecommendOptions,
  type RecommendResult,
  type RuntimeStatus,
  type TrackData,
} from '@localrec/core';
import { monotonicNow as now, pageDocument, preview } from '@localrec/core/internal';
import { IndexedDbEventStore } from '@localrec/store-idb';
import { startAutoCapture, type StartCapture } from './capture.js';
import { askInsight, askScenario, withCaches, withoutCaches, type InsightName } from './cold.js';
import {
  checkSource,
  DEFAULT_PURPOSES,
  effectivePurposes,
  mergePurposes,
  rememberConsent,
  type ConsentHook,
  type ConsentSource,
  type Purposes,
} from './consent.js';
import { emptyResult, hostOrder, noRuntime, type ConnectContext, type RecommenderApi, type RuntimeConnector } from './connector.js';
import { pickRuntime, type ModelChunk } from './model.js';
import { esmModel } from './model-esm.js';
import { createFlushScheduler } from './schedule.js';
import { SCENARIO_METHODS, type ScenarioName } from './scenarios.js';
import { linkTabs } from './tabs.js';
import type { Consent, ExportedData, ForgetProof, LocalRec, LocalRecConfigInput, LocalRecStatus } from './types.js';

type FallbackReason = NonNullable<RecommendResult['fallbackReason']>;

const gone = (): LocalRecError => new LocalRecError('NOT_READY', 'This LocalRec instance was destroyed; create a new one.');

/** The options only the browser SDK has: name → [check, what it must be]. The core validates the rest. */
const SDK_OPTIONS: ReadonlyArray<[keyof LocalRecConfigInput, (v: unknown) => boolean, string]> = [
  ['strict', (v) => typeof v === 'boolean', 'a boolean'],
  ['onError', (v) => typeof v === 'function', 'a function'],
  ['autoCapture', (v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null), 'a boolean or an object'],
  ['runtime', (v) => typeof (v as { connect?: unknown } | null)?.connect === 'function', 'a RuntimeConnector'],
  ['store', (v) => typeof (v as { append?: unknown } | null)?.append === 'function', 'an EventStore'],
  ['rememberConsent', (v) => v === false, 'false (true: npm build)'],
];

function checkSdkOptions(c: LocalRecConfigInput): void {
  for (const [field, ok, what] of SDK_OPTIONS) {
    if (c[field] !== undefined && !ok(c[field])) {
      throw new LocalRecError('INVALID_CONFIG', `config.${field} must be ${what}; got ${preview(c[field])}.`, { field, accepted: [what] });
    }
  }
}

/**
 * Creates a LocalRec instance. Touches no storage until the first write or read, but to delete
 * what has passed `retentionDays` from storage that already exists; connects a configured runtime
 * in the background.
 * @throws {LocalRecError} `INVALID_CONFIG` naming the bad option and the accepted values.
 * @example
 * const rec = createLocalRec({ appId: 'my-shop', requireConsent: true, consent: 'pending' });
 * rec.track('view', { itemId: 'SKU-1' });
 */
export function createLocalRec(config: LocalRecConfigInput): LocalRec {
  const capture = (): StartCapture => startAutoCapture;
  // Validated before any option is read: a hostile config (a proxy, a throwing getter) is INVALID_CONFIG.
  const resolved = resolveConfig(config);
  if (config.rememberConsent !== true) return createWithCapture(config, capture, esmModel);
  // Remembered consent (see consent.ts): the instance's store waits for the stored record.
  checkSdkOptions({ ...config, rememberConsent: false });
  const store = config.store ?? new IndexedDbEventStore({ appId: resolved.appId });
  const given = { requireConsent: resolved.requireConsent, ...(config.consent ? { consent: config.consent } : {}) };
  return rememberConsent(
    { ...given, ...(config.purposes ? { purposes: config.purposes } : {}) },
    store,
    (gated, hook) => createWithCapture({ ...config, store: gated, rememberConsent: false }, capture, esmModel, hook),
    (err) => config.onError?.(err instanceof LocalRecError ? err : new LocalRecError('STORAGE_FAILED', String(err), { cause: err })),
  );
}

/** The link to the recommendation runtime: connects lazily (memoised), sends the catalog, disconnects. */
interface RuntimeLink {
  /** The runtime's API, connecting on first use; a failed connect is evicted so the next call retries. */
  connect(): Promise<RecommenderApi>;
  /** Keeps the host's catalog and sends it to the runtime (now, and to every new connection). */
  setCatalog(items: Readonly<Record<string, ItemMeta>>): Promise<void>;
  /** Drops the connection and disposes its runtime; the next {@link RuntimeLink.connect} makes a new one. */
  disconnect(): Promise<void>;
  /** Where the connected runtime runs (its `runtime`), once connected and if it says. */
  readonly runtime: string | undefined;
}

function createRuntimeLink(connector: RuntimeConnector, ctx: ConnectContext): RuntimeLink {
  let runtime: Promise<RecommenderApi> | undefined;
  let catalog: Readonly<Record<string, ItemMeta>> | undefined;
  /** The catalog the current connection has. */
  let sent: typeof catalog;
  let where: string | undefined;
  const sendCatalog = async (api: RecommenderApi): Promise<RecommenderApi> => {
    where = api.runtime;
    const c = catalog;
    if (c && c !== sent) {
      sent = c;
      await api.setCatalog?.(c);
    }
    return api;
  };
  const connect = (): Promise<RecommenderApi> => {
    runtime ??= connector
      .connect(ctx)
      .then(sendCatalog)
      .catch((e: unknown) => {
        runtime = sent = undefined;
        throw e;
      });
    return runtime;
  };
  return {
    connect,
    get runtime() {
      return where;
    },
    async setCatalog(items) {
      catalog = items;
      await sendCatalog(await connect());
    },
    async disconnect() {
      const rt = runtime;
      runtime = sent = where = undefined;
      if (rt)
        await rt.then(
          (api) => api.dispose?.(),
          () => undefined,
        );
    },
  };
}

/**
 * The history calls are answered from. `forgetMe()` replaces it when it starts (with one that is
 * `erasing`) and when it ends (with a fresh one). A call that started in another history than the
 * current one, or while erasing, gets no answer from the runtime: it could stem from erased events.
 */
interface HistoryEpoch {
  readonly erasing: boolean;
}

/**
 * {@link createLocalRec} with the declarative-capture code supplied by the caller: bundled (npm
 * build), or loaded only when a page opts in (the script-tag build keeps it out of its budget).
 * `hook`: the remembered consent (`rememberConsent`, see consent.ts), in the npm build only (like
 * the consent platform adapters: the script-tag build stays within its budget).
 * @internal
 */
export function createWithCapture(
  config: LocalRecConfigInput,
  capture: () => StartCapture | Promise<StartCapture>,
  model: ModelChunk,
  hook?: ConsentHook,
): LocalRec {
  const resolved = resolveConfig(config);
  checkSdkOptions(config);
  const connector = pickRuntime(config, model, noRuntime);
  let purposes = mergePurposes(DEFAULT_PURPOSES, config.purposes, 'config.purposes', 'INVALID_CONFIG');
  const strict = config.strict === true;
  const onError = config.onError;
  let lastError: LocalRecError | undefined;
  let inRateLimitFlood = false;
  /** Reports `err` (any thrown value, made a LocalRecError): remembers it, tells `onError`, warns once per rate-limit flood. */
  const report = (err: unknown): LocalRecError => {
    // A LocalRecError from the lazily loaded capture chunk is another copy of the class: same name.
    const e =
      err instanceof LocalRecError || (err as Error | undefined)?.name == 'LocalRecError'
        ? (err as LocalRecError)
        : new LocalRecError('INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
    lastError = e;
    try {
      onError?.(e);
    } catch {
      // A throwing host callback must not break recording.
    }
    // A runaway script can hit the rate limit thousands of times: say it once per flood.
    const flood = e.code === 'RATE_LIMITED';
    if (!(flood && inRateLimitFlood)) console.warn(`LocalRec: ${e.code}: ${e.message}`);
    inRateLimitFlood = flood;
    return e;
  };
  /** Reports `err`, and rethrows it in strict mode. */
  const fail = (err: unknown): void => {
    const e = report(err);
    if (strict) throw e;
  };
  let destroyed = false;

  // ---- recording. IndexedDB unless the host plugs in another store. If IndexedDB is missing or
  // fails to open (private mode, blocked, quota), the Recorder switches to memory and reports it:
  // one path for "absent" and "present but broken", decided by really opening it, not by sniffing.
  const own = config.store ?? new IndexedDbEventStore({ appId: resolved.appId });
  // Other tabs of the shop: an erase or a consent change there applies here at once (see tabs.ts).
  const tabs = linkTabs(resolved.appId, own, {
    erased() {
      recorder.discard();
      epoch = { erasing: false }; // calls in flight get no answer from the erased history
      link.disconnect().catch(report);
    },
    consent(c, p) {
      recorder.setConsent(c);
      purposes = p;
      hook?.changed(c, p);
    },
  });
  const store = tabs.store;
  const recorder = new Recorder({ config: resolved, store, onError: report, strict });
  // Retention without waiting for a write: what expired while the shop was closed is deleted now.
  void recorder.open();
  const flushQuietly = (): Promise<unknown> => recorder.flush().catch(report);
  const scheduler = createFlushScheduler((reason) => {
    // The page may never run another task: write without waiting for the tabs' lock.
    if (reason === 'pagehide' || reason === 'hidden') {
      tabs.leaving();
      void recorder.flushNow().catch(report);
    } else void flushQuietly();
  }, resolved.flushIntervalMs);

  const record = (type: string, data: TrackData | undefined): NewEvent | undefined => {
    try {
      if (destroyed) throw gone();
      const ev = recorder.record(type, data ?? {});
      inRateLimitFlood = false;
      scheduler.poke();
      return ev;
    } catch (err) {
      fail(err);
      return undefined;
    }
  };

  // ---- declarative capture, loaded only when asked for and only in a page.
  let stopCapture: (() => void) | undefined;
  const doc = pageDocument();
  if (config.autoCapture && doc) {
    const opts = typeof config.autoCapture === 'object' ? config.autoCapture : {};
    Promise.resolve()
      .then(capture)
      .then((start) => {
        if (!destroyed) stopCapture = start(doc, record, opts);
      })
      .catch(report);
  }

  // ---- the runtime: no history crosses the link; the runtime reads the same store itself.
  const link = createRuntimeLink(connector, {
    appId: resolved.appId,
    retentionMs: resolved.retentionMs,
    get consent(): Consent {
      return recorder.consent;
    },
    get store() {
      return recorder.store;
    },
    get writes() {
      return recorder.writes;
    },
    track: record,
    report,
  });
  // Warm a real runtime up before the first request (model download, backend choice).
  if (connector !== noRuntime) link.connect().catch(report);
  let epoch: HistoryEpoch = { erasing: false };

  /** History may feed recommendations exactly when it may be stored, and personalisation is on. */
  const historyAllowed = (): boolean => recorder.canWrite && purposes.personalisation;

  /** Asks the runtime; `fallbackFor` answers when it fails or forgetMe() intervened. */
  const ask = async (
    run: (api: RecommenderApi) => Promise<RecommendResult> | RecommendResult,
    fallbackFor: (reason: FallbackReason, tookMs: number) => RecommendResult,
  ): Promise<RecommendResult> => {
    const t0 = now();
    const asked = epoch;
    let why: FallbackReason = 'no-history';
    try {
      if (destroyed) throw gone();
      // Real time: what was tracked just before this call is in the store before the runtime reads it.
      await flushQuietly();
      // forgetMe() ran meanwhile or is running: no answer from the erased history, and no new runtime for it.
      if (asked === epoch && !asked.erasing) {
        const r = await run(await link.connect());
        if (asked === epoch) return r;
      }
    } catch (err) {
      if (asked === epoch) {
        report(err);
        why = 'error';
      }
    }
    return fallbackFor(why, now() - t0);
  };

  /** The scenario methods, forwarded by name (see {@link askScenario}: consent decides what they may read). */
  const scenarios = Object.fromEntries(
    SCENARIO_METHODS.map((name) => [name, (...args: unknown[]) => askScenario(ask, name, args, historyAllowed())]),
  ) as unknown as Pick<LocalRec, ScenarioName>;

  /** Forwards an insights call to the runtime (see {@link askInsight}). */
  const insight = async (name: InsightName, arg?: unknown): Promise<never> => {
    if (destroyed) throw gone();
    return askInsight(
      name,
      arg,
      { history: historyAllowed(), segments: effectivePurposes(purposes).segments },
      flushQuietly,
      () => link.connect(),
      connector.kind,
    );
  };

  /** Erases everything this shopper left on the device; see {@link LocalRec.forgetMe}. */
  const forget = (): Promise<ForgetProof> => tabs.erase(erase);
  const erase = async (): Promise<ForgetProof> => {
    epoch = { erasing: true };
    try {
      // Stop the runtime first: a model load in flight must not re-create its cache after the
      // erase. The next recommendation call connects a fresh one.
      await link.disconnect().catch(report);
      return await withoutCaches(await recorder.forget(), report);
    } finally {
      epoch = { erasing: false };
    }
  };

  /** Stops capture, timers and the runtime, flushes, and closes storage; see {@link LocalRec.destroy}. */
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    stopCapture?.();
    scheduler.dispose();
    await flushQuietly();
    destroyed = true;
    recorder.close();
    await link.disconnect();
    tabs.close();
    recorder.store.close();
    if (recorder.store !== store) store.close();
  };

  return {
    track: record,
    setConsent(c: Consent, p?: Partial<Purposes>, source: ConsentSource = 'host') {
      try {
        const next = mergePurposes(purposes, p);
        checkSource(source);
        recorder.setConsent(c);
        purposes = next;
        tabs.consent(c, next);
        hook?.changed(c, next, source);
        scheduler.poke();
      } catch (err) {
        fail(err);
      }
    },
    get consent() {
      return recorder.consent;
    },
    get purposes() {
      return effectivePurposes(purposes);
    },
    get status(): LocalRecStatus {
      // The Recorder's status (storage, degraded, pending, storageError when degraded) and the SDK's.
      const s: LocalRecStatus = { ...recorder.status, consent: recorder.consent, runtime: link.runtime ?? connector.kind, destroyed };
      if (lastError) s.lastError = serializeError(lastError);
      return s;
    },
    flush: () => recorder.flush(),
    exportData: async (): Promise<ExportedData> => withCaches(await recorder.exportData(), resolved.appId, report),
    forgetMe: forget,
    async recommend(options: RecommendOptions = {}) {
      // Without consent nothing is asked or read: no time spent (tookMs 0).
      if (!historyAllowed()) return emptyResult('no-consent');
      return ask((api) => api.recommend(options), emptyResult);
    },
    similar(itemId: string, options: RecommendOptions = {}) {
      // Item-to-item: no history needed. Without consent the runtime must not read it either.
      const opts = historyAllowed() ? options : { ...options, excludePurchased: false };
      return ask((api) => api.similar(itemId, opts), emptyResult);
    },
    async rank(itemIds: readonly string[], options: RecommendOptions = {}) {
      const given: unknown = itemIds; // checked at run time: a script-tag caller is untyped
      const ids = Array.isArray(given) ? [...(given as string[])] : [];
      if (!historyAllowed()) return hostOrder(ids, 'no-consent');
      return ask(
        (api) => api.rank(ids, options),
        (why, took) => hostOrder(ids, why, took),
      );
    },
    ...scenarios,
    async setCatalog(items: Readonly<Record<string, ItemMeta>>) {
      try {
        await link.setCatalog(items);
      } catch (err) {
        fail(err);
      }
    },
    getProfile: () => insight('getProfile'),
    getSegments: () => insight('getSegments'),
    setSocialContext: (c) => insight('setSocialContext', c),
    async runtimeStatus(): Promise<RuntimeStatus> {
      try {
        return await (await link.connect()).status();
      } catch (err) {
        const e = report(err);
        return { ready: false, error: { code: e.code, message: e.message } };
      }
    },
    destroy,
  };
}
