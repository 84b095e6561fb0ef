import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  BYTES_PER_ELEMENT,
  TENSOR_NAMES,
  expectedShapes,
  type BundleManifest,
  type TensorDType,
  type TensorEntry,
} from './format.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { associationsProblems } from './popularity.js';
import { blendProblems } from './blend.js';
import { dequantizeInt8 } from './quant.js';
import type { FloatWeights } from './scorer.js';

export type HostArray = Float32Array | Int32Array | Int8Array | Uint16Array;

/** A tensor held in host memory. */
export interface HostTensor {
  name: string;
  dtype: TensorDType;
  shape: number[];
  data: HostArray;
  quant?: { scales: string; axis: number };
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function dtypeOf(a: HostArray): TensorDType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int8Array) return 'int8';
  return 'uint16';
}

/** Concatenates tensors into one little-endian buffer with 4-byte-aligned offsets. */
export function encodeTensors(tensors: readonly HostTensor[]): { bytes: Uint8Array; entries: TensorEntry[] } {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (dtypeOf(t.data) !== t.dtype) throw new Error(`encodeTensors: "${t.name}" is declared ${t.dtype} but holds ${dtypeOf(t.data)}`);
    if (t.data.length !== size(t.shape)) throw new Error(`encodeTensors: "${t.name}" has ${t.data.length} values for shape [${t.shape}]`);
    const byteLength = t.data.byteLength;
    const e: TensorEntry = { name: t.name, dtype: t.dtype, shape: [...t.shape], offset, byteLength };
    if (t.quant) e.quant = { ...t.quant };
    entries.push(e);
    offset += Math.ceil(byteLength / 4) * 4;
  }
  const bytes = new Uint8Array(offset);
  tensors.forEach((t, i) => bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), entries[i]!.offset));
  return { bytes, entries };
}

/**
 * Reads every tensor of `entries` out of `buffer` (copies, so the buffer can be dropped).
 * Throws naming the tensor when an entry does not fit the buffer or its shape.
 */
export function decodeTensors(entries: readonly TensorEntry[], buffer: ArrayBuffer): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const e of entries) {
    const problems = tensorEntryProblems(e, buffer.byteLength);
    if (problems.length) throw new Error(problems.join('; '));
    const slice = buffer.slice(e.offset, e.offset + e.byteLength);
    const data: HostArray =
      e.dtype === 'float32'
        ? new Float32Array(slice)
        : e.dtype === 'int32'
          ? new Int32Array(slice)
          : e.dtype === 'int8'
            ? new Int8Array(slice)
            : new Uint16Array(slice);
    const t: HostTensor = { name: e.name, dtype: e.dtype, shape: [...e.shape], data };
    if (e.quant) t.quant = { ...e.quant };
    out.set(e.name, t);
  }
  return out;
}

function tensorEntryProblems(e: TensorEntry, bufferBytes: number): string[] {
  const p: string[] = [];
  const bpe = Object.hasOwn(BYTES_PER_ELEMENT, e.dtype) ? BYTES_PER_ELEMENT[e.dtype] : undefined;
  if (bpe === undefined)
    return [`tensor "${e.name}": unknown dtype "${String(e.dtype)}" (accepted: ${Object.keys(BYTES_PER_ELEMENT).join(', ')})`];
  if (!Array.isArray(e.shape) || !e.shape.every((n) => Number.isInteger(n) && n >= 0))
    p.push(`tensor "${e.name}": bad shape ${JSON.stringify(e.shape)}`);
  else if (size(e.shape) * bpe !== e.byteLength)
    p.push(`tensor "${e.name}": byteLength ${e.byteLength} does not match shape [${e.shape}] × ${bpe} bytes`);
  if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset % 4 !== 0)
    p.push(`tensor "${e.name}": offset ${e.offset} is not a non-negative multiple of 4`);
  else if (e.offset + e.byteLength > bufferBytes)
    p.push(`tensor "${e.name}": bytes ${e.offset}..${e.offset + e.byteLength} lie past the end of the weights file (${bufferBytes} bytes)`);
  return p;
}

/**
 * Float32 weights for the scorer: dequantises int8 tensors once (tfjs has no int8 matmul, and
 * dequantising per query was ~25× slower). `skip`: names to leave out (e.g. the int8 item table,
 * which the runtime keeps int8 and reads through `Int8Rows`).
 */
