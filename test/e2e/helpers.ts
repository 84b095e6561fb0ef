/**
 * Shared e2e plumbing: the shop's static server on a random port and Debian's Chromium through
 * Playwright, as vitest fixtures ({@link useShop}, {@link useBrowser}) that start them before a
 * file's tests and close them after. Nothing here builds the SDK: `pnpm test` runs `pnpm build`
 * first, and the tests load exactly what ships (`packages/sdk/dist/localrec.min.js`, `dist/index.js`).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page, Route } from 'playwright';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type ShopServer } from '../../examples/shop/serve.mjs';
import { inventoryIndexedDb } from '../audit/privacy-audit.js';
import { launchChromium, launchPersistentChromium, type ChromiumOptions } from '../browser.mjs';
import { startStaticServer, type StaticServer } from '../static-server.mjs';

export const repo = resolve(import.meta.dirname, '../..');

/** Fails fast with the fix when the bundles are missing. */
function assertBuilt(): void {
  for (const f of ['packages/sdk/dist/localrec.min.js', 'packages/sdk/dist/index.js']) {
    if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run \`pnpm build\` first (pnpm test does).`);
  }
}

let prepared: Promise<unknown> | undefined;

/**
 * Starts the shop server on a free port. The shop's generated assets (catalog from the simulator,
 * app bundle) are git-ignored, so they are regenerated once per test file (well under a second).
 */
export async function startShop(opts: { csp?: boolean } = {}): Promise<ShopServer> {
  assertBuilt();
  prepared ??= import('../../examples/shop/scripts/prepare.mjs').then((m) => m.prepareShop());
  await prepared;
  return startServer({ port: 0, csp: opts.csp ?? false, prepare: false });
}

/** Debian's Chromium with the repository's flags (test/browser.mjs), WebGPU on unless `webgpu: false`. */
function launchBrowser(opts?: ChromiumOptions): Promise<Browser> {
  return launchChromium(opts);
}

/** Throws the same message for any fixture read before its `beforeAll` ran. */
function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not started yet: read it inside a test or a hook, not at import time`);
  return value;
}

/**
 * One Chromium for this test file: launched before its tests, closed after them.
 *
 * @example
 * const chromium = useBrowser();
 * it('…', async () => { const page = await chromium.browser.newPage(); });
 */
export function useBrowser(opts?: ChromiumOptions): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser(opts);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      return ready(browser, 'the browser');
    },
  };
}

/**
 * The demo shop (see {@link startShop}) and one Chromium for this test file: started before its
 * tests, closed after them.
 *
 * @example
 * const e2e = useShop();
 * it('…', async () => { const page = await e2e.browser.newPage(); await page.goto(e2e.url); });
 */
export function useShop(opts: { csp?: boolean } = {}): { readonly browser: Browser; readonly server: ShopServer; readonly url: string } {
  let server: ShopServer | undefined;
  beforeAll(async () => {
    server = await startShop(opts);
  });
  afterAll(async () => {
    await server?.close();
  });
  const chromium = useBrowser();
  return {
    get browser() {
      return chromium.browser;
    },
    get server() {
      return ready(server, 'the shop server');
    },
    get url() {
      return ready(server, 'the shop server').url;
    },
  };
}

/** A browser with an on-disk profile, for data that must survive a browser restart. */
export async function freshProfileDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'localrec-e2e-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function launchPersistent(dir: string): Promise<BrowserContext> {
  return launchPersistentChromium(dir);
}

/**
 * Serves test-only HTML pages at `/__e2e/<name>` on the server's origin (so they share its
 * IndexedDB) without adding them to the shop. Everything else goes to the real server.
 */
export async function serveFixtures(context: BrowserContext, origin: string, pages: Record<string, string>): Promise<void> {
  await context.route(`${origin}__e2e/**`, (route: Route) => {
    const name = new URL(route.request().url()).pathname.replace(/^\/__e2e\//, '');
    const body = pages[name];
    if (body === undefined) return route.fulfill({ status: 404, body: 'no such fixture' });
    return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body });
  });
}

/** A minimal page that loads the built IIFE by a plain script tag and runs `script` after it. */
export function sdkPage(script = ''): string {
  return `<!doctype html><meta charset="utf-8"><title>e2e</title>
<script src="/sdk/localrec.min.js"></script>
<script>${script}</script>
<body></body>`;
}

