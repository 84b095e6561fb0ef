/**
 * Re-ranker evaluation (issue 5): replays simulated shoppers and reports top-10 click-through with
 * and without the on-device re-ranker, in the same run, with the same seeds. Not a test.
 *
 *   pnpm --filter @localrec/insights bench:rerank            # 3 seeds, defaults below
 *   pnpm --filter @localrec/insights bench:rerank -- --seeds 1,2 --shoppers 2000 --rounds 40
 *
 * Method
 * - World: the demo catalog (`makeCatalog(DEMO_CATALOG)`, 300 products) and `--shoppers` simulated
 *   shoppers over 45 days (`simulateShoppers`). Days 0–30 are history; the rest is not used.
 * - Base ranking (what the device would show without learning): item-to-item co-occurrence
 *   learned from everyone's history (next 3 views after each view), scored from the shopper's last
 *   5 distinct history items, plus a little popularity; purchased items excluded. It is the same
 *   kind of table the bundle ships for cold start.
 * - Each evaluated shopper (≥ 5 history events) gets `--rounds` recommendation lists. Per round the
 *   top 50 by base score are the candidates and 10 are shown. Clicks are drawn from the simulator's
 *   ground truth, `clickModel.listClickProbabilities(shopper, top10, { lastItem })` (position bias ×
 *   P(click)), with common random numbers: every arm uses the same uniform draw per (round, slot).
 *   A clicked item becomes `lastItem`, is added to that arm's profile, and is not shown again.
 * - Arms, each a separate device state per shopper (the re-ranker learns on the device, from that
 *   shopper's impressions only, starting from the prior):
 *     base            — top 10 by the base score;
 *     base+rerank     — Reranker over the base score (features: base score, category and price
 *                       affinity from the on-device profile, recency, popularity, social proof);
 *     blend           — the documented blendScore (base + profile affinity + friends' social proof);
 *     blend+rerank    — Reranker with the blend as its base.
 *   Social context: counts of each shopper's friends who liked/favorited/bought the item, or shared
 *   it with the shopper, during the history period (what a host page could supply).
 * - CTR = clicks / items shown. Reported per seed, the mean over seeds, and for the first and last
 *   third of the rounds (learning shows up late: the floor keeps the base ranking early).
 */
import { SeededRandom, type ItemMeta, type StoredEvent } from '@localrec/core';
import { DEMO_CATALOG, makeCatalog, simulateShoppers, type CatalogItem, type SimEvent } from '@localrec/simulator';
import {
  ProfileAccumulator,
  Reranker,
  blendScore,
  createSocialContext,
  detectAbnormal,
  itemAffinity,
  normaliseScores,
  priceBandOf,
  socialProof,
  socialSignal,
  type Profile,
  type RerankFeatures,
  type SocialContext,
} from '../src/index.js';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const HISTORY_END = START + 30 * DAY;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const SEEDS = arg('seeds', '1,2,3').split(',').map(Number);
const SHOPPERS = Number(arg('shoppers', '1500'));
const ROUNDS = Number(arg('rounds', '30'));
const EVAL_SHOPPERS = Number(arg('eval', '600'));
const RERANKER_OPTIONS = {
  ...(process.argv.includes('--lr') ? { learningRate: Number(arg('lr', '0.1')) } : {}),
  ...(process.argv.includes('--floor') ? { floorObservations: Number(arg('floor', '200')) } : {}),
  ...(process.argv.includes('--l2') ? { l2: Number(arg('l2', '1e-4')) } : {}),
};
const CANDIDATES = 50;
const SHOWN = 10;

const ARMS = ['base', 'base+rerank', 'blend', 'blend+rerank'] as const;
type Arm = (typeof ARMS)[number];

interface ArmResult {
  shown: number;
  clicks: number;
  early: [number, number];
  late: [number, number];
}

function toStored(events: SimEvent[]): StoredEvent[] {
  return events.map((e, i) => {
    const s: StoredEvent = { seq: i + 1, uid: `${e.user}:${i}`, type: e.type, ts: e.ts, sessionId: e.sessionId, data: { ...e.data } };
    if (e.item !== undefined) s.itemId = e.item;
    return s;
  });
}

