/**
 * Social candidates (issue 15, item 4 "social signals used"): does letting friends' items ENTER the
 * list help? A measurement with the shopper simulator, not a test; figures go to
 * benchmarks/results/social-<date>[-<tag>].json.
 *
 *   pnpm exec tsx --conditions=@localrec/source benchmarks/social.ts [--seeds 1,2,3,4,5] [--shoppers 1500] \
 *     [--max 5] [--entry 0.8] [--tag name]
 *
 * Method (one run, every arm on the same shoppers, the same histories and the same click model):
 * - World: the demo catalog (`makeCatalog(DEMO_CATALOG)`, 300 products), `--shoppers` simulated
 *   shoppers over 45 days with the simulator's friend graph (`simulateShoppers`); day 30 is "now".
 * - Model: the committed `models/demo-shop` bundle (trained on seed 7's log; the catalog is the same):
 *   the shopper's sequence (core's `recentSequence` over their events before now) through the
 *   bundle's host encoder, scored against every item — the runtime's float path, in Node.
 * - What the device would have, exactly as the SDK records it: the shopper's own events; for each
 *   share a friend sent them before now, a `share { direction: 'in', friendId }` event at the
 *   share's time (an opened share is also the simulator's inbound `view`, so it is "seen"); and, as
 *   the host's `setSocialContext`, the ids of friends who `like`d an item in the last 14 days.
 * - The list: like `recommend({ k: 10 })` with insights on — seen (unless an unopened share, in the
 *   social arm) and purchased items excluded, a pool of the model's best 30, the documented blend
 *   (`blendRanking`: 0.7 model + 0.15 profile affinity + 0.15 social proof; the profile from the
 *   shopper's own events), the top 10. Arms:
 *     model              — the model's top 10 (no blend);
 *     blend              — the blend with the merged social context, re-ordering only (before issue 15 item 4);
 *     blend+candidates   — the same, and at most `--max` social candidates enter the pool
 *                          (`socialCandidates`, model term `--entry` × social proof), unopened shares not "seen".
 * - Metric: expected top-10 click-through from the simulator's ground truth,
 *   Σ `clickModel.listClickProbabilities(shopper, top10, { lastItem })` / 10 (position bias ×
 *   P(click)), per shopper, averaged; per seed, then the median and the range over seeds. Also over the
 *   shoppers with any social signal, and how many social items made the top 10.
 * Follows: the simulator has no follow events, so `followWeight` is not exercised here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { recentSequence, type ItemMeta, type ScoredItem, type StoredEvent } from '@localrec/core';
import { HostEncoder } from '@localrec/model';
import { loadBundleDir } from '@localrec/trainer';
import { DEMO_CATALOG, makeCatalog, simulateShoppers, type SimEvent } from '../packages/simulator/src/index.js';
import {
  ProfileAccumulator,
  blendRanking,
  createSocialContext,
  mergeSocial,
  recordedSocial,
  socialCandidates,
  unopenedShares,
} from '../packages/insights/src/index.js';

const repo = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const SEEDS = arg('seeds', '1,2,3,4,5').split(',').map(Number);
const SHOPPERS = Number(arg('shoppers', '1500'));
const MAX = Number(arg('max', '5'));
const ENTRY = Number(arg('entry', '0.8'));
const TAG = arg('tag', '');
const K = 10;
const POOL = Math.max(3 * K, 30);
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const NOW = START + 30 * DAY;
const LIKE_WINDOW = 14 * DAY;

const ARMS = ['model', 'blend', 'blend+candidates'] as const;
type Arm = (typeof ARMS)[number];

const bundle = await loadBundleDir(join(repo, 'models/demo-shop'));
const arch = bundle.manifest.architecture;
const enc = new HostEncoder(arch, bundle.weights);
const itemEmb = bundle.weights.get('item_emb')!;
const rowOf = new Map(bundle.vocab.map((id, i) => [id, i + 1]));
const catalog = makeCatalog(DEMO_CATALOG);
const meta: Record<string, ItemMeta> = Object.fromEntries(
  catalog.map((c) => [c.id, { name: c.name, category: c.category, brand: c.brand, price: c.price, inStock: c.inStock }]),
);
const ids = catalog.map((c) => c.id).filter((id) => rowOf.has(id));

function modelScores(rows: number[]): Map<string, number> {
  const u = enc.encode(Int32Array.from(rows.slice(-arch.maxLen)));
  const d = arch.dim;
  const out = new Map<string, number>();
  for (const id of ids) {
    const r = rowOf.get(id)!;
    let s = 0;
    for (let j = 0; j < d; j++) s += u[j]! * itemEmb[r * d + j]!;
    out.set(id, s);
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function runSeed(seed: number) {
  const sim = simulateShoppers({ seed, catalog, shoppers: SHOPPERS, days: 45, start: START });
  const before = sim.events.filter((e) => e.ts < NOW);
  const byUser = new Map<string, SimEvent[]>();
  for (const e of before) (byUser.get(e.user) ?? byUser.set(e.user, []).get(e.user)!).push(e);
  // Shares friends sent to each shopper, and friends' recent likes.
  const inboundTo = new Map<string, SimEvent[]>();
  const likesOf = new Map<string, Set<string>>(); // friend → items liked in the window
  for (const e of before) {
    if (e.type === 'share' && e.data?.direction === 'out' && e.data.friendId)
      (inboundTo.get(e.data.friendId) ?? inboundTo.set(e.data.friendId, []).get(e.data.friendId)!).push(e);
    if (e.type === 'like' && e.item && e.ts >= NOW - LIKE_WINDOW)
      (likesOf.get(e.user) ?? likesOf.set(e.user, new Set()).get(e.user)!).add(e.item);
  }
  const sum = Object.fromEntries(ARMS.map((a) => [a, 0])) as Record<Arm, number>;
  const sumSocial = Object.fromEntries(ARMS.map((a) => [a, 0])) as Record<Arm, number>;
  let evaluated = 0;
  let withSignal = 0;
  let entered = 0;
  let listsWithEntry = 0;
  let pEntered = 0;
  let pBlendItems = 0;
  let nBlendItems = 0;
  for (const shopper of sim.shoppers) {
    const evs = byUser.get(shopper.id) ?? [];
    if (evs.filter((e) => e.item !== undefined).length < 3) continue;
    let seq = 0;
    const stored: StoredEvent[] = evs.map((e) => {
      const s: StoredEvent = { seq: ++seq, uid: `${e.user}:${seq}`, type: e.type, ts: e.ts, sessionId: e.sessionId, data: {} };
      if (e.item !== undefined) s.itemId = e.item;
      if (e.data?.dwellMs !== undefined) s.data.dwellMs = e.data.dwellMs;
      if (e.data?.quantity !== undefined) s.data.quantity = e.data.quantity;
      if (e.data?.price !== undefined) s.data.price = e.data.price;
      if (e.type === 'share') s.data.direction = 'out';
      if (e.data?.rating !== undefined) s.data.rating = e.data.rating;
      return s;
    });
    for (const sh of inboundTo.get(shopper.id) ?? [])
      stored.push({
        seq: ++seq,
        uid: `${shopper.id}:in${seq}`,
        type: 'share',
        ts: sh.ts,
        sessionId: 'inbound',
        itemId: sh.item!,
        data: { direction: 'in', friendId: sh.user },
      });
    stored.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    const entries = recentSequence(stored, { maxLen: arch.maxLen });
    const rows = entries.map((e) => rowOf.get(e.itemId) ?? 0).filter((r) => r > 0);
    if (!rows.length) continue;
    evaluated++;
    const scores = modelScores(rows);
    const purchased = new Set(stored.filter((e) => e.type === 'purchase').map((e) => e.itemId!));
    const acc = new ProfileAccumulator({ halfLifeDays: 14, utcOffsetMinutes: 0 });
    acc.add(stored);
    const profile = acc.profile(meta, NOW);
    const liked: Record<string, { likedBy: string[] }> = {};
    for (const f of shopper.friends) for (const item of likesOf.get(f) ?? []) (liked[item] ??= { likedBy: [] }).likedBy.push(f);
    const host = Object.keys(liked).length ? createSocialContext({ items: liked, ttlMs: DAY }, NOW) : undefined;
    const rec = recordedSocial(stored);
    const social = mergeSocial(host, rec, NOW, { entryWeight: ENTRY });
    const unopened = unopenedShares(entries, rec);
    const seen = new Set(entries.map((e) => e.itemId));
    const poolOf = (blocked: (id: string) => boolean): ScoredItem[] =>
      ids
        .filter((id) => !blocked(id))
        .sort((a, b) => scores.get(b)! - scores.get(a)! || (a < b ? -1 : 1))
        .slice(0, POOL)
        .map((id) => ({ itemId: id, score: scores.get(id)!, source: 'model', reason: { kind: 'history', text: '' } }));
    const base = poolOf((id) => seen.has(id) || purchased.has(id));
    const opts = { profile, catalog: meta, now: NOW, entryWeight: ENTRY, ...(social ? { social } : {}) };
    const eligible = (id: string) => !purchased.has(id) && (!seen.has(id) || unopened.has(id));
    const open = poolOf((id) => !eligible(id)).map((it): ScoredItem => (unopened.has(it.itemId) ? { ...it, source: 'social' } : it));
    const entering = socialCandidates({ social, pool: open, now: NOW, eligible, known: (id) => rowOf.has(id), max: Math.min(MAX, K) });
    const lists: Record<Arm, ScoredItem[]> = {
      model: base.slice(0, K),
      blend: blendRanking(base, opts).slice(0, K),
      'blend+candidates': blendRanking([...open, ...entering], opts).slice(0, K),
    };
    const last = [...evs].reverse().find((e) => e.item !== undefined)!.item!;
    const signal = !!social && social.items.size > 0;
    if (signal) withSignal++;
    const socialInTop = lists['blend+candidates'].filter((i) => i.source === 'social');
    const inTop = socialInTop.length;
    entered += inTop;
    if (inTop) listsWithEntry++;
    // P(click | looked at) of the social items that made the top 10, against the blend list's items.
    for (const it of socialInTop) pEntered += sim.clickModel.clickProbability(shopper, it.itemId, { lastItem: last });
    if (inTop)
      for (const it of lists.blend) {
        pBlendItems += sim.clickModel.clickProbability(shopper, it.itemId, { lastItem: last });
        nBlendItems++;
      }
    for (const arm of ARMS) {
      const p = sim.clickModel.listClickProbabilities(
        shopper,
        lists[arm].map((i) => i.itemId),
        { lastItem: last },
      );
      const ctr = p.reduce((a, b) => a + b, 0) / K;
      sum[arm] += ctr;
      if (signal) sumSocial[arm] += ctr;
    }
  }
  const pct = (x: number, n: number) => (100 * x) / n;
  return {
    seed,
    evaluated,
    withSignal,
    listsWithSocialEntry: listsWithEntry,
    socialItemsInTop10: entered,
    /** Mean P(click | looked at), %: the social items that entered, and the blend list's items of the same shoppers. */
    clickProbabilityEntered: pct(pEntered, entered),
    clickProbabilityBlendItems: pct(pBlendItems, nBlendItems),
    ctr: Object.fromEntries(ARMS.map((a) => [a, pct(sum[a], evaluated)])) as Record<Arm, number>,
    ctrWithSignal: Object.fromEntries(ARMS.map((a) => [a, pct(sumSocial[a], withSignal)])) as Record<Arm, number>,
  };
}

