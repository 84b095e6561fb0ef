/**
 * The shared storage conformance suite (@localrec/core/testing) against IndexedDbEventStore, as a
 * page module for Firefox (test/firefox/conformance.test.ts bundles it with esbuild, 'vitest'
 * aliased to ./vitest-shim.ts). The cases are the suite's own — declared here by the same call
 * packages/store-idb/test/conformance.browser.ts makes for Chromium — and run by vitest's runner
 * in the page, one at a time, on real IndexedDB; the page hands each result to Node.
 */
import { collectTests, startTests, type File, type Test, type VitestRunner } from '@vitest/runner';
import { getTestName, getTests } from '@vitest/runner/utils';
import { describeEventStoreConformance } from '@localrec/core/testing';
import { IndexedDbEventStore } from '../../../packages/store-idb/src/index.js';
import { failAddsAfter } from '../../../packages/store-idb/test/faults.js';

/** The suite's file name as vitest's runner sees it (no file is read: {@link importFile} declares the cases). */
const FILE = '/store-idb-conformance-firefox';

/** A case's name (its describe blocks and title, joined by ` > `) and whether the suite skips it. */
export interface ConformanceCase {
  name: string;
  skipped: boolean;
}

/** One case's outcome in the page: vitest's state and its errors (message, diff, stack). */
export interface ConformanceResult {
  state: string;
  errors: Array<{ name?: string; message: string; diff?: string; stack?: string }>;
}

function declareSuite(): void {
  describeEventStoreConformance({
    name: 'indexeddb (Firefox)',
    makeStore: (key) => new IndexedDbEventStore({ appId: key }),
    // Real transaction, real abort: the 4th `add` of the next batch throws QuotaExceededError.
    breakStore: () => failAddsAfter(3),
  });
}

function runner(): VitestRunner {
  return {
    config: {
      root: '/',
      setupFiles: [],
      name: undefined,
      passWithNoTests: false,
      testNamePattern: undefined,
      allowOnly: false,
      sequence: { seed: 0, hooks: 'stack', setupFiles: 'list' },
      chaiConfig: undefined,
      maxConcurrency: 1,
      testTimeout: 120_000,
      hookTimeout: 120_000,
      retry: 0,
      includeTaskLocation: false,
      tags: [],
      tagsFilter: undefined,
      strictTags: false,
    },
    importFile: async () => declareSuite(),
  };
}

function only(files: File[]): File {
  const [file] = files;
  if (!file || files.length !== 1) throw new Error(`expected one collected file, got ${files.length}`);
  const err = file.result?.errors?.[0];
  if (err) throw new Error(`collecting the conformance suite failed: ${err.message}`);
  return file;
}

/** Every case of the suite, in declaration order (runs in Node too: collecting touches no storage). */
export async function list(): Promise<ConformanceCase[]> {
  return getTests(only(await collectTests([FILE], runner()))).map((t) => ({ name: getTestName(t), skipped: t.mode === 'skip' }));
}

/** Runs the one case named `name` (as {@link list} gives it) with the suite's hooks. */
export async function run(name: string): Promise<ConformanceResult> {
  const find = (file: File, pred: (t: Test) => boolean): Test | undefined => getTests(file).find(pred);
  const wanted = find(only(await collectTests([FILE], runner())), (t) => getTestName(t) === name);
  if (!wanted) return { state: 'missing', errors: [{ message: `no case named ${JSON.stringify(name)} in the suite` }] };
  const [file] = await startTests([{ filepath: FILE, testIds: [wanted.id] }], runner());
  const done = file && find(file, (t) => t.id === wanted.id);
  if (!done) return { state: 'missing', errors: [{ message: `case ${JSON.stringify(name)} did not run` }] };
  return {
    state: done.result?.state ?? done.mode,
    errors: (done.result?.errors ?? []).map((e) => ({ name: e.name, message: e.message, diff: e.diff, stack: e.stack })),
  };
}
