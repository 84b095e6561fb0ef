/**
 * Which of `@localrec/sdk`'s built files a script-tag page serves (`--sdk`): `localrec.min.js`,
 * the ES modules it imports from its own folder on demand (`localrec-capture.min.mjs` with
 * `autoCapture`, `localrec-model.min.mjs` with `model`, `localrec-extras.min.mjs` for export, erase
 * and the memory fallback), and whatever file of the SDK's `dist/`
 * those import in turn (`localrec-model-extras.min.mjs`, which the model file imports off the usual path). Not
 * the bundlers' build (`index.js`, its `chunks/`), not the `.d.ts` files, no maps unless asked.
 *
 * The SDK is the one installed in the project the command runs in (found from its folder
 * upwards, as Node finds a package), not a copy next to this runtime: the page loads the SDK the
 * project depends on.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { AssetsError } from './errors.js';
import type { AssetFile } from './runtime-files.js';

/** The script-tag files that `localrec.min.js` needs beside it; the first is the one the page's `<script>` names. */
const SCRIPT_TAG_ENTRIES = ['localrec.min.js', 'localrec-capture.min.mjs', 'localrec-model.min.mjs', 'localrec-extras.min.mjs'] as const;

/**
 * Relative module specifiers in a built file: string literals naming a `.js`/`.mjs` file (`"./x.js"`,
 * `'chunks/x-AbC1.js'`, `"localrec-model.min.mjs"`). Those that are files of the SDK's `dist/` are
 * followed; the others (the runtime's `worker.js` and `runtime.js`, which the model file imports
 * from the runtime's folder) are not the SDK's.
 */
const SPECIFIER = /["'`](?:\.\/)?((?:[\w-]+\/)*[\w.-]+\.m?js)["'`]/g;

/** An installed `@localrec/sdk`: its `dist/` folder and its version. */
export interface InstalledSdk {
  dir: string;
  version: string;
}

/**
 * Finds `node_modules/@localrec/sdk` in `cwd` or the nearest folder above it that has one.
 * @throws {AssetsError} `ASSETS_SDK_MISSING` when no folder up to the root has it.
 */
export async function findSdk(cwd: string): Promise<InstalledSdk> {
  for (let d = cwd; ; d = dirname(d)) {
    const pkg = join(d, 'node_modules/@localrec/sdk');
    const json = await readFile(join(pkg, 'package.json'), 'utf8').catch(() => undefined);
    if (json !== undefined) {
      let version = '';
      try {
        version = (JSON.parse(json) as { version?: string }).version ?? '';
      } catch {
        // A broken package.json: sdkFiles says what is missing, if anything.
      }
      return { dir: join(pkg, 'dist'), version };
    }
    if (dirname(d) === d) break;
  }
  throw new AssetsError(
    'ASSETS_SDK_MISSING',
    `--sdk: @localrec/sdk is not installed in ${cwd} (no node_modules/@localrec/sdk there or in a folder above): run \`npm install @localrec/sdk\` in your project first`,
  );
}

/**
 * The script-tag files to serve from the SDK's `dist/` folder `dir`: the entries, then the files
 * they import, sorted by path.
 * @throws {AssetsError} `ASSETS_SDK_MISSING` naming the entry files that are not there.
 */
export async function sdkFiles(dir: string, { sourceMaps = false } = {}): Promise<AssetFile[]> {
  const present = new Set((await readdir(dir, { recursive: true }).catch(() => [] as string[])).map((f) => f.split('\\').join('/')));
  const missing = SCRIPT_TAG_ENTRIES.filter((f) => !present.has(f));
  if (missing.length) {
    throw new AssetsError(
      'ASSETS_SDK_MISSING',
      `--sdk: the script-tag files of @localrec/sdk are not in ${dir}: no ${missing.join(', ')} (a broken install of @localrec/sdk? reinstall it; in its repository, run \`pnpm build\`)`,
    );
  }
  const wanted: string[] = [...SCRIPT_TAG_ENTRIES];
  for (let i = 0; i < wanted.length; i++) {
    const file = wanted[i]!;
    const code = await readFile(join(dir, file), 'utf8');
    for (const [, spec] of code.matchAll(SPECIFIER)) {
      const path = posix.normalize(posix.join(posix.dirname(file), spec!));
      if (present.has(path) && !wanted.includes(path)) wanted.push(path);
    }
  }
  const files = sourceMaps ? [...wanted, ...wanted.map((f) => `${f}.map`).filter((f) => present.has(f))] : wanted;
  const out: AssetFile[] = [];
  for (const path of files) out.push({ path, bytes: (await stat(join(dir, path))).size });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
