/**
 * Shared plumbing of the Firefox suites: Debian's Firefox ESR (test/browser.mjs, WebDriver BiDi
 * through puppeteer-core) as a vitest fixture, the skip when it is not installed, and page-side
 * readers. Pages are served from 127.0.0.1 by test/static-server.mjs (a secure context, like the
 * Chromium e2e tests). Like the e2e tests, the suites load what ships: run `pnpm build` first.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import { FIREFOX_PATH, launchFirefox } from '../browser.mjs';

/** Whether the Firefox binary exists; without it every Firefox suite is skipped, saying so. */
export const HAS_FIREFOX = existsSync(FIREFOX_PATH);

/** Appended to each Firefox suite's title; printed once when Firefox is missing. */
export const SKIPPED_WITHOUT_FIREFOX = HAS_FIREFOX
  ? ''
  : ` (SKIPPED: no Firefox at ${FIREFOX_PATH}; .ci/run installs Debian's firefox-esr, FIREFOX=<path> picks another binary)`;
if (!HAS_FIREFOX) console.warn(`Firefox suites${SKIPPED_WITHOUT_FIREFOX}`);

/**
 * One Firefox for this test file: launched before its tests (fresh profile), closed after them.
 * @example
 * const firefox = useFirefox();
 * it('…', async () => { const page = await firefox.browser.newPage(); });
 */
export function useFirefox(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchFirefox();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('Firefox is not started yet: read it inside a test or a hook, not at import time');
      return browser;
    },
  };
}

/** Collects the page's uncaught errors and console errors/warnings. */
export function watchPage(page: Page): { errors: string[]; warnings: string[] } {
  const out = { errors: [] as string[], warnings: [] as string[] };
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'warn') out.warnings.push(m.text());
    if (m.type() === 'error') out.errors.push(`console.error: ${m.text()}`);
  });
  return out;
}

/**
 * What IndexedDB holds for the page's origin, read directly (not through the SDK): each
 * database's name and the record count of each of its object stores.
 */
export function readIndexedDb(page: Page): Promise<Record<string, Record<string, number>>> {
  return page.evaluate(async () => {
    const out: Record<string, Record<string, number>> = {};
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
      out[info.name] = stores;
      db.close();
    }
    return out;
  });
}
