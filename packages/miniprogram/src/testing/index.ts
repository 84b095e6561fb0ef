/**
 * @localrec/miniprogram/testing — STAND-INS for tests (not WeChat): the wx worker API here, and
 * the wx storage API from @localrec/store-kv/testing.
 */
export { createWxWorkerStandin } from './wx-worker-standin.js';
export type { WxWorkerStandin } from './wx-worker-standin.js';
export { createWxStandin } from '@localrec/store-kv/testing';
