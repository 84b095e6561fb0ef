/**
 * Will this model bundle fit a mini-program? Two budgets:
 * - Package: a mini-program code package is limited to 2 MB (WeChat's documented limit per
 *   package). A bundle shipped inside the package must fit in what the code leaves free; a
 *   bundle downloaded at run time does not count against it.
 * - Memory: the runtime dequantises the model to float32 once at load and keeps the item table
 *   twice on the tfjs backend (table and transpose) plus per-item norms, the cold-start tables and
 *   the vocabulary. Mini-programs have far less memory than a browser tab and WeChat documents no
 *   fixed figure; the default budget (64 MB) is a deliberately conservative choice, configurable.
 */
import { LocalRecError } from '@localrec/core';

/** The parts of a bundle `manifest.json` the check reads (see @localrec/model's README). */
export interface ManifestLike {
  itemCount: number;
  architecture: { dim: number };
  tensors?: readonly { name: string; dtype: string; shape: readonly number[] }[];
  files?: Readonly<Record<string, { bytes: number }>>;
}

export interface ModelFitOptions {
  /** `'package'`: the bundle ships inside the code package; `'download'` (default): fetched at run time. */
  placement?: 'package' | 'download';
  /** Code package limit in bytes. Default 2 MB. */
  packageLimitBytes?: number;
  /** Bytes of the code package already used by code (LocalRec, tfjs, the app). Default 0. */
  codeBytes?: number;
  /** Memory the loaded model may take, in bytes. Default 64 MB. */
  memoryBudgetBytes?: number;
}

export interface ModelFootprint {
  /** Bytes of the bundle's files (what is downloaded or packaged). */
  fileBytes: number;
  /** Estimated bytes held in memory after load. */
  memoryBytes: number;
}

const MB = 1024 * 1024;
export const MINIPROGRAM_PACKAGE_LIMIT = 2 * MB;
export const DEFAULT_MEMORY_BUDGET = 64 * MB;

/** Estimates a bundle's file and memory footprint from its manifest. */
export function modelFootprint(manifest: ManifestLike): ModelFootprint {
  const rows = manifest.itemCount + 1;
  const d = manifest.architecture.dim;
  const fileBytes = Object.values(manifest.files ?? {}).reduce((s, f) => s + f.bytes, 0);
  // Every tensor dequantised to 4-byte values; without a tensor table, the item table alone.
  let tensorBytes = 0;
  for (const t of manifest.tensors ?? []) {
    if (t.name.endsWith('/scales')) continue;
    tensorBytes += t.shape.reduce((a, b) => a * b, 1) * 4;
  }
  if (tensorBytes === 0) tensorBytes = rows * d * 4;
  const backendCopies = 2 * rows * d * 4; // item table + its transpose on the tfjs backend
  const norms = rows * 4;
  const vocab = (manifest.files?.['vocab.json']?.bytes ?? rows * 12) * 2; // JS strings are UTF-16
  return { fileBytes, memoryBytes: tensorBytes + backendCopies + norms + vocab };
}

/**
 * Refuses a bundle that cannot fit a mini-program; returns its footprint when it fits.
 * @throws {LocalRecError} `BUNDLE_INVALID` naming the bundle's size and the limit it exceeds.
 * @example assertModelFits(manifest, { placement: 'package', codeBytes: 900_000 });
 */
export function assertModelFits(manifest: ManifestLike, options: ModelFitOptions = {}): ModelFootprint {
  if (typeof manifest?.itemCount !== 'number' || typeof manifest.architecture?.dim !== 'number') {
    throw new LocalRecError('BUNDLE_INVALID', 'Not a bundle manifest: itemCount and architecture.dim are required.', { field: 'manifest' });
  }
  const fp = modelFootprint(manifest);
  const memory = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
  if (fp.memoryBytes > memory) {
    throw new LocalRecError(
      'BUNDLE_INVALID',
      `Model needs about ${mb(fp.memoryBytes)} of memory (${manifest.itemCount} items × ${manifest.architecture.dim} dims); the mini-program budget is ${mb(memory)}. Use a smaller catalog or dimension.`,
      { field: 'itemCount', accepted: [`≤ ${mb(memory)} of memory`] },
    );
  }
  if ((options.placement ?? 'download') === 'package') {
    const free = (options.packageLimitBytes ?? MINIPROGRAM_PACKAGE_LIMIT) - (options.codeBytes ?? 0);
    if (fp.fileBytes > free) {
      throw new LocalRecError(
        'BUNDLE_INVALID',
        `Model files are ${mb(fp.fileBytes)}; the code package has ${mb(Math.max(0, free))} left of its ${mb(options.packageLimitBytes ?? MINIPROGRAM_PACKAGE_LIMIT)} limit. Download the model at run time (placement: 'download') instead.`,
        { field: 'placement', accepted: ['download', `package (≤ ${mb(Math.max(0, free))})`] },
      );
    }
  }
  return fp;
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(2)} MB`;
}
