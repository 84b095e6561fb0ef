/**
 * The minimal async key-value storage the {@link KeyValueEventStore} needs. WeChat's
 * `wx.getStorage`/`wx.setStorage`/`wx.removeStorage`/`wx.getStorageInfo` map onto it one to one
 * (see `wxStorage`); any other key-value API (Alipay `my.*`, React Native AsyncStorage, a file)
 * can be adapted in a few lines.
 */

/** Sizes as the platform reports them, in bytes (the wx adapter converts from KB). */
export interface KvInfo {
  /** Space used by every key of this app, including keys the store does not own. */
  currentSize: number;
  /** Total space the platform allows. */
  limitSize: number;
}

/**
 * Async key-value storage. Values are JSON-compatible (plain objects, arrays, strings, numbers,
 * booleans, null). Every method may reject; a rejection with a `LocalRecError` keeps its code
 * (`QUOTA_EXCEEDED`, `STORAGE_FAILED`, `STORAGE_UNAVAILABLE`), anything else is reported as
 * `STORAGE_FAILED`.
 */
export interface KvStorage {
  /** The stored value, or `undefined` when the key does not exist. */
  get(key: string): Promise<unknown>;
  /** Writes one key. One key's write is all-or-nothing. */
  set(key: string, value: unknown): Promise<void>;
  /** Removes one key; removing a missing key is not an error. */
  remove(key: string): Promise<void>;
  /** Every key currently stored (all owners). */
  keys(): Promise<string[]>;
  info(): Promise<KvInfo>;
  /**
   * Optional identity of the underlying storage. Stores over adapters with the same `lockKey`
   * share one write lock (e.g. two `wxStorage(wx)` adapters over the same `wx`). Default: the
   * adapter object itself.
   */
  readonly lockKey?: object;
}

/** The platform limits the store plans for. Defaults are WeChat's documented limits. */
export interface KvLimits {
  /** Largest value one key may hold, in bytes. WeChat: 1 MB. */
  perKeyBytes: number;
  /** Total storage of the app, in bytes. WeChat: 10 MB. Used when `info()` reports no limit. */
  totalBytes: number;
}

/** WeChat mini-program storage limits: "1 MB per key, 10 MB in total" (wx.setStorage docs). */
export const WX_LIMITS: Readonly<KvLimits> = Object.freeze({
  perKeyBytes: 1024 * 1024,
  totalBytes: 10 * 1024 * 1024,
});
