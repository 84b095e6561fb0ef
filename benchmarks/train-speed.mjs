// Training speed of `localrec train` on one data file: epochs/s and wall time to the early stop,
// for the previous default (BCE, one negative per position, sampled-100 validation every 5 epochs,
// 200 epochs, no full-ranking stop) and the current one (loss auto: full or logQ-sampled softmax
// computed outside the tfjs tape, full-ranking validation, early stop). Not a test; figures go to
// benchmarks/results/train-<date>[-<tag>].json. The machine's load (os.loadavg) is recorded beside
// every run: on a shared machine, read the timings with it.
//
//   node benchmarks/train-speed.mjs --data ../shared/data/games.txt [--before-epochs 3] [--after-epochs N] [--after-log FILE]
//     [--threads-epochs N] [--tag name]
//
// --before-epochs: epochs of the previous default actually run (its wall to 200 epochs is extrapolated
// from their mean; it has no early stop on full ranking). --after-epochs caps the current default
// (default: none, it runs to its early stop). --after-log reads the current default's figures from the
// log of a run already made with the default command (`pnpm localrec train --data … --out …`) instead
// of training again (a log whose lines carry a "<seconds> " prefix and an "END <seconds>" line also
// gives the whole command's wall time, evaluation included). --threads-epochs N: N epochs of the
// current default on 1 and on 2 threads (`--threads`), for the data-parallel speed-up per epoch.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    'before-epochs': { type: 'string', default: '3' },
    'after-epochs': { type: 'string' },
    'after-log': { type: 'string' },
    'threads-epochs': { type: 'string', default: '0' },
    tag: { type: 'string' },
  },
});
if (!values.data) {
  console.error(
    'usage: node benchmarks/train-speed.mjs --data FILE [--before-epochs 3] [--after-epochs N] [--after-log FILE] [--tag name]',
  );
  process.exit(2);
}
const data = resolve(values.data);

/** Figures of one `localrec train` log: per-epoch seconds, validations, the loss chosen, the total. */
function parseLog(raw) {
  // A log written with a per-line "<seconds since start> " prefix (and an "END <seconds>" line) also gives the whole command's wall time.
  const stamped = /^\d+ /.test(raw);
  const text = stamped ? raw.replace(/^\d+ /gm, '') : raw;
  const end = /^END (\d+)$/m.exec(text);
  const epochs = [...text.matchAll(/^epoch (\d+): loss ([\d.]+) \(([\d.]+) s\)(?:.*NDCG@10 ([\d.]+))?/gm)].map((m) => ({
    epoch: Number(m[1]),
    loss: Number(m[2]),
    seconds: Number(m[3]),
    ...(m[4] ? { validNdcg10: Number(m[4]) } : {}),
  }));
  const trained = /^trained in (\d+) s; best validation at epoch (\d+)/m.exec(text);
  const loss = /^loss: (.*)$/m.exec(text)?.[1];
  const metrics = [...text.matchAll(/^(sasrec-\w+|popular|cooccurrence|itemknn|bpr)[: ].*$/gm)].map((m) => m[0]);
  const secs = epochs.map((e) => e.seconds);
  const mean = secs.length ? secs.reduce((a, b) => a + b, 0) / secs.length : NaN;
  return {
    ...(end ? { commandWallSeconds: Number(end[1]) } : {}),
    loss,
    epochsRun: epochs.length,
    meanEpochSeconds: Number(mean.toFixed(2)),
    epochsPerSecond: Number((1 / mean).toFixed(4)),
    trainSeconds: trained ? Number(trained[1]) : undefined,
    bestEpoch: trained ? Number(trained[2]) : undefined,
    epochs,
    metrics,
  };
}

/** Runs `localrec train` until it reports the end of training (the bundle's evaluation is not timed). */
function run(args) {
  return new Promise((done, fail) => {
    const load = loadavg();
    const t0 = Date.now();
    const p = spawn('pnpm', ['-s', 'localrec', 'train', '--data', data, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let text = '';
    let finished = false;
    const finish = () => {
      finished = true;
      done({ args, wallSeconds: Math.round((Date.now() - t0) / 1000), loadavgStart: load, loadavgEnd: loadavg(), ...parseLog(text) });
      process.kill(-p.pid, 'SIGTERM'); // the run's own process group: pnpm, tsx and node
    };
    p.stdout.on('data', (b) => {
      text += b;
      process.stdout.write(b);
      if (!finished && /^trained in /m.test(text)) finish();
    });
    p.on('error', fail);
    p.on('close', (code) => {
      if (!finished) fail(new Error(`localrec train ${args.join(' ')} exited ${code} before training ended`));
    });
  });
}

const out = join(tmpdir(), `localrec-train-speed-${process.pid}`);
const beforeEpochs = Number(values['before-epochs']);
const before = await run([
  '--out',
  join(out, 'before'),
  '--loss',
  'bce',
  '--valid-protocol',
  'sampled100',
  '--eval-every',
  '5',
  '--patience',
  '5',
  '--epochs',
  String(beforeEpochs),
  '--segments',
  '0',
]);
before.extrapolatedWallTo200EpochsSeconds = Math.round(before.meanEpochSeconds * 200);
const after = values['after-log']
  ? { fromLog: resolve(values['after-log']), ...parseLog(readFileSync(values['after-log'], 'utf8')) }
  : await run(['--out', join(out, 'after'), ...(values['after-epochs'] ? ['--epochs', values['after-epochs']] : [])]);

// Data-parallel training: the same epochs on 1 and on 2 threads, in this run (per-epoch ratio).
const threadsEpochs = Number(values['threads-epochs']);
const threads = {};
if (threadsEpochs > 0)
  for (const t of [1, 2])
    threads[t] = await run([
      '--out',
      join(out, `threads-${t}`),
      '--threads',
      String(t),
      '--epochs',
      String(threadsEpochs),
      '--eval-every',
      '1000',
    ]);

const result = {
  when: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  data: values.data,
  note: 'before = the previous default (BCE, 1 negative, 200 epochs, sampled validation); after = the current default command. Timings under the load shown (loadavg 1/5/15 min).',
  before,
  after,
  speedupPerEpoch: Number((before.meanEpochSeconds / after.meanEpochSeconds).toFixed(3)),
  ...(threadsEpochs > 0
    ? { threads, dataParallelSpeedupPerEpoch: Number((threads[1].meanEpochSeconds / threads[2].meanEpochSeconds).toFixed(3)) }
    : {}),
};
const dir = join(here, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `train-${result.when.slice(0, 10)}${values.tag ? `-${values.tag}` : ''}.json`);
writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
console.log(`written ${file}`);
