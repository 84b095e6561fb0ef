/**
 * What the worker connector runs only when the worker failed to start: finding out why, for the
 * error message. Async functions only: the script-tag build moves this module into
 * `localrec-extras.min.mjs`, loaded on first use (COLD_MODULES in rollup.config.mjs); other builds
 * bundle it as it is.
 */
import { globalFetch } from '@localrec/core/internal';

/** The worker script's HTTP status (a HEAD request), or why it could not be read: for the error message. */
export async function diagnose(url: URL): Promise<{ text: string; permanent: boolean }> {
  const get = globalFetch();
  if (!get) return { text: 'blocked or not found', permanent: true };
  try {
    const res = await get(url.href, { method: 'HEAD', cache: 'no-store' });
    if (!res.ok)
      return { text: `HTTP ${res.status}${res.status === 404 ? ' (not found: check the runtime files URL)' : ''}`, permanent: true };
    return {
      text: `the script (HTTP ${res.status}) or one of its imports failed to load or was blocked (CSP worker-src / script-src, CORS)`,
      permanent: true,
    };
  } catch (e) {
    return { text: `unreachable (${(e as Error).message}; another origin must send CORS headers)`, permanent: false };
  }
}
