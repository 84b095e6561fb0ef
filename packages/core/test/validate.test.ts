import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalRecError } from '../src/errors.js';
import { STANDARD_EVENT_TYPES } from '../src/events.js';
import { MemoryEventStore } from '../src/memory-store.js';
import { Recorder } from '../src/recorder.js';
import { resolveConfig } from '../src/config.js';
import { EVENT_LIMITS, isEventType, utf8Length, validateEvent } from '../src/validate.js';

const NOW = Date.UTC(2026, 5, 1);

function invalid(type: unknown, data: unknown): LocalRecError {
  try {
    validateEvent(type, data, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(LocalRecError);
    expect((e as LocalRecError).code).toBe('INVALID_EVENT');
    return e as LocalRecError;
  }
  throw new Error(`expected ${String(type)} ${JSON.stringify(data)} to be rejected`);
}

describe('validateEvent: accepted events', () => {
  it.each([
    ['view', { itemId: 'SKU-1', dwellMs: 1200 }],
    ['click', { itemId: 'SKU-1', context: { page: 'home', position: 3, listId: 'recs' } }],
    ['add_to_cart', { itemId: 'SKU-1', quantity: 2, price: 9.5, currency: 'EUR' }],
    ['remove_from_cart', { itemId: 'SKU-1', quantity: 1 }],
    ['purchase', { itemId: 'SKU-1', quantity: 1, price: 0 }],
    ['favorite', { itemId: 'SKU-1' }],
    ['like', { itemId: 'SKU-1', friendId: 'f-9' }],
    ['share', { itemId: 'SKU-1', channel: 'wechat', friendId: 'f-1', direction: 'out' }],
    ['comment', { itemId: 'SKU-1', commentLength: 140 }],
    ['rate', { itemId: 'SKU-1', rating: 5 }],
    ['search', { query: 'blue kettle' }],
    ['impression', { items: ['A', 'B', 'C'], source: 'recommend' }],
    ['follow', { friendId: 'f-2' }],
    ['myshop:wishlist', { itemId: 'SKU-1', props: { list: 'xmas', n: 2, public: true } }],
    ['myshop:open_app', undefined],
  ])('%s', (type, data) => {
    const v = validateEvent(type, data, NOW);
    expect(v.type).toBe(type);
    expect(v.ts).toBe(NOW);
    const d = (data ?? {}) as Record<string, unknown>;
    if (d.itemId) expect(v.itemId).toBe(d.itemId);
    expect(v.data).not.toHaveProperty('itemId');
    expect(v.data).not.toHaveProperty('context');
  });

  it('copies input (later mutation of the host object changes nothing) and uses an explicit timestamp', () => {
    const items = ['A', 'B'];
    const v = validateEvent('impression', { items, timestamp: NOW - 1000 }, NOW);
    items.push('C');
    expect(v.data.items).toEqual(['A', 'B']);
    expect(v.ts).toBe(NOW - 1000);
  });

  it('accepts null-prototype objects and unicode text', () => {
    const d = Object.assign(Object.create(null) as object, { query: 'thé 🍵 grün' });
    expect(validateEvent('search', d, NOW).data.query).toBe('thé 🍵 grün');
  });

  it('knows every standard type', () => {
    for (const t of STANDARD_EVENT_TYPES) expect(isEventType(t)).toBe(true);
    expect(isEventType('shop:x')).toBe(true);
    expect(isEventType('Shop:X')).toBe(false);
    expect(isEventType('wishlist')).toBe(false);
  });
});

describe('validateEvent: rejected events name the field and the accepted values', () => {
  it('unknown type', () => {
    const e = invalid('purchse', { itemId: 'A' });
    expect(e.field).toBe('type');
    expect(e.accepted).toContain('purchase');
    expect(e.accepted).toContain('namespace:name');
    expect(e.message).toMatch(/"purchse"/);
  });

  it.each([
    ['view', {}, 'data.itemId'],
    ['view', { itemId: 42 }, 'data.itemId'],
    ['view', { itemId: '  ' }, 'data.itemId'],
    ['view', { itemId: 'a'.repeat(EVENT_LIMITS.idLength + 1) }, 'data.itemId'],
    ['view', { itemId: 'a\u0000b' }, 'data.itemId'],
    ['view', { itemId: 'A', dwellMs: -1 }, 'data.dwellMs'],
    ['view', { itemId: 'A', dwellMs: Number.NaN }, 'data.dwellMs'],
    ['view', { itemId: 'A', dwellMs: Infinity }, 'data.dwellMs'],
    ['view', { itemId: 'A', rating: 3 }, 'data.rating'],
    ['purchase', { itemId: 'A', quantity: 0 }, 'data.quantity'],
    ['purchase', { itemId: 'A', quantity: 1.5 }, 'data.quantity'],
    ['purchase', { itemId: 'A', price: -2 }, 'data.price'],
    ['purchase', { itemId: 'A', currency: 'usd' }, 'data.currency'],
    ['share', { itemId: 'A', direction: 'sideways' }, 'data.direction'],
    ['rate', { itemId: 'A', rating: 6 }, 'data.rating'],
    ['rate', { itemId: 'A', rating: 0 }, 'data.rating'],
    ['rate', { itemId: 'A' }, 'data.rating'],
    ['search', { query: '' }, 'data.query'],
    ['search', { query: 'q'.repeat(EVENT_LIMITS.queryLength + 1) }, 'data.query'],
    ['impression', { items: [] }, 'data.items'],
    ['impression', { items: ['A', 3] }, 'data.items[1]'],
    ['impression', { items: Array.from({ length: 101 }, (_, i) => `I${i}`) }, 'data.items'],
    ['click', { itemId: 'A', context: { position: -1 } }, 'data.context.position'],
    ['click', { itemId: 'A', context: { colour: 'red' } }, 'data.context.colour'],
    ['click', { itemId: 'A', context: 'home' }, 'data.context'],
    ['click', { itemId: 'A', timestamp: Number.NaN }, 'data.timestamp'],
    ['click', { itemId: 'A', timestamp: NOW + 2 * 86_400_000 }, 'data.timestamp'],
    ['click', { itemId: 'A', timestamp: 1 }, 'data.timestamp'],
    ['x:y', { props: { nested: { a: 1 } } }, 'data.props.nested'],
    ['x:y', { props: { 'bad key': 1 } }, 'data.props.bad key'],
    ['x:y', { props: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }, 'data.props'],
  ])('%s %j → %s', (type, data, field) => {
    expect(invalid(type, data).field).toBe(field);
  });

  it('lists the accepted fields when a field does not belong to the type', () => {
    const e = invalid('view', { itemId: 'A', price: 3 });
    expect(e.field).toBe('data.price');
    expect(e.accepted).toEqual(['itemId', 'dwellMs', 'context', 'timestamp']);
  });

  it('rejects prototype-pollution keys, getters, symbols and non-plain objects', () => {
    expect(invalid('view', JSON.parse('{"itemId":"A","__proto__":{"polluted":1}}')).field).toBe('data.__proto__');
    expect(invalid('view', { itemId: 'A', constructor: 'x' }).field).toBe('data.constructor');
    expect(invalid('x:y', { props: JSON.parse('{"__proto__":1}') }).field).toBe('data.props.__proto__');
    expect(
      invalid('view', {
        get itemId() {
          return 'A';
        },
      }).field,
    ).toBe('data.itemId');
    expect(invalid('view', { itemId: 'A', [Symbol('s')]: 1 }).field).toBe('data');
    expect(invalid('view', new Map([['itemId', 'A']])).field).toBe('data');
    expect(
      invalid(
        'view',
        new (class Item {
          itemId = 'A';
        })(),
      ).field,
    ).toBe('data');
    expect(invalid('view', [['itemId', 'A']]).field).toBe('data');
    expect(invalid('view', 'A').field).toBe('data');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('turns hostile objects (throwing Proxy traps) into INVALID_EVENT, not a raw exception', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    expect(invalid('view', hostile).field).toBe('data');
  });

  it('limits the payload size', () => {
    const props = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'é'.repeat(250)]));
    const e = invalid('x:y', { props });
    expect(e.field).toBe('data');
    expect(e.accepted?.[0]).toMatch(/4096 bytes/);
  });

  it('utf8Length counts bytes like TextEncoder', () => {
    for (const s of ['', 'abc', 'é', '€', '🍵', 'a\ud800b', 'x🍵é€']) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});

describe('property: random junk never escapes as anything but INVALID_EVENT, and is never stored', () => {
  const junk = fc.oneof(
    fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withObjectString: true,
    }),
    fc.record(
      {
        itemId: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer(), fc.constant('a'.repeat(1000))),
        dwellMs: fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(Infinity)),
        rating: fc.oneof(fc.integer({ min: -3, max: 8 }), fc.double()),
        quantity: fc.oneof(fc.integer(), fc.double()),
        items: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 120 }),
        query: fc.string({ unit: 'binary', maxLength: 300 }),
        timestamp: fc.oneof(fc.double(), fc.integer()),
        context: fc.oneof(fc.object(), fc.record({ page: fc.string(), position: fc.integer() })),
        props: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor')), fc.anything()),
        __proto__: fc.anything(),
        constructor: fc.anything(),
      },
      { requiredKeys: [] },
    ),
    fc.anything().map((v) => JSON.parse(`{"__proto__": ${JSON.stringify(v ?? null) ?? 'null'}, "itemId": "A"}`) as unknown),
  );
  const type = fc.oneof(
    fc.constantFrom(...STANDARD_EVENT_TYPES),
    fc.string(),
    fc.constantFrom('a:b', 'A:b', ':', 'shop:', '__proto__'),
    fc.anything(),
  );
  const id = fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), fc.string({ unit: 'binary', maxLength: 140 }));
  // Mostly junk, plus near-valid events so the accepting path is exercised too.
  const cases = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(type, junk) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constant('view'),
        fc.record({ itemId: id, dwellMs: fc.oneof(fc.nat(100_000), fc.double()) }, { requiredKeys: ['itemId'] }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constant('rate'), fc.record({ itemId: id, rating: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.double()) })),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constant('impression'), fc.record({ items: fc.array(id, { maxLength: 110 }) })) },
  );

  it('validateEvent (10,000 cases)', () => {
    fc.assert(
      fc.property(cases, ([t, d]) => {
        try {
          const v = validateEvent(t, d, NOW);
          // Accepted: the output is plain JSON-able data of a known type.
          expect(isEventType(v.type)).toBe(true);
          expect(JSON.parse(JSON.stringify(v))).toEqual(v);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_EVENT');
          expect((e as LocalRecError).field).toMatch(/^(type|data)/);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('Recorder.record stores exactly the accepted events (2,000 cases)', async () => {
    const store = new MemoryEventStore();
    const rec = new Recorder({ config: resolveConfig({ appId: 'p', rateLimit: false, maxEvents: 1_000_000 }), store, now: () => NOW });
    let accepted = 0;
    fc.assert(
      fc.property(cases, ([t, d]) => {
        try {
          if (rec.record(t as string, d)) accepted++;
        } catch (e) {
          expect((e as LocalRecError).code).toBe('INVALID_EVENT');
        }
      }),
      { numRuns: 2_000 },
    );
    await rec.flush();
    expect(accepted).toBeGreaterThan(0); // the generator also produces valid events
    expect(await store.count()).toBe(accepted);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
