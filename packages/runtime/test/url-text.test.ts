// resolveUrl and utf8Text/utf8Bytes: the global URL / TextDecoder / TextEncoder where the context
// has them, and what the runtime does without them (a WeChat mini-program's logic layer).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { env } from '@tensorflow/tfjs-core';
import { LocalRecError } from '@localrec/core';
import { resolveUrl } from '../src/url.js';
import { utf8Bytes, utf8Text } from '../src/text.js';

const NativeURL = URL;
afterEach(() => vi.unstubAllGlobals());

describe('resolveUrl', () => {
  const cases: Array<[string, string]> = [
    ['https://cdn.example.com/models/shop/', 'http://127.0.0.1:8080/shop/page.html'],
    ['/models/demo-shop/', 'http://127.0.0.1:8080/shop/page.html'],
    ['models/demo-shop/', 'http://127.0.0.1:8080/shop/page.html'],
    ['models/demo-shop', 'https://a.example/'],
    ['m/', 'https://a.example'],
  ];

  it.each(cases)('without a global URL, %s against %s equals new URL(…).href', (ref, base) => {
    vi.stubGlobal('URL', undefined);
    expect(resolveUrl(ref, 'modelUrl', base)).toBe(new NativeURL(ref, base).href);
  });

  it('with a global URL it is new URL(ref, base).href (dot segments too)', () => {
    expect(resolveUrl('../m/./x/', 'modelUrl', 'https://a.example/p/q/')).toBe('https://a.example/p/m/x/');
  });

  it('without a global URL or a page location: absolute URLs as given, plain paths against http://localhost/ as before', () => {
    vi.stubGlobal('URL', undefined);
    expect(resolveUrl('https://models.example.com/demo-shop/', 'modelUrl')).toBe('https://models.example.com/demo-shop/');
    expect(resolveUrl('/m/', 'modelUrl')).toBe('http://localhost/m/');
  });

  it.each([
    ['../models/', 'https://a.example/p/'],
    ['./models/', 'https://a.example/p/'],
    ['models/?v=2', 'https://a.example/p/'],
    ['//cdn.example.com/m/', 'https://a.example/p/'],
    ['', 'https://a.example/p/'],
    ['models/', 'not a url'],
  ])('without a global URL refuses %s against %s, naming it', (ref, base) => {
    vi.stubGlobal('URL', undefined);
    let err: unknown;
    try {
      resolveUrl(ref, 'modelUrl', base);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LocalRecError);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', field: 'modelUrl' });
    expect((err as Error).message).toContain(JSON.stringify(ref));
  });

  it('a value URL refuses is INVALID_CONFIG naming it', () => {
    expect(() => resolveUrl('http://[bad', 'modelUrl', 'https://a.example/')).toThrow(/modelUrl must be a URL, got "http:\/\/\[bad"/);
  });
});

describe('utf8Text / utf8Bytes', () => {
  const text = 'SKU-1 · Größe 42 · 鞋 · 🎮';
  const bytes = new TextEncoder().encode(text);

  it('use TextDecoder/TextEncoder where present', () => {
    expect(utf8Text(bytes)).toBe(text);
    expect([...utf8Bytes(text)]).toEqual([...bytes]);
  });

  it('fall back to the tfjs platform codec without them', () => {
    vi.stubGlobal('TextDecoder', undefined);
    vi.stubGlobal('TextEncoder', undefined);
    const decode = vi.spyOn(env().platform, 'decode');
    expect(utf8Text(bytes)).toBe(text);
    expect(decode).toHaveBeenCalledOnce();
    expect([...utf8Bytes(text)]).toEqual([...bytes]);
    decode.mockRestore();
  });

  it('say what to install when there is neither', () => {
    vi.stubGlobal('TextDecoder', undefined);
    const e = env();
    const saved = e.platform;
    (e as { platform: unknown }).platform = undefined;
    try {
      expect(() => utf8Text(bytes)).toThrow(/No TextDecoder in this context and no tfjs platform.*installTfPlatform/);
    } finally {
      e.platform = saved;
    }
  });
});
