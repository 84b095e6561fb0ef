/**
 * recommend() benchmark in headless Chromium (not a test; figures go to benchmarks/results/).
 *
 *   pnpm build && pnpm exec tsx --conditions=@localrec/source benchmarks/recommend.ts \
 *     [--sizes 100000,1000000] [--iters 200] [--backends wasm,cpu,webgl,webgpu] [--tag name] [--dist folder] [--isolated] [--stored N]
 *
 * `--sizes ""` skips the synthetic scale models; `--dist` serves another build of the runtime
 * (default packages/runtime/dist; e.g. a saved copy of the previous build for a paired A/B run in
 * one machine state); `--tag` names the results file
 * (`results/recommend-<date>[-<tag>].json`). Synthetic bundles are generated once into
 * .tmp/bench-models/ (git-ignored).
 *
 * For models/games-sasrec (or, when absent, a synthetic model of the same shape: 23,715 items,
 * d=50, L=50, 2 blocks) and synthetic catalogs of 100k and 1M items (random int8 weights, same
 * architecture), with a history of 50 views in IndexedDB (so both sides encode a full-length,
 * unpadded window of 50):
 * - recommend({k: 10}) latency p50/p95 measured on the MAIN thread around the Comlink call, per
 *   backend. What one call does (the shipped runtime, built `packages/runtime/dist`): Comlink hop to
 *   the worker; the worker re-validates the shopper against IndexedDB (one transaction: the oldest
 *   event and the events stored after the highest key seen) and reuses or extends its cached sequence;
 *   eligibility mask (history, purchases); when the model input is the very one of the previous
 *   call (nothing new stored), the previous call's top rows are reused (`lastCallInWorker.reused`);
 *   otherwise scoring with the
 *   shared `SasrecScorer`: input embeddings (item·√d + position) built on the host and uploaded,
 *   the inference-only encoder `encodeLast` (all slots through block 1, only the last slot's
 *   query / FFN / LayerNorms in the last block, fused matmul+bias ops, host-built masks), then
 *   `matMul(u, itemEmbT)` against the resident pre-transposed item table and `tf.topk(k + masked
 *   + 1)` on the backend, reading back only those values; reasons (cosine to the history) on the
 *   host; the answer crosses back through Comlink. `lastCallInWorker` splits the last call's
 *   store read / scoring / ranking time, `inWorkerP50` the runtime's own `tookMs` (call entry to
 *   answer, in the worker), `statusRoundTripP50` a bare Comlink call (status());
 * - the same with a fresh history on every call (`freshHistory`): before each timed call the page
 *   stores one more view (cycling through the 50 history items), so every call extends the
 *   sequence from the store and scores a new input — the compute-bound figure; its in-worker split
 *   (store read, scoring, ranking, the call as a whole) as medians over the calls, and how many
 *   calls found the encoder prepared for "the last history plus one item" (`incrementalEncodes`:
 *   after each answer the worker runs the kept slots through the first block in idle time,
 *   `HostEncoder.prepareNext`; the page's write between calls is that idle time, as a shopper's
 *   next action is in real use);
 * - cold load (empty cache: download, verify, dequantise, calibrate, warm up, first answer) and
 *   warm load (Cache Storage + cached calibration) to the first recommendation;
 * - worker memory: the runtime's own accounting (host typed arrays, tfjs tensor bytes, the int8 item table, the float32
 *   item table when there is one) and `performance.measureUserAgentSpecificMemory()` where the page is
 *   cross-origin isolated (`--isolated`; reported unavailable otherwise);
 * - the naive baseline in the same page, same run: the same fp32 weights with tfjs (wasm) on the
 *   MAIN thread, no worker, no IndexedDB read (the history is passed in — this favours the
 *   baseline). Weights are uploaded once before timing (as `model.predict` on a loaded model
 *   would). Per call: "predict" = the history padded to the full length 50 → gather → the
 *   trainer's full encoder `encodeSequence` (every slot, backend-built masks, as a Keras-style
 *   `predict` computes it) → the last slot → `matMul(u, itemEmb, transposeB)` (the
 *   straightforward tied-embedding logits) → `tf.topk(10 + history length)`; read back values and
 *   indices; drop history items, keep 10. Timed in the page with performance.now().
 *   Both sides read back only the top-k (not all scores), both are warmed up (5 calls) first.
 * WebGPU here is SwiftShader (software): correctness only, never a performance figure. The machine
 * has 2 cores and may be running other jobs: compare figures from the same run only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { percentile } from '@localrec/core';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  TENSOR_NAMES,
  encodeTensors,
  expectedShapes,
  quantizeInt8,
  type BundleManifest,
  type HostTensor,
  type SasrecArchitecture,
} from '@localrec/model';
import { launchChromium } from '../test/browser.mjs';
import { contentType, startStaticServer } from '../test/static-server.mjs';

const repo = resolve(import.meta.dirname, '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
/** The built runtime to serve (`--dist <folder>`: e.g. a copy of an older build, for a paired A/B run). */
const DIST = resolve(arg('dist', join(repo, 'packages/runtime/dist')));
const SIZES = arg('sizes', '100000,1000000').split(',').filter(Boolean).map(Number);
const ITERS = Number(arg('iters', '200'));
const BACKENDS = arg('backends', 'wasm,cpu,webgl,webgpu').split(',');
const TAG = arg('tag', '');
/**
 * `--isolated`: serve the page cross-origin isolated (COOP/COEP), as a host may: timers get 5 µs
 * resolution instead of 100 µs, and tfjs's wasm backend may use its threaded build (both sides).
 */
