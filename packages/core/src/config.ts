/**
 * LocalRec's one configuration object: the options every adapter shares, their defaults, and
 * {@link resolveConfig}, which validates them and fills in defaults.
 */
import { LocalRecError } from './errors.js';
import { preview } from './preview.js';
import type { RateLimit } from './rate.js';

/** The shopper's consent to on-device storage. */
export type Consent = 'granted' | 'denied' | 'pending';

/** Accepted consent values, for error messages and UIs. */
export const CONSENT_VALUES: readonly Consent[] = ['granted', 'denied', 'pending'];

/**
 * Configuration shared by every LocalRec front end. Only `appId` is required.
 * Unknown keys are ignored here (front ends add their own options, e.g. the SDK's `onError`).
 */
export interface LocalRecConfig {
  /** Identifies the shop; names the on-device database (`localrec:<appId>`). `[A-Za-z0-9._-]`, 1–64 chars. */
  appId: string;
  /** Current consent. Default: `'pending'` when `requireConsent`, else `'granted'`. `'denied'` never stores. */
  consent?: Consent;
  /** When true, nothing is written to any storage until consent is `'granted'`. Default false. */
  requireConsent?: boolean;
  /** Events older than this many days are deleted. Default 30. */
  retentionDays?: number;
  /** At most this many events are kept; the oldest are evicted first. Default 20,000. */
  maxEvents?: number;
  /** Idle gap after which a new session starts, in ms. Default 30 min. */
  sessionIdleMs?: number;
  /** `track()` rate limit, or `false` to disable. Default 50/s with bursts of 500. */
  rateLimit?: RateLimit | false;
  /** Write-behind timer: queued events are flushed at most this long after being recorded, in ms. Default 1,000. */
  flushIntervalMs?: number;
  /** Events per storage transaction; a full batch is flushed at once. Default 500. */
  batchSize?: number;
  /** Most events held in memory (waiting for consent or a flush); beyond it the oldest are dropped. Default 5,000. */
  queueLimit?: number;
}

/** {@link LocalRecConfig} with every default filled in. */
export interface ResolvedConfig {
  readonly appId: string;
  readonly consent: Consent;
  readonly requireConsent: boolean;
  readonly retentionDays: number;
  readonly retentionMs: number;
  readonly maxEvents: number;
  readonly sessionIdleMs: number;
  readonly rateLimit: Readonly<RateLimit> | false;
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  readonly queueLimit: number;
}

