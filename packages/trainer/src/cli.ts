#!/usr/bin/env node
/**
 * `localrec` — the model pipeline's command line.
 *
 *   localrec train    --data FILE --out DIR [hyper-parameters]   data file in, bundle folder out
 *   localrec export   --checkpoint DIR --data FILE --out DIR      bundle from a training checkpoint
 *   localrec eval     --bundle DIR --data FILE [--protocol sampled100|full] [--json]
 *   localrec validate DIR                                         non-zero exit + problems if invalid
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { SasrecScorer } from '@localrec/model';
import { useBackend } from './backend.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { coocBaseline, popularityScores } from './cold-start.js';
import { loadDataset, splitLeaveOneOut, type LogRules } from './data/index.js';
import { evaluate, type Protocol } from './evaluate.js';
import { finishBundle } from './pipeline.js';
import { loadBundleDir, validateBundleDir } from './bundle-io.js';
import { DEFAULT_TRAIN_OPTIONS, architectureOf, train, type TrainOptions } from './train.js';
import type { Split } from './split.js';

const USAGE = `usage:
  localrec train    --data FILE --out DIR [--name N] [--epochs 200] [--seed 42] [--dim 50] [--max-len 50]
                    [--blocks 2] [--heads 1] [--ffn-dim D] [--dropout 0.5] [--norm pre|post] [--loss bce|gbce|softmax]
                    [--negatives 256] [--gbce-t 0.75] [--lr 0.001] [--batch-size 128] [--eval-every 5]
                    [--valid-users 10000] [--patience 5] [--loss-norm mean|batch] [--fp32] [--eval-seeds 1,2,3] [--catalog FILE]
                    [--checkpoint DIR] [--resume CHECKPOINT_DIR] [--backend wasm|cpu] [--cooc-neighbours 10] [--segments 16]
                    [--min-user 3] [--min-item 3]      (event logs only: minimum interactions per user / item)
  data FILE: .txt (SASRec "userId itemId" lines) | .csv (header: user,item,timestamp,type) | .jsonl (same fields)
  localrec export   --checkpoint DIR --data FILE --out DIR [--name N] [--fp32] [--cooc-neighbours 10] [--eval-seeds 1,2,3] [--catalog FILE]
  localrec eval     --bundle DIR --data FILE [--protocol sampled100|full] [--model sasrec|popular|cooccurrence]
                    [--seeds 1,2,3] [--users N] [--json] [--host-encoder]
                    (--host-encoder: user vectors through the runtime's single-history host encoder)
  localrec validate DIR`;

class UsageError extends Error {}

function num(v: string | undefined, name: string, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name}: "${v}" is not a number`);
  return n;
}
function oneOf<T extends string>(v: string | undefined, name: string, accepted: readonly T[], def: T): T {
  if (v === undefined) return def;
  if (!accepted.includes(v as T)) throw new UsageError(`--${name}: "${v}" is not accepted (accepted: ${accepted.join(', ')})`);
  return v as T;
}
const seedsOf = (v: string | undefined) => (v ?? '1,2,3').split(',').map((s) => num(s, 'seeds', 0));

function loadSplit(path: string, a: Record<string, string | boolean | undefined> = {}): { split: Split; vocab: string[]; summary: Record<string, unknown> } {
  const rules: Partial<LogRules> = {};
  if (a['min-user'] !== undefined) rules.minUserCount = num(a['min-user'] as string, 'min-user', 3);
  if (a['min-item'] !== undefined) rules.minItemCount = num(a['min-item'] as string, 'min-item', 3);
  const ds = loadDataset(path, rules);
  if (ds.report.badRows.length) {
    console.error(`${ds.report.badRows.length} bad row(s) in ${path} (reported, not used):`);
    for (const b of ds.report.badRows.slice(0, 20)) console.error(`  line ${b.line}: ${b.reason}`);
    if (ds.report.badRows.length > 20) console.error(`  … and ${ds.report.badRows.length - 20} more`);
  }
  const s = splitLeaveOneOut(ds);
  const split: Split = { itemCount: ds.itemIds.length, train: s.train, valid: s.valid, test: s.test };
  const { badRows, ...report } = ds.report;
  return { split, vocab: ds.itemIds, summary: { file: basename(path), ...report, badRows: badRows.length } };
}

function progressHooks() {
  const bar = new cliProgress.SingleBar({ format: 'epoch {epoch} |{bar}| {value}/{total} batches | loss {loss} | {info}', hideCursor: true }, cliProgress.Presets.shades_classic);
  let info = '';
  return {
    onEpochStart: (epoch: number, batches: number) => bar.start(batches, 0, { epoch, loss: '-', info }),
    onBatch: (done: number, loss: number) => bar.update(done, { loss: loss.toFixed(4) }),
    onEpochEnd: (l: { epoch: number; loss: number; seconds: number; valid?: Record<string, number> }) => {
      info = l.valid ? `valid HR@10 ${l.valid['HR@10']!.toFixed(4)} NDCG@10 ${l.valid['NDCG@10']!.toFixed(4)} (epoch ${l.epoch})` : info;
      bar.stop();
      console.log(`epoch ${l.epoch}: loss ${l.loss.toFixed(4)} (${l.seconds.toFixed(1)} s)${l.valid ? ` — ${info}` : ''}`);
    },
  };
}

async function cmdTrain(a: Record<string, string | boolean | undefined>): Promise<void> {
  const s = (k: string) => a[k] as string | undefined;
  if (!s('data') || !s('out')) throw new UsageError('train needs --data FILE and --out DIR');
  await useBackend(oneOf(s('backend'), 'backend', ['wasm', 'cpu'] as const, 'wasm'));
  const { split, vocab, summary } = loadSplit(s('data')!, a);
  const D = DEFAULT_TRAIN_OPTIONS;
  const opts: TrainOptions = {
    dim: num(s('dim'), 'dim', D.dim), maxLen: num(s('max-len'), 'max-len', D.maxLen), blocks: num(s('blocks'), 'blocks', D.blocks),
    heads: num(s('heads'), 'heads', D.heads), dropout: num(s('dropout'), 'dropout', D.dropout),
    norm: oneOf(s('norm'), 'norm', ['pre', 'post'] as const, D.norm), loss: oneOf(s('loss'), 'loss', ['bce', 'gbce', 'softmax'] as const, D.loss),
    negatives: num(s('negatives'), 'negatives', D.negatives), gbceT: num(s('gbce-t'), 'gbce-t', D.gbceT), lr: num(s('lr'), 'lr', D.lr),
    batchSize: num(s('batch-size'), 'batch-size', D.batchSize), epochs: num(s('epochs'), 'epochs', D.epochs), seed: num(s('seed'), 'seed', D.seed),
    evalEvery: num(s('eval-every'), 'eval-every', D.evalEvery), validUsers: num(s('valid-users'), 'valid-users', D.validUsers),
    patience: num(s('patience'), 'patience', D.patience), l2Emb: num(s('l2-emb'), 'l2-emb', D.l2Emb),
    lossNorm: oneOf(s('loss-norm'), 'loss-norm', ['mean', 'batch'] as const, D.lossNorm ?? 'mean'),
  };
  if (s('ffn-dim') !== undefined) opts.ffnDim = num(s('ffn-dim'), 'ffn-dim', D.dim);
  if (s('resume')) {
    const c = loadCheckpoint(s('resume')!);
    if (c.itemCount !== split.itemCount) throw new UsageError(`--resume: checkpoint has ${c.itemCount} items, data has ${split.itemCount}`);
    opts.initWeights = c.weights;
    opts.startEpoch = c.epoch;
  }
  const arch = architectureOf(opts);
  console.log(`training SASRec on ${summary.file}: ${split.train.length} users, ${split.itemCount} items; ${JSON.stringify(opts)}`);
  const ckpt = s('checkpoint');
  const result = await train(split, opts, {
    ...progressHooks(),
    onBest: ckpt ? (w, epoch, ndcg) => saveCheckpoint(ckpt, { arch, itemCount: split.itemCount, epoch, weights: w, info: { opts: { ...opts, initWeights: undefined }, validNdcg10: ndcg } }) : undefined,
  });
  console.log(`trained in ${result.seconds.toFixed(0)} s; best validation at epoch ${result.bestEpoch}`);
  await finishBundle({
    out: s('out')!, name: s('name') ?? basename(resolve(s('out')!)), version: `${new Date().toISOString().slice(0, 10)}-e${result.bestEpoch}-s${opts.seed}`,
    arch, split, vocab, weights: result.weights, quantize: !a.fp32, evalSeeds: seedsOf(s('eval-seeds')), coocNeighbours: num(s('cooc-neighbours'), 'cooc-neighbours', 10), segments: num(s('segments'), 'segments', 16),
    training: { data: summary, options: opts, bestEpoch: result.bestEpoch, epochsRun: result.history.length, seconds: Math.round(result.seconds), backend: 'tfjs-' + (s('backend') ?? 'wasm') },
    history: result.history, catalog: s('catalog') ? JSON.parse(readFileSync(s('catalog')!, 'utf8')) : undefined,
  });
  console.log(`bundle written to ${s('out')}`);
}

async function cmdExport(a: Record<string, string | boolean | undefined>): Promise<void> {
  const s = (k: string) => a[k] as string | undefined;
  if (!s('checkpoint') || !s('data') || !s('out')) throw new UsageError('export needs --checkpoint DIR --data FILE --out DIR');
  await useBackend('wasm');
  const c = loadCheckpoint(s('checkpoint')!);
  const { split, vocab, summary } = loadSplit(s('data')!, a);
  if (split.itemCount !== c.itemCount) throw new UsageError(`checkpoint has ${c.itemCount} items, data has ${split.itemCount}`);
  let history;
  try { history = JSON.parse(readFileSync(resolve(s('checkpoint')!, 'history.json'), 'utf8')); } catch { history = undefined; }
  await finishBundle({
    out: s('out')!, name: s('name') ?? basename(resolve(s('out')!)), version: `${new Date().toISOString().slice(0, 10)}-e${c.epoch}`,
    arch: c.arch, split, vocab, weights: c.weights, quantize: !a.fp32, evalSeeds: seedsOf(s('eval-seeds')), coocNeighbours: num(s('cooc-neighbours'), 'cooc-neighbours', 10), segments: num(s('segments'), 'segments', 16),
    training: { data: summary, ...c.info, bestEpoch: c.epoch, backend: 'tfjs-wasm' }, history,
    catalog: s('catalog') ? JSON.parse(readFileSync(s('catalog')!, 'utf8')) : undefined,
  });
  console.log(`bundle written to ${s('out')}`);
}

async function cmdEval(a: Record<string, string | boolean | undefined>): Promise<void> {
  const s = (k: string) => a[k] as string | undefined;
  if (!s('bundle') || !s('data')) throw new UsageError('eval needs --bundle DIR and --data FILE');
  const protocol = oneOf(s('protocol'), 'protocol', ['sampled100', 'full'] as const, 'sampled100') as Protocol;
  const model = oneOf(s('model'), 'model', ['sasrec', 'popular', 'cooccurrence'] as const, 'sasrec');
  await useBackend('wasm');
  const b = await loadBundleDir(s('bundle')!);
  const { split, vocab } = loadSplit(s('data')!, a);
  // Map the data's rows onto the bundle's rows through the item ids; unknown items are dropped.
  const rowOf = new Map(b.vocab.map((id, i) => [id, i + 1]));
  const remap = (r: number) => (r ? rowOf.get(vocab[r - 1]!) ?? 0 : 0);
  const mapped: Split = {
    itemCount: b.manifest.itemCount,
    train: split.train.map((t) => Int32Array.from(t, remap).filter((r) => r > 0)),
    valid: Int32Array.from(split.valid, remap), test: Int32Array.from(split.test, remap),
  };
  let users: number[] | undefined;
  if (s('users')) {
    const n = num(s('users'), 'users', 0);
    users = [];
    for (let u = 0; u < mapped.train.length && users.length < n; u++) if (mapped.valid[u]! > 0 && mapped.test[u]! > 0 && mapped.train[u]!.length) users.push(u);
  }
  const scorer = model === 'sasrec' ? new SasrecScorer(b.manifest.architecture, b.manifest.itemCount, b.weights, { hostEncoder: a['host-encoder'] === true }) : undefined;
  const fn = scorer ? (q: Int32Array[]) => scorer.scores(q) : model === 'popular' ? popularityScores(b.cold) : coocBaseline(b.cold);
  const bar = a.json ? undefined : new cliProgress.SingleBar({ format: 'eval |{bar}| {value}/{total} users' }, cliProgress.Presets.shades_classic);
  const r = await evaluate(fn, mapped, {
    protocol, target: 'test', seeds: seedsOf(s('seeds')), users,
    onProgress: (done, total) => { if (bar) { if (done <= 256) bar.start(total, 0); bar.update(done); } },
  });
  bar?.stop();
  scorer?.dispose();
  const out = { bundle: b.manifest.name, version: b.manifest.version, model, protocol, users: r.users, seeds: protocol === 'sampled100' ? seedsOf(s('seeds')) : [], metrics: r.metrics, perSeed: r.perSeed };
  if (!a.json) {
    console.log(`${b.manifest.name} (${model}), ${protocol}, ${r.users} users`);
    console.table(Object.fromEntries(Object.entries(r.metrics).filter(([k]) => k !== 'users').map(([k, v]) => [k, Number(v.toFixed(4))])));
  }
  console.log(JSON.stringify(out));
}

async function cmdValidate(dir: string | undefined): Promise<number> {
  if (!dir) throw new UsageError('validate needs a bundle folder');
  const problems = await validateBundleDir(dir);
  if (problems.length) {
    console.error(`${dir}: ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  - ${p}`);
    return 1;
  }
  console.log(`${dir}: valid`);
  return 0;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    const stringOpts = [
        'data', 'out', 'name', 'epochs', 'seed', 'dim', 'max-len', 'blocks', 'heads', 'ffn-dim', 'dropout', 'norm', 'loss',
        'negatives', 'gbce-t', 'lr', 'batch-size', 'eval-every', 'valid-users', 'patience', 'l2-emb', 'eval-seeds', 'catalog',
        'checkpoint', 'backend', 'cooc-neighbours', 'min-user', 'min-item', 'resume', 'segments', 'loss-norm', 'bundle', 'protocol', 'model', 'seeds', 'users',
    ];
    const options: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries(stringOpts.map((k) => [k, { type: 'string' }]));
    for (const k of ['fp32', 'json', 'help', 'host-encoder']) options[k] = { type: 'boolean' };
    const parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options });
    const values = parsed.values as Record<string, string | boolean | undefined>;
    const positionals = parsed.positionals;
    if (values.help || !cmd || cmd === 'help' || cmd === '--help') { console.log(USAGE); return 0; }
    switch (cmd) {
      case 'train': await cmdTrain(values); return 0;
      case 'export': await cmdExport(values); return 0;
      case 'eval': await cmdEval(values); return 0;
      case 'validate': return cmdValidate(positionals[0] ?? (values.bundle as string | undefined));
      default: throw new UsageError(`unknown command "${cmd}" (accepted: train, export, eval, validate)`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`localrec: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    console.error(`localrec: ${(e as Error).message}`);
    return 1;
  }
}
