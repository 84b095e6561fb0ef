/**
 * What the script-tag build's lazily imported files (`localrec-extras.min.mjs`,
 * `localrec-model.min.mjs`) take from `localrec.min.js` instead of bundling copies of their own:
 * one `LocalRecError` class on the page, so `instanceof` holds across the files and an error they
 * make passes through the main bundle's checks unchanged; one capability cache (and its test
 * override); and fewer bytes. The `localrec-share` plugin in rollup.config.mjs builds those files with these names
 * bound to what the loader hands over (`__share(shared)`, right after the import); its list of
 * names must be this array's, in its order (packages/sdk/test/chunks.test.ts checks that).
 */
import { LocalRecError, serializeError } from '@localrec/core';
import { preview, webLocks, workerConstructor } from '@localrec/core/internal';
import { chunk } from './chunks.js';

/** What a lazily imported file takes from the main bundle: SHARED_MODULES' names, in that order (an array: fewer bytes than names). */
export const shared = [LocalRecError, serializeError, preview, webLocks, workerConstructor, chunk] as const;

/** What a lazily imported file of the script-tag build exports besides its own API. */
export interface SharingModule {
  /** Binds the file's imports of {@link shared}; called once, before anything else of the file. */
  __share?(modules: typeof shared): void;
}
