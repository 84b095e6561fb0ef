/**
 * Single-history scoring micro-benchmark in Node on the tfjs wasm backend (not a test; figures go
 * to benchmarks/results/NOTES-*.md). It splits what `deviceTopK` (packages/runtime/src/backends.ts)
 * costs per `recommend()` call that scores a new history:
 *
 *   pnpm exec tsx --conditions=@localrec/source benchmarks/scorer.ts [models/games-sasrec] \
 *     [--iters 1000] [--warmup 100] [--need 61] [--only a,b,c]
 *
 * One sequence of 50 real item rows (a fixed pseudo-random draw from the model's rows), need = 61
 * rows (k = 10 + 50 masked history items + 1 for row 0, as the runtime asks for a 50-item history).
 * Variants, run interleaved in one loop (each iteration runs every variant once, in a rotating
 * order), medians and p90 in milliseconds:
 *   a  tfjs path: `topk(scorer.scoreTensor([seq]), need)` + `data()` of values and indices
 *      (what deviceTopK did before the host encoder: `encodeLast` in tfjs + matMul + topk)
 *   b  tfjs encoder only: `scorer.userVectors([seq])` + `dataSync()`
 *   c  tfjs scoring only: upload a ready user vector `[1, d]`, `matMul(u, itemEmbT)`, `topk`, `data()`
 *   d  host encoder only: `HostEncoder.encode(seq)` (plain Float64 arithmetic, no tfjs)
 *   e  d + c (host encoder, tfjs matMul + topk): the candidate single-history path
 *   f  d + plain-JS scoring over the host item table (23k dot products) + a size-`need` min-heap
 *   h  d + tfjs matMul, all 23,716 scores read back (`dataSync`), the same JS min-heap selection
 *   g  `scorer.topK(seq, need)` without a blend: the model alone (should equal e)
 *   i  `scorer.topK(seq, need)` with the bundle's blend with co-occurrence (`manifest.blend`, when
 *      it has one): what deviceTopK calls now — g plus the votes and the voted rows' dot products
 * The machine has 2 cores shared with other jobs: compare figures from the same run only.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { percentile } from '@localrec/core';
import { HostEncoder, SasrecScorer } from '@localrec/model';
import { loadBundleDir, useBackend } from '@localrec/trainer';

const repo = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--')));
const DIR = resolve(positional[0] ?? join(repo, 'models/games-sasrec'));
const ITERS = Number(arg('iters', '1000'));
const WARMUP = Number(arg('warmup', '100'));
const NEED = Number(arg('need', '61'));
const ONLY = arg('only', 'a,b,c,d,e,f,g,h,i').split(',');

function join(...p: string[]): string {
  return p.join('/');
}

// The same tfjs-core instance the model package uses (the benchmarks package has no tfjs dependency).
const tfPath = createRequire(join(repo, 'packages/model/package.json')).resolve('@tensorflow/tfjs-core');
const tf = (await import(pathToFileURL(tfPath).href)) as typeof import('../packages/model/node_modules/@tensorflow/tfjs-core');

/**
 * The `need` best rows 1..N by a size-`need` min-heap (unordered); scores from `score(r)`: plain
 * JS dot products over the host item table, or a read-back score row.
 */
function heapTopK(rows: number, score: (r: number) => number, need: number, hv: Float32Array, hi: Int32Array): number {
  let size = 0;
  for (let r = 1; r < rows; r++) {
    const s = score(r);
    if (size < need) {
      // sift up
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (hv[p]! <= s) break;
        hv[i] = hv[p]!;
        hi[i] = hi[p]!;
        i = p;
      }
      hv[i] = s;
      hi[i] = r;
    } else if (s > hv[0]!) {
      // replace the root, sift down
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const c = l + 1 < size && hv[l + 1]! < hv[l]! ? l + 1 : l;
        if (hv[c]! >= s) break;
        hv[i] = hv[c]!;
        hi[i] = hi[c]!;
        i = c;
      }
      hv[i] = s;
      hi[i] = r;
    }
  }
  return size;
}

