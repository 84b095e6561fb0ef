import * as tf from '@tensorflow/tfjs-core';
import { SasrecScorer, encodeSequence, type FloatWeights, type SasrecArchitecture, type ScorerOptions } from '@localrec/model';
import { type evaluate, evaluableUsers, evaluateProtocols, type EvalResult, type MultiEvalOptions, type Protocol } from './evaluate.js';
import { initModel, loadWeightsInto, snapshotWeights, disposeModel, type TrainableModel } from './params.js';
import { SeededRandom } from '@localrec/core';
import { NegativeSampler, softmaxHead, type NegativeSample } from './softmax-head.js';
import { GradientPeer } from './data-parallel.js';
import type { Split } from './split.js';

/** Every training hyper-parameter. Defaults follow the SASRec paper's setting for sparse data. */
export interface TrainOptions {
  dim: number;
  maxLen: number;
  blocks: number;
  heads: number;
  ffnDim?: number;
  dropout: number;
  norm: 'pre' | 'post';
  /**
   * 'auto' (default): 'ce' when the catalogue fits the budget of {@link chooseLoss}, else 'softmax'.
   * 'ce': full softmax cross-entropy over every item. 'softmax': sampled softmax of the positive
   * against `negatives` shared negatives drawn from ½ uniform + ½ item frequency, logQ-corrected.
   * 'bce': the paper's loss, one sampled negative per position. 'gbce': gSASRec's generalised BCE over
   * `negatives` shared uniform negatives. 'ce' and 'softmax' compute the softmax over the item table
   * outside the tfjs tape (softmax-head.ts), the fast path.
   */
  loss: 'auto' | 'ce' | 'softmax' | 'bce' | 'gbce';
  negatives: number;
  /** gBCE calibration t ∈ [0, 1]. */
  gbceT: number;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Validate every this many epochs (on `validUsers` users' validation items, held out from training). */
  evalEvery: number;
  /** Protocol of the validation that picks the best epoch: 'full' (NDCG@10 over every item) or 'sampled100'. */
  validProtocol?: 'full' | 'sampled100';
  validUsers: number;
  /** Stop after this many validations without a better validation NDCG@10. */
  patience: number;
  l2Emb: number;
  /**
   * How a batch's loss is averaged. 'batch': over the batch's own positions. 'mean': over the mean
   * number of positions per batch, so with length-bucketed batches every position weighs the same
   * (as with randomly drawn batches) instead of short-sequence batches weighing more per position.
   */
  lossNorm?: 'batch' | 'mean';
  /**
   * Threads that compute each batch's gradient (data-parallel: the batch's users are dealt out, the
   * gradients summed, one Adam step; see data-parallel.ts). 1 = this thread only. The loss and Adam
   * are the same; dropout masks differ with the thread count, so the seed reproduces a run for a
   * given count. Only the softmax losses ('ce', 'softmax') run data-parallel.
   */
  threads?: number;
  /** Warm start: begin from these weights (e.g. a checkpoint) instead of a fresh initialisation. */
  initWeights?: FloatWeights;
  /** Epoch number the warm start resumes after (logs and the epoch budget continue from it). */
  startEpoch?: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  dim: 50,
  maxLen: 50,
  blocks: 2,
  heads: 1,
  dropout: 0.5,
  norm: 'pre',
  loss: 'auto',
  negatives: 1024,
  gbceT: 0.75,
  lr: 0.001,
  batchSize: 128,
  epochs: 100,
  seed: 42,
  evalEvery: 2,
  validProtocol: 'full',
  validUsers: 10_000,
  patience: 3,
  l2Emb: 0,
  lossNorm: 'mean',
};

/**
 * Per-epoch budget of the full softmax, in multiply-adds of its forward logits
 * (positions × items × dim); the backward pass costs about twice that again. 2·10¹⁰ is ≈ 30 s an
 * epoch on one core of the wasm backend (≈ 4 GFLOP/s measured for these matMuls). Memory is not the
 * limit: the logits are computed in chunks of 4 M values (16 MB) whatever the catalogue.
 */
export const FULL_SOFTMAX_BUDGET = 2e10;

/** The loss `auto` resolves to, and why (printed at the start of training). */
export interface LossChoice {
  loss: Exclude<TrainOptions['loss'], 'auto'>;
  negatives: number;
  reason: string;
}

/**
 * Resolves `loss: 'auto'`: the full softmax (cross-entropy over every item, what wins on full
 * ranking) when positions × items × dim per epoch is within {@link FULL_SOFTMAX_BUDGET} or the
 * catalogue is no larger than the negatives a sample would draw; otherwise the sampled softmax with
 * `negatives` logQ-corrected negatives, whose cost is negatives / items of the full one.
 */
export function chooseLoss(o: Pick<TrainOptions, 'loss' | 'negatives' | 'dim'>, itemCount: number, positions: number): LossChoice {
  if (o.loss !== 'auto') return { loss: o.loss, negatives: o.negatives, reason: 'chosen with --loss' };
  const cost = positions * itemCount * o.dim;
  const what = `${positions} positions × ${itemCount} items × dim ${o.dim} = ${cost.toExponential(1)} multiply-adds an epoch`;
  if (cost <= FULL_SOFTMAX_BUDGET || itemCount <= o.negatives)
    return { loss: 'ce', negatives: 0, reason: `full softmax: ${what} ≤ the budget ${FULL_SOFTMAX_BUDGET.toExponential(0)}` };
  return {
    loss: 'softmax',
    negatives: o.negatives,
    reason: `sampled softmax, ${o.negatives} logQ-corrected negatives: the full softmax would be ${what} > the budget ${FULL_SOFTMAX_BUDGET.toExponential(0)}`,
  };
}

export interface EpochLog {
  epoch: number;
  loss: number;
  seconds: number;
  valid?: { 'HR@10': number; 'NDCG@10': number };
}

export interface TrainResult {
  arch: SasrecArchitecture;
  weights: FloatWeights;
  bestEpoch: number;
  history: EpochLog[];
  seconds: number;
  /** The loss actually trained (what `auto` resolved to). */
  loss: LossChoice;
}

export interface TrainHooks {
  /** Called once before the first epoch with the resolved loss. */
  onStart?: (loss: LossChoice) => void;
  onEpochStart?: (epoch: number, batches: number) => void;
  onBatch?: (done: number, loss: number) => void;
  onEpochEnd?: (log: EpochLog) => void;
  /** Called with the best weights so far whenever validation improves (for checkpoints). */
  onBest?: (weights: FloatWeights, epoch: number, ndcg: number) => void | Promise<void>;
}

/** Adam over the item table, outside tfjs: dense, like the reference PyTorch trainer. */
class TableAdam {
  private m: Float32Array;
  private v: Float32Array;
  private t = 0;
  constructor(
    n: number,
    private lr: number,
    private b1 = 0.9,
    private b2 = 0.98,
    private eps = 1e-8,
  ) {
    this.m = new Float32Array(n);
    this.v = new Float32Array(n);
  }
  step(w: Float32Array, g: Float32Array, skip: number): void {
    this.t++;
    const { m, v, b1, b2, eps } = this;
    const a = (this.lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    for (let i = skip; i < w.length; i++) {
      const gi = g[i]!;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
      w[i] = w[i]! - (a * mi) / (Math.sqrt(vi) + eps);
    }
  }
}

/** Batches of users grouped by training length, so each batch is cut to its longest sequence. */
function lengthBuckets(split: Split, users: number[], bs: number, rng: SeededRandom): number[][] {
  const sorted = rng.shuffle([...users]).sort((a, b) => split.train[a]!.length - split.train[b]!.length);
  const batches: number[][] = [];
  for (let i = 0; i < sorted.length; i += bs) batches.push(sorted.slice(i, i + bs));
  return rng.shuffle(batches);
}

export function architectureOf(o: TrainOptions): SasrecArchitecture {
  return {
    type: 'sasrec',
    dim: o.dim,
    maxLen: o.maxLen,
    blocks: o.blocks,
    heads: o.heads,
    ffnDim: o.ffnDim ?? o.dim,
    norm: o.norm,
    layerNormEps: 1e-8,
  };
}

/** Builds the scorer (the shipped scoring code) from a host weight snapshot. */
function scorerFrom(arch: SasrecArchitecture, itemCount: number, w: FloatWeights, options?: ScorerOptions): SasrecScorer {
  return new SasrecScorer(arch, itemCount, w, options);
}

/**
 * Trains SASRec. The item table lives in a Float32Array with its own gather and Adam update (tfjs's
 * gather gradient is unusable on wasm); everything else is tfjs variables with tfjs's Adam.
 */
export async function train(split: Split, opts: Partial<TrainOptions> = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const o: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...opts };
  const arch = architectureOf(o);
  if (arch.dim % arch.heads) throw new RangeError(`dim ${arch.dim} must be divisible by heads ${arch.heads}`);
  const N = split.itemCount;
  const threads = o.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 16)
    throw new RangeError(`threads must be an integer 1…16; got ${String(threads)}`);
  const model = initModel(arch, N, o.seed);
  if (o.initWeights) loadWeightsInto(model, o.initWeights);
  const rng = SeededRandom.fromInt(o.seed + 1);
  const optimizer = tf.train.adam(o.lr, 0.9, 0.98, 1e-8);
  const tableAdam = new TableAdam(model.itemTable.length, o.lr);
  const grad = new Float32Array(model.itemTable.length);
  const trainUsers: number[] = [];
  for (let u = 0; u < split.train.length; u++) if (split.train[u]!.length >= 2) trainUsers.push(u);
  let positions = 0;
  for (const u of trainUsers) positions += Math.min(split.train[u]!.length - 1, arch.maxLen);
  const meanPositions = positions / Math.max(1, Math.ceil(trainUsers.length / o.batchSize));
  const choice = chooseLoss(o, N, positions);
  const eff: TrainOptions = { ...o, loss: choice.loss, negatives: choice.negatives };
  let sampler: NegativeSampler | undefined;
  if (eff.loss === 'softmax') {
    const counts = new Float64Array(N + 1);
    for (const u of trainUsers) {
      const s = split.train[u]!;
      for (let i = Math.max(1, s.length - arch.maxLen); i < s.length; i++) counts[s[i]!]!++;
    }
    sampler = new NegativeSampler(counts, N, eff.negatives);
  }
  hooks.onStart?.(choice);
  const peers: GradientPeer[] = [];
  if (threads > 1 && (eff.loss === 'ce' || eff.loss === 'softmax')) {
    const shared = new Float32Array(new SharedArrayBuffer(model.itemTable.byteLength));
    shared.set(model.itemTable);
    model.itemTable = shared;
    const init = { arch, split, table: shared, o: { dropout: o.dropout, l2Emb: o.l2Emb }, ...(sampler ? { logQAll: sampler.logQ } : {}) };
    try {
      for (let t = 1; t < threads; t++) peers.push(await GradientPeer.start(init));
    } catch (e) {
      await Promise.all(peers.map((p) => p.close()));
      throw e;
    }
  }
  try {
    return await trainLoop();
  } finally {
    await Promise.all(peers.map((p) => p.close()));
    disposeModel(model);
    optimizer.dispose();
  }
  async function trainLoop(): Promise<TrainResult> {
    const userSets = split.train.map((s) => new Set(s));
    const validUsers = validationUsers(split, o.validUsers);

    const history: EpochLog[] = [];
    let best = { ndcg: -1, epoch: 0, weights: snapshotWeights(model) };
    let bad = 0;
    const started = performance.now();
    const varList = [...model.vars.values()];

    for (let epoch = (o.startEpoch ?? 0) + 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      const batches = lengthBuckets(split, trainUsers, o.batchSize, rng);
      const norm = o.lossNorm === 'mean' ? meanPositions : 0;
      hooks.onEpochStart?.(epoch, batches.length);
      let lossSum = 0;
      for (let bi = 0; bi < batches.length; bi++) {
        const loss = await step(model, split, batches[bi]!, userSets, eff, rng, optimizer, tableAdam, grad, varList, norm, sampler, peers);
        lossSum += loss;
        hooks.onBatch?.(bi + 1, loss);
      }
      const log: EpochLog = { epoch, loss: lossSum / batches.length, seconds: (performance.now() - t0) / 1000 };
      if (epoch % o.evalEvery === 0 || epoch === o.epochs) {
        const w = snapshotWeights(model);
        const r = await evaluateWeights(arch, N, w, split, {
          protocol: o.validProtocol ?? 'full',
          target: 'valid',
          users: validUsers,
          seeds: [1],
        });
        log.valid = { 'HR@10': r.metrics['HR@10']!, 'NDCG@10': r.metrics['NDCG@10']! };
        if (log.valid['NDCG@10'] > best.ndcg) {
          best = { ndcg: log.valid['NDCG@10'], epoch, weights: w };
          bad = 0;
          await hooks.onBest?.(w, epoch, best.ndcg);
        } else bad++;
      }
      history.push(log);
      hooks.onEpochEnd?.(log);
      if (bad >= o.patience) break;
    }
    if (best.epoch === 0) best = { ndcg: -1, epoch: history.length, weights: snapshotWeights(model) };
    return { arch, weights: best.weights, bestEpoch: best.epoch, history, seconds: (performance.now() - started) / 1000, loss: choice };
  }
}

