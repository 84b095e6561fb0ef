#!/usr/bin/env node
// Main-thread cost of LocalRec's track() in headless Chromium, beside a bare postMessage of the
// same payload to a worker, in the same page and run; then 1,000 events/s for 30 s: events
// stored (none lost) and long tasks (> 50 ms). Prints a table, writes results/track.json.
//
//   pnpm bench:track                      (builds first)
//   node benchmarks/track.mjs [--calls 20000] [--seconds 30] [--rate 1000] [--dist <sdk dist folder>] [--out <file name>]
//
// `--dist` serves another build's localrec.min.js (e.g. a saved copy of the previous build, for a
// paired A/B in one machine state); `--out` names the results file (default track.json).
//
// The page is served cross-origin isolated (COOP/COEP) so performance.now() has 5 µs resolution
// instead of 100 µs. Single calls still take a few µs, so besides per-call samples (quantised)
// we time blocks of 10 calls and report per-call cost from those (p50/p95 over the blocks).
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { launchChromium } from '../test/browser.mjs';
import { startServer } from '../examples/shop/serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const CALLS = arg('--calls', 20_000);
const SECONDS = arg('--seconds', 30);
const RATE = arg('--rate', 1000);
const text = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const DIST = text('--dist') ? resolve(text('--dist')) : join(repo, 'packages/sdk/dist');
const OUT = text('--out') ?? 'track.json';

