/**
 * Two small async helpers of the runtime: a memoised value that evicts failures ({@link Once}) and
 * a time-boxed wait ({@link within}).
 */

import { monotonicNow } from '@localrec/core/internal';

/** The clock of every timing in the runtime (ms): `performance.now()` where there is one. */
export const now = (): number => monotonicNow();

/** Resolves to `undefined` after `ms` unless `p` settles first (a rejection also gives `undefined`). */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms === Infinity) return p.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<undefined>((res) => {
    timer = setTimeout(res, Math.max(0, ms), undefined);
  });
  return Promise.race([p.catch(() => undefined), t]).finally(() => clearTimeout(timer));
}

/**
 * Memoised async value: concurrent callers share one attempt; a failure is evicted, and the next
 * attempt starts once `retryDelayMs()` has passed (until then {@link get} rejects with the failure).
 */
export class Once<T> {
  private p?: Promise<T>;
  private failedAt = -Infinity;
  /** The last attempt's error, until an attempt succeeds. */
  lastError?: unknown;
  /** The value, once an attempt succeeded (until {@link reset}). */
  value?: T;
  constructor(
    private readonly make: () => Promise<T>,
    private readonly retryDelayMs: () => number,
  ) {}
  /** The value: the attempt in flight, the value, or a new attempt. */
  get(): Promise<T> {
    if (!this.p) {
      if (now() - this.failedAt < this.retryDelayMs()) return Promise.reject(this.lastError);
      this.p = this.make().then(
        (v) => {
          this.value = v;
          this.lastError = undefined;
          return v;
        },
        (e: unknown) => {
          this.p = undefined;
          this.failedAt = now();
          this.lastError = e;
          throw e;
        },
      );
      this.p.catch(() => {}); // a background start must not surface as an unhandled rejection
    }
    return this.p;
  }
  /** Forgets the value (the next {@link get} starts a new attempt); `lastError` stays. */
  reset(): void {
    this.p = undefined;
    this.value = undefined;
  }
}
