#!/usr/bin/env node
// Prepares the shop's generated assets in public/generated/ (git-ignored):
//   catalog.json — the demo catalog: @localrec/simulator's makeCatalog(DEMO_CATALOG), the same
//                  300 products on every machine (the demo model is trained on it);
//   app.js       — the shop's TypeScript (src/) bundled for the browser;
//   charts.js    — the profile charts with Chart.js, imported by app.js when the profile is first
//                  opened. Everything the page runs is served from this origin (no CDN).
// esbuild does both in about a second, so `serve.mjs` runs this on every start.
//
//   node examples/shop/scripts/prepare.mjs [--size N] [--seed N]   (default: DEMO_CATALOG)
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const shop = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const out = join(shop, 'public/generated');

/** Loads @localrec/simulator from its TypeScript source (Node 20 cannot import .ts itself). */
async function loadSimulator() {
  const res = await build({
    stdin: { contents: "export * from '@localrec/simulator';", resolveDir: shop, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    conditions: ['@localrec/source'],
    logLevel: 'error',
  });
  // Self-contained after bundling, so it can be imported from a data: URL (nothing written to disk).
  return import(`data:text/javascript;base64,${Buffer.from(res.outputFiles[0].text).toString('base64')}`);
}

export async function prepareShop({ seed, size } = {}) {
  await mkdir(out, { recursive: true });
  const { makeCatalog, DEMO_CATALOG } = await loadSimulator();
  const catalog = makeCatalog({ seed: seed ?? DEMO_CATALOG.seed, size: size ?? DEMO_CATALOG.size });
  await writeFile(join(out, 'catalog.json'), JSON.stringify(catalog));
  const common = {
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: false,
    sourcemap: true,
    conditions: ['@localrec/source'],
    logLevel: 'error',
  };
  // The profile charts (Chart.js) are their own file, imported by app.js only when the profile is
  // first opened: app.js keeps `import('./charts.js')` as it is (external), served next to it.
  const charts = join(shop, 'src/charts.ts');
  await build({ ...common, entryPoints: [join(shop, 'src/main.ts')], outfile: join(out, 'app.js'), external: ['./charts.js'] });
  await build({ ...common, entryPoints: [charts], outfile: join(out, 'charts.js'), minify: true });
  return { items: catalog.length, dir: out };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const r = await prepareShop({ seed: arg('--seed'), size: arg('--size') });
  console.log(`shop: ${r.items} products and app.js in ${r.dir}`);
}
