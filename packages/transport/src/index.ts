/**
 * @localrec/transport — how a page reaches the runtime: ONE interface ({@link RuntimeTransport}),
 * adapters for Comlink endpoints (Web Worker, MessagePort, mini-program worker) and for the same
 * thread, and {@link connectTransport}, which turns any of them into the SDK's recommender.
 * No tfjs here; the shared conformance suite is in `@localrec/transport/testing`.
 * @packageDocumentation
 */
export type { RuntimeTransport, TransportLink } from './transport.js';
export { connectTransport, type ConnectTransportOptions } from './connect.js';
export { comlinkTransport, installErrorTransfer, type ComlinkPeer, type ComlinkTransportOptions } from './comlink.js';
export { inThread, inThreadTransport, type InThread } from './in-thread.js';
export { INDEXEDDB_KIND, PAGE_HISTORY_MAX_LEN, pageHistory } from './page-history.js';
