/**
 * A Comlink `Endpoint` over a WeChat worker. `wx.createWorker(path)` returns an object with
 * `postMessage(obj)`, `onMessage(cb)` and `terminate()`; inside the worker the global `worker`
 * has `postMessage` and `onMessage`. Comlink speaks its usual protocol through it, unchanged.
 *
 * Differences from a Web Worker, handled here:
 * - Messages are copied (serialised), never transferred: a transfer list is ignored.
 * - There is no `removeEventListener` on a wx worker, so the endpoint registers ONE `onMessage`
 *   listener and dispatches to its own listener set.
 * - Comlink's messages travel in an envelope `{ __localrec: 1, ch, data }`; `ch` names a channel, so
 *   several Comlink connections share one worker (e.g. the runtime API one way and the storage
 *   the other way: the worker has no `wx` APIs). Other messages on the worker are ignored. The documentation describes the `onMessage` argument both as the message
 *   itself and as `{ message }`; the endpoint accepts both.
 * - No `MessageChannel`: `Comlink.proxy` callbacks cannot cross (pass plain data only).
 */
import type { Endpoint } from 'comlink';

/** The documented shape of a wx worker handle (main side) or the `worker` global (worker side). */
export interface WxWorkerLike {
  postMessage(message: object): void;
  onMessage(listener: (res: unknown) => void): void;
  terminate?(): void;
}

interface Envelope {
  __localrec: 1;
  ch: string;
  data: unknown;
}

function isEnvelope(v: unknown): v is Envelope {
  return typeof v === 'object' && v !== null && (v as Envelope).__localrec === 1 && typeof (v as Envelope).ch === 'string' && 'data' in v;
}

function unwrap(res: unknown): Envelope | undefined {
  if (isEnvelope(res)) return res;
  const inner = (res as { message?: unknown } | null)?.message;
  return isEnvelope(inner) ? inner : undefined;
}

type Listener = EventListenerOrEventListenerObject;

/** One `onMessage` registration per worker object, dispatching by channel. */
const routers = new WeakMap<WxWorkerLike, Map<string, Set<Listener>>>();

function channelListeners(target: WxWorkerLike, ch: string): Set<Listener> {
  let byChannel = routers.get(target);
  if (byChannel === undefined) {
    const table = new Map<string, Set<Listener>>();
    byChannel = table;
    routers.set(target, table);
    target.onMessage((res) => {
      const env = unwrap(res);
      if (env === undefined) return;
      const event = { data: env.data } as MessageEvent;
      for (const l of [...(table.get(env.ch) ?? [])]) {
        if (typeof l === 'function') l(event);
        else l.handleEvent(event);
      }
    });
  }
  let set = byChannel.get(ch);
  if (set === undefined) {
    set = new Set();
    byChannel.set(ch, set);
  }
  return set;
}

/**
 * Wraps a wx worker (either side) as a Comlink endpoint on channel `ch` (default `'rpc'`).
 * @example const api = Comlink.wrap<RuntimeApi>(wxWorkerEndpoint(wx.createWorker('workers/index.js')));
 */
export function wxWorkerEndpoint(target: WxWorkerLike, ch = 'rpc'): Endpoint {
  const listeners = channelListeners(target, ch);
  return {
    postMessage(message: unknown) {
      target.postMessage({ __localrec: 1, ch, data: message } satisfies Envelope);
    },
    addEventListener(type: string, listener: Listener) {
      if (type === 'message') listeners.add(listener);
    },
    removeEventListener(type: string, listener: Listener) {
      if (type === 'message') listeners.delete(listener);
    },
  };
}
