/**
 * The model cache's key format, written once for the runtime (which fills and bounds the cache)
 * and the SDK (which lists it in `exportData()` and erases it in `forgetMe()`). A model file is
 * kept in Cache Storage {@link MODEL_CACHE_NAME} under its URL plus its model version and SHA-256
 * (`…/weights.bin?localrec-version=v7&sha256=ab…`), so a new version never reads an old entry;
 * each bundle's `manifest.json` under its plain URL (the last verified one, for offline starts).
 */

/** Cache Storage bucket of every LocalRec model file. */
export const MODEL_CACHE_NAME = 'localrec-models-v1';

const VERSION_PARAM = '?localrec-version=';
const HASH_PARAM = '&sha256=';

/** A model file's cache key: its URL, model version and content hash. */
export function modelCacheKey(fileUrl: string, version: string, sha256: string): string {
  return `${fileUrl}${VERSION_PARAM}${encodeURIComponent(version)}${HASH_PARAM}${sha256}`;
}

/** What a {@link modelCacheKey} names; `undefined` for any other key (e.g. a manifest's plain URL). */
export function parseModelCacheKey(key: string): { url: string; version: string; sha256: string } | undefined {
  const v = key.lastIndexOf(VERSION_PARAM);
  const h = key.lastIndexOf(HASH_PARAM);
  if (v < 0 || h < v) return undefined;
  try {
    return {
      url: key.slice(0, v),
      version: decodeURIComponent(key.slice(v + VERSION_PARAM.length, h)),
      sha256: key.slice(h + HASH_PARAM.length),
    };
  } catch {
    return undefined; // a malformed escape: not one of ours
  }
}

/** One entry of LocalRec's Cache Storage, as `exportData()` lists it: what is cached, no behaviour data. */
export interface CachedModelFile {
  /** The Cache Storage bucket (`localrec-models-v1`). */
  cache: string;
  /** The file's URL (without the cache key's version and hash). */
  url: string;
  /** Model version of a model file; absent for a bundle's `manifest.json`. */
  version?: string;
  /** SHA-256 (hex) of a model file, as its manifest lists it. */
  sha256?: string;
  /** Size of the cached body in bytes. */
  bytes: number;
}

/**
 * Lists every entry of LocalRec's caches (every Cache Storage bucket whose name starts with
 * `localrec`), sorted by URL then version. `[]` without Cache Storage.
 */
export async function listModelCaches(caches: CacheStorage | undefined): Promise<CachedModelFile[]> {
  if (!caches) return [];
  const out: CachedModelFile[] = [];
  for (const name of (await caches.keys()).filter((k) => k.startsWith('localrec'))) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const res = await cache.match(req);
      const bytes = res ? (await res.blob()).size : 0;
      const key = parseModelCacheKey(req.url);
      out.push(key ? { cache: name, url: key.url, version: key.version, sha256: key.sha256, bytes } : { cache: name, url: req.url, bytes });
    }
  }
  return out.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : (a.version ?? '').localeCompare(b.version ?? '')));
}
