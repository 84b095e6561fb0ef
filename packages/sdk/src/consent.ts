/**
 * Consent per purpose. `consent` (`pending` / `granted` / `denied`) decides whether anything is
 * stored at all; on top of it, with consent `granted`, two purposes can be switched off one by one:
 *
 * | Purpose | What it allows | Default |
 * |---|---|---|
 * | `personalisation` | the history feeds recommendations, ranking and the profile (all on the device) | `true` |
 * | `segments` | `getSegments()`: coarse interest segments, the one thing meant to leave the device (the host sends them) | `true`, but `false` whenever the browser sends Global Privacy Control |
 *
 * Defaults are `true` so that `consent: 'granted'` alone keeps meaning what it always meant; a
 * host whose consent banner asks per purpose passes what the shopper chose. Global Privacy Control
 * (`navigator.globalPrivacyControl`) always counts as `segments: false`: it is the shopper's "do not
 * share", and segments are what can be shared.
 */
import { LocalRecError, type Consent, type EventStore } from '@localrec/core';
import { globalPrivacyControl, preview } from '@localrec/core/internal';

/** The purposes consent can be given for one by one (see the module documentation). */
export interface Purposes {
  /** The history feeds recommendations, ranking and the profile, on the device. Default `true`. */
  personalisation: boolean;
  /** `getSegments()` may answer (segments can leave the device). Default `true`; always `false` under GPC. */
  segments: boolean;
}

/** The purposes before the host says otherwise. */
export const DEFAULT_PURPOSES: Readonly<Purposes> = Object.freeze({ personalisation: true, segments: true });

const KEYS = Object.keys(DEFAULT_PURPOSES) as Array<keyof Purposes>;

/**
 * `input` over `base`: every given key must be a purpose and its value a boolean.
 * @throws {LocalRecError} `code` (`INVALID_ARGUMENT`, or `INVALID_CONFIG` for `config.purposes`) naming the bad key or value and the accepted ones.
 */
export function mergePurposes(
  base: Readonly<Purposes>,
  input: unknown,
  field = 'purposes',
  code: 'INVALID_ARGUMENT' | 'INVALID_CONFIG' = 'INVALID_ARGUMENT',
): Purposes {
  if (input === undefined) return { ...base };
  const bad = (what: string): LocalRecError =>
    new LocalRecError(code, `${field}${what}; accepted: an object with boolean ${KEYS.join(', ')}.`, {
      field,
      accepted: KEYS,
    });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw bad(` must be an object; got ${typeof input}`);
  const out = { ...base };
  let entries: Array<[string, unknown]>;
  try {
    entries = Object.entries(input);
  } catch {
    throw bad(' could not be read');
  }
  for (const [k, v] of entries) {
    if (!KEYS.includes(k as keyof Purposes)) throw bad(` has an unknown purpose "${k}"`);
    if (typeof v !== 'boolean') throw bad(`.${k} must be a boolean; got ${typeof v}`);
    out[k as keyof Purposes] = v;
  }
  return out;
}

/** The purposes in force: `set`, with `segments` off under Global Privacy Control. */
export function effectivePurposes(set: Readonly<Purposes>): Purposes {
  return { ...set, segments: set.segments && !globalPrivacyControl() };
}

/** Who set the consent a {@link ConsentRecord} holds. */
export type ConsentSource = 'host' | 'init' | 'tcf' | 'consent-mode';

const SOURCES: readonly ConsentSource[] = ['host', 'init', 'tcf', 'consent-mode'];

/**
 * The shopper's consent as remembered on the device (`rememberConsent: true`), in the store's meta
 * area under {@link CONSENT_META_KEY}: shown by `exportData()` (`meta.consent`), deleted by
 * `forgetMe()` with everything else. It holds the choice and nothing about behaviour.
 */
export interface ConsentRecord {
  version: 1;
  /** What was chosen (`pending` is no choice: it is never stored). */
  consent: 'granted' | 'denied';
  /** The purposes as chosen (Global Privacy Control still switches `segments` off at every load). */
  purposes: Purposes;
  /** Whether the browser sent Global Privacy Control then (`segments` was off whatever `purposes` say). */
  gpc: boolean;
  /** Who set it: the host's `setConsent` call, its `consent` option at creation, or a consent platform adapter. */
  source: ConsentSource;
  /** When (ISO 8601). */
  at: string;
}

/** The meta key of the {@link ConsentRecord}. */
const CONSENT_META_KEY = 'consent';

/**
 * Checks the `source` argument of `setConsent`.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming `source` and the accepted ones.
 */
export function checkSource(source: unknown): ConsentSource {
  if (SOURCES.includes(source as ConsentSource)) return source as ConsentSource;
  throw new LocalRecError('INVALID_ARGUMENT', `source must be one of ${SOURCES.join(', ')}; got ${preview(source)}.`, {
    field: 'source',
    accepted: SOURCES,
  });
}

