/**
 * Firefox ESR across a browser restart, with the built SDK: in a normal profile the events are on
 * disk and survive closing Firefox (as test/e2e/persistence.test.ts checks for Chromium); in
 * private browsing (`browser.privatebrowsing.autostart`, every window private) IndexedDB works —
 * Firefox keeps it for the private session only — so the SDK records normally (`indexeddb`, not
 * degraded) and a restart finds nothing: the shopper is new again. Firefox's private windows also
 * send Global Privacy Control, so the SDK's `segments` purpose is off there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalRecGlobal } from '@localrec/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshProfileDir, repo, sdkPage } from '../e2e/helpers.js';
import { launchFirefox } from '../browser.mjs';
import { startStaticServer, type StaticServer } from '../static-server.mjs';
import { HAS_FIREFOX, SKIPPED_WITHOUT_FIREFOX, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;

const SDK_DIST = join(repo, 'packages/sdk/dist');

describe.skipIf(!HAS_FIREFOX)(`the built SDK in Firefox ESR across a browser restart${SKIPPED_WITHOUT_FIREFOX}`, () => {
  let server: StaticServer;
  beforeAll(async () => {
    if (!existsSync(join(SDK_DIST, 'localrec.min.js')))
      throw new Error('packages/sdk/dist/localrec.min.js is missing: run `pnpm build` first (pnpm test does).');
    server = await startStaticServer({
      mounts: { '/sdk/': SDK_DIST },
      routes: { '/__e2e/p.html': { body: sdkPage(`LocalRec.init({ appId: 'ff-restart', consent: 'granted' });`) } },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Records `ids` in a Firefox on `dir` (then closes it); returns the SDK's storage status and what it exports. */
  async function session(dir: string, ids: string[], prefs?: Record<string, boolean>) {
    const browser = await launchFirefox({ userDataDir: dir, prefs });
    try {
      const page = await browser.newPage();
      const seen = watchPage(page);
      await page.goto(`${server.url}__e2e/p.html`);
      const r = await page.evaluate(async (ids) => {
        const before = (await LocalRec.exportData()).events.map((e) => e.itemId);
        for (const itemId of ids) void LocalRec.track('view', { itemId });
        await LocalRec.flush();
        const st = LocalRec.instance!.status;
        return {
          storage: st.storage,
          degraded: st.degraded,
          before,
          after: (await LocalRec.exportData()).events.map((e) => e.itemId),
          gpc: (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true,
          segments: LocalRec.instance!.purposes.segments,
        };
      }, ids);
      expect(seen.errors).toEqual([]);
      return r;
    } finally {
      await browser.close();
    }
  }

  it('a normal profile: the events are on disk and survive a restart', async () => {
    const profile = await freshProfileDir();
    const normal = { storage: 'indexeddb', degraded: false, gpc: false, segments: true };
    try {
      expect(await session(profile.dir, ['R-1', 'R-2'])).toEqual({ ...normal, before: [], after: ['R-1', 'R-2'] });
      expect(await session(profile.dir, ['R-3'])).toEqual({ ...normal, before: ['R-1', 'R-2'], after: ['R-1', 'R-2', 'R-3'] });
    } finally {
      await profile.remove();
    }
  });

  it('private browsing: records to IndexedDB for the session, and a restart finds nothing; GPC is sent, segments are off', async () => {
    const profile = await freshProfileDir();
    const priv = { 'browser.privatebrowsing.autostart': true };
    // Firefox's private windows send Global Privacy Control: the SDK keeps the segments purpose off there.
    const inPrivate = { storage: 'indexeddb', degraded: false, gpc: true, segments: false };
    try {
      expect(await session(profile.dir, ['P-1', 'P-2'], priv)).toEqual({ ...inPrivate, before: [], after: ['P-1', 'P-2'] });
      expect(await session(profile.dir, ['P-3'], priv)).toEqual({ ...inPrivate, before: [], after: ['P-3'] });
    } finally {
      await profile.remove();
    }
  });
});