/** The users whose validation items early stopping (and the blend search) is measured on: at most `n`, a seeded sample. */
export function validationUsers(split: Split, n: number): number[] {
  const pool = evaluableUsers(split);
  return pool.length > n
    ? SeededRandom.fromInt(7)
        .shuffle([...pool])
        .slice(0, n)
    : pool;
}

/** Evaluates a host weight snapshot through the shared scorer. */
export async function evaluateWeights(
  arch: SasrecArchitecture,
  itemCount: number,
  w: FloatWeights,
  split: Split,
  o: Parameters<typeof evaluate>[2],
  scorerOptions?: ScorerOptions,
): Promise<EvalResult> {
  const { protocol, ...rest } = o;
  return (await evaluateWeightsProtocols(arch, itemCount, w, split, { ...rest, protocols: [protocol] }, scorerOptions))[protocol]!;
}

/** {@link evaluateWeights} under several protocols from one scoring pass ({@link evaluateProtocols}). */
export async function evaluateWeightsProtocols(
  arch: SasrecArchitecture,
  itemCount: number,
  w: FloatWeights,
  split: Split,
  o: MultiEvalOptions,
  scorerOptions?: ScorerOptions,
): Promise<Partial<Record<Protocol, EvalResult>>> {
  const scorer = scorerFrom(arch, itemCount, w, scorerOptions);
  try {
    return await evaluateProtocols((seqs) => scorer.scores(seqs), split, o);
  } finally {
    scorer.dispose();
  }
}