export function toFloatWeights(tensors: Map<string, HostTensor>, skip?: ReadonlySet<string>): FloatWeights {
  const out: FloatWeights = new Map();
  for (const t of tensors.values()) {
    if (skip?.has(t.name)) continue;
    if (t.dtype === 'float32') out.set(t.name, t.data as Float32Array);
    else if (t.dtype === 'int8' && t.quant) {
      const s = tensors.get(t.quant.scales);
      if (!s || s.dtype !== 'float32') throw new Error(`tensor "${t.name}": scales "${t.quant.scales}" missing or not float32`);
      const rows = t.shape.length === 1 ? 1 : size(t.shape.slice(0, -1));
      const cols = t.shape[t.shape.length - 1]!;
      out.set(t.name, dequantizeInt8(t.data as Int8Array, s.data as Float32Array, rows, cols, t.quant.axis === 0 ? 0 : 1));
    }
  }
  return out;
}

/**
 * Hex SHA-256 of bytes: WebCrypto's `crypto.subtle` where the context has it (browsers' secure
 * contexts, workers, Node ≥ 20; native and faster), else `@noble/hashes` (contexts without
 * SubtleCrypto, e.g. a WeChat mini-program's logic layer). Both give the same digest.
 */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  const digest = subtle ? new Uint8Array(await subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>)) : nobleSha256(view);
  return toHex(digest);
}

const toHex = (digest: Uint8Array): string => Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');

/** Turns an exception raised while reading hostile input into a problem (the checks never throw). */
function unreadable(what: string, err: unknown): string[] {
  return [`${what}: could not be read (${err instanceof Error ? err.message : 'unreadable value'})`];
}

/** Problems with a manifest object on its own (types, version, shapes of the model tensors). Never throws. */
export function manifestProblems(m: unknown): string[] {
  try {
    return manifestProblemsUnsafe(m);
  } catch (err) {
    return unreadable('manifest', err);
  }
}

/** Largest architecture values a manifest may declare (far above any model a browser can run). */
const ARCH_MAX = { dim: 4096, maxLen: 4096, blocks: 64, heads: 256, ffnDim: 65_536 } as const;

function manifestProblemsUnsafe(m: unknown): string[] {
  const p: string[] = [];
  if (typeof m !== 'object' || m === null) return ['manifest: not a JSON object'];
  const mf = m as Partial<BundleManifest>;
  if (mf.format !== BUNDLE_FORMAT) p.push(`manifest.format: "${String(mf.format)}", expected "${BUNDLE_FORMAT}"`);
  if (typeof mf.formatVersion !== 'number' || mf.formatVersion > BUNDLE_FORMAT_VERSION || mf.formatVersion < 1) {
    p.push(`manifest.formatVersion: ${String(mf.formatVersion)}, this reader accepts 1..${BUNDLE_FORMAT_VERSION}`);
  }
  if (typeof mf.version !== 'string' || !mf.version) p.push('manifest.version: missing (a non-empty string)');
  if (!Number.isInteger(mf.itemCount) || (mf.itemCount ?? 0) < 1)
    p.push(`manifest.itemCount: ${String(mf.itemCount)}, expected a positive integer`);
  const a = mf.architecture;
  if (!a || a.type !== 'sasrec') p.push(`manifest.architecture.type: "${String(a?.type)}", accepted: sasrec`);
  else {
    for (const k of ['dim', 'maxLen', 'blocks', 'heads', 'ffnDim'] as const) {
      // Upper bounds too: a hostile `blocks: 2 ** 31` would otherwise make the shape check loop for minutes.
      if (!Number.isInteger(a[k]) || a[k] < 1 || a[k] > ARCH_MAX[k])
        p.push(`manifest.architecture.${k}: ${String(a[k])}, expected an integer from 1 to ${ARCH_MAX[k]}`);
    }
    if (a.norm !== 'pre' && a.norm !== 'post') p.push(`manifest.architecture.norm: "${String(a.norm)}", accepted: pre, post`);
    if (Number.isInteger(a.dim) && Number.isInteger(a.heads) && a.dim % a.heads !== 0)
      p.push(`manifest.architecture: dim ${a.dim} is not divisible by heads ${a.heads}`);
  }
  if (!Array.isArray(mf.tensors)) p.push('manifest.tensors: missing (an array)');
  else {
    mf.tensors.forEach((t, i) => {
      if (typeof t !== 'object' || t === null || typeof t.name !== 'string')
        p.push(`manifest.tensors[${i}]: not a tensor entry ({ name, dtype, shape, offset, byteLength })`);
    });
  }
  if (typeof mf.files !== 'object' || mf.files === null) p.push('manifest.files: missing (an object of name → {sha256, bytes})');
  for (const k of ['weightsFile', 'vocabFile'] as const) if (typeof mf[k] !== 'string') p.push(`manifest.${k}: missing`);
  if (mf.blend !== undefined) p.push(...blendProblems(mf.blend));
  if (p.length) return p;
  const man = mf as BundleManifest;
  const byName = new Map(man.tensors.map((t) => [t.name, t]));
  for (const [name, shape] of expectedShapes(man.architecture, man.itemCount)) {
    const t = byName.get(name);
    if (!t) p.push(`tensor "${name}": missing`);
    else if (JSON.stringify(t.shape) !== JSON.stringify(shape)) p.push(`tensor "${name}": shape [${t.shape}], expected [${shape}]`);
    else if (t.dtype === 'int8' && (!t.quant || !byName.has(t.quant.scales))) p.push(`tensor "${name}": int8 without its scales tensor`);
  }
  for (const name of [TENSOR_NAMES.popularItems, TENSOR_NAMES.popularScores, TENSOR_NAMES.coocItems, TENSOR_NAMES.coocScores]) {
    if (!byName.has(name)) p.push(`tensor "${name}": missing (cold-start table)`);
  }
  return p;
}

