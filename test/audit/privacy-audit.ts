/**
 * The privacy audit: drives a LocalRec shop in real Chromium through a scripted shopping session,
 * observes every request (pages AND workers) and every storage area at each step, and judges the
 * result against LocalRec's promise — raw behaviour never leaves the device, nothing is stored
 * without consent, and `forgetMe()` leaves nothing behind.
 *
 * Used by `pnpm audit:privacy` (cli.ts) and by the e2e test (test/e2e/audit.test.ts).
 *
 * How requests are observed: context-level routing (`context.route('**')`) and the context's
 * request events. Unlike `page.route`, both include requests made by dedicated workers (the
 * runtime's worker, its wasm and model downloads); {@link workerSelfCheck} proves it on every run
 * by fetching from a throw-away worker. A CDP session on the page additionally auto-attaches to
 * every worker target (`Target.setAutoAttach`), so the report lists each worker that ran.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page, Request } from 'playwright';

/** One observed request. */
interface ObservedRequest {
  method: string;
  url: string;
  /** `document`, `script`, `fetch`, … as Chromium reports it. */
  resourceType: string;
  /** Who made it: the page or a worker (by its script URL). */
  initiator: string;
  requestHeaders: Record<string, string>;
  requestBodyBytes: number;
  status?: number;
  responseBytes?: number;
  contentType?: string;
  /** What the audit thinks the request is for. */
  purpose: string;
  /** Step of the session during which it was made. */
  step: string;
  /** Why it breaks the rules (empty = allowed). */
  violations: string[];
}

/** What one storage area held at one moment. */
interface StorageSnapshot {
  step: string;
  indexedDB: Array<{ name: string; version: number; stores: Record<string, number> }>;
  cacheStorage: Array<{ name: string; entries: string[] }>;
  cookies: Array<{ name: string; domain: string }>;
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  opfsEntries: string[];
  /** `navigator.storage.estimate().usage`, bytes. */
  usageBytes?: number;
}

interface ConsentStep {
  consent: string;
  action: string;
  storedEventsAfter: number;
  expectation: string;
  ok: boolean;
}

interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
}

interface InventoryRow {
  what: string;
  where: string;
  howLong: string;
  why: string;
  observed: string;
}

export interface AuditReport {
  tool: 'localrec-privacy-audit';
  version: 1;
  startedAt: string;
  finishedAt: string;
  url: string;
  origin: string;
  browser: string;
  verdict: 'pass' | 'fail';
  checks: AuditCheck[];
  session: Array<{ step: string; detail: string }>;
  consentStates: ConsentStep[];
  requests: ObservedRequest[];
  totals: { requests: number; requestBytes: number; responseBytes: number; workers: string[] };
  storage: StorageSnapshot[];
  inventory: InventoryRow[];
  /** What the session recorded and searched the traffic for. */
  canaries: { itemIds: string[]; queries: string[]; friendIds: string[]; eventTypes: string[] };
  exportSummary?: { events: number; byType: Record<string, number> };
  forgetProof?: unknown;
  recommendations: Array<{ call: string; source?: string; items: number; fallbackReason?: string; backend?: string }>;
  notes: string[];
}

export interface AuditOptions {
  url: string;
  browser: Browser;
  /** Milliseconds to wait for the page's LocalRec to be ready. Default 30 s. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
  /** Runs on the fresh context before the first navigation (tests use it to plant a leak as a control). */
  setup?: (context: BrowserContext) => Promise<void>;
}