const ISOLATED = process.argv.includes('--isolated');
/** `--stored N`: N older events in the store besides the history of 50 (default 0). */
const STORED = Number(arg('stored', '0'));
const TMP = join(repo, '.tmp/bench-models');

/** A synthetic bundle (random weights, int8 like the real ones) of `n` items. */
function syntheticBundle(n: number): string {
  const dir = join(TMP, `synthetic-${n}`);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  mkdirSync(dir, { recursive: true });
  const arch: SasrecArchitecture = {
    type: 'sasrec',
    dim: 50,
    maxLen: 50,
    blocks: 2,
    heads: 1,
    ffnDim: 50,
    norm: 'pre',
    layerNormEps: 1e-8,
  };
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.2;
  const tensors: HostTensor[] = [];
  for (const [name, shape] of expectedShapes(arch, n)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith('gamma')) data.fill(1);
    else if (!name.endsWith('beta')) for (let i = 0; i < size; i++) data[i] = rnd();
    if (name === TENSOR_NAMES.itemEmbedding) data.fill(0, 0, arch.dim);
    if (shape.length === 2) {
      const axis = name === TENSOR_NAMES.itemEmbedding || name === TENSOR_NAMES.positionEmbedding ? 0 : 1;
      const { q, scales } = quantizeInt8(data, shape[0]!, shape[1]!, axis);
      tensors.push({ name, dtype: 'int8', shape, data: q, quant: { scales: `${name}/scales`, axis } });
      tensors.push({ name: `${name}/scales`, dtype: 'float32', shape: [scales.length], data: scales });
    } else tensors.push({ name, dtype: 'float32', shape, data });
  }
  const P = Math.min(1000, n),
    M = 5;
  tensors.push({ name: TENSOR_NAMES.popularItems, dtype: 'int32', shape: [P], data: Int32Array.from({ length: P }, (_, i) => i + 1) });
  tensors.push({
    name: TENSOR_NAMES.popularScores,
    dtype: 'float32',
    shape: [P],
    data: Float32Array.from({ length: P }, (_, i) => 1 / (i + 1)),
  });
  const cooc = new Int32Array((n + 1) * M);
  for (let r = 1; r <= n; r++) for (let j = 0; j < M; j++) cooc[r * M + j] = 1 + ((r * 31 + j * 7919) % n);
  tensors.push({ name: TENSOR_NAMES.coocItems, dtype: 'int32', shape: [n + 1, M], data: cooc });
  tensors.push({ name: TENSOR_NAMES.coocScores, dtype: 'float32', shape: [n + 1, M], data: new Float32Array((n + 1) * M).fill(0.5) });
  const { bytes, entries } = encodeTensors(tensors);
  const vocab = new TextEncoder().encode(JSON.stringify(Array.from({ length: n }, (_, i) => `i${i + 1}`)));
  writeFileSync(join(dir, 'weights.bin'), bytes);
  writeFileSync(join(dir, 'vocab.json'), vocab);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    name: `synthetic-${n}`,
    version: `synthetic-${n}-1`,
    createdAt: new Date().toISOString(),
    architecture: arch,
    itemCount: n,
    quantization: { scheme: 'int8-symmetric', description: 'synthetic random weights' },
    tensors: entries,
    files: {
      'weights.bin': { sha256: sha(bytes), bytes: bytes.byteLength },
      'vocab.json': { sha256: sha(vocab), bytes: vocab.byteLength },
    },
    weightsFile: 'weights.bin',
    vocabFile: 'vocab.json',
    coldStart: { popularCount: P, cooccurrenceNeighbours: M },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