function runSeed(seed: number, catalog: CatalogItem[]) {
  const sim = simulateShoppers({ seed, catalog, shoppers: SHOPPERS, days: 45, start: START });
  const meta = new Map<string, ItemMeta>(
    catalog.map((c) => [c.id, { name: c.name, category: c.category, brand: c.brand, price: c.price, inStock: c.inStock }]),
  );
  const ids = catalog.map((c) => c.id);
  const idx = new Map(ids.map((id, i) => [id, i]));
  const N = ids.length;
  const history = sim.events.filter((e) => e.ts < HISTORY_END);

  // Per-user history, popularity and co-occurrence (next 3 views) from everyone's history.
  const byUser = new Map<string, SimEvent[]>();
  for (const e of history) (byUser.get(e.user) ?? byUser.set(e.user, []).get(e.user)!).push(e);
  const pop = new Float64Array(N);
  const cooc = Array.from({ length: N }, () => new Float64Array(N));
  for (const evs of byUser.values()) {
    const views = evs.filter((e) => e.item !== undefined && e.type === 'view').map((e) => idx.get(e.item!)!);
    for (const e of evs) if (e.item !== undefined) pop[idx.get(e.item)!]! += 1;
    for (let a = 0; a < views.length; a++) {
      for (let b = a + 1; b <= a + 3 && b < views.length; b++) if (views[a] !== views[b]) cooc[views[a]!]![views[b]!]! += 1;
    }
  }
  const rowSum = cooc.map((r) => r.reduce((a, b) => a + b, 0));
  const maxPop = Math.max(...pop);
  const popNorm = Array.from(pop, (p) => Math.log1p(p) / Math.log1p(maxPop));

  // Friends' signals → social context per shopper.
  const likedBy = new Map<string, Map<string, { liked: Set<string>; bought: Set<string>; shared: Set<string> }>>();
  const signal = (user: string, item: string) => {
    let m = likedBy.get(user);
    if (!m) likedBy.set(user, (m = new Map()));
    let s = m.get(item);
    if (!s) m.set(item, (s = { liked: new Set(), bought: new Set(), shared: new Set() }));
    return s;
  };
  const shopperById = new Map(sim.shoppers.map((s) => [s.id, s]));
  for (const e of history) {
    if (e.item === undefined) continue;
    const me = shopperById.get(e.user)!;
    if (e.type === 'share' && e.data?.direction === 'out' && e.data.friendId) signal(e.data.friendId, e.item).shared.add(e.user);
    if (e.type === 'like' || e.type === 'favorite' || e.type === 'purchase') {
      for (const f of me.friends) {
        const s = signal(f, e.item);
        (e.type === 'purchase' ? s.bought : s.liked).add(e.user);
      }
    }
  }

  const flaggedTotal = { events: 0, flagged: 0 };
  const results = Object.fromEntries(ARMS.map((a) => [a, { shown: 0, clicks: 0, early: [0, 0], late: [0, 0] }])) as Record<Arm, ArmResult>;
  const crn = SeededRandom.named(`rerank-bench:${seed}`);
  let evaluated = 0;
  const thetaSum = { n: 0, base: new Array<number>(8).fill(0), blend: new Array<number>(8).fill(0) };

  for (const shopper of sim.shoppers) {
    if (evaluated >= EVAL_SHOPPERS) break;
    const evs = byUser.get(shopper.id) ?? [];
    if (evs.length < 5) continue;
    evaluated++;
    const stored = toStored(evs);
    const report = detectAbnormal(stored, { now: HISTORY_END });
    flaggedTotal.events += stored.length;
    flaggedTotal.flagged += report.uids.size;
    const purchased = new Set(evs.filter((e) => e.type === 'purchase').map((e) => e.item!));
    const recentItems: number[] = [];
    for (let i = evs.length - 1; i >= 0 && recentItems.length < 5; i--) {
      const it = evs[i]!.item;
      if (it !== undefined && !recentItems.includes(idx.get(it)!)) recentItems.push(idx.get(it)!);
    }
    const base = new Float64Array(N);
    recentItems.forEach((a, r) => {
      const w = 1 / (r + 1);
      if (rowSum[a]! > 0) for (let j = 0; j < N; j++) base[j]! += (w * cooc[a]![j]!) / rowSum[a]!;
    });
    for (let j = 0; j < N; j++) base[j]! += 0.05 * popNorm[j]!;

    const socialItems: Record<string, { friendsLiked: number; friendsBought: number; sharedBy: number }> = {};
    for (const [item, s] of likedBy.get(shopper.id) ?? []) {
      socialItems[item] = { friendsLiked: Math.min(s.liked.size, 1e6), friendsBought: s.bought.size, sharedBy: s.shared.size };
    }
    const social = createSocialContext({ items: socialItems, ttlMs: 24 * 3_600_000 }, HISTORY_END);

    // One device state per arm.
    const state = ARMS.map((arm) => {
      const acc = new ProfileAccumulator({ halfLifeDays: 14, utcOffsetMinutes: 0, exclude: report.uids });
      acc.add(stored);
      return {
        arm,
        acc,
        reranker: new Reranker(RERANKER_OPTIONS),
        seen: new Set<string>(purchased),
        last: evs[evs.length - 1]!.item,
        seq: stored.length,
      };
    });

    thetaSum.n++;
    for (let round = 0; round < ROUNDS; round++) {
      const now = HISTORY_END + round * 3_600_000;
      const u = Array.from({ length: SHOWN }, () => crn.next());
      for (const st of state) {
        const profile = st.acc.profile(meta, now);
        const cands = ids
          .map((id, j) => ({ id, j, s: base[j]! }))
          .filter((c) => !st.seen.has(c.id))
          .sort((a, b) => b.s - a.s || a.j - b.j)
          .slice(0, CANDIDATES);
        const norm = normaliseScores(cands.map((c) => c.s));
        const rows = cands.map((c, i) => {
          const f = features(profile, meta.get(c.id)!, norm[i]!, popNorm[c.j]!, social, c.id, now);
          const blend = blendScore({
            modelScore: norm[i]!,
            affinity: itemAffinity(profile, meta.get(c.id)),
            socialProof: f.socialProof,
          }).score;
          return { id: c.id, f, base: norm[i]!, blend };
        });
        let shown: typeof rows;
        if (st.arm === 'base') shown = rows.slice(0, SHOWN);
        else if (st.arm === 'blend') shown = [...rows].sort((a, b) => b.blend - a.blend).slice(0, SHOWN);
        else {
          const useBlend = st.arm === 'blend+rerank';
          shown = st.reranker
            .rerank(rows.map((r) => ({ item: r, base: useBlend ? r.blend : r.base, features: r.f })))
            .slice(0, SHOWN)
            .map((x) => x.item);
        }
        const ps = sim.clickModel.listClickProbabilities(
          shopper,
          shown.map((r) => r.id),
          st.last ? { lastItem: st.last } : {},
        );
        const res = results[st.arm];
        const clicks = shown.map((_, k) => u[k]! < ps[k]!);
        if (st.arm.endsWith('rerank')) st.reranker.learnFromList(shown.map((r, k) => ({ features: r.f, clicked: clicks[k]! })));
        shown.forEach((r, k) => {
          const clicked = clicks[k]!;
          res.shown++;
          if (clicked) res.clicks++;
          const third = round < ROUNDS / 3 ? res.early : round >= (2 * ROUNDS) / 3 ? res.late : undefined;
          if (third) {
            third[0]++;
            if (clicked) third[1]++;
          }
          if (clicked) {
            st.seen.add(r.id);
            st.last = r.id;
            st.acc.add([
              {
                seq: ++st.seq,
                uid: `${shopper.id}:r${st.seq}`,
                type: 'click',
                ts: now,
                sessionId: `replay-${round}`,
                itemId: r.id,
                data: {},
              },
            ]);
          }
        });
      }
    }
    [...state[1]!.reranker.toJSON().theta, state[1]!.reranker.weights().position].forEach((t, i) => {
      thetaSum.base[i]! += t;
    });
    [...state[3]!.reranker.toJSON().theta, state[3]!.reranker.weights().position].forEach((t, i) => {
      thetaSum.blend[i]! += t;
    });
  }
  const meanTheta = (xs: number[]) => xs.map((t) => (t / thetaSum.n).toFixed(2)).join(' ');
  return { results, evaluated, flaggedTotal, theta: { base: meanTheta(thetaSum.base), blend: meanTheta(thetaSum.blend) } };
}

