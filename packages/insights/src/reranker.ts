/**
 * The on-device re-ranker: logistic regression P(click | x) = σ(θ·x), trained online, one shown
 * item at a time, with binary cross-entropy and stochastic gradient descent.
 *
 * Safety, because it learns from a handful of clicks on one device:
 * - bounded learning rate: η = η₀ / √(1 + n / 1000), kept within [minLearningRate, maxLearningRate] and η₀ ≤ 0.5;
 *   the per-step gradient is clipped to a norm of 5; features are clamped to [0, 1];
 * - L2 regularisation towards the prior θ₀ (not towards 0), so what is not learned stays as pretrained;
 * - a floor on the pretrained ranking: the final score is (1 − α)·base + α·p/max(p), with
 *   α = maxBlend · n / (n + floorObservations); with no data α = 0 and the base ranking is kept exactly.
 *
 * Learning from lists ({@link Reranker.learnFromList}), two standard corrections matter with the
 * few hundred impressions one device sees:
 * - features are centred on the list's mean. Adding a constant to every logit of a list does not
 *   change its order, so nothing is lost for ranking, but uncentred features that are high for
 *   every candidate (popularity, say) would otherwise soak up the mostly-negative feedback;
 * - position bias: lower ranks are looked at less, so a position term log(1/log₂(rank + 2)) is
 *   learned alongside (its weight, `position`, starts at 1 = the usual DCG-style examination curve)
 *   and left out when ranking, where it would be the same for every candidate.
 *
 * Its state is a few numbers ({@link RerankerState}); store it locally, include it in `exportData()`
 * and delete it in `forgetMe()`.
 */

/** Feature names, in θ order after the bias. Every feature is expected in [0, 1]. */
export const RERANK_FEATURES = [
  'modelScore', // the base ranking's score, normalised within the list
  'categoryAffinity', // profile affinity of the item's category (relative to the favourite)
  'priceAffinity', // profile affinity of the item's price band
  'recency', // how recently the shopper touched this item or its category: 1 = just now, 0 = never/long ago
  'popularity', // the item's popularity, normalised (e.g. the bundle's cold-start score)
  'socialProof', // socialProof() of the host's social context
] as const;

export type RerankFeatureName = (typeof RERANK_FEATURES)[number];
export type RerankFeatures = Record<RerankFeatureName, number>;

export interface RerankerOptions {
  /** η₀. Default 0.3; must be in (0, 0.5]. */
  learningRate?: number;
  /** Lower bound of the decayed rate. Default 0.005. */
  minLearningRate?: number;
  /** L2 strength (pull towards the prior per step). Default 1e-4. */
  l2?: number;
  /** θ₀ = [bias, ...one per feature]. Default: bias −2, modelScore 2, the rest 0 (the base ranking). */
  prior?: readonly number[];
  /** Observations at which the learned model gets half of `maxBlend`. Default 100. */
  floorObservations?: number;
  /** The most weight the learned model ever gets. Default 0.7. */
  maxBlend?: number;
}

/** Serialisable state. */
export interface RerankerState {
  version: 1;
  theta: number[];
  /** Observations (impressions with a known outcome) trained on. */
  n: number;
  /** Of which clicks. */
  clicks: number;
  /** Weight of the position term (see {@link Reranker.learnFromList}). */
  position?: number;
}

const D = RERANK_FEATURES.length + 1;
export const DEFAULT_PRIOR: readonly number[] = Object.freeze([-2, 2, 0, 0, 0, 0, 0]);
const MAX_LEARNING_RATE = 0.5;
const GRAD_CLIP = 5;

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** The feature vector with the bias term: [1, x₁ − c₁, …, x₆ − c₆] (c = a centre, default 0). */
export function featureVector(f: RerankFeatures, centre?: Readonly<RerankFeatures>): Float64Array {
  const v = new Float64Array(D);
  v[0] = 1;
  RERANK_FEATURES.forEach((k, i) => {
    v[i + 1] = clamp01(f[k]) - (centre ? clamp01(centre[k]) : 0);
  });
  return v;
}

/** The mean feature vector of a list (the centre {@link Reranker.learnFromList} and {@link Reranker.rerank} use). */
export function meanFeatures(list: readonly RerankFeatures[]): RerankFeatures {
  const out = Object.fromEntries(RERANK_FEATURES.map((k) => [k, 0])) as RerankFeatures;
  if (list.length === 0) return out;
  for (const f of list) for (const k of RERANK_FEATURES) out[k] += clamp01(f[k]) / list.length;
  return out;
}

/** The position term: log of the examination probability 1/log₂(rank + 2) of a 0-based rank. */
export function positionTerm(rank: number): number {
  return -Math.log(Math.log2(rank + 2));
}

/** Online logistic-regression re-ranker. See the module documentation for its safety rules. */
export class Reranker {
  private readonly theta: Float64Array;
  private positionW: number;
  private n: number;
  private clicks: number;
  private readonly eta0: number;
  private readonly etaMin: number;
  private readonly l2: number;
  private readonly prior: Float64Array;
  private readonly floorN: number;
  private readonly maxBlend: number;

