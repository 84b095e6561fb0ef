/**
 * `localrec` — the model pipeline's command line (commander: per-command options, generated help).
 *
 *   localrec train    --data FILE --out DIR [hyper-parameters]   data file in, bundle folder out
 *   localrec export   --checkpoint DIR --data FILE --out DIR      bundle from a training checkpoint
 *   localrec eval     --bundle DIR --data FILE [--protocol sampled100|full] [--json]
 *   localrec validate DIR                                         non-zero exit + problems if invalid
 *   localrec associations --bundle DIR --data FILE                (re)computes the bundle's associations.json
 *   localrec trending --data FILE --out FILE [--catalog FILE]     writes the public trending.json
 *
 * Exit codes: 0 done, 1 the command failed (bad data, invalid bundle…), 2 usage error (unknown
 * command or option, a bad option value, a missing required option).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { BundleManifest } from '@localrec/model';
import { useBackend } from './backend.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { coocBaseline, popularityScores } from './cold-start.js';
import { ItemUsers, bprBaseline, itemKnnBaseline } from './baselines.js';
import { loadDataset, loadLogEvents, splitLeaveOneOut, type LogEvent, type LogRules } from './data/index.js';
import { DEFAULT_ASSOCIATION_OPTIONS, addAssociations, associationsOf, type AssociationOptions } from './associations.js';
import { DEFAULT_TRENDING_OPTIONS, trendingOf, type TrendingOptions } from './trending.js';
import { evaluate, type Protocol, type ScoreFn } from './evaluate.js';
import { blendMetrics, finishBundle, searchBlend, startBaselines, type BaselineResults, type FinishInput } from './pipeline.js';
import { EvalPool } from './eval-pool.js';
import { availableParallelism } from 'node:os';
import { runAssets } from './assets.js';
import { bundleScorer, loadBundleDir, validateBundleDir, type LoadedBundle } from './bundle-io.js';
import { DEFAULT_TRAIN_OPTIONS, architectureOf, train, type TrainOptions } from './train.js';
import type { Split } from './split.js';

/** A usage error found after parsing (e.g. a checkpoint that does not fit the data): exit code 2. */
class UsageError extends Error {}

const COMMANDS = ['train', 'export', 'eval', 'blend', 'validate', 'associations', 'trending', 'assets', 'help'] as const;
const EVAL_MODELS = ['sasrec', 'popular', 'cooccurrence', 'itemknn', 'bpr'] as const;

// ---- option values -------------------------------------------------------------------------------

function parseNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${v}" is not a number.`);
  return n;
}
function parseSeeds(v: string): number[] {
  return v.split(',').map((s) => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${s}" in "${v}" is not a number (expected e.g. 1,2,3).`);
    return n;
  });
}
function parseList(v: string): string[] {
  const xs = v.split(',').map((s) => s.trim());
  if (xs.some((x) => !x)) throw new InvalidArgumentError(`"${v}" has an empty entry (expected e.g. purchase,add_to_cart).`);
  return xs;
}
function parseDate(v: string): number {
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t))
    throw new InvalidArgumentError(`"${v}" is not a date (expected ISO 8601, e.g. 2026-12-01, or epoch milliseconds).`);
  return t;
}
const listOption = (flags: string, description: string, def: readonly string[]): Option =>
  new Option(flags, description).argParser(parseList).default([...def], def.join(','));
const numberOption = (flags: string, description: string, def?: number): Option => {
  const o = new Option(flags, description).argParser(parseNumber);
  return def === undefined ? o : o.default(def);
};
const choiceOption = <T extends string>(flags: string, description: string, choices: readonly T[], def: T): Option =>
  new Option(flags, description).choices(choices).default(def);

