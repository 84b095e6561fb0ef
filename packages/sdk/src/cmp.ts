/**
 * Adapters from a consent platform's signals to LocalRec's consent and {@link Purposes}: IAB TCF
 * v2.2 (`window.__tcfapi`) and Google Consent Mode (`gtag('consent', …)` on `window.dataLayer`).
 * Each has a pure mapping (`fromTcf`, `fromConsentMode`) and a listener that applies the platform's
 * current and later signals to a LocalRec instance (`listenTcf`, `listenConsentMode`). In the npm
 * build only (the script-tag bundle stays small: a page can call `setConsent` from its CMP itself).
 *
 * Default mapping (pass `map` to change the TCF purposes):
 *
 * | LocalRec | TCF v2.2 (purpose consents) | Consent Mode |
 * |---|---|---|
 * | `consent` (anything stored) | `granted` with Purpose 1 (store and/or access information on a device), else `denied` | `personalization_storage` |
 * | `personalisation` | Purposes 5 and 6 (create / use profiles to personalise content) | `personalization_storage` |
 * | `segments` (can leave the device) | Purposes 3 and 4 (create / use profiles for personalised advertising) | `ad_user_data` and `ad_personalization` |
 *
 * A TCF signal counts once the shopper has decided (`eventStatus` `tcloaded` or
 * `useractioncomplete`; `cmpuishown` is ignored); `gdprApplies: false` grants everything (no
 * consent is needed there). LocalRec is first-party, so vendor consents are not read. Global
 * Privacy Control still switches segments off whatever the platform says ({@link effectivePurposes}).
 */
import { pageWindow, preview } from '@localrec/core/internal';
import { LocalRecError, type Consent } from '@localrec/core';
import type { ConsentSource, Purposes } from './consent.js';

/** What a consent platform's signal means for LocalRec. */
export interface ConsentSignal {
  consent: Consent;
  purposes: Purposes;
}

/** The part of a TCF v2.2 `TCData` object the mapping reads. */
export interface TcfData {
  gdprApplies?: boolean;
  eventStatus?: string;
  listenerId?: number;
  purpose?: { consents?: Record<string, boolean | undefined> };
}

/** Which TCF purposes (numbers) each LocalRec switch needs, all of them consented. */
export interface TcfPurposeMap {
  storage: readonly number[];
  personalisation: readonly number[];
  segments: readonly number[];
}

/** The default {@link TcfPurposeMap} (see the module documentation). */
export const TCF_PURPOSES: Readonly<TcfPurposeMap> = Object.freeze({ storage: [1], personalisation: [5, 6], segments: [3, 4] });

/** The `window.__tcfapi` function (TCF v2.2). */
export type TcfApi = (command: string, version: number, callback: (data: TcfData, success: boolean) => void, parameter?: unknown) => void;

/**
 * Checks a {@link TcfPurposeMap}: each switch an array of TCF purpose numbers (integers ≥ 1).
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming `map` or `map.<switch>`.
 */
function checkTcfMap(map: unknown): Readonly<TcfPurposeMap> {
  const keys = Object.keys(TCF_PURPOSES) as Array<keyof TcfPurposeMap>;
  if (typeof map !== 'object' || map === null)
    throw new LocalRecError('INVALID_ARGUMENT', `map must be an object of ${keys.join(', ')}; got ${preview(map)}.`, {
      field: 'map',
      accepted: keys,
    });
  for (const k of keys) {
    const ids = (map as Record<string, unknown>)[k];
    if (!Array.isArray(ids) || !ids.every((n) => Number.isInteger(n) && (n as number) >= 1))
      throw new LocalRecError('INVALID_ARGUMENT', `map.${k} must be an array of TCF purpose numbers (integers ≥ 1); got ${preview(ids)}.`, {
        field: `map.${k}`,
        accepted: ['an array of integers ≥ 1'],
      });
  }
  return map as TcfPurposeMap;
}

/**
 * Maps a TCF v2.2 `TCData` onto LocalRec's consent; `undefined` while the shopper has not decided
 * (and for data that cannot be read: a signal the mapping cannot read is no decision).
 * @throws {LocalRecError} `INVALID_ARGUMENT` for a bad `map` (naming `map.<switch>`).
 * @example fromTcf({ gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: { 1: true } } })
 *   // → { consent: 'granted', purposes: { personalisation: false, segments: false } }
 */
export function fromTcf(data: TcfData, map: Readonly<TcfPurposeMap> = TCF_PURPOSES): ConsentSignal | undefined {
  checkTcfMap(map);
  try {
    return readTcf(data, map);
  } catch {
    return undefined;
  }
}

/** {@link fromTcf} without the guards (may throw for data whose getters throw). */
function readTcf(data: TcfData, map: Readonly<TcfPurposeMap>): ConsentSignal | undefined {
  if (data?.gdprApplies === false) return { consent: 'granted', purposes: { personalisation: true, segments: true } };
  if (data?.eventStatus !== 'tcloaded' && data?.eventStatus !== 'useractioncomplete') return undefined;
  const consents = data.purpose?.consents ?? {};
  const all = (ids: readonly number[]): boolean => ids.every((id) => (consents as Record<number, unknown> | null)?.[id] === true);
  return {
    consent: all(map.storage) ? 'granted' : 'denied',
    purposes: { personalisation: all(map.personalisation), segments: all(map.segments) },
  };
}