  constructor(options: RerankerOptions = {}, state?: RerankerState) {
    this.eta0 = options.learningRate ?? 0.3;
    if (!(this.eta0 > 0 && this.eta0 <= MAX_LEARNING_RATE)) {
      throw new RangeError(`learningRate must be in (0, ${MAX_LEARNING_RATE}], got ${this.eta0}`);
    }
    this.etaMin = Math.min(options.minLearningRate ?? 0.005, this.eta0);
    this.l2 = options.l2 ?? 1e-4;
    if (!(this.l2 >= 0 && this.l2 < 1)) throw new RangeError(`l2 must be in [0, 1), got ${this.l2}`);
    const prior = options.prior ?? DEFAULT_PRIOR;
    if (prior.length !== D)
      throw new RangeError(`prior must have ${D} numbers (bias + ${RERANK_FEATURES.join(', ')}), got ${prior.length}`);
    this.prior = Float64Array.from(prior);
    this.floorN = options.floorObservations ?? 100;
    this.maxBlend = options.maxBlend ?? 0.7;
    if (!(this.maxBlend >= 0 && this.maxBlend <= 1)) throw new RangeError(`maxBlend must be in [0, 1], got ${this.maxBlend}`);
    const ok = state?.version === 1 && state.theta.length === D && state.theta.every(Number.isFinite);
    this.theta = ok ? Float64Array.from(state.theta) : Float64Array.from(this.prior);
    this.n = ok ? state.n : 0;
    this.positionW = ok && Number.isFinite(state.position) ? state.position! : 1;
    this.clicks = ok ? state.clicks : 0;
  }

  /** Observations trained on so far. */
  get observations(): number {
    return this.n;
  }

  /** The current learning rate. */
  get learningRate(): number {
    return Math.min(MAX_LEARNING_RATE, Math.max(this.etaMin, this.eta0 / Math.sqrt(1 + this.n / 1000)));
  }

  /** α, the weight of the learned model in {@link score}: 0 with no data, → maxBlend with a lot. */
  get blendWeight(): number {
    return (this.maxBlend * this.n) / (this.n + this.floorN);
  }

  /** P(click | x) = σ(θ·x), with x centred on `centre` when given (no position term). */
  predict(f: RerankFeatures, centre?: Readonly<RerankFeatures>): number {
    return sigmoid(this.logit(featureVector(f, centre)));
  }

  private logit(x: Float64Array): number {
    let z = 0;
    for (let i = 0; i < D; i++) z += this.theta[i]! * x[i]!;
    return z;
  }

  /**
   * One SGD step on the binary cross-entropy of one shown item (`clicked` true/false), plus the L2
   * pull towards the prior. `centre` and `rank` as in {@link learnFromList}. Returns the loss before the step.
   */
  update(f: RerankFeatures, clicked: boolean, options: { centre?: Readonly<RerankFeatures>; rank?: number } = {}): number {
    const x = featureVector(f, options.centre);
    const pos = options.rank === undefined ? 0 : positionTerm(options.rank);
    const p = sigmoid(this.logit(x) + this.positionW * pos);
    const y = clicked ? 1 : 0;
    const g = new Float64Array(D);
    let norm = 0;
    for (let i = 0; i < D; i++) {
      g[i] = (p - y) * x[i]! + (i === 0 ? 0 : this.l2 * (this.theta[i]! - this.prior[i]!));
      norm += g[i]! * g[i]!;
    }
    const gPos = (p - y) * pos + this.l2 * (this.positionW - 1);
    norm += gPos * gPos;
    const scale = Math.sqrt(norm) > GRAD_CLIP ? GRAD_CLIP / Math.sqrt(norm) : 1;
    const eta = this.learningRate;
    for (let i = 0; i < D; i++) this.theta[i] = this.theta[i]! - eta * scale * g[i]!;
    this.positionW -= eta * scale * gPos;
    this.n++;
    if (clicked) this.clicks++;
    const eps = 1e-12;
    return -(y * Math.log(p + eps) + (1 - y) * Math.log(1 - p + eps));
  }

  /**
   * Learns from one shown list, in display order: features centred on the list's mean, the
   * position term for each rank. This is how impressions should be fed back.
   */
  learnFromList(shown: readonly { features: RerankFeatures; clicked: boolean }[]): void {
    const centre = meanFeatures(shown.map((s) => s.features));
    shown.forEach((s, rank) => this.update(s.features, s.clicked, { centre, rank }));
  }

  /**
   * Re-ranks a list: each entry has the base ranking's score in [0, 1] (e.g. {@link blendScore}) and
   * its features. Final score = (1 − α)·base + α·p/max(p over the list), with p predicted from
   * features centred on the list's mean. Stable on ties.
   */
  rerank<T>(entries: readonly { item: T; base: number; features: RerankFeatures }[]): { item: T; score: number; p: number }[] {
    const centre = meanFeatures(entries.map((e) => e.features));
    const ps = entries.map((e) => this.predict(e.features, centre));
    const maxP = Math.max(...ps, Number.MIN_VALUE);
    const a = this.blendWeight;
    return entries
      .map((e, i) => ({ i, item: e.item, p: ps[i]!, score: (1 - a) * clamp01(e.base) + (a * ps[i]!) / maxP }))
      .sort((x, y) => y.score - x.score || x.i - y.i)
      .map(({ item, score, p }) => ({ item, score, p }));
  }

  /** The learned weights by name (bias first), for display and `exportData()`. */
  weights(): Record<'bias' | 'position' | RerankFeatureName, number> {
    const out = { bias: this.theta[0]!, position: this.positionW } as Record<'bias' | 'position' | RerankFeatureName, number>;
    RERANK_FEATURES.forEach((k, i) => {
      out[k] = this.theta[i + 1]!;
    });
    return out;
  }

  toJSON(): RerankerState {
    return { version: 1, theta: Array.from(this.theta), n: this.n, clicks: this.clicks, position: this.positionW };
  }
}
