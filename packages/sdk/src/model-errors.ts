/**
 * The `INVALID_CONFIG` error of a bad `model` option (`model-connector.ts` finds which field is
 * bad), made only when one is bad. Async functions only: the script-tag build moves this module
 * into `localrec-model-extras.min.mjs`, loaded on first use (COLD_MODULES in rollup.config.mjs);
 * the ES build bundles it as it is.
 */
import { LocalRecError } from '@localrec/core';
import { preview } from '@localrec/core/internal';
import { MODES, type ModelProblem } from './model-check.js';
import type { ModelOptions } from './model.js';

/** What each field must be. */
const WHAT: Record<string, string> = {
  model: 'a model folder URL or { url, … }',
  'model.runtimeUrl': 'a non-empty string',
  'model.workerUrl': 'a non-empty string',
  'model.manifestSha256': 'a non-empty string',
  'model.mode': `one of ${MODES.join(', ')}`,
  'model.onProgress': 'a function',
  'model.startTimeoutMs': 'a positive number of milliseconds',
};

/**
 * The error for `problem` (what {@link modelProblem} found) in `config.model`, read once into
 * `model`: `INVALID_CONFIG` naming the field, the bad value and what it must be.
 */
export async function badModel(
  problem: ModelProblem,
  config: { model?: unknown },
  model: ModelOptions | undefined,
): Promise<LocalRecError> {
  if (problem === 'runtime')
    return new LocalRecError('INVALID_CONFIG', 'config.runtime and config.model were both given; give one of them.', {
      field: 'model',
      accepted: ['model', 'runtime'],
    });
  const [field, what] =
    problem === 'base'
      ? ['model.runtimeUrl', "the runtime files' folder URL (the SDK's own URL is unknown here)"]
      : [problem, WHAT[problem]!];
  const value = field === 'model' ? config.model : (model as unknown as Record<string, unknown>)[field.slice(6)];
  return new LocalRecError('INVALID_CONFIG', `config.${field} must be ${what}; got ${preview(value)}.`, {
    field,
    accepted: field === 'model.mode' ? MODES : [what],
  });
}
