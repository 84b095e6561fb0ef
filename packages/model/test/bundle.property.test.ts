// Bad model bundles: ≥ 10,000 generated manifests and file sets, derived from a small VALID bundle
// by hostile mutations (wrong types, NaN/Infinity, huge and negative sizes, `__proto__`/`constructor`
// keys, deep objects, lone surrogates, truncated/flipped/missing files). manifestProblems and
// bundleProblems never throw and always return a list of strings; a valid bundle gives none; a
// changed byte or a broken checked field is always reported.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  TENSOR_NAMES,
  bundleProblems,
  encodeTensors,
  expectedShapes,
  manifestProblems,
  type BundleManifest,
  type HostTensor,
  type SasrecArchitecture,
} from '../src/index.js';
import { CASES, nastyKey, nastyValue, prototypesClean } from '../../../test/audit/hostile.js';

const ITEMS = 12;
const arch: SasrecArchitecture = { type: 'sasrec', dim: 4, maxLen: 5, blocks: 1, heads: 2, ffnDim: 4, norm: 'pre', layerNormEps: 1e-8 };

/** A small valid bundle, built from the format's own shape table. */
function validBundle(): { manifest: BundleManifest; files: Record<string, Uint8Array> } {
  const tensors: HostTensor[] = [];
  let k = 0;
  for (const [name, shape] of expectedShapes(arch, ITEMS)) {
    tensors.push({
      name,
      dtype: 'float32',
      shape,
      data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.sin(k++) * 0.1),
    });
  }
  const M = 2;
  tensors.push(
    { name: TENSOR_NAMES.popularItems, dtype: 'int32', shape: [3], data: Int32Array.from([1, 2, 3]) },
    { name: TENSOR_NAMES.popularScores, dtype: 'float32', shape: [3], data: Float32Array.from([0.5, 0.3, 0.2]) },
    {
      name: TENSOR_NAMES.coocItems,
      dtype: 'int32',
      shape: [ITEMS + 1, M],
      data: Int32Array.from({ length: (ITEMS + 1) * M }, (_, i) => (i % ITEMS) + 1),
    },
    { name: TENSOR_NAMES.coocScores, dtype: 'float32', shape: [ITEMS + 1, M], data: new Float32Array((ITEMS + 1) * M).fill(0.5) },
  );
  const { bytes, entries } = encodeTensors(tensors);
  const files: Record<string, Uint8Array> = {
    'weights.bin': bytes,
    'vocab.json': new TextEncoder().encode(JSON.stringify(Array.from({ length: ITEMS }, (_, i) => `sku-${i + 1}`))),
  };
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    name: 'prop',
    version: 'prop-1',
    createdAt: new Date(0).toISOString(),
    architecture: arch,
    itemCount: ITEMS,
    quantization: { scheme: 'none', description: 'float32 weights' },
    tensors: entries,
    files: Object.fromEntries(
      Object.entries(files).map(([n, b]) => [n, { sha256: createHash('sha256').update(b).digest('hex'), bytes: b.byteLength }]),
    ),
    weightsFile: 'weights.bin',
    vocabFile: 'vocab.json',
    coldStart: { popularCount: 3, cooccurrenceNeighbours: M },
  };
  return { manifest, files };
}

const BASE = validBundle();
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Every path (array of keys) into the manifest, leaves and inner nodes. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}
const PATHS = paths(BASE.manifest).filter((p) => p.length > 0);

/**
 * Leaf fields the validators must check: a deletion, or a value of another type (string ↔ number ↔
 * object ↔ array ↔ null), is always a problem. (Same-type changes may be legitimate, e.g. another version string.)
 */
const CHECKED_PATH =
  /^(format|formatVersion|version|itemCount|weightsFile|vocabFile|architecture\.(type|dim|maxLen|blocks|heads|ffnDim|norm)|files\.[^.]+\.(sha256|bytes)|tensors\.\d+\.(name|shape))$/;
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
function breaksCheckedField(m: Mutation): boolean {
  if (m.kind !== 'set' && m.kind !== 'delete') return false;
  if (!CHECKED_PATH.test(m.path.join('.'))) return false;
  if (m.kind === 'delete') return true;
  let orig: unknown = BASE.manifest;
  for (const k of m.path) orig = (orig as Record<string | number, unknown>)[k];
  return kindOf(m.value) !== kindOf(orig);
}

