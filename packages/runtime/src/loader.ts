/**
 * Bundle loading: fetches `manifest.json` and every file it names from a base URL, reports
 * progress, checks each file's SHA-256 against the manifest (and the manifest against an optional
 * pinned hash), and keeps the verified files in Cache Storage keyed by model version and hash.
 * A file from the cache is hashed again before use, so a corrupted cache entry is refetched.
 * The cache is bounded: once a version is verified (every file's hash, the tensors, the
 * vocabulary), the entries of every other version of the same bundle URL are deleted.
 */
import { LocalRecError, type ItemMeta } from '@localrec/core';
import { MODEL_CACHE_NAME, cacheStorage, globalFetch, modelCacheKey, parseModelCacheKey } from '@localrec/core/internal';
import {
  associationsProblems,
  decodeTensors,
  manifestProblems,
  sha256Hex,
  type AssociationsFile,
  type BundleManifest,
  type HostTensor,
} from '@localrec/model';
import type { LoadProgress } from './api.js';
import { utf8Text } from './text.js';

/** A verified bundle in host memory (weights still as stored: int8 + scales, int32 tables). */
export interface FetchedBundle {
  baseUrl: string;
  manifest: BundleManifest;
  tensors: Map<string, HostTensor>;
  vocab: string[];
  catalog?: Record<string, ItemMeta>;
  /** The bundle's association rules (`manifest.associationsFile`), when it ships them. */
  associations?: AssociationsFile;
  /** Files served from Cache Storage (the others came from the network). */
  fromCache: string[];
}

export interface LoadBundleOptions {
  /** Folder URL of the bundle; a trailing slash is added when missing. */
  baseUrl: string;
  /** Pinned SHA-256 (hex) of manifest.json. */
  manifestSha256?: string;
  onProgress?: (p: LoadProgress) => void;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** Cache Storage to use; `null` disables caching (default: `globalThis.caches` when present). */
  caches?: CacheStorage | null;
}

/** Version prefix of the trending file's cache keys: the bundle's version cleanup leaves them alone. */
export const TRENDING_CACHE_PREFIX = 'trending@';

/** Cache Storage bucket of every LocalRec model file (core's `MODEL_CACHE_NAME`). */
export const CACHE_NAME = MODEL_CACHE_NAME;

const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

/** Reads a response body, reporting bytes as they arrive. */
async function readBody(res: Response, onChunk: (n: number) => void): Promise<Uint8Array> {
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    onChunk(b.byteLength);
    return b;
  }
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.byteLength;
    onChunk(value.byteLength);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

async function openCache(store: CacheStorage | null | undefined): Promise<Cache | undefined> {
  if (!store) return undefined;
  try {
    return await store.open(CACHE_NAME);
  } catch {
    // Cache Storage can be blocked (e.g. opaque origins, some private modes): degrade to no cache.
    return undefined;
  }
}

