/** Internal: a short, safe description of a bad value for error messages (never throws). */
export function preview(v: unknown): string {
  try {
    if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    if (v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol')) return String(v);
    return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
  } catch {
    return 'an unreadable value';
  }
}