type Mutation =
  | { kind: 'set'; path: (string | number)[]; value: unknown }
  | { kind: 'delete'; path: (string | number)[] }
  | { kind: 'addKey'; path: (string | number)[]; key: string; value: unknown }
  | { kind: 'file'; name: string; how: 'truncate' | 'flip' | 'missing' | 'junk' | 'append'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: nastyValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('addKey' as const), path: fc.constantFrom([], ...PATHS), key: nastyKey, value: nastyValue }),
  fc.record({
    kind: fc.constant('file' as const),
    name: fc.constantFrom('weights.bin', 'vocab.json'),
    how: fc.constantFrom('truncate', 'flip', 'missing', 'junk', 'append'),
    at: fc.nat(),
  }),
);

function apply(muts: readonly Mutation[]): { manifest: unknown; files: Record<string, Uint8Array | undefined> } {
  const manifest: unknown = clone(BASE.manifest);
  const files: Record<string, Uint8Array | undefined> = Object.fromEntries(Object.entries(BASE.files).map(([n, b]) => [n, b.slice()]));
  for (const m of muts) {
    if (m.kind === 'file') {
      const b = files[m.name];
      if (!b) continue;
      if (m.how === 'missing') files[m.name] = undefined;
      else if (m.how === 'truncate') files[m.name] = b.slice(0, m.at % b.byteLength);
      else if (m.how === 'append') files[m.name] = Uint8Array.from([...b, m.at & 255]);
      else if (m.how === 'junk') files[m.name] = new TextEncoder().encode('{"__proto__":{"polluted":1}} \uD800');
      else b[m.at % b.byteLength] = (b[m.at % b.byteLength]! ^ 0x5a) & 255;
      continue;
    }
    if (m.path.length === 0 && m.kind !== 'addKey') continue;
    const parentPath = m.kind === 'addKey' ? m.path : m.path.slice(0, -1);
    try {
      let parent: unknown = manifest;
      for (const k of parentPath)
        parent = typeof parent === 'object' && parent !== null ? (parent as Record<string | number, unknown>)[k] : undefined;
      if (typeof parent !== 'object' || parent === null) continue;
      const key = m.kind === 'addKey' ? m.key : m.path[m.path.length - 1]!;
      if (m.kind === 'delete') delete (parent as Record<string | number, unknown>)[key];
      // defineProperty, so a "__proto__" key becomes an own property, as JSON.parse makes it.
      else Object.defineProperty(parent, key, { value: m.value, enumerable: true, writable: true, configurable: true });
    } catch {
      // An earlier mutation put a trap object (or a frozen one) on the path: this one cannot apply.
    }
  }
  return { manifest, files };
}

describe(`model bundles with hostile content (${CASES.toLocaleString('en')} cases each)`, () => {
  test('the unmutated bundle is valid', async () => {
    expect(manifestProblems(BASE.manifest)).toEqual([]);
    expect(await bundleProblems(BASE.manifest, BASE.files)).toEqual([]);
  });

  test('manifestProblems: never throws, always a list of strings, for any value at all', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          nastyValue,
          fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => apply(ms).manifest),
        ),
        (m) => {
          const p = manifestProblems(m);
          expect(Array.isArray(p)).toBe(true);
          for (const s of p) expect(typeof s).toBe('string');
        },
      ),
      { numRuns: CASES },
    );
    expect(prototypesClean()).toBe(true);
  });

  test('every cold-start tensor is required: renaming any one of them is reported (fast-check found popular_scores was not)', async () => {
    const cold = [TENSOR_NAMES.popularItems, TENSOR_NAMES.popularScores, TENSOR_NAMES.coocItems, TENSOR_NAMES.coocScores];
    for (const name of cold) {
      const i = BASE.manifest.tensors.findIndex((t) => t.name === name);
      expect(i).toBeGreaterThanOrEqual(0);
      const { manifest, files } = apply([{ kind: 'set', path: ['tensors', i, 'name'], value: '[]' }]);
      expect(await bundleProblems(manifest, files)).toContain(`tensor "${name}": missing (cold-start table)`);
    }
  });

  test('bundleProblems: never throws, always a list; broken bytes and broken checked fields are always reported', async () => {
    let reported = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
        const { manifest, files } = apply(ms);
        const p = await bundleProblems(manifest, files);
        expect(Array.isArray(p)).toBe(true);
        for (const s of p) expect(typeof s).toBe('string');
        if (p.length) reported++;
        const bytesChanged = Object.keys(BASE.files).some((n) => {
          const a = BASE.files[n]!;
          const b = files[n];
          return !b || b.byteLength !== a.byteLength || b.some((x, i) => x !== a[i]);
        });
        const checkedChanged = ms.some(breaksCheckedField);
        if (bytesChanged) expect(p.length).toBeGreaterThan(0);
        if (checkedChanged) expect(p.length).toBeGreaterThan(0);
      }),
      { numRuns: CASES },
    );
    expect(prototypesClean()).toBe(true);
    console.info(`bundleProblems: ${CASES} mutated bundles, ${reported} reported as invalid`);
  });
});
