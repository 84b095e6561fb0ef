/**
 * What the worker connector runs only off the usual path: a worker that cannot start (why, for the
 * error message), the cross-origin bootstrap, the main-thread transport and the notice of falling
 * back to it. Async
 * functions only: the script-tag build moves this module into `localrec-extras.min.mjs`, loaded on
 * first use (COLD_MODULES in rollup.config.mjs); other builds bundle it as it is.
 */
import { LocalRecError } from '@localrec/core';
import { blobConstructor, globalFetch, urlConstructor } from '@localrec/core/internal';
import type { ConnectContext } from '@localrec/contract';
import type { RuntimeTransport } from '@localrec/transport';
import { mainThreadTransport } from './main-thread.js';

/**
 * The `WORKER_CRASHED` error of the worker at `url` that failed to start, saying why: the error
 * event's `message` when it has one, else the script's HTTP status (a HEAD request) or why it
 * could not be read. With it, whether a new attempt could succeed (`false`: it would only repeat
 * the failure, e.g. an HTTP 404).
 */
export async function startFailed(url: URL, message?: string): Promise<[LocalRecError, boolean]> {
  const [why, again] = message ? [message, false] : await diagnose(url);
  return [new LocalRecError('WORKER_CRASHED', `The runtime worker ${url.href} failed to start: ${why}`), again];
}

/** Why the worker script at `url` did not start (its HTTP status, or why it could not be read), and whether a retry could succeed. */
async function diagnose(url: URL): Promise<[string, boolean]> {
  const get = globalFetch();
  if (!get) return ['blocked or not found', false];
  try {
    const res = await get(url.href, { method: 'HEAD', cache: 'no-store' });
    if (!res.ok) return [`HTTP ${res.status}${res.status === 404 ? ' (not found: check the runtime files URL)' : ''}`, false];
    return [
      `the script (HTTP ${res.status}) or one of its imports failed to load or was blocked (CSP worker-src / script-src, CORS)`,
      false,
    ];
  } catch (e) {
    return [`unreachable (${(e as Error).message}; another origin must send CORS headers)`, true];
  }
}

/** The `WORKER_CRASHED` error of a worker that could not even be created: no Web Workers here (no `cause`), or the constructor threw `cause`. */
export async function cannotStart(url: URL, cause?: unknown): Promise<LocalRecError> {
  return cause === undefined
    ? new LocalRecError('WORKER_CRASHED', 'Web Workers are not available here')
    : new LocalRecError('WORKER_CRASHED', `Could not start the runtime worker ${url.href}: ${(cause as Error).message}`, { cause });
}

/** What the worker's start threw that is no `LocalRecError` (a `DataCloneError`, a `TypeError`…), as a `WORKER_CRASHED` error. */
export async function asWorkerCrash(cause: unknown): Promise<LocalRecError> {
  return new LocalRecError('WORKER_CRASHED', String(cause), { cause });
}

/**
 * The module a cross-origin worker starts from: a `blob:` URL on the page's origin whose only line
 * imports `url`. `undefined` where there are no Blob URLs.
 */
export async function bootstrapUrl(url: URL): Promise<string | undefined> {
  const U = urlConstructor();
  const B = blobConstructor();
  if (!U?.createObjectURL || !B) return undefined;
  return U.createObjectURL(new B([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
}

/**
 * The main-thread transport from `assets`; when the worker failed with `failure` (`mode: 'auto'`),
 * after saying so once, as `WORKER_UNAVAILABLE` through the SDK's `onError` (else the console).
 */
export async function mainThreadFallback(
  assets: URL,
  ctx: Pick<ConnectContext, 'report'>,
  failure?: LocalRecError,
): Promise<RuntimeTransport> {
  if (failure) {
    const notice = new LocalRecError('WORKER_UNAVAILABLE', `The model runs on the main thread (mode: 'auto'): ${failure.message}`, {
      cause: failure,
    });
    if (ctx.report) ctx.report(notice);
    else if (typeof console !== 'undefined') console.warn(`LocalRec: ${notice.message}`);
  }
  return mainThreadTransport(assets);
}
