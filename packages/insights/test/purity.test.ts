/**
 * @localrec/insights stays pure — no tfjs, no DOM, no other LocalRec package but core — in EVERY
 * source file, the stream logic moved here from the runtime included (it must be here, scanned).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../src');
const files = readdirSync(SRC, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'));

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

describe('insights purity', () => {
  it('scans the modules moved from the runtime', () => {
    for (const f of ['feedback.ts', 'settle.ts', 'stream.ts']) expect(files, f).toContain(f);
  });

  it.each(files)('%s imports only @localrec/core (and its internal entry) and its own modules', (f) => {
    const text = readFileSync(join(SRC, f), 'utf8');
    for (const s of specifiers(text)) {
      expect(s === '@localrec/core' || s === '@localrec/core/internal' || s.startsWith('./'), `${f} imports ${s}`).toBe(true);
    }
  });

  it.each(files)('%s touches no DOM, storage, network or worker global', (f) => {
    const text = readFileSync(join(SRC, f), 'utf8');
    const banned = [
      /\bwindow\./,
      /\bdocument\./,
      /\bnavigator\./,
      /\blocalStorage\b/,
      /\bindexedDB\b/,
      /\bfetch\s*\(/,
      /\bcaches\./,
      /\bself\./,
      /\bXMLHttpRequest\b/,
      /@tensorflow/,
    ];
    for (const re of banned) expect(re.test(text), `${f} matches ${re}`).toBe(false);
  });

  it('the import scan sees what it must refuse (the check can fail)', () => {
    expect(
      specifiers("import * as tf from '@tensorflow/tfjs-core';\nexport { x } from '@localrec/model';\nconst m = await import('comlink');"),
    ).toEqual(['@tensorflow/tfjs-core', '@localrec/model', 'comlink']);
  });
});
