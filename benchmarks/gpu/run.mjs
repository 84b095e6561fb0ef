// Opens the benchmark page (benchmarks/gpu) in headless Chromium and writes its JSON: the same
// figures a person gets by opening the page. On a machine without a GPU WebGPU is SwiftShader
// (`--software-gpu` lets it take part): correctness of the path only, never a GPU figure.
//
//   pnpm build && node benchmarks/gpu/run.mjs [--software-gpu] [--calls 40] [--model games-sasrec] [--out file.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launchChromium } from '../../test/browser.mjs';
import { startGpuBenchServer } from './serve.mjs';

const { values } = parseArgs({
  options: {
    'software-gpu': { type: 'boolean', default: false },
    calls: { type: 'string', default: '40' },
    model: { type: 'string', default: 'games-sasrec' },
    out: { type: 'string' },
  },
});
const server = await startGpuBenchServer();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const q = new URLSearchParams({ model: values.model, calls: values.calls, ...(values['software-gpu'] ? { softwareGpu: '1' } : {}) });
  await page.goto(`${server.url}?${q}`);
  await page.waitForFunction(() => window.__LOCALREC_GPU_BENCH__, null, { timeout: 1_800_000, polling: 1000 });
  const result = await page.evaluate(() => window.__LOCALREC_GPU_BENCH__);
  const json = JSON.stringify(result, null, 2);
  if (values.out) writeFileSync(values.out, `${json}\n`);
  console.log(json);
} finally {
  await browser.close();
  await server.close();
}
