/**
 * How the script-tag build reaches its lazily loaded code: `localrec-extras.min.mjs` holds what
 * pages that only record never run (the memory fallback store and the IndexedDB store's error
 * messages, the erase of `forgetMe()`, the reads of `exportData()`, the eviction when storage is
 * full, the insights calls and the answers without a runtime). It is imported from the folder
 * `localrec.min.js` was loaded from, once, by the first call that needs it. The `localrec-cold`
 * plugin in rollup.config.mjs replaces, in that build only, the modules it lists (async functions
 * only) with calls through {@link chunk}; the npm build bundles them as they are.
 */
import { LocalRecError } from '@localrec/core';
import { shared, type SharingModule } from './shared.js';

/** The lazily loaded files' names (rollup.config.mjs's `COLD_MODULES`), next to `localrec.min.js`. */
export const CHUNK_FILES = ['localrec-extras.min.mjs', 'localrec-model-extras.min.mjs'] as const;

type ChunkModule = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** The folder URL the files are loaded from (set by `installGlobal`, from the script's `src`). */
let base: string | undefined;
/** The imports under way or done; a failed one is dropped, so the next call tries again. */
const loading = new Map<string, Promise<ChunkModule>>();

/** Sets where {@link chunk} loads the files from: the script tag's URL (or any URL in the same folder). */
export function setChunkBase(sdkSrc: string | undefined): void {
  base = sdkSrc;
}

/**
 * The exports of `file` (one of {@link CHUNK_FILES}, or the opt-in files of `autoCapture` and `model`),
 * importing it on the first call (calls meanwhile wait for the same import); a file that takes the
 * main bundle's shared modules gets them before anything else runs.
 * @throws {LocalRecError} `NOT_READY` naming the file's URL when it cannot be loaded (not served, blocked by a CSP, offline).
 */
export function chunk(file: string): Promise<ChunkModule> {
  let p = loading.get(file);
  if (!p) {
    p = (async () => {
      let url = file;
      try {
        url = new URL(file, base).href;
        const mod = (await import(/* @vite-ignore */ url)) as SharingModule & ChunkModule;
        mod.__share?.(shared);
        return mod;
      } catch (e) {
        loading.delete(file);
        throw new LocalRecError(
          'NOT_READY',
          `LocalRec could not load ${url} (serve it next to localrec.min.js): ${(e as Error)?.message ?? String(e)}`,
          {
            cause: e,
          },
        );
      }
    })();
    loading.set(file, p);
  }
  return p;
}
