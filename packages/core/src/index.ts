/**
 * @localrec/core — the pure core of LocalRec: event schema, validation, config, errors and the
 * interfaces (storage, runtime API) that adapters implement. No DOM, no tfjs, no globals at import.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './events.js';
export * from './store.js';
export * from './api.js';