/** A stored record if `v` is one (anything else, e.g. written by another version, counts as none). */
function asRecord(v: unknown): ConsentRecord | undefined {
  const r = v as Partial<ConsentRecord> | null | undefined;
  if (!r || typeof r !== 'object' || r.version !== 1 || (r.consent !== 'granted' && r.consent !== 'denied')) return undefined;
  try {
    return { ...(r as ConsentRecord), purposes: mergePurposes(DEFAULT_PURPOSES, r.purposes) };
  } catch {
    return undefined;
  }
}

/** What a LocalRec instance tells {@link rememberConsent} (the npm build's `createLocalRec` passes it). */
export interface ConsentHook {
  /** Consent was set in this page (`source` given) or in another tab (no `source`: that tab stores it). */
  changed(consent: Consent, purposes: Purposes, source?: ConsentSource): void;
}

/**
 * The remembered consent (`rememberConsent: true`, npm build only): `create` makes the instance
 * over `store` wrapped so that each of its calls waits until the record is read (at creation,
 * without creating storage). The record then applies unless the host's `consent` option is
 * `granted` or `denied` (the record is updated to it, source `init`) or consent was set in the
 * page or another tab meanwhile; events asked to be written before, under a consent the record
 * replaced, are dropped. Every later `setConsent` of the page is stored (`pending` deletes the record).
 * @example const rec = rememberConsent(config, store, (s, hook) => createWithCapture({ ...config, store: s }, capture, hook), report);
 */
export function rememberConsent<T extends { readonly consent: Consent; setConsent(c: Consent, p?: Partial<Purposes>): void }>(
  config: { consent?: Consent; requireConsent?: boolean; purposes?: Partial<Purposes> },
  store: EventStore,
  create: (gated: EventStore, hook: ConsentHook) => T,
  onError: (err: unknown) => void,
): T {
  // Checked now, not when the record has been read: a bad option is the caller's INVALID_CONFIG
  // (as without rememberConsent), never a rejection nobody handles.
  const purposes = mergePurposes(DEFAULT_PURPOSES, config.purposes, 'config.purposes', 'INVALID_CONFIG');
  /** The instance, once `create` returned it (the store's calls and the record's callbacks run later). */
  const made: { rec?: T } = {};
  /** Consent was set after creation (here or in another tab): the stored record no longer applies. */
  let decided = false;
  let applying = false;
  const allowed = (): boolean => made.rec?.consent === 'granted' || (made.rec?.consent === 'pending' && config.requireConsent !== true);
  let chain: Promise<unknown> = Promise.resolve();
  const save = (consent: Consent, purposes: Purposes, source: ConsentSource): void => {
    chain = chain
      .then(async () => {
        if (consent !== 'pending') {
          const at = new Date().toISOString();
          const record: ConsentRecord = { version: 1, consent, purposes: { ...purposes }, gpc: globalPrivacyControl(), source, at };
          return store.setMeta(CONSENT_META_KEY, record);
        }
        if ((await store.residue()).databases.length > 0) await store.deleteMeta(CONSENT_META_KEY);
      })
      .catch(onError);
  };
  const load = async (): Promise<ConsentRecord | undefined> =>
    (await store.residue()).databases.length > 0 ? asRecord(await store.getMeta(CONSENT_META_KEY)) : undefined;
  const ready = load()
    .catch(() => undefined)
    .then((stored) => {
      const initial = config.consent;
      if (decided) return;
      if (initial === 'granted' || initial === 'denied') {
        if (stored?.consent !== initial || JSON.stringify(stored.purposes) !== JSON.stringify(purposes)) save(initial, purposes, 'init');
      } else if (stored) {
        applying = true;
        try {
          made.rec!.setConsent(stored.consent, stored.purposes);
        } finally {
          applying = false;
        }
      }
    })
    .catch(onError);

  const wrapped: Record<string, unknown> = { kind: store.kind };
  for (const [k, f] of Object.entries(methodsOf(store))) {
    wrapped[k] = async (...a: unknown[]) => {
      await ready;
      // A write asked for before the record was read, under the consent the record replaced, is
      // dropped (with the session the Recorder writes after it).
      if ((k === 'append' || k === 'setMeta') && !allowed()) return k === 'append' ? [] : undefined;
      return f.apply(store, a);
    };
  }
  for (const k of ['close', 'destroy', 'residue', 'connected'] as const) {
    const f = (store as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>)[k];
    if (f) wrapped[k] = (...a: unknown[]) => f.apply(store, a);
  }
  const rec = create(wrapped as unknown as EventStore, {
    changed(consent, purposes, source) {
      if (applying) return;
      decided = true;
      if (source) save(consent, purposes, source);
    },
  });
  made.rec = rec;
  return rec;
}

/** The store's calls that wait for the record: every read and write but closing, destroying and the residue check. */
function methodsOf(store: EventStore): Record<string, (...a: unknown[]) => Promise<unknown>> {
  const out: Record<string, (...a: unknown[]) => Promise<unknown>> = {};
  for (const k of ['open', 'append', 'query', 'count', 'prune', 'getMeta', 'setMeta', 'deleteMeta', 'dump', 'tail'] as const) {
    const f = (store as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[k];
    if (f) out[k] = f;
  }
  return out;
}
