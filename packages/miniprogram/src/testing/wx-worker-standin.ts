/**
 * A STAND-IN for WeChat's worker API (`wx.createWorker` and the worker's `worker` global), in one
 * JavaScript context, for tests. It is NOT WeChat. It copies what the documentation says: one
 * worker at a time (a second `createWorker` before `terminate()` throws), messages must be
 * objects and are copied (serialised as JSON here), delivery is asynchronous, and `onMessage`
 * listeners receive the message object. `terminate()` stops delivery both ways.
 */
import type { WxWorkerLike } from '../endpoint.js';
import type { WxWorkerApi, WxWorkerHandle } from '../worker.js';

export interface WxWorkerStandin {
  /** Pass as `wx` to `connectMiniProgramWorker`. */
  wx: WxWorkerApi;
  /**
   * Called with the worker side's `worker` global whenever a worker is created: stands in for
   * the worker script at `scriptPath` starting up.
   */
  onWorkerStart(start: (workerGlobal: WxWorkerLike, scriptPath: string) => void): void;
  /** Messages posted so far in either direction (copies). */
  readonly posted: { from: 'main' | 'worker'; message: unknown }[];
  /** Kills the running worker as the system does (iOS): delivery stops and `onProcessKilled` listeners run. */
  kill(): void;
}

export function createWxWorkerStandin(): WxWorkerStandin {
  let starter: ((g: WxWorkerLike, path: string) => void) | undefined;
  let live = false;
  let killCurrent: (() => void) | undefined;
  const posted: { from: 'main' | 'worker'; message: unknown }[] = [];

  const channel = (from: 'main' | 'worker', deliver: (m: unknown) => void, isOpen: () => boolean) => (message: object) => {
    if (typeof message !== 'object' || message === null) throw new TypeError('postMessage: message must be an object');
    const copy = JSON.parse(JSON.stringify(message)) as unknown;
    posted.push({ from, message: copy });
    setTimeout(() => {
      if (isOpen()) deliver(copy);
    }, 0);
  };

  const wx: WxWorkerApi = {
    createWorker(scriptPath: string): WxWorkerHandle {
      if (live) throw new Error('createWorker: stand-in allows one worker at a time (documented limit); terminate the current one first');
      live = true;
      let open = true;
      const toMain: ((res: unknown) => void)[] = [];
      const toWorker: ((res: unknown) => void)[] = [];
      const isOpen = () => open;
      const killed: (() => void)[] = [];
      const workerGlobal: WxWorkerLike = {
        postMessage: channel('worker', (m) => toMain.forEach((l) => l(m)), isOpen),
        onMessage: (l) => void toWorker.push(l),
      };
      const handle: WxWorkerHandle = {
        postMessage: channel('main', (m) => toWorker.forEach((l) => l(m)), isOpen),
        onMessage: (l) => void toMain.push(l),
        terminate() {
          if (!open) return;
          open = false;
          live = false;
        },
        onProcessKilled: (l) => void killed.push(l),
      };
      killCurrent = () => {
        if (!open) return;
        handle.terminate();
        for (const l of killed) l();
      };
      starter?.(workerGlobal, scriptPath);
      return handle;
    },
  };
  return {
    wx,
    onWorkerStart(start) {
      starter = start;
    },
    posted,
    kill: () => killCurrent?.(),
  };
}
