/**
 * `localrec-assets <target> [--sdk] [--model <folder>] [--name <name>] [--source-maps]`: copies the
 * files a host serves for the runtime (and the SDK's script-tag files, and a model bundle, checked)
 * into a folder the app serves as is, e.g. Vite's `public/`. Node only: the bin (`bin/localrec-assets.mjs`) runs the built copy of this
 * module; no browser bundle imports it.
 */
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AssetsError } from './errors.js';
import { modelBundle } from './model-files.js';
import { runtimeFiles } from './runtime-files.js';
import { findSdk, sdkFiles } from './sdk-files.js';
import { syncAssets, type AssetSet } from './sync.js';

/** Where the command reads and writes its text. */
export interface CliIo {
  /** The runtime's built files (the package's `dist/`). */
  runtimeDir: string;
  /**
   * The project folder (default `process.cwd()`): relative paths are relative to it, and `--sdk`
   * takes the `@localrec/sdk` installed there.
   */
  cwd?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

const USAGE = `Usage: localrec-assets <target> [--sdk] [--model <folder>] [--name <name>] [--source-maps]

Copies the files a host serves for @localrec/runtime into <target> (a folder your app serves as is,
e.g. public/localrec): worker.js, runtime.js, chunks/ and the .wasm files. With --sdk, also the
script-tag files of the @localrec/sdk installed in this project (localrec.min.js and the modules it
imports on demand). With --model, also a model bundle folder, checked against its manifest.json
(every listed file, its size and SHA-256), into <target>/models/<name>/ (default name: the
manifest's "name").

Then, from a bundler: workerRuntime({ assetsUrl: '/localrec/', modelUrl: '/localrec/models/<name>/' });
by script tag: <script src="/localrec/localrec.min.js"> and
LocalRec.init({ appId: '…', model: '/localrec/models/<name>/' }).
Run it again after upgrading: files are replaced, a previous version's chunks removed.

Options:
  --sdk              also @localrec/sdk's script-tag files (npm install @localrec/sdk first)
  --model <folder>   a model bundle folder (manifest.json and the files it lists)
  --name <name>      the model's folder name under <target>/models/ (letters, digits, . _ -)
  --source-maps      also copy the copied scripts' source maps (they hold no sources)
  -h, --help         this text`;

const OPTIONS = {
  sdk: { type: 'boolean' },
  model: { type: 'string' },
  name: { type: 'string' },
  'source-maps': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A model folder name: one URL path segment that needs no escaping. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`);

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const accepted = Object.keys(OPTIONS)
      .map((k) => `--${k}`)
      .join(', ');
    throw new AssetsError('ASSETS_USAGE', `${(e as Error).message.split(/\.\s/)[0]} (accepted: ${accepted})`);
  }
}

async function packageVersion(runtimeDir: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(join(runtimeDir, '../package.json'), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}

/**
 * Runs the command; resolves to the process exit code (0 done, 1 failed, 2 bad command line).
 * @example await main(['public/localrec', '--model', 'models/my-shop'], { runtimeDir: '…/dist' })
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const out = io.out ?? ((l: string) => console.log(l));
  const err = io.err ?? ((l: string) => console.error(l));
  const cwd = io.cwd ?? process.cwd();
  const shown = (p: string) => relative(cwd, p) || '.';
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      out(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new AssetsError(
        'ASSETS_USAGE',
        positionals.length
          ? `one target folder, got ${positionals.length}: ${positionals.join(' ')}`
          : 'missing <target>: the folder to copy into, e.g. public/localrec',
      );
    }
    if (values.name !== undefined && values.model === undefined) throw new AssetsError('ASSETS_USAGE', '--name needs --model');
    const target = resolve(cwd, positionals[0]!);
    const sourceMaps = values['source-maps'] === true;
    const sets: AssetSet[] = [
      {
        label: '@localrec/runtime',
        from: io.runtimeDir,
        to: '',
        version: await packageVersion(io.runtimeDir),
        files: await runtimeFiles(io.runtimeDir, { sourceMaps }),
      },
    ];
    if (values.sdk) {
      const sdk = await findSdk(cwd);
      // Its own record entry: it shares the target folder with the runtime's files.
      sets.push({
        label: '@localrec/sdk',
        key: 'sdk',
        from: sdk.dir,
        to: '',
        version: sdk.version,
        files: await sdkFiles(sdk.dir, { sourceMaps }),
      });
    }
    if (values.model !== undefined) {
      const dir = resolve(cwd, values.model);
      const bundle = await modelBundle(dir);
      const name = values.name ?? bundle.name;
      if (!NAME.test(name)) {
        throw new AssetsError(
          'ASSETS_NAME_INVALID',
          `${values.name === undefined ? `the manifest's name` : '--name'} ${JSON.stringify(name)} is not a folder name (letters, digits, ".", "_", "-"; not starting with "." or "-")${values.name === undefined ? ': pass --name' : ''}`,
        );
      }
      sets.push({ label: `model ${JSON.stringify(name)}`, from: dir, to: `models/${name}`, version: bundle.version, files: bundle.files });
    }
    const report = await syncAssets(target, sets);
    const sdk = sets.find((s) => s.key === 'sdk');
    out(
      `localrec-assets: @localrec/runtime ${sets[0]!.version}${sdk ? ` and @localrec/sdk ${sdk.version} (${shown(resolve(sdk.from, '..'))})` : ''} → ${shown(target)}`,
    );
    // chunks/ in one line: a dozen hashed names say nothing to the reader.
    const chunks = report.copied.filter((f) => f.path.startsWith('chunks/'));
    const line = (what: string, bytes: number) => out(`  ${what.padEnd(44)} ${size(bytes).padStart(10)}`);
    for (const f of report.copied) {
      if (f === chunks[0])
        line(
          `chunks/ (${chunks.length} files)`,
          chunks.reduce((s, c) => s + c.bytes, 0),
        );
      else if (!chunks.includes(f)) line(f.path, f.bytes);
    }
    const model = sets.find((s) => s.to.startsWith('models/'));
    if (model) out(`  (${model.label} version ${model.version}: ${model.files.length} files, sizes and SHA-256 checked)`);
    if (report.removed.length) out(`  removed ${report.removed.length} stale file(s) of an earlier run: ${report.removed.join(', ')}`);
    out(`  total ${size(report.bytes)} in ${report.copied.length} files`);
    return 0;
  } catch (e) {
    if (!(e instanceof AssetsError)) throw e;
    err(`localrec-assets: ${e.code}: ${e.message}`);
    if (e.code === 'ASSETS_USAGE') err(`Run \`localrec-assets --help\` for usage.`);
    return e.code === 'ASSETS_USAGE' ? 2 : 1;
  }
}
