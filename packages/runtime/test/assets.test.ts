/**
 * The `localrec-assets` command (src/assets/), on real folders under the OS temp dir: a runtime
 * `dist/` laid out as the build leaves it (entry scripts, hashed chunks, .wasm, maps, the
 * connector and its types), an `@localrec/sdk` installed in the project's node_modules (its
 * script-tag files and the bundlers' build beside them), and copies of this repository's demo
 * model bundle, some corrupted.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/assets/cli.js';

const demo = resolve(import.meta.dirname, '../../../models/demo-shop');
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'localrec-assets-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A built runtime's dist/ with the given chunk names. */
async function runtimeDist(name: string, chunks = ['shared-AAAA.js', 'backend-BBBB.js'], version = '1.0.0'): Promise<string> {
  const pkg = join(root, name);
  const dist = join(pkg, 'dist');
  await mkdir(join(dist, 'chunks'), { recursive: true });
  await mkdir(join(dist, 'cli'), { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@localrec/runtime', version }));
  const files: Record<string, string> = {
    'worker.js': `import './chunks/${chunks[0]}'; // ${name}`,
    'worker.js.map': '{"version":3,"sources":[],"mappings":""}',
    'runtime.js': `export * from './chunks/${chunks[0]}';`,
    'runtime.js.map': '{}',
    'connector.js': 'export {};',
    'connector.js.map': '{}',
    'connector.d.ts': 'export {};',
    'runtime.d.ts': 'export {};',
    'tfjs-backend-wasm.wasm': '\0asm-' + name,
    'tfjs-backend-wasm-simd.wasm': '\0asm-simd',
    'cli/assets.js': 'export {};',
  };
  for (const c of chunks) {
    files[`chunks/${c}`] = `export const x = ${JSON.stringify(c)};`;
    files[`chunks/${c}.map`] = '{}';
  }
  for (const [f, body] of Object.entries(files)) await writeFile(join(dist, f), body);
  return dist;
}

/**
 * `@localrec/sdk` installed in `project`'s node_modules, its dist/ as the build leaves it: the
 * script tag's three files (the model file imports `modelChunks` from chunks/, and names the
 * runtime's worker.js and runtime.js, which are not the SDK's), the bundlers' index.js with its own
 * chunk, types and maps; `extra` adds or replaces files.
 */
async function sdkInstall(
  project: string,
  {
    version = '1.2.0',
    modelChunks = [],
    extra = {},
  }: { version?: string; modelChunks?: string[]; extra?: Record<string, string | undefined> } = {},
): Promise<string> {
  const pkg = join(project, 'node_modules/@localrec/sdk');
  const dist = join(pkg, 'dist');
  await mkdir(join(dist, 'chunks'), { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@localrec/sdk', version }));
  const files: Record<string, string | undefined> = {
    'localrec.min.js': `(()=>{const c="localrec-capture.min.mjs",m="localrec-model.min.mjs",x="localrec-extras.min.mjs";/* ${version} */})();`,
    'localrec.min.js.map': '{}',
    'localrec-capture.min.mjs': 'export const capture=1;',
    'localrec-capture.min.mjs.map': '{}',
    'localrec-extras.min.mjs': 'export const forget=1;',
    'localrec-extras.min.mjs.map': '{}',
    'localrec-model.min.mjs': [
      ...modelChunks.map((c) => `import "./chunks/${c}";`),
      'export const load=(e)=>import(new URL("runtime.js",e).href),w=(e)=>new URL("worker.js",e);',
    ].join(''),
    'localrec-model.min.mjs.map': '{}',
    'index.js': 'export * from "./chunks/model-entry-XXXX.js";',
    'index.js.map': '{}',
    'index.d.ts': 'export {};',
    'chunks/model-entry-XXXX.js': 'export {};',
    'chunks/model-entry-XXXX.js.map': '{}',
    ...Object.fromEntries(
      modelChunks.flatMap((c) => [
        [`chunks/${c}`, 'export {};'],
        [`chunks/${c}.map`, '{}'],
      ]),
    ),
    ...extra,
  };
  for (const [f, body] of Object.entries(files)) if (body !== undefined) await writeFile(join(dist, f), body);
  return dist;
}

/** A copy of the demo model bundle (plus the trainer's extra files) to corrupt. */
async function model(name = 'model'): Promise<string> {
  const dir = join(root, name);
  await cp(demo, dir, { recursive: true });
  return dir;
}

/** Every file under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
  }
  return out.sort();
}

/** Runs the command in `cwd`: exit code and what it printed. */
async function runIn(cwd: string, runtimeDir: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { runtimeDir, cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs the command in `root`. */
const run = (runtimeDir: string, ...argv: string[]) => runIn(root, runtimeDir, ...argv);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('localrec-assets', () => {
  it('copies exactly the files a host serves: entries, chunks, .wasm; no maps, connector, types or CLI', async () => {
    const dist = await runtimeDist('rt');
    const r = await run(dist, 'public/localrec');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(await tree(join(root, 'public/localrec'))).toEqual([
      'chunks/backend-BBBB.js',
      'chunks/shared-AAAA.js',
      'localrec-assets.json',
      'runtime.js',
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm.wasm',
      'worker.js',
    ]);
    expect(await readFile(join(root, 'public/localrec/worker.js'), 'utf8')).toBe(await readFile(join(dist, 'worker.js'), 'utf8'));
    // What it copied, and the total of the copied files' sizes.
    let total = 0;
    for (const f of [
      'chunks/backend-BBBB.js',
      'chunks/shared-AAAA.js',
      'runtime.js',
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm.wasm',
      'worker.js',
    ]) {
      total += (await stat(join(dist, f))).size;
    }
    expect(r.out).toContain('@localrec/runtime 1.0.0 → public/localrec');
    expect(r.out).toMatch(/worker\.js +\d+ B/);
    expect(r.out).toMatch(/chunks\/ \(2 files\)/);
    expect(r.out).toContain(`total ${total} B in 6 files`);
  });

  it('copies the source maps of the served scripts with --source-maps', async () => {
    const dist = await runtimeDist('rt');
    expect((await run(dist, 'out', '--source-maps')).code).toBe(0);
    const files = await tree(join(root, 'out'));
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([
      'chunks/backend-BBBB.js.map',
      'chunks/shared-AAAA.js.map',
      'runtime.js.map',
      'worker.js.map',
    ]);
    expect(files).not.toContain('connector.js.map');
  });

  it('copies a checked model bundle into models/<name>/: the manifest, the files it lists and trending.json, nothing else', async () => {
    const dist = await runtimeDist('rt');
    const dir = await model();
    const r = await run(dist, 'public/localrec', '--model', 'model', '--name', 'my-shop');
    expect(r).toMatchObject({ code: 0, err: '' });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, unknown>; version: string };
    expect(Object.keys(manifest.files)).not.toContain('trending.json'); // public, refreshed without a new bundle: not listed
    expect(Object.keys(manifest.files)).toContain('associations.json'); // listed: copied with its hash checked
    expect((await tree(join(root, 'public/localrec/models'))).sort()).toEqual(
      ['manifest.json', 'trending.json', ...Object.keys(manifest.files)].map((f) => `my-shop/${f}`).sort(),
    );
    // Byte for byte, as the runtime will fetch and check it.
    const trending = await readFile(join(root, 'public/localrec/models/my-shop/trending.json'));
    expect(trending.equals(await readFile(join(dir, 'trending.json')))).toBe(true);
    expect(r.out).toContain('models/my-shop/trending.json');
    expect(await tree(dir)).toContain('training-curve.svg'); // in the folder, not served
    const copied = await readFile(join(root, 'public/localrec/models/my-shop/weights.bin'));
    expect(copied.equals(await readFile(join(dir, 'weights.bin')))).toBe(true);
    expect(r.out).toContain(`model "my-shop" version ${manifest.version}`);
    expect(r.out).toContain('models/my-shop/weights.bin');
  });

  it('a model folder without trending.json is copied without one (trending() then answers from the bundle)', async () => {
    const dist = await runtimeDist('rt');
    const dir = await model();
    await rm(join(dir, 'trending.json'));
    expect(await run(dist, 'out', '--model', 'model', '--name', 'shop')).toMatchObject({ code: 0, err: '' });
    expect(await tree(join(root, 'out/models'))).not.toContain('shop/trending.json');
  });

  it("names the model's folder after the manifest's name by default", async () => {
    const dist = await runtimeDist('rt');
    await model();
    expect((await run(dist, 'out', '--model', 'model')).code).toBe(0);
    expect(await tree(join(root, 'out/models'))).toContain('demo-shop/manifest.json');
  });

  describe('refuses, with a code naming the bad path, and writes nothing', () => {
    const refused = async (argv: string[], code: string, names: string | RegExp, exit = 1, prepare?: (dir: string) => Promise<void>) => {
      const dist = await runtimeDist('rt');
      const dir = await model();
      await prepare?.(dir);
      const r = await run(dist, ...argv);
      expect(r.code).toBe(exit);
      expect(r.err).toContain(`localrec-assets: ${code}: `);
      expect(r.err).toMatch(names);
      expect(r.out).toBe('');
      await expect(stat(join(root, 'out')), 'the target was written').rejects.toThrow(/ENOENT/);
      return r;
    };
    const edit = (dir: string, f: (m: Record<string, any>) => void) =>
      readFile(join(dir, 'manifest.json'), 'utf8').then((t) => {
        const m = JSON.parse(t) as Record<string, any>;
        f(m);
        return writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
      });

    it('a --model folder that does not exist', () => refused(['out', '--model', 'nope'], 'ASSETS_MODEL_NOT_FOUND', /nope: no such folder/));
    it('a --model that is a file', () =>
      refused(['out', '--model', 'model/weights.bin'], 'ASSETS_MODEL_NOT_FOUND', /weights\.bin: not a folder/));
    it('a model folder without manifest.json', () =>
      refused(['out', '--model', 'model'], 'ASSETS_MANIFEST_MISSING', /model\/manifest\.json: no such file/, 1, (d) =>
        rm(join(d, 'manifest.json')),
      ));
    it('a manifest that is not JSON', () =>
      refused(['out', '--model', 'model'], 'ASSETS_MANIFEST_INVALID', /manifest\.json: not JSON/, 1, (d) =>
        writeFile(join(d, 'manifest.json'), '{'),
      ));
    it('a manifest of another format', () =>
      refused(['out', '--model', 'model'], 'ASSETS_MANIFEST_INVALID', /format is "tfjs-layers", expected "localrec-bundle"/, 1, (d) =>
        edit(d, (m) => (m.format = 'tfjs-layers')),
      ));
    it('a manifest listing a file outside the folder', () =>
      refused(['out', '--model', 'model'], 'ASSETS_MANIFEST_INVALID', /files names "\.\.\/secret"/, 1, (d) =>
        edit(d, (m) => (m.files['../secret'] = { sha256: '00', bytes: 1 })),
      ));
    it('a manifest whose weightsFile it does not list', () =>
      refused(['out', '--model', 'model'], 'ASSETS_MANIFEST_INVALID', /weightsFile is "weights\.bin", which files does not list/, 1, (d) =>
        edit(d, (m) => delete m.files['weights.bin']),
      ));
    it('a file the manifest lists that is missing', () =>
      refused(
        ['out', '--model', 'model'],
        'ASSETS_MODEL_FILE_MISSING',
        /model\/vocab\.json: no such file \(manifest\.json lists "vocab\.json"\)/,
        1,
        (d) => rm(join(d, 'vocab.json')),
      ));
    it('a file whose SHA-256 differs from the manifest', async () => {
      const r = await refused(
        ['out', '--model', 'model'],
        'ASSETS_MODEL_FILE_MISMATCH',
        /model\/weights\.bin: SHA-256 [0-9a-f]{64}, manifest\.json says [0-9a-f]{64}/,
        1,
        async (d) => {
          const w = await readFile(join(d, 'weights.bin'));
          w[100] = w[100]! ^ 0xff; // same size, other bytes
          await writeFile(join(d, 'weights.bin'), w);
        },
      );
      const expected = (JSON.parse(await readFile(join(demo, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> })
        .files['weights.bin']!.sha256;
      expect(r.err).toContain(`says ${expected}`);
      expect(r.err).not.toContain(`SHA-256 ${expected}`);
    });
    it('a trending.json whose content does not match its own sha256 (tampered with)', () =>
      refused(
        ['out', '--model', 'model'],
        'ASSETS_MODEL_FILE_MISMATCH',
        /model\/trending\.json: SHA-256 of its content [0-9a-f]{64}, the file says [0-9a-f]{64}/,
        1,
        async (d) => {
          const t = JSON.parse(await readFile(join(d, 'trending.json'), 'utf8')) as { items: [string, number][] };
          t.items[0]![1] += 1000; // a count changed after hashing
          await writeFile(join(d, 'trending.json'), JSON.stringify(t));
        },
      ));
    it('a trending.json that is another kind of file (foreign)', () =>
      refused(
        ['out', '--model', 'model'],
        'ASSETS_MODEL_FILE_MISMATCH',
        /model\/trending\.json: format is "other", expected "localrec-trending"/,
        1,
        (d) => writeFile(join(d, 'trending.json'), JSON.stringify({ format: 'other', sha256: '0'.repeat(64) })),
      ));
    it('a trending.json that is not JSON', () =>
      refused(['out', '--model', 'model'], 'ASSETS_MODEL_FILE_MISMATCH', /model\/trending\.json: not JSON/, 1, (d) =>
        writeFile(join(d, 'trending.json'), '{"format":'),
      ));
    it('a file whose size differs from the manifest', () =>
      refused(
        ['out', '--model', 'model'],
        'ASSETS_MODEL_FILE_MISMATCH',
        /segments\.json: \d+ bytes, manifest\.json says \d+/,
        1,
        async (d) => {
          await writeFile(join(d, 'segments.json'), (await readFile(join(d, 'segments.json'), 'utf8')) + ' ');
        },
      ));
    it('a --name that is not one folder name', () =>
      refused(['out', '--model', 'model', '--name', '../up'], 'ASSETS_NAME_INVALID', /--name "\.\.\/up" is not a folder name/));
    it('a runtime dist/ without its files', async () => {
      const r = await run(join(root, 'empty'), 'out');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(
        /ASSETS_RUNTIME_MISSING: the runtime's files are not in .*empty: no worker\.js, runtime\.js, \*\.wasm, chunks\/\*\.js/,
      );
    });
    it('a target that is a file', async () => {
      const dist = await runtimeDist('rt');
      await writeFile(join(root, 'file'), 'x');
      const r = await run(dist, 'file');
      expect(r).toMatchObject({ code: 1 });
      expect(r.err).toContain(`ASSETS_TARGET_INVALID: ${join(root, 'file')}: exists and is not a folder`);
    });
    it('a target that is the model folder itself', async () => {
      const dist = await runtimeDist('rt');
      await model('pub/models/demo-shop');
      const r = await run(dist, 'pub', '--model', 'pub/models/demo-shop');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/ASSETS_TARGET_INVALID: \S*\/pub: would copy \S*\/pub\/models\/demo-shop onto itself/);
    });
    it('a bad command line (exit code 2)', async () => {
      const dist = await runtimeDist('rt');
      expect((await run(dist)).err).toContain('ASSETS_USAGE: missing <target>');
      expect((await run(dist, 'a', 'b')).err).toContain('ASSETS_USAGE: one target folder, got 2: a b');
      const bad = await run(dist, 'out', '--modle', 'x');
      expect(bad).toMatchObject({ code: 2 });
      expect(bad.err).toContain("ASSETS_USAGE: Unknown option '--modle' (accepted: --sdk, --model, --name, --source-maps, --help)");
      expect((await run(dist, 'out', '--name', 'x')).err).toContain('ASSETS_USAGE: --name needs --model');
      expect((await run(dist, '--help')).out).toContain('Usage: localrec-assets <target>');
    });
  });

  describe("--sdk: the script-tag files of the project's @localrec/sdk", () => {
    it("copies localrec.min.js and the modules it loads, beside the runtime; not the bundlers' build, types or maps", async () => {
      const dist = await runtimeDist('rt');
      await sdkInstall(root, { modelChunks: ['model-part-ZZZZ.js'] });
      await model();
      const r = await run(dist, 'public/localrec', '--sdk', '--model', 'model', '--name', 'my-shop');
      expect(r).toMatchObject({ code: 0, err: '' });
      const files = await tree(join(root, 'public/localrec'));
      expect(files.filter((f) => !f.startsWith('models/'))).toEqual([
        'chunks/backend-BBBB.js',
        'chunks/model-part-ZZZZ.js', // imported by localrec-model.min.mjs
        'chunks/shared-AAAA.js',
        'localrec-assets.json',
        'localrec-capture.min.mjs',
        'localrec-extras.min.mjs',
        'localrec-model.min.mjs',
        'localrec.min.js',
        'runtime.js', // the runtime's, which the model file names
        'tfjs-backend-wasm-simd.wasm',
        'tfjs-backend-wasm.wasm',
        'worker.js',
      ]);
      expect(files).toContain('models/my-shop/manifest.json');
      const sdkDist = join(root, 'node_modules/@localrec/sdk/dist');
      expect(await readFile(join(root, 'public/localrec/localrec.min.js'), 'utf8')).toBe(
        await readFile(join(sdkDist, 'localrec.min.js'), 'utf8'),
      );
      expect(r.out).toContain('@localrec/runtime 1.0.0 and @localrec/sdk 1.2.0 (node_modules/@localrec/sdk) → public/localrec');
      expect(r.out).toMatch(/localrec\.min\.js +\d+ B/);
      expect(r.out).toContain('total');
      const record = JSON.parse(await readFile(join(root, 'public/localrec/localrec-assets.json'), 'utf8')) as {
        sets: Record<string, { version: string; files: string[] }>;
      };
      expect(record.sets.sdk).toEqual({
        version: '1.2.0',
        files: [
          'chunks/model-part-ZZZZ.js',
          'localrec-capture.min.mjs',
          'localrec-extras.min.mjs',
          'localrec-model.min.mjs',
          'localrec.min.js',
        ],
      });
      expect(record.sets['']!.files).not.toContain('localrec.min.js');
    });

    it('with --source-maps, also the maps of the files it copies', async () => {
      const dist = await runtimeDist('rt');
      await sdkInstall(root, { modelChunks: ['model-part-ZZZZ.js'] });
      expect((await run(dist, 'out', '--sdk', '--source-maps')).code).toBe(0);
      const maps = (await tree(join(root, 'out'))).filter((f) => f.endsWith('.map') && !/^(worker|runtime)\.js|shared|backend/.test(f));
      expect(maps).toEqual([
        'chunks/model-part-ZZZZ.js.map',
        'localrec-capture.min.mjs.map',
        'localrec-extras.min.mjs.map',
        'localrec-model.min.mjs.map',
        'localrec.min.js.map',
      ]);
    });

    it('takes the SDK installed in the project (found from the folder the command runs in, upwards), not one beside the runtime', async () => {
      // The runtime inside another project that has its own, older SDK.
      const other = join(root, 'elsewhere');
      const dist = await runtimeDist('elsewhere/node_modules/@localrec/runtime');
      await sdkInstall(other, { version: '0.0.1' });
      await sdkInstall(join(root, 'shop'), { version: '2.0.0' });
      await mkdir(join(root, 'shop/web'), { recursive: true });
      const r = await runIn(join(root, 'shop/web'), dist, 'public', '--sdk');
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(r.out).toContain('@localrec/sdk 2.0.0 (../node_modules/@localrec/sdk)');
      expect(await readFile(join(root, 'shop/web/public/localrec.min.js'), 'utf8')).toContain('2.0.0');
    });

    it('an SDK upgrade replaces its files and removes a chunk it no longer has; a run without --sdk leaves them', async () => {
      const dist = await runtimeDist('rt');
      await sdkInstall(root, { version: '1.0.0', modelChunks: ['model-part-OLD1.js'] });
      expect((await run(dist, 'out', '--sdk')).code).toBe(0);
      await rm(join(root, 'node_modules'), { recursive: true });
      await sdkInstall(root, { version: '1.1.0', modelChunks: ['model-part-NEW2.js'] });
      const r = await run(dist, 'out', '--sdk');
      expect(r.code).toBe(0);
      expect(r.out).toContain('removed 1 stale file(s) of an earlier run: chunks/model-part-OLD1.js');
      const files = await tree(join(root, 'out'));
      expect(files).toContain('chunks/model-part-NEW2.js');
      expect(files).toContain('chunks/shared-AAAA.js'); // the runtime's stay
      expect(await readFile(join(root, 'out/localrec.min.js'), 'utf8')).toContain('1.1.0');
      expect((await run(dist, 'out')).code).toBe(0);
      expect(await tree(join(root, 'out'))).toEqual(files);
    });

    describe('refuses, with a code naming what is wrong, and writes nothing', () => {
      const refused = async (cwd: string, argv: string[], code: string, names: string | RegExp) => {
        const dist = await runtimeDist('rt');
        const r = await runIn(cwd, dist, ...argv);
        expect(r.code).toBe(1);
        expect(r.err).toContain(`localrec-assets: ${code}: `);
        expect(r.err).toMatch(names);
        expect(r.out).toBe('');
        await expect(stat(join(cwd, 'out')), 'the target was written').rejects.toThrow(/ENOENT/);
      };

      it('no @localrec/sdk installed in the project', async () => {
        const project = join(root, 'shop');
        await mkdir(project);
        await refused(
          project,
          ['out', '--sdk'],
          'ASSETS_SDK_MISSING',
          /--sdk: @localrec\/sdk is not installed in \S*\/shop .*npm install @localrec\/sdk/,
        );
      });
      it('an SDK without one of its script-tag files', async () => {
        await sdkInstall(root, { extra: { 'localrec-model.min.mjs': undefined, 'localrec-model.min.mjs.map': undefined } });
        await refused(
          root,
          ['out', '--sdk'],
          'ASSETS_SDK_MISSING',
          /not in \S*node_modules\/@localrec\/sdk\/dist: no localrec-model\.min\.mjs/,
        );
      });
      it("an SDK file that would replace one of the runtime's", async () => {
        // The model file names "worker.js"; an SDK with a file of that name would overwrite the runtime's.
        await sdkInstall(root, { extra: { 'worker.js': 'self.onmessage = null;' } });
        await refused(
          root,
          ['out', '--sdk'],
          'ASSETS_FILE_COLLISION',
          /@localrec\/runtime and @localrec\/sdk both have worker\.js \(\S*rt\/dist\/worker\.js, \S*@localrec\/sdk\/dist\/worker\.js\)/,
        );
      });
    });
  });

  describe('is idempotent', () => {
    it('a second run leaves the same files with the same contents', async () => {
      const dist = await runtimeDist('rt');
      await model();
      const first = await run(dist, 'out', '--model', 'model');
      const files = await tree(join(root, 'out'));
      const hashes = await Promise.all(files.map(async (f) => sha(await readFile(join(root, 'out', f)))));
      const second = await run(dist, 'out', '--model', 'model');
      expect(second).toEqual(first);
      expect(await tree(join(root, 'out'))).toEqual(files);
      expect(await Promise.all(files.map(async (f) => sha(await readFile(join(root, 'out', f)))))).toEqual(hashes);
    });

    it("after an upgrade: replaces changed files, removes the old version's chunks, keeps the host's own files", async () => {
      const v1 = await runtimeDist('v1', ['shared-AAAA.js', 'backend-BBBB.js'], '1.0.0');
      expect((await run(v1, 'out')).code).toBe(0);
      await writeFile(join(root, 'out/robots.txt'), 'mine'); // the host's
      await writeFile(join(root, 'out/chunks/sdk-model-XXXX.js'), 'x'); // the SDK's dist/, copied beside it by hand
      const v2 = await runtimeDist('v2', ['shared-CCCC.js', 'backend-BBBB.js'], '1.1.0');
      const r = await run(v2, 'out');
      expect(r.code).toBe(0);
      expect(await tree(join(root, 'out'))).toEqual([
        'chunks/backend-BBBB.js',
        'chunks/sdk-model-XXXX.js',
        'chunks/shared-CCCC.js',
        'localrec-assets.json',
        'robots.txt',
        'runtime.js',
        'tfjs-backend-wasm-simd.wasm',
        'tfjs-backend-wasm.wasm',
        'worker.js',
      ]);
      expect(await readFile(join(root, 'out/worker.js'), 'utf8')).toContain('// v2');
      expect(await readFile(join(root, 'out/tfjs-backend-wasm.wasm'), 'utf8')).toContain('v2');
      expect(r.out).toContain('@localrec/runtime 1.1.0');
      expect(r.out).toContain('removed 1 stale file(s) of an earlier run: chunks/shared-AAAA.js');
    });

    it("a model's new version replaces its files and drops those it no longer lists; other models stay", async () => {
      const dist = await runtimeDist('rt');
      const a = await model('a');
      await model('b');
      expect(await run(dist, 'out', '--model', 'a', '--name', 'shop')).toMatchObject({ code: 0 });
      expect(await run(dist, 'out', '--model', 'b', '--name', 'other')).toMatchObject({ code: 0 });
      // Version 2 of "shop" without segments.json.
      const m = JSON.parse(await readFile(join(a, 'manifest.json'), 'utf8')) as Record<string, any>;
      delete m.files['segments.json'];
      delete m.segmentsFile;
      m.version = 'v2';
      await writeFile(join(a, 'manifest.json'), JSON.stringify(m));
      await rm(join(a, 'segments.json'));
      const r = await run(dist, 'out', '--model', 'a', '--name', 'shop');
      expect(r.code).toBe(0);
      expect(r.out).toContain('removed 1 stale file(s) of an earlier run: models/shop/segments.json');
      const files = await tree(join(root, 'out/models'));
      expect(files.filter((f) => f.startsWith('shop/'))).toEqual([
        'shop/associations.json',
        'shop/catalog.json',
        'shop/manifest.json',
        'shop/trending.json',
        'shop/vocab.json',
        'shop/weights.bin',
      ]);
      expect(files.filter((f) => f.startsWith('other/'))).toContain('other/segments.json');
      expect(JSON.parse(await readFile(join(root, 'out/models/shop/manifest.json'), 'utf8'))).toMatchObject({ version: 'v2' });
    });
  });

  it('stays out of the browser bundles: no module of src/ outside src/assets/ imports it', async () => {
    const src = resolve(import.meta.dirname, '../src');
    const importers: string[] = [];
    for (const f of await readdir(src, { recursive: true })) {
      if (!f.endsWith('.ts') || f.startsWith('assets')) continue;
      if (/(from |import\()'(\.\.?\/)+assets\//.test(await readFile(join(src, f), 'utf8'))) importers.push(f);
    }
    expect(importers).toEqual([]);
  });
});
