/**
 * A model bundle folder, checked before anything is copied: `manifest.json` is a LocalRec bundle
 * manifest, every file it lists (`manifest.files`) is in the folder, with the byte size and SHA-256
 * it gives. Only `manifest.json`, those files and the public `trending.json` (checked against its
 * own `sha256` as the runtime checks it, see side-files.ts) are served; anything else in the folder
 * (the trainer's `training-log.json`, `training-curve.svg`) stays out.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AssetsError } from './errors.js';
import type { AssetFile } from './runtime-files.js';
import { trendingFile } from './side-files.js';

/** A checked model bundle. */
export interface ModelBundle {
  /** `manifest.name`. */
  name: string;
  /** `manifest.version`. */
  version: string;
  /** `manifest.json` first, then the listed files in the manifest's order. */
  files: AssetFile[];
}

/** A file name the manifest may list: one path segment in the bundle folder. */
const SAFE_NAME = /^(?!\.\.?$)[^/\\]+$/;

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Checks the bundle in `dir`.
 * @throws {AssetsError} `ASSETS_MODEL_NOT_FOUND`, `ASSETS_MANIFEST_MISSING`, `ASSETS_MANIFEST_INVALID`,
 * `ASSETS_MODEL_FILE_MISSING` or `ASSETS_MODEL_FILE_MISMATCH` (also for a `trending.json` that fails its check), naming the path.
 */
export async function modelBundle(dir: string): Promise<ModelBundle> {
  const s = await stat(dir).catch(() => undefined);
  if (!s?.isDirectory()) {
    throw new AssetsError(
      'ASSETS_MODEL_NOT_FOUND',
      `--model ${dir}: ${s ? 'not a folder' : 'no such folder'} (expected a model bundle folder with a manifest.json)`,
    );
  }
  const manifestPath = join(dir, 'manifest.json');
  const raw = await readOrUndefined(manifestPath);
  if (!raw) throw new AssetsError('ASSETS_MANIFEST_MISSING', `${manifestPath}: no such file (a model bundle folder has a manifest.json)`);
  const invalid = (why: string) => new AssetsError('ASSETS_MANIFEST_INVALID', `${manifestPath}: ${why}`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw invalid(`not JSON (${(e as Error).message})`);
  }
  const m = (manifest ?? {}) as Record<string, unknown> & { format?: unknown; name?: unknown; version?: unknown; files?: unknown };
  if (m.format !== 'localrec-bundle') throw invalid(`format is ${JSON.stringify(m.format)}, expected "localrec-bundle"`);
  if (typeof m.files !== 'object' || m.files === null || Array.isArray(m.files)) {
    throw invalid('files is missing (an object of file name → { sha256, bytes })');
  }
  // The files the runtime reads must have a hash to be checked against (the runtime refuses them otherwise).
  for (const key of ['weightsFile', 'vocabFile', 'catalogFile', 'segmentsFile', 'associationsFile']) {
    const f = m[key];
    if ((key === 'weightsFile' || key === 'vocabFile' || f !== undefined) && (typeof f !== 'string' || !(f in m.files))) {
      throw invalid(`${key} is ${JSON.stringify(f)}, which files does not list`);
    }
  }
  const files: AssetFile[] = [{ path: 'manifest.json', bytes: raw.length }];
  for (const [name, info] of Object.entries(m.files as Record<string, { sha256?: unknown; bytes?: unknown } | null>)) {
    if (!SAFE_NAME.test(name) || name === 'manifest.json') {
      throw invalid(`files names ${JSON.stringify(name)}, which is not a file name in the bundle folder`);
    }
    const path = join(dir, name);
    const bytes = await readOrUndefined(path);
    if (!bytes) throw new AssetsError('ASSETS_MODEL_FILE_MISSING', `${path}: no such file (manifest.json lists "${name}")`);
    if (typeof info?.bytes === 'number' && info.bytes !== bytes.length) {
      throw new AssetsError('ASSETS_MODEL_FILE_MISMATCH', `${path}: ${bytes.length} bytes, manifest.json says ${info.bytes}`);
    }
    if (typeof info?.sha256 === 'string') {
      const h = hex(bytes);
      if (h !== info.sha256.toLowerCase()) {
        throw new AssetsError('ASSETS_MODEL_FILE_MISMATCH', `${path}: SHA-256 ${h}, manifest.json says ${info.sha256}`);
      }
    }
    files.push({ path: name, bytes: bytes.length });
  }
  const trending = await trendingFile(dir);
  if (trending && !files.some((f) => f.path === trending.path)) files.push(trending);
  return { name: typeof m.name === 'string' ? m.name : '', version: typeof m.version === 'string' ? m.version : '', files };
}
