import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@localrec/core';
import { RERANK_FEATURES, Reranker, type RerankFeatures, type RerankerState } from '../src/reranker.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const feats = (v: number[]): RerankFeatures => Object.fromEntries(RERANK_FEATURES.map((k, i) => [k, v[i]!])) as RerankFeatures;

/** A known θ* = [bias, modelScore, categoryAffinity, priceAffinity, recency, popularity, socialProof]. */
const TRUE_THETA = [-2.5, 1.0, 2.0, -1.0, 0.5, 0.0, 1.5];

function sample(r: () => number) {
  const v = RERANK_FEATURES.map(() => r());
  const z = TRUE_THETA[0]! + v.reduce((a, x, i) => a + x * TRUE_THETA[i + 1]!, 0);
  return { f: feats(v), p: sigmoid(z), y: r() < sigmoid(z) };
}

describe('re-ranker: learning', () => {
  it('converges to a known θ on synthetic data (one online pass)', () => {
    const r = mulberry32(7);
    const model = new Reranker({ prior: [0, 0, 0, 0, 0, 0, 0], learningRate: 0.2, minLearningRate: 0.01, l2: 0 });
    for (let i = 0; i < 150_000; i++) {
      const s = sample(r);
      model.update(s.f, s.y);
    }
    const theta = model.toJSON().theta;
    theta.forEach((t, i) => expect(Math.abs(t - TRUE_THETA[i]!), `θ[${i}] = ${t}`).toBeLessThan(0.3));
    // Held-out: the learned model's log-loss is within 1 % of the true model's (the Bayes optimum).
    let learned = 0;
    let bayes = 0;
    const test = mulberry32(99);
    for (let i = 0; i < 20_000; i++) {
      const s = sample(test);
      const p = model.predict(s.f);
      learned -= s.y ? Math.log(p) : Math.log(1 - p);
      bayes -= s.y ? Math.log(s.p) : Math.log(1 - s.p);
    }
    expect(learned / bayes).toBeLessThan(1.01);
  });

  it('decays its learning rate within bounds and rejects unsafe settings', () => {
    const m = new Reranker({ learningRate: 0.1, minLearningRate: 0.01 });
    expect(m.learningRate).toBeCloseTo(0.1, 12);
    const x = feats([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    for (let i = 0; i < 3000; i++) m.update(x, i % 7 === 0);
    expect(m.learningRate).toBeCloseTo(0.1 / 2, 12);
    for (let i = 0; i < 1_000_000 / 100; i++) m.update(x, false);
    expect(m.learningRate).toBeGreaterThanOrEqual(0.01);
    expect(() => new Reranker({ learningRate: 2 })).toThrow(/learningRate/);
    expect(() => new Reranker({ l2: -1 })).toThrow(/l2/);
    expect(() => new Reranker({ prior: [1, 2] })).toThrow(/prior/);
  });

  it('stays finite on garbage features (clamped) and with one-sided feedback', () => {
    const m = new Reranker({ learningRate: 0.5 });
    const bad = feats([Infinity, NaN, -5, 1e9, 0.5, 0.5]);
    for (let i = 0; i < 10_000; i++) m.update(bad, true);
    for (const t of m.toJSON().theta) expect(Number.isFinite(t)).toBe(true);
    expect(m.predict(bad)).toBeGreaterThan(0.9);
  });

  it('L2 pulls unused weights back to the prior', () => {
    const prior = [-2, 2, 0, 0, 0, 0, 0];
    const m = new Reranker({ prior, l2: 0.01, learningRate: 0.1 });
    // Learn a socialProof effect, then see only examples without social proof.
    const r = mulberry32(3);
    for (let i = 0; i < 4000; i++) {
      const ms = r();
      const social = i % 2;
      m.update(feats([ms, 0, 0, 0, 0, social]), r() < sigmoid(-2 + 2 * ms + 3 * social));
    }
    const learned = m.weights().socialProof;
    expect(learned).toBeGreaterThan(1);
    for (let i = 0; i < 5000; i++) {
      const ms = r();
      m.update(feats([ms, 0, 0, 0, 0, 0]), r() < sigmoid(-2 + 2 * ms));
    }
    expect(m.weights().socialProof).toBeLessThan(learned / 3);
  });
});

describe('re-ranker: learning from shown lists', () => {
  it('centres features per list and separates position bias from relevance', () => {
    const r = mulberry32(11);
    const m = new Reranker({ prior: [0, 0, 0, 0, 0, 0, 0], l2: 0 });
    for (let list = 0; list < 15_000; list++) {
      const shown = Array.from({ length: 10 }, (_, rank) => {
        // Popularity is high for every candidate (a feature that would soak up negatives uncentred).
        const f = feats([r(), r(), r(), r(), 0.85 + 0.15 * r(), 0]);
        const z = -3 + 3 * f.categoryAffinity + 1 * f.recency;
        return { features: f, clicked: r() < sigmoid(z) / Math.log2(rank + 2) };
      });
      m.learnFromList(shown);
    }
    const w = m.weights();
    // Relevant features are found in the right order (true 3 and 1; attenuated because clicks here are
    // examination × σ, which the logistic model only approximates), irrelevant ones stay near 0.
    expect(w.categoryAffinity).toBeGreaterThan(2);
    expect(w.recency).toBeGreaterThan(0.4);
    for (const k of ['modelScore', 'priceAffinity', 'popularity'] as const) expect(Math.abs(w[k]), k).toBeLessThan(0.35);
    expect(w.position).toBeGreaterThan(0.7);
    expect(w.position).toBeLessThan(1.6);
    // Ranking ignores the position term and the list's common offset.
    const a = feats([0.5, 0.9, 0.5, 0.5, 0.9, 0]);
    const b = feats([0.5, 0.1, 0.5, 0.5, 0.9, 0]);
    const order = m.rerank([
      { item: 'b', base: 0.5, features: b },
      { item: 'a', base: 0.5, features: a },
    ]);
    expect(order.map((x) => x.item)).toEqual(['a', 'b']);
  });
});

describe('re-ranker: the floor keeps the pretrained ranking when data is scarce', () => {
  const list = Array.from({ length: 10 }, (_, i) => ({
    item: `i${i}`,
    base: 1 - i / 10,
    features: feats([1 - i / 10, i / 9, i / 9, 0, 0, i === 9 ? 1 : 0]),
  }));

  it('with no observations returns the base order exactly', () => {
    const m = new Reranker();
    expect(m.blendWeight).toBe(0);
    expect(m.rerank(list).map((e) => e.item)).toEqual(list.map((e) => e.item));
  });

  it('a few contrary clicks move little; many consistent ones move the list', () => {
    const m = new Reranker();
    const worst = list[9]!.features;
    const best = list[0]!.features;
    for (let i = 0; i < 5; i++) {
      m.update(worst, true);
      m.update(best, false);
    }
    expect(m.blendWeight).toBeLessThan(0.07);
    expect(
      m
        .rerank(list)
        .slice(0, 5)
        .map((e) => e.item),
    ).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']);
    for (let i = 0; i < 2000; i++) {
      m.update(worst, true);
      m.update(best, false);
    }
    expect(m.blendWeight).toBeGreaterThan(0.6);
    expect(m.rerank(list)[0]!.item).toBe('i9');
  });

  it('round-trips its state through JSON (exportData) and forgets on a fresh start', () => {
    const m = new Reranker();
    const r = mulberry32(5);
    for (let i = 0; i < 500; i++) {
      const s = sample(r);
      m.update(s.f, s.y);
    }
    const state = JSON.parse(JSON.stringify(m.toJSON())) as RerankerState;
    const back = new Reranker({}, state);
    expect(back.observations).toBe(500);
    expect(back.predict(list[3]!.features)).toBe(m.predict(list[3]!.features));
    expect(back.rerank(list)).toEqual(m.rerank(list));
    expect(new Reranker({}, { ...state, theta: [NaN] }).observations).toBe(0);
  });
});
