import { createElement as h } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { createLocalRec } from '@localrec/sdk';
import { workerRuntime } from '@localrec/runtime/connector';
import { App } from './app.js';

const rec = createLocalRec({
  appId: 'react-e2e',
  consent: 'granted',
  runtime: workerRuntime({ assetsUrl: '/runtime/', modelUrl: '/models/demo-shop/', forceBackend: 'wasm', mode: 'worker' }),
});
window.__rec = rec;
window.__selected = [];
// The test records a history first, then hydrates the server-rendered markup.
window.__start = async (viewed) => {
  const t0 = Date.now() - 30 * 60_000;
  viewed.forEach((itemId, i) => rec.track('view', { itemId, timestamp: t0 + i * 47_000 + (i % 2) * 13_000 }));
  await rec.flush();
  await rec.runtimeStatus();
  const onSelect = (item, position, event) => {
    event.preventDefault();
    window.__selected.push(item.itemId);
  };
  hydrateRoot(document.getElementById('app'), h(App, { rec, onSelect }));
};
