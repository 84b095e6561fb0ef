import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FloatWeights, SasrecArchitecture } from '@localrec/model';
import { trainingCurveSvg } from './chart.js';
import { buildColdTables, coocBaseline, popularityScores, type ColdTables } from './cold-start.js';
import { evaluate, type EvalResult, type ScoreFn } from './evaluate.js';
import { ItemUsers, bprBaseline, itemKnnBaseline } from './baselines.js';
import { CUTOFFS } from './metrics.js';
import { roundTripWeights, writeBundle } from './bundle-io.js';
import { buildSegments, catalogMeta, segmentsBundleParts } from './segments.js';
import { TENSOR_NAMES } from '@localrec/model';
import { DEFAULT_TRAIN_OPTIONS, evaluateWeights, validationUsers, type EpochLog } from './train.js';
import { chooseBlend } from './blend.js';
import { SasrecScorer, type ScoreBlend } from '@localrec/model';
import type { Split } from './split.js';

export interface FinishInput {
  out: string;
  name: string;
  version: string;
  arch: SasrecArchitecture;
  split: Split;
  vocab: string[];
  weights: FloatWeights;
  quantize: boolean;
  evalSeeds: number[];
  /** Co-occurrence neighbours kept per item in the cold-start table (bundle size ∝ this). */
  coocNeighbours?: number;
  training: Record<string, unknown>;
  history?: EpochLog[];
  catalog?: unknown;
  /** Interest segments (k-means clusters of the item embeddings) to ship; 0 = none. Default 16. */
  segments?: number;
  /**
   * Choose a blend with co-occurrence on validation (`manifest.blend`, see blend.ts) and ship it
   * when it helps. Default true.
   */
  blend?: boolean;
  log?: (line: string) => void;
}

const pick = (r: EvalResult, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r.metrics[k]!]));
const SAMPLED_KEYS = ['HR@1', 'HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20', 'MRR'];
const FULL_KEYS = [...SAMPLED_KEYS, ...CUTOFFS.flatMap((k) => [`Precision@${k}`, `Recall@${k}`, `F1@${k}`]), 'Coverage@10', 'ILD@10'];

/** The baselines of the eval table besides SASRec, built from the training sequences. */
function baselineScorers(split: Split, cold: ColdTables): [string, ScoreFn][] {
  return [
    ['popular', popularityScores(cold)],
    ['cooccurrence', coocBaseline(cold)],
    ['itemknn', itemKnnBaseline(split)],
    ['bpr', bprBaseline(split)],
  ];
}

/**
 * Evaluates the trained weights (fp32 and as stored), the baselines, and writes the bundle with
 * its metrics, the training curve and a training log next to it.
 */
export async function finishBundle(f: FinishInput): Promise<{ metrics: Record<string, Record<string, number>>; cold: ColdTables }> {
  const log = f.log ?? ((l: string) => console.log(l));
  const cold = buildColdTables(f.split, { neighbours: f.coocNeighbours ?? 10 });
  const N = f.split.itemCount;
  const metrics: Record<string, Record<string, number>> = {};
  const iu = new ItemUsers(f.split);
  const similarity = (a: number, b: number) => iu.cosine(a, b);
  const stored = roundTripWeights(f.arch, N, f.weights, f.quantize);
  const variants: [string, FloatWeights][] = [['sasrec-fp32', f.weights]];
  if (f.quantize) variants.push(['sasrec-int8', stored]);
  for (const [label, w] of variants) {
    const s = await evaluateWeights(f.arch, N, w, f.split, { protocol: 'sampled100', target: 'test', seeds: f.evalSeeds });
    metrics[`${label}/sampled100`] = pick(s, SAMPLED_KEYS);
    log(`${label} sampled100 (seeds ${f.evalSeeds}): HR@10 ${s.metrics['HR@10']!.toFixed(4)} NDCG@10 ${s.metrics['NDCG@10']!.toFixed(4)}`);
    const full = await evaluateWeights(f.arch, N, w, f.split, { protocol: 'full', target: 'test', similarity });
    metrics[`${label}/full`] = pick(full, FULL_KEYS);
    log(
      `${label} full: HR@10 ${full.metrics['HR@10']!.toFixed(4)} NDCG@10 ${full.metrics['NDCG@10']!.toFixed(4)} MRR ${full.metrics.MRR!.toFixed(4)}`,
    );
  }
  const blend = f.blend === false ? undefined : await searchBlend(f.arch, f.split, stored, cold, log);
  if (blend) Object.assign(metrics, await blendMetrics({ ...f, weights: stored, cold, blend, similarity, log }));
  for (const [label, fn] of baselineScorers(f.split, cold)) {
    const s = await evaluate(fn, f.split, { protocol: 'sampled100', target: 'test', seeds: f.evalSeeds });
    metrics[`${label}/sampled100`] = pick(s, SAMPLED_KEYS);
    const full = await evaluate(fn, f.split, { protocol: 'full', target: 'test', similarity });
    metrics[`${label}/full`] = pick(full, FULL_KEYS);
    log(
      `${label}: sampled HR@10 ${s.metrics['HR@10']!.toFixed(4)} NDCG@10 ${s.metrics['NDCG@10']!.toFixed(4)}; full HR@10 ${full.metrics['HR@10']!.toFixed(4)} NDCG@10 ${full.metrics['NDCG@10']!.toFixed(4)}`,
    );
  }
  const k = Math.min(f.segments ?? 16, N);
  let segParts: ReturnType<typeof segmentsBundleParts> | undefined;
  if (k > 0) {
    const seg = buildSegments(stored.get(TENSOR_NAMES.itemEmbedding)!, N, f.arch.dim, {
      k,
      seed: 1,
      vocab: f.vocab,
      meta: catalogMeta(f.catalog),
    });
    segParts = segmentsBundleParts(seg);
    log(`interest segments: ${k} (k-means over the item embeddings)`);
  }
  writeBundle(f.out, {
    name: f.name,
    version: f.version,
    arch: f.arch,
    itemCount: N,
    weights: f.weights,
    vocab: f.vocab,
    cold,
    quantize: f.quantize,
    training: f.training,
    metrics,
    ...(blend ? { blend } : {}),
    catalog: f.catalog,
    ...(segParts ? { extraFiles: { [segParts.fileName]: segParts.file }, extraTensors: [segParts.tensor] } : {}),
  });
  mkdirSync(f.out, { recursive: true });
  if (f.history?.length) {
    writeFileSync(join(f.out, 'training-log.json'), JSON.stringify(f.history, null, 1) + '\n');
    writeFileSync(join(f.out, 'training-curve.svg'), await trainingCurveSvg(f.history, `${f.name}: training curve`));
  }
  return { metrics, cold };
}

