/**
 * The `model` option: `createLocalRec({ …, model: '/models/my-shop/' })` / `LocalRec.init(…)`
 * plugs in the worker runtime of `@localrec/runtime` without the page importing it. The runtime's
 * page-side connector is a second file, imported only when a page sets `model` and only when the
 * runtime is first needed, so pages that only record never download it.
 */
import type { LoadProgress } from '@localrec/contract';
import type { RuntimeConnector } from './connector.js';

/** Where the model runs; see {@link ModelOptions.mode}. */
export type ModelMode = 'worker' | 'auto' | 'main-thread';

/** The long form of the `model` option. */
export interface ModelOptions {
  /** Folder URL of the model bundle (`manifest.json` and the files it names), e.g. `'/models/my-shop/'`. */
  url: string;
  /**
   * Folder serving `@localrec/runtime`'s `dist/` files (`worker.js`, `runtime.js`, `chunks/`, `.wasm`).
   * Default: the folder the SDK itself was loaded from (`localrec.min.js`'s `src`, or the ES
   * module's URL), so copying both packages' `dist/` into one folder needs no option. Another
   * origin (a CDN) works when it sends CORS headers; see `workerUrl`.
   */
  runtimeUrl?: string;
  /**
   * A same-origin script that starts the worker (default: `worker.js` in `runtimeUrl`; on another
   * origin through a `blob:` module, which a CSP must allow with `worker-src blob:`). For a CSP
   * without `blob:`, serve a one-line file `import 'https://cdn.example/…/worker.js';` on the
   * page's origin and name it here.
   */
  workerUrl?: string;
  /**
   * `'worker'` (default): the model runs in a Web Worker only; if none can start, answers fall back
   * (`fallbackReason: 'error'`) and `onError` gets `WORKER_CRASHED` naming the URL; tfjs never
   * runs on the page. `'auto'`: a worker, else the page's main thread (reported once as
   * `WORKER_UNAVAILABLE`). `'main-thread'`: never a worker.
   */
  mode?: ModelMode;
  /** Pins the bundle: the SHA-256 (hex) `manifest.json` must have. */
  manifestSha256?: string;
  /** Download / backend progress of the model. */
  onProgress?: (p: LoadProgress) => void;
}

/** What the lazily imported connector file exports (`model-entry.ts`). */
export interface ModelModule {
  /** The connector for `config.model` (checked there: `INVALID_CONFIG` naming the field); `base` is the SDK's own URL. */
  modelConnector(config: { runtime?: RuntimeConnector; model?: unknown }, base: string | undefined): Promise<RuntimeConnector>;
}

/** How this build reaches the connector file: `base` is the SDK's own URL, `load` imports the file. */
export interface ModelChunk {
  readonly base: string | undefined;
  load(): Promise<ModelModule>;
}

/**
 * The connector an SDK instance uses: `config.runtime`, else one for `config.model`, else `none`
 * (explicit cold start). The one for `model` imports the connector file on its first `connect`
 * (the SDK connects right after creation) and keeps the connector it made, which remembers a
 * worker that cannot start (a 404 is not fetched again on every call), or the import's failure.
 * `model` is checked there, in the connector file, so that pages
 * without a model do not carry the checks: a bad one is reported through `onError` at once
 * (`INVALID_CONFIG` naming the field) and recommendations answer with fallbacks.
 */
export function pickRuntime(
  config: { runtime?: RuntimeConnector; model?: unknown },
  chunk: ModelChunk,
  none: RuntimeConnector,
): RuntimeConnector {
  let inner: Promise<RuntimeConnector> | undefined;
  return config.model === undefined
    ? (config.runtime ?? none)
    : {
        kind: 'worker',
        // A failed import is kept too: the file is missing or blocked, and fetching it again on every call would not help.
        connect: async (ctx) => (await (inner ??= chunk.load().then((mod) => mod.modelConnector(config, chunk.base)))).connect(ctx),
      };
}
