import { rollup } from 'rollup';
import { gzipSync } from 'node:zlib';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
process.chdir('/work/s10-a');
const { default: configs } = await import('/work/s10-a/rollup.config.mjs');
const cfg = configs.find((c) => c.output?.file?.endsWith('localrec.min.js'));
const v = process.argv[2];
let pl = cfg.plugins.filter((p) => p.name !== 'terser');
if (v.includes('nomin'))
  pl = pl.map((p) =>
    p.name === 'esbuild' ? esbuild({ target: 'es2022', minify: false, sourceMap: true, tsconfig: 'tsconfig.base.json' }) : p,
  );
const opts = JSON.parse(process.argv[3] ?? '{}');
pl.push(terser({ ecma: 2020, compress: { passes: 2, ...opts }, format: { comments: false } }));
const b = await rollup({ ...cfg, plugins: pl });
const { output } = await b.generate(cfg.output);
console.log(v, process.argv[3] ?? '', 'gzip', gzipSync(output[0].code, { level: 9 }).length);
