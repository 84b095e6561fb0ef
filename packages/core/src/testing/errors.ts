import { LocalRecError } from '../errors.js';

/**
 * The {@link LocalRecError} that `fn` throws. Fails (throws an Error naming what came instead) when
 * `fn` returns, or throws something that is not a LocalRecError, so a test can go on to check the
 * code, field, accepted values and message.
 * @example expect(thrownBy(() => checkRuntimeOptions({}))).toMatchObject({ code: 'INVALID_CONFIG', field: 'appId' });
 */
export function thrownBy(fn: () => unknown): LocalRecError {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (e instanceof LocalRecError) return e;
    throw new Error(`expected a LocalRecError, got ${String(e)}`, { cause: e });
  }
  throw new Error(`expected a LocalRecError, but the call returned ${typeof result}`);
}
