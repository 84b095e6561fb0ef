/**
 * The public packages as they ship: which ones there are (every `packages/*` without
 * `"private": true`), packing them with pnpm (which rewrites `workspace:` and `catalog:` ranges the
 * way `pnpm publish` does), and reading a tarball back. Used by the pack test (publint, attw, the
 * files each `exports` entry names) and the registry consumer test (test/consumer).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAst } from 'rollup/parseAst';
import { gunzipSync } from 'node:zlib';

const run = promisify(execFile);

export const repo = resolve(import.meta.dirname, '../..');

/** What a package.json says that these tests read. */
export interface PackageJson {
  name: string;
  version?: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string } | string;
  files?: string[];
  main?: string;
  types?: string;
  exports?: unknown;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** One workspace package. */
export interface WorkspacePackage {
  /** Folder under `packages/`. */
  folder: string;
  dir: string;
  pkg: PackageJson;
}

/** Every `packages/*` package. */
export function workspacePackages(): WorkspacePackage[] {
  return readdirSync(join(repo, 'packages'))
    .sort()
    .map((folder) => {
      const dir = join(repo, 'packages', folder);
      return { folder, dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson };
    });
}

/** The packages that are published (not `private`). */
export function publicPackages(): WorkspacePackage[] {
  return workspacePackages().filter((p) => p.pkg.private !== true);
}

/**
 * Subpaths that are files to serve or to start, not modules to import, so they have no types:
 * the script-tag SDK and its capture, model-connector and extras modules (and the model connector's), the snippet, the runtime's worker script.
 */
export const ASSET_EXPORTS: Readonly<Record<string, readonly string[]>> = {
  '@localrec/sdk': [
    './localrec.min.js',
    './localrec-capture.min.mjs',
    './localrec-model.min.mjs',
    './localrec-extras.min.mjs',
    './localrec-model-extras.min.mjs',
    './snippet.js',
  ],
  '@localrec/runtime': ['./worker.js'],
  '@localrec/elements': ['./localrec-elements.min.mjs'],
};

/** A packed package. */
export interface Packed {
  name: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the package (no `package/` prefix). */
  files: string[];
}

/** `pnpm pack` of one package into `dest`. */
export async function pack(dir: string, dest: string): Promise<Packed> {
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', dest, '--json'], { cwd: dir, maxBuffer: 64 << 20 });
  const info = JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] };
  return { name: info.name, tarball: info.filename, files: info.files.map((f) => f.path).sort() };
}

/** The files of a .tgz (ustar, as npm and pnpm write it), by path without the `package/` prefix. */
export function readTarball(tarball: string): Map<string, Buffer> {
  const tar = gunzipSync(readFileSync(tarball));
  const out = new Map<string, Buffer>();
  let longName: string | undefined;
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) =>
      header
        .subarray(start, start + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const body = tar.subarray(off + 512, off + 512 + size);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '') out.set(name.replace(/^[^/]+\//, ''), Buffer.from(body));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/**
 * Every file a package.json names for consumers: `main`, `types`, `bin` and each `exports` target,
 * except those behind the repository's own `@localrec/source` condition (never used outside it).
 */
export function namedFiles(pkg: PackageJson): string[] {
  const out = new Set<string>();
  const add = (v: unknown, condition?: string): void => {
    if (condition === '@localrec/source') return;
    if (typeof v === 'string') out.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') for (const [k, w] of Object.entries(v)) add(w, k);
  };
  add(pkg.main);
  add(pkg.types);
  add(pkg.bin);
  add(pkg.exports);
  return [...out].sort();
}

/** Bare module specifiers (package names) an ES module imports: static, dynamic and side-effect imports, re-exports. */
export function bareImports(code: string): string[] {
  const out = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as { type?: string; source?: { type?: string; value?: unknown } };
    if (
      (n.type === 'ImportDeclaration' ||
        n.type === 'ExportNamedDeclaration' ||
        n.type === 'ExportAllDeclaration' ||
        n.type === 'ImportExpression') &&
      n.source?.type === 'Literal' &&
      typeof n.source.value === 'string'
    ) {
      const spec = n.source.value;
      if (!/^[./]/.test(spec) && !spec.startsWith('node:') && !builtinModules.includes(spec.split('/')[0]!)) {
        const parts = spec.split('/');
        out.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
    for (const v of Object.values(node)) if (v && typeof v === 'object') visit(v);
  };
  visit(parseAst(code));
  return [...out].sort();
}
