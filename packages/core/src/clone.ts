/**
 * A deep copy of JSON-safe data, through `JSON.stringify`/`JSON.parse`: plain objects, arrays,
 * strings, finite numbers, booleans and null survive; `undefined` members and functions are
 * dropped, `NaN`/`Infinity` become null, Dates become strings. Meant for state that is JSON-safe
 * by design (stored profiles, cache metadata); unlike `structuredClone` it exists everywhere,
 * mini-program engines included.
 *
 * @example
 * const snapshot = cloneJson(state); // later changes to `state` do not reach `snapshot`
 */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
