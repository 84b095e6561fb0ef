/**
 * fast-check generators of hostile input, shared by the bad-input property tests of every
 * package (`packages/*\/test/*.property.test.ts`): wrong types, huge strings, deep objects,
 * prototype-pollution keys, getters that throw, Proxies, NaN/±Infinity/-0, lone surrogates and
 * other unicode edge cases. Everything a host page (or an attacker controlling product data)
 * could pass to a public function.
 */
import fc from 'fast-check';

/** Strings that break naive code: lone surrogates, NUL, RTL override, zero-width, combining marks, emoji. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\0',
    '\uD800',
    '\uDFFF',
    'a\uD83Db',
    '\uDE00\uD83D',
    '\u202Eevil',
    '\u200B',
    'e\u0301\u0301\u0301',
    '👨‍👩‍👧‍👦',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '<img src=x onerror=alert(1)>',
    '"><script>alert(1)</script>',
    "'; DROP TABLE events; --",
    '../../etc/passwd',
    'null',
    'undefined',
    'NaN',
    '-0',
    '1e309',
    '\n\r\t',
    'a:b',
    'shop:',
    ':',
  ),
  // Huge strings: over every documented limit (ids 128, text 256, payload 4 KB), up to 1 MB.
  fc.constantFrom(10_000, 100_000, 1_000_000).chain((n) => fc.constantFrom('x', '\uD800', 'é', '😀').map((c) => c.repeat(n / c.length))),
);

/** Numbers at the edges. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE, 2 ** 31, -1, 0.5),
);

/** An object nested `depth` levels deep (JSON.stringify and naive recursion choke on very deep ones). */
function deepObject(depth: number): Record<string, unknown> {
  let o: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) o = { a: o };
  return o;
}

/** Gives a hostile object a label fast-check prints instead of reading the object (its traps would throw). */
function labelled<T extends object>(label: string, make: (target: object) => T): T {
  const target = {};
  Object.defineProperty(target, fc.toStringMethod, { value: () => label, enumerable: false });
  const o = make(target);
  if (!(fc.toStringMethod in o)) Object.defineProperty(o, fc.toStringMethod, { value: () => label, enumerable: false });
  return o;
}

/** Throws for string keys only, so fast-check can still find the label (a symbol) when it reports. */
const throwing =
  (what: string) =>
  (_t: object, p: string | symbol): never | undefined => {
    if (typeof p === 'symbol') return undefined;
    throw new Error(`${what} trap ran`);
  };

/** Objects that run code when read, or refuse to be read. */
const trapObject: fc.Arbitrary<unknown> = fc
  .constantFrom<() => unknown>(
    () =>
      labelled('getterThatThrows', (t) =>
        Object.defineProperty(t, 'itemId', {
          enumerable: true,
          get() {
            throw new Error('getter ran');
          },
        }),
      ),
    () =>
      labelled(
        'Proxy(ownKeys throws)',
        (t) =>
          new Proxy(t, {
            ownKeys() {
              throw new Error('ownKeys trap ran');
            },
          }),
      ),
    () =>
      labelled(
        'Proxy(get throws)',
        (t) =>
          new Proxy(Object.assign(t, { itemId: 'A', query: 'q' }), {
            get: (tt, p) => (typeof p === 'symbol' ? Reflect.get(tt, p) : throwing('get')(tt, p)),
          }),
      ),
    () =>
      labelled(
        'Proxy(getOwnPropertyDescriptor throws)',
        (t) =>
          new Proxy(Object.assign(t, { itemId: 'A' }), {
            getOwnPropertyDescriptor: (tt, p) =>
              typeof p === 'symbol' ? Reflect.getOwnPropertyDescriptor(tt, p) : throwing('gopd')(tt, p),
          }),
      ),
    () => {
      const o: Record<string, unknown> = { itemId: 'A' };
      o.self = o;
      return o;
    },
    () => labelled('inheritsItemId', () => Object.create({ itemId: 'inherited' }) as object),
    () => Object.assign(Object.create(null) as object, { itemId: 'A' }),
    () => JSON.parse('{"__proto__": {"polluted": true}, "itemId": "A"}') as unknown,
    () => JSON.parse('{"constructor": {"prototype": {"polluted": true}}, "itemId": "A"}') as unknown,
    () => labelled('deepObject(10000)', () => deepObject(10_000)),
    () => new Date(Number.NaN),
    () => /re/g,
    () => new Map([['itemId', 'A']]),
    () => Symbol('s'),
    () => () => 'fn',
    () => 10n,
    () => new Uint8Array(8),
    () => Object.freeze(['A']),
    () => labelled('new Array(1e6)', () => new Array(1_000_000)),
  )
  .map((make) => make());

/** Any value at all, biased towards the hostile ones. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withObjectString: true,
      withDate: true,
    }),
  },
  { weight: 2, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: trapObject },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, true, false) },
);

/** {@link nastyValue} without the objects whose traps throw when read. */
export const nastyPlainValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withNullPrototype: true,
      withDate: true,
    }),
  },
  { weight: 2, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, true, false) },
);

/** Keys worth trying on every object, prototype-pollution ones included. */
export const nastyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '', ' ', '\uD800'),
  fc.string({ maxLength: 12 }),
);

/**
 * An object with `known` keys (good or bad values) plus hostile extra keys; a `__proto__` key is
 * set as an OWN property (as `JSON.parse` does), which is how pollution attempts arrive.
 */
export function hostileRecord(known: Record<string, fc.Arbitrary<unknown>>, extraKeys = 0.3): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.record(known, { requiredKeys: [] }),
      fc.option(fc.dictionary(nastyKey, nastyValue, { maxKeys: 3 }), { freq: Math.round(1 / extraKeys) }),
    )
    .map(([base, extra]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(base))
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      if (extra)
        for (const [k, v] of Object.entries(extra))
          Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      return out;
    });
}

/** Asserts nothing polluted the shared prototypes (call after a property run). */
export function prototypesClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return (
    probe.polluted === undefined &&
    (Object.prototype as Record<string, unknown>).polluted === undefined &&
    Object.getOwnPropertyNames(Object.prototype).every(
      (k) => k === '__proto__' || typeof (Object.prototype as Record<string, unknown>)[k] === 'function',
    )
  );
}

/** Number of generated cases for each bad-input property (the issue asks for ≥ 10,000). */
export const CASES = 10_000;
