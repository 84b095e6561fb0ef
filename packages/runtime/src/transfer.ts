/**
 * Error codes across the worker boundary: `installErrorTransfer` lives with the Comlink adapter in
 * `@localrec/transport` (the worker entry and the page's transport both install it); re-exported here.
 */
export { installErrorTransfer } from '@localrec/transport';
