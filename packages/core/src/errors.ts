/**
 * Error codes that callers may branch on. They are stable strings and survive the
 * worker boundary (see {@link serializeError} / `deserializeError`).
 *
 * One rule decides the code of a mistake, everywhere (SDK, stores, runtime, mini-program):
 * - `INVALID_CONFIG`: a bad option of an object that configures something when it is created or
 *   set up — `createLocalRec`'s config, a store's or a runtime's options, `autoCapture` options,
 *   the backend list. The app id is configuration wherever it appears (one rule, one check:
 *   `checkAppId` of `@localrec/core/internal`). An unknown name in a configured list (e.g. a
 *   backend that does not exist) is `INVALID_CONFIG` too.
 * - `INVALID_ARGUMENT`: a bad argument of a call at run time — `setConsent('x')`, an unknown
 *   `LocalRec(...)` method, a bad social context or segments salt, a simulator function's input.
 * - `INVALID_EVENT`: a bad `track()` type or data (the event schema).
 * - `BACKEND_UNAVAILABLE`: a valid backend that cannot run here (no WebGPU adapter, …) — not a
 *   mistake of the caller.
 * - `WORKER_CRASHED`: the runtime worker could not start (HTTP error, blocked) or died;
 *   `WORKER_UNAVAILABLE`: reported (not thrown) when a connector in `mode: 'auto'` runs the model
 *   on the main thread instead, because the worker could not start.
 * Every message names the bad value (`got …`) and the accepted ones; `field` names the option
 * or argument and `accepted` lists the accepted values where there is a list.
 */
export type ErrorCode =
  | 'INVALID_EVENT'
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONSENT_REQUIRED'
  | 'QUEUE_FULL'
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_FAILED'
  | 'QUOTA_EXCEEDED'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_INTEGRITY'
  | 'BUNDLE_INVALID'
  | 'BACKEND_UNAVAILABLE'
  | 'WORKER_CRASHED'
  | 'WORKER_UNAVAILABLE'
  | 'TIMEOUT'
  | 'NOT_READY'
  | 'INTERNAL';

/** Plain-object form of a {@link LocalRecError}, safe for structured clone / JSON. */
export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  field?: string;
  accepted?: readonly string[];
  stack?: string;
}

/**
 * The one error class of LocalRec. `code` is stable; `field` names the bad input field
 * (dotted path, e.g. `data.rating`) and `accepted` lists accepted values where there is a list.
 */
export class LocalRecError extends Error {
  override readonly name = 'LocalRecError';
  readonly code: ErrorCode;
  readonly field?: string;
  readonly accepted?: readonly string[];

  constructor(code: ErrorCode, message: string, options: { field?: string; accepted?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.accepted !== undefined) this.accepted = options.accepted;
  }

  toJSON(): SerializedError {
    return serializeError(this);
  }
}

/** Turns any thrown value into a structured-clone-safe object that keeps the code. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof LocalRecError) {
    const out: SerializedError = { name: err.name, code: err.code, message: err.message };
    if (err.field !== undefined) out.field = err.field;
    if (err.accepted !== undefined) out.accepted = [...err.accepted];
    if (err.stack !== undefined) out.stack = err.stack;
    return out;
  }
  if (err instanceof Error) {
    const out: SerializedError = { name: err.name, code: 'INTERNAL', message: err.message };
    if (err.stack !== undefined) out.stack = err.stack;
    return out;
  }
  return { name: 'Error', code: 'INTERNAL', message: String(err) };
}
