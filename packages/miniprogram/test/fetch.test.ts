// wxFetch: fetch over wx.request, against the wx.request STAND-IN (`../src/testing`, documented
// behaviour of wx.request — not WeChat). Also: miniProgramFetch's choice, and the runtime's own
// model loader taking wxFetch as its `fetch` (hash checks included).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { miniProgramFetch, miniProgramTfPlatform, wxFetch } from '../src/index.js';
import { createWxRequestStandin } from '../src/testing/index.js';
import { loadBundle } from '@localrec/runtime';

const BASE = 'https://models.example.com/shop/';
const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('wxFetch over the wx.request stand-in', () => {
  it('asks for bytes and returns them exactly, with status and case-insensitive headers', async () => {
    const wx = createWxRequestStandin({
      serve: { [`${BASE}w.bin`]: { statusCode: 200, body: bytes, header: { 'Content-Type': 'application/octet-stream', ETag: '"x"' } } },
    });
    const res = await wxFetch(wx)(`${BASE}w.bin`);
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('ETAG')).toBe('"x"');
    expect(res.headers.get('x-missing')).toBeNull();
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    expect(res.bodyUsed).toBe(true);
    await expect(res.arrayBuffer()).rejects.toThrow(TypeError);
    expect(wx.log).toEqual([
      expect.objectContaining({ url: `${BASE}w.bin`, method: 'GET', responseType: 'arraybuffer', outcome: 'success', statusCode: 200 }),
    ]);
  });

  it('text() and json() decode UTF-8 (also with no TextDecoder in the context); a URL object and a Request-like input work', async () => {
    const doc = { name: 'Café ☕ 𝄞', n: [1, 2] };
    const wx = createWxRequestStandin({ serve: { [`${BASE}a.json`]: JSON.stringify(doc), [`${BASE}b.txt`]: 'Grüße, 世界 𝄞\n' } });
    const f = wxFetch(wx);
    expect(await (await f(new URL(`${BASE}a.json`))).json()).toEqual(doc);
    expect(await (await f({ url: `${BASE}b.txt` } as unknown as Request)).text()).toBe('Grüße, 世界 𝄞\n');
    vi.stubGlobal('TextDecoder', undefined);
    vi.stubGlobal('TextEncoder', undefined);
    expect(await (await f(`${BASE}a.json`)).json()).toEqual(doc);
    expect(await (await f(`${BASE}b.txt`)).text()).toBe('Grüße, 世界 𝄞\n');
  });

  it('an HTTP error is a response (ok: false, its status), as wx.request reports it through success', async () => {
    const wx = createWxRequestStandin({ serve: { [`${BASE}gone`]: { statusCode: 500, body: 'boom' } } });
    const missing = await wxFetch(wx)(`${BASE}nothing-here`);
    expect(missing).toMatchObject({ ok: false, status: 404 });
    const err = await wxFetch(wx)(`${BASE}gone`);
    expect(err).toMatchObject({ ok: false, status: 500 });
    expect(await err.text()).toBe('boom');
    expect(wx.log.map((l) => l.outcome)).toEqual(['success', 'success']);
  });

  it('a wx.request failure rejects with a TypeError carrying errMsg (domain list, injected network error, timeout)', async () => {
    const wx = createWxRequestStandin({ serve: { [`${BASE}w.bin`]: bytes }, domains: ['https://models.example.com'] });
    const f = wxFetch(wx);
    await expect(f('https://elsewhere.example.org/w.bin')).rejects.toThrow(/request:fail url not in domain list/);
    await expect(f('https://elsewhere.example.org/w.bin')).rejects.toBeInstanceOf(TypeError);
    wx.failNext('request:fail net::ERR_INTERNET_DISCONNECTED');
    await expect(f(`${BASE}w.bin`)).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
    expect((await f(`${BASE}w.bin`)).ok).toBe(true); // only the next one failed
    wx.hang(true);
    await expect(wxFetch(wx, { timeoutMs: 20 })(`${BASE}w.bin`)).rejects.toThrow(/request:fail timeout/);
    await expect(f('file:///etc/passwd')).rejects.toThrow(/invalid url/);
  });

  it('an AbortSignal aborts the request task and rejects with AbortError', async () => {
    const wx = createWxRequestStandin({ serve: { [`${BASE}w.bin`]: bytes } });
    wx.hang(true);
    const ac = new AbortController();
    const p = wxFetch(wx)(`${BASE}w.bin`, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((r) => setTimeout(r, 5));
    expect(wx.log.at(-1)).toMatchObject({ outcome: 'fail', errMsg: 'request:fail abort' });
    const already = new AbortController();
    already.abort();
    await expect(wxFetch(wx)(`${BASE}w.bin`, { signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('passes method, headers and body on; the stand-in runs at most 10 requests at once', async () => {
    const seen: Array<{ method?: string; header?: Record<string, string>; data?: unknown }> = [];
    const wx = createWxRequestStandin({
      serve: (url, o) => {
        seen.push({ method: o.method, header: o.header, data: o.data });
        return url;
      },
    });
    const f = wxFetch(wx);
    await f(`${BASE}x`, { method: 'post', headers: new Headers({ 'X-A': '1' }), body: 'hi' });
    expect(seen[0]).toEqual({ method: 'POST', header: { 'x-a': '1' }, data: 'hi' });
    const all = await Promise.all(Array.from({ length: 25 }, (_, i) => f(`${BASE}${i}`).then((r) => r.text())));
    expect(all).toEqual(Array.from({ length: 25 }, (_, i) => `${BASE}${i}`));
    expect(wx.maxInFlight).toBe(10);
  });

  it('refuses a wx without request, naming it', () => {
    expect(() => wxFetch({} as never)).toThrow(/wx\.request must be a function/);
  });
});

describe('miniProgramFetch', () => {
  it('prefers the global fetch, else wx.request, else nothing — read when called', async () => {
    const wx = createWxRequestStandin({ serve: { [`${BASE}a`]: 'from wx' } });
    expect(miniProgramFetch(wx)).toBeTypeOf('function');
    expect(wx.log).toEqual([]);
    vi.stubGlobal('fetch', undefined);
    const f = miniProgramFetch(wx)!;
    expect(await (await f(`${BASE}a`)).text()).toBe('from wx');
    expect(wx.log).toHaveLength(1);
    expect(miniProgramFetch({})).toBeUndefined();
    expect(miniProgramFetch(undefined)).toBeUndefined();
  });
});

describe('miniProgramTfPlatform (tfjs platform for a context that is neither browser nor Node)', () => {
  it('fetches over wx.request when there is no fetch, codes UTF-8 only, recognises typed arrays', async () => {
    vi.stubGlobal('fetch', undefined);
    const wx = createWxRequestStandin({ serve: { [`${BASE}a`]: 'ok' } });
    const p = miniProgramTfPlatform(wx);
    expect(await (await p.fetch(`${BASE}a`)).text()).toBe('ok');
    expect(p.decode(p.encode('Grüße 𝄞', 'utf-8'), 'utf8')).toBe('Grüße 𝄞');
    expect(() => p.encode('x', 'latin1')).toThrow(/only utf-8 is supported, got "latin1"/);
    expect(p.isTypedArray(new Float32Array(1))).toBe(true);
    expect(p.isTypedArray(new Float64Array(1))).toBe(false);
    expect(p.isTypedArray([1])).toBe(false);
    expect(p.now()).toBeTypeOf('number');
    await expect(miniProgramTfPlatform({}).fetch(`${BASE}a`)).rejects.toThrow(/No fetch and no wx\.request/);
  });
});

describe("the runtime's model loader over wxFetch (models/demo-shop served by the stand-in)", () => {
  const dir = join(import.meta.dirname, '../../../models/demo-shop');
  const files = (over: Record<string, Uint8Array> = {}): Record<string, Uint8Array> => {
    const out: Record<string, Uint8Array> = {};
    for (const f of ['manifest.json', 'weights.bin', 'vocab.json', 'catalog.json', 'associations.json'])
      out[`${BASE}${f}`] = over[f] ?? readFileSync(join(dir, f));
    return out;
  };

  it('loads and verifies the bundle (sizes, SHA-256) with no global fetch', async () => {
    vi.stubGlobal('fetch', undefined);
    const wx = createWxRequestStandin({ serve: files() });
    const b = await loadBundle({ baseUrl: BASE, fetch: wxFetch(wx), caches: null });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version: string; itemCount: number };
    expect(b.manifest.version).toBe(manifest.version);
    expect(b.vocab).toHaveLength(manifest.itemCount);
    expect(wx.log.every((l) => l.responseType === 'arraybuffer' && l.statusCode === 200)).toBe(true);
    expect(wx.log.map((l) => l.url)).toEqual(expect.arrayContaining([`${BASE}manifest.json`, `${BASE}weights.bin`, `${BASE}vocab.json`]));
  });

  it('a corrupted file is refused (MODEL_INTEGRITY); a 404 and a wx.request failure are MODEL_LOAD_FAILED', async () => {
    const weights = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
    weights[100] = weights[100]! ^ 0xff;
    await expect(
      loadBundle({ baseUrl: BASE, fetch: wxFetch(createWxRequestStandin({ serve: files({ 'weights.bin': weights }) })), caches: null }),
    ).rejects.toMatchObject({ code: 'MODEL_INTEGRITY', message: expect.stringMatching(/weights\.bin: SHA-256/) });
    const missing = files();
    delete missing[`${BASE}vocab.json`];
    await expect(
      loadBundle({ baseUrl: BASE, fetch: wxFetch(createWxRequestStandin({ serve: missing })), caches: null }),
    ).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/vocab\.json: HTTP 404/) });
    const offline = createWxRequestStandin({ serve: files() });
    offline.failNext('request:fail timeout', 99);
    await expect(loadBundle({ baseUrl: BASE, fetch: wxFetch(offline), caches: null })).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringMatching(/request:fail timeout/),
    });
  });
});
