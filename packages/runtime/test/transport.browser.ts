/**
 * The transport conformance suite over the REAL Web Worker in Chromium: the built
 * `packages/runtime/dist/worker.js` (run `pnpm build` first) hosting the real runtime, loading the
 * committed models/demo-shop, reached through `webWorkerTransport` (Comlink, Web Lock liveness).
 * The crash is a real one: the worker is terminated behind the link's back.
 */
import { webWorkerTransport } from '../src/connector.js';

// vitest.config.ts serves packages/runtime/dist as the browser project's public folder, untransformed.
const DIST = '/';
import { describeTransportConformance } from '@localrec/transport/testing';

const at = (path: string): string => new URL(path, location.href).href;
let last: Worker | undefined;

describeTransportConformance({
  name: 'Web Worker (built worker.js, real runtime, Chromium)',
  makeTransport: () =>
    webWorkerTransport(new URL(at(`${DIST}worker.js`)), {
      startTimeoutMs: 60_000,
      onWorker: (w) => {
        last = w;
      },
    }),
  // No cache: every runtime downloads the model, so a fresh one is still loading when it is crashed.
  init: {
    modelUrl: at('/models/demo-shop/'),
    wasmPath: at(DIST),
    cache: false,
    calibrate: false,
    backends: ['wasm', 'cpu'],
    budgetMs: 60_000,
  },
  crash: () => last!.terminate(),
  timeoutMs: 120_000,
});