/** Collects uncaught page errors and console errors/warnings. */
export function watchPage(page: Page): { errors: string[]; warnings: string[] } {
  const out = { errors: [] as string[], warnings: [] as string[] };
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'warning') out.warnings.push(m.text());
    if (m.type() === 'error') out.errors.push(`console.error: ${m.text()}`);
  });
  return out;
}

/**
 * What IndexedDB holds for this origin, read directly (not through the SDK): every database
 * and the record count of each object store.
 */
export async function readIndexedDb(page: Page): Promise<Record<string, Record<string, number>>> {
  return Object.fromEntries((await inventoryIndexedDb(page)).map((d) => [d.name, d.stores]));
}

/** Total records across every object store and database (0 when nothing is stored). */
export function totalRecords(dbs: Record<string, Record<string, number>>): number {
  return Object.values(dbs).reduce((s, stores) => s + Object.values(stores).reduce((a, b) => a + b, 0), 0);
}

/**
 * Opens `n` products of `department` (from the `from`-th card; only in-stock cards with `inStock`)
 * from the demo shop's category page, one at a time and at a person's pace: the shop's runtime
 * (insights) keeps bursts of more than 8 events a second out of the model input, as a bot's.
 * Returns the product ids opened (each recorded as a view by the shop).
 */
export async function browseDepartment(
  page: Page,
  department: string,
  n: number,
  options: { from?: number; inStock?: boolean } = {},
): Promise<string[]> {
  const from = options.from ?? 0;
  const cards = `.grid[data-list^="category:"] .card${options.inStock ? ':not(:has(.out))' : ''}`;
  const ids: string[] = [];
  await page.click(`#categories a[data-category="${department}"]`);
  await page.waitForSelector('.grid[data-list^="category:"]');
  for (let i = from; i < from + n; i++) {
    await page.locator(cards).nth(i).click();
    await page.waitForSelector('[data-product]');
    ids.push((await page.getAttribute('[data-product]', 'data-product'))!);
    await page.waitForTimeout(300);
    await page.goBack();
    await page.waitForSelector('.grid[data-list^="category:"]');
  }
  return ids;
}