/** Names a request's purpose from its path (the demo's layout; anything else is "host page asset"). */
function purposeOf(pathname: string): string {
  if (pathname === '/' || pathname.endsWith('.html')) return 'the shop page (HTML)';
  if (/^\/sdk\/localrec\.min\.js$/.test(pathname)) return 'LocalRec SDK (script tag, main thread)';
  if (/^\/sdk\/localrec-capture/.test(pathname)) return 'LocalRec declarative-capture module (loaded when the page opts in)';
  if (/^\/sdk\//.test(pathname)) return 'LocalRec SDK asset';
  if (/^\/elements\//.test(pathname)) return 'LocalRec web component (<localrec-recommendations>)';
  if (/^\/runtime\/.*\.wasm$/.test(pathname)) return 'LocalRec runtime: TensorFlow.js wasm backend binary';
  if (/^\/runtime\//.test(pathname)) return 'LocalRec runtime: worker script (TensorFlow.js + model runtime)';
  if (/^\/models\/.*manifest\.json$/.test(pathname)) return 'model bundle manifest (version, hashes)';
  if (/^\/models\/.*\.bin$/.test(pathname)) return 'model weights (int8)';
  if (/^\/models\/.*vocab\.json$/.test(pathname)) return 'model item vocabulary';
  if (/^\/models\/.*catalog\.json$/.test(pathname)) return 'model item catalog metadata';
  if (/^\/models\//.test(pathname)) return 'model bundle file';
  if (/catalog\.json$/.test(pathname)) return "the shop's product catalog (host data, same for every visitor)";
  if (/\.svg$/.test(pathname)) return "the shop's product pictures (one file for every product)";
  if (/\.js$|\.mjs$/.test(pathname)) return "the shop's own script";
  if (/\.css$/.test(pathname)) return "the shop's stylesheet";
  return 'host page asset';
}

const token = (): string => randomBytes(5).toString('hex');

/** Every IndexedDB database of the page's origin with its version and the record count of each store, read directly. */
export function inventoryIndexedDb(page: Page): Promise<Array<{ name: string; version: number; stores: Record<string, number> }>> {
  return page.evaluate(async () => {
    const idb: Array<{ name: string; version: number; stores: Record<string, number> }> = [];
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const req = indexedDB.open(info.name!);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error ?? new Error('IndexedDB request failed'));
      });
      const stores: Record<string, number> = {};
      for (const s of Array.from(db.objectStoreNames)) {
        stores[s] = await new Promise<number>((ok, fail) => {
          const r = db.transaction(s, 'readonly').objectStore(s).count();
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error ?? new Error('IndexedDB request failed'));
        });
      }
      idb.push({ name: info.name, version: db.version, stores });
      db.close();
    }
    return idb;
  });
}

/** Reads every storage area of the page's origin, directly (not through the SDK). */
async function snapshotStorage(page: Page, context: BrowserContext, step: string): Promise<StorageSnapshot> {
  const inPage = await page.evaluate(async () => {
    const caches_: Array<{ name: string; entries: string[] }> = [];
    if (typeof caches !== 'undefined') {
      for (const name of await caches.keys()) {
        const c = await caches.open(name);
        caches_.push({ name, entries: (await c.keys()).map((r) => r.url) });
      }
    }
    // No named inner functions here: tsx/esbuild would wrap them in a `__name` helper the page lacks.
    const [ls, ss] = [localStorage, sessionStorage].map((s) => {
      const o: Record<string, string> = {};
      for (let i = 0; i < s.length; i++) {
        const k = s.key(i)!;
        o[k] = s.getItem(k) ?? '';
      }
      return o;
    });
    const opfs: string[] = [];
    try {
      const root = await navigator.storage.getDirectory();
      for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) opfs.push(name);
    } catch {
      /* OPFS unavailable */
    }
    let usage: number | undefined;
    try {
      usage = (await navigator.storage.estimate()).usage;
    } catch {
      /* ignore */
    }
    return { caches: caches_, ls: ls!, ss: ss!, opfs, usage };
  });
  const idb = await inventoryIndexedDb(page);
  const cookies = (await context.cookies()).map((c) => ({ name: c.name, domain: c.domain }));
  const snap: StorageSnapshot = {
    step,
    indexedDB: idb,
    cacheStorage: inPage.caches,
    cookies,
    localStorage: inPage.ls,
    sessionStorage: inPage.ss,
    opfsEntries: inPage.opfs,
  };
  if (inPage.usage !== undefined) snap.usageBytes = inPage.usage;
  return snap;
}

const storedEvents = (s: StorageSnapshot): number => s.indexedDB.reduce((n, db) => n + (db.stores.events ?? 0), 0);
const anyRecords = (s: StorageSnapshot): number =>
  s.indexedDB.reduce((n, db) => n + Object.values(db.stores).reduce((a, b) => a + b, 0), 0);

