/** Token-bucket rate limiting of `track()`: protects storage from runaway host scripts. */

/** Rate limit: `burst` events at once, refilled at `perSecond`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/**
 * A token bucket. Starts full (`burst` tokens); each event takes one; tokens refill
 * continuously at `perSecond`, never above `burst`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number | undefined;

  constructor(private readonly limit: RateLimit) {
    this.tokens = limit.burst;
  }

  /** Takes one token at time `now` (ms). Returns false when the bucket is empty. */
  take(now: number): boolean {
    if (this.last !== undefined && now > this.last) {
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    }
    if (this.last === undefined || now > this.last) this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
