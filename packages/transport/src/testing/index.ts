/**
 * @localrec/transport/testing — the shared transport conformance suite and a stand-in runtime
 * (needs vitest).
 * @packageDocumentation
 */
export { describeTransportConformance } from './conformance.js';
export type { TransportConformanceOptions } from './conformance.js';
export { createContractRuntime } from './contract-runtime.js';
export type { ContractRuntime, ContractRuntimeOptions } from './contract-runtime.js';
