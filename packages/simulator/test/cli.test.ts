import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fromJsonLines } from '@localrec/simulator';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'localrec-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), ['--conditions=@localrec/source', 'packages/simulator/src/cli.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

describe('simulate CLI', () => {
  it('writes a JSON Lines log and the ground truth, and reports sizes', () => {
    const out = join(dir, 'events.jsonl');
    const truth = join(dir, 'truth.json');
    const r = cli('--seed', '5', '--shoppers', '20', '--out', out, '--truth', truth);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/simulated 20 shoppers \(seed 5\)/);
    const events = fromJsonLines(readFileSync(out, 'utf8'));
    expect(new Set(events.map((e) => e.user)).size).toBe(20);
    const t = JSON.parse(readFileSync(truth, 'utf8')) as { catalog: unknown; shoppers: { id: string }[] };
    expect(t.catalog).toEqual({ seed: 42, size: 300 });
    expect(t.shoppers).toHaveLength(20);
  });

  it('picks CSV from the extension and rejects bad options with exit code 2', () => {
    const out = join(dir, 'events.csv');
    expect(cli('--shoppers', '5', '--out', out).status).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('user,item,timestamp,type');
    const bad = cli('--format', 'xml');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of jsonl, csv, got "xml"/);
    expect(cli('--shoppers', '0').stderr).toMatch(/shoppers must be an integer/);
  });
});
