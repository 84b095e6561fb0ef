/**
 * The Comlink adapter: a runtime exposed with Comlink on any `Endpoint` — a module Web Worker, a
 * `MessagePort`, a mini-program worker (`wxWorkerEndpoint`) — reached as a {@link TransportLink}.
 * The endpoint-specific parts (creating the worker, seeing it die) stay with the caller's
 * {@link ComlinkPeer}; the protocol, the start handshake, callbacks and error codes are here.
 */
import { proxy, releaseProxy, transferHandlers, wrap, type Endpoint, type Remote, type TransferHandler } from 'comlink';
import { deserializeError, isSerializedError, serializeError } from '@localrec/core';
import type { RuntimeApi } from '@localrec/contract';
import { timedOut } from './cold.js';
import type { RuntimeTransport, TransportLink } from './transport.js';

type Thrown = { value: unknown };
type Wire = { isError: boolean; value: unknown };
const INSTALLED = Symbol.for('localrec.comlink.errors');

/**
 * Error codes across a Comlink boundary. Comlink's default `throw` handler keeps only
 * `{name, message, stack}`; this one sends core's `serializeError` form and rebuilds a
 * `LocalRecError` (same `code`, `field`, `accepted`) on the receiving side. Installed by both the
 * worker entry and the page's transport; idempotent.
 */
export function installErrorTransfer(): void {
  const base = transferHandlers.get('throw') as (TransferHandler<Thrown, Wire> & { [INSTALLED]?: true }) | undefined;
  if (!base || base[INSTALLED]) return;
  const handler: TransferHandler<Thrown, Wire> & { [INSTALLED]: true } = {
    [INSTALLED]: true,
    canHandle: (v: unknown): v is Thrown => base.canHandle(v),
    serialize: (v) => (v.value instanceof Error ? [{ isError: true, value: serializeError(v.value) }, []] : base.serialize(v)),
    deserialize: (w) => {
      if (w.isError && isSerializedError(w.value)) throw deserializeError(w.value);
      return base.deserialize(w);
    },
  };
  transferHandlers.set('throw', handler);
}

/** One started peer (a worker, a port) serving a `RuntimeApi` with Comlink's `expose`. */
export interface ComlinkPeer {
  /** The endpoint the runtime is exposed on. */
  readonly endpoint: Endpoint;
  /** Names the peer in error messages, e.g. `runtime worker https://shop.example/runtime/worker.js`. */
  readonly name: string;
  /** Rejects if the peer fails before it answers its first message (load error, CSP block). */
  readonly failed?: Promise<never>;
  /**
   * Called once the peer answered its first message: resolves to `{ lost }`, a promise that
   * settles when the peer stops by itself, or to `undefined` where that cannot be seen.
   */
  watchLoss?(): Promise<{ lost: Promise<void> } | undefined>;
  /** Stops the peer (terminates the worker, closes the port). */
  close(): void;
}

/** Options of {@link comlinkTransport}. */
export interface ComlinkTransportOptions {
  /** How long the peer may take to answer its first message (default, also when `undefined`: 10000 ms). */
  startTimeoutMs?: number | undefined;
  /**
   * Whether function arguments (the progress callback) can cross, as `Comlink.proxy` (needs
   * `MessageChannel`). Default true; a mini-program worker has none: callbacks are dropped.
   */
  callbacks?: boolean;
}

/**
 * The remote as a {@link RuntimeApi}: each method call is forwarded by name, with function
 * arguments crossing as `Comlink.proxy` (or not at all). Not a thenable (`then` is no method).
 */
function forward(remote: Remote<RuntimeApi>, callbacks: boolean): RuntimeApi {
  const methods = remote as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  return new Proxy({} as RuntimeApi, {
    get: (_, m) =>
      typeof m !== 'string' || m === 'then'
        ? undefined
        : (...args: unknown[]) => methods[m]!(...args.map((a) => (typeof a === 'function' ? (callbacks ? proxy(a) : undefined) : a))),
  });
}

/**
 * A transport over Comlink: `start` makes a peer serving the runtime (e.g. a Web Worker running
 * `expose(runtime)`); `open()` waits for its first answer, then links to it.
 * @example comlinkTransport('worker', async () => { const w = new Worker(url, { type: 'module' }); return { endpoint: w, name: url, close: () => w.terminate() }; })
 */
export function comlinkTransport(
  kind: string,
  start: () => ComlinkPeer | Promise<ComlinkPeer>,
  options: ComlinkTransportOptions = {},
): RuntimeTransport {
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const callbacks = options.callbacks ?? true;
  return {
    kind,
    async open(): Promise<TransportLink> {
      installErrorTransfer();
      const peer = await start();
      const remote = wrap<RuntimeApi>(peer.endpoint);
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => void timedOut(peer.name, timeoutMs).catch(reject), timeoutMs);
        });
        await Promise.race([remote.status(), timeout, peer.failed ?? timeout]);
      } catch (e) {
        remote[releaseProxy]();
        peer.close();
        throw e;
      } finally {
        clearTimeout(timer);
      }
      const lost = (await peer.watchLoss?.().catch(() => undefined))?.lost ?? new Promise<void>(() => {});
      let closed = false;
      return {
        api: forward(remote, callbacks),
        lost,
        close() {
          if (closed) return;
          closed = true;
          remote[releaseProxy]();
          peer.close();
        },
      };
    },
  };
}
