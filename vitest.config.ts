import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARG } from './test/browser.mjs';
import { watPlugin } from './packages/runtime/scripts/wat.mjs';
import { wgslPlugin } from './packages/runtime/scripts/wgsl.mjs';

// Two projects: `unit` (Node, fast, mocks allowed) and `e2e` (real Chromium through Playwright,
// real IndexedDB, real workers, built bundles). Source packages resolve through the
// `@localrec/source` export condition, so unit tests need no build step.
export default defineConfig({
  // `import bytes from './topk.wat'` (the runtime's int8 kernels) and `import source from './topk.wgsl'`, as in rollup.config.mjs.
  plugins: [watPlugin(), wgslPlugin()],
  resolve: { conditions: ['@localrec/source'] },
  ssr: { resolve: { conditions: ['@localrec/source'], externalConditions: ['@localrec/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/firefox/**/*.test.ts', 'test/pack/**/*.test.ts', 'test/consumer/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // Tests that must run IN the browser (real IndexedDB, real workers): `*.browser.ts` files,
        // run by vitest browser mode in Debian Chromium (see ../shared ENVIRONMENT.md).
        extends: true,
        // The built runtime (`pnpm build`) served as it ships, untransformed (vite would rewrite its
        // dynamic imports for vitest's mocker): `/worker.js`, `/chunks/…`, the `.wasm` files
        // (packages/runtime/test/transport.browser.ts).
        publicDir: 'packages/runtime/dist',
        test: {
          name: 'browser',
          include: ['packages/*/test/**/*.browser.ts'],
          testTimeout: 120_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            api: { host: '127.0.0.1' },
            screenshotFailures: false,
            provider: playwright({
              // The repository's one set of Chromium flags (test/browser.mjs), without WebGPU.
              launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        // `*.webgpu.ts`: browser tests of WebGPU code, in Chromium with WebGPU on (SwiftShader on a
        // machine without a GPU: correctness only, never a performance figure).
        extends: true,
        publicDir: 'packages/runtime/dist',
        test: {
          name: 'browser-webgpu',
          include: ['packages/*/test/**/*.webgpu.ts'],
          testTimeout: 300_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            api: { host: '127.0.0.1' },
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, WEBGPU_ARG] } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
