/**
 * The connector behind the `model` option, in the connector file (see `model-entry.ts`): checks
 * the option and makes `@localrec/runtime`'s worker runtime for it.
 */
import { checkedWorkerRuntime } from '@localrec/runtime/connector';
import type { RuntimeConnector } from './connector.js';
import type { ModelOptions } from './model.js';
import { modelProblem } from './model-check.js';
import { badModel } from './model-errors.js';

/**
 * `workerRuntime` for `config.model` (a folder URL or {@link ModelOptions}). The runtime's files
 * default to the folder of `base` (the SDK's own URL).
 * @throws {LocalRecError} `INVALID_CONFIG` naming the bad field, or when `config.runtime` is given too.
 */
export async function modelConnector(
  config: { runtime?: RuntimeConnector; model?: unknown },
  base: string | undefined,
): Promise<RuntimeConnector> {
  const m = config.model;
  let model: ModelOptions | undefined;
  try {
    // A copy, read once: the checks and the connector see the same values (getters run once, a Proxy that throws is refused).
    model = typeof m === 'string' ? { url: m } : typeof m === 'object' && m !== null ? { ...(m as ModelOptions) } : undefined;
  } catch {
    // Unreadable (a getter or a Proxy trap threw): `model` stays undefined, refused below.
  }
  const problem = modelProblem(config, model, base);
  if (problem) throw await badModel(problem, config, model);
  const { url: modelUrl, runtimeUrl, ...rest } = model!;
  return checkedWorkerRuntime({ ...rest, modelUrl, assetsUrl: runtimeUrl ?? new URL('./', base).href });
}
