/**
 * @localrec/insights — what the device learns about its shopper, on the device: the profile,
 * the abnormal-behaviour filter, social context and the one blending step, the online re-ranker
 * and interest segments. Pure TypeScript: no DOM, no tfjs, no globals touched at import.
 * @packageDocumentation
 */
export * from './profile.js';
export * from './abnormal.js';
export * from './social.js';
export * from './reranker.js';
export * from './segments.js';
