/**
 * The bundle contract across tools: a SASRec trained by the reference PyTorch trainer
 * (trainers/pytorch, DistributedDataParallel over 2 gloo processes on CPU) and exported there is
 * (1) accepted by `localrec validate` (which also checks packages/model/manifest.schema.json),
 * (2) scored by the TypeScript eval with the metrics PyTorch computes on the same split, and
 * (3) served by the browser runtime (BUILT worker, wasm backend, real Chromium, events in real
 * IndexedDB) with the top-10 PyTorch computes from the same (dequantised int8) weights.
 * A checkpoint in the SASRec.pytorch layout, made here, converts into a bundle that passes the same checks.
 *
 * Needs PyTorch: Debian's python3-torch (1.13) under /usr/bin/python3, or any `python3` that
 * imports torch (LOCALREC_PYTHON picks the interpreter). Without it the file is skipped with a message.
 *
 * Tolerances, and why:
 * - eval: both sides score the SAME int8-dequantised float32 weights (dequantisation is exact in
 *   float32 on both), so the only differences are float32 summation order (tfjs wasm/XNNPACK vs
 *   PyTorch's CPU kernels, ~1e-6 relative on user vectors). That can only move a target past a
 *   competitor whose score is within ~1e-5 of it: HR@k/NDCG@k/MRR may differ by at most
 *   2 users' worth (2 / users); the measured difference is printed.
 * - top-10: scores within 2e-3 (as test/e2e/runtime.test.ts), the same ids except where
 *   PyTorch's scores tie within that tolerance at the cut, and the same order where scores are
 *   more than the tolerance apart.
 * - PyTorch fp32 vs int8 (reported, not asserted): int8 per-row/per-column quantisation moves
 *   scores by ~1%, which can reorder close items.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildColdTables, loadBundleDir, loadDataset, splitLeaveOneOut, writeBundle } from '@localrec/trainer';
import { BOOT_PATH, bootPage, bootScript, repo, storeModuleJs, useBrowser } from './helpers.js';
import { startStaticServer, type StaticServer } from '../static-server.mjs';
import { localrec, python, runPython, torchCli } from './torch.js';

const DIST = join(repo, 'packages/runtime/dist');
const TOL = 2e-3;

/** Deterministic LCG for the synthetic data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * SASRec text data with learnable structure: 300 users over 120 items; item i is usually followed
 * by i+1 (mod 120), sometimes by a random item.
 */
function syntheticData(): string {
  const rnd = lcg(11);
  const items = 120;
  const lines: string[] = [];
  for (let u = 1; u <= 300; u++) {
    const len = 6 + Math.floor(rnd() * 12);
    let it = 1 + Math.floor(rnd() * items);
    for (let i = 0; i < len; i++) {
      lines.push(`${u} ${it}`);
      it = rnd() < 0.6 ? (it % items) + 1 : 1 + Math.floor(rnd() * items);
    }
  }
  return lines.join('\n') + '\n';
}

/** Distinct-item histories (item ids), so a page's stored events are exactly the history. */
const SEQUENCES = [
  ['5', '6', '7'],
  ['42'],
  ['100', '101', '102', '103', '104', '105', '106', '107', '108', '109', '110', '111'],
  ['17', '90', '3', '64'],
];

const suite = python ? describe : describe.skip;

