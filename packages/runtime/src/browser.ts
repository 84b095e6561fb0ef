/**
 * The runtime wired for a browser context (worker or page): events from IndexedDB through
 * `@localrec/store-idb`, bundles through `fetch` and Cache Storage. This module is the entry of
 * `dist/runtime.js`, which the connector imports on the main thread when workers are unavailable.
 */
import { IndexedDbEventReader } from '@localrec/store-idb';
import { Runtime } from './runtime.js';

export {
  BACKENDS,
  CACHE_NAME,
  Runtime,
  loadBundle,
  withFeedback,
  type BackendEvent,
  type BackendName,
  type Calibration,
  type Consent,
  type FeedbackItem,
  type FeedbackResult,
  type FetchedBundle,
  type LoadBundleOptions,
  type LoadProgress,
  type RuntimeApi,
  type RuntimeDeps,
  type RuntimeMemory,
  type RuntimeOptions,
  type TrackFn,
} from './index.js';

/**
 * A {@link Runtime} that reads the shopper's events from IndexedDB (the same database the SDK
 * writes, by `appId`) through `IndexedDbEventReader`: it never creates or upgrades the database,
 * and lets go of it when the page deletes it (`forgetMe`). The calibration choice is written to the
 * store's meta area once the page has created the database (until then it is simply not cached).
 * `wasmPath` is the folder serving tfjs-backend-wasm's `.wasm` files.
 */
export function createBrowserRuntime(wasmPath?: string): Runtime {
  const deps: ConstructorParameters<typeof Runtime>[0] = { createStore: (appId) => new IndexedDbEventReader({ appId }) };
  if (wasmPath) deps.wasmPath = wasmPath;
  return new Runtime(deps);
}
