/**
 * @localrec/store-kv — LocalRec's event store for key-value storage (WeChat mini-programs):
 * `KeyValueEventStore` over a `KvStorage`, and `wxStorage(wx)` to get one from the `wx` API.
 * Nothing here touches a global; pass `wx` in.
 * @packageDocumentation
 */
export { KeyValueEventStore } from './store.js';
export type { KeyValueEventStoreOptions } from './store.js';
export { WX_LIMITS } from './kv.js';
export type { KvInfo, KvLimits, KvStorage } from './kv.js';
export { wxStorage } from './wx.js';
export type { WxCallbacks, WxFailResult, WxStorageApi, WxStorageInfo } from './wx.js';