suite('PyTorch (DDP) bundle: validate, eval parity with TypeScript, top-10 parity with the browser runtime', () => {
  let dir: string;
  let data: string;
  let bundle: string;
  let fp32: string;
  let trained: any;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'localrec-torch-'));
    data = join(dir, 'synthetic.txt');
    writeFileSync(data, syntheticData());
    bundle = join(dir, 'torch-sasrec');
    fp32 = join(dir, 'torch-sasrec-fp32');
    trained = await torchCli([
      'train', '--data', data, '--out', bundle, '--fp32-out', fp32, '--procs', '2', '--dim', '16', '--max-len', '10', '--blocks', '2', '--heads', '2',
      '--segments', '0', '--dropout', '0.1', '--epochs', '12', '--eval-every', '4', '--batch-size', '32', '--lr', '0.01', '--seed', '1',
    ]); // prettier-ignore
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trains on 2 processes (DDP, gloo) and learns the sequences', () => {
    expect(trained.world).toBe(2);
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    expect(manifest.training.backend).toMatch(/^pytorch-.*-ddp2$/);
    expect(manifest.quantization.scheme).toBe('int8-symmetric');
    // Random ranking of ~110 candidates gives HR@10 ≈ 0.09: the model must have learnt i → i+1.
    expect(trained.metrics['sasrec-int8/full']['HR@10']).toBeGreaterThan(0.3);
    console.log(
      `pytorch-parity: trained ${trained.history.length} epochs in ${trained.seconds.toFixed(1)} s; ${JSON.stringify(trained.metrics)}`,
    );
  });

  it('`localrec validate` accepts the bundle', async () => {
    const r = await localrec(['validate', bundle]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(': valid');
  });

  it("the TypeScript writer, given PyTorch's float32 weights and the same data, writes byte-identical weights.bin and vocab.json", async () => {
    // Same int8 quantisation (scales, rounding), same tensor order and alignment, same cold-start tables.
    const f = await loadBundleDir(fp32);
    const ds = loadDataset(data);
    const s = splitLeaveOneOut(ds);
    const split = { itemCount: ds.itemIds.length, train: s.train, valid: s.valid, test: s.test };
    const out = join(dir, 'ts-rewrite');
    writeBundle(out, {
      name: 'ts-rewrite',
      version: f.manifest.version,
      arch: f.manifest.architecture,
      itemCount: f.manifest.itemCount,
      weights: f.weights,
      vocab: ds.itemIds,
      cold: buildColdTables(split, { neighbours: 10 }),
      quantize: true,
    });
    for (const file of ['weights.bin', 'vocab.json'])
      expect(readFileSync(join(out, file)).equals(readFileSync(join(bundle, file))), file).toBe(true);
    const [ours, theirs] = [out, bundle].map((d) => JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')));
    expect(theirs.tensors).toEqual(ours.tensors);
    expect(theirs.files).toEqual(ours.files);
    expect(theirs.quantization).toEqual(ours.quantization);
    expect(theirs.coldStart).toEqual(ours.coldStart);
  });

  it('the TypeScript eval gives the metrics PyTorch computes on the same split (full ranking)', async () => {
    const ts = await localrec(['eval', '--bundle', bundle, '--data', data, '--protocol', 'full', '--json']);
    expect(ts.code).toBe(0);
    const tsOut = JSON.parse(ts.stdout.trim().split('\n').pop()!);
    const py = await torchCli(['eval', '--bundle', bundle, '--data', data]);
    expect(tsOut.users).toBe(py.users);
    expect(py.users).toBeGreaterThan(250);
    const tol = 2 / py.users;
    const diffs: Record<string, number> = {};
    for (const k of ['HR@1', 'HR@5', 'HR@10', 'HR@20', 'NDCG@10', 'NDCG@20', 'MRR']) {
      diffs[k] = Math.abs(tsOut.metrics[k] - py.metrics[k]);
      expect(diffs[k], k).toBeLessThanOrEqual(tol);
    }
    // The exporter's own int8 evaluation (written to the manifest) is this same computation.
    expect(Math.abs(trained.metrics['sasrec-int8/full']['NDCG@10'] - py.metrics['NDCG@10'])).toBeLessThanOrEqual(1e-9);
    const fp32m = trained.metrics['sasrec-fp32/full'];
    console.log(
      `pytorch-parity: TS eval ${JSON.stringify({ hr10: tsOut.metrics['HR@10'], ndcg10: tsOut.metrics['NDCG@10'] })}, ` +
        `PyTorch int8 ${JSON.stringify({ hr10: py.metrics['HR@10'], ndcg10: py.metrics['NDCG@10'] })}, ` +
        `PyTorch fp32 ${JSON.stringify({ hr10: fp32m['HR@10'], ndcg10: fp32m['NDCG@10'] })}; |TS − PyTorch| ${JSON.stringify(diffs)} (allowed ${tol.toFixed(4)})`,
    );
  });

  describe('the browser runtime (built worker, wasm)', () => {
    let server: StaticServer;
    const chromium = useBrowser();
    beforeAll(async () => {
      if (!existsSync(join(DIST, 'worker.js')))
        throw new Error('packages/runtime/dist/worker.js is missing: run `pnpm build` first (pnpm test does).');
      const storeJs = await storeModuleJs();
      server = await startStaticServer({
        mounts: { '/runtime/': DIST, '/models/torch/': bundle },
        routes: {
          '/': { body: bootPage('pytorch parity') },
          [BOOT_PATH]: bootScript({ connector: '/runtime/connector.js', store: '/__e2e/store.js' }),
          '/__e2e/store.js': { type: 'text/javascript; charset=utf-8', body: storeJs },
        },
      });
    }, 180_000);
    afterAll(async () => {
      await server?.close();
    });

    it('recommend() returns the top-10 PyTorch computes from the exported weights', async () => {
      const want: { results: { itemId: string; score: number }[][] } = await torchCli([
        'topk', '--bundle', bundle, '--sequences', JSON.stringify(SEQUENCES), '--k', '30',
      ]); // prettier-ignore
      const page = await chromium.browser.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
      const got = await page.evaluate(async (sequences) => {
        const { connector, store } = (window as unknown as { __e2e: { connector: any; store: any } }).__e2e;
        const out: { itemId: string; score: number; source: string }[][] = [];
        let n = 0;
        for (const seq of sequences) {
          // One shopper per history: the stored events are exactly this sequence.
          const appId = `torch-${n++}`;
          const events = new store.IndexedDbEventStore({ appId });
          // Human-paced (7–40 s apart, uneven): the abnormal-behaviour filter, on by default, keeps
          // machine-paced histories out of the model input, and this history must reach the model whole.
          let ts = 1_000_000;
          let k = 0;
          await events.append(
            seq.map((itemId: string) => ({
              uid: `${appId}-${ts}`,
              type: 'view',
              ts: (ts += 7_000 + ((++k * 7919) % 33_000)),
              sessionId: 's',
              itemId,
              data: {},
            })),
          );
          const api = await connector
            .workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/torch/', forceBackend: 'wasm', budgetMs: 600_000 })
            .connect({ appId, consent: 'granted' });
          await api.ready();
          const r = await api.recommend({ k: 10, excludePurchased: false });
          out.push(
            r.items.map((i: { itemId: string; score: number; source: string }) => ({ itemId: i.itemId, score: i.score, source: i.source })),
          );
          await api.dispose();
          events.close();
        }
        return out;
      }, SEQUENCES);
      await page.close();
      let identical = 0;
      got.forEach((items, i) => {
        const ref = want.results[i]!;
        const refScore = new Map(ref.map((x) => [x.itemId, x.score]));
        expect(items).toHaveLength(10);
        for (const it of items) {
          expect(it.source).toBe('model');
          expect(SEQUENCES[i]).not.toContain(it.itemId);
          // Every browser pick is within PyTorch's top 30 and scores what PyTorch scores it.
          expect(refScore.has(it.itemId), `${it.itemId} in PyTorch's top 30 of sequence ${i}`).toBe(true);
          expect(Math.abs(it.score - refScore.get(it.itemId)!)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(refScore.get(it.itemId)!)));
        }
        // PyTorch's top-10 ids, except those tied (within TOL) with the 10th, are all returned…
        const cut = ref[9]!.score;
        const sure = ref.slice(0, 10).filter((x) => x.score > cut + TOL * Math.max(1, Math.abs(cut)));
        const ids = items.map((x) => x.itemId);
        for (const x of sure) expect(ids).toContain(x.itemId);
        // …in PyTorch's order wherever their scores are further apart than TOL.
        for (let a = 0; a < sure.length; a++)
          for (let b = a + 1; b < sure.length; b++)
            if (sure[a]!.score > sure[b]!.score + TOL) expect(ids.indexOf(sure[a]!.itemId)).toBeLessThan(ids.indexOf(sure[b]!.itemId));
        if (
          ids.join() ===
          ref
            .slice(0, 10)
            .map((x) => x.itemId)
            .join()
        )
          identical++;
      });
      console.log(`pytorch-parity: browser top-10 identical to PyTorch's (ids and order) for ${identical}/${SEQUENCES.length} histories`);
    });
  });
});

suite('SASRec.pytorch checkpoint → bundle (converter)', () => {
  it('converts a checkpoint made in that layout; the bundle validates and scores as the checkpoint does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'localrec-convert-'));
    try {
      // The Python side builds the checkpoint with the layout's own torch modules (nn.MultiheadAttention,
      // 1×1 Conv1d), converts it, and compares the bundle's scores with the checkpoint's forward pass.
      await runPython(
        [
          '-m',
          'unittest',
          '-v',
          'tests.test_convert',
          'tests.test_bundle',
          'tests.test_data',
          'tests.test_segments',
          'tests.test_abnormal',
        ],
        {
          LOCALREC_CONVERT_OUT: dir,
        },
      );
      for (const name of ['converted-int8', 'converted-fp32']) {
        const r = await localrec(['validate', join(dir, name)]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
