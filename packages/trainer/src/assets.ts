/**
 * `localrec assets <target> …`: the `localrec-assets` command of the `@localrec/runtime` installed
 * in the current project, run as is. The trainer does not copy anything itself: the files a page
 * serves must be those of the runtime its app bundles the connector from, not of a runtime the
 * trainer happens to have.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * The `package.json` of the `@localrec/runtime` in `cwd`'s `node_modules` or an ancestor's, the
 * way Node looks for a project's packages — but not in NODE_PATH or the global folders, which hold
 * somebody else's runtime (pnpm's and npx's shims set NODE_PATH to their own stores).
 */
function projectRuntime(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', '@localrec', 'runtime', 'package.json');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Runs `@localrec/runtime`'s `localrec-assets` bin, resolved from `cwd`, with `args`; resolves to
 * its exit code (1, with a message naming the project, when the runtime is not installed there or
 * has no such command).
 */
export async function runAssets(args: string[], cwd = process.cwd()): Promise<number> {
  const pkgPath = projectRuntime(cwd);
  if (!pkgPath) {
    console.error(
      `localrec: ASSETS_RUNTIME_NOT_INSTALLED: no @localrec/runtime in ${cwd} (npm install @localrec/runtime): \`localrec assets\` copies that package's files, the ones your app's connector expects`,
    );
    return 1;
  }
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { version?: string; bin?: Record<string, string> | string };
  const bin = typeof pkg.bin === 'object' ? pkg.bin['localrec-assets'] : undefined;
  if (!bin) {
    console.error(
      `localrec: ASSETS_RUNTIME_NOT_INSTALLED: @localrec/runtime ${pkg.version ?? ''} in ${dirname(pkgPath)} has no localrec-assets command (upgrade it)`,
    );
    return 1;
  }
  const child = spawn(process.execPath, [join(dirname(pkgPath), bin), ...args], { cwd, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
