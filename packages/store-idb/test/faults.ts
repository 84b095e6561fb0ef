/**
 * Storage fault injection for IndexedDB tests: makes `IDBObjectStore.prototype.add` throw a
 * `QuotaExceededError` DOMException after `okWrites` successful calls — i.e. partway through a
 * write batch, inside a real transaction, which the store must then abort as a whole. Works on
 * real IndexedDB (Chromium) and on fake-indexeddb (which installs its own IDBObjectStore).
 * `name` picks the DOMException (default `QuotaExceededError`); `times` how many calls fail before
 * the fault clears by itself. Returns the function that removes the fault.
 */
export function failAddsAfter(okWrites: number, { name = 'QuotaExceededError', times = Infinity } = {}): () => void {
  const proto = (globalThis as unknown as { IDBObjectStore: { prototype: IDBObjectStore } }).IDBObjectStore.prototype;
  const original = proto.add;
  let left = okWrites;
  let failures = times;
  proto.add = function add(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>): IDBRequest<IDBValidKey> {
    if (left-- <= 0 && failures-- > 0) throw new DOMException(`Injected storage fault (${name}).`, name);
    return original.apply(this, args);
  };
  return () => {
    proto.add = original;
  };
}
