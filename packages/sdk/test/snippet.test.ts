// The snippet's three copies stay identical: snippet.js (source), snippet.html (copy-paste form)
// and the demo shop's index.html; and the stub's method list is the SDK's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { GLOBAL_METHODS } from '../src/global.js';

const root = join(import.meta.dirname, '../../..');
const snippet = readFileSync(join(root, 'packages/sdk/snippet.js'), 'utf8').trim();

/** Runs the snippet against a fake window/document and returns what it left behind. */
function runSnippet(times = 1) {
  const appended: Array<{ src: string; async: boolean }> = [];
  const warnings: string[] = [];
  const el = { async: false, src: '' };
  const document = {
    createElement: () => ({ ...el }),
    head: { appendChild: (s: { src: string; async: boolean }) => appended.push(s) },
  };
  const console = { warn: (m: string) => warnings.push(m) };
  const window: Record<string, unknown> = { console };
  for (let i = 0; i < times; i++) runInNewContext(snippet, { window, document, console, Promise });
  return { window, appended, warnings };
}

describe('snippet', () => {
  test('snippet.html and the shop embed the exact source', () => {
    expect(readFileSync(join(root, 'packages/sdk/snippet.html'), 'utf8')).toContain(snippet);
    expect(readFileSync(join(root, 'examples/shop/public/index.html'), 'utf8')).toContain(snippet);
  });

  test('stubs exactly the global methods, queues calls in order, loads the script once, async', () => {
    const { window, appended, warnings } = runSnippet(2);
    type Stub = unknown[] & {
      methods: string[];
      init(c: object): Promise<unknown>;
      track(t: string, d: object): Promise<unknown>;
      flush(): Promise<unknown>;
    };
    const lr = window.LocalRec as Stub;
    expect([...lr.methods]).toEqual([...GLOBAL_METHODS]);
    void lr.init({ appId: 'x' });
    void lr.track('view', { itemId: 'A' });
    void lr.flush();
    expect(lr.map((e) => (e as unknown[]).slice(0, 2))).toEqual([
      ['init', [{ appId: 'x' }]],
      ['track', ['view', { itemId: 'A' }]],
      ['flush', []],
    ]);
    expect(appended).toEqual([{ async: true, src: '/sdk/localrec.min.js' }]);
    expect(warnings).toEqual(['LocalRec: snippet included twice; ignoring the second copy.']);
  });
});
