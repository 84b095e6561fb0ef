/**
 * A STAND-IN for WeChat's mini-program storage API, in memory, for tests. It is NOT WeChat and
 * proves nothing about WeChat beyond the behaviour written down here.
 *
 * What it copies:
 * - The documented API shapes (developers.weixin.qq.com › API › Storage): `wx.setStorage({ key,
 *   data, success, fail, complete })`, `wx.getStorage({ key, … })` → `success({ data })`,
 *   `wx.removeStorage`, `wx.clearStorage`, `wx.getStorageInfo` → `{ keys, currentSize, limitSize }`
 *   in KB, and the Promise style when no callback is passed.
 * - The documented limits: "a single key may hold at most 1 MB, all data at most 10 MB". Sizes
 *   are counted the way the WeChat client counts them: key length + length of the JSON text of
 *   the data, in UTF-16 code units.
 * - The failure messages. The documentation lists the limits but not the `errMsg` strings; the
 *   ones used here are those the WeChat client reports: `getStorage:fail data not found`,
 *   `setStorage:fail:entry size limit reached` (one key over 1 MB) and
 *   `setStorage:fail exceed storage max size 10Mb` (total over 10 MB).
 * - Values are stored as JSON text and parsed on read, so callers get copies (like the real
 *   storage, which persists to disk).
 *
 * What it adds for tests: fault injection — fail the Nth write (`failNthWrite`), or "crash" after
 * N more writes (`crashAfterWrites`: every later call fails until `revive()`), to exercise torn
 * multi-key writes; and a log of calls.
 */

export interface WxStandinOptions {
  /** Per-key limit in bytes (UTF-16 code units of key + JSON). Default 1 MB, as documented. */
  perKeyLimit?: number;
  /** Total limit in bytes. Default 10 MB, as documented. */
  totalLimit?: number;
}

export interface WxFail {
  errMsg: string;
}

interface Callbacks<T> {
  success?: (res: T) => void;
  fail?: (err: WxFail) => void;
  complete?: (res: T | WxFail) => void;
}

/** The stand-in object: the four storage methods of `wx` plus test controls. */
export interface WxStandin {
  getStorage(o: { key: string } & Callbacks<{ data: unknown; errMsg: string }>): Promise<{ data: unknown; errMsg: string }> | undefined;
  setStorage(o: { key: string; data: unknown } & Callbacks<{ errMsg: string }>): Promise<{ errMsg: string }> | undefined;
  removeStorage(o: { key: string } & Callbacks<{ errMsg: string }>): Promise<{ errMsg: string }> | undefined;
  clearStorage(o?: Callbacks<{ errMsg: string }>): Promise<{ errMsg: string }> | undefined;
  getStorageInfo(
    o?: Callbacks<{ keys: string[]; currentSize: number; limitSize: number; errMsg: string }>,
  ): Promise<{ keys: string[]; currentSize: number; limitSize: number; errMsg: string }> | undefined;
  /** Test control: the `n`th write from now (1 = the next one) fails with `errMsg`; nothing is stored. */
  failNthWrite(n: number, errMsg?: string): void;
  /** Test control: after `n` more successful writes every call fails, as if the process died. */
  crashAfterWrites(n: number): void;
  /** Test control: ends a simulated crash (the "restarted" app sees what was written before it). */
  revive(): void;
  /** Test control: cancels pending injected faults (`failNthWrite`, `crashAfterWrites`) and ends a crash. */
  clearFaults(): void;
  /** Test control: bytes used as the stand-in counts them. */
  usedBytes(): number;
  /** Test control: the raw JSON text of every key. */
  snapshot(): Map<string, string>;
  /** Test control: writes (set/remove) performed so far. */
  readonly writes: number;
}

/** Bytes an entry counts as: key length + JSON text length, in UTF-16 code units (as the client counts). */
function size(key: string, json: string): number {
  return key.length + json.length;
}

/**
 * Creates an in-memory STAND-IN for WeChat's `wx` storage API (see the module comment for what it
 * does and does not copy).
 * @example const wx = createWxStandin(); const store = new KeyValueEventStore({ appId: 't', storage: wxStorage(wx) });
 */
