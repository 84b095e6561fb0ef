// The repository's one static file server (node:http only, bound to 127.0.0.1 by default, a
// secure context for IndexedDB, workers and WebGPU). The demo shop (examples/shop/serve.mjs), the
// e2e tests, the privacy audit and the benchmarks all serve through it, with its one MIME table.
// It answers GET/HEAD only, never serves a file outside its mounts, and adds `no-store`,
// `nosniff` and `no-referrer` to every answer.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/** File extension → Content-Type. */
const MIME = Object.freeze({
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
});

/** The Content-Type for a file name (application/octet-stream for an unknown extension). */
export function contentType(file) {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** COOP/COEP: cross-origin isolation (finer `performance.now()`, threaded wasm); benchmarks only. */
const CROSS_ORIGIN_ISOLATION = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
});

/** Decodes a URL path; null for a malformed one or one with a NUL byte. */
function decodePath(pathname) {
  try {
    const p = decodeURIComponent(pathname);
    return p.includes('\0') ? null : p;
  } catch {
    return null;
  }
}

/** Maps a decoded path to a file under the longest matching mount, or null if it escapes them. */
function toFile(mounts, path) {
  for (const [prefix, dir] of mounts) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length) || 'index.html'));
    return file === dir || file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

/**
 * Starts the server; resolves once it listens.
 * @param {import('./static-server.d.mts').StaticServerOptions} [opts]
 * @returns {Promise<import('./static-server.d.mts').StaticServer>}
 */
export async function startStaticServer(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  const mounts = Object.entries(opts.mounts ?? {})
    .map(([prefix, dir]) => [prefix, normalize(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const routes = new Map(Object.entries(opts.routes ?? {}));
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const done = (status, body, headers = {}) => {
      res.writeHead(status, {
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        ...(opts.crossOriginIsolated ? CROSS_ORIGIN_ISOLATION : {}),
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      if (opts.log) console.log(`${status} ${req.method} ${url.pathname}`);
    };
    const notFound = () => done(404, 'not found\n', { 'content-type': 'text/plain; charset=utf-8' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return done(405, 'method not allowed\n', { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    }
    const path = decodePath(url.pathname);
    if (path === null) return notFound();
    const route = routes.get(path);
    if (route !== undefined) {
      const r = typeof route === 'function' ? route(url) : route;
      const type = r.type ?? 'text/html; charset=utf-8';
      return done(r.status ?? 200, r.body ?? '', {
        'content-type': type,
        ...(opts.headers?.(path, type, r.body ?? '') ?? {}),
        ...r.headers,
      });
    }
    let file = toFile(mounts, path);
    if (!file) return notFound();
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const type = contentType(file);
      return done(200, body, { 'content-type': type, ...(opts.headers?.(path, type, body) ?? {}) });
    } catch {
      return notFound();
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok(undefined));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
