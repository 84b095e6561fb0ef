/**
 * Freshness across tabs: another tab of the same shop writes to the same store without this
 * page knowing. The runtime's per-call check (event count + the events at or after the newest
 * one seen) must catch appends, back-dated events, deletions by the retention cap and erases, so
 * an answer never comes from a stale history.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore, type RecommendResult } from '@localrec/core';
import type { SasrecScorer } from '@localrec/model';
import { loadBundleDir } from '@localrec/trainer';
import type { Runtime, CallTimings } from '../src/runtime.js';
import { ITEMS, ev, idOf, makeTinyBundle, tinyRuntime, type TinyBundle, bundleScorer } from './fixture.js';

let tiny: TinyBundle;
let ref: SasrecScorer;
let rt: Runtime;
const store = new MemoryEventStore();

beforeAll(async () => {
  tiny = await makeTinyBundle();
  const b = await loadBundleDir(tiny.dir);
  ref = bundleScorer(b);
  rt = await tinyRuntime(tiny, store);
}, 120_000);
afterAll(async () => {
  await rt?.dispose();
  ref?.dispose();
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

const ids = (r: RecommendResult) => r.items.map((i) => i.itemId);

/** The trainer-side top-k for a sequence of rows, history (and `masked`) left out. */
async function expected(seq: number[], k: number, masked: number[] = []): Promise<string[]> {
  const [s] = await ref.scores([Int32Array.from(seq)]);
  return Array.from({ length: ITEMS }, (_, i) => i + 1)
    .filter((x) => !seq.includes(x) && !masked.includes(x))
    .sort((a, b) => s![b]! - s![a]! || a - b)
    .slice(0, k)
    .map(idOf);
}

describe('every answer reflects what other tabs wrote', () => {
  it('appends, back-dated events, cap deletions and erases are all seen by the very next call', async () => {
    await store.destroy();
    await store.append([20, 21, 22].map((r, i) => ev('view', idOf(r), 1000 + i)));
    const a = await rt.recommend({ k: 5 });
    expect(ids(a)).toEqual(await expected([20, 21, 22], 5));
    expect(ids(await rt.recommend({ k: 5 }))).toEqual(ids(a)); // unchanged store: same answer

    // Appended by another tab (newer): the sequence is extended.
    await store.append([ev('view', idOf(90), 2000)]);
    expect(ids(await rt.recommend({ k: 5 }))).toEqual(await expected([20, 21, 22, 90], 5));

    // A back-dated event (older than the newest): a full read puts it in its place.
    await store.append([ev('view', idOf(60), 1500)]);
    expect(ids(await rt.recommend({ k: 5 }))).toEqual(await expected([20, 21, 22, 60, 90], 5));

    // A purchase long ago, then the retention cap of another tab deletes it: no longer masked.
    await store.append([ev('purchase', idOf(77), 10)]);
    const masked = await rt.recommend({ k: ITEMS - 6 }); // every eligible item: 150 − 5 viewed − 1 bought
    expect(masked.items).toHaveLength(ITEMS - 6);
    expect(ids(masked)).not.toContain(idOf(77));
    await store.prune({ retentionMs: Infinity, maxEvents: 5, now: 3000 }); // the 5 newest stay: 21, 22, 60, 90 + 20
    const after = await rt.recommend({ k: ITEMS - 5 });
    expect(ids(after)).toContain(idOf(77));

    // Another tab erases everything.
    await store.destroy();
    expect(await rt.recommend({ k: 5 })).toMatchObject({ source: 'fallback', fallbackReason: 'no-history' });
  });

  it('rank() and similar() see a purchase recorded by another tab on their very next call', async () => {
    await store.destroy();
    await store.append([40, 41].map((r, i) => ev('view', idOf(r), 1000 + i)));
    const cands = [50, 51, 52, 53].map(idOf);
    expect(ids(await rt.rank(cands, { excludePurchased: true })).sort()).toEqual([...cands].sort());
    const bought = ids(await rt.similar(idOf(60), { k: 5 }))[0]!;
    await store.append([ev('purchase', idOf(51), 5000), ev('purchase', bought, 5001)]);
    expect(ids(await rt.rank(cands, { excludePurchased: true }))).not.toContain(idOf(51));
    expect(ids(await rt.similar(idOf(60), { k: 5 }))).not.toContain(bought);
  });

  it('reuses the scores of the very same model input (same answer as scoring), never across a changed input', async () => {
    const reused = async () => ((await rt.status()).lastTimings as CallTimings).reused;
    await store.destroy();
    await store.append([10, 11, 12].map((r, i) => ev('view', idOf(r), 1000 + i)));
    const a = await rt.recommend({ k: 5 });
    expect(await reused()).toBe(false);
    const b = await rt.recommend({ k: 5 });
    expect(await reused()).toBe(true);
    expect(b.items).toEqual(a.items);
    expect(ids(b)).toEqual(await expected([10, 11, 12], 5));
    // Fewer rows needed over the same input: reused, and the same ranking.
    expect(ids(await rt.recommend({ k: 3 }))).toEqual(ids(a).slice(0, 3));
    expect(await reused()).toBe(true);
    // More masked rows (an exclusion): more rows needed, scored again, still right.
    const ex = await rt.recommend({ k: 5, exclude: [ids(a)[0]!] });
    expect(ids(ex)).toEqual((await expected([10, 11, 12], 6)).slice(1));
    // More rows than kept: scored again.
    const all = await rt.recommend({ k: ITEMS - 3 });
    expect(await reused()).toBe(false);
    expect(all.items).toHaveLength(ITEMS - 3);
    // A new event changes the input: scored again, never the old answer.
    await store.append([ev('view', idOf(13), 2000)]);
    expect(ids(await rt.recommend({ k: 5 }))).toEqual(await expected([10, 11, 12, 13], 5));
    expect(await reused()).toBe(false);
  });

  it('after an answer the encoder is prepared for one more item: the next action is encoded incrementally, with the same answer', async () => {
    const timings = async () => (await rt.status()).lastTimings as CallTimings;
    const idle = () => new Promise((r) => setTimeout(r, 20));
    await store.destroy();
    const seq = [30, 31, 32];
    await store.append(seq.map((r, i) => ev('view', idOf(r), 1000 + i)));
    await rt.recommend({ k: 5 });
    expect((await timings()).encoder).toBe('full');
    for (const [i, r] of [40, 41, 42, 43].entries()) {
      await idle(); // the shopper acts a moment later
      await store.append([ev('click', idOf(r), 2000 + i)]);
      seq.push(r);
      const got = await rt.recommend({ k: 5 });
      expect((await timings()).encoder).toBe('incremental');
      expect(ids(got)).toEqual(await expected(seq, 5));
    }
    // Another tab's back-dated event: not "one more item", encoded in full, still right.
    await idle();
    await store.append([ev('view', idOf(50), 1500)]);
    const back = await rt.recommend({ k: 5 });
    expect((await timings()).encoder).toBe('full');
    expect(ids(back)).toEqual(await expected([30, 31, 32, 50, 40, 41, 42, 43], 5));
    // Back to back, with no idle time between: whichever path, the answer is right.
    await store.append([ev('view', idOf(60), 3000)]);
    const quick = await rt.recommend({ k: 5 });
    await store.append([ev('view', idOf(61), 3001)]);
    const quicker = await rt.recommend({ k: 5 });
    expect(ids(quick)).toEqual(await expected([30, 31, 32, 50, 40, 41, 42, 43, 60], 5));
    expect(ids(quicker)).toEqual(await expected([30, 31, 32, 50, 40, 41, 42, 43, 60, 61], 5));
  });
});