export function createWxStandin(options: WxStandinOptions = {}): WxStandin {
  const perKeyLimit = options.perKeyLimit ?? 1024 * 1024;
  const totalLimit = options.totalLimit ?? 10 * 1024 * 1024;
  const data = new Map<string, string>();
  let writes = 0;
  let failAt: { n: number; errMsg: string } | undefined;
  let crashAt: number | undefined;
  let crashed = false;

  const used = (): number => {
    let n = 0;
    for (const [k, v] of data) n += size(k, v);
    return n;
  };

  /** Runs `op` with wx's callback/Promise conventions; `op` returns the success result or throws a WxFail. */
  function api<T extends object>(name: string, o: Callbacks<T> | undefined, op: () => T): Promise<T> | undefined {
    const settle = (): { ok: true; res: T } | { ok: false; err: WxFail } => {
      if (crashed) return { ok: false, err: { errMsg: `${name}:fail stand-in crashed (simulated process death)` } };
      try {
        return { ok: true, res: op() };
      } catch (err) {
        return { ok: false, err: (err as WxFail).errMsg !== undefined ? (err as WxFail) : { errMsg: `${name}:fail ${String(err)}` } };
      }
    };
    const usesCallbacks = o !== undefined && (o.success !== undefined || o.fail !== undefined || o.complete !== undefined);
    // Like wx: the call returns at once and the outcome arrives asynchronously.
    const p = Promise.resolve().then(settle);
    if (!usesCallbacks) return p.then((r) => (r.ok ? r.res : Promise.reject(r.err)));
    void p.then((r) => {
      if (r.ok) o.success?.(r.res);
      else o.fail?.(r.err);
      o.complete?.(r.ok ? r.res : r.err);
    });
    return undefined;
  }

  /** Counts a write and applies injected faults; throws a WxFail when this write must fail. */
  function beginWrite(name: string): void {
    if (failAt !== undefined) {
      failAt.n -= 1;
      if (failAt.n === 0) {
        const { errMsg } = failAt;
        failAt = undefined;
        throw { errMsg: errMsg.includes(':fail') ? errMsg : `${name}:fail ${errMsg}` };
      }
    }
  }

  function endWrite(): void {
    writes += 1;
    if (crashAt !== undefined) {
      crashAt -= 1;
      if (crashAt <= 0) {
        crashAt = undefined;
        crashed = true;
      }
    }
  }

  const requireKey = (name: string, key: unknown): string => {
    if (typeof key !== 'string' || key === '')
      throw { errMsg: `${name}:fail parameter error: parameter.key should be String instead of ${typeof key};` };
    return key;
  };

  return {
    getStorage(o) {
      return api('getStorage', o, () => {
        const key = requireKey('getStorage', o?.key);
        const json = data.get(key);
        if (json === undefined) throw { errMsg: 'getStorage:fail data not found' };
        return { data: JSON.parse(json) as unknown, errMsg: 'getStorage:ok' };
      });
    },
    setStorage(o) {
      return api('setStorage', o, () => {
        const key = requireKey('setStorage', o?.key);
        beginWrite('setStorage');
        const json = JSON.stringify(o.data);
        if (json === undefined) throw { errMsg: 'setStorage:fail parameter error: parameter.data should be serialisable' };
        if (size(key, json) > perKeyLimit) throw { errMsg: 'setStorage:fail:entry size limit reached' };
        const before = data.get(key);
        const total = used() - (before === undefined ? 0 : size(key, before)) + size(key, json);
        if (total > totalLimit) throw { errMsg: `setStorage:fail exceed storage max size ${Math.round(totalLimit / 1024 / 1024)}Mb` };
        data.set(key, json);
        endWrite();
        return { errMsg: 'setStorage:ok' };
      });
    },
    removeStorage(o) {
      return api('removeStorage', o, () => {
        const key = requireKey('removeStorage', o?.key);
        beginWrite('removeStorage');
        data.delete(key);
        endWrite();
        return { errMsg: 'removeStorage:ok' };
      });
    },
    clearStorage(o) {
      return api('clearStorage', o, () => {
        beginWrite('clearStorage');
        data.clear();
        endWrite();
        return { errMsg: 'clearStorage:ok' };
      });
    },
    getStorageInfo(o) {
      return api('getStorageInfo', o, () => ({
        keys: [...data.keys()],
        currentSize: Math.ceil(used() / 1024),
        limitSize: Math.floor(totalLimit / 1024),
        errMsg: 'getStorageInfo:ok',
      }));
    },
    failNthWrite(n, errMsg = 'injected write failure (stand-in fault)') {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`failNthWrite(n): n must be an integer ≥ 1; got ${n}`);
      failAt = { n, errMsg };
    },
    crashAfterWrites(n) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`crashAfterWrites(n): n must be an integer ≥ 0; got ${n}`);
      if (n === 0) crashed = true;
      else crashAt = n;
    },
    revive() {
      crashed = false;
      crashAt = undefined;
    },
    clearFaults() {
      failAt = undefined;
      crashAt = undefined;
      crashed = false;
    },
    usedBytes: used,
    snapshot: () => new Map(data),
    get writes() {
      return writes;
    },
  };
}
