/**
 * `createLocalRec`: the main-thread SDK. It wires the core's Recorder (validation, rate limit,
 * consent gating, write-behind queue, memory fallback) to the browser: a storage adapter, flush
 * triggers, optional declarative capture, and the recommendation runtime seam.
 */
import {
  LocalRecError,
  Recorder,
  detectCapabilities,
  resolveConfig,
  serializeError,
  type ItemMeta,
  type NewEvent,
  type RecommendOptions,
  type RecommendResult,
  type RuntimeStatus,
  type TrackData,
} from '@localrec/core';
import { IndexedDbEventStore } from '@localrec/store-idb';
import { startAutoCapture, type StartCapture } from './capture.js';
import { emptyResult, hostOrder, noRuntime, type ConnectContext, type RecommenderApi } from './connector.js';
import { createFlushScheduler } from './schedule.js';
import type { Consent, ExportedData, ForgetProof, LocalRec, LocalRecConfigInput, LocalRecStatus } from './types.js';

type FallbackReason = NonNullable<RecommendResult['fallbackReason']>;

const gone = (): LocalRecError => new LocalRecError('NOT_READY', 'This LocalRec instance was destroyed; create a new one.');
const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The options only the browser SDK has: name → [check, what it must be]. The core validates the rest. */
const SDK_OPTIONS: ReadonlyArray<[keyof LocalRecConfigInput, (v: unknown) => boolean, string]> = [
  ['strict', (v) => typeof v === 'boolean', 'a boolean'],
  ['onError', (v) => typeof v === 'function', 'a function'],
  ['autoCapture', (v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null), 'a boolean or an object'],
  ['runtime', (v) => typeof (v as { connect?: unknown } | null)?.connect === 'function', 'a RuntimeConnector'],
  ['store', (v) => typeof (v as { append?: unknown } | null)?.append === 'function', 'an EventStore'],
];

function checkSdkOptions(c: LocalRecConfigInput): void {
  for (const [field, ok, what] of SDK_OPTIONS) {
    if (c[field] !== undefined && !ok(c[field])) {
      throw new LocalRecError('INVALID_CONFIG', `config.${field} must be ${what}.`, { field, accepted: [what] });
    }
  }
}

/**
 * Creates a LocalRec instance. Touches no storage until the first write or read; connects a
 * configured runtime in the background.
 * @throws {LocalRecError} `INVALID_CONFIG` naming the bad option and the accepted values.
 * @example
 * const rec = createLocalRec({ appId: 'my-shop', requireConsent: true, consent: 'pending' });
 * rec.track('view', { itemId: 'SKU-1' });
 */
export function createLocalRec(config: LocalRecConfigInput): LocalRec {
  return createWithCapture(config, () => startAutoCapture);
}

/**
 * {@link createLocalRec} with the declarative-capture code supplied by the caller: bundled (npm
 * build), or loaded only when a page opts in (the script-tag build keeps it out of its budget).
 * @internal
 */
