/**
 * The in-thread transport: the runtime object runs in the same thread (mini-programs without a
 * worker, plain Node, pages whose CSP blocks workers) but is called exactly as across a worker:
 * every method returns a promise, arguments and results are copies (so neither side can mutate
 * the other's data), and errors arrive as `LocalRecError`s with their code, rebuilt from
 * `serializeError` like the worker transport does. Unlike a worker, function arguments (progress
 * callbacks) are passed through as they are.
 */
import { LocalRecError, deserializeError, serializeError } from '@localrec/core';

/** `T` with every method returning a promise, as a worker remote looks. */
export type InThread<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : Promise<T[K]>;
};

function copy<T>(v: T): T {
  if (v === undefined || v === null || typeof v !== 'object') return v;
  const sc = (globalThis as { structuredClone?: <U>(x: U) => U }).structuredClone;
  return sc !== undefined ? sc(v) : (JSON.parse(JSON.stringify(v)) as T);
}

function rethrow(err: unknown): never {
  const e = deserializeError(serializeError(err));
  if (err instanceof Error && !(err instanceof LocalRecError)) e.message = `${err.name}: ${err.message}`;
  throw e;
}

/**
 * Wraps `target` as an in-thread transport.
 * @example const api = inThread(new Runtime(deps)); await api.recommend({ k: 5 });
 */
export function inThread<T extends object>(target: T): InThread<T> {
  return new Proxy({} as InThread<T>, {
    get(_, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return Promise.resolve(copy(value));
      return async (...args: unknown[]) => {
        const passed = args.map((a) => (typeof a === 'function' ? a : copy(a)));
        try {
          return copy(await (value as (...a: unknown[]) => unknown).apply(target, passed));
        } catch (err) {
          rethrow(err);
        }
      };
    },
  });
}