/** The re-ranker's feature vector for one candidate. */
function features(
  profile: Profile,
  m: ItemMeta,
  base: number,
  popularity: number,
  social: SocialContext,
  id: string,
  now: number,
): RerankFeatures {
  const rel = (list: Profile['categories'], key: string | undefined) => {
    const top = list[0]?.share ?? 0;
    const a = list.find((x) => x.key === key);
    return top > 0 && a ? a.share / top : 0;
  };
  const ri = m.category === undefined ? -1 : profile.recent.categories.indexOf(m.category);
  return {
    modelScore: base,
    categoryAffinity: rel(profile.categories, m.category),
    priceAffinity: m.price === undefined ? 0 : rel(profile.priceBands, priceBandOf(m.price)),
    recency: ri < 0 ? 0 : 1 - ri / Math.max(1, profile.recent.categories.length),
    popularity,
    socialProof: socialProof(socialSignal(social, id, now)),
  };
}

const catalog = makeCatalog(DEMO_CATALOG);
const pct = (c: number, n: number) => (n ? (100 * c) / n : 0);
console.log(
  `rerank-ctr: ${SHOPPERS} simulated shoppers, demo catalog (${catalog.length} items), ${ROUNDS} lists of ${SHOWN} per evaluated shopper, candidates ${CANDIDATES}, seeds ${SEEDS.join(',')}`,
);
const perSeed: Record<Arm, number[]> = { base: [], 'base+rerank': [], blend: [], 'blend+rerank': [] };
const t0 = performance.now();
for (const seed of SEEDS) {
  const { results, evaluated, flaggedTotal, theta } = runSeed(seed, catalog);
  console.log(
    `\nseed ${seed}: ${evaluated} shoppers evaluated; abnormal filter flagged ${flaggedTotal.flagged} of ${flaggedTotal.events} history events`,
  );
  console.log('  arm            shown   clicks  CTR%    first-third CTR%  last-third CTR%');
  for (const arm of ARMS) {
    const r = results[arm];
    perSeed[arm].push(pct(r.clicks, r.shown));
    console.log(
      `  ${arm.padEnd(14)} ${String(r.shown).padStart(6)} ${String(r.clicks).padStart(7)}  ${pct(r.clicks, r.shown).toFixed(3).padStart(6)}  ${pct(r.early[1], r.early[0]).toFixed(3).padStart(16)}  ${pct(r.late[1], r.late[0]).toFixed(3).padStart(15)}`,
    );
  }
  console.log('  mean final θ [bias, modelScore, categoryAff, priceAff, recency, popularity, social, position]');
  console.log(`    base+rerank:  ${theta.base}\n    blend+rerank: ${theta.blend}`);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\nmean over seeds (top-10 CTR %):`);
for (const arm of ARMS) console.log(`  ${arm.padEnd(14)} ${mean(perSeed[arm]).toFixed(3)}`);
const lift = (a: Arm, b: Arm) => perSeed[b].map((x, i) => (100 * (x - perSeed[a][i]!)) / perSeed[a][i]!);
console.log(
  `relative lift of base+rerank over base:   ${lift('base', 'base+rerank')
    .map((x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`)
    .join(', ')} (per seed)`,
);
console.log(
  `relative lift of blend+rerank over blend: ${lift('blend', 'blend+rerank')
    .map((x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`)
    .join(', ')} (per seed)`,
);
console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