// The naive baseline, bundled for the page: tfjs (wasm) on the main thread with the shared encoder.
const NAIVE = `
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { decodeTensors, toFloatWeights, encodeSequence, SasrecScorer } from '@localrec/model';
export async function naive(modelUrl, history, iters) {
  setWasmPaths('/runtime/');
  await tf.setBackend('wasm'); await tf.ready();
  const m = await (await fetch(modelUrl + 'manifest.json')).json();
  const buf = await (await fetch(modelUrl + m.weightsFile)).arrayBuffer();
  const vocab = await (await fetch(modelUrl + m.vocabFile)).json();
  const w = toFloatWeights(decodeTensors(m.tensors, buf));
  const s = new SasrecScorer(m.architecture, m.itemCount, w); // holds the encoder weights + item table
  const rowOf = new Map(vocab.map((id, i) => [id, i + 1]));
  const L = m.architecture.maxLen, d = m.architecture.dim;
  const predict = (rows) => tf.tidy(() => {
    const padded = new Int32Array(L); padded.set(rows.slice(-L), L - Math.min(L, rows.length));
    const idx = tf.tensor2d(padded, [1, L], 'int32');
    const mask = tf.expandDims(tf.cast(tf.notEqual(idx, 0), 'float32'), -1);
    const emb = tf.reshape(tf.gather(s.itemEmb, tf.reshape(idx, [L])), [1, L, d]);
    const h = encodeSequence(m.architecture, s.params, emb, mask);
    const u = tf.reshape(tf.slice(h, [0, L - 1, 0], [1, 1, d]), [1, d]);
    const scores = tf.matMul(u, s.itemEmb, false, true);
    return tf.topk(scores, 10 + rows.length);
  });
  const rows = history.map((id) => rowOf.get(id));
  const times = [];
  for (let i = 0; i < iters + 5; i++) {
    const t0 = performance.now();
    const { values, indices } = predict(rows);
    const [v, ix] = await Promise.all([values.data(), indices.data()]);
    values.dispose(); indices.dispose();
    const seen = new Set(rows); const out = [];
    for (let j = 0; j < ix.length && out.length < 10; j++) if (!seen.has(ix[j]) && ix[j] > 0) out.push([vocab[ix[j] - 1], v[j]]);
    if (i >= 5) times.push(performance.now() - t0);
  }
  s.dispose();
  return times;
}`;

