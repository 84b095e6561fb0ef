/**
 * `fetch` for contexts that have none (a WeChat mini-program's logic layer): a minimal
 * fetch-compatible function over `wx.request({ url, responseType: 'arraybuffer', success, fail })`,
 * enough for the runtime's model loader (`ok`, `status`, `headers`, `arrayBuffer()`, `json()`,
 * `text()`; `body` is always `null`, so the loader reads the whole body at once).
 *
 * It follows fetch's contract where `wx.request` differs:
 * - an HTTP error (404, 500) arrives in `wx.request`'s `success` callback with its `statusCode`;
 *   here it resolves with `ok: false` and that `status`, as fetch does;
 * - a failure (`fail` callback: no network, timeout, domain not in the mini-program's request
 *   domain list, abort) rejects with a `TypeError` carrying `errMsg`, as fetch's network errors do
 *   (an `AbortError` when the caller's `signal` aborted);
 * - the body is bytes (`responseType: 'arraybuffer'`), whatever its content type, so a SHA-256
 *   check sees exactly what the server sent.
 */
import { engineGlobal } from './env.js';

/** `wx.request`'s `success` result (the parts used here). */
export interface WxRequestSuccess {
  /** The body: an `ArrayBuffer` with `responseType: 'arraybuffer'`; a string or parsed JSON otherwise. */
  data: unknown;
  statusCode: number;
  /** Response headers (names as the server sent them). */
  header?: Readonly<Record<string, string>>;
  errMsg?: string;
}

/** `wx.request`'s `fail` result: `errMsg` such as `request:fail timeout`. */
export interface WxRequestFail {
  errMsg: string;
  errno?: number;
}

/** `wx.request`'s options (the parts used here). */
export interface WxRequestOptions {
  url: string;
  method?: string;
  header?: Record<string, string>;
  data?: string | ArrayBuffer;
  timeout?: number;
  responseType?: 'text' | 'arraybuffer';
  dataType?: string;
  success?: (res: WxRequestSuccess) => void;
  fail?: (err: WxRequestFail) => void;
  complete?: (res: WxRequestSuccess | WxRequestFail) => void;
}

/** `wx.request`'s return value. */
export interface WxRequestTask {
  abort(): void;
}

/** The `wx` member this module uses. */
export interface WxRequestApi {
  request(options: WxRequestOptions): WxRequestTask | void;
}

/** Options of {@link wxFetch}. */
export interface WxFetchOptions {
  /** `wx.request`'s `timeout` in ms (its own default, 60 s, when not set). */
  timeoutMs?: number;
}

/** Response headers, looked up case-insensitively (a subset of `Headers`). */
class WxHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: Readonly<Record<string, string>> | undefined) {
    for (const [k, v] of Object.entries(raw ?? {})) this.map.set(k.toLowerCase(), String(v));
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  forEach(fn: (value: string, name: string) => void): void {
    this.map.forEach((v, k) => fn(v, k));
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/** UTF-8 bytes of `s` (TextEncoder when the context has one). @internal */
export function utf8Encode(s: string): Uint8Array {
  const TE = engineGlobal('TextEncoder');
  if (TE) return new TE().encode(s);
  // No TextEncoder (older mini-program base libraries): encode by code point.
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Text of UTF-8 bytes (TextDecoder when the context has one). @internal */
export function utf8Decode(b: Uint8Array): string {
  const TD = engineGlobal('TextDecoder');
  if (TD) return new TD().decode(b);
  // No TextDecoder: decode by hand (invalid sequences become U+FFFD, as TextDecoder does).
  let s = '';
  for (let i = 0; i < b.length;) {
    const x = b[i]!;
    const n = x < 0x80 ? 0 : x >= 0xf0 && x < 0xf8 ? 3 : x >= 0xe0 ? 2 : x >= 0xc0 ? 1 : -1;
    let c = n === 0 ? x : n === 1 ? x & 31 : n === 2 ? x & 15 : x & 7;
    let ok = n >= 0 && i + n < b.length;
    for (let j = 1; ok && j <= n; j++) {
      const y = b[i + j];
      if (y === undefined || (y & 0xc0) !== 0x80) ok = false;
      else c = (c << 6) | (y & 63);
    }
    if (!ok || c > 0x10ffff) {
      s += '\uFFFD';
      i += 1;
      continue;
    }
    s += String.fromCodePoint(c);
    i += n + 1;
  }
  return s;
}

/** The body `wx.request` delivered, as bytes (whatever form it took). */
function toBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  // Another realm's ArrayBuffer (e.g. a host bridge).
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer);
  if (data === undefined || data === null) return new Uint8Array(0);
  if (typeof data === 'string') return utf8Encode(data);
  return utf8Encode(JSON.stringify(data));
}

/** The subset of `Response` returned by {@link wxFetch}. */
export class WxResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText = '';
  readonly headers: WxHeaders;
  readonly url: string;
  readonly redirected = false;
  readonly type = 'basic';
  /** Always `null`: the whole body has arrived; read it with `arrayBuffer()`, `text()` or `json()`. */
  readonly body = null;
  private used = false;
  private readonly bytes: Uint8Array;

