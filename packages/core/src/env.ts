/**
 * Capability detection: the ONE place in LocalRec that probes browser globals. Nothing is read
 * at import time; {@link detectCapabilities} probes on first call and caches a frozen result.
 */

/** What the current JavaScript environment offers. Every field is `false` when unknown. */
export interface Capabilities {
  /** `indexedDB` is present (it may still fail to open, e.g. in some private modes). */
  indexedDB: boolean;
  /** `Worker` constructor (dedicated workers). */
  worker: boolean;
  /** `navigator.gpu` (WebGPU API present; an adapter may still be unavailable). */
  webgpu: boolean;
  /** Cache Storage (`caches`). */
  cacheStorage: boolean;
  /** Web Locks (`navigator.locks`). */
  webLocks: boolean;
  /** `BroadcastChannel`. */
  broadcastChannel: boolean;
  /** `crypto.subtle` (SHA-256 for model integrity). */
  subtleCrypto: boolean;
  /** `crypto.getRandomValues`. */
  randomValues: boolean;
  /** A DOM `document` (main thread of a page). */
  document: boolean;
  /** Running inside a worker global scope. */
  workerScope: boolean;
}

let cached: Readonly<Capabilities> | undefined;
let override: Partial<Capabilities> | undefined;

/** Reads a global without throwing (some getters throw, e.g. `indexedDB` in sandboxed frames). */
function probe(read: () => unknown): boolean {
  try {
    const v = read();
    return v !== undefined && v !== null;
  } catch {
    return false;
  }
}

function detect(): Capabilities {
  const g = globalThis as Record<string, unknown> & {
    navigator?: { gpu?: unknown; locks?: unknown };
    crypto?: { subtle?: unknown; getRandomValues?: unknown };
  };
  return {
    indexedDB: probe(() => g.indexedDB),
    worker: probe(() => g.Worker),
    webgpu: probe(() => g.navigator?.gpu),
    cacheStorage: probe(() => g.caches),
    webLocks: probe(() => g.navigator?.locks),
    broadcastChannel: probe(() => g.BroadcastChannel),
    subtleCrypto: probe(() => g.crypto?.subtle),
    randomValues: probe(() => (typeof g.crypto?.getRandomValues === 'function' ? true : undefined)),
    document: probe(() => g.document),
    workerScope: probe(() => (typeof g.importScripts === 'function' && g.document === undefined ? true : undefined)),
  };
}

/**
 * The capabilities of this environment, probed once (lazily) and cached.
 * @example if (detectCapabilities().indexedDB) store = new IndexedDbEventStore({ appId });
 */
export function detectCapabilities(): Readonly<Capabilities> {
  cached ??= Object.freeze({ ...detect(), ...override });
  return cached;
}

/**
 * Replaces some detected capabilities (tests, or a host that knows better, e.g. IndexedDB
 * known to be broken). `undefined` removes the override. Clears the cache.
 */
export function overrideCapabilities(partial: Partial<Capabilities> | undefined): void {
  override = partial === undefined ? undefined : { ...partial };
  cached = undefined;
}
