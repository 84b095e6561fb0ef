#!/usr/bin/env node
// Prepares the shop's generated assets in public/generated/ (git-ignored):
//   catalog.json — the demo catalog: @localrec/simulator's makeCatalog(DEMO_CATALOG), the same
//                  300 products on every machine (the demo model is trained on it), each with the
//                  `image` of its category in thumbs.svg;
//   thumbs.svg   — the product pictures: one coloured tile per category, picked by the URL's
//                  fragment (`thumbs.svg#c3`, an SVG <view>). One file for every product, so no
//                  request says which products a visitor sees (the fragment is never sent);
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

/** A stable hue per category name. */
function hue(s) {
  let x = 0;
  for (let i = 0; i < s.length; i++) x = (x * 31 + s.charCodeAt(i)) >>> 0;
  return x % 360;
}

const escapeXml = (s) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** thumbs.svg: a column of 160×100 tiles, one per category (its initial on its colour), each an SVG <view> `c<index>`. */
function thumbsSvg(categories) {
  const W = 160;
  const H = 100;
  const tiles = categories.map((c, i) => {
    const y = i * H;
    return (
      `<view id="c${i}" viewBox="0 ${y} ${W} ${H}" preserveAspectRatio="xMidYMid slice"/>` +
      `<rect y="${y}" width="${W}" height="${H}" fill="hsl(${hue(c)} 45% 55%)"/>` +
      `<text x="${W / 2}" y="${y + H / 2}" dy=".35em">${escapeXml(c.slice(0, 1).toUpperCase())}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" preserveAspectRatio="xMidYMid slice">` +
    `<style>text{font:700 40px system-ui,sans-serif;fill:#fff;text-anchor:middle}</style>${tiles.join('')}</svg>`
  );
}

export async function prepareShop({ seed, size } = {}) {
  await mkdir(out, { recursive: true });
  const { makeCatalog, DEMO_CATALOG } = await loadSimulator();
  const products = makeCatalog({ seed: seed ?? DEMO_CATALOG.seed, size: size ?? DEMO_CATALOG.size });
  const categories = [...new Set(products.map((p) => p.category))].sort();
  const catalog = products.map((p) => ({ ...p, image: `/generated/thumbs.svg#c${categories.indexOf(p.category)}` }));
  await writeFile(join(out, 'catalog.json'), JSON.stringify(catalog));
  await writeFile(join(out, 'thumbs.svg'), thumbsSvg(categories));
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
