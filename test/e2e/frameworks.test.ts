/**
 * `@localrec/react` and `@localrec/vue` in real Chromium: for each, a small app (test/e2e/apps/*)
 * built with Vite from the BUILT packages, its markup rendered on the server first (react-dom/server,
 * vue/server-renderer: the fallback list) and hydrated in the page, with the BUILT SDK and worker
 * and the committed `models/demo-shop` bundle. Checks: the server-rendered fallback is on screen
 * before the device answers and hydration raises no warning; then model answers with the catalog's
 * names and reasons in a region named by `label`; a custom card (renderItem / the `item` slot);
 * the two lists of one dedupe group share no item; keyboard (Tab, arrows, Enter); one impression
 * per list (source: the method) and the click, stored on the device.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { createElement } from 'react';
import { renderToString as reactToString } from 'react-dom/server';
import { createSSRApp, h } from 'vue';
import { renderToString as vueToString } from 'vue/server-renderer';
import { startStaticServer, type StaticServer } from '../static-server.mjs';
import { repo, storedFeedback, useBrowser, watchPage } from './helpers.js';

const MODEL = join(repo, 'models/demo-shop');
const present = existsSync(join(MODEL, 'manifest.json'));
const catalog = present ? (JSON.parse(readFileSync(join(MODEL, 'catalog.json'), 'utf8')) as Record<string, { name: string }>) : {};
const VIEWED = ['SKU-00003', 'SKU-00010', 'SKU-00020'];

/** The server-rendered markup of each app (no recommender: the fallback). */
async function serverMarkup(framework: 'react' | 'vue'): Promise<string> {
  if (framework === 'react') {
    const { App } = await import('./apps/react/app.js');
    return reactToString(createElement(App, { rec: undefined }));
  }
  const { App } = (await import('./apps/vue/app.js')) as { App: object };
  return vueToString(createSSRApp({ render: () => h(App) }));
}

describe.skipIf(!present).each(['react', 'vue'] as const)('@localrec/%s: a Vite app, server-rendered then hydrated', (framework) => {
  let server: StaticServer | undefined;
  let out: string | undefined;
  let ssr = '';
  const chromium = useBrowser();
  beforeAll(async () => {
    for (const f of ['packages/runtime/dist/worker.js', 'packages/sdk/dist/index.js', `packages/${framework}/dist/index.js`])
      if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run \`pnpm build\` first (pnpm test does).`);
    out = mkdtempSync(join(tmpdir(), `localrec-${framework}-`));
    const root = join(repo, 'test/e2e/apps', framework);
    await build({
      root,
      logLevel: 'warn',
      configFile: false,
      // What @vitejs/plugin-vue would define (hydration mismatches reported in full); inert for React.
      define: { __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'true' },
      build: {
        outDir: out,
        emptyOutDir: true,
        rollupOptions: { input: join(root, 'main.js'), output: { entryFileNames: 'main.js' } },
      },
    });
    ssr = await serverMarkup(framework);
    const page = `<!doctype html><meta charset="utf-8"><title>${framework} e2e</title><div id="app">${ssr}</div><script type="module" src="/main.js"></script>`;
    server = await startStaticServer({
      mounts: { '/': out, '/runtime/': join(repo, 'packages/runtime/dist'), '/models/demo-shop/': MODEL },
      routes: { '/': { body: page }, '/favicon.ico': { status: 204 } },
    });
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('fallback on the server → model answers on the device, custom cards, keyboard, impressions and a click', async () => {
    expect(ssr).toContain('Server-rendered bestseller');
    expect(ssr).toContain('aria-label="Picked for you"');
    const page = await chromium.browser.newPage();
    const { errors, warnings } = watchPage(page);
    await page.goto(server!.url);
    await page.waitForFunction(() => typeof (window as any).__start === 'function');
    expect(await page.locator('#ssr').isVisible()).toBe(true);
    await page.evaluate((viewed) => (window as any).__start(viewed), VIEWED);

    const region = page.getByRole('region', { name: 'Picked for you' });
    await expect.poll(() => region.getAttribute('data-state'), { timeout: 60_000 }).toBe('ready');
    expect(await region.getAttribute('data-source')).toBe('model');
    expect(await page.locator('#ssr').count()).toBe(0);
    const cards = region.getByRole('button');
    expect(await cards.count()).toBe(4);
    const ids = await region.locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-item-id')!));
    for (const [i, id] of ids.entries()) {
      expect(VIEWED).not.toContain(id);
      expect(await cards.nth(i).innerText()).toContain(catalog[id]!.name);
    }
    const similar = page.getByRole('region', { name: 'Similar items' });
    await expect.poll(() => similar.getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    const simIds = await similar.locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-item-id')!));
    expect(simIds).toHaveLength(3);
    for (const [i, id] of simIds.entries()) expect(await similar.locator('article b').nth(i).innerText()).toBe(catalog[id]!.name);
    expect(simIds.filter((id) => ids.includes(id))).toEqual([]);

    // Keyboard: Tab to the first card, ArrowRight to the second, Enter selects it.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-item-id'))).toBe(ids[0]);
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-item-id'))).toBe(ids[1]);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (window as any).__selected)).toEqual([ids[1]]);

    await expect
      .poll(() => storedFeedback(page), { timeout: 20_000 })
      .toEqual({
        impressions: expect.arrayContaining([
          { items: ids, source: 'recommend' },
          { items: simIds, source: 'similar' },
        ]),
        clicks: [ids[1]],
      });
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => /hydrat/i.test(w))).toEqual([]);
    await page.evaluate(() => (window as any).__rec.destroy());
    await page.close();
  }, 180_000);
});
