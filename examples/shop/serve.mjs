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
//   /runtime/    packages/runtime/dist/  (worker bundle, once it exists)
//   /models/     models/                 (model bundles)
//
// Used as a module by the e2e tests and benchmarks: `startServer({ port: 0 })`.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../..');

/** URL prefix → folder on disk. Longest prefix first. */
const MOUNTS = [
  ['/sdk/', join(repo, 'packages/sdk/dist')],
  ['/runtime/', join(repo, 'packages/runtime/dist')],
  ['/models/', join(repo, 'models')],
  ['/', join(here, 'public')],
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Maps a URL path to a file under one of the mounts, or null if it escapes them. */
function toFile(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  for (const [prefix, dir] of MOUNTS) {
    if (!decoded.startsWith(prefix)) continue;
    const rel = decoded.slice(prefix.length) || 'index.html';
    const file = normalize(join(dir, rel));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

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
  const host = opts.host ?? '127.0.0.1';
  const csp = opts.csp ?? false;
  const log = opts.log ?? false;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const done = (status, body, headers = {}) => {
      res.writeHead(status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      if (log) console.log(`${status} ${req.method} ${url.pathname}`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return done(405, 'method not allowed\n', { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    }
    let file = toFile(url.pathname);
    if (!file) return done(404, 'not found\n', { 'content-type': 'text/plain' });
    try {
      const s = await stat(file);
      if (s.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
      const headers = { 'content-type': type, 'referrer-policy': 'no-referrer' };
      if (csp) headers['content-security-policy'] = cspFor(type.startsWith('text/html') ? body.toString('utf8') : '');
      if (opts.crossOriginIsolated) {
        // Only for benchmarks: cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
        headers['cross-origin-opener-policy'] = 'same-origin';
        headers['cross-origin-embedder-policy'] = 'require-corp';
      }
      return done(200, body, headers);
    } catch {
      return done(404, 'not found\n', { 'content-type': 'text/plain' });
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 5173, host, () => ok(undefined));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
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