/**
 * Proves the observer sees worker traffic: a throw-away worker fetches a unique URL; both the
 * routing hook and the request event must see it.
 */
async function workerSelfCheck(page: Page, requests: () => ObservedRequest[]): Promise<AuditCheck> {
  const marker = `__audit_worker_probe_${token()}`;
  const status = await page.evaluate(async (m) => {
    const src = `fetch(${JSON.stringify(location.origin + '/')} + ${JSON.stringify(m)}).then((r) => postMessage(r.status), (e) => postMessage(String(e)))`;
    try {
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      const r = await new Promise((ok) => {
        w.onmessage = (e) => ok(e.data);
        w.onerror = (e) => ok(`error: ${e.message}`);
      });
      w.terminate();
      return String(r);
    } catch (e) {
      return `worker blocked: ${String(e)}`;
    }
  }, marker);
  const seen = requests().filter((r) => r.url.includes(marker));
  const ok = seen.length > 0 && seen.every((r) => r.initiator.startsWith('worker'));
  return {
    name: 'observer sees worker requests (self-check)',
    ok: ok || status.startsWith('worker blocked'),
    detail: ok
      ? `a probe fetch from a worker was observed (status ${status}); excluded from the totals`
      : status.startsWith('worker blocked')
        ? `workers are blocked on this page (${status}); no worker traffic is possible`
        : `the probe fetch from a worker was NOT observed (status ${status})`,
  };
}

