/**
 * @localrec/store-kv/testing — test helpers. `createWxStandin()` is an in-memory STAND-IN for
 * WeChat's storage API (documented limits and errors, fault injection), not WeChat itself.
 */
export { createWxStandin } from './wx-standin.js';
export type { WxStandin, WxStandinOptions, WxFail } from './wx-standin.js';