const r2 = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  if (!existsSync(join(DIST, 'worker.js'))) throw new Error('packages/runtime/dist is missing: run `pnpm build` first');
  const models: { name: string; dir: string; backends: string[] }[] = [];
  const games = join(repo, 'models/games-sasrec');
  models.push(
    existsSync(join(games, 'manifest.json'))
      ? { name: 'games-sasrec', dir: games, backends: BACKENDS }
      : { name: 'synthetic-23715 (games shape; models/games-sasrec absent)', dir: syntheticBundle(23715), backends: BACKENDS },
  );
  for (const n of SIZES)
    models.push({ name: `synthetic-${n}`, dir: syntheticBundle(n), backends: BACKENDS.filter((b) => b === 'wasm' || b === 'cpu') });

  const naiveJs = (
    await build({
      stdin: { contents: NAIVE, resolveDir: join(repo, 'packages/runtime'), loader: 'js' },
      bundle: true,
      format: 'esm',
      write: false,
      conditions: ['@localrec/source'],
      platform: 'browser',
      logLevel: 'silent',
      external: ['fs', 'path', 'os', 'perf_hooks', 'worker_threads', 'crypto', 'util'],
    })
  ).outputFiles[0]!.text;
  const storeJs = (
    await build({
      entryPoints: [join(repo, 'packages/store-idb/src/index.ts')],
      bundle: true,
      format: 'esm',
      write: false,
      conditions: ['@localrec/source'],
      platform: 'browser',
      logLevel: 'silent',
    })
  ).outputFiles[0]!.text;

  const server = await startStaticServer({
    mounts: { '/runtime/': DIST, ...Object.fromEntries(models.map((m, i) => [`/models/m${i}/`, m.dir])) },
    routes: {
      '/': { body: '<!doctype html><meta charset="utf-8"><script type="module" src="/bench/boot.js"></script>' },
      '/bench/boot.js': {
        type: contentType('boot.js'),
        body: "import * as c from '/runtime/connector.js'; import * as s from '/bench/store.js'; import * as n from '/bench/naive.js'; window.__b = { c, s, n };",
      },
      '/bench/store.js': { type: contentType('store.js'), body: storeJs },
      '/bench/naive.js': { type: contentType('naive.js'), body: naiveJs },
    },
    crossOriginIsolated: ISOLATED,
  });
  const origin = server.url;
  const browser = await launchChromium();
  const results: Record<string, unknown>[] = [];
  try {
    for (const [i, m] of models.entries()) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') console.error(`  [page] ${msg.text()}`);
      });
      await page.goto(origin);
      await page.waitForFunction(() => !!(window as unknown as { __b?: unknown }).__b);
      const modelUrl = `/models/m${i}/`;
      const history = JSON.parse(readFileSync(join(m.dir, 'vocab.json'), 'utf8'))
        .filter((_: string, j: number) => j % 97 === 3)
        .slice(0, 50) as string[];
      const row: Record<string, unknown> = {
        model: m.name,
        items: JSON.parse(readFileSync(join(m.dir, 'manifest.json'), 'utf8')).itemCount,
      };
      row.crossOriginIsolated = await page.evaluate(() => self.crossOriginIsolated);
      row.storedBesidesHistory = STORED;
      console.log(
        `\n${m.name}: ${row.items} items${row.crossOriginIsolated ? ' (page cross-origin isolated)' : ''}${STORED ? `, ${STORED} older events stored` : ''}`,
      );
      // Cold then warm load to the first recommendation, with calibration (auto backend choice).
      const loadBackends = m.backends.filter((b) => b !== 'webgpu');
      for (const phase of ['cold', 'warm']) {
        const r = await page
          .evaluate(
            async ({ modelUrl, history, appId, loadBackends, stored }) => {
              const b = (window as unknown as { __b: { c: any; s: any } }).__b;
              const store = new b.s.IndexedDbEventStore({ appId });
              if (!(await store.count())) {
                // `--stored N`: N older events first (the store of a long-time shopper; the default cap is 20,000).
                for (let k = 0; k < stored; k += 500) {
                  await store.append(
                    Array.from({ length: Math.min(500, stored - k) }, (_, j) => ({
                      uid: `o${k + j}`,
                      type: 'view',
                      ts: 1000 + k + j,
                      sessionId: 'o',
                      itemId: history[(k + j) % history.length],
                      data: {},
                    })),
                  );
                }
                await store.append(
                  history.map((itemId: string, j: number) => ({
                    uid: `h${j}`,
                    type: 'view',
                    ts: 1000 + stored + j,
                    sessionId: 's',
                    itemId,
                    data: {},
                  })),
                );
              }
              const t0 = performance.now();
              const api = await b.c
                .workerRuntime({ assetsUrl: '/runtime/', modelUrl, budgetMs: 1e6, readyTimeoutMs: 1e6, backends: loadBackends })
                .connect({ appId, consent: 'granted' });
              const first = await api.recommend({ k: 10 });
              const ms = performance.now() - t0;
              const st = await api.status();
              await api.dispose();
              store.close();
              return {
                ms,
                source: first.fallbackReason ? `${first.source} (${first.fallbackReason})` : first.source,
                backend: st.backend,
                calibration: st.calibration?.timings,
                memory: st.memory,
                error: st.error,
              };
            },
            { modelUrl, history, appId: `bench-${i}`, loadBackends, stored: STORED },
          )
          .catch((e: Error) => ({
            ms: NaN,
            source: `error: ${e.message}`,
            backend: undefined,
            calibration: undefined,
            memory: undefined,
            error: undefined,
          }));
        row[`${phase}LoadMs`] = r2(r.ms);
        if (phase === 'cold') {
          row.calibration = r.calibration;
          row.chosen = r.backend;
          row.memory = r.memory;
        }
        console.log(
          `  ${phase} load → first recommendation: ${r2(r.ms)} ms (backend ${r.backend}, ${r.source}) calibration ${JSON.stringify(r.calibration)}${r.error ? ` error ${JSON.stringify(r.error)}` : ''}`,
        );
      }
      for (const backend of m.backends) {
        const iters = backend === 'webgpu' ? 10 : m.backends.length > 2 || backend === 'wasm' ? ITERS : Math.max(10, ITERS / 10);
        const r = await page.evaluate(
          async ({ modelUrl, backend, iters, appId, history }) => {
            const b = (window as unknown as { __b: { c: any; s: any } }).__b;
            try {
              const api = await b.c
                .workerRuntime({ assetsUrl: '/runtime/', modelUrl, forceBackend: backend, budgetMs: 1e6, mode: 'worker' })
                .connect({ appId, consent: 'granted' });
              await api.ready();
              for (let j = 0; j < 5; j++) await api.recommend({ k: 10 });
              const times = [];
              const took = [];
              let source = '';
              for (let j = 0; j < iters; j++) {
                const t0 = performance.now();
                const res = await api.recommend({ k: 10 });
                times.push(performance.now() - t0);
                took.push(res.tookMs);
                source = res.source;
              }
              took.sort((x: number, y: number) => x - y);
              const repeatedTimings = (await api.status()).lastTimings;
              // Fresh history: before each call (outside the timed part) the page stores one more view
              // (cycling through the 50 history items, so the window stays 50 long but changes), so
              // every call scores a new model input: no reuse of the previous scores. Two runtimes
              // (workers) on the same store, in alternating blocks of 20 calls: the shipped default,
              // and one with `prepareNext: false` (the encoder not prepared in idle time). Only the
              // first call of a block sees more than one new event (its runtime missed a block).
              const apiOff = await b.c
                .workerRuntime({
                  assetsUrl: '/runtime/',
                  modelUrl,
                  forceBackend: backend,
                  budgetMs: 1e6,
                  mode: 'worker',
                  prepareNext: false,
                })
                .connect({ appId, consent: 'granted' });
              await apiOff.ready();
              for (let j = 0; j < 5; j++) await apiOff.recommend({ k: 10 });
              const store = new b.s.IndexedDbEventStore({ appId });
              const runs = [api, apiOff].map(() => ({
                wall: [] as number[],
                read: [] as number[],
                score: [] as number[],
                rank: [] as number[],
                took: [] as number[],
                incremental: 0,
                source: '',
              }));
              const n = Math.min(iters, 100);
              for (let j = 0; j < 2 * n; j++) {
                const v = Math.floor(j / 20) % 2;
                const rt = v === 0 ? api : apiOff;
                const run = runs[v]!;
                await store.append([
                  {
                    uid: `f${Date.now()}-${j}`,
                    type: 'view',
                    ts: 100_000 + (Date.now() % 1e9) + j,
                    sessionId: 's',
                    itemId: history[j % history.length],
                    data: {},
                  },
                ]);
                const t0 = performance.now();
                const res = await rt.recommend({ k: 10 });
                run.wall.push(performance.now() - t0);
                run.source = res.source;
                // The in-worker split of this call (read outside the timed part).
                const lt = (await rt.status()).lastTimings;
                run.took.push(res.tookMs);
                if (lt) {
                  run.read.push(lt.readMs);
                  run.score.push(lt.scoreMs);
                  run.rank.push(lt.rankMs);
                  if (lt.encoder === 'incremental') run.incremental++;
                }
              }
              await apiOff.dispose();
              // (no named helper function here: tsx would wrap it in a `__name` call the page lacks)
              const split = runs.map((x) => {
                for (const a of [x.read, x.score, x.rank, x.took]) a.sort((p, q) => p - q);
                return {
                  readP50: x.read[x.read.length >> 1],
                  scoreP50: x.score[x.score.length >> 1],
                  rankP50: x.rank[x.rank.length >> 1],
                  inWorkerP50: x.took[x.took.length >> 1],
                  incrementalEncodes: x.incremental,
                };
              });
              const fresh = runs[0]!.wall;
              const freshSource = runs[0]!.source;
              const freshTimings = split[0];
              const freshOff = { wall: runs[1]!.wall, timings: split[1] };
              store.close();
              // The bare Comlink round trip (a status() call: no store, no tfjs work), for the breakdown.
              const hops = [];
              for (let j = 0; j < 50; j++) {
                const t0 = performance.now();
                await api.status();
                hops.push(performance.now() - t0);
              }
              hops.sort((x: number, y: number) => x - y);
              const st = await api.status();
              // The browser's own figure (the page and its worker), where it has one: it needs cross-origin isolation (`--isolated`).
              const measure = (performance as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> })
                .measureUserAgentSpecificMemory;
              const uaMemory: number | string =
                !self.crossOriginIsolated || !measure
                  ? `unavailable (${self.crossOriginIsolated ? 'no performance.measureUserAgentSpecificMemory' : 'page not cross-origin isolated'})`
                  : await Promise.race([
                      measure.call(performance).then((m) => m.bytes),
                      new Promise<string>((res) => setTimeout(() => res('unavailable (no answer within 60 s)'), 60_000)),
                    ]);
              await api.dispose();
              return {
                times,
                source,
                memory: st.memory,
                uaMemory,
                lastTimings: repeatedTimings,
                hopP50: hops[25],
                tookP50: took[took.length >> 1],
                fresh,
                freshSource,
                freshTimings,
                freshOff,
              };
            } catch (e) {
              return { error: String((e as Error).message ?? e) };
            }
          },
          { modelUrl, backend, iters, appId: `bench-${i}`, history },
        );
        if ('error' in r) {
          row[backend] = { error: r.error };
          console.log(`  ${backend}: ${r.error}`);
          continue;
        }
        const freshStats = r.fresh?.length
          ? {
              p50: r2(percentile(r.fresh, 0.5)),
              p95: r2(percentile(r.fresh, 0.95)),
              n: r.fresh.length,
              source: r.freshSource,
              inWorkerMedians: r.freshTimings,
              withoutPrepareNext: {
                p50: r2(percentile(r.freshOff.wall, 0.5)),
                p95: r2(percentile(r.freshOff.wall, 0.95)),
                n: r.freshOff.wall.length,
                inWorkerMedians: r.freshOff.timings,
              },
            }
          : undefined;
        const stats = {
          p50: r2(percentile(r.times, 0.5)),
          p95: r2(percentile(r.times, 0.95)),
          n: r.times.length,
          memory: r.memory,
          userAgentSpecificMemory: r.uaMemory,
          lastCallInWorker: r.lastTimings,
          inWorkerP50: r2(r.tookP50 ?? NaN),
          statusRoundTripP50: r2(r.hopP50 ?? NaN),
          freshHistory: freshStats,
        };
        row[backend] = stats;
        const mb = (b: number) => (b / 2 ** 20).toFixed(1);
        console.log(
          `  ${backend}${backend === 'webgpu' ? ' (SwiftShader, not a perf figure)' : ''}: p50 ${stats.p50} ms, p95 ${stats.p95} ms (n=${stats.n}, ${r.source}); worker memory host ${mb(r.memory.hostBytes)} MB + tfjs ${mb(r.memory.tfjsBytes)} MB + int8 table ${mb(r.memory.int8TableBytes ?? r.memory.kernelBytes ?? 0)} MB (int8 kernel ${mb(r.memory.kernelBytes ?? 0)} MB, the same memory when it serves), float32 item table ${r.memory.float32TableBytes === undefined ? 'not reported' : `${mb(r.memory.float32TableBytes)} MB`}; measureUserAgentSpecificMemory ${typeof r.uaMemory === 'number' ? `${mb(r.uaMemory)} MB` : r.uaMemory}; last call in worker ${JSON.stringify(r.lastTimings, (_k, v) => (typeof v === 'number' ? r2(v) : v))}; in-worker (result.tookMs) p50 ${stats.inWorkerP50} ms; bare status() round trip p50 ${stats.statusRoundTripP50} ms`,
        );
        if (freshStats) {
          const fmt = (o: unknown) => JSON.stringify(o, (_k, v) => (typeof v === 'number' ? r2(v) : v));
          console.log(
            `  ${backend} with a fresh history every call (one more stored view before each): p50 ${freshStats.p50} ms, p95 ${freshStats.p95} ms (n=${freshStats.n}, ${freshStats.source}); in worker, medians over the calls ${fmt(freshStats.inWorkerMedians)}`,
          );
          const off = freshStats.withoutPrepareNext;
          console.log(
            `  ${backend} fresh history, prepareNext: false (same run, alternating blocks): p50 ${off.p50} ms, p95 ${off.p95} ms (n=${off.n}); in worker ${fmt(off.inWorkerMedians)}`,
          );
        }
      }
      const naive = await page
        .evaluate(
          async ({ modelUrl, history, iters }) =>
            (window as unknown as { __b: { n: { naive: (u: string, h: string[], n: number) => Promise<number[]> } } }).__b.n.naive(
              modelUrl,
              history,
              iters,
            ),
          { modelUrl, history, iters: Math.min(ITERS, 100) },
        )
        .catch((e: Error) => e.message);
      if (typeof naive === 'string') {
        row.naive = { error: naive };
        console.log(`  naive baseline: ${naive}`);
      } else {
        row.naive = { p50: r2(percentile(naive, 0.5)), p95: r2(percentile(naive, 0.95)), n: naive.length };
        const w = row.wasm as { p50?: number } | undefined;
        if (w?.p50) row.wasmSpeedupVsNaiveP50 = r2(percentile(naive, 0.5) / w.p50);
        const wf = (row.wasm as { freshHistory?: { p50: number } } | undefined)?.freshHistory;
        if (wf?.p50) row.wasmFreshHistorySpeedupVsNaiveP50 = r2(percentile(naive, 0.5) / wf.p50);
        const wo = (row.wasm as { freshHistory?: { withoutPrepareNext?: { p50: number } } } | undefined)?.freshHistory?.withoutPrepareNext;
        if (wo?.p50) row.wasmFreshNoPrepareSpeedupVsNaiveP50 = r2(percentile(naive, 0.5) / wo.p50);
        console.log(
          `  naive baseline (main thread, wasm, fp32, predict + topk): p50 ${r2(percentile(naive, 0.5))} ms, p95 ${r2(percentile(naive, 0.95))} ms${w?.p50 ? `; wasm recommend() is ${row.wasmSpeedupVsNaiveP50}x faster at p50` : ''}${wf?.p50 ? ` (${row.wasmFreshHistorySpeedupVsNaiveP50}x with a fresh history every call; ${row.wasmFreshNoPrepareSpeedupVsNaiveP50}x without prepareNext)` : ''}`,
        );
      }
      results.push(row);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  mkdirSync(join(repo, 'benchmarks/results'), { recursive: true });
  const out = join(repo, 'benchmarks/results', `recommend-${new Date().toISOString().slice(0, 10)}${TAG ? `-${TAG}` : ''}.json`);
  writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        chromium: browser.version(),
        note: 'headless Chromium, 2 cores, no GPU (webgl/webgpu = SwiftShader)',
        results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${out}`);
}

await main();
