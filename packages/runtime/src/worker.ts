/**
 * The worker entry (`dist/worker.js`, a module worker): hosts tfjs and the model, reads the
 * event store itself, and exposes one {@link RuntimeApi} through Comlink. Start it with
 * `workerRuntime()` from `@localrec/runtime/connector`.
 */
import { expose } from 'comlink';
import { webLocks } from '@localrec/core/internal';
import { createBrowserRuntime } from './browser.js';
import { installErrorTransfer } from './transfer.js';
import type { RuntimeApi } from './api.js';

installErrorTransfer();
// Liveness: hold the Web Lock the connector named (in the worker's name) for this worker's whole
// life. The browser releases it when the worker dies (terminated, crashed, closed), which is how
// the page learns that calls in flight will never be answered.
const alive = /#(localrec-runtime-alive-[\w-]+)$/.exec(self.name)?.[1];
if (alive) void webLocks()?.request(alive, () => new Promise<never>(() => {}));
// The .wasm files are copied next to the bundle; `options.wasmPath` overrides.
const runtime: RuntimeApi = createBrowserRuntime(new URL('./', import.meta.url).href);
expose(runtime);
