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
import { LocalRecError } from '@localrec/core';
import { globalPrivacyControl } from '@localrec/core/internal';

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
  for (const [k, v] of Object.entries(input)) {
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