if (!existsSync(join(DIST, 'localrec.min.js'))) {
  console.error(`${join(DIST, 'localrec.min.js')} is missing: run \`pnpm build\` first.`);
  process.exit(1);
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>track bench</title>
<script src="/sdk/localrec.min.js"></script>
<script>
  window.longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  window.errors = [];
  // No rate limit (the default 50/s with bursts of 500 would reject most of a benchmark) and a
  // cap above what one run records, so every accepted event must end up in IndexedDB.
  LocalRec.init({ appId: 'bench', consent: 'granted', maxEvents: 1000000, rateLimit: false,
    onError: (e) => { if (errors.length < 20) errors.push(e.code + ': ' + e.message); } });
  window.countStored = ${countStored.toString()};
  const sink = 'onmessage = () => {};';
  window.worker = new Worker(URL.createObjectURL(new Blob([sink], { type: 'text/javascript' })));
</script>`;

// ---- in-page measurement code (runs in Chromium)

/** Per-call and per-block timings of track() and a bare postMessage, interleaved in rounds. */
async function microBench({ calls }) {
  const rec = window.LocalRec.instance;
  const w = window.worker;
  const payload = (i) => ({
    itemId: `SKU-${i % 5000}`,
    dwellMs: 1200 + (i % 7),
    context: { page: 'product', position: i % 24, listId: 'home' },
  });
  const BLOCK = 10;
  const out = { trackOne: [], postOne: [], trackBlock: [], postBlock: [] };
  // Warm-up: let the JIT settle on both paths.
  for (let i = 0; i < 2000; i++) {
    rec.track('view', payload(i));
    w.postMessage({ type: 'view', data: payload(i) });
  }
  const rounds = calls / 1000;
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    // Yield and write between rounds, as a real page would: the queue never grows past one round.
    await rec.flush();
    await new Promise((ok) => setTimeout(ok, 0));
    // Per-call samples, 500 of each, alternating.
    for (let i = 0; i < 500; i++, n++) {
      const p = payload(n);
      let t = performance.now();
      rec.track('view', p);
      out.trackOne.push(performance.now() - t);
      const q = payload(n);
      t = performance.now();
      w.postMessage({ type: 'view', data: q });
      out.postOne.push(performance.now() - t);
    }
    // Blocks of 10 calls, 50 blocks of each, alternating.
    for (let b = 0; b < 50; b++) {
      const ps = Array.from({ length: BLOCK }, (_, i) => payload(n + i));
      let t = performance.now();
      for (let i = 0; i < BLOCK; i++) rec.track('view', ps[i]);
      out.trackBlock.push((performance.now() - t) / BLOCK);
      const qs = Array.from({ length: BLOCK }, (_, i) => payload(n + i));
      t = performance.now();
      for (let i = 0; i < BLOCK; i++) w.postMessage({ type: 'view', data: qs[i] });
      out.postBlock.push((performance.now() - t) / BLOCK);
      n += BLOCK;
    }
  }
  return out;
}

/** Events in IndexedDB, counted with the raw API (not through the SDK): database `localrec:<appId>`. */
function countStored() {
  return new Promise((ok, fail) => {
    const open = indexedDB.open('localrec:bench');
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction('events', 'readonly').objectStore('events').count();
      req.onsuccess = () => {
        db.close();
        ok(req.result);
      };
      req.onerror = () => {
        db.close();
        fail(req.error);
      };
    };
  });
}

/** `rate` events/s for `seconds`, paced by elapsed time; returns how many were accepted and stored. */
async function sustained({ rate, seconds }) {
  const rec = window.LocalRec.instance;
  await rec.flush();
  const before = await countStored();
  await new Promise((ok) => setTimeout(ok, 500));
  const start = performance.now();
  const total = rate * seconds;
  let sent = 0;
  let accepted = 0;
  const trackTimes = [];
  await new Promise((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        const t = performance.now();
        const ev = rec.track('click', { itemId: `S-${sent % 3000}`, context: { listId: 'sustained', position: sent % 24 } });
        trackTimes.push(performance.now() - t);
        if (ev) accepted++;
        sent++;
      }
      if (sent >= total) done();
      else setTimeout(tick, 4);
    };
    tick();
  });
  const elapsed = performance.now() - start;
  const tf = performance.now();
  await rec.flush();
  const finalFlushMs = performance.now() - tf;
  const after = await countStored();
  await new Promise((ok) => setTimeout(ok, 100)); // let the long-task observer deliver
  const lt = window.longTasks.filter((t) => t.start >= start);
  return {
    sent,
    accepted,
    stored: after - before,
    elapsedMs: elapsed,
    finalFlushMs,
    longTasks: lt,
    trackTimes,
    status: rec.status,
    errors: window.errors,
  };
}

// ---- driver

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const us = (ms) => Math.round(ms * 1000 * 100) / 100;
const summary = (xs) => ({
  n: xs.length,
  p50_us: us(q(xs, 0.5)),
  p95_us: us(q(xs, 0.95)),
  p99_us: us(q(xs, 0.99)),
  mean_us: us(xs.reduce((a, b) => a + b, 0) / xs.length),
});

const server = await startServer({ port: 0, crossOriginIsolated: true });
const browser = await launchChromium({ webgpu: false });
try {
  const context = await browser.newContext();
  await context.route(`${server.url}__bench/**`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: PAGE,
      headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
    }),
  );
  await context.route(`${server.url}sdk/localrec.min.js`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: readFileSync(join(DIST, 'localrec.min.js')) }),
  );
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${server.url}__bench/track.html`);
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  const browserVersion = browser.version();

  console.log(`track() vs postMessage: ${CALLS} calls each (cross-origin isolated: ${isolated})…`);
  const micro = await page.evaluate(microBench, { calls: CALLS });
  await page.evaluate(() => window.LocalRec.flush());

  console.log(`sustained: ${RATE} events/s for ${SECONDS} s…`);
  const s = await page.evaluate(sustained, { rate: RATE, seconds: SECONDS });

  const result = {
    when: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      chromium: browserVersion,
      crossOriginIsolated: isolated,
    },
    micro: {
      calls: CALLS,
      note: 'perCall samples are quantised to the 5 µs timer; perBlock = mean of 10 consecutive calls (finer).',
      track: { perCall: summary(micro.trackOne), perBlock: summary(micro.trackBlock) },
      postMessage: { perCall: summary(micro.postOne), perBlock: summary(micro.postBlock) },
    },
    sustained: {
      ratePerSecond: RATE,
      seconds: SECONDS,
      sent: s.sent,
      accepted: s.accepted,
      stored: s.stored,
      lost: s.accepted - s.stored,
      elapsedMs: Math.round(s.elapsedMs),
      finalFlushMs: Math.round(s.finalFlushMs),
      longTasksOver50ms: s.longTasks.length,
      longestTaskMs: Math.round(Math.max(0, ...s.longTasks.map((t) => t.duration))),
      track: summary(s.trackTimes),
      storage: s.status.storage,
      errors: s.errors,
    },
  };
  result.micro.ratio = {
    p50_perBlock: Math.round((result.micro.track.perBlock.p50_us / result.micro.postMessage.perBlock.p50_us) * 100) / 100,
    p95_perBlock: Math.round((result.micro.track.perBlock.p95_us / result.micro.postMessage.perBlock.p95_us) * 100) / 100,
    p95_perCall: Math.round((result.micro.track.perCall.p95_us / result.micro.postMessage.perCall.p95_us) * 100) / 100,
  };

  const rows = [
    ['track()  per call', result.micro.track.perCall],
    ['postMessage per call', result.micro.postMessage.perCall],
    ['track()  per call, blocks of 10', result.micro.track.perBlock],
    ['postMessage per call, blocks of 10', result.micro.postMessage.perBlock],
    ['track() during 1000/s sustained', result.sustained.track],
  ];
  console.log('\n| measurement | n | p50 µs | p95 µs | p99 µs | mean µs |\n|---|---:|---:|---:|---:|---:|');
  for (const [name, r] of rows) console.log(`| ${name} | ${r.n} | ${r.p50_us} | ${r.p95_us} | ${r.p99_us} | ${r.mean_us} |`);
  console.log(
    `\ntrack/postMessage p95 ratio: ${result.micro.ratio.p95_perBlock}× (blocks), ${result.micro.ratio.p95_perCall}× (per call)  — target ≤ 2×`,
  );
  const ss = result.sustained;
  console.log(
    `sustained ${ss.ratePerSecond}/s × ${ss.seconds}s: sent ${ss.sent}, accepted ${ss.accepted}, stored ${ss.stored}, lost ${ss.lost}, long tasks > 50 ms: ${ss.longTasksOver50ms} (longest ${ss.longestTaskMs} ms), final flush ${ss.finalFlushMs} ms, storage ${ss.storage}`,
  );
  if (ss.errors.length) console.log('errors reported:', ss.errors);

  await mkdir(join(here, 'results'), { recursive: true });
  result.sdkDist = DIST;
  await writeFile(join(here, 'results', OUT), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${join('benchmarks', 'results', OUT)}`);
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
