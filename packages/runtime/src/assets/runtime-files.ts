/**
 * Which of `@localrec/runtime`'s built files a host serves: the worker's entry (`worker.js`), the
 * in-thread runtime the connector imports when no worker can run (`runtime.js`), their shared code
 * (`chunks/*.js`) and tfjs-backend-wasm's `.wasm` files. Not `connector.js` (the app's bundler
 * bundles it), not the `.d.ts` files, and no source maps unless asked for.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AssetsError } from './errors.js';

/** One file to copy: its path relative to the source and target folders ('/'-separated), and its size. */
export interface AssetFile {
  path: string;
  bytes: number;
}

/** The entry scripts a host must serve, always. */
const ENTRIES = ['worker.js', 'runtime.js'] as const;

async function entriesOf(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/**
 * The files to serve from the runtime's `dist/` folder `dir`, sorted by path.
 * @throws {AssetsError} `ASSETS_RUNTIME_MISSING` naming what is not there.
 */
export async function runtimeFiles(dir: string, { sourceMaps = false } = {}): Promise<AssetFile[]> {
  const top = await entriesOf(dir);
  const chunks = (await entriesOf(join(dir, 'chunks'))).map((f) => `chunks/${f}`);
  const missing = [
    ...ENTRIES.filter((f) => !top.includes(f)),
    ...(top.some((f) => f.endsWith('.wasm')) ? [] : ['*.wasm']),
    ...(chunks.some((f) => f.endsWith('.js')) ? [] : ['chunks/*.js']),
  ];
  if (missing.length) {
    throw new AssetsError(
      'ASSETS_RUNTIME_MISSING',
      `the runtime's files are not in ${dir}: no ${missing.join(', ')} (a broken install of @localrec/runtime? reinstall it; in its repository, run \`pnpm build\`)`,
    );
  }
  const code = (f: string) => /^(worker|runtime)\.js$/.test(f) || f.endsWith('.wasm') || /^chunks\/[^/]+\.js$/.test(f);
  const wanted = (f: string) => code(f) || (sourceMaps && f.endsWith('.js.map') && code(f.slice(0, -4)));
  const out: AssetFile[] = [];
  for (const path of [...top, ...chunks].filter(wanted)) {
    const s = await stat(join(dir, path));
    if (s.isFile()) out.push({ path, bytes: s.size });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
