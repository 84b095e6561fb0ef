/**
 * A STAND-IN for WeChat's `wx.request` (developers.weixin.qq.com › API › Network › wx.request),
 * for tests. It is NOT WeChat, makes no network request, and serves what the test hands it.
 *
 * What it copies from the documentation:
 * - The call shape: `wx.request({ url, method, header, data, timeout, dataType, responseType,
 *   success, fail, complete })` returns a `RequestTask` (`abort()`); the outcome arrives
 *   asynchronously, `complete` after `success`/`fail`.
 * - Any HTTP response is a SUCCESS: `success({ data, statusCode, header, cookies, errMsg:
 *   'request:ok' })`, also for 404 or 500 — the caller checks `statusCode`.
 * - `fail({ errMsg, errno })` only when no HTTP response came: a URL outside the mini-program's
 *   request domain list (`request:fail url not in domain list`), a timeout (`request:fail
 *   timeout`), an abort (`request:fail abort`), an injected network failure.
 * - `responseType: 'arraybuffer'` gives `data` as an `ArrayBuffer`; otherwise (`'text'`, the
 *   default) a string, which with `dataType: 'json'` (the default) is parsed as JSON when it can be.
 * - At most 10 requests run at once; further ones wait for a slot (the documented concurrency limit).
 *
 * What it does not copy: HTTPS/TLS and certificate checks, cookies, redirects, HTTP/2, the
 * `enableCache`/`enableHttp2` options, `onHeadersReceived`/`onChunkReceived`.
 */
import type { WxRequestApi, WxRequestFail, WxRequestOptions, WxRequestSuccess, WxRequestTask } from '../fetch.js';

/** What the server answers for a URL: a body (200), a response, or `undefined` (404). */
export type WxServed =
  | Uint8Array
  | ArrayBuffer
  | string
  | { statusCode: number; body?: Uint8Array | ArrayBuffer | string; header?: Record<string, string> }
  | undefined;

export interface WxRequestStandinOptions {
  /**
   * The "server": a map of full URLs to bodies, or a function of the URL (may be async, e.g. a
   * file read). An unknown URL answers 404 (through `success`, as wx does).
   */
  serve: Readonly<Record<string, WxServed>> | ((url: string, options: WxRequestOptions) => WxServed | Promise<WxServed>);
  /**
   * The request domain list (origins such as `https://models.example.com`); a URL outside it fails
   * with `request:fail url not in domain list`. Default: every origin is allowed.
   */
  domains?: readonly string[];
  /** Concurrency limit (default 10, as documented). */
  maxConcurrent?: number;
}

/** One request as the stand-in saw it. */
export interface WxRequestLogEntry {
  url: string;
  method: string;
  responseType: string;
  outcome: 'success' | 'fail';
  statusCode?: number;
  errMsg: string;
}

/** The stand-in: `request` plus test controls. */
export interface WxRequestStandin extends WxRequestApi {
  request(options: WxRequestOptions): WxRequestTask;
  /** Test control: the next `n` requests fail with `errMsg` (e.g. `request:fail timeout`) instead of reaching the server. */
  failNext(errMsg: string, n?: number): void;
  /** Test control: requests hang (until aborted or their `timeout`) while set. */
  hang(on: boolean): void;
  /** Every finished request, in order. */
  readonly log: readonly WxRequestLogEntry[];
  /** The most requests that were in flight at once. */
  readonly maxInFlight: number;
}

/**
 * Creates a `wx.request` STAND-IN (see the module comment). Spread it into a `wx` object next to
 * the storage stand-in: `{ ...createWxStandin(), request: createWxRequestStandin(o).request }`.
 */