/** Runs the whole audit against `opts.url`. Never throws for a failed verdict; throws only if the page cannot be driven. */
export async function runPrivacyAudit(opts: AuditOptions): Promise<AuditReport> {
  const log = opts.log ?? (() => undefined);
  const startedAt = new Date().toISOString();
  const origin = new URL(opts.url).origin;
  const context = await opts.browser.newContext({ acceptDownloads: true, serviceWorkers: 'block' });
  await opts.setup?.(context);
  const page = await context.newPage();
  const requests: ObservedRequest[] = [];
  const session: AuditReport['session'] = [];
  const notes: string[] = [];
  const workers = new Set<string>();
  const consentStates: ConsentStep[] = [];
  const storage: StorageSnapshot[] = [];
  const recommendations: AuditReport['recommendations'] = [];
  const pageErrors: string[] = [];
  const websockets: string[] = [];
  let step = 'load';
  const say = (detail: string): void => {
    session.push({ step, detail });
    log(`[${step}] ${detail}`);
  };

  // ---- observation: routing sees page and worker requests; the request events give sizes.
  const byRequest = new Map<Request, ObservedRequest>();
  await context.route('**/*', async (route) => {
    const req = route.request();
    // Attributed later: requests the page target's own CDP Network domain saw are the page's; the rest came from workers.
    const initiator = req.serviceWorker() ? 'service worker' : 'worker';
    let body = 0;
    try {
      body = req.postDataBuffer()?.byteLength ?? 0;
    } catch {
      /* none */
    }
    const u = new URL(req.url());
    const o: ObservedRequest = {
      method: req.method(),
      url: req.url(),
      resourceType: req.resourceType(),
      initiator,
      requestHeaders: await req.allHeaders().catch(() => req.headers()),
      requestBodyBytes: body,
      purpose: u.protocol.startsWith('http') ? purposeOf(u.pathname) : `${u.protocol} URL`,
      step,
      violations: [],
    };
    (o as ObservedRequest & { body?: string }).body = req.postData() ?? '';
    requests.push(o);
    byRequest.set(req, o);
    await route.continue();
  });
  context.on('requestfinished', (req) => {
    const o = byRequest.get(req);
    if (!o) return;
    void (async () => {
      const res = await req.response();
      const sizes = await req.sizes().catch(() => undefined);
      if (res) {
        o.status = res.status();
        o.contentType = res.headers()['content-type'];
      }
      if (sizes) o.responseBytes = sizes.responseBodySize + sizes.responseHeadersSize;
    })();
  });
  page.on('websocket', (ws) => websockets.push(ws.url()));
  page.on('worker', (w) => workers.add(w.url()));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // CDP: auto-attach to every worker target (flattened), so dedicated and shared workers are listed.
  const cdp = await context.newCDPSession(page);
  cdp.on('Target.attachedToTarget', (e: { targetInfo: { type: string; url: string } }) => {
    if (e.targetInfo.type !== 'page') workers.add(`${e.targetInfo.type}: ${e.targetInfo.url}`);
  });
  const pageUrls = new Set<string>();
  cdp.on('Network.requestWillBeSent', (e: { request: { url: string } }) => {
    pageUrls.add(e.request.url);
  });
  const attribute = (): void => {
    for (const r of requests) if (pageUrls.has(r.url)) r.initiator = 'page';
  };
  await cdp.send('Network.enable');
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });

  const checks: AuditCheck[] = [];
  const canaries = { itemIds: [] as string[], queries: [] as string[], friendIds: [] as string[], eventTypes: [] as string[] };
  const idsFromPage: string[] = [];
  try {
    // ---------------------------------------------------------------- load
    await page.goto(opts.url, { waitUntil: 'load' });
    await page.waitForFunction(
      () => {
        const g = (window as unknown as { LocalRec?: { loaded?: boolean; instance?: unknown } }).LocalRec;
        return !!g && g.loaded === true && g.instance !== undefined;
      },
      undefined,
      { timeout: opts.readyTimeoutMs ?? 30_000 },
    );
    await page.evaluate(() => (window as unknown as { shopReady?: Promise<unknown> }).shopReady);
    const first = await page.evaluate(() => {
      const g = (window as unknown as { LocalRec: { consent?: string; version: string } }).LocalRec;
      const ids = Array.from(document.querySelectorAll('[data-localrec-item]'))
        .map((e) => e.getAttribute('data-localrec-item') ?? '')
        .filter(Boolean);
      return { consent: g.consent ?? 'unknown', version: g.version, ids: [...new Set(ids)].slice(0, 6) };
    });
    idsFromPage.push(...first.ids);
    say(`page loaded; LocalRec ${first.version} ready with consent "${first.consent}"; ${first.ids.length} items on the page`);
    checks.push(
      await workerSelfCheck(page, () => {
        attribute();
        return requests;
      }),
    );
    const probe = requests.filter((r) => r.url.includes('__audit_worker_probe_'));
    for (const p of probe) requests.splice(requests.indexOf(p), 1);

    // Unique markers: any of them in a request means behaviour data left the device.
    const t = token();
    const items = [...idsFromPage.slice(0, 4), `AUDIT-ITEM-${t}-1`, `AUDIT-ITEM-${t}-2`, `AUDIT-ITEM-${t}-3`];
    while (items.length < 6) items.push(`AUDIT-ITEM-${t}-${items.length}`);
    const query = `audit query ${t}`;
    const friend = `audit-friend-${t}`;
    canaries.itemIds.push(...items);
    canaries.queries.push(query, 'blue');
    canaries.friendIds.push(friend);

    const api = async (fn: string, ...args: unknown[]): Promise<unknown> =>
      page.evaluate(
        async ([f, a]) => {
          const g = (window as unknown as { LocalRec: Record<string, (...x: unknown[]) => unknown> }).LocalRec;
          const r = await g[f]!(...a);
          return r === undefined ? null : JSON.parse(JSON.stringify(r));
        },
        [fn, args] as const,
      );
    const count = async (): Promise<number> => storedEvents(await snapshotStorage(page, context, 'probe'));
    const snap = async (): Promise<StorageSnapshot> => {
      const s = await snapshotStorage(page, context, step);
      storage.push(s);
      return s;
    };

    // ---------------------------------------------------------------- consent pending
    step = 'consent pending';
    if (first.consent === 'pending') {
      await api('track', 'view', { itemId: items[4] });
      await api('track', 'search', { query });
      await api('flush');
      const s = await snap();
      consentStates.push({
        consent: 'pending',
        action: 'view + search tracked, flush()',
        storedEventsAfter: storedEvents(s),
        expectation: 'nothing stored (held in memory)',
        ok: anyRecords(s) === 0,
      });
      say(`tracked 2 events under "pending": ${anyRecords(s)} records in storage`);
    } else notes.push(`The page starts with consent "${first.consent}", so the "pending" state was not exercised from page load.`);

    // ---------------------------------------------------------------- consent granted: shop
    step = 'consent granted: shopping';
    const allow = page.locator('#consent-allow');
    if (await allow.isVisible().catch(() => false)) {
      await allow.click();
      say('clicked the consent banner\'s "Allow"');
    } else await api('setConsent', 'granted');
    // Real UI: open a product, add it to the cart, search through the form (when the demo's DOM is there).
    const card = page.locator('.grid .card').nth(2);
    if (await card.isVisible().catch(() => false)) {
      await card.click();
      await page.waitForTimeout(300);
      const add = page.locator('#add-to-cart');
      if (await add.isVisible().catch(() => false)) await add.click();
      const q = page.locator('#q');
      if (await q.isVisible().catch(() => false)) {
        await q.fill('blue');
        await q.press('Enter');
      }
      say('clicked a product card, "Add to cart", searched "blue" through the form');
    }
    const ev: Array<[string, Record<string, unknown>]> = [
      ['view', { itemId: items[0], dwellMs: 4200 }],
      ['click', { itemId: items[1], context: { page: 'home', position: 2, listId: 'recommend' } }],
      ['view', { itemId: items[4] }],
      ['add_to_cart', { itemId: items[4], quantity: 1, price: 19.99, currency: 'EUR' }],
      ['remove_from_cart', { itemId: items[4], quantity: 1 }],
      ['add_to_cart', { itemId: items[5], quantity: 2, price: 5 }],
      ['purchase', { itemId: items[5], quantity: 2, price: 5, currency: 'EUR' }],
      ['favorite', { itemId: items[2] }],
      ['like', { itemId: items[3], friendId: friend }],
      ['share', { itemId: items[6] ?? items[0], channel: 'link', friendId: friend, direction: 'out' }],
      ['comment', { itemId: items[0], commentLength: 42 }],
      ['rate', { itemId: items[5], rating: 5 }],
      ['search', { query }],
      ['impression', { items: items.slice(0, 4), context: { listId: 'recommend' } }],
      ['audit:custom', { itemId: items[1], props: { marker: t } }],
    ];
    for (const [type, data] of ev) await api('track', type, data);
    canaries.eventTypes.push(...new Set(ev.map(([type]) => type)));
    await api('flush');
    const granted = await snap();
    consentStates.push({
      consent: 'granted',
      action: `${ev.length} events of ${canaries.eventTypes.length} types tracked + UI clicks, flush()`,
      storedEventsAfter: storedEvents(granted),
      expectation: 'all stored on the device (IndexedDB)',
      ok: storedEvents(granted) >= ev.length,
    });
    say(`tracked ${ev.length} events through window.LocalRec: ${storedEvents(granted)} events stored in IndexedDB`);

    // ---------------------------------------------------------------- recommendations
    step = 'recommendations';
    const rs = (await api('runtimeStatus').catch(() => null)) as { backend?: string; ready?: boolean } | null;
    for (const [call, args] of [
      ['recommend', [{ k: 8 }]],
      ['similar', [items[0], { k: 6 }]],
      ['rank', [items.slice(0, 5)]],
      ['recentlyViewed', [{ k: 4 }]],
      ['frequentlyBoughtTogether', [items.slice(0, 2), { k: 4 }]],
      ['trending', [{ k: 4 }]],
      ['trendingFacets', ['category']],
    ] as const) {
      const r = (await api(call, ...args).catch((e: unknown) => ({ error: String(e) }))) as {
        items?: unknown[];
        values?: unknown[];
        source?: string;
        fallbackReason?: string;
        error?: string;
      };
      const row: AuditReport['recommendations'][number] = { call, items: (r.items ?? r.values)?.length ?? 0 };
      if (r.source) row.source = r.source;
      if (r.fallbackReason) row.fallbackReason = r.fallbackReason;
      if (rs?.backend) row.backend = rs.backend;
      recommendations.push(row);
    }
    // Give a runtime worker time to download its model so that traffic is observed too.
    await page.waitForTimeout(1500);
    say(
      `recommend/similar/rank and the scenarios answered: ${recommendations.map((r) => `${r.call} ${r.items} items (${r.source ?? '?'}${r.fallbackReason ? `, ${r.fallbackReason}` : ''})`).join('; ')}`,
    );

    // ---------------------------------------------------------------- export
    step = 'export';
    const exported = (await api('exportData')) as { events?: Array<{ type: string; itemId?: string; data?: Record<string, unknown> }> };
    const byType: Record<string, number> = {};
    for (const e of exported.events ?? []) {
      byType[e.type] = (byType[e.type] ?? 0) + 1;
      if (e.itemId && !canaries.itemIds.includes(e.itemId)) canaries.itemIds.push(e.itemId);
      const q = e.data?.query;
      if (typeof q === 'string' && !canaries.queries.includes(q)) canaries.queries.push(q);
    }
    const exportSummary = { events: exported.events?.length ?? 0, byType };
    say(
      `exportData(): ${exportSummary.events} events (${Object.entries(byType)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
    const panelExport = page.locator('#p-export');
    const toggle = page.locator('#data-toggle');
    if (await toggle.isVisible().catch(() => false)) {
      await toggle.click();
      if (await panelExport.isVisible().catch(() => false)) {
        const dl = page.waitForEvent('download', { timeout: 10_000 }).catch(() => undefined);
        await panelExport.click();
        const file = await dl;
        say(
          file
            ? `the panel's "Export (JSON)" produced a local download (${file.suggestedFilename()}), no upload`
            : "the panel's export produced no download",
        );
      }
    }

    // ---------------------------------------------------------------- consent denied
    step = 'consent denied';
    const before = await count();
    await api('setConsent', 'denied');
    await api('track', 'view', { itemId: items[2] });
    await api('track', 'search', { query });
    await api('flush');
    const denied = await snap();
    consentStates.push({
      consent: 'denied',
      action: 'view + search tracked, flush()',
      storedEventsAfter: storedEvents(denied),
      expectation: `nothing new stored (was ${before})`,
      ok: storedEvents(denied) === before,
    });
    const deniedRec = (await api('recommend', { k: 4 }).catch(() => null)) as { fallbackReason?: string } | null;
    say(
      `under "denied": ${storedEvents(denied) - before} new events stored; recommend() answered with fallback "${deniedRec?.fallbackReason ?? 'none'}"`,
    );

    // ---------------------------------------------------------------- reload: data persists on the device only
    step = 'reload';
    await api('setConsent', 'granted');
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(
      () => (window as unknown as { LocalRec?: { instance?: unknown } }).LocalRec?.instance !== undefined,
      undefined,
      { timeout: opts.readyTimeoutMs ?? 30_000 },
    );
    await page.evaluate(() => (window as unknown as { shopReady?: Promise<unknown> }).shopReady);
    const afterReload = await snap();
    say(`after a reload ${storedEvents(afterReload)} events are still on the device`);

    // ---------------------------------------------------------------- forget
    step = 'forgetMe';
    const proof = await api('forgetMe');
    const gone = await snap();
    const leftovers = [
      ...gone.indexedDB.map(
        (d) =>
          `IndexedDB "${d.name}" (${Object.entries(d.stores)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')})`,
      ),
      ...gone.cacheStorage.map((c) => `Cache Storage "${c.name}" (${c.entries.length} entries)`),
      ...gone.cookies.map((c) => `cookie ${c.name}`),
      ...Object.keys(gone.localStorage).map((k) => `localStorage ${k}`),
      ...Object.keys(gone.sessionStorage).map((k) => `sessionStorage ${k}`),
      ...gone.opfsEntries.map((k) => `OPFS ${k}`),
    ];
    checks.push({
      name: 'after forgetMe() nothing remains in any storage',
      ok: leftovers.length === 0,
      detail: leftovers.length
        ? `left: ${leftovers.join('; ')}`
        : 'IndexedDB, Cache Storage, cookies, localStorage, sessionStorage and OPFS are empty',
    });
    say(`forgetMe(): ${JSON.stringify(proof)}; left behind: ${leftovers.length ? leftovers.join('; ') : 'nothing'}`);

    await page.waitForTimeout(300);
    attribute();
    const finishedAt = new Date().toISOString();
    const report: AuditReport = {
      tool: 'localrec-privacy-audit',
      version: 1,
      startedAt,
      finishedAt,
      url: opts.url,
      origin,
      browser: `Chromium ${opts.browser.version()}`,
      verdict: 'pass',
      checks,
      session,
      consentStates,
      requests,
      totals: { requests: 0, requestBytes: 0, responseBytes: 0, workers: [...workers] },
      storage,
      inventory: [],
      canaries,
      exportSummary,
      forgetProof: proof,
      recommendations,
      notes,
    };
    judge(report, websockets, pageErrors);
    return report;
  } finally {
    await cdp.detach().catch(() => undefined);
    await context.close();
  }
}

