/**
 * `vitest` inside the Firefox page bundle (see ./conformance.ts): the shared suites import
 * `describe`/`it`/hooks/`expect` from 'vitest', and esbuild points that import here. They come from
 * vitest's own runner and assertion packages (@vitest/runner, @vitest/expect, at the version vitest
 * runs with), so a case is declared, filtered, run and asserted in Firefox as it is under vitest:
 * `it.skipIf`, `afterEach`, `toEqual`'s equality and diffs are vitest's code, not a stand-in.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  chai,
  setState,
} from '@vitest/expect';
import type { ExpectStatic } from '@vitest/expect';

export { afterAll, afterEach, beforeAll, beforeEach, describe, it, suite, test } from '@vitest/runner';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** vitest's `expect` (as vitest's createExpect builds it, without snapshot and poll support). */
export const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as ExpectStatic;
Object.assign(expect, chai.expect);
Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
setState({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null }, expect);
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;
