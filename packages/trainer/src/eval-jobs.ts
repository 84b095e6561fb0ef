import { SasrecScorer, type SasrecArchitecture, type ScoreBlend } from '@localrec/model';
import { ItemUsers, bprBaseline, itemKnnBaseline } from './baselines.js';
import { chooseBlend, type BlendBucketReport } from './blend.js';
import { buildColdTables, coocBaseline, popularityScores, type ColdTables } from './cold-start.js';
import { evaluateProtocols, type EvalResult, type Protocol, type ScoreFn } from './evaluate.js';
import type { Split } from './split.js';

/**
 * The evaluation work of a training run as plain-data jobs, so that the same code runs them in the
 * main thread or in a worker thread (eval-pool.ts): every job carries only structured-cloneable
 * values, and what a job needs from the data (the split, the co-occurrence table, the items' user
 * lists for intra-list diversity) is built once per thread from the split.
 */

/** The baselines of the eval table besides SASRec. */
export const BASELINES = ['popular', 'cooccurrence', 'itemknn', 'bpr'] as const;
export type BaselineName = (typeof BASELINES)[number];

/** What to measure: {@link evaluateProtocols}' options, with the similarity as a flag (the items' cosine). */
export interface JobEval {
  protocols: Protocol[];
  target: 'valid' | 'test';
  seeds?: number[];
  users?: number[];
  /** Intra-list diversity by the items' cosine over training users ({@link ItemUsers.cosine}). */
  similarity?: boolean;
}

/** SASRec weights as [tensor name, values] pairs (a Map's entries, cloneable and transferable). */
export type WeightEntries = [string, Float32Array][];

export type EvalJob =
  | { kind: 'sasrec'; arch: SasrecArchitecture; weights: WeightEntries; blend?: ScoreBlend; eval: JobEval }
  | { kind: 'baseline'; name: BaselineName; eval: JobEval }
  | { kind: 'blend-search'; arch: SasrecArchitecture; weights: WeightEntries; users: number[] };

export type EvalJobResult =
  | { kind: 'eval'; results: Partial<Record<Protocol, EvalResult>> }
  | { kind: 'blend-search'; blend: ScoreBlend | undefined; buckets: BlendBucketReport[] };

/** What every thread holds: the split and the co-occurrence neighbours of the bundle's table. */
export interface EvalContext {
  split: Split;
  coocNeighbours: number;
}

/** Runs jobs against one context; the derived tables are built on first use and kept. */
export class EvalRunner {
  private coldTables?: ColdTables;
  private itemUsers?: ItemUsers;
  constructor(readonly ctx: EvalContext) {}

  /** The bundle's popularity and co-occurrence tables (deterministic from the split). */
  get cold(): ColdTables {
    return (this.coldTables ??= buildColdTables(this.ctx.split, { neighbours: this.ctx.coocNeighbours }));
  }

  private similarity(): (a: number, b: number) => number {
    const iu = (this.itemUsers ??= new ItemUsers(this.ctx.split));
    return (a, b) => iu.cosine(a, b);
  }

  async run(job: EvalJob): Promise<EvalJobResult> {
    const { split } = this.ctx;
    if (job.kind === 'blend-search') {
      const scorer = new SasrecScorer(job.arch, split.itemCount, new Map(job.weights));
      try {
        const r = await chooseBlend((q) => scorer.scores(q), split, this.cold, { users: job.users });
        return { kind: 'blend-search', ...r };
      } finally {
        scorer.dispose();
      }
    }
    const { similarity, ...rest } = job.eval;
    const o = { ...rest, ...(similarity ? { similarity: this.similarity() } : {}) };
    if (job.kind === 'baseline') return { kind: 'eval', results: await evaluateProtocols(this.baseline(job.name), split, o) };
    const scorer = new SasrecScorer(
      job.arch,
      split.itemCount,
      new Map(job.weights),
      job.blend ? { blend: { spec: job.blend, table: this.cold } } : {},
    );
    try {
      return { kind: 'eval', results: await evaluateProtocols((seqs) => scorer.scores(seqs), split, o) };
    } finally {
      scorer.dispose();
    }
  }

  private baseline(name: BaselineName): ScoreFn {
    switch (name) {
      case 'popular':
        return popularityScores(this.cold);
      case 'cooccurrence':
        return coocBaseline(this.cold);
      case 'itemknn':
        return itemKnnBaseline(this.ctx.split);
      case 'bpr':
        return bprBaseline(this.ctx.split);
    }
  }
}