async function main(): Promise<void> {
  const backend = await useBackend('wasm');
  const b = await loadBundleDir(DIR);
  const arch = b.manifest.architecture;
  const scorer = new SasrecScorer(arch, b.manifest.itemCount, b.weights);
  const spec = b.manifest.blend;
  const blended = spec ? new SasrecScorer(arch, b.manifest.itemCount, b.weights, { blend: { spec, table: b.cold } }) : undefined;
  const enc = new HostEncoder(arch, b.weights);
  const item = b.weights.get('item_emb')!;
  const rows = b.manifest.itemCount + 1;
  const d = arch.dim;
  let seed = 20261123;
  const seq = Int32Array.from(
    { length: arch.maxLen },
    () => 1 + ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % b.manifest.itemCount),
  );
  const u0 = scorer.userVectors([seq]);
  const uReady = u0.dataSync() as Float32Array;
  u0.dispose();
  const hv = new Float32Array(NEED),
    hi = new Int32Array(NEED);
  const tfScore = async (u: Float32Array) => {
    const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(tf.tensor2d(u, [1, d]), scorer.itemEmbT), NEED, true));
    try {
      await Promise.all([values.data(), indices.data()]);
    } finally {
      values.dispose();
      indices.dispose();
    }
  };
  const variants: Record<string, () => Promise<void> | void> = {
    a: async () => {
      const { values, indices } = tf.tidy(() => tf.topk(scorer.scoreTensor([seq]), NEED, true));
      try {
        await Promise.all([values.data(), indices.data()]);
      } finally {
        values.dispose();
        indices.dispose();
      }
    },
    b: () => {
      const u = scorer.userVectors([seq]);
      u.dataSync();
      u.dispose();
    },
    c: () => tfScore(uReady),
    d: () => {
      enc.encode(seq);
    },
    e: () => tfScore(enc.encode(seq)),
    f: () => {
      const u = enc.encode(seq);
      heapTopK(
        rows,
        (r) => {
          let s = 0;
          const o = r * d;
          for (let j = 0; j < d; j++) s += u[j]! * item[o + j]!;
          return s;
        },
        NEED,
        hv,
        hi,
      );
    },
    h: () => {
      const t = tf.tidy(() => tf.matMul(tf.tensor2d(enc.encode(seq), [1, d]), scorer.itemEmbT));
      const all = t.dataSync() as Float32Array;
      t.dispose();
      heapTopK(rows, (r) => all[r]!, NEED, hv, hi);
    },
    g: async () => {
      await (scorer as unknown as { topK(s: Int32Array, n: number): Promise<unknown> }).topK(seq, NEED);
    },
    ...(blended
      ? {
          i: async () => {
            await blended.topK(seq, NEED);
          },
        }
      : {}),
  };
  const names = ONLY.filter((n) => n in variants && (n !== 'g' || 'topK' in scorer));
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let it = 0; it < WARMUP + ITERS; it++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(it + j) % names.length]!;
      const t0 = performance.now();
      await variants[n]!();
      const dt = performance.now() - t0;
      if (it >= WARMUP) times[n]!.push(dt);
    }
  }
  const a = times.a ? percentile(times.a, 0.5) : NaN;
  console.log(
    `backend ${backend}, model ${b.manifest.name} ${b.manifest.version} (${b.manifest.itemCount} items, d=${d}, L=${arch.maxLen}, ${arch.blocks} blocks, ${arch.heads} head(s), ${arch.norm}-LN), sequence of ${seq.length}, need ${NEED}, ${ITERS} iterations after ${WARMUP} warm-up, interleaved; load ${(
      await import('node:os')
    )
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  for (const n of names) {
    const m = percentile(times[n]!, 0.5);
    console.log(
      `${n}  p50 ${m.toFixed(3)} ms  p90 ${percentile(times[n]!, 0.9).toFixed(3)} ms${Number.isNaN(a) ? '' : `  (${(m / a).toFixed(2)} × a)`}`,
    );
  }
  // Agreement of the host encoder with the tfjs one on this sequence (the unit tests pin it).
  const uh = enc.encode(seq);
  let diff = 0;
  for (let j = 0; j < d; j++) diff = Math.max(diff, Math.abs(uh[j]! - uReady[j]!));
  console.log(`host vs tfjs user vector: max abs diff ${diff.toExponential(2)}`);
  scorer.dispose();
  blended?.dispose();
}

await main();
