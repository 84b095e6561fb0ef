/**
 * The runtime's options: checked once at `init`, with the defaults filled in.
 */
import { LocalRecError } from '@localrec/core';
import { checkAppId, preview } from '@localrec/core/internal';
import { BACKENDS, type RuntimeOptions } from './api.js';
import { checkBackend } from './backends.js';

/** Defaults of the runtime's timing options (ms). */
export const RUNTIME_DEFAULTS = Object.freeze({ budgetMs: 50, readyTimeoutMs: 10_000, retryDelayMs: 5_000 });

/** Options after {@link checkRuntimeOptions}: the timing defaults filled in. */
export type CheckedOptions = RuntimeOptions & { budgetMs: number; readyTimeoutMs: number; retryDelayMs: number };

/**
 * Checks `options` and fills in the defaults.
 * @throws {LocalRecError} `INVALID_CONFIG` naming the option (`field`), the bad value and, for a
 * backend name, the accepted ones.
 */
export function checkRuntimeOptions(options: RuntimeOptions): CheckedOptions {
  // The same rule, code and message as the SDK's config (one appId vocabulary).
  checkAppId((options as RuntimeOptions | undefined)?.appId, 'runtime options');
  if (typeof options.modelUrl !== 'string' || !options.modelUrl) {
    throw new LocalRecError('INVALID_CONFIG', `modelUrl must be the bundle folder URL, got ${preview(options.modelUrl)}`, {
      field: 'modelUrl',
    });
  }
  if (options.backends !== undefined && !Array.isArray(options.backends)) {
    throw new LocalRecError(
      'INVALID_CONFIG',
      `backends must be an array of backend names (${BACKENDS.join(', ')}), got ${preview(options.backends)}`,
      { field: 'backends', accepted: BACKENDS },
    );
  }
  for (const b of options.backends ?? []) checkBackend(b, 'backends');
  if (options.forceBackend) checkBackend(options.forceBackend, 'forceBackend');
  if (options.softwareGpu !== undefined && typeof options.softwareGpu !== 'boolean') {
    throw new LocalRecError('INVALID_CONFIG', `softwareGpu must be true or false, got ${preview(options.softwareGpu)}`, {
      field: 'softwareGpu',
      accepted: ['true', 'false'],
    });
  }
  const r = options.retentionMs;
  if (r !== undefined && !(typeof r === 'number' && Number.isFinite(r) && r > 0)) {
    throw new LocalRecError(
      'INVALID_CONFIG',
      `retentionMs must be a positive number of milliseconds, got ${typeof r === 'number' ? r : typeof r}`,
      {
        field: 'retentionMs',
        accepted: ['a positive finite number'],
      },
    );
  }
  if (options.trendingUrl !== undefined && (typeof options.trendingUrl !== 'string' || !options.trendingUrl)) {
    throw new LocalRecError('INVALID_CONFIG', `trendingUrl must be the trending file's URL, got ${preview(options.trendingUrl)}`, {
      field: 'trendingUrl',
    });
  }
  const age = options.trendingMaxAgeMs;
  if (age !== undefined && !(typeof age === 'number' && age >= 0 && age !== Infinity)) {
    throw new LocalRecError('INVALID_CONFIG', `trendingMaxAgeMs must be a non-negative number of milliseconds, got ${preview(age)}`, {
      field: 'trendingMaxAgeMs',
      accepted: ['a finite number ≥ 0'],
    });
  }
  return { ...RUNTIME_DEFAULTS, ...options };
}
