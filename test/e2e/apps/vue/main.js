import { createSSRApp, h } from 'vue';
import { createLocalRec } from '@localrec/sdk';
import { workerRuntime } from '@localrec/runtime/connector';
import { RECOMMENDER } from '@localrec/vue';
import { App } from './app.js';

const rec = createLocalRec({
  appId: 'vue-e2e',
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
  const onPick = (item, event) => {
    event.preventDefault();
    window.__selected.push(item.itemId);
  };
  const app = createSSRApp({ render: () => h(App, { onPick }) });
  app.provide(RECOMMENDER, rec);
  app.mount('#app');
};
