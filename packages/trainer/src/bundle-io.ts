import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import manifestSchemaJson from '@localrec/model/manifest.schema.json' with { type: 'json' };
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  BLOCK_TENSORS,
  TENSOR_NAMES,
  blockTensorName,
  bundleProblems,
  decodeTensors,
  encodeTensors,
  quantizeInt8,
  toFloatWeights,
  SasrecScorer,
  type BundleManifest,
  type ScorerOptions,
  type FloatWeights,
  type HostTensor,
  type SasrecArchitecture,
} from '@localrec/model';
import type { ColdTables } from './cold-start.js';

export interface WriteBundleInput {
  name: string;
  version: string;
  arch: SasrecArchitecture;
  itemCount: number;
  weights: FloatWeights;
  vocab: string[];
  cold: ColdTables;
  /** int8 (default) or float32 weights. */
  quantize: boolean;
  training?: Record<string, unknown>;
  metrics?: BundleManifest['metrics'];
  /** `manifest.blend` (see @localrec/model `blend.ts`), when validation chose one. */
  blend?: BundleManifest['blend'];
  catalog?: unknown;
  extraFiles?: Record<string, Uint8Array | string>;
  /** Further tensors stored as given (e.g. `segments/centroids`). */
  extraTensors?: HostTensor[];
}

const QUANT_DESCRIPTION =
  'int8 symmetric. Embedding tables (item_emb, pos_emb): one float32 scale per row (axis 0). ' +
  'Dense kernels (attn/w*, ffn/w*; shape [in, out]): one scale per output channel (last axis). ' +
  'LayerNorm parameters, biases and cold-start tables stay float32/int32. The runtime dequantises ' +
  'once at load and holds float32 in memory (tfjs has no int8 matmul; dequantising per query was ~25x slower).';

/** Which tensors are quantised and along which axis. */
function quantAxis(name: string): 0 | 1 | undefined {
  if (name === TENSOR_NAMES.itemEmbedding || name === TENSOR_NAMES.positionEmbedding) return 0;
  if (/^block\d+\/(attn\/w[qkvo]|ffn\/w[12])$/.test(name)) return 1;
  return undefined;
}

function tensorShape(arch: SasrecArchitecture, itemCount: number, name: string): number[] {
  const d = arch.dim;
  if (name === TENSOR_NAMES.itemEmbedding) return [itemCount + 1, d];
  if (name === TENSOR_NAMES.positionEmbedding) return [arch.maxLen, d];
  if (name.endsWith('ffn/w1')) return [d, arch.ffnDim];
  if (name.endsWith('ffn/w2')) return [arch.ffnDim, d];
  if (name.endsWith('ffn/b1')) return [arch.ffnDim];
  if (/attn\/w[qkvo]$/.test(name)) return [d, d];
  return [d];
}

/** The model's tensor names in file order. */
function modelTensorNames(arch: SasrecArchitecture): string[] {
  const names: string[] = [TENSOR_NAMES.itemEmbedding, TENSOR_NAMES.positionEmbedding];
  for (let b = 0; b < arch.blocks; b++) for (const n of BLOCK_TENSORS) names.push(blockTensorName(b, n));
  names.push(TENSOR_NAMES.finalNormGamma, TENSOR_NAMES.finalNormBeta);
  return names;
}

/** The model weights as they would be stored (int8 or float32), for both writing and fp32-vs-int8 evaluation. */
function storedTensors(arch: SasrecArchitecture, itemCount: number, w: FloatWeights, quantize: boolean): HostTensor[] {
  const out: HostTensor[] = [];
  for (const name of modelTensorNames(arch)) {
    const data = w.get(name);
    if (!data) throw new Error(`writeBundle: weight "${name}" missing`);
    const shape = tensorShape(arch, itemCount, name);
    const axis = quantAxis(name);
    if (quantize && axis !== undefined && shape.length === 2) {
      const { q, scales } = quantizeInt8(data, shape[0]!, shape[1]!, axis);
      const sname = `${name}/scales`;
      out.push({ name, dtype: 'int8', shape, data: q, quant: { scales: sname, axis } });
      out.push({ name: sname, dtype: 'float32', shape: [scales.length], data: scales });
    } else out.push({ name, dtype: 'float32', shape, data });
  }
  return out;
}