export function createWithCapture(config: LocalRecConfigInput, capture: () => StartCapture | Promise<StartCapture>): LocalRec {
  const resolved = resolveConfig(config);
  checkSdkOptions(config);
  const strict = config.strict === true;
  const onError = config.onError;
  let lastError: LocalRecError | undefined;
  let destroyed = false;
  let quietRateLimit = false;

  const report = (err: unknown): LocalRecError => {
    // A LocalRecError from the lazily loaded capture chunk is another copy of the class: same name.
    const e = err instanceof LocalRecError || (err as Error | undefined)?.name == 'LocalRecError'
      ? err as LocalRecError
      : new LocalRecError('INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
    lastError = e;
    try {
      onError?.(e);
    } catch {
      // A throwing host callback must not break recording.
    }
    // A runaway script can hit the rate limit thousands of times: say it once per flood.
    const flood = e.code === 'RATE_LIMITED';
    if (!(flood && quietRateLimit)) console.warn(`LocalRec: ${e.code}: ${e.message}`);
    quietRateLimit = flood;
    return e;
  };

  // IndexedDB unless the host plugs in another store. If IndexedDB is missing or fails to open
  // (private mode, blocked, quota), the Recorder switches to memory and reports it: one path for
  // "absent" and "present but broken", decided by really opening it rather than by sniffing.
  const store = config.store ?? new IndexedDbEventStore({ appId: resolved.appId });
  const recorder = new Recorder({ config: resolved, store, onError: report, strict });

  const scheduler = createFlushScheduler(() => {
    recorder.flush().catch(report);
  }, resolved.flushIntervalMs);

  const record = (type: string, data: TrackData | undefined): NewEvent | undefined => {
    try {
      if (destroyed) throw gone();
      const ev = recorder.record(type, data ?? {});
      quietRateLimit = false;
      scheduler.poke();
      return ev;
    } catch (err) {
      const e = report(err);
      if (strict) throw e;
      return undefined;
    }
  };

  let stopCapture: (() => void) | undefined;
  if (config.autoCapture && typeof document !== 'undefined') {
    const opts = typeof config.autoCapture === 'object' ? config.autoCapture : {};
    Promise.resolve().then(capture).then((start) => {
      if (!destroyed) stopCapture = start(document, record, opts);
    }).catch(report);
  }

  // ---- recommendation seam: no history crosses it; the runtime reads the same store itself.
  const connector = config.runtime ?? noRuntime;
  const ctx: ConnectContext = {
    appId: resolved.appId,
    get consent(): Consent { return recorder.consent; },
    get store() { return recorder.store; },
    get writes() { return recorder.writes; },
    track: record,
  };
  let runtime: Promise<RecommenderApi> | undefined;
  /** Bumped by forgetMe(): answers of calls made before it are dropped. */
  let era = 0;
  let catalog: Readonly<Record<string, ItemMeta>> | undefined;
  let sent: typeof catalog;
  /** Sends the host's catalog unless this connection already has it. */
  const sendCatalog = async (api: RecommenderApi): Promise<RecommenderApi> => {
    const c = catalog;
    if (c && c !== sent) {
      sent = c;
      await api.setCatalog?.(c);
    }
    return api;
  };
  const connect = (): Promise<RecommenderApi> => {
    // Memoised; a failed connect is evicted so the next call retries.
    runtime ??= connector.connect(ctx).then(sendCatalog).catch((e: unknown) => {
      runtime = sent = undefined;
      throw e;
    });
    return runtime;
  };
  // Warm a real runtime up before the first request (model download, backend choice).
  if (connector !== noRuntime) connect().catch(report);

  /** History may feed recommendations exactly when it may be stored. */
  const historyAllowed = (): boolean => recorder.canWrite;

  const ask = async (
    run: (api: RecommenderApi) => Promise<RecommendResult>,
    fallbackFor: (reason: FallbackReason, tookMs: number) => RecommendResult,
  ): Promise<RecommendResult> => {
    const t0 = now();
    const e = era;
    try {
      if (destroyed) throw gone();
      // Real time: what was tracked just before this call is in the store before the runtime reads it.
      await recorder.flush().catch(report);
      // forgetMe() ran meanwhile (or is running: era is odd then): no answer from the erased
      // history, and no new runtime for it.
      if (e === era && !(e & 1)) {
        const r = await run(await connect());
        if (e === era) return r;
      }
      return fallbackFor('no-history', now() - t0);
    } catch (err) {
      if (e !== era) return fallbackFor('no-history', now() - t0);
      report(err);
      return fallbackFor('error', now() - t0);
    }
  };

  /** Forwards an insights call to the runtime; profile and segments need consent here too. */
  const insight = async (name: 'getProfile' | 'getSegments' | 'setSocialContext', arg?: unknown): Promise<never> => {
    if (destroyed) throw gone();
    if (name[0] === 'g' && !historyAllowed()) throw new LocalRecError('CONSENT_REQUIRED', `${name} needs consent`, { field: 'consent' });
    await recorder.flush().catch(report);
    const api = await connect();
    if (!api[name]) throw new LocalRecError('NOT_READY', `No ${name} in runtime ${connector.kind}`);
    return api[name]!(arg as null) as Promise<never>;
  };

  const status = (): LocalRecStatus => {
    const r = recorder.status;
    const s: LocalRecStatus = {
      storage: r.storage,
      degraded: r.degraded,
      pending: r.pending,
      consent: recorder.consent,
      runtime: connector.kind,
      destroyed,
    };
    if (r.storageError) s.storageError = r.storageError;
    if (lastError) s.lastError = serializeError(lastError);
    return s;
  };

  const rec: LocalRec = {
    track: record,
    setConsent(c: Consent) {
      try {
        recorder.setConsent(c);
        scheduler.poke();
      } catch (err) {
        const e = report(err);
        if (strict) throw e;
      }
    },
    get consent() { return recorder.consent; },
    get status() { return status(); },
    flush: () => recorder.flush(),
    async exportData(): Promise<ExportedData> {
      const dump = await recorder.exportData();
      return { ...dump, exportedAt: new Date().toISOString(), app: resolved.appId };
    },
    async forgetMe(): Promise<ForgetProof> {
      // Stop the runtime first: a model load in flight must not re-create its cache after the
      // erase. The next recommendation call connects a fresh one.
      era++; // odd while erasing
      try {
        const rt = runtime;
        runtime = sent = undefined;
        if (rt) await rt.then((api) => api.dispose?.(), () => undefined).catch(report);
        const proof = await recorder.forget();
        let remainingCaches: string[] = [];
        if (detectCapabilities().cacheStorage) {
          const ours = async (): Promise<string[]> => (await caches.keys()).filter((k) => k.startsWith('localrec'));
          try {
            await Promise.all((await ours()).map((k) => caches.delete(k)));
            remainingCaches = await ours();
          } catch (err) {
            report(err);
            remainingCaches = ['(Cache Storage unreadable)'];
          }
        }
        return { ...proof, remainingCaches, verified: proof.verified && remainingCaches.length === 0 };
      } finally {
        era++;
      }
    },
    recommend(options: RecommendOptions = {}) {
      const t0 = now();
      if (!historyAllowed()) return Promise.resolve(emptyResult('no-consent', now() - t0));
      return ask((api) => api.recommend(options), (why, took) => emptyResult(why, took));
    },
    similar(itemId: string, options: RecommendOptions = {}) {
      // Item-to-item: no history needed. Without consent the runtime must not read it either.
      const opts = historyAllowed() ? options : { ...options, excludePurchased: false };
      return ask((api) => api.similar(itemId, opts), (why, took) => emptyResult(why, took));
    },
    rank(itemIds: readonly string[], options: RecommendOptions = {}) {
      const ids = Array.isArray(itemIds) ? [...itemIds] : [];
      const t0 = now();
      if (!historyAllowed()) return Promise.resolve(hostOrder(ids, 'no-consent', now() - t0));
      return ask((api) => api.rank(ids, options), (why, took) => hostOrder(ids, why, took));
    },
    async setCatalog(items: Readonly<Record<string, ItemMeta>>) {
      catalog = items;
      try {
        await sendCatalog(await connect());
      } catch (err) {
        const e = report(err);
        if (strict) throw e;
      }
    },
    getProfile: () => insight('getProfile'),
    getSegments: () => insight('getSegments'),
    setSocialContext: (c) => insight('setSocialContext', c),
    async runtimeStatus(): Promise<RuntimeStatus> {
      try {
        return await (await connect()).status();
      } catch (err) {
        const e = report(err);
        return { ready: false, error: { code: e.code, message: e.message } };
      }
    },
    async destroy() {
      if (destroyed) return;
      stopCapture?.();
      scheduler.dispose();
      try {
        await recorder.flush();
      } catch (err) {
        report(err);
      }
      destroyed = true;
      const rt = runtime;
      runtime = undefined;
      if (rt) await rt.then((api) => api.dispose?.(), () => undefined);
      recorder.store.close();
      if (recorder.store !== store) store.close();
    },
  };
  return rec;
}
