import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '@localrec/core';
import { blendProblems, type BundleManifest } from '@localrec/model';
import { main } from '../src/cli.js';

// `localrec train --no-blend` → `localrec blend` → `localrec eval` on a generated SASRec-format
// log where the next item is mostly the previous one + 1: a one-epoch model has not learnt that
// yet, co-occurrence has, so validation must choose a blend, and eval must score with it.

let out: string[];
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

describe('localrec blend (tiny generated log)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-blend-'));
  const data = join(dir, 'chain.txt');
  const bundle = join(dir, 'bundle');
  const manifest = () => JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as BundleManifest;
  const evalJson = async (...extra: string[]) => {
    out = [];
    expect(await main(['eval', '--bundle', bundle, '--data', data, '--protocol', 'full', '--json', ...extra])).toBe(0);
    return JSON.parse(out[out.length - 1]!) as { blend: boolean; metrics: Record<string, number> };
  };

  beforeAll(async () => {
    const rng = SeededRandom.fromInt(5);
    const lines: string[] = [];
    for (let u = 1; u <= 300; u++) {
      let item = 1 + rng.int(40);
      for (let n = 0, len = 5 + rng.int(10); n < len; n++) {
        lines.push(`${u} ${item}`);
        item = rng.next() < 0.8 ? (item % 40) + 1 : 1 + rng.int(40);
      }
    }
    writeFileSync(data, lines.join('\n') + '\n');
    const train = ['train', '--data', data, '--out', bundle, '--epochs', '1', '--dim', '8', '--max-len', '8', '--blocks', '1'];
    expect(await main([...train, '--segments', '0', '--batch-size', '64', '--no-blend'])).toBe(0);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('train --no-blend ships the model alone; blend chooses one on validation, writes it and its test metrics', async () => {
    expect(manifest().blend).toBeUndefined();
    expect(Object.keys(manifest().metrics!).filter((k) => k.startsWith('sasrec-blend/'))).toEqual([]);
    expect(await main(['blend', '--bundle', bundle, '--data', data])).toBe(0);
    const m = manifest();
    expect(m.blend).toBeDefined();
    expect(blendProblems(m.blend)).toEqual([]);
    expect(m.blend!.weights.some((w) => w > 0)).toBe(true);
    expect(out.some((l) => l.startsWith('blend: weights '))).toBe(true);
    expect(out[out.length - 1]).toBe(`${bundle}: valid`);
    const blended = m.metrics!['sasrec-blend/full']!;
    const alone = m.metrics!['sasrec-int8/full']!;
    expect(blended['NDCG@10']!).toBeGreaterThan(alone['NDCG@10']!);
  }, 300_000);

  it('eval scores with the bundle blend (as the manifest measured it) unless --no-blend', async () => {
    const m = manifest();
    const withBlend = await evalJson();
    expect(withBlend.blend).toBe(true);
    expect(withBlend.metrics['NDCG@10']).toBeCloseTo(m.metrics!['sasrec-blend/full']!['NDCG@10']!, 6);
    const alone = await evalJson('--no-blend');
    expect(alone.blend).toBe(false);
    expect(alone.metrics['NDCG@10']).toBeCloseTo(m.metrics!['sasrec-int8/full']!['NDCG@10']!, 6);
  }, 300_000);
});
