/**
 * The SDK's second file for pages that set `model`: the page side of `@localrec/runtime` (starts
 * the runtime's worker; Comlink, no tfjs). `localrec.min.js` imports it as `localrec-model.min.mjs`
 * from its own folder, the ES build as a chunk; pages without a model never download it.
 */
export { modelConnector } from './model-connector.js';
