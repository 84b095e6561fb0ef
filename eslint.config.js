// @ts-check
// ESLint for the whole monorepo. Type-checked rules where they catch real bugs (promises that are
// never awaited or are passed where a void callback is expected, awaiting non-promises, unused
// code); formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'coverage/**',
      'reports/**',
      'docs/api/**',
      '.tmp/**',
      '.cache/**',
      'models/**',
      'benchmarks/results/**',
      'examples/miniprogram/runtime/**',
      'examples/shop/public/generated/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser, ...globals.worker },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Promises: the bugs worth a linter.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            // The script tag's `LocalRec.track` is fire-and-forget by contract (it never rejects).
            { from: 'file', name: 'track', path: 'packages/sdk/src/global.ts' },
            // Returns its promise with a rejection handler already attached.
            { from: 'file', name: 'quiet', path: 'packages/store-idb/src/store.ts' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // `import type` keeps types out of bundles (tsconfig has verbatimModuleSyntax too).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      'no-unused-vars': 'off',
      // Re-throwing or rejecting with a caught `unknown` is fine; throwing a string literal is not.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true, allowArray: true, allowRegExp: true },
      ],
      // Off on purpose: `async` without `await` is how an API turns a synchronous throw into a
      // rejection; String(unknown) in messages is deliberate; validators match control characters.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // The wx stand-ins and adapters reproduce wx's own failure shape ({ errMsg }), which is not an Error.
    files: ['packages/*/src/testing/**', 'packages/store-kv/src/wx.ts'],
    rules: {
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  {
    // Tests, e2e pages and benchmarks drive browser pages through `page.evaluate` and poke at
    // untyped globals (`window.LocalRec`, `self.__x`), and the shipped conformance suites
    // (`src/testing/`) use vitest's asymmetric matchers (`expect.any(Number)` is typed any): the
    // any-safety rules there are noise.
    files: ['packages/*/test/**', 'packages/*/src/testing/**', 'test/**', 'benchmarks/**', 'packages/*/bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Report lines print loosely typed result rows.
      '@typescript-eslint/restrict-template-expressions': 'off',
      // `expect(spy.method).toHaveBeenCalled…`, saving a prototype method to patch and restore it,
      // and wx stand-ins assembled from methods are the patterns here; none calls a method unbound.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // WeChat mini-program globals.
    files: ['examples/miniprogram/**', 'packages/miniprogram/**'],
    languageOptions: {
      globals: {
        wx: 'readonly',
        App: 'readonly',
        Page: 'readonly',
        Component: 'readonly',
        getApp: 'readonly',
        getCurrentPages: 'readonly',
      },
    },
  },
  {
    // Plain JavaScript (bins, rollup config, scripts, the mini-program example): no type information.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // CommonJS is the mini-program's module system.
    files: ['examples/miniprogram/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
