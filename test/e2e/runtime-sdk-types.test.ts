/**
 * Type-level check that the runtime's connector plugs into the SDK: `workerRuntime(...)` is an
 * SDK `RuntimeConnector` (the SDK's config `runtime` option). Fails `pnpm typecheck` otherwise.
 */
import { describe, expect, it } from 'vitest';
import type { RuntimeConnector } from '@localrec/sdk';
import type { workerRuntime } from '../../packages/runtime/src/connector.js';

type Plugs = ReturnType<typeof workerRuntime> extends RuntimeConnector ? true : false;
const plugs: Plugs = true;

describe('runtime connector ↔ SDK seam', () => {
  it('workerRuntime() is assignable to the SDK RuntimeConnector', () => {
    expect(plugs).toBe(true);
  });
});
