/**
 * Capability detection: the ONE place in LocalRec that probes browser globals. Nothing is read
 * at import time; {@link detectCapabilities} probes on first call and caches a frozen result.
 * The accessors below (exported through `@localrec/core/internal`) hand out the few globals other
 * modules must use, not just test for: they are read on every call (cheap, and a test or a host
 * may install one late), so no other module writes `typeof window` or `globalThis.x` itself.
 * (Mini-programs have their own detector on the same pattern: `@localrec/miniprogram`'s env.ts.)
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
  /** `OffscreenCanvas` (WebGL without a document, e.g. in a worker). */
  offscreenCanvas: boolean;
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
    offscreenCanvas: probe(() => g.OffscreenCanvas),
    workerScope: probe(() => (typeof g.importScripts === 'function' && g.document === undefined ? true : undefined)),
  };
}

/** The page's `window`, or `undefined` outside a page (Node, workers, mini-programs). */
export function pageWindow(): Window | undefined {
  return typeof window === 'undefined' ? undefined : window;
}

/** The page's `document`, or `undefined` outside a page. */
export function pageDocument(): Document | undefined {
  return typeof document === 'undefined' ? undefined : document;
}

/** The global scope when it has `requestIdleCallback` and `cancelIdleCallback` (not Safari, not Node). */
export function idleCallbacks(): Pick<Window, 'requestIdleCallback' | 'cancelIdleCallback'> | undefined {
  const w = globalThis as unknown as Partial<Window>;
  return w.requestIdleCallback && w.cancelIdleCallback ? (w as Window) : undefined;
}

/** A monotonic clock in ms (`performance.now()`), or `Date.now()` where there is no `performance`. */
export function monotonicNow(): number {
  return typeof performance === 'undefined' ? Date.now() : performance.now();
}

/** `crypto` when it has `getRandomValues` (see {@link Capabilities.randomValues}), else `undefined`. */
export function randomSource(): Pick<Crypto, 'getRandomValues'> | undefined {
  return detectCapabilities().randomValues ? crypto : undefined;
}

/** `crypto.subtle` (see {@link Capabilities.subtleCrypto}), else `undefined` (e.g. a page served over plain http). */
export function subtleCrypto(): SubtleCrypto | undefined {
  return detectCapabilities().subtleCrypto ? crypto.subtle : undefined;
}

/** Cache Storage (`caches`, see {@link Capabilities.cacheStorage}), else `undefined`. */
export function cacheStorage(): CacheStorage | undefined {
  return detectCapabilities().cacheStorage ? caches : undefined;
}

/** What the runtime needs of `navigator.gpu`: an adapter, if there is one, and the WGSL features. */
export interface WebGpuLike {
  requestAdapter(): Promise<unknown>;
  /** WGSL language features (e.g. `packed_4x8_integer_dot_product`, Chrome 123+); absent in older browsers. */
  wgslLanguageFeatures?: { has(feature: string): boolean };
}

/** `navigator.gpu` (see {@link Capabilities.webgpu}), else `undefined`. */
export function webGpu(): WebGpuLike | undefined {
  return detectCapabilities().webgpu ? (navigator as unknown as { gpu: WebGpuLike }).gpu : undefined;
}

/** Web Locks (`navigator.locks`, see {@link Capabilities.webLocks}), else `undefined`. */
export function webLocks(): LockManager | undefined {
  return detectCapabilities().webLocks ? navigator.locks : undefined;
}

/** The `Worker` constructor (see {@link Capabilities.worker}), else `undefined`. */
export function workerConstructor(): typeof Worker | undefined {
  return detectCapabilities().worker ? Worker : undefined;
}

/**
 * The `WebAssembly` namespace, or `undefined` where the engine has none (some mini-program logic
 * layers, locked-down contexts). What it supports (SIMD, relaxed SIMD) is checked by validating
 * the module that needs it (see the runtime's `kernelSupport`).
 */
