/**
 * The shop's public trending file (`trending.json`, written by `localrec trending`; format in
 * `@localrec/model`'s `popularity.ts`): fetched with a plain same-origin GET, checked (structure,
 * then its own SHA-256 over {@link trendingBody}), kept in the model cache and reused.
 *
 * Rules:
 * - Cache Storage holds the last verified file under `trendingUrl` + `trending@<version>` + its hash
 *   (core's `modelCacheKey`), with the time it was stored. A cached file younger than
 *   `trendingMaxAgeMs` (default 6 h) is used without a request — after its hash is checked again.
 * - Otherwise the file is fetched (`cache: 'no-cache'`: the server may answer 304). A verified new
 *   file replaces the cached one; when the network is unreachable the cached file, however old, is used.
 * - A file that fails its checks is refused with `MODEL_INTEGRITY` (hash) or `BUNDLE_INVALID`
 *   (structure), a missing one with `MODEL_LOAD_FAILED`; the scenarios then answer from the
 *   bundle's popularity table and say why. A failed load is retried after `retryDelayMs`.
 * - In one runtime the file is loaded once and kept for `trendingMaxAgeMs`.
 */
import { LocalRecError } from '@localrec/core';
import { globalFetch, modelCacheKey, parseModelCacheKey } from '@localrec/core/internal';
import { sha256Hex, trendingBody, trendingProblems, type TrendingFile } from '@localrec/model';
import { Once } from './lazy.js';
import { CACHE_NAME, TRENDING_CACHE_PREFIX } from './loader.js';
import { utf8Bytes, utf8Text } from './text.js';

/** Default of `RuntimeOptions.trendingMaxAgeMs`. */
export const TRENDING_MAX_AGE_MS = 6 * 3_600_000;

const STORED_HEADER = 'x-localrec-stored';

/** A verified trending file and where it came from. */
export interface LoadedTrending {
  file: TrendingFile;
  /** Served from Cache Storage without a request. */
  fromCache: boolean;
  /** When it was verified (epoch ms). */
  at: number;
}

/** What the trending source reads. */
export interface TrendingSourceInit {
  /** The file's absolute URL. */
  url: string;
  maxAgeMs: number;
  retryDelayMs: number;
  fetch?: typeof fetch | undefined;
  /** Cache Storage (the model's, guarded); `null`: no cache. */
  caches(): CacheStorage | null;
}

/** Parses and checks a trending file's bytes. */
async function verified(bytes: Uint8Array, url: string): Promise<TrendingFile> {
  let v: unknown;
  try {
    v = JSON.parse(utf8Text(bytes));
  } catch (e) {
    throw new LocalRecError('BUNDLE_INVALID', `${url} is not valid JSON: ${(e as Error).message}`);
  }
  const problems = trendingProblems(v);
  if (problems.length) throw new LocalRecError('BUNDLE_INVALID', `${url} is not a trending file:\n  - ${problems.join('\n  - ')}`);
  const file = v as TrendingFile;
  const h = await sha256Hex(utf8Bytes(trendingBody(file)));
  if (h !== file.sha256)
    throw new LocalRecError('MODEL_INTEGRITY', `${url}: content SHA-256 ${h} does not match the file's sha256 ${file.sha256}`, {
      field: 'trendingUrl',
    });
  return file;
}

/** The trending file: loaded once per `maxAgeMs`, a failed load retried after `retryDelayMs`. */
export class TrendingSource {
  private readonly once: Once<LoadedTrending>;

  constructor(private readonly init: TrendingSourceInit) {
    this.once = new Once(
      () => this.load(),
      () => init.retryDelayMs,
    );
  }

  /** Why the last load failed, until one succeeds. */
  get lastError(): unknown {
    return this.once.lastError;
  }

  /** The verified file (loaded again once older than `maxAgeMs`). */
  get(): Promise<LoadedTrending> {
    const v = this.once.value;
    if (v && Date.now() - v.at > this.init.maxAgeMs) this.once.reset();
    return this.once.get();
  }

  private async openCache(): Promise<Cache | undefined> {
    try {
      return (await this.init.caches()?.open(CACHE_NAME)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** The cached entry of this URL, verified (a corrupted one is deleted). */
  private async cached(cache: Cache | undefined): Promise<{ file: TrendingFile; at: number } | undefined> {
    if (!cache) return undefined;
    try {
      for (const req of await cache.keys()) {
        const key = parseModelCacheKey(req.url);
        if (!key || key.url !== this.init.url || !key.version.startsWith(TRENDING_CACHE_PREFIX)) continue;
        const res = await cache.match(req);
        if (!res) continue;
        const at = Number(res.headers.get(STORED_HEADER) ?? 0);
        try {
          const file = await verified(new Uint8Array(await res.arrayBuffer()), this.init.url);
          if (file.sha256 === key.sha256) return { file, at: Number.isFinite(at) ? at : 0 };
        } catch {
          /* corrupted: dropped below */
        }
        await cache.delete(req);
      }
    } catch {
      /* Cache Storage refused (disposed, private mode): no cached file */
    }
    return undefined;
  }

  private async load(): Promise<LoadedTrending> {
    const { url, maxAgeMs } = this.init;
    const cache = await this.openCache();
    const hit = await this.cached(cache);
    if (hit && Date.now() - hit.at <= maxAgeMs) return { file: hit.file, fromCache: true, at: hit.at };
    const fetchFn = this.init.fetch ?? globalFetch();
    let res: Response;
    try {
      if (!fetchFn) throw new Error('there is no fetch here');
      res = await fetchFn(url, { cache: 'no-cache' });
    } catch (e) {
      // Unreachable: the last verified file, however old.
      if (hit) return { file: hit.file, fromCache: true, at: hit.at };
      throw new LocalRecError('MODEL_LOAD_FAILED', `Could not fetch ${url}: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok) throw new LocalRecError('MODEL_LOAD_FAILED', `Could not fetch ${url}: HTTP ${res.status}`, { field: 'trendingUrl' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const file = await verified(bytes, url);
    const at = Date.now();
    if (cache) {
      try {
        for (const req of await cache.keys()) {
          const key = parseModelCacheKey(req.url);
          if (key && key.url === url && key.version.startsWith(TRENDING_CACHE_PREFIX)) await cache.delete(req);
        }
        const body = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        await cache.put(
          modelCacheKey(url, `${TRENDING_CACHE_PREFIX}${file.version}`, file.sha256),
          new Response(body, { headers: { [STORED_HEADER]: String(at), 'content-type': 'application/json' } }),
        );
      } catch {
        /* a failed put only costs the next page a request */
      }
    }
    return { file, fromCache: false, at };
  }
}
