/** Recording in a mini-program: core's `Recorder` over the `wx` storage event store. */
import { Recorder, resolveConfig } from '@localrec/core';
import type { LocalRecConfig, RecorderOptions } from '@localrec/core';
import type { WxStorageApi } from '@localrec/store-kv';
import { createMiniProgramStore } from './store.js';

/**
 * A `Recorder` (validation, sessions, consent gating, batched writes, retention and cap, export,
 * forget) that stores into `wx` storage; it falls back to memory if that storage fails. It opens
 * existing storage at once, deleting what has passed `retentionDays` (and reads never return it).
 * Call `flush()` after recording and in `App.onHide` (mini-programs have no `pagehide`), and
 * `close()` when done with it (it stops the hourly prune timer).
 * @example const rec = createMiniProgramRecorder(wx, { appId: 'shop' }); rec.record('view', { itemId: 'SKU-1' });
 */
export function createMiniProgramRecorder(
  wx: WxStorageApi,
  config: LocalRecConfig,
  options: Omit<RecorderOptions, 'config' | 'store'> = {},
): Recorder {
  const resolved = resolveConfig(config);
  const recorder = new Recorder({ ...options, config: resolved, store: createMiniProgramStore(wx, resolved.appId) });
  void recorder.open();
  return recorder;
}
