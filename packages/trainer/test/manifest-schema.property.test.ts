// The manifest's JSON Schema check (`manifestSchemaProblems`, used by `validateBundleDir` and
// `localrec validate`) with hostile manifests: ≥ 10,000 generated cases. It never throws, answers a
// list of problem lines naming a `manifest` path, and a required field given a value of another JSON
// type (or removed) is always refused. (Cross-field rules — an int8 tensor needs its scales, offsets
// add up — are the model package's validator's, which validateBundleDir runs beside the schema.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manifestSchemaProblems } from '../src/bundle-io.js';
import { CASES } from '../../../test/audit/hostile.js';

const repo = join(import.meta.dirname, '../../..');
/** The demo shop's manifest without its (optional, large) training report and metrics: each case clones it. */
const BASE = (({ training: _t, metrics: _m, ...rest }) => rest)(
  JSON.parse(readFileSync(join(repo, 'models/demo-shop/manifest.json'), 'utf8')) as Record<string, unknown>,
);

/** Every path of a JSON value (object keys and array indices), the root included. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}
const PATHS = paths(BASE).filter((p) => p.length > 0);

/** A copy of BASE with the value at `path` replaced (or deleted when `value` is undefined). */
function mutate(path: (string | number)[], value: unknown): unknown {
  const m = structuredClone(BASE) as Record<string | number, unknown>;
  let o = m;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return m;
}

const manifest = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...PATHS), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)))
      .map(([p, v]) => mutate(p, v)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** The fields every manifest must have (the schema's `required`, and the model validator's). */
const REQUIRED = ['format', 'formatVersion', 'version', 'architecture', 'itemCount', 'tensors', 'files', 'weightsFile', 'vocabFile'];
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

describe(`manifest.schema.json with hostile manifests (${CASES.toLocaleString('en')} cases)`, () => {
  it('never throws and names a manifest path; a required field removed or of another JSON type is always refused', () => {
    let accepted = 0;
    let refused = 0;
    let retyped = 0;
    expect(manifestSchemaProblems(BASE)).toEqual([]);
    fc.assert(
      fc.property(
        manifest,
        fc.constantFrom(...REQUIRED),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
        (m, field, value) => {
          const problems = manifestSchemaProblems(m);
          expect(Array.isArray(problems)).toBe(true);
          for (const p of problems) expect(p).toMatch(/^manifest\b/);
          if (problems.length === 0) accepted++;
          else refused++;
          if (value === undefined || typeOf(value) !== typeOf(BASE[field])) {
            const { [field]: _, ...without } = BASE;
            expect(manifestSchemaProblems(value === undefined ? without : { ...without, [field]: value }).length).toBeGreaterThan(0);
            retyped++;
          }
        },
      ),
      { numRuns: CASES },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(5_000);
    expect(retyped).toBeGreaterThan(5_000);
    console.info(
      `manifestSchemaProblems: ${CASES} cases, ${accepted} accepted, ${refused} refused naming the path; ${retyped} retyped required fields all refused`,
    );
  });
});
