/**
 * When the write-behind queue is flushed to storage. `poke()` is called by every `track()` and
 * must stay cheap: it only arms a callback if none is armed.
 *
 * - Idle: `requestIdleCallback` with `timeout: intervalMs`, so a busy page still flushes within
 *   `intervalMs` (where `requestIdleCallback` is missing, e.g. Safari, a plain `setTimeout`).
 * - Page lifecycle: `pagehide` and `visibilitychange` → hidden flush at once; these are the last
 *   moments a page is guaranteed to run (mobile browsers kill hidden tabs without `unload`).
 *
 * No global is touched until {@link createFlushScheduler} runs, and then only through core's
 * accessors; without `window` (Node, workers) only the timer is used.
 */
import { idleCallbacks, pageDocument, pageWindow } from '@localrec/core/internal';

export type FlushReason = 'idle' | 'timer' | 'pagehide' | 'hidden' | 'manual';

export interface FlushScheduler {
  /** Arms a flush if none is armed. */
  poke(): void;
  /** Cancels timers and removes listeners. */
  dispose(): void;
}

export function createFlushScheduler(flush: (reason: FlushReason) => void, intervalMs: number): FlushScheduler {
  const win = pageWindow();
  const doc = pageDocument();
  /** The idle callbacks the armed `idleId` came from. */
  let idle: ReturnType<typeof idleCallbacks>;
  let idleId: number | undefined;
  let timerId: ReturnType<typeof setTimeout> | undefined;
  let armed = false;

  const cancel = (): void => {
    if (idleId !== undefined) idle?.cancelIdleCallback(idleId);
    if (timerId !== undefined) clearTimeout(timerId);
    idleId = timerId = undefined;
    armed = false;
  };
  const fire = (reason: FlushReason): void => {
    cancel();
    flush(reason);
  };

  const onPageHide = (): void => fire('pagehide');
  const onVisibility = (): void => {
    if (doc?.visibilityState === 'hidden') fire('hidden');
  };
  win?.addEventListener('pagehide', onPageHide);
  doc?.addEventListener('visibilitychange', onVisibility);

  return {
    poke() {
      if (armed) return;
      armed = true;
      idle = idleCallbacks();
      if (idle) {
        idleId = idle.requestIdleCallback((d) => fire(d.didTimeout ? 'timer' : 'idle'), { timeout: intervalMs || 1 });
      } else {
        timerId = setTimeout(() => fire('timer'), intervalMs);
      }
    },
    dispose() {
      cancel();
      win?.removeEventListener('pagehide', onPageHide);
      doc?.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
