/**
 * `wxStorage(wx)`: the WeChat mini-program storage API as a {@link KvStorage}.
 *
 * Shapes follow the official documentation (developers.weixin.qq.com, API › Storage):
 * `wx.setStorage({ key, data, success, fail, complete })`, `wx.getStorage({ key, success(res) })`
 * with `res.data`, `wx.removeStorage({ key, … })`, `wx.getStorageInfo({ success(res) })` with
 * `res.keys`, `res.currentSize` and `res.limitSize` in KB. Newer base libraries also return a
 * Promise when no callback is given; the adapter always passes callbacks, which every version
 * supports, so it has one code path.
 */
import { LocalRecError } from '@localrec/core';
import type { KvInfo, KvStorage } from './kv.js';
import { WX_LIMITS } from './kv.js';

/** What a failed wx call passes to `fail`. */
export interface WxFailResult {
  errMsg: string;
  errno?: number;
}

/** Callback options every asynchronous wx API accepts. */
export interface WxCallbacks<T> {
  success?: (res: T) => void;
  fail?: (err: WxFailResult) => void;
  complete?: (res: T | WxFailResult) => void;
}

export interface WxStorageInfo {
  keys: string[];
  /** KB. */
  currentSize: number;
  /** KB. */
  limitSize: number;
}

/** The part of the `wx` global that storage uses. */
export interface WxStorageApi {
  getStorage(options: { key: string } & WxCallbacks<{ data: unknown; errMsg?: string }>): unknown;
  setStorage(options: { key: string; data: unknown } & WxCallbacks<{ errMsg?: string }>): unknown;
  removeStorage(options: { key: string } & WxCallbacks<{ errMsg?: string }>): unknown;
  getStorageInfo(options: WxCallbacks<WxStorageInfo & { errMsg?: string }>): unknown;
}

const REQUIRED = ['getStorage', 'setStorage', 'removeStorage', 'getStorageInfo'] as const;

/** True when `errMsg` says the key does not exist (`getStorage:fail data not found`). */
function isNotFound(errMsg: string): boolean {
  return /data not found/i.test(errMsg);
}

/** Maps a wx `fail` result to a LocalRecError with a code callers can branch on. */
function wxError(api: string, key: string | undefined, err: unknown): LocalRecError {
  const errMsg = typeof (err as WxFailResult | undefined)?.errMsg === 'string' ? (err as WxFailResult).errMsg : String(err);
  const quota = /exceed storage|size limit|quota|storage limit|max length/i.test(errMsg);
  const where = key === undefined ? `wx.${api}` : `wx.${api}("${key}")`;
  return new LocalRecError(quota ? 'QUOTA_EXCEEDED' : 'STORAGE_FAILED', `${where} failed: ${errMsg}`, { cause: err });
}

function call<T>(wx: WxStorageApi, api: (typeof REQUIRED)[number], key: string | undefined, options: object): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      (wx[api] as (o: object) => unknown)({
        ...options,
        success: (res: T) => resolve(res),
        fail: (err: WxFailResult) => reject(err),
      });
    } catch (err) {
      // Some runtimes throw synchronously instead of calling `fail`.
      reject(err);
    }
  }).catch((err: unknown) => {
    throw err instanceof LocalRecError ? err : wxError(api, key, err);
  });
}

/**
 * Adapts the `wx` storage API (or any object with the same four methods, e.g. Alipay's `my` or
 * a stand-in for tests) to {@link KvStorage}.
 * @throws {LocalRecError} `STORAGE_UNAVAILABLE` naming the missing methods when `wx` lacks them.
 * @example const store = new KeyValueEventStore({ appId: 'shop', storage: wxStorage(wx) });
 */
export function wxStorage(wx: WxStorageApi): KvStorage {
  const missing = REQUIRED.filter((m) => typeof (wx as unknown as Record<string, unknown> | undefined)?.[m] !== 'function');
  if (missing.length > 0) {
    throw new LocalRecError('STORAGE_UNAVAILABLE', `wxStorage(wx): wx lacks ${missing.join(', ')}; it needs ${REQUIRED.join(', ')}.`, {
      field: 'wx',
      accepted: REQUIRED,
    });
  }
  return {
    lockKey: wx,
    async get(key) {
      try {
        const res = await new Promise<{ data: unknown }>((resolve, reject) => {
          try {
            wx.getStorage({ key, success: resolve, fail: reject });
          } catch (err) {
            reject(err);
          }
        });
        // wx.getStorageSync returns '' for a missing key; the async API fails instead.
        return res.data;
      } catch (err) {
        if (isNotFound(String((err as WxFailResult | undefined)?.errMsg ?? ''))) return undefined;
        throw wxError('getStorage', key, err);
      }
    },
    async set(key, value) {
      await call(wx, 'setStorage', key, { key, data: value });
    },
    async remove(key) {
      try {
        await call(wx, 'removeStorage', key, { key });
      } catch (err) {
        if (err instanceof LocalRecError && isNotFound(err.message)) return;
        throw err;
      }
    },
    async keys() {
      const res = await call<WxStorageInfo>(wx, 'getStorageInfo', undefined, {});
      return [...res.keys];
    },
    async info(): Promise<KvInfo> {
      const res = await call<WxStorageInfo>(wx, 'getStorageInfo', undefined, {});
      const limit = typeof res.limitSize === 'number' && res.limitSize > 0 ? res.limitSize * 1024 : WX_LIMITS.totalBytes;
      return { currentSize: res.currentSize * 1024, limitSize: limit };
    },
  };
}