/** The defaults, documented in the core README. */
export const DEFAULT_CONFIG = Object.freeze({
  retentionDays: 30,
  maxEvents: 20_000,
  sessionIdleMs: 30 * 60 * 1000,
  rateLimit: Object.freeze({ perSecond: 50, burst: 500 }),
  flushIntervalMs: 1_000,
  batchSize: 500,
  queueLimit: 5_000,
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** What an app id may be: 1–64 characters from `A-Z a-z 0-9 . _ -` (it names databases and storage keys). */
export const APP_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** {@link APP_ID_PATTERN} in words, for error messages. */
const APP_ID_RULE = '1–64 characters from A-Z a-z 0-9 . _ -';

/**
 * Validates an app id wherever one is configured (the SDK's config, a store's options).
 * @param where names the object the id came from in the message, e.g. `config` or `IndexedDbEventStore`.
 * @throws {LocalRecError} `INVALID_CONFIG` with `field: 'appId'`, naming the bad value and the accepted characters.
 */
export function checkAppId(value: unknown, where = 'config'): string {
  if (typeof value !== 'string' || !APP_ID_PATTERN.test(value)) {
    throw new LocalRecError('INVALID_CONFIG', `${where}.appId must be a string of ${APP_ID_RULE}; got ${preview(value)}.`, {
      field: 'appId',
      accepted: [APP_ID_RULE],
    });
  }
  return value;
}

function bad(field: string, accepted: readonly string[], got: unknown, what: string): LocalRecError {
  return new LocalRecError('INVALID_CONFIG', `config.${field} must be ${what}; got ${preview(got)}.`, {
    field,
    accepted,
  });
}

function num(field: string, v: unknown, min: number, max: number, integer: boolean, dflt: number): number {
  if (v === undefined) return dflt;
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
  if (!ok) {
    const what = `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
    throw bad(field, [`${min}–${max}`], v, what);
  }
  return v;
}

function own(obj: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  if (d === undefined) return undefined;
  if (!('value' in d)) throw bad(key, ['a plain data property'], undefined, 'a plain data property, not a getter');
  return d.value;
}

/**
 * Validates a configuration and fills in defaults.
 * @throws {LocalRecError} `INVALID_CONFIG` whose `field` names the option and `accepted` the accepted values.
 * @example resolveConfig({ appId: 'shop', requireConsent: true }).consent // 'pending'
 */
export function resolveConfig(input: LocalRecConfig): ResolvedConfig {
  try {
    return resolveUnsafe(input);
  } catch (err) {
    if (err instanceof LocalRecError) throw err;
    // Hostile input (a Proxy whose traps throw, …): still a typed error, never a raw exception.
    throw new LocalRecError('INVALID_CONFIG', 'config could not be read as a plain object.', {
      field: '',
      accepted: ['a plain object'],
      cause: err,
    });
  }
}

function resolveUnsafe(input: LocalRecConfig): ResolvedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw bad('', ['an object with at least { appId }'], input, 'an object');
  }
  const appId = checkAppId(own(input, 'appId'));
  const requireConsentRaw = own(input, 'requireConsent');
  if (requireConsentRaw !== undefined && typeof requireConsentRaw !== 'boolean') {
    throw bad('requireConsent', ['true', 'false'], requireConsentRaw, 'a boolean');
  }
  const requireConsent = requireConsentRaw === true;
  const consentRaw = own(input, 'consent');
  if (consentRaw !== undefined && !CONSENT_VALUES.includes(consentRaw as Consent)) {
    throw bad('consent', CONSENT_VALUES, consentRaw, `one of ${CONSENT_VALUES.join(', ')}`);
  }
  const consent = (consentRaw as Consent | undefined) ?? (requireConsent ? 'pending' : 'granted');

  const retentionDays = num('retentionDays', own(input, 'retentionDays'), 0.001, 3650, false, DEFAULT_CONFIG.retentionDays);
  const maxEvents = num('maxEvents', own(input, 'maxEvents'), 1, 10_000_000, true, DEFAULT_CONFIG.maxEvents);
  const sessionIdleMs = num('sessionIdleMs', own(input, 'sessionIdleMs'), 1_000, 7 * DAY_MS, true, DEFAULT_CONFIG.sessionIdleMs);
  const flushIntervalMs = num('flushIntervalMs', own(input, 'flushIntervalMs'), 0, 60_000, true, DEFAULT_CONFIG.flushIntervalMs);
  const batchSize = num('batchSize', own(input, 'batchSize'), 1, 10_000, true, DEFAULT_CONFIG.batchSize);
  const queueLimit = num('queueLimit', own(input, 'queueLimit'), 1, 1_000_000, true, DEFAULT_CONFIG.queueLimit);

  let rateLimit: RateLimit | false = DEFAULT_CONFIG.rateLimit;
  const rl = own(input, 'rateLimit');
  if (rl === false) rateLimit = false;
  else if (rl !== undefined) {
    if (typeof rl !== 'object' || rl === null || Array.isArray(rl)) {
      throw bad('rateLimit', ['false', '{ perSecond, burst }'], rl, 'false or { perSecond, burst }');
    }
    rateLimit = Object.freeze({
      perSecond: num('rateLimit.perSecond', own(rl, 'perSecond'), 0.001, 1_000_000, false, DEFAULT_CONFIG.rateLimit.perSecond),
      burst: num('rateLimit.burst', own(rl, 'burst'), 1, 1_000_000, true, DEFAULT_CONFIG.rateLimit.burst),
    });
  }

  return Object.freeze({
    appId,
    consent,
    requireConsent,
    retentionDays,
    retentionMs: retentionDays * DAY_MS,
    maxEvents,
    sessionIdleMs,
    rateLimit,
    flushIntervalMs,
    batchSize,
    queueLimit,
  });
}

/** Validates a consent value at run time. @throws {LocalRecError} `INVALID_ARGUMENT`. */
export function checkConsent(value: unknown): Consent {
  if (!CONSENT_VALUES.includes(value as Consent)) {
    throw new LocalRecError('INVALID_ARGUMENT', `consent must be one of ${CONSENT_VALUES.join(', ')}; got ${preview(value)}.`, {
      field: 'consent',
      accepted: CONSENT_VALUES,
    });
  }
  return value as Consent;
}
