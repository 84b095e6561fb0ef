/**
 * The connector behind the `model` option, in the connector file (see `model-entry.ts`): checks
 * the options and makes `@localrec/runtime`'s `workerRuntime` for them.
 */
import { LocalRecError } from '@localrec/core';
import { preview } from '@localrec/core/internal';
import { workerRuntime } from '@localrec/runtime/connector';
import type { RuntimeConnector } from './connector.js';
import type { ModelMode, ModelOptions } from './model.js';

const MODES: readonly ModelMode[] = ['worker', 'auto', 'main-thread'];

const bad = (field: string, what: string, value: unknown, accepted: readonly string[] = [what]): LocalRecError =>
  new LocalRecError('INVALID_CONFIG', `config.${field} must be ${what}; got ${preview(value)}.`, { field, accepted });

/**
 * `workerRuntime` for `config.model` (a folder URL or {@link ModelOptions}). The runtime's files
 * default to the folder of `base` (the SDK's own URL).
 * @throws {LocalRecError} `INVALID_CONFIG` naming the bad field, or when `config.runtime` is given too.
 */
export function modelConnector(config: { runtime?: RuntimeConnector; model?: unknown }, base: string | undefined): RuntimeConnector {
  const m = config.model;
  let model: ModelOptions | undefined;
  try {
    // A copy, read once: the checks and the connector see the same values (getters run once, a Proxy that throws is refused).
    model = typeof m === 'string' ? { url: m } : typeof m === 'object' && m !== null ? { ...(m as ModelOptions) } : undefined;
  } catch {
    model = undefined;
  }
  if (!model || typeof model.url !== 'string' || !model.url) throw bad('model', 'a model folder URL or { url, … }', m);
  if (config.runtime !== undefined)
    throw new LocalRecError('INVALID_CONFIG', 'config.runtime and config.model were both given; give one of them.', {
      field: 'model',
      accepted: ['model', 'runtime'],
    });
  const { url: modelUrl, runtimeUrl, ...rest } = model;
  for (const f of ['runtimeUrl', 'workerUrl', 'manifestSha256'] as const) {
    const v = model[f];
    if (v !== undefined && (typeof v !== 'string' || !v)) throw bad(`model.${f}`, 'a non-empty string', v);
  }
  if (model.mode !== undefined && !MODES.includes(model.mode)) throw bad('model.mode', `one of ${MODES.join(', ')}`, model.mode, MODES);
  if (model.onProgress !== undefined && typeof model.onProgress !== 'function')
    throw bad('model.onProgress', 'a function', model.onProgress);
  const assetsUrl = runtimeUrl ?? (base ? new URL('./', base).href : undefined);
  if (!assetsUrl) throw bad('model.runtimeUrl', "the runtime files' folder URL (the SDK's own URL is unknown here)", runtimeUrl);
  return workerRuntime({ ...rest, modelUrl, assetsUrl });
}
