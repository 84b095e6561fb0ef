/**
 * Validation of `track(type, data)`. An event either passes every check and comes out as a fresh,
 * plain, structured-clonable object, or a `LocalRecError('INVALID_EVENT')` names the bad field
 * and the accepted values. Input is read defensively (own data properties only, no getters, no
 * prototype walk), so hostile input cannot run code or pollute prototypes.
 */
import { LocalRecError } from './errors.js';
import { preview } from './preview.js';
import { STANDARD_EVENT_TYPES } from './events.js';
import type { EventContext, EventType, NewEvent, StandardEventType, TrackData } from './events.js';

/** Limits enforced by {@link validateEvent}; documented in the core README. */
export const EVENT_LIMITS = Object.freeze({
  /** Item ids, friend ids, list ids. */
  idLength: 128,
  /** Search query text. */
  queryLength: 256,
  /** Page names, share channels, sources, custom prop strings. */
  textLength: 256,
  /** Items in one impression. */
  impressionItems: 100,
  /** Keys in custom `props`. */
  propKeys: 20,
  /** UTF-8 bytes of the validated payload (data + context), as JSON. */
  payloadBytes: 4096,
  /** view dwell time, ms (24 h). */
  dwellMs: 24 * 60 * 60 * 1000,
  /** purchase/cart quantity. */
  quantity: 10_000,
  /** Unit price. */
  price: 1e9,
  /** List position. */
  position: 100_000,
  /** How far an explicit timestamp may lie in the future, ms. */
  futureSkewMs: 24 * 60 * 60 * 1000,
  /** Earliest explicit timestamp (2000-01-01). */
  minTimestamp: 946_684_800_000,
});

/** Custom event types: `namespace:name`, lowercase letters, digits, `_` and `-`. */
export const CUSTOM_TYPE_PATTERN = /^[a-z0-9_-]{1,32}:[a-z0-9_-]{1,64}$/;

/** The output of {@link validateEvent}: a {@link NewEvent} still missing uid and session. */
export type ValidEvent = Omit<NewEvent, 'uid' | 'sessionId'>;

type FieldKey = Exclude<keyof TrackData, 'context' | 'timestamp'>;

/** Which `data` fields each standard type requires and accepts (besides `context` and `timestamp`). */
const SHAPES: Readonly<Record<StandardEventType, { required: readonly FieldKey[]; optional: readonly FieldKey[] }>> = {
  view: { required: ['itemId'], optional: ['dwellMs'] },
  click: { required: ['itemId'], optional: [] },
  add_to_cart: { required: ['itemId'], optional: ['quantity', 'price', 'currency'] },
  remove_from_cart: { required: ['itemId'], optional: ['quantity', 'price', 'currency'] },
  purchase: { required: ['itemId'], optional: ['quantity', 'price', 'currency'] },
  favorite: { required: ['itemId'], optional: [] },
  like: { required: ['itemId'], optional: ['friendId'] },
  share: { required: ['itemId'], optional: ['channel', 'friendId', 'direction'] },
  comment: { required: ['itemId'], optional: ['commentLength', 'friendId'] },
  rate: { required: ['itemId', 'rating'], optional: [] },
  search: { required: ['query'], optional: [] },
  impression: { required: ['items'], optional: ['source'] },
  follow: { required: ['friendId'], optional: [] },
};
const CUSTOM_SHAPE = { required: [] as FieldKey[], optional: ['itemId', 'props'] as FieldKey[] };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const CONTROL = /[\u0000-\u001f\u007f]/;
const CURRENCY = /^[A-Z]{3}$/;
const PROP_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** Throws INVALID_EVENT; the message is `<field> must be <accepted> (or `rule`); got <value>`. */
function fail(field: string, accepted: readonly string[], got: unknown, rule?: string): never {
  const what = rule ?? `must be ${accepted.join(' or ')}`;
  throw new LocalRecError('INVALID_EVENT', `${field} ${what}; got ${preview(got)}.`, { field, accepted });
}