/** Model weights after a store/load round trip (what the runtime will compute with). */
export function roundTripWeights(arch: SasrecArchitecture, itemCount: number, w: FloatWeights, quantize: boolean): FloatWeights {
  return toFloatWeights(new Map(storedTensors(arch, itemCount, w, quantize).map((t) => [t.name, t])));
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Writes a bundle folder (see the model package's format.ts and README). Returns the manifest. */
export function writeBundle(dir: string, b: WriteBundleInput): BundleManifest {
  mkdirSync(dir, { recursive: true });
  const M = b.cold.neighbours;
  const tensors: HostTensor[] = [
    ...storedTensors(b.arch, b.itemCount, b.weights, b.quantize),
    { name: TENSOR_NAMES.popularItems, dtype: 'int32', shape: [b.cold.popularItems.length], data: b.cold.popularItems },
    { name: TENSOR_NAMES.popularScores, dtype: 'float32', shape: [b.cold.popularScores.length], data: b.cold.popularScores },
    { name: TENSOR_NAMES.coocItems, dtype: 'int32', shape: [b.itemCount + 1, M], data: b.cold.coocItems },
    { name: TENSOR_NAMES.coocScores, dtype: 'float32', shape: [b.itemCount + 1, M], data: b.cold.coocScores },
    ...(b.extraTensors ?? []),
  ];
  const { bytes, entries } = encodeTensors(tensors);
  const files: Record<string, Uint8Array> = {
    'weights.bin': bytes,
    'vocab.json': new TextEncoder().encode(JSON.stringify(b.vocab)),
  };
  if (b.catalog !== undefined) files['catalog.json'] = new TextEncoder().encode(JSON.stringify(b.catalog));
  for (const [k, v] of Object.entries(b.extraFiles ?? {})) files[k] = typeof v === 'string' ? new TextEncoder().encode(v) : v;
  for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    name: b.name,
    version: b.version,
    createdAt: new Date().toISOString(),
    architecture: b.arch,
    itemCount: b.itemCount,
    quantization: { scheme: b.quantize ? 'int8-symmetric' : 'none', description: b.quantize ? QUANT_DESCRIPTION : 'float32 weights' },
    tensors: entries,
    files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, { sha256: sha256(v), bytes: v.byteLength }])),
    weightsFile: 'weights.bin',
    vocabFile: 'vocab.json',
    coldStart: { popularCount: b.cold.popularItems.length, cooccurrenceNeighbours: M },
  };
  if (b.catalog !== undefined) manifest.catalogFile = 'catalog.json';
  if (files['segments.json']) manifest.segmentsFile = 'segments.json';
  if (b.blend) manifest.blend = b.blend;
  if (b.training) manifest.training = b.training;
  if (b.metrics) manifest.metrics = b.metrics;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** A bundle read from disk and checked. */
export interface LoadedBundle {
  dir: string;
  manifest: BundleManifest;
  vocab: string[];
  weights: FloatWeights;
  cold: ColdTables;
}

/** Reads every file a manifest names; missing ones come back undefined. */
export function readBundleFiles(dir: string): { manifest: unknown; files: Record<string, Uint8Array | undefined>; problems: string[] } {
  const mpath = join(dir, 'manifest.json');
  if (!existsSync(mpath)) return { manifest: undefined, files: {}, problems: [`${mpath}: missing`] };
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(mpath, 'utf8'));
  } catch (e) {
    return { manifest: undefined, files: {}, problems: [`${mpath}: invalid JSON (${(e as Error).message})`] };
  }
  const files: Record<string, Uint8Array | undefined> = {};
  const names = new Set<string>(Object.keys((manifest as BundleManifest)?.files ?? {}));
  for (const k of ['weightsFile', 'vocabFile'] as const) {
    const n = (manifest as BundleManifest)?.[k];
    if (typeof n === 'string') names.add(n);
  }
  for (const name of names) {
    if (name.includes('..') || name.startsWith('/')) continue;
    const p = join(dir, name);
    files[name] = existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
  }
  return { manifest, files, problems: [] };
}

let schemaValidator: ValidateFunction | undefined;

