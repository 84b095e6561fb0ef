/**
 * The PyTorch trainer (trainers/pytorch) and the TypeScript CLI, as the e2e tests that compare them
 * run them: {@link python} (the first interpreter that imports torch, or undefined — the tests then
 * skip, saying so), {@link torchCli} and {@link localrec}.
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repo } from './helpers.js';

const run = promisify(execFile);
/** The PyTorch trainer's folder (its commands run with it as the working directory). */
const PY_DIR = join(repo, 'trainers/pytorch');

/** The first interpreter that imports torch and numpy, or undefined (the reason is logged). */
function findPython(): string | undefined {
  // LOCALREC_PYTHON, when set, is the only interpreter tried.
  const candidates = process.env.LOCALREC_PYTHON ? [process.env.LOCALREC_PYTHON] : ['/usr/bin/python3', 'python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  console.warn(
    `PyTorch tests SKIPPED — no Python with PyTorch (tried ${candidates.join(', ')}; \`python3 -c "import torch"\` failed). ` +
      "Install Debian's python3-torch (`apt-get install -y python3-torch`) or set LOCALREC_PYTHON.",
  );
  return undefined;
}
/** The interpreter the PyTorch tests use, or undefined when none imports torch. */
export const python = findPython();

/** Runs `python <args>` in trainers/pytorch (one torch thread, plus `env`); returns its stdout. A failure shows Python's output. */
export async function runPython(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run(python!, args, {
      cwd: PY_DIR,
      maxBuffer: 64 << 20,
      env: { ...process.env, OMP_NUM_THREADS: '1', ...env },
    });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`python ${args.join(' ')} failed:\n${err.stderr ?? ''}${err.stdout ?? ''}${err.message}`, { cause: e });
  }
}

/** Runs `python -m localrec_torch …` in trainers/pytorch; returns the JSON of its last output line. */
export async function torchCli(args: string[]): Promise<any> {
  const stdout = await runPython(['-m', 'localrec_torch', ...args]);
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** Runs the TypeScript CLI from source (`pnpm localrec …`): exit code and output. */
export async function localrec(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      join(repo, 'node_modules/.bin/tsx'),
      ['--conditions=@localrec/source', join(repo, 'packages/trainer/src/run.ts'), ...args],
      { cwd: repo, maxBuffer: 64 << 20 },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
