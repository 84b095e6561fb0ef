/**
 * The shared storage conformance suite on REAL IndexedDB in Firefox ESR: the same cases as
 * packages/store-idb/test/conformance.browser.ts runs in Chromium (vitest's browser mode cannot
 * drive this Firefox). test/firefox/page/conformance.ts declares them with
 * `describeEventStoreConformance`; esbuild bundles it with vitest's runner and `expect`
 * (test/firefox/page/vitest-shim.ts). The case list is collected in a child Node process (collecting
 * touches no storage), and each case below runs that one case in the Firefox page and fails with
 * the page's assertion error when it fails there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOT_PATH, bootPage, bootScript, repo } from '../e2e/helpers.js';
import { startStaticServer, type StaticServer } from '../static-server.mjs';
import { HAS_FIREFOX, SKIPPED_WITHOUT_FIREFOX, useFirefox } from './helpers.js';
import type { ConformanceCase, ConformanceResult } from './page/conformance.js';

/** The page module: the suite, the store from source, vitest's runner and expect, as one ES module. */
const bundle = buildSync({
  entryPoints: [join(import.meta.dirname, 'page/conformance.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  conditions: ['@localrec/source'],
  alias: { vitest: join(import.meta.dirname, 'page/vitest-shim.ts') },
  absWorkingDir: repo,
  logLevel: 'silent',
}).outputFiles[0]!.text;

/** The suite's cases, collected in a separate Node process (vitest's runner keeps global state). */
function collectCases(): ConformanceCase[] {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-ff-conformance-'));
  try {
    const file = join(dir, 'conformance.mjs');
    writeFileSync(file, bundle);
    const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(JSON.stringify(await m.list()));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`collecting the conformance cases failed (exit ${r.status}):\n${r.stderr}`);
    return JSON.parse(r.stdout) as ConformanceCase[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases = collectCases();

describe.skipIf(!HAS_FIREFOX)(`EventStore conformance in Firefox ESR (real IndexedDB)${SKIPPED_WITHOUT_FIREFOX}`, () => {
  const firefox = useFirefox();
  let server: StaticServer;
  let page: Page;

  beforeAll(async () => {
    server = await startStaticServer({
      routes: {
        '/': { body: bootPage('conformance (Firefox)') },
        [BOOT_PATH]: bootScript({ suite: '/__e2e/conformance.js' }),
        '/__e2e/conformance.js': { type: 'text/javascript; charset=utf-8', body: bundle },
      },
    });
    page = await firefox.browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => !!(window as unknown as { __e2e?: unknown }).__e2e);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('collects the whole shared suite (nothing lost on the way to the page)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  for (const c of cases) {
    it.skipIf(c.skipped)(c.name, async () => {
      const r = await page.evaluate(
        (name) => (window as unknown as { __e2e: { suite: { run(n: string): Promise<ConformanceResult> } } }).__e2e.suite.run(name),
        c.name,
      );
      if (r.state !== 'pass') {
        const detail = r.errors.map((e) => [`${e.name ?? 'Error'}: ${e.message}`, e.diff, e.stack].filter(Boolean).join('\n')).join('\n\n');
        throw new Error(`in Firefox: ${r.state}\n${detail}`);
      }
      expect(r).toEqual({ state: 'pass', errors: [] });
    });
  }
});
