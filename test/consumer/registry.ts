/**
 * A throw-away npm registry for the consumer test: Verdaccio on 127.0.0.1, its storage and config
 * in a temporary folder. `@localrec/*` is served ONLY from what the test publishes (never proxied:
 * a package of that name on npmjs must not be picked up); everything else (vite, idb's users, tfjs
 * for the trainer…) is proxied from the upstream registry the machine uses (`npm_config_registry`,
 * else registry.npmjs.org), so a consumer installs exactly as it would from npmjs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** The registry the machine installs third-party packages from. */
const UPSTREAM = (process.env.npm_config_registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');

/**
 * Why the upstream registry cannot be used (`undefined` when it answers): the one reason the
 * consumer test may skip.
 */
export async function upstreamProblem(): Promise<string | undefined> {
  try {
    const res = await fetch(`${UPSTREAM}vite`, {
      headers: { accept: 'application/vnd.npm.install-v1+json' },
      signal: AbortSignal.timeout(20_000),
    });
    await res.body?.cancel();
    return res.ok ? undefined : `${UPSTREAM} answered HTTP ${res.status}`;
  } catch (e) {
    return `${UPSTREAM} is unreachable (${(e as Error).message})`;
  }
}

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

/** A running Verdaccio. */
export interface Registry {
  /** e.g. `http://127.0.0.1:4873/` */
  url: string;
  /** `.npmrc` with the registry and a publish token: pass as `npm_config_userconfig`. */
  npmrc: string;
  /** Stops the server (waits for its exit). */
  close(): Promise<void>;
}

/** Starts Verdaccio with its storage under `dir`, a user `localrec`, and writes `dir/.npmrc`. */
export async function startRegistry(dir: string): Promise<Registry> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, 'verdaccio.yaml');
  await writeFile(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks:',
      '  upstream:',
      `    url: ${JSON.stringify(UPSTREAM)}`,
      '    timeout: 120s',
      'packages:',
      "  '@localrec/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: upstream',
      // The runtime's tarball (tfjs chunks, three .wasm files) is several MB.
      'max_body_size: 200mb',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  // Its CLI (the package exports no path to it): bin/verdaccio next to its package.json.
  const bin = join(dirname(createRequire(import.meta.url).resolve('verdaccio/package.json')), 'bin/verdaccio');
  const child: ChildProcess = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    // Up when /-/ping answers (a few seconds; give up after 60 tries).
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}:\n${log}`);
      const ok = await fetch(`${url}-/ping`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i === 60) throw new Error(`verdaccio did not answer on ${url}:\n${log}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // `npm adduser`'s request: creates the user and answers its token.
    const res = await fetch(`${url}-/user/org.couchdb.user:localrec`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'localrec', password: 'localrec-test', type: 'user', roles: [] }),
    });
    const { token } = (await res.json()) as { token?: string };
    if (!res.ok || !token) throw new Error(`verdaccio refused the test user: HTTP ${res.status}`);
    const npmrc = join(dir, '.npmrc');
    await writeFile(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, npmrc, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The environment for a package manager talking to `registry` as a user outside this repository:
 * the parent's npm/pnpm settings (pnpm exports its own as `npm_config_*`) are dropped.
 */
export function clientEnv(registry: Registry, cache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_)/i.test(k)) env[k] = v;
  }
  return {
    ...env,
    npm_config_userconfig: registry.npmrc,
    npm_config_registry: registry.url,
    npm_config_cache: cache,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}