export function createWxRequestStandin(options: WxRequestStandinOptions): WxRequestStandin {
  const serve = options.serve;
  // The stand-in's own codecs, taken now: tests may remove the context's to exercise fallbacks.
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const toArrayBuffer = (b: Uint8Array | ArrayBuffer | string): ArrayBuffer => {
    const u = typeof b === 'string' ? encoder.encode(b) : b instanceof ArrayBuffer ? new Uint8Array(b) : b;
    return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
  };
  const limit = options.maxConcurrent ?? 10;
  const log: WxRequestLogEntry[] = [];
  const queue: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failing: { errMsg: string; n: number } | undefined;
  let hanging = false;

  const allowed = (url: string): boolean => {
    if (!options.domains) return true;
    try {
      return options.domains.includes(new URL(url).origin);
    } catch {
      return false;
    }
  };

  function request(o: WxRequestOptions): WxRequestTask {
    let done = false;
    let started = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const method = (o.method ?? 'GET').toUpperCase();
    const responseType = o.responseType ?? 'text';

    const finish = (r: { ok: true; res: WxRequestSuccess } | { ok: false; err: WxRequestFail }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (started) {
        inFlight -= 1;
        queue.shift()?.();
      }
      log.push(
        r.ok
          ? { url: o.url, method, responseType, outcome: 'success', statusCode: r.res.statusCode, errMsg: r.res.errMsg ?? '' }
          : { url: o.url, method, responseType, outcome: 'fail', errMsg: r.err.errMsg },
      );
      // Callbacks run asynchronously, as wx delivers them.
      setTimeout(() => {
        if (r.ok) o.success?.(r.res);
        else o.fail?.(r.err);
        o.complete?.(r.ok ? r.res : r.err);
      }, 0);
    };
    const fail = (errMsg: string, errno = 600001): void => finish({ ok: false, err: { errMsg, errno } });

    const run = async (): Promise<void> => {
      if (done) return;
      timer = setTimeout(() => fail('request:fail timeout', 5), o.timeout ?? 60_000);
      if (failing) {
        const { errMsg } = failing;
        if (--failing.n <= 0) failing = undefined;
        fail(errMsg);
        return;
      }
      if (hanging) return;
      let served: WxServed;
      try {
        served =
          typeof serve === 'function'
            ? await serve(o.url, o)
            : Object.prototype.hasOwnProperty.call(serve, o.url)
              ? serve[o.url]
              : undefined;
      } catch (e) {
        fail(`request:fail ${(e as Error).message}`);
        return;
      }
      const res =
        served === undefined
          ? { statusCode: 404, body: 'not found' }
          : typeof served === 'object' && 'statusCode' in served
            ? served
            : { statusCode: 200, body: served };
      const bytes = toArrayBuffer(res.body ?? '');
      let data: unknown = bytes;
      if (responseType !== 'arraybuffer') {
        data = decoder.decode(bytes);
        if ((o.dataType ?? 'json') === 'json') {
          try {
            data = JSON.parse(data as string);
          } catch {
            /* stays a string, as in wx */
          }
        }
      }
      finish({
        ok: true,
        res: {
          data,
          statusCode: res.statusCode,
          header: { 'Content-Length': String(bytes.byteLength), ...(res.header ?? {}) },
          errMsg: 'request:ok',
        },
      });
    };

    if (typeof o?.url !== 'string' || o.url === '') {
      setTimeout(() => fail('request:fail parameter error: parameter.url should be String', 1), 0);
    } else if (!/^https?:\/\//i.test(o.url)) {
      setTimeout(() => fail(`request:fail invalid url "${o.url}"`, 600009), 0);
    } else if (!allowed(o.url)) {
      setTimeout(() => fail('request:fail url not in domain list', 600002), 0);
    } else {
      // Takes a slot at once (so a burst in one tick counts), or waits for one.
      const start = (): void => {
        if (done) {
          queue.shift()?.();
          return;
        } // aborted while waiting: pass the slot on
        started = true;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          run().catch((e: unknown) => fail(`request:fail stand-in error: ${String(e)}`));
        }, 0);
      };
      if (inFlight < limit) start();
      else queue.push(start);
    }
    return { abort: () => fail('request:fail abort', 600003) };
  }

  return {
    request,
    failNext(errMsg, n = 1) {
      failing = { errMsg, n };
    },
    hang(on) {
      hanging = on;
    },
    get log() {
      return log;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}
