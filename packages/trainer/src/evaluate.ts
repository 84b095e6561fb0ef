import { MetricAccumulator, catalogueCoverage, intraListDiversity, rankOf } from './metrics.js';
import { SeededRandom } from '@localrec/core';
import type { Split } from './split.js';

/**
 * Sequence → a score for every item row (index 0 ignored). The model, a baseline, or the browser
 * runtime. `users` are the sequences' user indices in the split (for per-user models such as BPR-MF).
 */
export type ScoreFn = (seqs: Int32Array[], users?: number[]) => Promise<Float32Array[]>;

/** Length of the recommendation lists that catalogue coverage and intra-list diversity are measured on. */
const LIST_K = 10;

export type Protocol = 'sampled100' | 'full';

export interface EvalOptions {
  protocol: Protocol;
  /** Evaluate the validation item (history = train) or the test item (history = train + valid). */
  target: 'valid' | 'test';
  /** Negative-sampling seeds (sampled protocol); results are averaged over them. */
  seeds?: number[];
  /** Only these users (indices), e.g. a subset for per-epoch validation. */
  users?: number[];
  batchSize?: number;
  /**
   * Full protocol: the item-item similarity in [0, 1] for intra-list diversity (`ILD@10`); without
   * it only `Coverage@10` is reported beside the ranking metrics.
   */
  similarity?: (a: number, b: number) => number;
  onProgress?: (done: number, total: number) => void;
}

export interface EvalResult {
  protocol: Protocol;
  target: 'valid' | 'test';
  users: number;
  /** Mean over seeds (sampled) or the single full-ranking result. */
  metrics: Record<string, number>;
  /** Sampled protocol: one table per seed. */
  perSeed?: Record<string, number>[];
}

/** The user's history for evaluating `target`, and every item the user touched. */
function historyFor(split: Split, u: number, target: 'valid' | 'test'): Int32Array {
  const tr = split.train[u]!;
  if (target === 'valid') return tr;
  const h = new Int32Array(tr.length + 1);
  h.set(tr);
  h[tr.length] = split.valid[u]!;
  return h;
}

/** Users that have a held-out item. */
export function evaluableUsers(split: Split): number[] {
  const out: number[] = [];
  for (let u = 0; u < split.train.length; u++) if (split.valid[u]! > 0 && split.test[u]! > 0 && split.train[u]!.length > 0) out.push(u);
  return out;
}

/** Options of {@link evaluateProtocols}: {@link EvalOptions} with the protocols to measure in one pass. */
export type MultiEvalOptions = Omit<EvalOptions, 'protocol'> & { protocols: readonly Protocol[] };

/**
 * Leave-one-out evaluation. `sampled100`: the paper's protocol — the target is ranked against 100
 * items drawn uniformly from those the user never interacted with (train, valid or test).
 * `full`: ranked against every item except the user's other history items (Krichene & Rendle 2020).
 */
export async function evaluate(score: ScoreFn, split: Split, o: EvalOptions): Promise<EvalResult> {
  const { protocol, ...rest } = o;
  return (await evaluateProtocols(score, split, { ...rest, protocols: [protocol] }))[protocol]!;
}

/**
 * {@link evaluate} for several protocols from ONE scoring pass: each batch of histories is scored
 * once and ranked under every protocol asked for (scoring is the cost; each result is identical to
 * a separate {@link evaluate} call with the same options).
 */
export async function evaluateProtocols(score: ScoreFn, split: Split, o: MultiEvalOptions): Promise<Partial<Record<Protocol, EvalResult>>> {
  const users = o.users ?? evaluableUsers(split);
  const doFull = o.protocols.includes('full');
  const seeds = o.protocols.includes('sampled100') ? (o.seeds ?? [1, 2, 3]) : [];
  const fullAcc = new MetricAccumulator(undefined, true);
  const accs = seeds.map(() => new MetricAccumulator(undefined, false));
  const rngs = seeds.map((s) => SeededRandom.fromInt(s));
  const N = split.itemCount;
  const bs = o.batchSize ?? 256;
  const lists: Int32Array[] = [];
  let ild = 0;
  // Full protocol: the user's other history items, as a mask (a typed-array read per item, not a Set lookup).
  const skip = new Uint8Array(N + 1);
  for (let i = 0; i < users.length; i += bs) {
    const batch = users.slice(i, i + bs);
    const hist = batch.map((u) => historyFor(split, u, o.target));
    const scores = await score(hist, batch);
    batch.forEach((u, b) => {
      const target = o.target === 'valid' ? split.valid[u]! : split.test[u]!;
      const touched = new Set<number>(split.train[u]);
      touched.add(split.valid[u]!);
      touched.add(split.test[u]!);
      const s = scores[b]!;
      if (doFull) {
        // Every item except padding and the user's other history items.
        let above = 0,
          ties = 0;
        const t = s[target]!;
        // The user's top-k list over the same candidates (the target included), ties to the lower row.
        const top = new Int32Array(LIST_K);
        const topV = new Float64Array(LIST_K).fill(-Infinity);
        let filled = 0;
        for (const r of touched) if (r >= 1 && r <= N && r !== target) skip[r] = 1;
        for (let r = 1; r <= N; r++) {
          if (skip[r]) continue;
          const v = s[r]!;
          if (filled < LIST_K || v > topV[LIST_K - 1]!) {
            let k = Math.min(filled, LIST_K - 1);
            while (k > 0 && topV[k - 1]! < v) {
              topV[k] = topV[k - 1]!;
              top[k] = top[k - 1]!;
              k--;
            }
            topV[k] = v;
            top[k] = r;
            if (filled < LIST_K) filled++;
          }
          if (r === target) continue;
          if (v > t) above++;
          else if (v === t) ties++;
        }
        for (const r of touched) if (r >= 1 && r <= N) skip[r] = 0;
        const list = top.subarray(0, filled);
        lists.push(list);
        if (o.similarity) ild += intraListDiversity(list, o.similarity);
        fullAcc.add(above + ties / 2);
      }
      seeds.forEach((_, si) => {
        const rng = rngs[si]!;
        const cands: number[] = [];
        const chosen = new Set<number>();
        // 100 negatives, or every untouched item when a (tiny) catalog has fewer.
        let free = N;
        for (const r of touched) if (r >= 1 && r <= N) free--;
        const want = Math.min(100, free);
        while (cands.length < want) {
          const r = 1 + rng.int(N);
          if (touched.has(r) || chosen.has(r)) continue;
          chosen.add(r);
          cands.push(r);
        }
        accs[si]!.add(rankOf(s, target, cands));
      });
    });
    o.onProgress?.(Math.min(i + bs, users.length), users.length);
  }
  const out: Partial<Record<Protocol, EvalResult>> = {};
  if (doFull) {
    const metrics = fullAcc.result();
    metrics[`Coverage@${LIST_K}`] = catalogueCoverage(lists, N);
    if (o.similarity) metrics[`ILD@${LIST_K}`] = lists.length ? ild / lists.length : 0;
    out.full = { protocol: 'full', target: o.target, users: users.length, metrics };
  }
  if (seeds.length) {
    const perSeed = accs.map((a) => a.result());
    const metrics: Record<string, number> = {};
    for (const key of Object.keys(perSeed[0]!)) metrics[key] = perSeed.reduce((a, r) => a + r[key]!, 0) / perSeed.length;
    out.sampled100 = { protocol: 'sampled100', target: o.target, users: users.length, metrics, perSeed };
  }
  return out;
}
