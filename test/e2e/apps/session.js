// What both framework test apps do before they hydrate: a LocalRec instance on the built SDK and
// worker, and `window.__start(viewed)`, which records a human-paced history and then mounts.
import { createLocalRec } from '@localrec/sdk';
import { workerRuntime } from '@localrec/runtime/connector';

/** Creates the app's recommender (on `window.__rec`); `mount(rec, onPick)` runs once the test's history is stored. */
export function session(appId, mount) {
  const rec = createLocalRec({
    appId,
    consent: 'granted',
    runtime: workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/', forceBackend: 'wasm', mode: 'worker' }),
  });
  window.__rec = rec;
  window.__selected = [];
  const onPick = (item, event) => {
    event.preventDefault();
    window.__selected.push(item.itemId);
  };
  window.__start = async (viewed) => {
    const t0 = Date.now() - 30 * 60_000;
    viewed.forEach((itemId, i) => rec.track('view', { itemId, timestamp: t0 + i * 47_000 + (i % 2) * 13_000 }));
    await rec.flush();
    await rec.runtimeStatus();
    mount(rec, onPick);
  };
}
