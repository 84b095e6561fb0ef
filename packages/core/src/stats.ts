/** Sorted ascending copy (the input is left as it was). */
const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/**
 * The median of `xs`: the middle value, or the mean of the two middle values when the count is
 * even. `NaN` for an empty list.
 *
 * @example
 * median([3, 1, 2]);    // 2
 * median([4, 1, 3, 2]); // 2.5
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = ascending(xs);
  const m = s.length >> 1;
  // Halves first: (a + b) / 2 overflows to Infinity for two values near Number.MAX_VALUE.
  return s.length % 2 ? s[m]! : s[m - 1]! / 2 + s[m]! / 2;
}

/**
 * The `p`-quantile of `xs` as one of its values (no interpolation): the value with ⌊p·n⌋ of the
 * n values before it in ascending order (the largest for p = 1). `percentile(xs, 0.5)` is the upper
 * of the two middle values for an even count, not {@link median}'s mean of them. `NaN` for an
 * empty list. Throws a RangeError for a `p` outside [0, 1].
 *
 * @example
 * percentile(latenciesMs, 0.95); // p95
 */
export function percentile(xs: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile: p must be in [0, 1], got ${String(p)}`);
  if (xs.length === 0) return NaN;
  const s = ascending(xs);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
