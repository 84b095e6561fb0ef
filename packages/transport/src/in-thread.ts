/**
 * The in-thread transport: the runtime object runs in the same thread (mini-programs without a
 * worker, plain Node, pages whose CSP blocks workers) but is called exactly as across a worker:
 * every method returns a promise, arguments and results are copies (so neither side can mutate
 * the other's data), and errors arrive as `LocalRecError`s with their code, rebuilt from
 * `serializeError` like the worker transport does. Unlike a worker, function arguments (progress
 * callbacks) are passed through as they are.
 */
import { LocalRecError, cloneJson, deserializeError, serializeError } from '@localrec/core';
import { structuredCloner } from '@localrec/core/internal';
import type { RuntimeApi } from '@localrec/contract';
import { openInThread } from './cold.js';
import type { RuntimeTransport } from './transport.js';

/** `T` with every method returning a promise, as a worker remote looks. */
export type InThread<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : Promise<T[K]>;
};

function copy<T>(v: T): T {
  if (v === undefined || v === null || typeof v !== 'object') return v;
  const sc = structuredCloner();
  return sc !== undefined ? sc(v) : cloneJson(v);
}

function rethrow(err: unknown): never {
  const e = deserializeError(serializeError(err));
  if (err instanceof Error && !(err instanceof LocalRecError)) e.message = `${err.name}: ${err.message}`;
  throw e;
}

/**
 * Wraps `target` so it is called as across a worker (copies, promises, coded errors).
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

/**
 * A transport whose runtime runs in this thread, behind {@link inThread}. `create` makes a fresh
 * runtime for each `open()`. Its links are never `lost`: the runtime cannot stop apart from its caller.
 * @example connectTransport(inThreadTransport(() => new Runtime(deps)), ctx, { init: { modelUrl } })
 */
export function inThreadTransport(create: () => RuntimeApi | Promise<RuntimeApi>, kind = 'in-thread'): RuntimeTransport {
  return { kind, open: () => openInThread(create) };
}