const t0 = Date.now();
const perSeed = SEEDS.map((s) => {
  const r = runSeed(s);
  console.log(
    `seed ${s}: ${r.evaluated} shoppers (${r.withSignal} with a social signal), CTR@10 % ` +
      ARMS.map((a) => `${a} ${r.ctr[a].toFixed(3)}`).join(', ') +
      ` | with signal: ` +
      ARMS.map((a) => `${a} ${r.ctrWithSignal[a].toFixed(3)}`).join(', ') +
      ` | ${r.socialItemsInTop10} social items entered ${r.listsWithSocialEntry} top-10 lists` +
      ` (P(click) ${r.clickProbabilityEntered.toFixed(2)} % vs ${r.clickProbabilityBlendItems.toFixed(2)} % for the blend's items)`,
  );
  return r;
});
const summary = (key: 'ctr' | 'ctrWithSignal') =>
  Object.fromEntries(
    ARMS.map((a) => {
      const xs = perSeed.map((r) => r[key][a]);
      return [a, { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }];
    }),
  );
const lift = (key: 'ctr' | 'ctrWithSignal') => {
  const xs = perSeed.map((r) => (r[key]['blend+candidates'] / r[key].blend - 1) * 100);
  return { medianPct: median(xs), minPct: Math.min(...xs), maxPct: Math.max(...xs) };
};
const out = {
  benchmark: 'social candidates (benchmarks/social.ts)',
  date: new Date().toISOString(),
  settings: {
    seeds: SEEDS,
    shoppers: SHOPPERS,
    k: K,
    pool: POOL,
    maxCandidates: MAX,
    entryWeight: ENTRY,
    likeWindowDays: 14,
    now: 'day 30 of 45',
  },
  perSeed,
  summary: { ctr: summary('ctr'), ctrWithSignal: summary('ctrWithSignal') },
  liftOverBlend: { all: lift('ctr'), withSignal: lift('ctrWithSignal') },
  seconds: (Date.now() - t0) / 1000,
};
console.log(JSON.stringify({ summary: out.summary, liftOverBlend: out.liftOverBlend }, null, 1));
const dir = join(repo, 'benchmarks/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `social-${out.date.slice(0, 10)}${TAG ? `-${TAG}` : ''}.json`);
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${file}`);
