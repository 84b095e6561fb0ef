/**
 * How the script-tag build reaches its second file, `localrec-extras.min.mjs`: the code pages
 * that only record never run (the memory fallback store, the erase of `forgetMe()`, the reads of
 * `exportData()`), imported from the folder `localrec.min.js` was loaded from on the first call
 * that needs it. The `localrec-cold` plugin in rollup.config.mjs replaces, in that build only, the
 * modules listed there (`cold.ts` of core, store-idb and the SDK: async functions only) with calls
 * through {@link extras}; the npm build bundles them as they are and never imports this file's chunk.
 */
import { LocalRecError } from '@localrec/core';
import { shared, type SharingModule } from './shared.js';

/** The second file's name, next to `localrec.min.js`. */
export const EXTRAS_FILE = 'localrec-extras.min.mjs';

/** The folder URL the file is loaded from (set by `installGlobal`, from the script's `src`). */
let base: string | undefined;
/** The import under way or done; cleared when it fails, so the next call tries again. */
let loading: Promise<Record<string, (...args: unknown[]) => Promise<unknown>>> | undefined;

/** Sets where {@link extras} loads the file from: the script tag's URL (or any URL in the same folder). */
export function setExtrasBase(sdkSrc: string | undefined): void {
  base = sdkSrc;
}

/**
 * The second file's exports, importing it on the first call (calls meanwhile wait for the same import).
 * @throws {LocalRecError} `NOT_READY` naming the file's URL when it cannot be loaded (not served, blocked by a CSP, offline).
 */
export function extras(): Promise<Record<string, (...args: unknown[]) => Promise<unknown>>> {
  loading ??= (async () => {
    let url = EXTRAS_FILE;
    try {
      url = new URL(EXTRAS_FILE, base).href;
      const mod = (await import(/* @vite-ignore */ url)) as SharingModule & Record<string, (...args: unknown[]) => Promise<unknown>>;
      mod.__share?.(shared);
      return mod;
    } catch (e) {
      loading = undefined;
      throw new LocalRecError(
        'NOT_READY',
        `LocalRec could not load ${url} (export, erase and the memory fallback; serve it next to localrec.min.js): ${(e as Error)?.message ?? String(e)}`,
        { cause: e },
      );
    }
  })();
  return loading;
}
