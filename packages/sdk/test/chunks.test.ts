// The script tag's lazily loaded code (packages/sdk/src/chunks.ts, COLD_MODULES and SHARED_MODULES
// in rollup.config.mjs): `localrec.min.js` replaces each listed function of a cold module by one
// that imports the file it is in and calls it. That is only the same behaviour when every export
// is an async function (a call made before the file arrives then waits, and a sync throw would
// have been a rejection anyway) and the list names all of them; and the files take the main
// bundle's copies of the shared modules, by the names `shared` hands over.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { shared } from '../src/shared.js';
import { CHUNK_FILES, chunk, setChunkBase } from '../src/chunks.js';

const repo = join(import.meta.dirname, '../../..');
const config = (await import(join(repo, 'rollup.config.mjs'))) as {
  COLD_MODULES: Record<string, Record<string, string[]>>;
  SHARED_MODULES: Record<string, string[]>;
};

describe('lazily loaded code of the script tag', () => {
  test('the files of COLD_MODULES are the ones chunks.ts loads', () => {
    expect(Object.keys(config.COLD_MODULES).sort()).toEqual([...CHUNK_FILES].sort());
  });

  for (const [file, modules] of Object.entries(config.COLD_MODULES))
    for (const [path, names] of Object.entries(modules))
      test(`${path} (in ${file}): every export is an async function, and all are listed`, async () => {
        const mod = (await import(join(repo, path))) as Record<string, unknown>;
        const exported = Object.keys(mod).sort();
        expect(exported).toEqual([...names].sort());
        for (const n of exported) {
          expect(typeof mod[n], n).toBe('function');
          expect((mod[n] as () => unknown).constructor.name, `${n} must be an async function`).toBe('AsyncFunction');
        }
      });

  test('the names SHARED_MODULES binds are what `shared` hands over, in its order, and each module really exports them', async () => {
    const names = Object.values(config.SHARED_MODULES).flat();
    expect(shared).toHaveLength(names.length);
    let i = 0;
    for (const [path, listed] of Object.entries(config.SHARED_MODULES)) {
      const mod = (await import(join(repo, path))) as Record<string, unknown>;
      for (const n of listed) {
        expect(mod[n], `${path} exports ${n}`).toBeDefined();
        expect(mod[n], `shared[${i}] is ${path}'s ${n}`).toBe(shared[i]);
        i++;
      }
    }
  });

  test('a file that cannot be loaded rejects with NOT_READY naming its URL, and the next call tries again', async () => {
    setChunkBase('http://127.0.0.1:9/sdk/localrec.min.js'); // nothing listens on port 9
    const first = chunk('localrec-extras.min.mjs');
    await expect(first).rejects.toMatchObject({
      name: 'LocalRecError',
      code: 'NOT_READY',
      message: expect.stringContaining('http://127.0.0.1:9/sdk/localrec-extras.min.mjs'),
    });
    expect(chunk('localrec-extras.min.mjs')).not.toBe(first);
    setChunkBase(undefined);
    await expect(chunk('localrec-extras.min.mjs')).rejects.toMatchObject({
      code: 'NOT_READY',
      message: expect.stringContaining('localrec-extras.min.mjs'),
    });
  });
});
