import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The trainer's worker-thread modules (each is a rollup entry beside dist/index.js). */
export type WorkerModule = 'eval-worker' | 'train-worker';

/**
 * Starts one of the trainer's worker modules: `dist/<name>.js` beside the bundle; from source (the
 * monorepo's `pnpm localrec`, vitest) `src/<name>.ts` through tsx's API — Node 20 applies no
 * `--import` loader to a worker's entry module, and tsx is a devDependency of the repository only.
 */
export function startWorker(name: WorkerModule, workerData: unknown): Worker {
  const here = import.meta.url;
  if (!/\.ts$/.test(new URL(here).pathname)) return new Worker(new URL(`./${name}.js`, here), { workerData });
  const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL(`./${name}.ts`, here).href;
  const cond = process.execArgv.some((a) => a.includes('@localrec/source')) ? [] : ['--conditions=@localrec/source'];
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}));`;
  return new Worker(code, { eval: true, workerData, execArgv: [...process.execArgv, ...cond] });
}
