/**
 * @localrec/miniprogram/testing — STAND-INS for tests (not WeChat): the wx worker API and
 * `wx.request` here, and the wx storage API from @localrec/store-kv/testing.
 */
export { createWxWorkerStandin } from './wx-worker-standin.js';
export type { WxWorkerStandin } from './wx-worker-standin.js';
export { createWxRequestStandin } from './wx-request-standin.js';
export type { WxRequestLogEntry, WxRequestStandin, WxRequestStandinOptions, WxServed } from './wx-request-standin.js';
export { createWxStandin } from '@localrec/store-kv/testing';