export function webAssembly(): typeof WebAssembly | undefined {
  return (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
}

/** The browser and core count, for cache keys and reports (`undefined` fields outside a browser). */
export function agentInfo(): { userAgent: string | undefined; hardwareConcurrency: number | undefined } {
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  return { userAgent: nav?.userAgent, hardwareConcurrency: nav?.hardwareConcurrency };
}

/** The current document's or worker's URL (`location.href`), or `undefined` (Node, mini-programs). */
export function locationHref(): string | undefined {
  return (globalThis as { location?: { href?: string } }).location?.href;
}

/** The global `fetch`, bound to its scope, or `undefined` where there is none (mini-programs). */
export function globalFetch(): typeof fetch | undefined {
  return typeof fetch === 'function' ? fetch.bind(globalThis) : undefined;
}

/** The `Blob` constructor, or `undefined` where there is none (mini-programs' logic layer). */
export function blobConstructor(): typeof Blob | undefined {
  return typeof Blob === 'function' ? Blob : undefined;
}

/** `structuredClone`, or `undefined` where the environment lacks it (older mini-program engines). */
export function structuredCloner(): (<T>(value: T) => T) | undefined {
  return typeof structuredClone === 'function' ? (v) => structuredClone(v) : undefined;
}

/** `setInterval`/`clearInterval` of the global scope, or `undefined` in a context without timers. */
export function intervalTimers(): IntervalTimers | undefined {
  // Wrapped, not returned as methods: a browser's setInterval called on another object throws "Illegal invocation".
  return typeof setInterval === 'function' && typeof clearInterval === 'function'
    ? { setInterval: (tick, everyMs) => setInterval(tick, everyMs), clearInterval: (t) => clearInterval(t) }
    : undefined;
}

/** The global scope's interval timers (see {@link intervalTimers}). */
export interface IntervalTimers {
  setInterval(tick: () => void, everyMs: number): ReturnType<typeof setInterval>;
  clearInterval(timer: ReturnType<typeof setInterval>): void;
}

/** The DOM classes a custom element needs, where the page has them (not a worker, Node or a mini-program). */
export interface UiGlobals {
  HTMLElement: typeof HTMLElement;
  customElements: CustomElementRegistry;
  CustomEvent: typeof CustomEvent;
  /** Constructable stylesheets (`adoptedStyleSheets`: styles under a strict CSP without a nonce), where supported. */
  CSSStyleSheet: typeof CSSStyleSheet | undefined;
  IntersectionObserver: typeof IntersectionObserver | undefined;
  URL: typeof URL;
}

/** {@link UiGlobals}, or `undefined` without a DOM with custom elements. */
export function uiGlobals(): UiGlobals | undefined {
  const g = globalThis as Partial<UiGlobals> & { CSSStyleSheet?: typeof CSSStyleSheet };
  if (typeof g.HTMLElement !== 'function' || !g.customElements || typeof g.CustomEvent !== 'function' || typeof g.URL !== 'function')
    return undefined;
  const sheets = typeof g.CSSStyleSheet === 'function' && 'replaceSync' in g.CSSStyleSheet.prototype ? g.CSSStyleSheet : undefined;
  return {
    HTMLElement: g.HTMLElement,
    customElements: g.customElements,
    CustomEvent: g.CustomEvent,
    CSSStyleSheet: sheets,
    IntersectionObserver: typeof g.IntersectionObserver === 'function' ? g.IntersectionObserver : undefined,
    URL: g.URL,
  };
}

/** The script tag's `LocalRec` global (localrec.min.js or its snippet), when the page has one. */
export function scriptTagGlobal(): unknown {
  return (globalThis as { LocalRec?: unknown }).LocalRec;
}

/** `TextEncoder`/`TextDecoder` where the environment has them (not a mini-program's logic layer). */
export function textCodecs(): { TextEncoder: typeof TextEncoder | undefined; TextDecoder: typeof TextDecoder | undefined } {
  const g = globalThis as { TextEncoder?: typeof TextEncoder; TextDecoder?: typeof TextDecoder };
  return { TextEncoder: g.TextEncoder, TextDecoder: g.TextDecoder };
}

/** The WHATWG `URL` constructor, or `undefined` (some mini-program logic layers). */
export function urlConstructor(): typeof URL | undefined {
  return (globalThis as { URL?: typeof URL }).URL;
}

/**
 * A `BroadcastChannel` named `name` (see {@link Capabilities.broadcastChannel}), else `undefined`
 * (old Safari, Node without it, mini-programs). Each call opens a new channel: close it when done.
 */
export function broadcastChannel(name: string): BroadcastChannel | undefined {
  return detectCapabilities().broadcastChannel ? new BroadcastChannel(name) : undefined;
}

/**
 * True when the browser sends Global Privacy Control (`navigator.globalPrivacyControl === true`:
 * the user asked that their data not be sold or shared). Read on every call.
 */
export function globalPrivacyControl(): boolean {
  return (globalThis as { navigator?: { globalPrivacyControl?: unknown } }).navigator?.globalPrivacyControl === true;
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
