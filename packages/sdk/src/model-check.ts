/**
 * The checks of the `model` option (see `model-connector.ts`): which field is bad, if any. The
 * error itself is made by `model-errors.ts`, only when one is (the script tag loads it then).
 */
import type { RuntimeConnector } from './connector.js';
import type { ModelMode, ModelOptions } from './model.js';

/** The values of `model.mode`. */
export const MODES: readonly ModelMode[] = ['worker', 'auto', 'main-thread'];

/**
 * What is wrong with the `model` option: the bad field (`'model'` when it is neither a folder URL
 * nor an object with one), `'runtime'` when `config.runtime` is given too, `'base'` when the
 * runtime files' folder is neither given nor known (no `base`).
 */
export type ModelProblem =
  | 'model'
  | 'runtime'
  | 'base'
  | 'model.runtimeUrl'
  | 'model.workerUrl'
  | 'model.manifestSha256'
  | 'model.mode'
  | 'model.onProgress'
  | 'model.startTimeoutMs';

const optionalString = (v: unknown): boolean => v === undefined || (typeof v === 'string' && v !== '');

/**
 * The first problem of `model` (`config.model` read once; `undefined` when it is neither a string
 * nor an object), or `undefined` when it is a good one. `startTimeoutMs` is `workerRuntime`'s
 * option of that name, passed on as it is (checked by the same rule).
 */
export function modelProblem(
  config: { runtime?: RuntimeConnector },
  model: (ModelOptions & { startTimeoutMs?: unknown }) | undefined,
  base: string | undefined,
): ModelProblem | undefined {
  if (!model || typeof model.url !== 'string' || !model.url) return 'model';
  if (config.runtime !== undefined) return 'runtime';
  for (const f of ['runtimeUrl', 'workerUrl', 'manifestSha256'] as const) if (!optionalString(model[f])) return `model.${f}`;
  if (model.mode !== undefined && !MODES.includes(model.mode)) return 'model.mode';
  if (model.onProgress !== undefined && typeof model.onProgress !== 'function') return 'model.onProgress';
  const t = model.startTimeoutMs;
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t > 0)) return 'model.startTimeoutMs';
  if (model.runtimeUrl === undefined && !base) return 'base';
  return undefined;
}
