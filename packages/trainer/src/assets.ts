/**
 * `localrec assets <target> …`: the `localrec-assets` command of the `@localrec/runtime` installed
 * in the current project, run as is. The trainer does not copy anything itself: the files a page
 * serves must be those of the runtime its app bundles the connector from, not of a runtime the
 * trainer happens to have.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Runs `@localrec/runtime`'s `localrec-assets` bin, resolved from `cwd`, with `args`; resolves to
 * its exit code (1, with a message naming the project, when the runtime is not installed there or
 * has no such command).
 */
export async function runAssets(args: string[], cwd = process.cwd()): Promise<number> {
  let pkgPath: string;
  try {
    pkgPath = createRequire(join(cwd, 'package.json')).resolve('@localrec/runtime/package.json');
  } catch {
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