/** Applies the rules to the observations; fills `violations`, totals, inventory and the verdict. */
function judge(report: AuditReport, websockets: string[] = [], pageErrors: string[] = []): void {
  const needles = [...report.canaries.itemIds, ...report.canaries.queries, ...report.canaries.friendIds]
    .filter((s) => s.length >= 4)
    .flatMap((s) => [s, encodeURIComponent(s), s.replace(/ /g, '+')]);
  const typePayload = report.canaries.eventTypes.map((t) => `"type":"${t}"`);
  for (const r of report.requests) {
    const u = new URL(r.url);
    const body = (r as ObservedRequest & { body?: string }).body ?? '';
    delete (r as ObservedRequest & { body?: string }).body;
    if (u.protocol === 'data:' || u.protocol === 'blob:') continue;
    if (r.method !== 'GET' && r.method !== 'HEAD') r.violations.push(`method ${r.method} (only GET of static assets is allowed)`);
    if (u.origin !== report.origin) r.violations.push(`third-party origin ${u.origin}`);
    if (r.requestBodyBytes > 0) r.violations.push(`has a request body (${r.requestBodyBytes} bytes)`);
    const headerText = Object.entries(r.requestHeaders)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
    if (/^cookie:/im.test(headerText)) r.violations.push('sends a Cookie header');
    for (const n of needles) {
      if (r.url.includes(n)) r.violations.push(`URL contains recorded data "${n}"`);
      if (headerText.includes(n)) r.violations.push(`a header contains recorded data "${n}"`);
      if (body.includes(n)) r.violations.push(`the body contains recorded data "${n}"`);
    }
    for (const p of typePayload) if (body.includes(p)) r.violations.push(`the body contains an event payload ${p}`);
    if (r.purpose === 'host page asset' && u.search) r.violations.push('unexpected request with a query string');
  }
  const bad = report.requests.filter((r) => r.violations.length);
  const storageLast = report.storage;
  const cookies = storageLast.flatMap((s) => s.cookies);
  const webStorage = storageLast.filter((s) => Object.keys(s.localStorage).length || Object.keys(s.sessionStorage).length);
  report.checks.push(
    {
      name: 'only GET/HEAD requests, without a body',
      ok: !report.requests.some((r) => r.violations.some((v) => v.startsWith('method') || v.startsWith('has a request body'))),
      detail: `${report.requests.length} requests observed`,
    },
    {
      name: 'no third-party origin',
      ok: !report.requests.some((r) => r.violations.some((v) => v.startsWith('third-party'))),
      detail: `every request went to ${report.origin}`,
    },
    {
      name: 'no request carries a recorded item id, query, friend id or event payload',
      ok: !report.requests.some((r) => r.violations.some((v) => v.includes('recorded data') || v.includes('event payload'))),
      detail: `searched ${needles.length} markers in every URL, header and body`,
    },
    {
      name: 'no cookies set or sent',
      ok: cookies.length === 0 && !report.requests.some((r) => r.violations.includes('sends a Cookie header')),
      detail: cookies.length ? cookies.map((c) => c.name).join(', ') : 'none at any step',
    },
    {
      name: 'no localStorage/sessionStorage',
      ok: webStorage.length === 0,
      detail: webStorage.length
        ? webStorage.map((s) => `${s.step}: ${Object.keys({ ...s.localStorage, ...s.sessionStorage }).join(', ')}`).join('; ')
        : 'empty at every step',
    },
    { name: 'no WebSocket connections', ok: websockets.length === 0, detail: websockets.join(', ') || 'none' },
    {
      name: 'consent states behave as documented',
      ok: report.consentStates.every((c) => c.ok),
      detail: report.consentStates.map((c) => `${c.consent}: ${c.ok ? 'ok' : 'FAILED'}`).join(', '),
    },
    {
      name: 'every request allowed',
      ok: bad.length === 0,
      detail: bad.length
        ? bad.map((r) => `${r.method} ${r.url}: ${r.violations.join('; ')}`).join(' | ')
        : 'all requests are same-origin GETs of static assets',
    },
  );
  if (pageErrors.length) report.notes.push(`Page errors during the session: ${pageErrors.join(' | ')}`);
  const http = report.requests.filter((r) => r.url.startsWith('http'));
  report.totals.requests = http.length;
  report.totals.requestBytes = http.reduce(
    (n, r) => n + r.requestBodyBytes + Object.entries(r.requestHeaders).reduce((a, [k, v]) => a + k.length + v.length + 4, 0),
    0,
  );
  report.totals.responseBytes = http.reduce((n, r) => n + (r.responseBytes ?? 0), 0);
  report.inventory = inventory(report);
  report.verdict = report.checks.every((c) => c.ok) ? 'pass' : 'fail';
}

