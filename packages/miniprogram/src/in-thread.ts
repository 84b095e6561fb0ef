/**
 * The in-thread transport lives in `@localrec/transport` (one adapter among the transports);
 * re-exported here under the mini-program package's names.
 */
export { inThread, type InThread } from '@localrec/transport';
