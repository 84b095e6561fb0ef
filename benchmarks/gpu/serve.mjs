// Serves the WebGPU / int8 benchmark page (benchmarks/gpu/index.html) on 127.0.0.1 with the
// built runtime (`pnpm build`: packages/runtime/dist) and the committed models (models/).
//
//   node benchmarks/gpu/serve.mjs [--port 8765] [--host 127.0.0.1]
//
// then open http://127.0.0.1:8765/ (from another device: `--host 0.0.0.0` and the machine's
// address — WebGPU needs a secure context, so over the network use an HTTPS tunnel or a browser
// flag that treats the origin as secure). See benchmarks/gpu/README.md.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startStaticServer } from '../../test/static-server.mjs';

const repo = resolve(import.meta.dirname, '../..');

/**
 * Starts the page's server.
 * @param {{ port?: number, host?: string }} [o]
 * @returns {Promise<import('../../test/static-server.d.mts').StaticServer>}
 */
export async function startGpuBenchServer(o = {}) {
  const dist = resolve(repo, 'packages/runtime/dist');
  if (!existsSync(resolve(dist, 'worker.js'))) throw new Error('packages/runtime/dist/worker.js is missing: run `pnpm build` first');
  return startStaticServer({
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    mounts: { '/': resolve(repo, 'benchmarks/gpu'), '/runtime/': dist, '/models/': resolve(repo, 'models') },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8765' }, host: { type: 'string', default: '127.0.0.1' } } });
  const server = await startGpuBenchServer({ port: Number(values.port), host: values.host });
  console.log(`WebGPU / int8 benchmark page: ${server.url} (Ctrl+C stops)`);
}
