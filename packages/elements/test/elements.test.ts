/**
 * The element's attribute checks, URL and price rules, and its import-time behaviour, in Node (no
 * DOM). The element itself runs in real Chromium: test/e2e/elements.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScoredItem } from '@localrec/core';
import { defineRecommendations, safeUrl, SCENARIOS } from '../src/index.js';
import { askOf, call, fetchList, requestOf, type Attributes, type ElementRecommender } from '../src/scenarios.js';
import { fieldText, priceText } from '../src/render.js';

const none: Attributes = { scenario: null, item: null, cart: null, limit: null, page: null, filter: null, dedupe: null, facet: null };
const attrs = (a: Partial<Attributes>): Attributes => ({ ...none, ...a });
const parse = (a: Attributes) => askOf(requestOf(a));

describe('askOf: attributes → one call', () => {
  it('defaults: for-you, 8 items', () => {
    expect(parse(none)).toEqual({ scenario: 'for-you', method: 'recommend', subject: undefined, options: { k: 8 } });
  });
  it('similar needs item; frequently-bought-together takes item or cart', () => {
    expect(parse(attrs({ scenario: 'similar', item: 'a', limit: '3', page: '2', dedupe: 'home' }))).toEqual({
      scenario: 'similar',
      method: 'similar',
      subject: 'a',
      options: { k: 3, page: 2, dedupe: 'home' },
    });
    expect(parse(attrs({ scenario: 'frequently-bought-together', cart: ' a, b ,,c ' })).subject).toEqual(['a', 'b', 'c']);
    expect(parse(attrs({ scenario: 'frequently-bought-together', item: 'x' })).subject).toBe('x');
    expect(parse(attrs({ scenario: 'trending', facet: 'category:Home: Garden' })).options).toEqual({
      k: 8,
      facet: { attribute: 'category', value: 'Home: Garden' },
    });
    expect(parse(attrs({ filter: '{"attr":"brand","eq":"Acme"}' })).options.filter).toEqual({ attr: 'brand', eq: 'Acme' });
  });
  it.each([
    [{ scenario: 'nope' }, 'scenario'],
    [{ scenario: 'similar' }, 'item'],
    [{ scenario: 'frequently-bought-together', cart: ' , ' }, 'item'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ page: '-1' }, 'page'],
    [{ scenario: 'trending', facet: 'category' }, 'facet'],
    [{ scenario: 'trending', facet: ':Garden' }, 'facet'],
    [{ scenario: 'trending', facet: 'category:' }, 'facet'],
    [{ filter: '{bad' }, 'filter'],
  ])('%j → INVALID_ARGUMENT naming %s', (a, field) => {
    expect(() => parse(attrs(a))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field }));
  });
  it('every scenario maps to a method; a recommender without it is refused naming the ones it has', async () => {
    const calls: unknown[][] = [];
    const answer = { items: [], source: 'model' as const, tookMs: 0 };
    const rec: ElementRecommender = {
      recommend: async (...a: unknown[]) => (calls.push(['recommend', ...a]), answer),
      similar: async (...a: unknown[]) => (calls.push(['similar', ...a]), answer),
      track: () => undefined,
    };
    await call(rec, parse(attrs({ scenario: 'similar', item: 'a' })));
    expect(calls).toEqual([['similar', 'a', { k: 8 }]]);
    expect(() => call(rec, parse(attrs({ scenario: 'trending' })))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'scenario', accepted: ['for-you', 'similar'] }),
    );
    expect(SCENARIOS).toHaveLength(6);
  });
});

describe('askOf / fetchList: typed requests (the framework components)', () => {
  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 1.5 }, 'limit'],
    [{ limit: '3' as unknown as number }, 'limit'],
    [{ page: -1 }, 'page'],
    [{ scenario: 'x' as never }, 'scenario'],
  ])('%j → INVALID_ARGUMENT naming %s; fetchList rejects the same way', async (r, field) => {
    expect(() => askOf(r)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field }));
    const rec = {
      recommend: async () => ({ items: [], source: 'model' as const, tookMs: 0 }),
      similar: async () => ({ items: [], source: 'model' as const, tookMs: 0 }),
      track: () => undefined,
    };
    await expect(fetchList(rec, r)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field });
  });
  it('a cart wins over item; the filter object passes as is', () => {
    const filter = { attr: 'brand', eq: 'Acme' };
    expect(askOf({ scenario: 'frequently-bought-together', item: 'x', cart: ['a', 'b'], filter, limit: 3 })).toEqual({
      scenario: 'frequently-bought-together',
      method: 'frequentlyBoughtTogether',
      subject: ['a', 'b'],
      options: { k: 3, filter },
    });
  });
});

describe('safeUrl: only http(s), resolved against the page', () => {
  const base = 'https://shop.test/dir/page.html';
  it('resolves relative and absolute http(s) URLs', () => {
    expect(safeUrl('/p/1?a=1&b=2', base, URL)).toBe('https://shop.test/p/1?a=1&b=2');
    expect(safeUrl('p/2', base, URL)).toBe('https://shop.test/dir/p/2');
    expect(safeUrl('http://cdn.test/i.png', base, URL)).toBe('http://cdn.test/i.png');
  });
  it.each(['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'http://[bad', '', 42, null])(
    'refuses %j',
    (u) => {
      expect(safeUrl(u, base, URL)).toBeUndefined();
    },
  );
  it('fast-check: whatever the string, the result is undefined or an http(s) URL', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom('javascript:', 'JAVASCRIPT:', 'java\tscript:', 'blob:', 'file:///etc')),
        (u) => {
          const r = safeUrl(u, base, URL);
          expect(r === undefined || /^https?:\/\//.test(r)).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('fields and prices', () => {
  const item = (meta?: ScoredItem['meta']): ScoredItem => ({
    itemId: 'sku-1',
    score: 1,
    source: 'model',
    reason: { kind: 'history', text: 'Because you viewed X' },
    meta,
  });
  const f = { locale: 'en-GB', currency: 'EUR' };
  it('name falls back to the id; reason, itemId, any attribute; missing → undefined', () => {
    expect(fieldText(item(), 'name', f)).toBe('sku-1');
    expect(fieldText(item({ name: 'Kettle', colour: 'red', n: 3 }), 'name', f)).toBe('Kettle');
    expect(fieldText(item({ colour: 'red' }), 'colour', f)).toBe('red');
    expect(fieldText(item(), 'reason', f)).toBe('Because you viewed X');
    expect(fieldText(item(), 'itemId', f)).toBe('sku-1');
    expect(fieldText(item({}), 'toString', f)).toBeUndefined();
    expect(fieldText(item(), 'price', f)).toBeUndefined();
  });
  it('prices: the element currency, else the item currency, else a plain number; a bad code does not throw', () => {
    expect(priceText({ price: 12.5 }, f)).toBe('€12.50');
    expect(priceText({ price: 12.5, currency: 'USD' }, { locale: 'en-US', currency: undefined })).toBe('$12.50');
    expect(priceText({ price: 3 }, { locale: 'en-US', currency: undefined })).toBe('3');
    expect(priceText({ price: 3 }, { locale: 'en-US', currency: 'not a code' })).toBe('3');
    expect(priceText({ price: Number.NaN }, f)).toBeUndefined();
  });
});

describe('no DOM', () => {
  it('importing touched nothing; defineRecommendations refuses clearly', () => {
    expect(() => defineRecommendations()).toThrow(expect.objectContaining({ code: 'BACKEND_UNAVAILABLE' }));
  });
});
