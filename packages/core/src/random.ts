/**
 * Seeded pseudo-random numbers: two generators and one class of the distributions drawn from them.
 * Everything is a function of the seed (no `Math.random`, no clock), so simulations, training runs
 * and property tests repeat exactly.
 *
 * - {@link SeededRandom.named}: sfc32 seeded through the cyrb128 string hash. Streams are derived
 *   by NAME with {@link SeededRandom.fork}, not by consumption order, so adding one consumer never
 *   changes what the others draw (the shopper simulator).
 * - {@link SeededRandom.fromInt}: mulberry32 from a 32-bit integer seed (the trainer: batching,
 *   negatives, initialisation; the committed models and their documented metrics were made with it).
 *
 * Not for secrets: use `crypto.getRandomValues` for ids and salts that must not be guessed.
 */

/** A source of uniform numbers in [0, 1), one per call. */
export type UniformSource = () => number;

/** cyrb128: a fast 128-bit string hash, used to turn seed strings into sfc32 state. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A stable 32-bit hash of a string, in [0, 2^32). */
export function hash32(s: string): number {
  return cyrb128(s)[0];
}

/**
 * sfc32 seeded from the string `key` (through cyrb128, then 12 draws discarded so that similar
 * keys give unrelated streams).
 */
export function sfc32(key: string): UniformSource {
  let [a, b, c, d] = cyrb128(key);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** mulberry32 from a 32-bit integer seed (other numbers are taken modulo 2^32). */
export function mulberry32(seed: number): UniformSource {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A deterministic random stream and the distributions drawn from it.
 *
 * @example
 * const rng = SeededRandom.named('simulate:7');
 * const shopper = rng.fork('shopper-12'); // independent of how much `rng` has drawn
 * shopper.pick(['a', 'b', 'c']);
 */
export class SeededRandom {
  /** A stream named `key` (sfc32 through cyrb128); {@link fork} derives child streams by name. */
  static named(key: string | number): SeededRandom {
    const name = String(key);
    return new SeededRandom(sfc32(name), name);
  }

  /** A stream from a 32-bit integer seed (mulberry32). */
  static fromInt(seed: number): SeededRandom {
    return new SeededRandom(mulberry32(seed), String(seed));
  }

  /**
   * @param source the uniform numbers every distribution is drawn from
   * @param key the name {@link fork} derives child names from
   */
  constructor(
    source: UniformSource,
    readonly key = '',
  ) {
    this.next = source;
  }

  /** Uniform in [0, 1). */
  readonly next: UniformSource;

  /** An independent named stream `<key>/<label>` (does not advance this stream). */
  fork(label: string | number): SeededRandom {
    return SeededRandom.named(`${this.key}/${label}`);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty array');
    return items[this.int(items.length)]!;
  }

  /** An index drawn with probability proportional to `weights[i]` (non-negative, not all zero). */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    if (!(total > 0)) throw new RangeError(`weighted() needs at least one positive weight, got a total of ${total}`);
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    // Floating-point leftovers: the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
    return weights.length - 1;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-space standard deviation. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang (with the shape < 1 boost). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(1 - this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** A point on the simplex drawn from Dirichlet(alpha). */
  dirichlet(alpha: readonly number[]): number[] {
    const g = alpha.map((a) => Math.max(this.gamma(a), 1e-12));
    const s = g.reduce((x, y) => x + y, 0);
    return g.map((x) => x / s);
  }

  /** Poisson(lambda) (Knuth's method; meant for small lambda). */
  poisson(lambda: number): number {
    const l = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > l) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** `k` distinct indices from [0, n), in draw order. */
  sample(n: number, k: number): number[] {
    const idx = Array.from({ length: n }, (_, i) => i);
    const m = Math.min(k, n);
    for (let i = 0; i < m; i++) {
      const j = i + this.int(n - i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx.slice(0, m);
  }

  /** Shuffles `items` in place (Fisher–Yates from the end) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