/**
 * The blend chosen on the validation split for `weights` as stored (what the runtime scores with),
 * logged per history-length bucket; `undefined` when no weight helps.
 */
export async function searchBlend(
  arch: SasrecArchitecture,
  split: Split,
  weights: FloatWeights,
  cold: ColdTables,
  log: (line: string) => void,
): Promise<ScoreBlend | undefined> {
  const scorer = new SasrecScorer(arch, split.itemCount, weights);
  try {
    const users = validationUsers(split, DEFAULT_TRAIN_OPTIONS.validUsers);
    const { blend, buckets } = await chooseBlend((q) => scorer.scores(q), split, cold, { users });
    log(`blend with co-occurrence (validation, ${users.length} users, mean NDCG@1/5/10/20 model → blended):`);
    for (const b of buckets)
      log(`  history ${b.lengths}: ${b.users} users, weight ${b.weight}: ${b.model.toFixed(4)} → ${b.blended.toFixed(4)}`);
    log(
      blend
        ? `blend: weights ${blend.weights.join(', ')} for histories of ${buckets.map((b) => b.lengths).join(' | ')} items`
        : 'blend: none (no weight helped)',
    );
    return blend;
  } finally {
    scorer.dispose();
  }
}

/** Test metrics of the blended scorer (`sasrec-blend/sampled100`, `sasrec-blend/full`), logged. */
export async function blendMetrics(b: {
  arch: SasrecArchitecture;
  split: Split;
  weights: FloatWeights;
  cold: ColdTables;
  blend: ScoreBlend;
  evalSeeds: number[];
  similarity?: (a: number, b: number) => number;
  log: (line: string) => void;
}): Promise<Record<string, Record<string, number>>> {
  const opts = { blend: { spec: b.blend, table: b.cold } };
  const N = b.split.itemCount;
  const s = await evaluateWeights(b.arch, N, b.weights, b.split, { protocol: 'sampled100', target: 'test', seeds: b.evalSeeds }, opts);
  const full = await evaluateWeights(
    b.arch,
    N,
    b.weights,
    b.split,
    { protocol: 'full', target: 'test', ...(b.similarity ? { similarity: b.similarity } : {}) },
    opts,
  );
  const f4 = (r: EvalResult, k: string) => r.metrics[k]!.toFixed(4);
  b.log(
    `sasrec-blend: sampled HR@10 ${f4(s, 'HR@10')} NDCG@10 ${f4(s, 'NDCG@10')}; full HR@1 ${f4(full, 'HR@1')} HR@10 ${f4(full, 'HR@10')} NDCG@10 ${f4(full, 'NDCG@10')}`,
  );
  return { 'sasrec-blend/sampled100': pick(s, SAMPLED_KEYS), 'sasrec-blend/full': pick(full, FULL_KEYS) };
}
