import { LocalRecError } from './errors.js';

/** `err` as a `LocalRecError`: itself if it is one, else `STORAGE_FAILED` naming its message. */
export function asStorageError(err: unknown): LocalRecError {
  if (err instanceof LocalRecError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new LocalRecError('STORAGE_FAILED', `Storage failed: ${msg}`, { cause: err });
}
