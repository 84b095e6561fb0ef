/**
 * The ONE transport interface: how a page reaches a runtime, whatever lies between them (a Web
 * Worker through Comlink, a MessagePort, a mini-program worker, nothing at all). Adapters:
 * {@link comlinkTransport} (any Comlink endpoint) and {@link inThreadTransport} (same thread).
 * `connectTransport` turns any of them into the SDK's recommender.
 */
import type { RuntimeApi } from '@localrec/contract';

/** One started runtime, reached through a transport. */
export interface TransportLink {
  /**
   * The runtime's API across the boundary: every method returns a promise, and a rejection is a
   * `LocalRecError` with the runtime's `code` (and `field`, `accepted`).
   */
  readonly api: RuntimeApi;
  /**
   * Settles once the runtime behind this link has stopped by itself (crashed, terminated, its
   * process killed): calls in flight will never be answered. Never settles where the runtime
   * cannot stop apart from the caller (in-thread) or where that cannot be seen.
   */
  readonly lost: Promise<void>;
  /** Ends the link (terminates the worker, releases the proxy). Idempotent; does not call `api.dispose()`. */
  close(): void;
}

/** A way to start runtimes: each {@link RuntimeTransport.open} starts a fresh one. */
export interface RuntimeTransport {
  /** Where the runtime runs, as `status().runtime` reports it: `'worker'`, `'main-thread'`, `'in-thread'`, `'miniprogram-worker'`. */
  readonly kind: string;
  /**
   * Starts a runtime and links to it, once it answers.
   * @throws {LocalRecError} `WORKER_CRASHED` when it cannot start, `TIMEOUT` when it does not answer.
   */
  open(): Promise<TransportLink>;
}
