import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FloatWeights, SasrecArchitecture } from '@localrec/model';
import { trainingCurveSvg } from './chart.js';
import { buildColdTables, type ColdTables } from './cold-start.js';
import type { EvalResult, Protocol } from './evaluate.js';
import { BASELINES, type BaselineName, type EvalJobResult, type JobEval } from './eval-jobs.js';
import { EvalPool } from './eval-pool.js';
import { CUTOFFS } from './metrics.js';
import { roundTripWeights, writeBundle } from './bundle-io.js';
import { buildSegments, catalogMeta, segmentsBundleParts } from './segments.js';
import { TENSOR_NAMES } from '@localrec/model';
import { DEFAULT_TRAIN_OPTIONS, evaluateWeightsProtocols, validationUsers, type EpochLog } from './train.js';
import { chooseBlend, type BlendBucketReport } from './blend.js';
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
  /** Runs the evaluations (on worker threads; see eval-pool.ts). Default: a pool of its own, closed at the end. */
  pool?: EvalPool;
  /** Baseline results already started on `pool` ({@link startBaselines}); default: started here. */
  baselines?: Promise<BaselineResults>;
  log?: (line: string) => void;
}

/** The baselines' test results, in the eval table's order. */
export type BaselineResults = [BaselineName, Partial<Record<Protocol, EvalResult>>][];

/** What the eval table measures for every scorer: both protocols on the test items, with intra-list diversity. */
function testEval(seeds: number[]): JobEval {
  return { protocols: ['sampled100', 'full'], target: 'test', seeds, similarity: true };
}

/**
 * Starts the baselines' evaluation on `pool` (they need only the split, so a training run measures
 * them while the model trains).
 */
export function startBaselines(pool: EvalPool, evalSeeds: number[]): Promise<BaselineResults> {
  return Promise.all(
    BASELINES.map(async (name): Promise<BaselineResults[number]> => [
      name,
      evalResults(await pool.run({ kind: 'baseline', name, eval: testEval(evalSeeds) })),
    ]),
  );
}

function evalResults(r: EvalJobResult): Partial<Record<Protocol, EvalResult>> {
  if (r.kind !== 'eval') throw new Error(`expected an evaluation result, got ${r.kind}`);
  return r.results;
}

const pick = (r: EvalResult, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r.metrics[k]!]));
const SAMPLED_KEYS = ['HR@1', 'HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20', 'MRR'];
const FULL_KEYS = [...SAMPLED_KEYS, ...CUTOFFS.flatMap((k) => [`Precision@${k}`, `Recall@${k}`, `F1@${k}`]), 'Coverage@10', 'ILD@10'];

/**
 * Evaluates the trained weights (fp32 and as stored), the baselines, and writes the bundle with
 * its metrics, the training curve and a training log next to it.
 */