function step(
  model: TrainableModel,
  split: Split,
  users: number[],
  userSets: Set<number>[],
  o: TrainOptions,
  rng: SeededRandom,
  optimizer: tf.Optimizer,
  tableAdam: TableAdam,
  grad: Float32Array,
  varList: tf.Variable[],
  norm: number,
  sampler?: NegativeSampler,
  peers: GradientPeer[] = [],
): Promise<number> | number {
  if (o.loss === 'ce' || o.loss === 'softmax')
    return headStep(model, split, users, o, rng, optimizer, tableAdam, grad, varList, norm, sampler, peers);
  const { arch, itemTable: E, itemCount: N } = model;
  const d = arch.dim;
  const B = users.length;
  let T = 1;
  for (const u of users) T = Math.max(T, Math.min(split.train[u]!.length - 1, arch.maxLen));
  // Input rows, positive targets, negatives (bce: one per position), right-aligned.
  const inRows = new Int32Array(B * T),
    posRows = new Int32Array(B * T),
    negRows = new Int32Array(B * T);
  users.forEach((u, b) => {
    const s = split.train[u]!;
    const n = Math.min(s.length - 1, T);
    for (let i = 0; i < n; i++) {
      const slot = b * T + T - n + i;
      inRows[slot] = s[s.length - 1 - n + i]!;
      posRows[slot] = s[s.length - n + i]!;
      if (o.loss === 'bce') {
        let r: number;
        do {
          r = 1 + rng.int(N);
        } while (userSets[u]!.has(r));
        negRows[slot] = r;
      }
    }
  });
  const gather = (rows: Int32Array): Float32Array => {
    const out = new Float32Array(rows.length * d);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (r) out.set(E.subarray(r * d, r * d + d), i * d);
    }
    return out;
  };
  const K = o.negatives;
  const sharedNeg = new Int32Array(o.loss === 'bce' ? 0 : K);
  for (let i = 0; i < sharedNeg.length; i++) sharedNeg[i] = 1 + rng.int(N);
  // gBCE's β (Petrov & Macdonald 2023): α = K / (N − 1), β = α (t (1 − 1/α) + 1/α).
  const alpha = K / (N - 1);
  const beta = alpha * (o.gbceT * (1 - 1 / alpha) + 1 / alpha);

  const inT = tf.tensor3d(gather(inRows), [B, T, d]);
  const posT = tf.tensor3d(gather(posRows), [B, T, d]);
  let negT: tf.Tensor;
  if (o.loss === 'bce') negT = tf.tensor3d(gather(negRows), [B, T, d]);
  else {
    // [d, K]: pre-transposed so the logits are one untransposed 2-D matmul.
    const g = new Float32Array(d * K);
    for (let k = 0; k < K; k++) {
      const r = sharedNeg[k]!;
      for (let j = 0; j < d; j++) g[j * K + k] = E[r * d + j]!;
    }
    negT = tf.tensor2d(g, [d, K]);
  }
  const inMask = tf.tensor3d(
    Float32Array.from(inRows, (r) => (r ? 1 : 0)),
    [B, T, 1],
  );
  const tgtMask = tf.tensor2d(
    Float32Array.from(posRows, (r) => (r ? 1 : 0)),
    [B, T],
  );
  const count =
    norm > 0
      ? norm
      : Math.max(
          1,
          posRows.reduce((a, r) => a + (r ? 1 : 0), 0),
        );

  const f = (): tf.Scalar => {
    const h = encodeSequence(arch, model.encoder, inT, inMask, { training: true, dropout: o.dropout, dropoutSeed: () => rng.int(2 ** 31) });
    const posLogit = tf.sum(tf.mul(h, posT), -1);
    let perPos: tf.Tensor;
    if (o.loss === 'bce') {
      const negLogit = tf.sum(tf.mul(h, negT), -1);
      perPos = tf.add(tf.softplus(tf.neg(posLogit)), tf.softplus(negLogit));
    } else {
      const negLogit = tf.reshape(tf.matMul(tf.reshape(h, [B * T, d]), negT as tf.Tensor2D), [B, T, K]);
      if (o.loss === 'gbce') perPos = tf.add(tf.mul(tf.softplus(tf.neg(posLogit)), beta), tf.sum(tf.softplus(negLogit), -1));
      else perPos = tf.sub(tf.logSumExp(tf.concat([tf.expandDims(posLogit, -1), negLogit], -1), -1), posLogit);
    }
    let loss = tf.div<tf.Scalar>(tf.sum(tf.mul(perPos, tgtMask)), count);
    if (o.l2Emb > 0) loss = tf.add<tf.Scalar>(loss, tf.mul(o.l2Emb, tf.add(tf.sum(tf.square(inT)), tf.sum(tf.square(posT)))));
    return loss;
  };
  const xs: tf.Tensor[] = [inT, posT, negT, ...varList];
  const { value, grads } = tf.engine().gradients(f, xs, undefined, true);
  const lossValue = value.dataSync()[0]!;
  const [gIn, gPos, gNeg, ...gVars] = grads;
  const named: tf.NamedTensorMap = {};
  varList.forEach((v, i) => {
    named[v.name] = gVars[i]!;
  });
  optimizer.applyGradients(named);
  // Scatter the item-table gradients and step the table's Adam (row 0 = padding stays fixed).
  grad.fill(0);
  const scatter = (rows: Int32Array, g: Float32Array) => {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (!r) continue;
      const o2 = r * d,
        gi = i * d;
      for (let j = 0; j < d; j++) grad[o2 + j]! += g[gi + j]!;
    }
  };
  scatter(inRows, gIn!.dataSync() as Float32Array);
  scatter(posRows, gPos!.dataSync() as Float32Array);
  if (o.loss === 'bce') scatter(negRows, gNeg!.dataSync() as Float32Array);
  else {
    const g = gNeg!.dataSync() as Float32Array; // [d, K]
    for (let k = 0; k < K; k++) {
      const r = sharedNeg[k]!;
      for (let j = 0; j < d; j++) grad[r * d + j]! += g[j * K + k]!;
    }
  }
  tableAdam.step(E, grad, d);
  tf.dispose([value, ...grads, inT, posT, negT, inMask, tgtMask]);
  return lossValue;
}

