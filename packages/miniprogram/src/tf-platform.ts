/**
 * A TensorFlow.js platform for a mini-program's logic layer. tfjs picks its platform (timer,
 * text codec, typed-array check, fetch) at load: the browser's when it sees `window`/a worker
 * scope, Node's when it sees `process`; a mini-program is neither, so tfjs has none and no backend
 * can run. Pass this object to `tf.setPlatform('wechat', miniProgramTfPlatform(wx))` from the
 * tfjs instance the runtime build bundles, before the runtime starts. This module imports no tfjs.
 */
import { miniProgramFetch, utf8Decode, utf8Encode, type WxRequestApi } from './fetch.js';
import { engineGlobal } from './env.js';

/** The shape of tfjs-core's `Platform` (4.x). */
export interface TfPlatformLike {
  fetch(path: string, requestInits?: RequestInit): Promise<Response>;
  now(): number;
  encode(text: string, encoding: string): Uint8Array;
  decode(bytes: Uint8Array, encoding: string): string;
  setTimeoutCustom?(functionRef: () => void, delay: number): void;
  isTypedArray(a: unknown): a is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray;
}

const utf8 = (encoding: string): void => {
  if (!/^utf-?8$/i.test(encoding)) throw new Error(`miniProgramTfPlatform: only utf-8 is supported, got "${encoding}"`);
};

/**
 * The tfjs platform over what a mini-program has: `fetch` is {@link miniProgramFetch} (`wx.request`
 * when there is no global fetch), `now` is `performance.now()` or `Date.now()`, UTF-8 only.
 * @example tf.setPlatform('wechat', miniProgramTfPlatform(wx));
 */
export function miniProgramTfPlatform(wx?: Partial<WxRequestApi>): TfPlatformLike {
  return {
    fetch(path, init) {
      const f = miniProgramFetch(wx);
      if (!f) return Promise.reject(new TypeError(`No fetch and no wx.request to fetch ${path}`));
      return f(path, init);
    },
    now: () => (engineGlobal('performance') ?? Date).now(),
    encode(text, encoding) {
      utf8(encoding);
      return utf8Encode(text);
    },
    decode(bytes, encoding) {
      utf8(encoding);
      return utf8Decode(bytes);
    },
    setTimeoutCustom(fn, delay) {
      setTimeout(fn, delay);
    },
    isTypedArray: (a): a is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray =>
      a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array || a instanceof Uint8ClampedArray,
  };
}
