/**
 * The worker entry (`dist/worker.js`, a module worker): hosts tfjs and the model, reads the
 * event store itself, and exposes one {@link RuntimeApi} through Comlink. Start it with
 * `workerRuntime()` from `@localrec/runtime/connector`.
 */
import { expose } from 'comlink';
import { createBrowserRuntime } from './browser.js';
import { installErrorTransfer } from './transfer.js';
import type { RuntimeApi } from './api.js';

installErrorTransfer();
// The .wasm files are copied next to the bundle; `options.wasmPath` overrides.
const runtime: RuntimeApi = createBrowserRuntime(new URL('./', import.meta.url).href);
expose(runtime);
