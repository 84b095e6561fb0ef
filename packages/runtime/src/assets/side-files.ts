/**
 * The optional files the runtime fetches next to a model's `manifest.json` that the manifest does
 * not list: `trending.json`, the shop's public trending file (written by `localrec trending`),
 * refreshed on the shop's own schedule without a new bundle, so no part of the versioned bundle.
 * Its integrity is its own `sha256`: the SHA-256 (hex) of the file's JSON without that key
 * (`@localrec/model`'s `trendingBody`, which the runtime checks in trending-file.ts). Checked here
 * the same way with `node:crypto` alone: this command's build bundles no workspace package.
 * (`associations.json` and the other files the runtime reads are listed in the manifest, with
 * their hashes: model-files.ts copies them.)
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AssetsError } from './errors.js';
import type { AssetFile } from './runtime-files.js';

/** `trending.json`'s `format` (`@localrec/model`'s `TRENDING_FORMAT`) and the one `formatVersion` the runtime reads. */
const TRENDING = { file: 'trending.json', format: 'localrec-trending', formatVersion: 1 } as const;

/**
 * The model folder `dir`'s `trending.json`, when it has one, checked as the runtime checks it:
 * a trending file (its `format` and `formatVersion`), whose content matches its own `sha256`.
 * `undefined` when the folder has none (the runtime then answers trending from the bundle's popularity).
 * @throws {AssetsError} `ASSETS_MODEL_FILE_MISMATCH` naming the file: not JSON, another kind of
 * file, or content that does not match its `sha256` (tampered with, or edited by hand).
 */
export async function trendingFile(dir: string): Promise<AssetFile | undefined> {
  const path = join(dir, TRENDING.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const refuse = (why: string) => new AssetsError('ASSETS_MODEL_FILE_MISMATCH', `${path}: ${why}`);
  let file: unknown;
  try {
    file = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw refuse(`not JSON (${(e as Error).message})`);
  }
  const t = (typeof file === 'object' && file !== null && !Array.isArray(file) ? file : {}) as Record<string, unknown>;
  if (t.format !== TRENDING.format)
    throw refuse(
      `format is ${JSON.stringify(t.format)}, expected "${TRENDING.format}" (not a trending file: \`localrec trending\` writes one)`,
    );
  if (t.formatVersion !== TRENDING.formatVersion)
    throw refuse(`formatVersion is ${JSON.stringify(t.formatVersion)}, the runtime reads ${TRENDING.formatVersion}`);
  if (typeof t.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(t.sha256)) throw refuse('sha256 is missing (64 hex digits)');
  const { sha256, ...body } = t;
  const h = createHash('sha256').update(JSON.stringify(body), 'utf8').digest('hex');
  if (h !== sha256) throw refuse(`SHA-256 of its content ${h}, the file says ${sha256} (changed after \`localrec trending\` wrote it?)`);
  return { path: TRENDING.file, bytes: bytes.length };
}
