/**
 * The receiving side of `serializeError`: errors that crossed the worker boundary as plain
 * objects, made {@link LocalRecError}s again. A module of its own, apart from the class: the
 * script tag's connector file takes `LocalRecError` and `serializeError` from `localrec.min.js`
 * (SHARED_MODULES in rollup.config.mjs) and bundles only this.
 */
import { LocalRecError, type SerializedError } from './errors.js';

/** Rebuilds a {@link LocalRecError} from `serializeError`'s output. */
export function deserializeError(s: SerializedError): LocalRecError {
  const opts: { field?: string; accepted?: readonly string[] } = {};
  if (s.field !== undefined) opts.field = s.field;
  if (s.accepted !== undefined) opts.accepted = s.accepted;
  const e = new LocalRecError(s.code, s.message, opts);
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}

/** True for objects that look like a serialised LocalRec error (e.g. after postMessage). */
export function isSerializedError(v: unknown): v is SerializedError {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as SerializedError).code === 'string' &&
    typeof (v as SerializedError).message === 'string'
  );
}