/** Options shared by every command that reads a data file. */
interface DataOptions {
  data: string;
  minUser?: number;
  minItem?: number;
}
/** Options shared by `train` and `export` (how the bundle is written). */
interface BundleOptions extends DataOptions {
  out: string;
  name?: string;
  fp32?: boolean;
  evalSeeds: number[];
  coocNeighbours: number;
  segments: number;
  catalog?: string;
  /** commander's `--no-blend`: false turns the blend search off. */
  blend: boolean;
}
/** `train`'s options: the training hyper-parameters (as the trainer names them), plus the run's own. */
interface TrainCliOptions extends BundleOptions, Omit<TrainOptions, 'lossNorm' | 'initWeights' | 'startEpoch' | 'validProtocol'> {
  lossNorm: NonNullable<TrainOptions['lossNorm']>;
  validProtocol: NonNullable<TrainOptions['validProtocol']>;
  checkpoint?: string;
  resume?: string;
  backend: 'wasm' | 'cpu';
}
interface BlendCliOptions extends DataOptions {
  bundle: string;
  evalSeeds: number[];
}
interface ExportCliOptions extends BundleOptions {
  checkpoint: string;
}
interface EvalCliOptions extends DataOptions {
  bundle: string;
  protocol: Protocol;
  model: (typeof EVAL_MODELS)[number];
  seeds: number[];
  users?: number;
  json?: boolean;
  hostEncoder?: boolean;
  /** commander's `--no-blend`: false scores with the model alone even when the bundle has a blend. */
  blend: boolean;
}

const addDataOptions = (c: Command): Command =>
  c
    .requiredOption('--data <file>', 'data file: .txt (SASRec "userId itemId" lines) | .csv (header: user,item,timestamp,type) | .jsonl')
    .addOption(numberOption('--min-user <n>', 'event logs only: minimum interactions per user (default 3)'))
    .addOption(numberOption('--min-item <n>', 'event logs only: minimum interactions per item (default 3)'));

const addBundleOptions = (c: Command): Command =>
  c
    .requiredOption('--out <dir>', 'bundle folder to write')
    .option('--name <name>', 'bundle name (default: the --out folder name)')
    .option('--fp32', 'keep float32 weights (default: int8 quantised)')
    .addOption(
      new Option('--eval-seeds <list>', 'seeds of the sampled evaluation written to the manifest')
        .argParser(parseSeeds)
        .default([1, 2, 3], '1,2,3'),
    )
    .addOption(numberOption('--cooc-neighbours <n>', 'co-occurrence neighbours kept per item', 10))
    .addOption(numberOption('--segments <n>', 'interest segments', 16))
    .option('--catalog <file>', 'catalog JSON to ship in the bundle')
    .option(
      '--no-blend',
      'do not blend the model with co-occurrence (by default a blend by history length is chosen on validation and shipped when it helps)',
    );

interface AssociationsCliOptions {
  bundle: string;
  data: string;
  types: string[];
  basketGap: number;
  minCount: number;
  minSupport: number;
  minConfidence: number;
  top: number;
}
interface TrendingCliOptions {
  data: string;
  out: string;
  catalog?: string;
  bundle?: string;
  windowDays: number;
  end?: number;
  types: string[];
  facets: string[];
  minShoppers: number;
  top: number;
}

// ---- data ---------------------------------------------------------------------------------------

function loadSplit(o: DataOptions): { split: Split; vocab: string[]; summary: Record<string, unknown> } {
  const rules: Partial<LogRules> = {};
  if (o.minUser !== undefined) rules.minUserCount = o.minUser;
  if (o.minItem !== undefined) rules.minItemCount = o.minItem;
  const ds = loadDataset(o.data, rules);
  if (ds.report.badRows.length) {
    console.error(`${ds.report.badRows.length} bad row(s) in ${o.data} (reported, not used):`);
    for (const b of ds.report.badRows.slice(0, 20)) console.error(`  line ${b.line}: ${b.reason}`);
    if (ds.report.badRows.length > 20) console.error(`  … and ${ds.report.badRows.length - 20} more`);
  }
  const s = splitLeaveOneOut(ds);
  const split: Split = { itemCount: ds.itemIds.length, train: s.train, valid: s.valid, test: s.test };
  const { badRows, ...report } = ds.report;
  return { split, vocab: ds.itemIds, summary: { file: basename(o.data), ...report, badRows: badRows.length } };
}

const readCatalog = (path: string | undefined): FinishInput['catalog'] =>
  path ? (JSON.parse(readFileSync(path, 'utf8')) as FinishInput['catalog']) : undefined;

