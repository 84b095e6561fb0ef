/** Maps IndexedDB's DOMExceptions to LocalRec error codes callers can branch on. */
import { LocalRecError } from '@localrec/core';

function nameOf(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string'
    ? (err as { name: string }).name
    : '';
}

/**
 * `QuotaExceededError` → `QUOTA_EXCEEDED`; failures while opening → `STORAGE_UNAVAILABLE`;
 * anything else → `STORAGE_FAILED`. The original error is kept as `cause`.
 */
export function storageError(err: unknown, during: 'open' | 'read' | 'write', dbName: string): LocalRecError {
  if (err instanceof LocalRecError) return err;
  const name = nameOf(err);
  const msg = err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err) ? String(err.message) : String(err);
  if (name === 'QuotaExceededError') {
    return new LocalRecError('QUOTA_EXCEEDED', `IndexedDB "${dbName}": storage quota exceeded during ${during} (${msg}).`, { cause: err });
  }
  if (during === 'open') {
    const why = name === 'VersionError' ? ' The database was created by a newer LocalRec version.' : '';
    return new LocalRecError('STORAGE_UNAVAILABLE', `IndexedDB "${dbName}" could not be opened: ${name || 'Error'}: ${msg}.${why}`, {
      cause: err,
    });
  }
  return new LocalRecError('STORAGE_FAILED', `IndexedDB "${dbName}" ${during} failed: ${name || 'Error'}: ${msg}`, { cause: err });
}

/** The `BlockedError` naming the database whose deletion a connection blocks. */
export function blockedError(name: string): Error {
  const e = new Error(`deleting ${name} is blocked by a connection that does not close; it completes when that one closes`);
  e.name = 'BlockedError';
  return e;
}
