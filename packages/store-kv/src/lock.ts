/**
 * One write lock per underlying storage, shared by every store instance in this JavaScript
 * context. Key-value APIs have no transactions; the store's read-index / write-chunks /
 * write-index sequence must not interleave with another writer's.
 */
const locks = new WeakMap<object, Promise<unknown>>();

/** Runs `fn` after every earlier holder of `key`'s lock has finished (fulfilled or not). */
export function withLock<T>(key: object, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  // The chain must survive failures; callers see `run`'s own outcome.
  locks.set(
    key,
    run.catch(() => undefined),
  );
  return run;
}
