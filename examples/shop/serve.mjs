#!/usr/bin/env node
// The demo shop's static server: node:http only, bound to 127.0.0.1 (a secure context, so
// IndexedDB, workers and WebGPU all work). It serves nothing but files, answers nothing but
// GET/HEAD, and prints its URL.
//
//   node examples/shop/serve.mjs [--port 5173] [--csp] [--no-prepare]
//   PORT=0 node examples/shop/serve.mjs      # 0 = any free port (tests)
//
// URL space:
//   /            examples/shop/public/   (index.html, app, styles, generated/ catalog)
//   /sdk/        packages/sdk/dist/      (localrec.min.js, index.js, snippet)
//   /elements/   packages/elements/dist/ (localrec-elements.min.mjs: <localrec-recommendations>)
//   /runtime/    packages/runtime/dist/  (worker bundle, once it exists)
//   /models/     models/                 (model bundles)
//
// Used as a module by the e2e tests and benchmarks: `startServer({ port: 0 })`. The serving
// itself (MIME types, GET/HEAD only, no path outside the mounts) is test/static-server.mjs.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../test/static-server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../..');

/** URL prefix → folder on disk. */
const MOUNTS = {
  '/sdk/': join(repo, 'packages/sdk/dist'),
  '/elements/': join(repo, 'packages/elements/dist'),
  '/runtime/': join(repo, 'packages/runtime/dist'),
  '/models/': join(repo, 'models'),
  '/': join(here, 'public'),
};

/** sha256 sources of every inline <script> in an HTML page, for a strict CSP without 'unsafe-inline'. */
function inlineScriptHashes(html) {
  const hashes = [];
  for (const m of html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    hashes.push(`'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
  }
  return hashes;
}

function cspFor(html) {
  const scripts = ["'self'", "'wasm-unsafe-eval'", ...(html ? inlineScriptHashes(html) : [])];
  return [
    "default-src 'self'",
    `script-src ${scripts.join(' ')}`,
    "worker-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Starts the server. Resolves once it listens.
 * @param {import('./serve.d.mts').ServeOptions} [opts]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startServer(opts = {}) {
  if (opts.prepare) {
    const { prepareShop } = await import('./scripts/prepare.mjs');
    await prepareShop();
  }
  const csp = opts.csp ?? false;
  return startStaticServer({
    mounts: MOUNTS,
    host: opts.host,
    port: opts.port ?? 5173,
    log: opts.log,
    crossOriginIsolated: opts.crossOriginIsolated,
    headers: (_path, type, body) =>
      csp ? { 'content-security-policy': cspFor(type.startsWith('text/html') ? body.toString() : '') } : undefined,
  });
}

function parseArgs(argv) {
  const out = { port: undefined, csp: false, prepare: true, log: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port' || a === '-p') out.port = Number(argv[++i]);
    else if (a.startsWith('--port=')) out.port = Number(a.slice(7));
    else if (a === '--csp') out.csp = true;
    else if (a === '--no-prepare') out.prepare = false;
    else if (a === '--log') out.log = true;
    else throw new Error(`Unknown option "${a}". Accepted: --port N, --csp, --no-prepare, --log`);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const port = args.port ?? (process.env.PORT !== undefined ? Number(process.env.PORT) : 5173);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid port "${args.port ?? process.env.PORT}". Use 0–65535 (0 = any free port).`);
    process.exit(2);
  }
  const { url } = await startServer({ port, csp: args.csp, log: args.log, prepare: args.prepare });
  console.log(`LocalRec demo shop: ${url}${args.csp ? '  (strict CSP)' : ''}`);
}