/** The interaction rows of an event log, bad rows reported on stderr. */
function logEvents(path: string): LogEvent[] {
  const { events, badRows } = loadLogEvents(path);
  if (badRows.length) console.error(`${badRows.length} bad row(s) in ${path} (reported, not used)`);
  return events;
}

/** After `train`/`export` on an event log: the association rules of the same log, with the defaults. */
function trainingAssociations(o: BundleOptions): void {
  if (!['.csv', '.jsonl', '.ndjson'].includes(extname(o.data).toLowerCase())) return;
  const file = associationsOf(logEvents(o.data));
  addAssociations(o.out, file);
  console.log(`associations.json: ${Object.keys(file.rules).length} items with rules, from ${file.baskets} baskets`);
}

/** The `finishBundle` fields that come straight from the shared bundle options. */
function bundleFields(o: BundleOptions) {
  return {
    out: o.out,
    name: o.name ?? basename(resolve(o.out)),
    quantize: !o.fp32,
    evalSeeds: o.evalSeeds,
    coocNeighbours: o.coocNeighbours,
    segments: o.segments,
    blend: o.blend,
    catalog: readCatalog(o.catalog),
  };
}

function progressHooks() {
  const bar = new cliProgress.SingleBar(
    { format: 'epoch {epoch} |{bar}| {value}/{total} batches | loss {loss} | {info}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
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

/**
 * `train --threads` default: one. Measured on the 2-core development machine (benchmarks/train-speed.mjs
 * --threads-epochs 3, quiet): 12.1 s an epoch on 1 thread, 14.1 s on 2 — the wasm matMuls of two
 * threads do not scale there — so data-parallel training is opt-in (a fixed default either way, so
 * the same command gives the same weights everywhere).
 */
const TRAIN_THREADS = 1;

// ---- commands -----------------------------------------------------------------------------------

async function cmdTrain(o: TrainCliOptions): Promise<void> {
  await useBackend(o.backend);
  const { split, vocab, summary } = loadSplit(o);
  const opts: TrainOptions = {
    dim: o.dim,
    maxLen: o.maxLen,
    blocks: o.blocks,
    heads: o.heads,
    dropout: o.dropout,
    norm: o.norm,
    loss: o.loss,
    negatives: o.negatives,
    gbceT: o.gbceT,
    lr: o.lr,
    batchSize: o.batchSize,
    epochs: o.epochs,
    seed: o.seed,
    evalEvery: o.evalEvery,
    validProtocol: o.validProtocol,
    validUsers: o.validUsers,
    patience: o.patience,
    l2Emb: o.l2Emb,
    lossNorm: o.lossNorm,
    threads: o.threads ?? TRAIN_THREADS,
  };
  if (o.ffnDim !== undefined) opts.ffnDim = o.ffnDim;
  if (o.resume) {
    const c = loadCheckpoint(o.resume);
    if (c.itemCount !== split.itemCount) throw new UsageError(`--resume: checkpoint has ${c.itemCount} items, data has ${split.itemCount}`);
    opts.initWeights = c.weights;
    opts.startEpoch = c.epoch;
  }
  console.log(`training SASRec on ${String(summary.file)}: ${split.train.length} users, ${split.itemCount} items; ${JSON.stringify(opts)}`);
  // The baselines are measured on the pool's workers while the model trains, on the cores training leaves free.
  const pool = new EvalPool({ split, coocNeighbours: o.coocNeighbours }, { onWarning: (m) => console.warn(`localrec: ${m}`) });
  try {
    const spare = availableParallelism() - (opts.threads ?? 1);
    if (spare >= 1) pool.setLimit(spare);
    else pool.pause();
    const baselines = startBaselines(pool, o.evalSeeds);
    baselines.catch(() => undefined); // awaited (and reported) by finishBundle
    await trainAndFinish(o, opts, split, vocab, summary, pool, baselines);
  } finally {
    await pool.close();
  }
  trainingAssociations(o);
  console.log(`bundle written to ${o.out}`);
}

async function trainAndFinish(
  o: TrainCliOptions,
  opts: TrainOptions,
  split: Split,
  vocab: string[],
  summary: ReturnType<typeof loadSplit>['summary'],
  pool: EvalPool,
  baselines: Promise<BaselineResults>,
): Promise<void> {
  const arch = architectureOf(opts);
  const ckpt = o.checkpoint;
  const result = await train(split, opts, {
    ...progressHooks(),
    onStart: (c) => console.log(`loss: ${c.loss}${c.loss === 'softmax' ? ` (${c.negatives} negatives)` : ''} — ${c.reason}`),
    onBest: ckpt
      ? (w, epoch, ndcg) =>
          saveCheckpoint(ckpt, {
            arch,
            itemCount: split.itemCount,
            epoch,
            weights: w,
            info: { opts: { ...opts, initWeights: undefined }, validNdcg10: ndcg },
          })
      : undefined,
  });
  console.log(`trained in ${result.seconds.toFixed(0)} s; best validation at epoch ${result.bestEpoch}`);
  pool.setLimit(pool.workers);
  pool.resume();
  await finishBundle({
    pool,
    baselines,
    ...bundleFields(o),
    version: `${new Date().toISOString().slice(0, 10)}-e${result.bestEpoch}-s${opts.seed}`,
    arch,
    split,
    vocab,
    weights: result.weights,
    training: {
      data: summary,
      options: opts,
      loss: result.loss,
      bestEpoch: result.bestEpoch,
      epochsRun: result.history.length,
      seconds: Math.round(result.seconds),
      backend: `tfjs-${o.backend}`,
    },
    history: result.history,
  });
}

async function cmdExport(o: ExportCliOptions): Promise<void> {
  await useBackend('wasm');
  const c = loadCheckpoint(o.checkpoint);
  const { split, vocab, summary } = loadSplit(o);
  if (split.itemCount !== c.itemCount) throw new UsageError(`checkpoint has ${c.itemCount} items, data has ${split.itemCount}`);
  let history: FinishInput['history'];
  try {
    history = JSON.parse(readFileSync(resolve(o.checkpoint, 'history.json'), 'utf8')) as FinishInput['history'];
  } catch {
    history = undefined;
  }
  await finishBundle({
    ...bundleFields(o),
    version: `${new Date().toISOString().slice(0, 10)}-e${c.epoch}`,
    arch: c.arch,
    split,
    vocab,
    weights: c.weights,
    training: { data: summary, ...c.info, bestEpoch: c.epoch, backend: 'tfjs-wasm' },
    history,
  });
  trainingAssociations(o);
  console.log(`bundle written to ${o.out}`);
}

/** The data file's leave-one-out split over the bundle's rows (through the item ids; unknown items are dropped). */
function bundleSplit(o: DataOptions, b: LoadedBundle): Split {
  const { split, vocab } = loadSplit(o);
  // Map the data's rows onto the bundle's rows through the item ids; unknown items are dropped.
  const rowOf = new Map(b.vocab.map((id, i) => [id, i + 1]));
  const remap = (r: number) => (r ? (rowOf.get(vocab[r - 1]!) ?? 0) : 0);
  return {
    itemCount: b.manifest.itemCount,
    train: split.train.map((t) => Int32Array.from(t, remap).filter((r) => r > 0)),
    valid: Int32Array.from(split.valid, remap),
    test: Int32Array.from(split.test, remap),
  };
}

/** `localrec blend`: chooses the bundle's blend with co-occurrence on the data's validation split and writes it into its manifest. */
async function cmdBlend(o: BlendCliOptions): Promise<number> {
  await useBackend('wasm');
  const b = await loadBundleDir(o.bundle);
  const split = bundleSplit(o, b);
  const arch = b.manifest.architecture;
  const log = (line: string) => console.log(line);
  const blend = await searchBlend(arch, split, b.weights, b.cold, log);
  const file = join(o.bundle, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BundleManifest;
  const metrics = Object.fromEntries(Object.entries(manifest.metrics ?? {}).filter(([k]) => !k.startsWith('sasrec-blend/')));
  delete manifest.blend;
  if (blend) {
    manifest.blend = blend;
    const iu = new ItemUsers(split);
    Object.assign(
      metrics,
      await blendMetrics({
        arch,
        split,
        weights: b.weights,
        cold: b.cold,
        blend,
        evalSeeds: o.evalSeeds,
        similarity: (x, y) => iu.cosine(x, y),
        log,
      }),
    );
  }
  manifest.metrics = metrics;
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`${file}: ${blend ? 'blend written' : 'no blend (the model alone)'}`);
  return cmdValidate(o.bundle);
}

async function cmdEval(o: EvalCliOptions): Promise<void> {
  const { protocol, model } = o;
  await useBackend('wasm');
  const b = await loadBundleDir(o.bundle);
  const mapped = bundleSplit(o, b);
  let users: number[] | undefined;
  if (o.users) {
    const n = o.users;
    users = [];
    for (let u = 0; u < mapped.train.length && users.length < n; u++) {
      if (mapped.valid[u]! > 0 && mapped.test[u]! > 0 && mapped.train[u]!.length) users.push(u);
    }
  }
  const scorer = model === 'sasrec' ? bundleScorer(b, { hostEncoder: o.hostEncoder === true, blend: o.blend }) : undefined;
  const fn: ScoreFn = scorer
    ? (q) => scorer.scores(q)
    : model === 'popular'
      ? popularityScores(b.cold)
      : model === 'cooccurrence'
        ? coocBaseline(b.cold)
        : model === 'itemknn'
          ? itemKnnBaseline(mapped)
          : bprBaseline(mapped);
  const iu = protocol === 'full' ? new ItemUsers(mapped) : undefined;
  const bar = o.json
    ? undefined
    : new cliProgress.SingleBar({ format: 'eval |{bar}| {value}/{total} users' }, cliProgress.Presets.shades_classic);
  const r = await evaluate(fn, mapped, {
    protocol,
    target: 'test',
    seeds: o.seeds,
    users,
    ...(iu ? { similarity: (x: number, y: number) => iu.cosine(x, y) } : {}),
    onProgress: (done, total) => {
      if (bar) {
        if (done <= 256) bar.start(total, 0);
        bar.update(done);
      }
    },
  });
  bar?.stop();
  scorer?.dispose();
  const out = {
    bundle: b.manifest.name,
    version: b.manifest.version,
    model,
    blend: model === 'sasrec' && o.blend && b.manifest.blend !== undefined,
    protocol,
    users: r.users,
    seeds: protocol === 'sampled100' ? o.seeds : [],
    metrics: r.metrics,
    perSeed: r.perSeed,
  };
  if (!o.json) {
    console.log(`${b.manifest.name} (${model}), ${protocol}, ${r.users} users`);
    console.table(
      Object.fromEntries(
        Object.entries(r.metrics)
          .filter(([k]) => k !== 'users')
          .map(([k, v]) => [k, Number(v.toFixed(4))]),
      ),
    );
  }
  // The contract of `--json`: this JSON object is the last line of the output.
  console.log(JSON.stringify(out));
}

async function cmdValidate(dir: string): Promise<number> {
  const problems = await validateBundleDir(dir);
  if (problems.length) {
    console.error(`${dir}: ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  - ${p}`);
    return 1;
  }
  console.log(`${dir}: valid`);
  return 0;
}

async function cmdAssociations(o: AssociationsCliOptions): Promise<number> {
  if (!existsSync(join(o.bundle, 'manifest.json'))) throw new UsageError(`--bundle ${o.bundle}: no manifest.json there (a bundle folder)`);
  const opts: AssociationOptions = {
    types: o.types,
    basketGapMinutes: o.basketGap,
    minCount: o.minCount,
    minSupport: o.minSupport,
    minConfidence: o.minConfidence,
    top: o.top,
  };
  const file = associationsOf(logEvents(o.data), opts);
  addAssociations(o.bundle, file);
  const rules = Object.values(file.rules).reduce((n, r) => n + r.length, 0);
  console.log(
    `${o.bundle}: associations.json with ${rules} rules over ${Object.keys(file.rules).length} items, from ${file.baskets} baskets`,
  );
  return cmdValidate(o.bundle);
}

async function cmdTrending(o: TrendingCliOptions): Promise<void> {
  let catalog: Record<string, Record<string, unknown>> = {};
  const catalogPath = o.catalog ?? (o.bundle ? join(o.bundle, 'catalog.json') : undefined);
  if (catalogPath) {
    if (!existsSync(catalogPath)) throw new UsageError(`${catalogPath}: no such catalog file`);
    catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as typeof catalog;
  }
  const opts: Partial<TrendingOptions> = {
    windowDays: o.windowDays,
    types: o.types,
    facets: o.facets,
    minShoppers: o.minShoppers,
    top: o.top,
  };
  if (o.end !== undefined) opts.end = o.end;
  const file = trendingOf(logEvents(o.data), catalog, opts);
  writeFileSync(o.out, JSON.stringify(file) + '\n');
  const facets = Object.entries(file.facets).map(([a, v]) => `${a}: ${Object.keys(v).length}`);
  console.log(
    `${o.out}: trending ${file.version}, ${file.items.length} items${facets.length ? `, facet values ${facets.join(', ')}` : ''}`,
  );
}

// ---- the program --------------------------------------------------------------------------------

/** Builds the command tree; each action stores its exit code in `exit.code`. */
function program(exit: { code: number }): Command {
  const D = DEFAULT_TRAIN_OPTIONS;
  const root = new Command('localrec')
    .description('Train, evaluate, export and validate LocalRec SASRec bundles (tfjs on Node, wasm backend).')
    .usage('<command> [options]')
    .showSuggestionAfterError(true)
    .helpCommand('help [command]', 'show the help of a command')
    .addHelpText('after', '\nExit codes: 0 done, 1 the command failed, 2 usage error. `localrec help <command>` lists its options.');

  const trainCmd = root.command('train').description('train a SASRec model on a data file and write the bundle folder');
  addBundleOptions(addDataOptions(trainCmd))
    .addOption(numberOption('--epochs <n>', 'maximum epochs', D.epochs))
    .addOption(numberOption('--seed <n>', 'seed of the whole run: initial weights, batch order, negatives, dropout masks', D.seed))
    .addOption(numberOption('--dim <n>', 'embedding dimension', D.dim))
    .addOption(numberOption('--max-len <n>', 'longest history the model reads', D.maxLen))
    .addOption(numberOption('--blocks <n>', 'transformer blocks', D.blocks))
    .addOption(numberOption('--heads <n>', 'attention heads (must divide --dim)', D.heads))
    .addOption(numberOption('--ffn-dim <n>', 'feed-forward width (default: --dim)'))
    .addOption(numberOption('--dropout <rate>', 'dropout rate', D.dropout))
    .addOption(choiceOption('--norm <where>', 'LayerNorm before or after each sub-layer', ['pre', 'post'] as const, D.norm))
    .addOption(
      choiceOption(
        '--loss <name>',
        "auto: ce if the catalogue fits the full-softmax budget, else softmax; ce: full softmax; softmax: sampled softmax (logQ); bce: the paper's; gbce: gSASRec",
        ['auto', 'ce', 'softmax', 'bce', 'gbce'] as const,
        D.loss,
      ),
    )
    .addOption(numberOption('--negatives <n>', 'shared negatives per batch (softmax, gbce)', D.negatives))
    .addOption(numberOption('--gbce-t <t>', 'gBCE calibration t in [0, 1]', D.gbceT))
    .addOption(numberOption('--lr <rate>', 'Adam learning rate', D.lr))
    .addOption(numberOption('--batch-size <n>', 'users per batch', D.batchSize))
    .addOption(numberOption('--eval-every <n>', 'validate every n epochs', D.evalEvery))
    .addOption(
      choiceOption(
        '--valid-protocol <name>',
        'validation ranking: full (every item) or sampled100',
        ['full', 'sampled100'] as const,
        D.validProtocol ?? 'full',
      ),
    )
    .addOption(numberOption('--valid-users <n>', 'users in each validation', D.validUsers))
    .addOption(numberOption('--patience <n>', 'stop after n validations without a better validation NDCG@10', D.patience))
    .addOption(numberOption('--l2-emb <weight>', 'L2 penalty on the item and position embeddings (0: none)', D.l2Emb))
    .addOption(
      choiceOption(
        '--loss-norm <how>',
        "mean: over the mean positions per batch; batch: over the batch's own",
        ['mean', 'batch'] as const,
        D.lossNorm ?? 'mean',
      ),
    )
    .addOption(
      numberOption('--threads <n>', "threads computing each batch's gradient (data-parallel; the softmax losses only)", TRAIN_THREADS),
    )
    .option('--checkpoint <dir>', 'save the best weights here during training')
    .option('--resume <dir>', 'warm-start from a checkpoint (the epoch count continues from it)')
    .addOption(choiceOption('--backend <name>', 'tfjs backend', ['wasm', 'cpu'] as const, 'wasm'))
    .action(async (o: TrainCliOptions) => {
      await cmdTrain(o);
      exit.code = 0;
    });

  const exportCmd = root.command('export').description('write a bundle from a training checkpoint, without training further');
  addBundleOptions(addDataOptions(exportCmd.requiredOption('--checkpoint <dir>', 'checkpoint folder (from train --checkpoint)'))).action(
    async (o: ExportCliOptions) => {
      await cmdExport(o);
      exit.code = 0;
    },
  );

  addDataOptions(root.command('eval').description('evaluate a bundle (or a baseline from its tables) on a data file'))
    .requiredOption('--bundle <dir>', 'bundle folder')
    .addOption(
      choiceOption(
        '--protocol <name>',
        'sampled100: 100 sampled negatives, seeds averaged; full: rank against every item',
        ['sampled100', 'full'] as const,
        'sampled100',
      ),
    )
    .addOption(
      choiceOption(
        '--model <name>',
        "the bundle's SASRec, a baseline from its cold-start tables (popular, cooccurrence) or one fitted on the data's training part (itemknn, bpr)",
        EVAL_MODELS,
        'sasrec',
      ),
    )
    .addOption(new Option('--seeds <list>', 'seeds of the sampled protocol').argParser(parseSeeds).default([1, 2, 3], '1,2,3'))
    .addOption(numberOption('--users <n>', 'evaluate the first n users with a validation and a test item only'))
    .option('--json', 'no progress bar and no table: the result is one JSON object, the last line of the output')
    .option('--host-encoder', "user vectors through the runtime's single-history host encoder")
    .option('--no-blend', "sasrec: the model's scores alone, without the bundle's blend with co-occurrence")
    .action(async (o: EvalCliOptions) => {
      await cmdEval(o);
      exit.code = 0;
    });

  addDataOptions(
    root
      .command('blend')
      .description(
        "choose a bundle's blend with co-occurrence by history length on the data's validation split, write it (and its test metrics) into manifest.json, then validate",
      ),
  )
    .requiredOption('--bundle <dir>', 'bundle folder (the data must be the one it was trained on, or its split leaks)')
    .addOption(
      new Option('--eval-seeds <list>', 'seeds of the sampled evaluation written to the manifest')
        .argParser(parseSeeds)
        .default([1, 2, 3], '1,2,3'),
    )
    .action(async (o: BlendCliOptions) => {
      exit.code = await cmdBlend(o);
    });

  root
    .command('validate')
    .description('check a bundle: hashes, sizes, tensor shapes, vocabulary; exit 1 with every problem listed')
    .argument('[dir]', 'bundle folder')
    .option('--bundle <dir>', 'bundle folder (instead of the argument)')
    .action(async (dir: string | undefined, o: { bundle?: string }, cmd: Command) => {
      const folder = dir ?? o.bundle;
      if (!folder) cmd.error('error: validate needs a bundle folder (localrec validate DIR)', { exitCode: 2, code: 'localrec.usage' });
      exit.code = await cmdValidate(folder);
    });

  const A = DEFAULT_ASSOCIATION_OPTIONS;
  root
    .command('associations')
    .description("(re)compute a bundle's associations.json (frequently bought together) from an event log, then validate it")
    .requiredOption('--bundle <dir>', 'bundle folder to add associations.json to')
    .requiredOption('--data <file>', 'event log: .csv | .jsonl (user, item, timestamp, type; optional order_id or session_id)')
    .addOption(listOption('--types <list>', 'event types whose items make up a basket', A.types))
    .addOption(numberOption('--basket-gap <minutes>', 'without an order/session id: a longer gap starts a new basket', A.basketGapMinutes))
    .addOption(numberOption('--min-count <n>', 'minimum baskets holding both items of a rule', A.minCount))
    .addOption(numberOption('--min-support <share>', 'minimum support: baskets with both items / all baskets', A.minSupport))
    .addOption(numberOption('--min-confidence <share>', 'minimum confidence: baskets with both / baskets with the first', A.minConfidence))
    .addOption(numberOption('--top <n>', 'consequents kept per item', A.top))
    .action(async (o: AssociationsCliOptions) => {
      exit.code = await cmdAssociations(o);
    });

  const T = DEFAULT_TRENDING_OPTIONS;
  root
    .command('trending')
    .description('write the public trending.json: shoppers per item and per facet value over a recent window')
    .requiredOption('--data <file>', 'event log: .csv | .jsonl (user, item, timestamp, type)')
    .requiredOption('--out <file>', 'trending file to write (serve it as trending.json next to the model)')
    .option('--catalog <file>', 'catalog JSON (item id → attributes) for the facets')
    .option('--bundle <dir>', "take the catalog from this bundle's catalog.json")
    .addOption(numberOption('--window-days <n>', 'days counted, up to --end', T.windowDays))
    .addOption(new Option('--end <date>', "end of the window (ISO 8601 or epoch ms; default: the log's last event)").argParser(parseDate))
    .addOption(listOption('--types <list>', 'event types counted', T.types))
    .addOption(listOption('--facets <list>', 'catalog attributes counted per value', T.facets))
    .addOption(numberOption('--min-shoppers <n>', 'items and facet values seen by fewer shoppers are left out', T.minShoppers))
    .addOption(numberOption('--top <n>', 'items kept per list', T.top))
    .action(async (o: TrendingCliOptions) => {
      await cmdTrending(o);
      exit.code = 0;
    });

  // Listed for `localrec --help`; `main` hands `assets …` to @localrec/runtime's own command before parsing.
  root
    .command('assets')
    .description("copy @localrec/runtime's served files and a model into a public folder (runs the project's localrec-assets)")
    .argument('[args...]', '<target> [--model <folder>] [--name <name>] [--source-maps]');

  // Every parse error goes through exitOverride (thrown, not process.exit) and is reported on stderr;
  // an option of another command says which command has it.
  const ownerHint = (message: string): string => {
    const flag = /unknown option '([^']+)'/.exec(message)?.[1];
    if (!flag) return '';
    const owners = root.commands.filter((c) => c.options.some((o) => o.long === flag)).map((c) => c.name());
    return owners.length ? ` (${flag} is an option of: ${owners.join(', ')})` : '';
  };
  const configure = (c: Command) => {
    c.exitOverride()
      .showHelpAfterError(`(localrec ${c === root ? '' : `${c.name()} `}--help lists the options)`)
      .configureOutput({
        getOutHelpWidth: () => 110,
        getErrHelpWidth: () => 110,
        writeOut: (s) => console.log(s.replace(/\n$/, '')),
        writeErr: (s) => console.error(s.replace(/\n$/, '')),
        outputError: (s, write) => write(`localrec: ${s.replace(/^error: /, '').replace(/\n$/, '')}${ownerHint(s)}\n`),
      });
    c.configureHelp({ sortOptions: false, showGlobalOptions: false });
  };
  configure(root);
  for (const c of root.commands) configure(c);
  return root;
}

/** Runs the CLI; returns the exit code (0 done, 1 the command failed, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const exit = { code: 0 };
  const root = program(exit);
  const [cmd] = argv;
  if (cmd === undefined) {
    root.outputHelp();
    return 0;
  }
  if (cmd === 'assets') return runAssets(argv.slice(1));
  if (cmd === 'help' && argv[1] === 'assets') return runAssets(['--help']);
  if (!cmd.startsWith('-') && !(COMMANDS as readonly string[]).includes(cmd)) {
    console.error(`localrec: unknown command "${cmd}" (accepted: ${COMMANDS.join(', ')})\n`);
    root.outputHelp({ error: true });
    return 2;
  }
  try {
    await root.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      console.error(`localrec: ${e.message}`);
      return 2;
    }
    console.error(`localrec: ${(e as Error).message}`);
    return 1;
  }
}