/**
 * Checks a whole bundle: manifest, every file's presence, size and SHA-256, every tensor's bounds,
 * vocabulary length and uniqueness, cold-start row ranges. Returns every problem found (empty = valid).
 * @param files file name → bytes (undefined when missing), for every file the manifest names.
 */
export async function bundleProblems(manifest: unknown, files: Record<string, Uint8Array | undefined>): Promise<string[]> {
  try {
    return await bundleProblemsUnsafe(manifest, files);
  } catch (err) {
    return unreadable('bundle', err);
  }
}

async function bundleProblemsUnsafe(manifest: unknown, files: Record<string, Uint8Array | undefined>): Promise<string[]> {
  const p = manifestProblems(manifest);
  if (p.length) return p;
  const m = manifest as BundleManifest;
  for (const [name, info] of Object.entries(m.files)) {
    const bytes = files[name];
    if (!bytes) {
      p.push(`file "${name}": missing`);
      continue;
    }
    if (bytes.byteLength !== info.bytes) p.push(`file "${name}": ${bytes.byteLength} bytes, manifest says ${info.bytes}`);
    const h = await sha256Hex(bytes);
    if (h !== info.sha256) p.push(`file "${name}": SHA-256 ${h} does not match manifest ${info.sha256}`);
  }
  for (const k of [m.weightsFile, m.vocabFile]) if (!(k in m.files)) p.push(`file "${k}": not listed in manifest.files (no hash to check)`);
  const weights = files[m.weightsFile];
  if (weights) {
    for (const e of m.tensors) p.push(...tensorEntryProblems(e, weights.byteLength));
  }
  const vocabBytes = files[m.vocabFile];
  if (vocabBytes) {
    try {
      const vocab: unknown = JSON.parse(new TextDecoder().decode(vocabBytes));
      if (!Array.isArray(vocab) || !vocab.every((v) => typeof v === 'string')) p.push(`file "${m.vocabFile}": not a JSON array of strings`);
      else {
        if (vocab.length !== m.itemCount) p.push(`file "${m.vocabFile}": ${vocab.length} ids, manifest.itemCount is ${m.itemCount}`);
        const dup = vocab.length - new Set(vocab).size;
        if (dup) p.push(`file "${m.vocabFile}": ${dup} duplicate item id(s)`);
      }
    } catch (e) {
      p.push(`file "${m.vocabFile}": invalid JSON (${(e as Error).message})`);
    }
  }
  if (m.associationsFile !== undefined) {
    const f = m.associationsFile;
    const bytes = typeof f === 'string' && f in m.files ? files[f] : undefined;
    if (typeof f !== 'string' || !(f in m.files))
      p.push(`manifest.associationsFile: ${JSON.stringify(f)} is not listed in manifest.files (no hash to check)`);
    else if (bytes) {
      try {
        p.push(...associationsProblems(JSON.parse(new TextDecoder().decode(bytes))).map((x) => `file "${f}": ${x}`));
      } catch (e) {
        p.push(`file "${f}": invalid JSON (${(e as Error).message})`);
      }
    }
  }
  if (weights && p.length === 0) {
    const t = decodeTensors(m.tensors, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer);
    for (const name of [TENSOR_NAMES.popularItems, TENSOR_NAMES.coocItems]) {
      const rows = t.get(name)?.data;
      if (rows && rows.some((r) => r < 0 || r > m.itemCount)) p.push(`tensor "${name}": row ids outside 0..${m.itemCount}`);
    }
    for (const w of toFloatWeights(t).values())
      if (w.some((v) => !Number.isFinite(v))) {
        p.push('weights: non-finite values');
        break;
      }
  }
  return p;
}