export async function finishBundle(f: FinishInput): Promise<{ metrics: Record<string, Record<string, number>>; cold: ColdTables }> {
  const log = f.log ?? ((l: string) => console.log(l));
  const coocNeighbours = f.coocNeighbours ?? 10;
  const cold = buildColdTables(f.split, { neighbours: coocNeighbours });
  const N = f.split.itemCount;
  const metrics: Record<string, Record<string, number>> = {};
  const pool = f.pool ?? new EvalPool({ split: f.split, coocNeighbours }, { onWarning: log });
  try {
    const baselines = f.baselines ?? startBaselines(pool, f.evalSeeds);
    const stored = roundTripWeights(f.arch, N, f.weights, f.quantize);
    const variants: [string, FloatWeights][] = [['sasrec-fp32', f.weights]];
    if (f.quantize) variants.push(['sasrec-int8', stored]);
    // Every evaluation is queued at once (they run side by side on the pool's workers), then logged in order.
    const sasrecJob = (w: FloatWeights, blend?: ScoreBlend) =>
      pool
        .run({ kind: 'sasrec', arch: f.arch, weights: [...w], ...(blend ? { blend } : {}), eval: testEval(f.evalSeeds) })
        .then(evalResults);
    const variantRuns = variants.map(([label, w]) => [label, sasrecJob(w)] as const);
    const search =
      f.blend === false
        ? undefined
        : pool.run({
            kind: 'blend-search',
            arch: f.arch,
            weights: [...stored],
            users: validationUsers(f.split, DEFAULT_TRAIN_OPTIONS.validUsers),
          });
    for (const [label, run] of variantRuns) {
      const r = await run;
      const s = r.sampled100!,
        full = r.full!;
      metrics[`${label}/sampled100`] = pick(s, SAMPLED_KEYS);
      log(
        `${label} sampled100 (seeds ${f.evalSeeds}): HR@10 ${s.metrics['HR@10']!.toFixed(4)} NDCG@10 ${s.metrics['NDCG@10']!.toFixed(4)}`,
      );
      metrics[`${label}/full`] = pick(full, FULL_KEYS);
      log(
        `${label} full: HR@10 ${full.metrics['HR@10']!.toFixed(4)} NDCG@10 ${full.metrics['NDCG@10']!.toFixed(4)} MRR ${full.metrics.MRR!.toFixed(4)}`,
      );
    }
    let blend: ScoreBlend | undefined;
    if (search) {
      const r = await search;
      if (r.kind !== 'blend-search') throw new Error(`expected a blend search result, got ${r.kind}`);
      blend = logBlend(r, log);
      if (blend) Object.assign(metrics, blendMetricsOf(await sasrecJob(stored, blend), log));
    }
    for (const [label, r] of await baselines) {
      const s = r.sampled100!,
        full = r.full!;
      metrics[`${label}/sampled100`] = pick(s, SAMPLED_KEYS);
      metrics[`${label}/full`] = pick(full, FULL_KEYS);
      log(
        `${label}: sampled HR@10 ${s.metrics['HR@10']!.toFixed(4)} NDCG@10 ${s.metrics['NDCG@10']!.toFixed(4)}; full HR@10 ${full.metrics['HR@10']!.toFixed(4)} NDCG@10 ${full.metrics['NDCG@10']!.toFixed(4)}`,
      );
    }
    await writeOut(f, cold, stored, metrics, blend, log);
  } finally {
    if (!f.pool) await pool.close();
  }
  return { metrics, cold };
}

/** Segments, the bundle folder, the training log and curve. */
async function writeOut(
  f: FinishInput,
  cold: ColdTables,
  stored: FloatWeights,
  metrics: Record<string, Record<string, number>>,
  blend: ScoreBlend | undefined,
  log: (line: string) => void,
): Promise<void> {
  const N = f.split.itemCount;
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
    return logBlend(await chooseBlend((q) => scorer.scores(q), split, cold, { users }), log);
  } finally {
    scorer.dispose();
  }
}

/** Logs a blend search per history-length bucket; returns its blend. */
function logBlend(r: { blend: ScoreBlend | undefined; buckets: BlendBucketReport[] }, log: (line: string) => void): ScoreBlend | undefined {
  const { blend, buckets } = r;
  const users = buckets.reduce((a, b) => a + b.users, 0);
  log(`blend with co-occurrence (validation, ${users} users, mean NDCG@1/5/10/20 model → blended):`);
  for (const b of buckets)
    log(`  history ${b.lengths}: ${b.users} users, weight ${b.weight}: ${b.model.toFixed(4)} → ${b.blended.toFixed(4)}`);
  log(
    blend
      ? `blend: weights ${blend.weights.join(', ')} for histories of ${buckets.map((b) => b.lengths).join(' | ')} items`
      : 'blend: none (no weight helped)',
  );
  return blend;
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
  const r = await evaluateWeightsProtocols(
    b.arch,
    b.split.itemCount,
    b.weights,
    b.split,
    { protocols: ['sampled100', 'full'], target: 'test', seeds: b.evalSeeds, ...(b.similarity ? { similarity: b.similarity } : {}) },
    opts,
  );
  return blendMetricsOf(r, b.log);
}

/** The blended scorer's test results as the bundle's metrics, logged. */
function blendMetricsOf(r: Partial<Record<Protocol, EvalResult>>, log: (line: string) => void): Record<string, Record<string, number>> {
  const s = r.sampled100!,
    full = r.full!;
  const f4 = (x: EvalResult, k: string) => x.metrics[k]!.toFixed(4);
  log(
    `sasrec-blend: sampled HR@10 ${f4(s, 'HR@10')} NDCG@10 ${f4(s, 'NDCG@10')}; full HR@1 ${f4(full, 'HR@1')} HR@10 ${f4(full, 'HR@10')} NDCG@10 ${f4(full, 'NDCG@10')}`,
  );
  return { 'sasrec-blend/sampled100': pick(s, SAMPLED_KEYS), 'sasrec-blend/full': pick(full, FULL_KEYS) };
}
