import { defineConfig } from 'vitest/config';

// Two projects: `unit` (Node, fast, mocks allowed) and `e2e` (real Chromium through Playwright,
// real IndexedDB, real workers, built bundles). Source packages resolve through the
// `@localrec/source` export condition, so unit tests need no build step.
export default defineConfig({
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
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
