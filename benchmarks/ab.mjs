// Paired A/B of recommend() on games-sasrec: two runtime builds measured in one session, in
// alternating order (A B B A A B …), so that a machine that drifts (load, thermal, other jobs)
// weighs on both sides alike. Not a test; figures go to benchmarks/results/ab-<date>[-<tag>].json.
//
//   node benchmarks/ab.mjs --a <runtime dist folder> --b <runtime dist folder> [--rounds 3] [--iters 100] [--tag name]
//
// Each run is `benchmarks/recommend.ts --sizes "" --backends wasm --dist <folder>`; per side it
// reports the median over runs of each run's p50: repeated calls, a fresh history every call, the
// time inside the worker, and the in-page naive reference (the same for both sides: it shows how
// much the machine itself moved). Ratios are B / A (below 1: B is faster).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    iters: { type: 'string', default: '100' },
    tag: { type: 'string' },
  },
});
if (!values.a || !values.b) {
  console.error('usage: node benchmarks/ab.mjs --a <runtime dist> --b <runtime dist> [--rounds 3] [--iters 100] [--tag name]');
  process.exit(2);
}
const sides = { A: resolve(values.a), B: resolve(values.b) };
for (const [k, dir] of Object.entries(sides)) {
  if (!existsSync(join(dir, 'worker.js'))) {
    console.error(`--${k.toLowerCase()} ${dir}: no worker.js there (a runtime dist folder is expected)`);
    process.exit(2);
  }
}
const rounds = Number(values.rounds);
const iters = Number(values.iters);
if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${values.rounds}`);
if (!Number.isInteger(iters) || iters < 10) throw new RangeError(`--iters must be an integer ≥ 10, got ${values.iters}`);

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : s[m - 1] / 2 + s[m] / 2;
};
const day = new Date().toISOString().slice(0, 10);
const metrics = {
  repeatedP50: (r) => r.wasm?.p50,
  freshHistoryP50: (r) => r.wasm?.freshHistory?.p50,
  inWorkerP50: (r) => r.wasm?.inWorkerP50,
  freshInWorkerP50: (r) => r.wasm?.freshHistory?.inWorkerMedians?.inWorkerP50,
  naiveP50: (r) => r.naive?.p50,
  warmLoadMs: (r) => r.warmLoadMs,
};
const runs = { A: [], B: [] };
const order = [];
for (let i = 0; i < rounds; i++) order.push(...(i % 2 ? ['B', 'A'] : ['A', 'B']));
for (const [n, side] of order.entries()) {
  const tag = `ab-tmp-${side}-${n}`;
  console.log(`run ${n + 1}/${order.length}: ${side} (${sides[side]})`);
  const res = spawnSync(
    'pnpm',
    [
      'exec',
      'tsx',
      '--conditions=@localrec/source',
      join(here, 'recommend.ts'),
      '--sizes',
      '',
      '--backends',
      'wasm',
      '--iters',
      String(iters),
      '--dist',
      sides[side],
      '--tag',
      tag,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], cwd: join(here, '..') },
  );
  if (res.status !== 0) throw new Error(`recommend.ts failed for ${side} (exit ${res.status})`);
  const file = join(here, 'results', `recommend-${day}-${tag}.json`);
  const row = JSON.parse(readFileSync(file, 'utf8')).results.find((r) => r.model === 'games-sasrec');
  rmSync(file);
  if (!row) throw new Error(`no games-sasrec row in ${file}`);
  runs[side].push(Object.fromEntries(Object.entries(metrics).map(([k, f]) => [k, f(row)])));
}
const summary = {};
for (const k of Object.keys(metrics)) {
  const a = median(runs.A.map((r) => r[k]).filter(Number.isFinite));
  const b = median(runs.B.map((r) => r[k]).filter(Number.isFinite));
  summary[k] = { A: a, B: b, ratioBoverA: Math.round((b / a) * 100) / 100 };
}
console.table(summary);
mkdirSync(join(here, 'results'), { recursive: true });
const out = join(here, 'results', `ab-${day}${values.tag ? `-${values.tag}` : ''}.json`);
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), a: sides.A, b: sides.B, rounds, iters, order, runs, summary }, null, 1)}\n`,
);
console.log(`wrote ${out}`);
