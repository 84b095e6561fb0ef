/** Internal: a short, safe description of a bad value for error messages (never throws). */
export function preview(v: unknown): string {
  try {
    if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    if (v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol')) return String(v);
    return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  } catch {
    return 'an unreadable value';
  }
}

/**
 * For messages about an array argument: the preview of `v` when it is not an array, else the first
 * entry `ok` refuses and its index (e.g. `5 at [2]`).
 */
export function badEntry(v: unknown, ok: (x: unknown) => boolean): string {
  if (!Array.isArray(v)) return preview(v);
  const i = (v as unknown[]).findIndex((x) => !ok(x));
  return i < 0 ? 'an array' : `${preview((v as unknown[])[i])} at [${i}]`;
}
