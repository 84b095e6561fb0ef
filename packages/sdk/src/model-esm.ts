/**
 * How the ES build (`dist/index.js`) reaches the connector file: a chunk beside it, imported on
 * first use. The runtime's files default to the same folder (`import.meta.url`); behind a bundler
 * that folder holds the bundle's own chunks, so set `model.runtimeUrl` there.
 */
import type { ModelChunk } from './model.js';

/** The ES build's {@link ModelChunk}. */
export const esmModel: ModelChunk = {
  get base() {
    return import.meta.url;
  },
  load: () => import('./model-entry.js'),
};
