import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRecError, MemoryEventStore } from '@localrec/core';
import type { Runtime } from '../src/runtime.js';
import { ev, idOf, makeTinyBundle, tinyRuntime, type TinyBundle } from './fixture.js';

const KNOWN = Array.from({ length: 20 }, (_, i) => idOf(i + 1));

let tiny: TinyBundle;
let rt: Runtime;
const store = new MemoryEventStore();

beforeAll(async () => {
  tiny = await makeTinyBundle();
  rt = await tinyRuntime(tiny, store, { appId: 'prop' }, { ready: false });
  await rt.setConsent('granted');
  await store.append([ev('view', KNOWN[0]!, 1000), ev('view', KNOWN[1]!, 61_000)]);
}, 120_000);
afterAll(async () => {
  await rt?.dispose();
  if (tiny) rmSync(tiny.dir, { recursive: true, force: true });
});

/** Hostile candidate lists: wrong types, prototype keys, huge and odd strings, duplicates, known ids. */
const candidate = fc.oneof(
  fc.constantFrom(...KNOWN),
  fc.string(),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', '\uD800', '<img src=x onerror=alert(1)>'),
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.anything(),
);
const candidates = fc.oneof(fc.array(candidate, { maxLength: 40 }), fc.anything());

describe('rank() with hostile candidates (fast-check, 10,000 cases)', () => {
  it('never crashes the runtime: a valid list comes back as its distinct ids re-ordered, anything else is refused naming the field', async () => {
    let accepted = 0,
      refused = 0;
    await fc.assert(
      fc.asyncProperty(candidates, async (input) => {
        const valid = Array.isArray(input) && input.every((x) => typeof x === 'string');
        let result: Awaited<ReturnType<Runtime['rank']>> | undefined;
        let error: unknown;
        try {
          result = await rt.rank(input as string[], {});
        } catch (e) {
          error = e;
        }
        if (valid) {
          expect(error).toBeUndefined();
          accepted++;
          // Every distinct candidate comes back exactly once (duplicates merged, unknown ids keep a slot), nothing invented.
          expect(result!.items.map((i) => i.itemId).sort()).toEqual([...new Set(input)].sort());
          for (const it of result!.items) expect(typeof it.reason.text).toBe('string');
        } else {
          expect(error).toBeInstanceOf(LocalRecError);
          expect((error as LocalRecError).field).toBe('itemIds');
          refused++;
        }
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: 10_000 },
    );
    expect(accepted + refused).toBe(10_000);
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
    // The runtime still answers normally afterwards.
    expect((await rt.recommend({ k: 5 })).items.length).toBe(5);
  }, 300_000);
});