/** True for `{}`-style objects: prototype `Object.prototype` or `null`. */
function isPlainObject(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Copies the own enumerable data properties of a plain object into a null-prototype record,
 * rejecting getters, symbol keys and prototype-pollution keys.
 */
function readPlain(v: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(v)) fail(field, ['a plain object'], v);
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Reflect.ownKeys(v)) {
    if (typeof key === 'symbol') fail(field, ['string keys'], key, 'must not have symbol keys');
    const path = `${field}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) fail(path, ['a field name other than __proto__, constructor, prototype'], key, 'is not an accepted key');
    const d = Object.getOwnPropertyDescriptor(v, key);
    if (d === undefined || !d.enumerable) continue;
    // The accessor is only described in the message ("got a function"), never called.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    if (!('value' in d)) fail(path, ['a plain data property'], d.get ?? d.set);
    if (d.value !== undefined) out[key] = d.value;
  }
  return out;
}

function str(field: string, v: unknown, max: number, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v.trim().length === 0) || v.length > max || CONTROL.test(v)) {
    fail(field, [`a ${allowEmpty ? '' : 'non-blank '}string of at most ${max} characters without control characters`], v);
  }
  return v;
}

function numIn(field: string, v: unknown, min: number, max: number, integer: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(field, [`${integer ? 'an integer' : 'a finite number'} from ${min} to ${max}`], v);
  }
  return v === 0 ? 0 : v; // -0 → 0: stored data must survive a JSON round trip unchanged
}

function validateField(key: FieldKey, v: unknown): unknown {
  const f = `data.${key}`;
  const L = EVENT_LIMITS;
  switch (key) {
    case 'itemId':
    case 'friendId':
      return str(f, v, L.idLength);
    case 'dwellMs':
      return numIn(f, v, 0, L.dwellMs, false);
    case 'quantity':
      return numIn(f, v, 1, L.quantity, true);
    case 'price':
      return numIn(f, v, 0, L.price, false);
    case 'currency':
      if (typeof v !== 'string' || !CURRENCY.test(v)) fail(f, ['a 3-letter ISO 4217 code, e.g. "USD"'], v);
      return v;
    case 'channel':
    case 'source':
      return str(f, v, 64);
    case 'direction':
      if (v !== 'in' && v !== 'out') fail(f, ['in', 'out'], v);
      return v;
    case 'rating':
      return numIn(f, v, 1, 5, true);
    case 'query':
      return str(f, v, L.queryLength);
    case 'commentLength':
      return numIn(f, v, 0, 100_000, true);
    case 'items': {
      if (!Array.isArray(v) || v.length === 0 || v.length > L.impressionItems || Object.getPrototypeOf(v) !== Array.prototype) {
        fail(f, [`an array of 1–${L.impressionItems} item ids`], v);
      }
      const out: string[] = [];
      for (let i = 0; i < v.length; i++) {
        const d = Object.getOwnPropertyDescriptor(v, i);
        if (d === undefined || !('value' in d)) fail(`${f}[${i}]`, ['an item id'], undefined);
        out.push(str(`${f}[${i}]`, d.value, L.idLength));
      }
      return out;
    }
    case 'props': {
      const raw = readPlain(v, f);
      const keys = Object.keys(raw);
      if (keys.length > L.propKeys) fail(f, [`an object of at most ${L.propKeys} keys`], v);
      const out: Record<string, string | number | boolean> = {};
      for (const k of keys) {
        if (!PROP_KEY.test(k)) fail(`${f}.${k}`, ['a key of 1–64 characters from A-Z a-z 0-9 _ . -'], k, 'is not an accepted key');
        const pv = raw[k];
        if (typeof pv === 'string') out[k] = str(`${f}.${k}`, pv, L.textLength, true);
        else if (typeof pv === 'boolean') out[k] = pv;
        else if (typeof pv === 'number' && Number.isFinite(pv)) out[k] = pv === 0 ? 0 : pv;
        else fail(`${f}.${k}`, ['a string', 'a finite number', 'a boolean'], pv);
      }
      return out;
    }
  }
}

function validateContext(v: unknown): EventContext {
  const raw = readPlain(v, 'data.context');
  const out: EventContext = {};
  for (const key of Object.keys(raw)) {
    const f = `data.context.${key}`;
    const val = raw[key];
    if (key === 'page') out.page = str(f, val, EVENT_LIMITS.textLength);
    else if (key === 'listId') out.listId = str(f, val, EVENT_LIMITS.idLength);
    else if (key === 'ref') out.ref = str(f, val, EVENT_LIMITS.idLength);
    else if (key === 'position') out.position = numIn(f, val, 0, EVENT_LIMITS.position, true);
    else fail(f, ['page', 'position', 'listId', 'ref'], key, 'is not an accepted context field');
  }
  return out;
}

/** UTF-8 byte length of a string without touching `TextEncoder`. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** True when `type` is a standard type or a namespaced custom type. */
export function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && ((STANDARD_EVENT_TYPES as readonly string[]).includes(type) || CUSTOM_TYPE_PATTERN.test(type));
}

/**
 * Validates `track(type, data)`. Returns a fresh plain event (without uid and session); `ts` is
 * `data.timestamp` or `now`.
 * @throws {LocalRecError} `INVALID_EVENT` with `field` (`type`, `data`, `data.<name>`, `data.context.<name>`)
 *   and `accepted` listing what would have been accepted.
 * @example validateEvent('rate', { itemId: 'SKU-1', rating: 4 }, Date.now())
 */
export function validateEvent(type: unknown, data: unknown, now: number): ValidEvent {
  try {
    return validateUnsafe(type, data, now);
  } catch (err) {
    if (err instanceof LocalRecError) throw err;
    // Hostile input (a Proxy whose traps throw, …): still a typed error, never a raw exception.
    throw new LocalRecError('INVALID_EVENT', 'data could not be read as a plain object.', {
      field: 'data',
      accepted: ['a plain object'],
      cause: err,
    });
  }
}

function validateUnsafe(type: unknown, data: unknown, now: number): ValidEvent {
  if (!isEventType(type)) {
    fail(
      'type',
      [...STANDARD_EVENT_TYPES, 'namespace:name'],
      type,
      `must be one of ${STANDARD_EVENT_TYPES.join(', ')} or a custom "namespace:name" ([a-z0-9_-])`,
    );
  }
  const raw = data === undefined ? (Object.create(null) as Record<string, unknown>) : readPlain(data, 'data');
  const shape = (SHAPES as Record<string, (typeof SHAPES)[StandardEventType]>)[type] ?? CUSTOM_SHAPE;
  const accepted = [...shape.required, ...shape.optional, 'context', 'timestamp'];

  const out: ValidEvent = { type, ts: now, data: {} };
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (key === 'context') out.context = validateContext(raw[key]);
    else if (key === 'timestamp') {
      out.ts = numIn('data.timestamp', raw[key], EVENT_LIMITS.minTimestamp, now + EVENT_LIMITS.futureSkewMs, false);
    } else if ((shape.required as readonly string[]).includes(key) || (shape.optional as readonly string[]).includes(key)) {
      fields[key] = validateField(key as FieldKey, raw[key]);
    } else {
      fail(`data.${key}`, accepted, key, `is not accepted for type "${type}" (accepted: ${accepted.join(', ')})`);
    }
  }
  for (const key of shape.required) {
    if (!(key in fields)) fail(`data.${key}`, accepted, undefined, `is required for type "${type}"`);
  }
  const { itemId, ...rest } = fields;
  if (itemId !== undefined) out.itemId = itemId as string;
  out.data = rest;

  const payload = JSON.stringify({ d: out.data, c: out.context, i: out.itemId });
  if (utf8Length(payload) > EVENT_LIMITS.payloadBytes) {
    fail(
      'data',
      [`at most ${EVENT_LIMITS.payloadBytes} bytes as JSON`],
      data,
      `must be at most ${EVENT_LIMITS.payloadBytes} bytes as JSON (is ${utf8Length(payload)})`,
    );
  }
  return out;
}
