// The benchmark page's script (benchmarks/gpu/index.html): plain JavaScript, no build step; the
// built runtime is served at /runtime/ and the models at /models/ (benchmarks/gpu/serve.mjs).
// Every figure is a median measured on this device in this run; the JSON is the result.
// The built connector, served by serve.mjs (a URL, not a package: the page has no build step).
const { webWorkerTransport } = await import(new URL('/runtime/connector.js', location.href).href);

const q = new URLSearchParams(location.search);
const model = q.get('model') ?? 'games-sasrec';
const calls = Math.max(1, Number(q.get('calls') ?? 40));
const softwareGpu = q.get('softwareGpu') === '1';
const backends = (q.get('backends') ?? 'webgpu,webgl,wasm,cpu').split(',').filter(Boolean);
const modelUrl = new URL(`/models/${model}/`, location.href).href;
const wasmPath = new URL('/runtime/', location.href).href;
const workerUrl = new URL('/runtime/worker.js', location.href);
const run = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
const state = (s) => (document.getElementById('state').textContent = s);

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : null);
const p95 = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] : null);
const ms3 = (x) => (typeof x === 'number' ? Math.round(x * 1000) / 1000 : x);

/** The WebGPU adapter as the page sees it (the worker requests its own). */
async function adapterInfo() {
  if (!navigator.gpu) return { webgpu: false };
  try {
    const a = await navigator.gpu.requestAdapter();
    if (!a) return { webgpu: true, adapter: null };
    const info = a.info ?? {};
    return {
      webgpu: true,
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      isFallbackAdapter: a.isFallbackAdapter ?? info.isFallbackAdapter ?? false,
      packed4x8DotProduct: navigator.gpu.wgslLanguageFeatures?.has('packed_4x8_integer_dot_product') ?? false,
    };
  } catch (e) {
    return { webgpu: true, error: String(e?.message ?? e) };
  }
}

/** One worker, initialised on `backends` (the runtime calibrates them: the serving path of each backend and kernel). */
async function session(name, opts, body) {
  const link = await webWorkerTransport(workerUrl, { startTimeoutMs: 120_000 }).open();
  try {
    await link.api.init({
      appId: `gpu-bench-${run}-${name}`,
      modelUrl,
      wasmPath,
      cache: false,
      budgetMs: 120_000,
      readyTimeoutMs: 300_000,
      softwareGpu,
      ...opts,
    });
    await link.api.ready();
    const status = await link.api.status();
    if (!status.backend) throw new Error(`no backend started: ${JSON.stringify(status.calibration?.timings ?? status.lastError ?? {})}`);
    return await body(link.api, status);
  } finally {
    link.close();
  }
}

/** `calls` recommend() round trips, each on a fresh random history of 50 views (the compute-bound case). */
async function timeRecommend(api, vocab) {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % vocab.length;
  const history = () => ({
    sequence: Array.from({ length: 50 }, (_, i) => ({ itemId: vocab[rnd()], type: 'view', ts: 1000 + i, seq: i + 1, count: 1 })),
    purchased: [],
  });
  for (let i = 0; i < 3; i++) await api.recommend({ k: 10 }, { history: history() }); // warm-up
  const page = [];
  const worker = [];
  let fallbacks = 0;
  for (let i = 0; i < calls; i++) {
    const h = history();
    const t0 = performance.now();
    const r = await api.recommend({ k: 10 }, { history: h });
    page.push(performance.now() - t0);
    if (typeof r.tookMs === 'number') worker.push(r.tookMs);
    if (r.fallbackReason) fallbacks++;
  }
  // fallbacks: answers not from the model (should be 0: the figures are the model's path only then).
  return { calls, p50Ms: ms3(median(page)), p95Ms: ms3(p95(page)), inWorkerP50Ms: ms3(median(worker)), fallbacks };
}

async function main() {
  const vocab = await (await fetch(`${modelUrl}vocab.json`)).json();
  const result = {
    page: 'localrec-gpu-bench',
    version: 1,
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    adapter: await adapterInfo(),
    model,
    items: vocab.length,
    calls,
    softwareGpu,
    note: "paths: the calibration's in-worker medians of what recommend() runs for a fresh history (host encoder + top-64), per backend and kernel; recommend: page round trips on the path the calibration chose for that backend. A software adapter (SwiftShader) says nothing about real GPUs.",
    backends: {},
    calibration: null,
  };
  for (const b of backends) {
    state(`timing ${b}…`);
    try {
      result.backends[b] = await session(b, { backends: [b] }, async (api, status) => ({
        ok: true,
        paths: status.calibration?.paths ?? {},
        kernel: status.calibration?.kernel ?? null,
        memory: status.memory ?? null,
        recommend: await timeRecommend(api, vocab),
      }));
    } catch (e) {
      result.backends[b] = { ok: false, error: String(e?.message ?? e) };
    }
  }
  state('calibrating over all backends…');
  try {
    result.calibration = await session('all', { backends }, async (_api, status) => ({
      backend: status.backend,
      kernel: status.calibration?.kernel ?? null,
      timings: status.calibration?.timings ?? {},
      paths: status.calibration?.paths ?? {},
    }));
  } catch (e) {
    result.calibration = { error: String(e?.message ?? e) };
  }
  show(result);
}

function show(result) {
  const json = JSON.stringify(result, null, 2);
  document.getElementById('result').textContent = json;
  const a = document.getElementById('download');
  a.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  a.hidden = false;
  const rows = [['path', 'median ms (calibration)', 'recommend() p50 ms (page)']];
  for (const [b, r] of Object.entries(result.backends)) {
    if (!r.ok) rows.push([b, r.error, '']);
    else
      for (const [p, ms] of Object.entries(r.paths))
        rows.push([p, String(ms), p === (r.kernel ? `${b}+int8-${r.kernel}` : b) ? String(r.recommend.p50Ms) : '']);
  }
  const table = document.getElementById('table');
  rows.forEach((r, i) => {
    const tr = table.insertRow();
    for (const c of r) {
      const cell = document.createElement(i ? 'td' : 'th');
      cell.textContent = c;
      tr.append(cell);
    }
  });
  const c = result.calibration;
  state(
    c?.backend
      ? `done: the calibration chose ${c.backend}${c.kernel ? ` + int8 ${c.kernel}` : ''}`
      : `done (calibration failed: ${c?.error})`,
  );
  window.__LOCALREC_GPU_BENCH__ = result;
}

main().catch((e) => {
  state(`failed: ${e?.message ?? e}`);
  window.__LOCALREC_GPU_BENCH__ = { error: String(e?.message ?? e) };
});