/** What {@link listenTcf} and {@link listenConsentMode} apply signals to (a LocalRec instance). */
export interface ConsentTarget {
  /** `source` says which adapter it was (`tcf`, `consent-mode`), for the remembered consent record. */
  setConsent(consent: Consent, purposes?: Partial<Purposes>, source?: ConsentSource): void;
}

/**
 * Applies the CMP's TCF signals to `rec`: the current one, and every change, until the returned
 * function is called. Does nothing (and returns a no-op) when the page has no `__tcfapi`.
 * @throws {LocalRecError} `INVALID_ARGUMENT` for a bad `options.map` (naming `map.<switch>`).
 * @example const stop = listenTcf(rec);
 */
export function listenTcf(rec: ConsentTarget, options: { map?: TcfPurposeMap; api?: TcfApi } = {}): () => void {
  if (options.map !== undefined) checkTcfMap(options.map);
  const api = options.api ?? (pageWindow() as unknown as { __tcfapi?: TcfApi } | undefined)?.__tcfapi;
  if (typeof api !== 'function') return () => undefined;
  let listenerId: number | undefined;
  let stopped = false;
  const onData = (data: TcfData, success: boolean): void => {
    if (!success || stopped) return;
    let id: unknown;
    try {
      id = (data as TcfData | null)?.listenerId;
    } catch {
      return; // data that cannot be read is no signal (fromTcf says the same), and must not throw into the CMP
    }
    if (typeof id === 'number') listenerId = id;
    const s = fromTcf(data, options.map);
    if (s) rec.setConsent(s.consent, s.purposes, 'tcf');
  };
  api('addEventListener', 2, onData);
  return () => {
    stopped = true;
    if (listenerId !== undefined) api('removeEventListener', 2, () => undefined, listenerId);
  };
}

/** Consent Mode's state: its keys (`ad_storage`, `personalization_storage`, …) → `'granted'` | `'denied'`. */
export type ConsentModeState = Readonly<Record<string, string | undefined>>;

/**
 * Maps a Consent Mode state onto LocalRec's consent; `undefined` when it does not say
 * `personalization_storage` (LocalRec's signal).
 * @example fromConsentMode({ personalization_storage: 'granted', ad_user_data: 'denied' })
 *   // → { consent: 'granted', purposes: { personalisation: true, segments: false } }
 */
export function fromConsentMode(state: ConsentModeState): ConsentSignal | undefined {
  try {
    const p = state?.personalization_storage;
    if (p !== 'granted' && p !== 'denied') return undefined;
    return {
      consent: p,
      purposes: { personalisation: p === 'granted', segments: state.ad_user_data === 'granted' && state.ad_personalization === 'granted' },
    };
  } catch {
    return undefined; // a state that cannot be read says nothing
  }
}

/** One `dataLayer` entry: `gtag()` pushes its `arguments`. */
type DataLayer = unknown[] & { push(...items: unknown[]): number };

/**
 * Applies Google Consent Mode to `rec`: the `gtag('consent', 'default' | 'update', {…})` calls
 * already on `window.dataLayer` (in order), and every later one, until the returned function is
 * called. Creates `dataLayer` if the page has none yet (as `gtag` does). Region-specific defaults are
 * not told apart: the last call wins.
 * @throws {LocalRecError} `INVALID_ARGUMENT` when `options.dataLayer` is given and is not an array.
 * @example const stop = listenConsentMode(rec);
 */
export function listenConsentMode(rec: ConsentTarget, options: { dataLayer?: unknown[] } = {}): () => void {
  if (options.dataLayer !== undefined && !Array.isArray(options.dataLayer))
    throw new LocalRecError(
      'INVALID_ARGUMENT',
      `dataLayer must be an array (gtag's window.dataLayer); got ${preview(options.dataLayer)}.`,
      {
        field: 'dataLayer',
        accepted: ['an array'],
      },
    );
  const win = pageWindow() as unknown as { dataLayer?: unknown[] } | undefined;
  const layer = (options.dataLayer ?? (win ? (win.dataLayer ??= []) : [])) as DataLayer;
  const state: Record<string, string> = {};
  let last: string | undefined;
  /** Folds a consent command into `state`; an entry that cannot be read is not one (and must not break the page's `push`). */
  const read = (entry: unknown): void => {
    try {
      const a = entry as ArrayLike<unknown> | null;
      if (!a || typeof a !== 'object' || a[0] !== 'consent' || (a[1] !== 'default' && a[1] !== 'update')) return;
      const given = a[2];
      if (given && typeof given === 'object') for (const [k, v] of Object.entries(given)) if (typeof v === 'string') state[k] = v;
    } catch {
      // not a consent command
    }
  };
  /** Applies `state` when it changed what LocalRec is told. */
  const apply = (): void => {
    const s = fromConsentMode(state);
    const key = JSON.stringify(s);
    if (s && key !== last) {
      last = key;
      rec.setConsent(s.consent, s.purposes, 'consent-mode');
    }
  };
  // What the page said so far, as one signal (a `default: denied` already overridden must not drop the queue).
  for (const entry of [...layer]) read(entry);
  apply();
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with apply(layer), and put back as it was
  const push = layer.push;
  const ours = function (this: unknown, ...items: unknown[]): number {
    const n = push.apply(layer, items);
    items.forEach((item) => {
      read(item);
      apply();
    });
    return n;
  };
  layer.push = ours;
  return () => {
    if (layer.push === ours) layer.push = push;
  };
}
