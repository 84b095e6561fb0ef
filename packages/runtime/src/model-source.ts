/**
 * Model loading for the runtime: the bundle fetched and verified (`loader.ts`) into host-side
 * model data (`model-data.ts`), memoised with retry ({@link Once}), through a Cache Storage that
 * is refused once the runtime is disposed.
 */
import { LocalRecError } from '@localrec/core';
import { cacheStorage } from '@localrec/core/internal';
import type { LoadProgress, RuntimeOptions } from './api.js';
import { Once, within } from './lazy.js';
import { loadBundle } from './loader.js';
import { toModelData, type ModelData } from './model-data.js';
import { resolveUrl } from './url.js';

/** What the model source reads: the bundle's options, the environment seams, the progress callback. */
export interface ModelSourceInit {
  options: Pick<RuntimeOptions, 'modelUrl' | 'manifestSha256' | 'cache'> & { readyTimeoutMs: number; retryDelayMs: number };
  fetch?: typeof fetch | undefined;
  /** Cache Storage for bundles; `null` disables, `undefined` means `globalThis.caches`. */
  caches?: CacheStorage | null | undefined;
  progress(p: LoadProgress): void;
}

/** The runtime's model data: loaded once, a failed load retried after `retryDelayMs`. */
export class ModelSource {
  private readonly data: Once<ModelData>;
  private disposed = false;
  /** Cache Storage opens / puts in flight (see {@link guardedCaches}). */
  private readonly cacheOps = new Set<Promise<unknown>>();

  constructor(private readonly init: ModelSourceInit) {
    this.data = new Once<ModelData>(
      () => this.load(),
      () => init.options.retryDelayMs,
    );
  }

  /** The model data once loaded. */
  get value(): ModelData | undefined {
    return this.data.value;
  }
  /** Why the last load failed, until one succeeds. */
  get lastError(): unknown {
    return this.data.lastError;
  }
  /** The model data: the load in flight, the loaded data, or a new load. */
  get(): Promise<ModelData> {
    return this.data.get();
  }

  /** The model data, waiting for a first load at most `readyTimeoutMs` (`undefined` then). */
  async ready(): Promise<ModelData | undefined> {
    const p = this.data.get();
    return this.data.value ?? within(p, this.init.options.readyTimeoutMs);
  }

  /** The bundle folder URL, resolved, with a trailing slash. */
  baseUrl(): string {
    const base = resolveUrl(this.init.options.modelUrl, 'modelUrl');
    return base.endsWith('/') ? base : `${base}/`;
  }

  /** Refuses further cache use (at once) and resolves when the opens / puts in flight have settled. */
  close(): Promise<unknown> {
    this.disposed = true;
    return Promise.allSettled([...this.cacheOps]);
  }

  /** Forgets the loaded data (the next {@link get} loads again). */
  forget(): void {
    this.data.reset();
  }

  private async load(): Promise<ModelData> {
    const o = this.init.options;
    const base = resolveUrl(o.modelUrl, 'modelUrl');
    const lb: Parameters<typeof loadBundle>[0] = { baseUrl: base, onProgress: (p) => this.init.progress(p) };
    if (o.manifestSha256) lb.manifestSha256 = o.manifestSha256;
    if (this.init.fetch) lb.fetch = this.init.fetch;
    const caches = this.cacheStorage();
    if (caches !== undefined) lb.caches = caches;
    return toModelData(await loadBundle(lb));
  }

  /**
   * The Cache Storage the model's files (and the trending file) are kept in, guarded (see
   * {@link guardedCaches}); `null` with `cache: false`, `undefined` where there is none.
   */
  cacheStorage(): CacheStorage | null | undefined {
    if (this.init.options.cache === false) return null;
    const real = this.init.caches !== undefined ? this.init.caches : cacheStorage();
    return real ? this.guardedCaches(real) : undefined;
  }

  /**
   * Cache Storage as the loader sees it: refused once disposed, and every open / put in flight
   * tracked, so {@link dispose} returns only after they settled. Otherwise a load started just
   * before `forgetMe()` could (re-)create the model cache after the SDK erased it (the browser
   * completes an `open` even when the worker is terminated meanwhile).
   */
  private guardedCaches(real: CacheStorage): CacheStorage {
    const track = <T>(p: Promise<T>): Promise<T> => {
      this.cacheOps.add(p);
      void p.catch(() => undefined).finally(() => this.cacheOps.delete(p));
      return p;
    };
    const refused = () => Promise.reject(new LocalRecError('NOT_READY', 'The runtime was disposed'));
    return {
      // The loader uses match, put, keys and delete (a corrupted entry, older versions).
      open: (name: string) =>
        this.disposed
          ? refused()
          : track(
              real.open(name).then(
                (cache) =>
                  ({
                    match: (k: RequestInfo | URL) => cache.match(k),
                    put: (k: RequestInfo | URL, r: Response) => (this.disposed ? refused() : track(cache.put(k, r))),
                    keys: () => (this.disposed ? refused() : track(cache.keys())),
                    delete: (k: RequestInfo | URL) => (this.disposed ? refused() : track(cache.delete(k))),
                  }) as unknown as Cache,
              ),
            ),
    } as unknown as CacheStorage;
  }
}