/**
 * The manifest's JSON Schema (`@localrec/model/manifest.schema.json`, the contract other tools —
 * e.g. the PyTorch exporter in trainers/pytorch — check against), compiled once on first use. A
 * static import, so the trainer's dist bundles it (@localrec/model is private: not installed beside it).
 */
function manifestSchema(): ValidateFunction {
  if (!schemaValidator) {
    schemaValidator = new Ajv({ allErrors: true, strict: true }).compile(manifestSchemaJson as object);
  }
  return schemaValidator;
}

/** One schema error as a problem line naming the path, the bad value and what is accepted. */
function schemaProblem(e: ErrorObject, manifest: unknown): string {
  const path = `manifest${e.instancePath.replace(/\//g, '.').replace(/\.(\d+)(?=\.|$)/g, '[$1]')}`;
  const at = e.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (v, k) =>
        v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined,
      manifest,
    );
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `${path}.${String(p.missingProperty)}: missing (required by manifest.schema.json)`;
  const accepted =
    e.keyword === 'enum'
      ? ` (accepted: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
      : e.keyword === 'const'
        ? ` (accepted: ${JSON.stringify(p.allowedValue)})`
        : '';
  return `${path}: ${JSON.stringify(at) ?? 'undefined'} ${e.message ?? 'is invalid'}${accepted} (manifest.schema.json)`;
}

/** Problems of a parsed manifest against the JSON Schema; empty when it conforms. */
export function manifestSchemaProblems(manifest: unknown): string[] {
  const validate = manifestSchema();
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => schemaProblem(e, manifest));
}

/**
 * Validates a bundle folder: every problem found, empty when valid. The manifest is checked
 * against `@localrec/model/manifest.schema.json` (structure, types, ranges) and by the model
 * package's `bundleProblems` (hashes, sizes, tensor shapes and bounds, vocabulary, row ranges).
 */
export async function validateBundleDir(dir: string): Promise<string[]> {
  const { manifest, files, problems } = readBundleFiles(dir);
  if (problems.length) return problems;
  const schema = manifestSchemaProblems(manifest);
  const rest = await bundleProblems(manifest, files);
  return [...schema, ...rest.filter((p) => !schema.includes(p))];
}

/** Loads and validates a bundle; throws listing every problem. */
export async function loadBundleDir(dir: string): Promise<LoadedBundle> {
  const { manifest, files, problems } = readBundleFiles(dir);
  const all = problems.length ? problems : await bundleProblems(manifest, files);
  if (all.length) throw new Error(`invalid bundle ${dir}:\n  - ${all.join('\n  - ')}`);
  const m = manifest as BundleManifest;
  const wb = files[m.weightsFile]!;
  const tensors = decodeTensors(m.tensors, wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength) as ArrayBuffer);
  const vocab = JSON.parse(new TextDecoder().decode(files[m.vocabFile])) as string[];
  const get = (n: string) => tensors.get(n)!.data;
  const popularItems = get(TENSOR_NAMES.popularItems) as Int32Array;
  const popularScores = get(TENSOR_NAMES.popularScores) as Float32Array;
  const counts = new Float32Array(m.itemCount + 1);
  popularItems.forEach((r, i) => {
    counts[r] = popularScores[i]!;
  });
  return {
    dir,
    manifest: m,
    vocab,
    weights: toFloatWeights(tensors),
    cold: {
      popularItems,
      popularScores,
      counts,
      coocItems: get(TENSOR_NAMES.coocItems) as Int32Array,
      coocScores: get(TENSOR_NAMES.coocScores) as Float32Array,
      neighbours: m.coldStart.cooccurrenceNeighbours,
    },
  };
}

/**
 * The bundle's scorer, scoring as the runtime does: its weights as stored and its blend with
 * co-occurrence (`manifest.blend`), unless `blend: false`. Call `dispose()` when done.
 */
export function bundleScorer(b: LoadedBundle, o: Omit<ScorerOptions, 'blend'> & { blend?: boolean } = {}): SasrecScorer {
  const { blend, ...rest } = o;
  const spec = blend === false ? undefined : b.manifest.blend;
  return new SasrecScorer(b.manifest.architecture, b.manifest.itemCount, b.weights, {
    ...rest,
    blend: spec ? { spec, table: b.cold } : undefined,
  });
}
