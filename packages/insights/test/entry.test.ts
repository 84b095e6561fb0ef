import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../src');

describe('package entry', () => {
  it('exports the public API', async () => {
    const api = await import('../src/index.js');
    for (const name of [
      'ProfileAccumulator',
      'computeProfile',
      'detectAbnormal',
      'createSocialContext',
      'blendScore',
      'blendRanking',
      'Reranker',
      'getSegments',
      'bundleSegments',
      'createSegmentSalt',
    ]) {
      expect(api, name).toHaveProperty(name);
    }
  });

  it('stays pure: no DOM, no tfjs, no storage or network in any source file', () => {
    const banned = [/\bwindow\./, /\bdocument\./, /@tensorflow/, /\blocalStorage\b/, /\bindexedDB\b/, /\bfetch\(/, /\bnavigator\./];
    const files = readdirSync(SRC).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const text = readFileSync(join(SRC, f), 'utf8');
      for (const re of banned) expect(re.test(text), `${f} matches ${re}`).toBe(false);
    }
  });
});