/** One batch's share of the softmax-head gradient (see {@link headGradients}). */
export interface HeadGradients {
  loss: number;
  /** dLoss/d(each encoder variable), in `varList` order. */
  grads: tf.Tensor[];
}

/** What one softmax-head batch needs besides the model and the users (the same for every data-parallel share). */
export interface HeadBatch {
  o: Pick<TrainOptions, 'dropout' | 'l2Emb'>;
  /** The loss and gradients are divided by this (the whole batch's, not a share's). */
  count: number;
  sample?: NegativeSample;
  /** Dropout masks' seeds. */
  rng: SeededRandom;
}

/** Positions of `users` with a target: the batch's padded length T, input rows, target slots and targets. */
function headLayout(split: Split, users: number[], maxLen: number) {
  let T = 1;
  for (const u of users) T = Math.max(T, Math.min(split.train[u]!.length - 1, maxLen));
  const inRows = new Int32Array(users.length * T);
  const slots: number[] = [];
  const targets: number[] = [];
  users.forEach((u, b) => {
    const s = split.train[u]!;
    const n = Math.min(s.length - 1, T);
    for (let i = 0; i < n; i++) {
      const slot = b * T + T - n + i;
      inRows[slot] = s[s.length - 1 - n + i]!;
      slots.push(slot);
      targets.push(s[s.length - n + i]!);
    }
  });
  return { T, inRows, slots, targets: Int32Array.from(targets) };
}

