/**
 * The main-thread transport of `@localrec/runtime/connector` (`mode: 'auto'` after the worker
 * failed, or `'main-thread'`). A module of its own: the script tag's connector file reaches it
 * through the connector's cold code (connector-cold.ts), loaded only then.
 */
import type { RuntimeApi } from '@localrec/contract';
import { inThreadTransport, type RuntimeTransport } from '@localrec/transport';

/**
 * The main-thread transport: the same runtime, this thread (`runtime.js` imported from `assets`
 * on the first `open()` only: tfjs is fetched only in this case).
 */
export function mainThreadTransport(assets: URL): RuntimeTransport {
  return inThreadTransport(async () => {
    const url = new URL('runtime.js', assets).href;
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as { createBrowserRuntime(wasmPath?: string): RuntimeApi };
    return mod.createBrowserRuntime(assets.href);
  }, 'main-thread');
}
