import { SeededRandom } from '@localrec/core';
import type { ScoreFn } from './evaluate.js';
import type { Split } from './split.js';

/**
 * Baselines evaluated beside SASRec by the same code (evaluate.ts): item-KNN (cosine) and BPR
 * matrix factorisation. Both learn from the training sequences only, as the cold-start tables do
 * (popularity and co-occurrence live in cold-start.ts, since they ship in the bundle).
 */

/** Item → the sorted, distinct users that have it in their training sequence. */
export class ItemUsers {
  private readonly lists: Int32Array[];
  constructor(split: Split) {
    const acc: number[][] = Array.from({ length: split.itemCount + 1 }, () => []);
    split.train.forEach((s, u) => {
      for (const r of new Set(s)) acc[r]!.push(u);
    });
    this.lists = acc.map((l) => Int32Array.from(l));
  }

  /** Users of item `r`. */
  users(r: number): Int32Array {
    return this.lists[r] ?? new Int32Array(0);
  }

  /** Cosine of the two items' binary user vectors: |Uₐ ∩ U_b| / √(|Uₐ| |U_b|) (0 when either has none). */
  cosine(a: number, b: number): number {
    if (a === b) return this.users(a).length ? 1 : 0;
    const x = this.users(a),
      y = this.users(b);
    if (!x.length || !y.length) return 0;
    let i = 0,
      j = 0,
      common = 0;
    while (i < x.length && j < y.length) {
      if (x[i]! < y[j]!) i++;
      else if (x[i]! > y[j]!) j++;
      else {
        common++;
        i++;
        j++;
      }
    }
    return common / Math.sqrt(x.length * y.length);
  }
}

/** Popularity (training interactions) of every row, for tie-breaking. */
function counts(split: Split): Float32Array {
  const c = new Float32Array(split.itemCount + 1);
  for (const s of split.train) for (const r of s) c[r]!++;
  return c;
}

/**
 * Item-KNN (Sarwar et al. 2001, cosine): each item keeps its `neighbours` most similar items; a
 * user's score for j is the sum of cos(i, j) over the last `historyLen` distinct history items i.
 * Popularity × 10⁻⁶ breaks ties (so an item with no neighbour is not ranked at random).
 */
export function itemKnnBaseline(split: Split, o: { neighbours?: number; historyLen?: number } = {}): ScoreFn {
  const N = split.itemCount;
  const M = o.neighbours ?? 100;
  const L = o.historyLen ?? 50;
  const iu = new ItemUsers(split);
  const co: Map<number, number>[] = Array.from({ length: N + 1 }, () => new Map<number, number>());
  for (const s of split.train) {
    const items = [...new Set(s)];
    for (let a = 0; a < items.length; a++)
      for (let b = a + 1; b < items.length; b++) {
        const x = items[a]!,
          y = items[b]!;
        co[x]!.set(y, (co[x]!.get(y) ?? 0) + 1);
        co[y]!.set(x, (co[y]!.get(x) ?? 0) + 1);
      }
  }
  const nbItems: Int32Array[] = [];
  const nbSims: Float32Array[] = [];
  for (let r = 0; r <= N; r++) {
    const nr = iu.users(r).length;
    const best = [...co[r]!]
      .map(([j, c]) => [j, c / Math.sqrt(nr * iu.users(j).length)] as const)
      .sort((p, q) => q[1] - p[1] || p[0] - q[0])
      .slice(0, M);
    nbItems.push(Int32Array.from(best, (b) => b[0]));
    nbSims.push(Float32Array.from(best, (b) => b[1]));
    co[r] = new Map();
  }
  const pop = counts(split);
  const top = pop.reduce((a, b) => Math.max(a, b), 0) || 1;
  return async (seqs) =>
    seqs.map((s) => {
      const out = Float32Array.from(pop, (c) => (1e-6 * c) / top);
      const hist = new Set<number>();
      for (let k = s.length - 1; k >= 0 && hist.size < L; k--) hist.add(s[k]!);
      for (const i of hist) {
        const items = nbItems[i]!,
          sims = nbSims[i]!;
        for (let j = 0; j < items.length; j++) out[items[j]!]! += sims[j]!;
      }
      return out;
    });
}

/** BPR-MF hyper-parameters (Rendle et al. 2009); the defaults are the common ones, not tuned per data set. */
export interface BprOptions {
  dim: number;
  epochs: number;
  lr: number;
  reg: number;
  seed: number;
}

const BPR_DEFAULTS: BprOptions = { dim: 64, epochs: 30, lr: 0.05, reg: 0.001, seed: 1 };

/**
 * BPR matrix factorisation trained by SGD on (user, training item, sampled non-item) triples, one
 * epoch = as many triples as training interactions. Scores are user · item + item bias; the score
 * function needs the users' indices (evaluate passes them).
 */
export function bprBaseline(split: Split, opts: Partial<BprOptions> = {}): ScoreFn {
  const o = { ...BPR_DEFAULTS, ...opts };
  const N = split.itemCount,
    U = split.train.length,
    d = o.dim;
  const rng = SeededRandom.fromInt(o.seed);
  const P = new Float32Array(U * d),
    Q = new Float32Array((N + 1) * d),
    bias = new Float32Array(N + 1);
  for (let i = 0; i < P.length; i++) P[i] = rng.normal() * 0.1;
  for (let i = d; i < Q.length; i++) Q[i] = rng.normal() * 0.1;
  const pairsU: number[] = [],
    pairsI: number[] = [];
  const sets = split.train.map((s) => new Set(s));
  sets.forEach((set, u) => {
    for (const r of set) {
      pairsU.push(u);
      pairsI.push(r);
    }
  });
  const n = pairsU.length;
  for (let e = 0; e < o.epochs; e++) {
    for (let t = 0; t < n; t++) {
      const k = rng.int(n);
      const u = pairsU[k]!,
        i = pairsI[k]!;
      let j: number;
      do j = 1 + rng.int(N);
      while (sets[u]!.has(j) && sets[u]!.size < N);
      const pu = u * d,
        qi = i * d,
        qj = j * d;
      let x = bias[i]! - bias[j]!;
      for (let f = 0; f < d; f++) x += P[pu + f]! * (Q[qi + f]! - Q[qj + f]!);
      const g = 1 / (1 + Math.exp(x)); // d/dx ln σ(x)
      bias[i]! += o.lr * (g - o.reg * bias[i]!);
      bias[j]! += o.lr * (-g - o.reg * bias[j]!);
      for (let f = 0; f < d; f++) {
        const p = P[pu + f]!,
          a = Q[qi + f]!,
          b = Q[qj + f]!;
        P[pu + f] = p + o.lr * (g * (a - b) - o.reg * p);
        Q[qi + f] = a + o.lr * (g * p - o.reg * a);
        Q[qj + f] = b + o.lr * (-g * p - o.reg * b);
      }
    }
  }
  return async (seqs, users) => {
    if (!users) throw new RangeError('bprBaseline: the score function needs the users (evaluate passes them); got none');
    return seqs.map((_, b) => {
      const pu = users[b]! * d;
      const out = new Float32Array(N + 1);
      for (let r = 1; r <= N; r++) {
        let s = bias[r]!;
        for (let f = 0; f < d; f++) s += P[pu + f]! * Q[r * d + f]!;
        out[r] = s;
      }
      return out;
    });
  };
}
