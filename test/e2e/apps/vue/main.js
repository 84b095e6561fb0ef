import { createSSRApp, h } from 'vue';
import { RECOMMENDER } from '@localrec/vue';
import { session } from '../session.js';
import { App } from './app.js';

session('vue-e2e', (rec, onPick) => {
  const app = createSSRApp({ render: () => h(App, { onPick }) });
  app.provide(RECOMMENDER, rec);
  app.mount('#app');
});
