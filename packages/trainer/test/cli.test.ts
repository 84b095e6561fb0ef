import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';

// Each command's options, as packages/trainer/README.md documents them.
const DATA = ['--data', '--min-user', '--min-item'];
const BUNDLE = ['--out', '--name', '--fp32', '--eval-seeds', '--cooc-neighbours', '--segments', '--catalog', '--no-blend'];
const OPTIONS: Record<string, string[]> = {
  train: [
    ...DATA,
    ...BUNDLE,
    '--epochs',
    '--seed',
    '--dim',
    '--max-len',
    '--blocks',
    '--heads',
    '--ffn-dim',
    '--dropout',
    '--norm',
    '--loss',
    '--negatives',
    '--gbce-t',
    '--lr',
    '--batch-size',
    '--eval-every',
    '--valid-protocol',
    '--valid-users',
    '--patience',
    '--l2-emb',
    '--loss-norm',
    '--threads',
    '--checkpoint',
    '--resume',
    '--backend',
  ],
  export: [...DATA, ...BUNDLE, '--checkpoint'],
  eval: [...DATA, '--bundle', '--protocol', '--model', '--seeds', '--users', '--json', '--host-encoder', '--no-blend'],
  blend: [...DATA, '--bundle', '--eval-seeds'],
  validate: ['--bundle'],
  associations: ['--bundle', '--data', '--types', '--basket-gap', '--min-count', '--min-support', '--min-confidence', '--top'],
  trending: ['--data', '--out', '--catalog', '--bundle', '--window-days', '--end', '--types', '--facets', '--min-shoppers', '--top'],
};

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

/** The long flags listed in a help text's Options section. */
const listedFlags = (help: string): string[] => [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!);

describe('localrec CLI: usage errors exit 2 with a message that names the problem', () => {
  it('an option of another command is refused, and the message says which command has it', async () => {
    expect(await main(['validate', 'models/demo-shop', '--protocol', 'bogus'])).toBe(2);
    expect(err.join('\n')).toContain("unknown option '--protocol' (--protocol is an option of: eval)");
    expect(await main(['train', '--data', 'x', '--out', 'y', '--json'])).toBe(2);
    expect(err.join('\n')).toContain("unknown option '--json' (--json is an option of: eval)");
    expect(await main(['eval', '--bundle', 'b', '--data', 'd', '--epochs', '3'])).toBe(2);
    expect(err.join('\n')).toContain('--epochs is an option of: train');
  });

  it('an unknown option is refused', async () => {
    expect(await main(['eval', '--bundle', 'b', '--data', 'd', '--bogus'])).toBe(2);
    expect(err.join('\n')).toContain("unknown option '--bogus'");
    expect(out).toEqual([]);
  });

  it('a value outside the choices names the value and the accepted ones', async () => {
    expect(await main(['eval', '--bundle', 'b', '--data', 'd', '--protocol', 'bogus'])).toBe(2);
    expect(err.join('\n')).toMatch(/--protocol.*'bogus' is invalid\. Allowed choices are sampled100, full\./);
    expect(await main(['eval', '--bundle', 'b', '--data', 'd', '--model', 'knn'])).toBe(2);
    expect(err.join('\n')).toMatch(/'knn' is invalid\. Allowed choices are sasrec, popular, cooccurrence, itemknn, bpr\./);
    expect(await main(['train', '--data', 'd', '--out', 'o', '--backend', 'webgpu'])).toBe(2);
    expect(err.join('\n')).toMatch(/'webgpu' is invalid\. Allowed choices are wasm, cpu\./);
  });

  it('a number option refuses what is not a number, naming it', async () => {
    expect(await main(['train', '--data', 'd', '--out', 'o', '--dim', 'fifty'])).toBe(2);
    expect(err.join('\n')).toContain('"fifty" is not a number');
    expect(await main(['eval', '--bundle', 'b', '--data', 'd', '--seeds', '1,two'])).toBe(2);
    expect(err.join('\n')).toContain('"two" in "1,two" is not a number');
  });

  it('a missing required option, a missing folder, an unknown command and stray arguments are usage errors', async () => {
    expect(await main(['train', '--data', 'd'])).toBe(2);
    expect(err.join('\n')).toContain("required option '--out <dir>' not specified");
    expect(await main(['validate'])).toBe(2);
    expect(err.join('\n')).toContain('validate needs a bundle folder');
    expect(await main(['fit', '--data', 'd'])).toBe(2);
    expect(err.join('\n')).toContain(
      'unknown command "fit" (accepted: train, export, eval, blend, validate, associations, trending, assets, help)',
    );
    expect(await main(['eval', 'stray', '--bundle', 'b', '--data', 'd'])).toBe(2);
    expect(err.join('\n')).toContain('too many arguments');
  });
});

describe('localrec CLI: help', () => {
  for (const [cmd, flags] of Object.entries(OPTIONS)) {
    it(`${cmd} --help lists exactly its options`, async () => {
      expect(await main([cmd, '--help'])).toBe(0);
      const help = out.join('\n');
      expect(help).toContain(`Usage: localrec ${cmd}`);
      expect(
        listedFlags(help)
          .filter((f) => f !== '--help')
          .sort(),
      ).toEqual([...flags].sort());
      out = [];
      expect(await main(['help', cmd])).toBe(0);
      expect(out.join('\n')).toBe(help);
    });
  }

  it('no command, `help` and `--help` list the commands and exit 0', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      out = [];
      expect(await main(argv)).toBe(0);
      const help = out.join('\n');
      for (const cmd of Object.keys(OPTIONS)) expect(help).toMatch(new RegExp(`^ {2}${cmd} `, 'm'));
    }
    expect(err).toEqual([]);
  });

  it('help shows the defaults that apply', async () => {
    await main(['train', '--help']);
    const help = out.join('\n').replace(/\s+/g, ' '); // wrapped lines joined
    expect(help).toMatch(/--epochs <n>\s+maximum epochs \(default: 100\)/);
    expect(help).toMatch(/--loss <name>[\s\S]*choices: "auto", "ce", "softmax", "bce", "gbce", default: "auto"/);
    expect(help).toMatch(/--valid-protocol <name>[\s\S]*choices: "full", "sampled100", default: "full"/);
  });
});

describe('localrec CLI: commands', () => {
  it('validate accepts the folder as argument or as --bundle; an invalid bundle exits 1', async () => {
    expect(await main(['validate', 'models/demo-shop'])).toBe(0);
    expect(out).toEqual(['models/demo-shop: valid']);
    expect(await main(['validate', '--bundle', 'models/demo-shop'])).toBe(0);
    expect(await main(['validate', 'packages/trainer/test'])).toBe(1);
    expect(err.join('\n')).toMatch(/packages\/trainer\/test: \d+ problem\(s\)/);
  });
});
