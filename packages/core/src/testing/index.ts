/**
 * @localrec/core/testing — test helpers shared by adapters (needs vitest).
 * @packageDocumentation
 */
export { describeEventStoreConformance, makeTestEvent } from './conformance.js';
export type { ConformanceOptions, Heal } from './conformance.js';
export { failWritesAfter } from './faults.js';
export { thrownBy } from './errors.js';
