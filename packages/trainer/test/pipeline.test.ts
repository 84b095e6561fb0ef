import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { finishBundle } from '../src/pipeline.js';
import { loadBundleDir, validateBundleDir } from '../src/bundle-io.js';
import { train } from '../src/train.js';
import { cyclicData } from './fixtures.js';

describe('train → quantise → export → validate → eval (tiny, generated data)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-bundle-'));
  const split = cyclicData(400, 150, 3);
  let metrics: Record<string, Record<string, number>>;

  beforeAll(async () => {
    await useBackend('wasm');
    const r = await train(split, {
      dim: 16,
      maxLen: 12,
      blocks: 1,
      heads: 1,
      dropout: 0.1,
      epochs: 12,
      evalEvery: 4,
      batchSize: 64,
      lr: 0.005,
      seed: 1,
      validUsers: 400,
    });
    expect(r.history.length).toBeGreaterThan(0);
    ({ metrics } = await finishBundle({
      out: dir,
      name: 'tiny',
      version: 'test-1',
      arch: r.arch,
      split,
      vocab: Array.from({ length: 150 }, (_, i) => `sku-${i + 1}`),
      weights: r.weights,
      quantize: true,
      evalSeeds: [1, 2, 3],
      training: { test: true },
      history: r.history,
      log: () => {},
    }));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('beats the popularity baseline (sampled and full protocols)', () => {
    expect(metrics['sasrec-int8/sampled100']!['NDCG@10']!).toBeGreaterThan(metrics['popular/sampled100']!['NDCG@10']! + 0.1);
    expect(metrics['sasrec-int8/full']!['HR@10']!).toBeGreaterThan(metrics['popular/full']!['HR@10']!);
  });

  it('int8 loses at most 1% relative NDCG@10 against fp32', () => {
    const fp = metrics['sasrec-fp32/sampled100']!['NDCG@10']!;
    const q = metrics['sasrec-int8/sampled100']!['NDCG@10']!;
    expect((fp - q) / fp).toBeLessThanOrEqual(0.01);
  });

  it('writes a valid bundle with a manifest, vocabulary, metrics and a training curve', async () => {
    expect(await validateBundleDir(dir)).toEqual([]);
    const b = await loadBundleDir(dir);
    expect(b.manifest.quantization.scheme).toBe('int8-symmetric');
    expect(b.vocab[0]).toBe('sku-1');
    expect(b.manifest.metrics?.['sasrec-int8/sampled100']?.['HR@10']).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'training-curve.svg'), 'utf8')).toMatch(/^<svg/);
    // Interest segments: k-means centroids [16, d] and their names, hashed like every other file.
    expect(b.manifest.segmentsFile).toBe('segments.json');
    expect(b.manifest.tensors.find((t) => t.name === 'segments/centroids')?.shape).toEqual([16, 16]);
    expect(b.manifest.files['segments.json']?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  describe('bad bundles are refused with every problem named', () => {
    const copy = () => {
      const d = mkdtempSync(join(tmpdir(), 'localrec-bad-'));
      for (const f of ['manifest.json', 'weights.bin', 'vocab.json', 'segments.json'])
        writeFileSync(join(d, f), readFileSync(join(dir, f)));
      return d;
    };
    it('wrong hash', async () => {
      const d = copy();
      const w = readFileSync(join(d, 'weights.bin'));
      w[100] = (w[100]! + 1) % 256;
      writeFileSync(join(d, 'weights.bin'), w);
      const p = await validateBundleDir(d);
      expect(p.join('\n')).toMatch(/file "weights.bin": SHA-256 [0-9a-f]{64} does not match manifest/);
      await expect(loadBundleDir(d)).rejects.toThrow(/SHA-256/);
    });
    it('missing file', async () => {
      const d = copy();
      unlinkSync(join(d, 'vocab.json'));
      expect(await validateBundleDir(d)).toContain('file "vocab.json": missing');
    });
    it('wrong shapes and a vocabulary that does not match the item count', async () => {
      const d = copy();
      const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
      m.tensors.find((t: { name: string }) => t.name === 'pos_emb').shape = [7, 16];
      m.itemCount = 151;
      writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
      const p = (await validateBundleDir(d)).join('\n');
      expect(p).toMatch(/tensor "pos_emb": shape \[7,16\], expected \[12,16\]/);
      expect(p).toMatch(/tensor "item_emb": shape \[151,16\], expected \[152,16\]/);
    });
    it('not a bundle at all', async () => {
      const d = mkdtempSync(join(tmpdir(), 'localrec-empty-'));
      expect((await validateBundleDir(d))[0]).toMatch(/manifest.json: missing/);
      writeFileSync(join(d, 'manifest.json'), '{"format":"other"}');
      expect((await validateBundleDir(d)).join('\n')).toMatch(/manifest.format: "other", expected "localrec-bundle"/);
    });
  });
});

describe('training is reproducible for a seed (dropout masks included)', () => {
  it('two runs with the same seed give the same weights; another seed does not', async () => {
    await useBackend('wasm');
    const split = cyclicData(120, 60, 5);
    const opts = { dim: 8, maxLen: 8, blocks: 1, heads: 1, dropout: 0.3, epochs: 2, evalEvery: 2, batchSize: 32, lr: 0.01, validUsers: 50 };
    const [a, b, c] = [
      await train(split, { ...opts, seed: 7 }),
      await train(split, { ...opts, seed: 7 }),
      await train(split, { ...opts, seed: 8 }),
    ];
    const flat = (w: Map<string, Float32Array>) =>
      [...w.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, Array.from(v)]);
    expect(flat(a.weights)).toEqual(flat(b.weights));
    expect(flat(a.weights)).not.toEqual(flat(c.weights));
  }, 120_000);
});