/** Collects the page's CSP violations (the DOM event) from the first script on; returns their reader. */
export async function watchCsp(context: BrowserContext): Promise<(page: Page) => Promise<string[]>> {
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  return (page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

/**
 * The page of the runtime e2e tests: a module script that puts the built connector and the
 * modules under `/__e2e/<name>.js` on `window.__e2e` (page.evaluate code cannot import: vitest
 * rewrites `import()`). Serve it at `/` and the boot script at {@link BOOT_PATH}.
 */
export function bootPage(title: string): string {
  return `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="${BOOT_PATH}"></script><body></body>`;
}

/** Where {@link bootScript} is served. */
export const BOOT_PATH = '/__e2e/boot.js';

/** The boot module: `window.__e2e = { name: import(url), … }` for each entry of `modules`. */
export function bootScript(modules: Record<string, string>): { type: string; body: string } {
  const names = Object.keys(modules);
  const imports = names.map((n) => `import * as ${n} from '${modules[n]}';`).join(' ');
  return { type: 'text/javascript; charset=utf-8', body: `${imports} window.__e2e = { ${names.join(', ')} };` };
}

/**
 * The page of the SDK e2e tests, served for the test file (started in its `beforeAll` when
 * `enabled`): {@link bootPage} at `/` putting the BUILT connector and SDK on `window.__e2e`
 * (`connector`, `sdk`), `packages/runtime/dist` at `/runtime/`, `packages/sdk/dist` at `/sdk/`
 * and the bundle folder `model` at `/models/demo-shop/`.
 * @returns its URL, once started.
 */
export function useSdkPage(title: string, model: string, enabled: boolean): { readonly url: string } {
  let server: StaticServer | undefined;
  beforeAll(async () => {
    if (!enabled) return;
    for (const f of ['packages/runtime/dist/worker.js', 'packages/sdk/dist/index.js']) {
      if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run \`pnpm build\` first (pnpm test does).`);
    }
    server = await startStaticServer({
      mounts: { '/runtime/': join(repo, 'packages/runtime/dist'), '/sdk/': join(repo, 'packages/sdk/dist'), '/models/demo-shop/': model },
      routes: {
        '/favicon.ico': { status: 204 },
        '/': { body: bootPage(title) },
        [BOOT_PATH]: bootScript({ connector: '/runtime/connector.js', sdk: '/sdk/index.js' }),
      },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url() {
      if (!server) throw new Error(`${title}: the page server is not started`);
      return server.url;
    },
  };
}

/** The IndexedDB event store (packages/store-idb, from source) as one ES module, for pages that write a shopper's events. */
export async function storeModuleJs(): Promise<string> {
  return (
    await build({
      entryPoints: [join(repo, 'packages/store-idb/src/index.ts')],
      bundle: true,
      format: 'esm',
      write: false,
      conditions: ['@localrec/source'],
      platform: 'browser',
      logLevel: 'silent',
    })
  ).outputFiles[0]!.text;
}

/** The impressions (items, source) and clicks (item ids) the page's `window.__rec` has stored, after a flush. */
export async function storedFeedback(
  page: Page,
): Promise<{ impressions: { items?: string[]; source?: string }[]; clicks: (string | undefined)[] }> {
  const dump = await page.evaluate(async () => {
    const rec = (window as unknown as { __rec: { flush(): Promise<void>; exportData(): Promise<unknown> } }).__rec;
    await rec.flush();
    return rec.exportData();
  });
  const events = (dump as { events: { type: string; itemId?: string; data: { items?: string[]; source?: string } }[] }).events;
  return {
    impressions: events.filter((e) => e.type === 'impression').map((e) => ({ items: e.data.items, source: e.data.source })),
    clicks: events.filter((e) => e.type === 'click').map((e) => e.itemId),
  };
}

/** What one of the demo shop's recommendation lists shows (its `<localrec-recommendations>`), see {@link shopList}. */
export interface ShopList {
  /** The section's `data-source` (the answer's `source`, `error` when it failed). */
  source: string;
  /** The answer's `fallbackReason`, or ''. */
  fallback: string;
  /** The element's `data-state` (`ready`, `empty`, `error`, `loading`). */
  state: string;
  /** How many different answers the section has shown. */
  answers: number;
  /** The item ids of the cards drawn in the element's shadow root, in order. */
  ids: string[];
  /** Per drawn card: the item's `source` and `reason.kind` (from the answer) and the reason text drawn. */
  reasons: Array<{ source: string; kind: string; text: string }>;
  /** The line under the list's title (where the answer came from). */
  note: string;
}

/**
 * What the `nth` shop section `[data-recs="<list>"]` shows right now, read from the page: the
 * cards its `<localrec-recommendations>` drew (shadow DOM) with their reasons; undefined until it
 * has answered.
 */
export function shopList(page: Page, list: string, nth = 0): Promise<ShopList | undefined> {
  return page.evaluate(
    ({ list, nth }) => {
      const box = document.querySelectorAll<HTMLElement>(`[data-recs="${list}"]`)[nth];
      type Element = HTMLElement & { result?: { items: Array<{ itemId: string; source: string; reason: { kind: string } }> } };
      const el = box?.querySelector<Element>('localrec-recommendations');
      if (!box || !el || !box.dataset.source) return undefined;
      const items = new Map((el.result?.items ?? []).map((i) => [i.itemId, i]));
      const cards = Array.from(el.shadowRoot?.querySelectorAll<HTMLElement>('li[data-item-id]') ?? []);
      return {
        source: box.dataset.source,
        fallback: box.dataset.fallback ?? '',
        state: el.dataset.state ?? '',
        answers: Number(box.dataset.answers ?? 0),
        ids: cards.map((c) => c.dataset.itemId ?? ''),
        reasons: cards.map((c) => {
          const item = items.get(c.dataset.itemId ?? '');
          return { source: item?.source ?? '', kind: item?.reason.kind ?? '', text: c.querySelector('[part~=reason]')?.textContent ?? '' };
        }),
        note: box.querySelector('.source')?.textContent ?? '',
      };
    },
    { list, nth },
  );
}