/** Positions with a target in a batch of users (what `lossNorm: 'batch'` divides by). */
export function batchPositions(split: Split, users: number[], maxLen: number): number {
  let T = 1;
  for (const u of users) T = Math.max(T, Math.min(split.train[u]!.length - 1, maxLen));
  let p = 0;
  for (const u of users) p += Math.min(split.train[u]!.length - 1, T);
  return p;
}

/**
 * The gradient of one batch (or one data-parallel share of it) with the softmax head: tfjs runs the
 * encoder and its backward pass; the softmax over the item table is computed by {@link softmaxHead}
 * inside a customGrad, which hands tfjs dLoss/dh. The item table's gradient is ADDED to `grad`; the
 * encoder's is returned (nothing is applied). The caller disposes `grads`.
 */
export function headGradients(model: TrainableModel, split: Split, users: number[], b: HeadBatch, grad: Float32Array): HeadGradients {
  const { arch, itemTable: E, itemCount: N } = model;
  const { o, count, sample, rng } = b;
  const d = arch.dim;
  const B = users.length;
  const { T, inRows, slots, targets: tgt } = headLayout(split, users, arch.maxLen);
  const P = slots.length;
  const inData = new Float32Array(B * T * d);
  for (let i = 0; i < inRows.length; i++) {
    const r = inRows[i]!;
    if (r) inData.set(E.subarray(r * d, r * d + d), i * d);
  }
  const inT = tf.tensor3d(inData, [B, T, d]);
  const inMask = tf.tensor3d(
    Float32Array.from(inRows, (r) => (r ? 1 : 0)),
    [B, T, 1],
  );
  let l2Targets = 0;
  if (o.l2Emb > 0)
    for (const t of tgt)
      for (let j = 0; j < d; j++) {
        const v = E[t * d + j]!;
        l2Targets += v * v;
        grad[t * d + j]! += 2 * o.l2Emb * v;
      }
  // The head sees every slot; only those with a target are scored (tfjs-wasm has no gather gradient).
  const head = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const all = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const h = new Float32Array(P * d);
    slots.forEach((slot, i) => h.set(all.subarray(slot * d, slot * d + d), i * d));
    const { loss, dh } = softmaxHead({
      h,
      targets: tgt,
      table: E,
      dim: d,
      itemCount: N,
      norm: count,
      tableGrad: grad,
      ...(sample ? { sample } : {}),
    });
    const dAll = new Float32Array(B * T * d);
    slots.forEach((slot, i) => dAll.set(dh.subarray(i * d, i * d + d), slot * d));
    return { value: tf.scalar(loss + o.l2Emb * l2Targets), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor2d(dAll, [B * T, d])) };
  });
  const f = (): tf.Scalar => {
    const h = encodeSequence(arch, model.encoder, inT, inMask, { training: true, dropout: o.dropout, dropoutSeed: () => rng.int(2 ** 31) });
    let loss = head(tf.reshape(h, [B * T, d])) as tf.Scalar;
    if (o.l2Emb > 0) loss = tf.add<tf.Scalar>(loss, tf.mul(o.l2Emb, tf.sum(tf.square(inT))));
    return loss;
  };
  const xs: tf.Tensor[] = [inT, ...model.vars.values()];
  const { value, grads } = tf.engine().gradients(f, xs, undefined, true);
  const loss = value.dataSync()[0]!;
  const [gIn, ...gVars] = grads;
  const g = gIn!.dataSync() as Float32Array;
  for (let i = 0; i < inRows.length; i++) {
    const r = inRows[i]!;
    if (!r) continue;
    for (let j = 0; j < d; j++) grad[r * d + j]! += g[i * d + j]!;
  }
  tf.dispose([value, gIn!, inT, inMask]);
  return { loss, grads: gVars };
}