  constructor(url: string, res: WxRequestSuccess) {
    this.url = url;
    this.status = res.statusCode;
    this.ok = res.statusCode >= 200 && res.statusCode <= 299;
    this.headers = new WxHeaders(res.header);
    this.bytes = toBytes(res.data);
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  private take(): Uint8Array {
    if (this.used) throw new TypeError(`Body of ${this.url} has already been read`);
    this.used = true;
    return this.bytes;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return utf8Decode(this.take());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
}

function abortError(url: string): Error {
  const DE = engineGlobal('DOMException');
  if (DE) return new DE(`The request for ${url} was aborted`, 'AbortError');
  const e = new Error(`The request for ${url} was aborted`);
  e.name = 'AbortError';
  return e;
}

function headerRecord(h: RequestInit['headers']): Record<string, string> | undefined {
  if (!h) return undefined;
  const out: Record<string, string> = {};
  if (Array.isArray(h)) for (const [k, v] of h) out[k] = v!;
  else if (typeof (h as Headers).forEach === 'function')
    (h as Headers).forEach((v, k) => {
      out[k] = v;
    });
  else Object.assign(out, h);
  return out;
}

function requestBody(body: RequestInit['body']): string | ArrayBuffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof ArrayBuffer) return body;
  if (ArrayBuffer.isView(body)) return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  throw new TypeError('wxFetch: only string, ArrayBuffer and typed-array bodies can be sent through wx.request');
}

/**
 * A fetch-compatible function over `wx.request` (see the module comment for what it supports).
 * Typed as `fetch` so it plugs into anything that takes one (the runtime's `fetch` seam).
 * Nothing is read from `wx` until the first call.
 * @throws {TypeError} when `wx.request` is not a function.
 * @example new Runtime({ createStore, fetch: wxFetch(wx) })
 */
export function wxFetch(wx: WxRequestApi, options: WxFetchOptions = {}): typeof fetch {
  if (typeof wx?.request !== 'function') throw new TypeError('wxFetch(wx): wx.request must be a function (the mini-program network API)');
  const fn = (input: string | URL | { url: string }, init: RequestInit = {}): Promise<WxResponse> => {
    // No `instanceof URL`: a mini-program may have no URL class. A URL stringifies to its href.
    const url =
      typeof input === 'string'
        ? input
        : typeof (input as { url?: unknown }).url === 'string'
          ? (input as { url: string }).url
          : String(input);
    const signal = init.signal ?? undefined;
    return new Promise<WxResponse>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(url));
        return;
      }
      let settled = false;
      const o: WxRequestOptions = {
        url,
        method: (init.method ?? 'GET').toUpperCase(),
        responseType: 'arraybuffer',
        // Any value but 'json' keeps wx from parsing the body.
        dataType: 'arraybuffer',
        success: (res) => {
          if (settled) return;
          settled = true;
          try {
            resolve(new WxResponse(url, res));
          } catch (e) {
            reject(e);
          }
        },
        fail: (err) => {
          if (settled) return;
          settled = true;
          if (signal?.aborted) reject(abortError(url));
          else reject(new TypeError(`wx.request ${url} failed: ${err?.errMsg ?? 'unknown error'}`, { cause: err }));
        },
      };
      const header = headerRecord(init.headers);
      if (header) o.header = header;
      const data = requestBody(init.body);
      if (data !== undefined) o.data = data;
      if (options.timeoutMs !== undefined) o.timeout = options.timeoutMs;
      const task = wx.request(o);
      signal?.addEventListener(
        'abort',
        () => {
          if (settled) return;
          settled = true;
          try {
            task?.abort();
          } catch {
            /* already finished */
          }
          reject(abortError(url));
        },
        { once: true },
      );
    });
  };
  return fn as unknown as typeof fetch;
}

/**
 * The `fetch` a mini-program runtime should use: the global one when the context has it (newer
 * base libraries, Node, browsers), else {@link wxFetch} over `wx.request`, else `undefined`.
 * Read when called, never at import time.
 */
export function miniProgramFetch(wx?: Partial<WxRequestApi> | null): typeof fetch | undefined {
  const g = engineGlobal('fetch');
  if (typeof g === 'function') return g.bind(globalThis);
  if (wx && typeof wx.request === 'function') return wxFetch(wx as WxRequestApi);
  return undefined;
}
