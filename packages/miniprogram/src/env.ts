/**
 * Mini-program environment detection — the one place this package probes globals, and only when
 * called (never at import time); the same pattern as core's `env.ts` (browser capabilities stay
 * there): {@link detectMiniProgram} probes on first call and caches a frozen result, and
 * {@link engineGlobal} hands out the optional globals of the JS engine that other modules use.
 */

/** What the current JavaScript context offers as a WeChat-style mini-program. */
export interface MiniProgramEnv {
  /** A `wx` object with the storage and worker APIs (the mini-program logic layer). */
  miniProgram: boolean;
  /** `wx.getStorage`/`setStorage`/`removeStorage`/`getStorageInfo`. */
  storage: boolean;
  /** `wx.createWorker` (one worker at a time; `app.json` must declare `workers`). */
  worker: boolean;
  /** `wx.createOffscreenCanvas` — tfjs's webgl backend needs a WebGL context from it. */
  webgl: boolean;
  /** `wx.request` — the network API (a mini-program has no `fetch`; see `wxFetch`). */
  request: boolean;
  /** A DOM-style `window`/`document` (false in a mini-program's logic layer). */
  dom: boolean;
}

/** The subset of `wx` this package uses; every member optional for detection. */
export interface WxLike {
  getStorage?: unknown;
  setStorage?: unknown;
  removeStorage?: unknown;
  getStorageInfo?: unknown;
  createWorker?: unknown;
  createOffscreenCanvas?: unknown;
  request?: unknown;
}

let cached: Readonly<MiniProgramEnv> | undefined;

function read(fn: () => unknown): unknown {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Probes `scope` (default `globalThis`); see {@link detectMiniProgram}. */
export function probeMiniProgram(scope: object = globalThis): MiniProgramEnv {
  const g = scope as { wx?: WxLike; window?: unknown; document?: unknown };
  const wx = read(() => g.wx) as WxLike | undefined;
  const fn = (name: keyof WxLike): boolean => typeof wx === 'object' && wx !== null && typeof read(() => wx[name]) === 'function';
  const storage = fn('getStorage') && fn('setStorage') && fn('removeStorage') && fn('getStorageInfo');
  const worker = fn('createWorker');
  return {
    miniProgram: storage && worker,
    storage,
    worker,
    webgl: fn('createOffscreenCanvas'),
    request: fn('request'),
    dom: read(() => g.document) !== undefined && read(() => g.window) !== undefined,
  };
}

/**
 * The mini-program environment, probed on first call and cached (frozen).
 * @example if (detectMiniProgram().miniProgram) store = createMiniProgramStore(wx, 'shop');
 */
export function detectMiniProgram(): Readonly<MiniProgramEnv> {
  cached ??= Object.freeze(probeMiniProgram());
  return cached;
}

/** Forgets the cached detection (tests; a host that installs `wx` late). */
export function resetMiniProgramDetection(): void {
  cached = undefined;
}

/** Globals a mini-program's JS engine may lack (older base libraries), as this package uses them. */
export interface EngineGlobals {
  TextEncoder?: typeof TextEncoder;
  TextDecoder?: typeof TextDecoder;
  DOMException?: typeof DOMException;
  fetch?: typeof fetch;
  structuredClone?: <U>(value: U) => U;
  performance?: { now(): number };
}

/**
 * One optional global of the JS engine, or `undefined` where it is missing (or its getter throws).
 * Read on every call: a host may install a polyfill late. Internal to this package.
 */
export function engineGlobal<K extends keyof EngineGlobals>(name: K): EngineGlobals[K] {
  return read(() => (globalThis as EngineGlobals)[name]) as EngineGlobals[K];
}
