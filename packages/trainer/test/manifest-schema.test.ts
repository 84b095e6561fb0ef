/**
 * The manifest's JSON Schema (packages/model/manifest.schema.json), the contract other tools check
 * against (the PyTorch exporter in trainers/pytorch), as used by `validateBundleDir`.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestProblems } from '@localrec/model';
import { manifestSchemaProblems, validateBundleDir } from '../src/bundle-io.js';

const repo = join(import.meta.dirname, '../../..');
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(repo, dir, 'manifest.json'), 'utf8')) as Record<string, any>;
const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('manifest.schema.json', () => {
  it('accepts the committed bundles', () => {
    for (const d of ['models/demo-shop', 'models/games-sasrec']) expect(manifestSchemaProblems(manifestOf(d)), d).toEqual([]);
  });

  it('names the path, the bad value and the accepted ones', () => {
    const m = manifestOf('models/demo-shop');
    m.architecture.norm = 'middle';
    m.tensors[0].offset = 3;
    m.files['weights.bin'].sha256 = 'XYZ';
    delete m.vocabFile;
    expect(manifestSchemaProblems(m)).toEqual([
      'manifest.vocabFile: missing (required by manifest.schema.json)',
      'manifest.architecture.norm: "middle" must be equal to one of the allowed values (accepted: "pre", "post") (manifest.schema.json)',
      'manifest.tensors[0].offset: 3 must be multiple of 4 (manifest.schema.json)',
      'manifest.files.weights.bin.sha256: "XYZ" must match pattern "^[0-9a-f]{64}$" (manifest.schema.json)',
    ]);
  });

  it("refuses every structural fault the model package's validator refuses", () => {
    const faults: [string, (m: Record<string, any>) => void][] = [
      ['format', (m) => (m.format = 'other')],
      ['formatVersion', (m) => (m.formatVersion = 2)],
      ['version', (m) => (m.version = '')],
      ['itemCount', (m) => (m.itemCount = 0)],
      ['architecture.type', (m) => (m.architecture.type = 'gru4rec')],
      ['architecture.dim', (m) => (m.architecture.dim = 1.5)],
      ['architecture.blocks', (m) => (m.architecture.blocks = 2 ** 31)],
      ['architecture.norm', (m) => (m.architecture.norm = 'both')],
      ['tensors', (m) => (m.tensors = {})],
      ['tensors[0]', (m) => (m.tensors[0] = 'item_emb')],
      ['files', (m) => (m.files = null)],
      ['weightsFile', (m) => delete m.weightsFile],
    ];
    for (const [what, mutate] of faults) {
      const m = manifestOf('models/demo-shop');
      mutate(m);
      expect(manifestProblems(m).length, `${what}: model validator`).toBeGreaterThan(0);
      expect(manifestSchemaProblems(m).length, `${what}: schema`).toBeGreaterThan(0);
    }
  });

  it('validateBundleDir reports schema problems next to the file checks', async () => {
    const d = mkdtempSync(join(tmpdir(), 'localrec-schema-'));
    tmp.push(d);
    cpSync(join(repo, 'models/demo-shop'), d, { recursive: true });
    const m = manifestOf('models/demo-shop');
    m.coldStart.popularCount = -1;
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    expect(await validateBundleDir(d)).toEqual(['manifest.coldStart.popularCount: -1 must be >= 0 (manifest.schema.json)']);
  });
});
