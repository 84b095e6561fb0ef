#!/usr/bin/env node
// The two trainers in one run: the TypeScript trainer (`localrec train`, tfjs wasm, one thread) and
// the reference PyTorch trainer (trainers/pytorch, DDP over `--procs` gloo processes), the same
// architecture, loss (sampled softmax over shared negatives) and number of epochs on the same data,
// in alternating order (A B, B A, …). Reports per-epoch training seconds (medians), epochs/s, wall
// time of the whole command (data, training, full-ranking eval of the export, writing) and the
// exported bundles' full-ranking test metrics, and their ratios. A benchmark, not a test.
//
//   node benchmarks/trainers.mjs [--data ../shared/data/games.txt] [--epochs 2] [--rounds 1] [--procs 2]
//                                [--dim 50] [--max-len 50] [--batch-size 128] [--negatives 256]
//                                [--out benchmarks/results/trainers-<date>.json]
//
// Needs PyTorch (/usr/bin/python3 with torch, or LOCALREC_PYTHON) and the data file; without either
// it says so and exits 0 without measuring.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const { values: a } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(repo, '../shared/data/games.txt') },
    epochs: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
    procs: { type: 'string', default: '2' },
    dim: { type: 'string', default: '50' },
    'max-len': { type: 'string', default: '50' },
    'batch-size': { type: 'string', default: '128' },
    negatives: { type: 'string', default: '256' },
    out: { type: 'string' },
  },
});

const python = process.env.LOCALREC_PYTHON ?? '/usr/bin/python3';
if (!existsSync(a.data)) {
  console.log(`trainers benchmark: SKIPPED — no data at ${a.data} (pass --data FILE)`);
  process.exit(0);
}
if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) {
  console.log(`trainers benchmark: SKIPPED — ${python} cannot import torch (apt-get install python3-torch, or set LOCALREC_PYTHON)`);
  process.exit(0);
}

const common = [
  '--epochs',
  a.epochs,
  '--dim',
  a.dim,
  '--max-len',
  a['max-len'],
  '--blocks',
  '2',
  '--heads',
  '1',
  '--batch-size',
  a['batch-size'],
];
const common2 = ['--negatives', a.negatives, '--eval-every', '100000', '--segments', '0', '--seed', '1'];
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

function runTs(dir) {
  const out = join(dir, 'ts');
  const t0 = performance.now();
  const r = spawnSync(
    join(repo, 'node_modules/.bin/tsx'),
    ['--conditions=@localrec/source', join(repo, 'packages/trainer/src/run.ts'), 'train', '--data', a.data, '--out', out,
      ...common, ...common2, '--loss', 'softmax', '--patience', '100000'], // prettier-ignore
    { cwd: repo, encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`TypeScript trainer failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const log = JSON.parse(readFileSync(join(out, 'training-log.json'), 'utf8'));
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).metrics ?? {};
  return { wall, epochSeconds: log.map((e) => e.seconds), full: m['sasrec-int8/full'] ?? m['sasrec-fp32/full'] };
}

function runTorch(dir) {
  const out = join(dir, 'torch');
  const t0 = performance.now();
  const r = spawnSync(
    python,
    // --batch-size is per process there: the same effective batch (and optimiser steps per epoch) as the TypeScript run.
    ['-m', 'localrec_torch', 'train', '--data', a.data, '--out', out, ...common, ...common2, '--loss', 'sampled', '--procs', a.procs,
      '--batch-size', String(Math.max(1, Math.round(Number(a['batch-size']) / Number(a.procs)))), '--patience', '100000'], // prettier-ignore
    { cwd: join(repo, 'trainers/pytorch'), encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, OMP_NUM_THREADS: '1' } },
  );
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`PyTorch trainer failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop());
  return { wall, epochSeconds: res.history.map((e) => e.seconds), full: res.metrics['sasrec-int8/full'] };
}

const runs = { typescript: [], pytorch: [] };
for (let round = 0; round < Number(a.rounds); round++) {
  const order = round % 2 ? ['pytorch', 'typescript'] : ['typescript', 'pytorch'];
  for (const who of order) {
    const dir = mkdtempSync(join(tmpdir(), 'localrec-bench-train-'));
    try {
      const load = loadavg()[0];
      const r = who === 'typescript' ? runTs(dir) : runTorch(dir);
      runs[who].push({ ...r, loadBefore: load });
      console.log(
        `${who}: ${r.epochSeconds.map((s) => s.toFixed(1)).join(', ')} s/epoch; wall ${r.wall.toFixed(0)} s (load ${load.toFixed(1)})`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const summary = Object.fromEntries(
  Object.entries(runs).map(([who, rs]) => {
    const epoch = median(rs.flatMap((r) => r.epochSeconds));
    const last = rs.at(-1).full ?? {};
    return [
      who,
      {
        medianEpochSeconds: epoch,
        epochsPerSecond: 1 / epoch,
        medianWallSeconds: median(rs.map((r) => r.wall)),
        fullNdcg10: last['NDCG@10'],
        fullHr10: last['HR@10'],
      },
    ];
  }),
);
const result = {
  date: new Date().toISOString(),
  data: a.data,
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  settings: { epochs: Number(a.epochs), rounds: Number(a.rounds), procs: Number(a.procs), dim: Number(a.dim), maxLen: Number(a['max-len']),
    batchSize: Number(a['batch-size']), negatives: Number(a.negatives), loss: 'sampled softmax (shared negatives)' }, // prettier-ignore
  summary,
  ratio: { epochSecondsTsOverTorch: summary.typescript.medianEpochSeconds / summary.pytorch.medianEpochSeconds },
  runs,
};
const out = a.out ?? join(repo, `benchmarks/results/trainers-${result.date.slice(0, 10)}.json`);
writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
console.log(JSON.stringify({ summary, ratio: result.ratio, out }));