/**
 * One batch with the softmax head: its gradient ({@link headGradients}) — computed in halves on this
 * thread and on a {@link GradientPeer}'s worker thread when there is one — then one Adam step.
 */
async function headStep(
  model: TrainableModel,
  split: Split,
  users: number[],
  o: TrainOptions,
  rng: SeededRandom,
  optimizer: tf.Optimizer,
  tableAdam: TableAdam,
  grad: Float32Array,
  varList: tf.Variable[],
  norm: number,
  sampler?: NegativeSampler,
  peers: GradientPeer[] = [],
): Promise<number> {
  const d = model.arch.dim;
  const count = norm > 0 ? norm : Math.max(1, batchPositions(split, users, model.arch.maxLen));
  grad.fill(0);
  const sample = sampler?.draw(rng);
  // Data-parallel: users are dealt out round-robin (batches are length-bucketed, so the shares are alike).
  const K = Math.min(peers.length, users.length - 1) + 1;
  const share = (j: number) => (K === 1 ? users : users.filter((_, i) => i % K === j));
  const vars = K > 1 ? varList.map((v) => v.dataSync() as Float32Array) : [];
  const remote = peers.slice(0, K - 1).map((p, j) => p.compute(share(j + 1), count, sample, rng.int(2 ** 31), vars));
  let local: HeadGradients;
  try {
    local = headGradients(model, split, share(0), { o, count, rng, ...(sample ? { sample } : {}) }, grad);
  } catch (e) {
    await Promise.allSettled(remote);
    throw e;
  }
  let loss = local.loss;
  let grads = local.grads;
  const answers = await Promise.allSettled(remote);
  for (const [j, a] of answers.entries()) {
    if (a.status === 'rejected') {
      tf.dispose(grads);
      throw a.reason;
    }
    loss += a.value.loss;
    const summed = grads.map((g, i) => tf.add(g, tf.tensor(a.value.grads[i]!, g.shape)));
    tf.dispose(grads);
    grads = summed;
    const pg = peers[j]!.grad;
    for (let i = d; i < grad.length; i++) grad[i]! += pg[i]!;
  }
  const named: tf.NamedTensorMap = {};
  varList.forEach((v, i) => {
    named[v.name] = grads[i]!;
  });
  optimizer.applyGradients(named);
  tableAdam.step(model.itemTable, grad, d);
  tf.dispose(grads);
  return loss;
}
