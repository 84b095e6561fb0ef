/**
 * The shared storage conformance suite (@localrec/core/testing) against KeyValueEventStore on
 * `createWxStandin()`: an in-memory STAND-IN for WeChat's wx storage API, NOT WeChat. The
 * stand-in enforces the documented limits (1 MB per key, 10 MB in total) and WeChat's errMsg
 * strings; the "failure mid-write" case uses its fault injection (the 2nd write of the next
 * append fails, i.e. after its first chunk was written and before the index commit).
 */
import { describeEventStoreConformance } from '@localrec/core/testing';
import type { EventStore } from '@localrec/core';
import { KeyValueEventStore, wxStorage } from '@localrec/store-kv';
import { createWxStandin } from '@localrec/store-kv/testing';
import type { WxStandin } from '@localrec/store-kv/testing';

const backings = new Map<string, WxStandin>();
const backingOf = new WeakMap<EventStore, WxStandin>();

describeEventStoreConformance({
  name: 'kv on the wx stand-in (not WeChat)',
  makeStore(key) {
    let wx = backings.get(key);
    if (wx === undefined) {
      wx = createWxStandin();
      backings.set(key, wx);
    }
    // Each store gets its own adapter over the shared stand-in, like two pages of one mini-program.
    const store = new KeyValueEventStore({ appId: key, storage: wxStorage(wx) });
    backingOf.set(store, wx);
    return store;
  },
  breakStore(store) {
    const wx = backingOf.get(store)!;
    wx.failNthWrite(2);
    return () => wx.clearFaults();
  },
});
