/**
 * `localrec assets …` hands over to the `localrec-assets` bin of the @localrec/runtime installed in
 * the current project (resolved the way Node resolves it from there), with the arguments as given,
 * and returns its exit code. The project here is a temp folder whose node_modules holds a runtime
 * package with a bin that reports what it received.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { runAssets } from '../src/assets.js';

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'localrec-trainer-assets-'));
  await writeFile(join(project, 'package.json'), '{"name":"app","private":true}');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(project, { recursive: true, force: true });
});

async function installRuntime(pkg: Record<string, unknown>, bin?: string) {
  const dir = join(project, 'node_modules/@localrec/runtime');
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@localrec/runtime', version: '9.9.9', type: 'module', ...pkg }));
  if (bin) await writeFile(join(dir, 'bin/localrec-assets.mjs'), bin);
}

it("runs the project's @localrec/runtime localrec-assets with the arguments, in the project, and returns its exit code", async () => {
  await installRuntime(
    { bin: { 'localrec-assets': './bin/localrec-assets.mjs' } },
    "import { writeFileSync } from 'node:fs';\n" +
      "writeFileSync('received.json', JSON.stringify(process.argv.slice(2)));\n" +
      'process.exitCode = 3;\n',
  );
  const code = await runAssets(['public/localrec', '--model', 'models/my-shop', '--name', 'my-shop'], project);
  expect(code).toBe(3);
  expect(JSON.parse(await readFile(join(project, 'received.json'), 'utf8'))).toEqual([
    'public/localrec',
    '--model',
    'models/my-shop',
    '--name',
    'my-shop',
  ]);
});

it('says so, exit code 1, when the project has no @localrec/runtime', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await runAssets(['public/localrec'], project)).toBe(1);
  expect(err.mock.calls.join('\n')).toContain(
    `ASSETS_RUNTIME_NOT_INSTALLED: no @localrec/runtime in ${project} (npm install @localrec/runtime)`,
  );
});

it('says so when the installed runtime predates the command', async () => {
  await installRuntime({});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await runAssets(['public/localrec'], project)).toBe(1);
  expect(err.mock.calls.join('\n')).toMatch(/@localrec\/runtime 9\.9\.9 in \S+ has no localrec-assets command \(upgrade it\)/);
});