/** The data inventory: what is stored, where, for how long, why — from what was actually observed. */
function inventory(report: AuditReport): InventoryRow[] {
  const peak = (f: (s: StorageSnapshot) => number): number => Math.max(0, ...report.storage.map(f));
  const dbNames = [...new Set(report.storage.flatMap((s) => s.indexedDB.map((d) => d.name)))];
  const cacheNames = [...new Set(report.storage.flatMap((s) => s.cacheStorage.map((c) => c.name)))];
  const rows: InventoryRow[] = [];
  for (const name of dbNames) {
    rows.push({
      what: 'Behaviour events: type, item id, time, session id, optional context (page, position, list) and type-specific fields (e.g. search text, rating, price)',
      where: `IndexedDB "${name}", object store "events" (this device, this origin only)`,
      howLong:
        'Until forgetMe(); automatically: events older than 30 days are deleted and at most 20,000 are kept, oldest first (config retentionDays / maxEvents)',
      why: 'The on-device model reads the recent history to recommend; exportData() returns it to the shopper',
      observed: `up to ${peak((s) => s.indexedDB.filter((d) => d.name === name).reduce((n, d) => n + (d.stores.events ?? 0), 0))} events during the session`,
    });
    rows.push({
      what: 'Session state: the current session id and its last-activity time (a random id, rotated after 30 min idle; not a device or user id)',
      where: `IndexedDB "${name}", object store "meta"`,
      howLong: 'Until forgetMe(); replaced when the session rotates',
      why: 'Groups events into sessions across page loads',
      observed: `up to ${peak((s) => s.indexedDB.filter((d) => d.name === name).reduce((n, d) => n + (d.stores.meta ?? 0), 0))} records`,
    });
  }
  for (const name of cacheNames) {
    rows.push({
      what: 'Model bundle files (the same public files for every visitor; no user data)',
      where: `Cache Storage "${name}"`,
      howLong: 'Until the model version changes or forgetMe()',
      why: 'Avoids downloading the model again on the next visit',
      observed: `up to ${peak((s) => s.cacheStorage.filter((c) => c.name === name).reduce((n, c) => n + c.entries.length, 0))} entries`,
    });
  }
  rows.push({
    what: 'Events waiting to be written, and social context supplied by the host',
    where: 'Memory of the page (and of the worker) only',
    howLong: 'Until written (≤ 1 s, or at pagehide), discarded on "denied"; social context expires after 30 min',
    why: 'Batching writes (one transaction per batch); consent gating',
    observed: 'not persisted',
  });
  rows.push({
    what: 'Cookies, localStorage, sessionStorage, OPFS',
    where: '—',
    howLong: '—',
    why: 'Not used by LocalRec',
    observed: `${report.storage.reduce((n, s) => n + s.cookies.length + Object.keys(s.localStorage).length + Object.keys(s.sessionStorage).length + s.opfsEntries.length, 0)} entries observed`,
  });
  return rows;
}
