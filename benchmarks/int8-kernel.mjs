// The int8 scoring kernel (packages/runtime/src/int8) against the other ways to score one user
// vector over an item table and keep the top k, in Node (not a test; figures go to
// benchmarks/results/). Node 20 has no working relaxed SIMD (the kernel's self-test refuses it),
// so this measures the plain SIMD kernel; Chromium's relaxed one is measured by benchmarks/recommend.ts.
//
//   node --import tsx --conditions=@localrec/source benchmarks/int8-kernel.mjs [--out results/x.json]
//
// Sizes: Games (models/games-sasrec's real int8 table, 23,716 × 50) and 1M × 64 (synthetic int8).
// Variants, interleaved (each iteration runs each once, rotating the order), median ms:
//   kernel   Int8TopK.topK(u, 64): the wasm scan + exact re-scoring (what recommend() serves)
//   tfjs     tfjs-backend-wasm: upload u [1, d], matMul(u, itemEmbT [d, n]), tf.topk(64), data()
//   fp32js   plain JS over the float32 (dequantised) table, a size-64 selection
// The machine has 2 cores shared with other jobs: compare figures from the same run only.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeTensors, dequantizeInt8, TENSOR_NAMES } from '@localrec/model';
import { detectKernel, Int8TopK } from '../packages/runtime/src/int8/kernel.ts';
import { assembleWat } from '../packages/runtime/scripts/wat.mjs';

const repo = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const K = 64;

const req = createRequire(join(repo, 'packages/runtime/package.json'));
const tf = await import(pathToFileURL(req.resolve('@tensorflow/tfjs-core')).href);
const wasmBackend = await import(pathToFileURL(req.resolve('@tensorflow/tfjs-backend-wasm')).href);
wasmBackend.setWasmPaths(join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
await tf.setBackend('wasm');
await tf.ready();

const modules = {
  simd: await assembleWat(join(repo, 'packages/runtime/src/int8/topk.wat')),
  relaxed: await assembleWat(join(repo, 'packages/runtime/src/int8/topk-relaxed.wat')),
};
const detected = detectKernel(WebAssembly, modules);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r3 = (x) => Math.round(x * 1000) / 1000;
let seed = 7;
const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;

/** Top k of a float32 table in plain JS (sorted buffer, threshold check). */
function fp32TopK(table, n, d, u, k) {
  const vals = new Float64Array(k).fill(-Infinity);
  const rows = new Int32Array(k).fill(-1);
  for (let r = 0; r < n; r++) {
    let s = 0;
    const o = r * d;
    for (let j = 0; j < d; j++) s += u[j] * table[o + j];
    if (s <= vals[k - 1]) continue;
    let i = k - 1;
    while (i > 0 && vals[i - 1] < s) {
      vals[i] = vals[i - 1];
      rows[i] = rows[i - 1];
      i--;
    }
    vals[i] = s;
    rows[i] = r;
  }
  return rows;
}

async function bench(name, q, scales, n, d, iters) {
  const kernel = Int8TopK.create(WebAssembly, modules, detected.kind === 'none' ? 'wasm-simd' : detected.kind, q, scales, n, d);
  const f32 = dequantizeInt8(q, scales, n, d, 0);
  const itemEmbT = tf.tidy(() => tf.transpose(tf.tensor2d(f32, [n, d])));
  const users = Array.from({ length: 8 }, () => Float32Array.from({ length: d }, () => rnd() * 2 - 1));
  const variants = {
    kernel: async (u) => kernel.topK(u, K).rows,
    tfjs: async (u) => {
      const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(tf.tensor2d(u, [1, d]), itemEmbT), K, true));
      const [, i] = await Promise.all([values.data(), indices.data()]);
      values.dispose();
      indices.dispose();
      return i;
    },
    fp32js: async (u) => fp32TopK(f32, n, d, u, K),
  };
  // The three agree on the top 10 (the kernel's answer is the float32 path's).
  for (const u of users.slice(0, 2)) {
    const [a, b, c] = await Promise.all(Object.values(variants).map((v) => v(u)));
    const top = (x) => Array.from(x.slice(0, 10)).join(',');
    if (top(a) !== top(b) || top(a) !== top(c)) console.warn(`${name}: top-10 differ: ${top(a)} | ${top(b)} | ${top(c)}`);
  }
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((v) => [v, []]));
  for (let it = 0; it < iters + 3; it++) {
    for (let o = 0; o < names.length; o++) {
      const v = names[(it + o) % names.length];
      const t0 = performance.now();
      await variants[v](users[it % users.length]);
      if (it >= 3) times[v].push(performance.now() - t0);
    }
  }
  itemEmbT.dispose();
  const res = {
    n,
    d,
    k: K,
    iters,
    kernel: kernel.kind,
    medianMs: Object.fromEntries(names.map((v) => [v, r3(median(times[v]))])),
    bytes: { int8Table: q.byteLength + scales.byteLength, kernelMemory: kernel.bytes, float32Table: f32.byteLength },
  };
  // Memory-bandwidth bound of one scan: the kernel's table bytes over a measured copy speed.
  const src = new Uint8Array(n * kernel.stride);
  const dst = new Uint8Array(n * kernel.stride);
  const copies = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    dst.set(src);
    copies.push(performance.now() - t0);
  }
  res.scanBytes = n * kernel.stride;
  res.copyMsSameBytes = r3(median(copies));
  console.log(
    `${name} (${n} × ${d}, k=${K}, ${kernel.kind}): ${JSON.stringify(res.medianMs)} ms; ${JSON.stringify(res.bytes)}; memcpy of the scanned bytes ${res.copyMsSameBytes} ms`,
  );
  return res;
}

const out = { date: new Date().toISOString(), node: process.version, detected, sizes: {} };
{
  const dir = join(repo, 'models/games-sasrec');
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const wb = readFileSync(join(dir, m.weightsFile));
  const t = decodeTensors(m.tensors, wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength));
  const raw = t.get(TENSOR_NAMES.itemEmbedding);
  const scales = t.get(raw.quant.scales).data;
  out.sizes.games = await bench('Games', raw.data, scales, m.itemCount + 1, m.architecture.dim, Number(arg('iters', '300')));
}
{
  const n = 1_000_000,
    d = 64;
  const q = new Int8Array(n * d);
  for (let i = 0; i < q.length; i++) q[i] = Math.floor(rnd() * 255) - 127;
  const scales = Float32Array.from({ length: n }, () => 0.002 + rnd() * 0.01);
  out.sizes['1m'] = await bench('1M', q, scales, n, d, Number(arg('iters-1m', '15')));
}
const file = arg('out');
if (file) writeFileSync(resolve(file), JSON.stringify(out, null, 2) + '\n');
