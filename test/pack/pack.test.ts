/**
 * What ships: every public package packed exactly as `pnpm publish` packs it (after `pnpm build`),
 * then checked from the tarball alone —
 * - every file its `main` / `types` / `bin` / `exports` name is in it, and every importable
 *   `exports` entry has a `types` condition (asset subpaths excepted: {@link ASSET_EXPORTS});
 * - `license`, `repository`, `version`, `files`, a LICENSE file and a CHANGELOG with the version's entry;
 * - no source map carries `sourcesContent` (hosts serve dist/ as is);
 * - its dependencies are exactly the third-party packages its JS still imports: nothing bundled
 *   is declared again (a consumer would install it for nothing), no internal (private) package;
 * - `publint --strict` reports nothing and `@arethetypeswrong/cli` (attw) finds no problem.
 * attw runs with its `esm-only` profile: the packages are ES modules only (`"type": "module"`,
 * `import` conditions), so the CommonJS resolution modes (`node10`, `node16` from CJS) do not apply.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ASSET_EXPORTS,
  bareImports,
  namedFiles,
  pack,
  publicPackages,
  readTarball,
  repo,
  workspacePackages,
  type Packed,
} from './packages.js';

const run = promisify(execFile);
const packages = publicPackages();
let dest: string;
const packed = new Map<string, Packed>();

beforeAll(async () => {
  for (const p of packages) {
    if (!existsSync(join(p.dir, 'dist'))) throw new Error(`${p.pkg.name} has no dist/: run \`pnpm build\` first (pnpm test does).`);
  }
  dest = await mkdtemp(join(tmpdir(), 'localrec-pack-'));
  for (const p of packages) packed.set(p.pkg.name, await pack(p.dir, dest));
}, 300_000);

afterAll(async () => {
  if (dest) await rm(dest, { recursive: true, force: true });
});

it('publishes the seven user-facing packages and keeps the internal ones private (bundled into them)', () => {
  expect(packages.map((p) => p.pkg.name)).toEqual([
    '@localrec/elements',
    '@localrec/miniprogram',
    '@localrec/react',
    '@localrec/runtime',
    '@localrec/sdk',
    '@localrec/trainer',
    '@localrec/vue',
  ]);
  const privateNames = workspacePackages()
    .filter((p) => p.pkg.private === true)
    .map((p) => p.pkg.name);
  for (const p of packages) {
    for (const dep of Object.keys({ ...p.pkg.dependencies, ...p.pkg.peerDependencies })) {
      expect(privateNames, `${p.pkg.name} depends on the private ${dep}`).not.toContain(dep);
    }
  }
});

describe.each(packages.map((p) => [p.pkg.name, p] as const))('%s', (name, { pkg }) => {
  const tarball = () => packed.get(name)!;

  it('contains every file its package.json names, with types for every importable entry', () => {
    const files = new Set(tarball().files);
    expect(namedFiles(pkg).filter((f) => !files.has(f))).toEqual([]);
    const exportsMap = (pkg.exports ?? {}) as Record<string, string | Record<string, string>>;
    for (const [subpath, target] of Object.entries(exportsMap)) {
      if (subpath === './package.json' || ASSET_EXPORTS[name]?.includes(subpath)) continue;
      expect(typeof target === 'object' && Object.keys(target)[0], `${name} exports["${subpath}"] has no types first`).toBe('types');
    }
    if (pkg.bin) expect([...files].some((f) => f.startsWith('dist/'))).toBe(true);
  });

  it('says what it is: version, license, repository, files, LICENSE', () => {
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.repository).toMatchObject({
      type: 'git',
      url: expect.stringMatching(/^git\+https:\/\//),
      directory: `packages/${pkg.name.split('/')[1]}`,
    });
    expect(pkg.files).toContain('LICENSE');
    expect(tarball().files).toContain('LICENSE');
    expect(readTarball(tarball().tarball).get('LICENSE')!.toString('utf8')).toContain('Apache License');
  });

  it('ships its CHANGELOG, with an entry for its version (changesets: .changeset/)', () => {
    expect(tarball().files).toContain('CHANGELOG.md');
    expect(readTarball(tarball().tarball).get('CHANGELOG.md')!.toString('utf8')).toContain(`## ${pkg.version}`);
  });

  it('ships no source map with sourcesContent', () => {
    const withSources = [...readTarball(tarball().tarball)]
      .filter(([f]) => f.endsWith('.map'))
      .filter(([, body]) => (JSON.parse(body.toString('utf8')) as { sourcesContent?: unknown[] }).sourcesContent?.length)
      .map(([f]) => f);
    expect(withSources).toEqual([]);
  });

  it('declares exactly the third-party packages its JS imports (bundled ones are devDependencies)', () => {
    const packedPkg = JSON.parse(readTarball(tarball().tarball).get('package.json')!.toString('utf8')) as typeof pkg;
    const declared = Object.keys({ ...packedPkg.dependencies, ...packedPkg.peerDependencies }).sort();
    for (const range of Object.values({ ...packedPkg.dependencies, ...packedPkg.peerDependencies })) {
      expect(range).not.toMatch(/^(workspace|catalog):/);
    }
    const imported = new Set<string>();
    for (const [f, body] of readTarball(tarball().tarball)) {
      if (/\.(m?js)$/.test(f) && !f.startsWith('dist/miniprogram/')) for (const s of bareImports(body.toString('utf8'))) imported.add(s);
    }
    expect([...imported].filter((s) => !builtinModules.includes(s)).sort()).toEqual(declared);
  });

  it('passes publint --strict', async () => {
    const buf = readFileSync(tarball().tarball);
    const { messages, pkg: packedPkg } = await publint({
      pack: { tarball: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) },
      strict: true,
    });
    // --strict: warnings count as errors; suggestions are printed, not failed on.
    for (const m of messages.filter((m) => m.type === 'suggestion'))
      console.info(`publint ${name}: ${formatMessage(m, packedPkg, { color: false })}`);
    const problems = messages.filter((m) => m.type !== 'suggestion');
    expect(problems.map((m) => `${m.type}: ${formatMessage(m, packedPkg, { color: false }) ?? m.code}`)).toEqual([]);
  });

  it('passes @arethetypeswrong/cli, with types for every importable entry', async () => {
    const exclude = ASSET_EXPORTS[name] ?? [];
    const args = [
      join(repo, 'node_modules/@arethetypeswrong/cli/dist/index.js'),
      tarball().tarball,
      '--profile',
      'esm-only',
      '--format',
      'json',
    ];
    if (exclude.length) args.push('--exclude-entrypoints', ...exclude);
    // Exit code 1 when a problem is left after the profile's exclusions; the JSON is printed either way.
    const { code, stdout } = await run(process.execPath, args, { maxBuffer: 64 << 20 }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    type Resolution = { resolution?: { fileName: string; isTypeScript: boolean } };
    const report = JSON.parse(stdout) as {
      analysis: { types: { kind: string } | false; entrypoints: Record<string, { resolutions: Record<string, Resolution> }> };
      problems: Record<string, { kind: string; entrypoint?: string; resolutionKind?: string }[]>;
    };
    const relevant = Object.values(report.problems)
      .flat()
      .filter((p) => !p.resolutionKind || !['node10', 'node16-cjs'].includes(p.resolutionKind));
    expect(relevant).toEqual([]);
    expect(report.analysis.types).toMatchObject({ kind: 'included' });
    for (const [subpath, entry] of Object.entries(report.analysis.entrypoints)) {
      if (subpath === './package.json') continue;
      for (const kind of ['node16-esm', 'bundler']) {
        expect(entry.resolutions[kind]?.resolution, `${name} ${subpath} (${kind})`).toMatchObject({ isTypeScript: true });
      }
    }
    expect(code, 'attw exit code').toBe(0);
  });
});