async function get(fetchFn: typeof fetch, url: string, init?: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url, init);
  } catch (e) {
    throw new LocalRecError('MODEL_LOAD_FAILED', `Could not fetch ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new LocalRecError('MODEL_LOAD_FAILED', `Could not fetch ${url}: HTTP ${res.status}`);
  return res;
}

const toBuffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
/** `b`'s buffer itself when `b` covers all of it (read only), else a copy ({@link toBuffer}). */
const wholeBuffer = (b: Uint8Array): ArrayBuffer =>
  b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b.buffer : toBuffer(b);

/**
 * Loads and verifies a bundle. Rejects with `MODEL_LOAD_FAILED` (network), `MODEL_INTEGRITY`
 * (a hash or size does not match) or `BUNDLE_INVALID` (manifest/tensor problems, all listed).
 */
export async function loadBundle(o: LoadBundleOptions): Promise<FetchedBundle> {
  const fetchFn = o.fetch ?? globalFetch();
  if (!fetchFn) throw new LocalRecError('MODEL_LOAD_FAILED', `Could not fetch ${o.baseUrl}: there is no fetch here (pass options.fetch)`);
  const base = withSlash(o.baseUrl);
  const progress = o.onProgress ?? (() => {});
  progress({ phase: 'manifest', loadedBytes: 0, totalBytes: 0 });

  const cache = await openCache(o.caches === undefined ? cacheStorage() : o.caches);
  // The manifest is always revalidated with the server: it carries the version every cache key uses.
  // Only when the network is unreachable (offline, or the page's CSP has `connect-src 'none'`) is
  // the last verified manifest from the cache used; an HTTP error (404, 500) is not overridden.
  const manifestUrl = `${base}manifest.json`;
  let manifestBytes: Uint8Array;
  let fromNetwork = true;
  try {
    manifestBytes = await readBody(await get(fetchFn, manifestUrl, { cache: 'no-cache' }), () => {});
  } catch (e) {
    const unreachable = e instanceof LocalRecError && e.cause !== undefined;
    const hit = unreachable && cache ? await cache.match(manifestUrl).catch(() => undefined) : undefined;
    if (!hit) throw e;
    manifestBytes = new Uint8Array(await hit.arrayBuffer());
    fromNetwork = false;
  }
  if (o.manifestSha256) {
    const h = await sha256Hex(manifestBytes);
    if (h !== o.manifestSha256.toLowerCase()) {
      throw new LocalRecError('MODEL_INTEGRITY', `manifest.json at ${base} has SHA-256 ${h}, the pinned hash is ${o.manifestSha256}`, {
        field: 'manifestSha256',
      });
    }
  }
  const manifestText = utf8Text(manifestBytes); // outside the try: a missing codec is not a bad bundle
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(manifestText) as BundleManifest;
  } catch (e) {
    throw new LocalRecError('BUNDLE_INVALID', `manifest.json at ${base} is not valid JSON: ${(e as Error).message}`);
  }
  const problems = manifestProblems(manifest);
  if (problems.length) throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${base} is invalid:\n  - ${problems.join('\n  - ')}`);

  const optional = [manifest.catalogFile, manifest.associationsFile].filter((f): f is string => typeof f === 'string');
  const wanted = [manifest.weightsFile, manifest.vocabFile, ...optional];
  for (const f of wanted) {
    if (!manifest.files[f])
      throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${base}: file "${f}" is not listed in manifest.files (no hash to check)`);
    if (f.includes('..') || f.startsWith('/') || /^[a-z]+:/i.test(f))
      throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${base}: file name "${f}" must be a plain relative path`);
  }
  const totalBytes = wanted.reduce((s, f) => s + manifest.files[f]!.bytes, 0);
  let loadedBytes = 0;
  // One manifest per bundle URL, the last valid one (for starts without network); it is checked
  // again (pinned hash, validity) like a fresh one, and its files by their hashes.
  if (cache && fromNetwork) await cache.put(manifestUrl, new Response(toBuffer(manifestBytes))).catch(() => undefined);
  const fromCache: string[] = [];

  const files = new Map<string, Uint8Array>();
  for (const f of wanted) {
    const info = manifest.files[f]!;
    const url = `${base}${f}`;
    // Keyed by model version and content hash: a new version never reads an old entry.
    const key = modelCacheKey(url, manifest.version, info.sha256);
    let bytes: Uint8Array | undefined;
    const hit = cache ? await cache.match(key).catch(() => undefined) : undefined;
    if (hit) {
      const b = new Uint8Array(await hit.arrayBuffer());
      if (b.byteLength === info.bytes && (await sha256Hex(b)) === info.sha256) {
        bytes = b;
        fromCache.push(f);
        loadedBytes += b.byteLength;
        progress({ phase: 'cached', loadedBytes, totalBytes, file: f });
      } else {
        await cache!.delete(key).catch(() => false);
      }
    }
    if (!bytes) {
      const res = await get(fetchFn, url);
      bytes = await readBody(res, (n) => {
        loadedBytes += n;
        progress({ phase: 'download', loadedBytes, totalBytes, file: f });
      });
      progress({ phase: 'verify', loadedBytes, totalBytes, file: f });
      if (bytes.byteLength !== info.bytes) {
        throw new LocalRecError('MODEL_INTEGRITY', `${url}: ${bytes.byteLength} bytes, manifest.json says ${info.bytes}`);
      }
      const h = await sha256Hex(bytes);
      if (h !== info.sha256)
        throw new LocalRecError('MODEL_INTEGRITY', `${url}: SHA-256 ${h} does not match manifest.json (${info.sha256})`);
      // Never cache anything unverified; a failed put only costs the next visit a download.
      if (cache) await cache.put(key, new Response(toBuffer(bytes))).catch(() => undefined);
    }
    files.set(f, bytes);
  }

  let tensors: Map<string, HostTensor>;
  try {
    // The body's own buffer when the bytes fill it (they do: `readBody` sizes it): no copy of the file.
    // decodeTensors copies each tensor out (an int8 item table is copied once more, into the int8 table: model-data.ts).
    tensors = decodeTensors(manifest.tensors, wholeBuffer(files.get(manifest.weightsFile)!));
  } catch (e) {
    throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${base}: ${(e as Error).message}`);
  }
  const json = (f: string): unknown => {
    const text = utf8Text(files.get(f)!);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${base}: ${f} is not valid JSON (${(e as Error).message})`);
    }
  };
  const vocab = json(manifest.vocabFile);
  if (!Array.isArray(vocab) || vocab.length !== manifest.itemCount || !vocab.every((v) => typeof v === 'string')) {
    throw new LocalRecError(
      'BUNDLE_INVALID',
      `Bundle at ${base}: ${manifest.vocabFile} must be an array of ${manifest.itemCount} item id strings`,
    );
  }
  const out: FetchedBundle = { baseUrl: base, manifest, tensors, vocab: vocab, fromCache };
  if (manifest.catalogFile) out.catalog = json(manifest.catalogFile) as Record<string, ItemMeta>;
  if (manifest.associationsFile) {
    const a = json(manifest.associationsFile);
    const bad = associationsProblems(a);
    if (bad.length)
      throw new LocalRecError('BUNDLE_INVALID', `Bundle at ${base}: ${manifest.associationsFile} is invalid:\n  - ${bad.join('\n  - ')}`);
    out.associations = a as AssociationsFile;
  }
  // Verified through and through: the older versions of this bundle can go.
  if (cache) await dropOtherVersions(cache, base, manifest.version, new Set(wanted.map((f) => manifest.files[f]!.sha256)));
  return out;
}

/**
 * Deletes the cached files of the bundle at `base` but those of `version` with one of the hashes
 * in `hashes` (the files just verified): every other version of the same bundle URL goes, so one
 * version stays on the device per bundle URL. Other bundles' entries and the manifest stay. Best
 * effort: a failure leaves entries for the next load to delete.
 */
async function dropOtherVersions(cache: Cache, base: string, version: string, hashes: ReadonlySet<string>): Promise<void> {
  try {
    for (const req of await cache.keys()) {
      const key = parseModelCacheKey(req.url);
      // The trending file (`trending.ts`) lives beside the bundle with versions of its own.
      if (
        key &&
        key.url.startsWith(base) &&
        !key.version.startsWith(TRENDING_CACHE_PREFIX) &&
        !(key.version === version && hashes.has(key.sha256))
      )
        await cache.delete(req);
    }
  } catch {
    // Cache Storage failing or refused (the runtime was disposed): nothing lost but space.
  }
}
