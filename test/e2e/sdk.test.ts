// The SDK in real Chromium: invalid input never breaks the page, IndexedDB failure falls back to
// memory and says so, declarative capture, and the ESM build.
import { describe, expect, test } from 'vitest';
import type { LocalRecGlobal } from '@localrec/sdk';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { readIndexedDb, repo, sdkPage, serveFixtures, totalRecords, useShop, watchPage } from './helpers.js';

declare const LocalRec: LocalRecGlobal;
declare const reported: Array<{ code: string; field?: string; message: string }>;

const e2e = useShop();

const withOnError = (extra = ''): string =>
  sdkPage(`
  window.reported = [];
  LocalRec.init({ appId: 'e2e-sdk', consent: 'granted', ${extra}
    onError: (e) => reported.push({ code: e.code, field: e.field, message: e.message }) });`);

describe('invalid events', () => {
  test('store nothing, go to onError and the console, and the page keeps working', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, { 'bad.html': withOnError() });
    const requested: string[] = [];
    context.on('request', (r) => requested.push(new URL(r.url()).pathname));
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/bad.html`);
    const returned = await p.evaluate(async () => {
      const r = [
        LocalRec.track('teleport', { itemId: 'X' }),
        LocalRec.track('view', {}),
        LocalRec.track('rate', { itemId: 'X', rating: 9 }),
        LocalRec.track('search', { query: 42 as unknown as string }),
        LocalRec.track('view', null as never),
        LocalRec.track('view', { itemId: 'X'.repeat(100_000) }),
      ];
      await LocalRec.flush();
      return r.map((x) => x ?? null);
    });
    expect(returned).toEqual([null, null, null, null, null, null]);
    const errs = await p.evaluate(() => reported);
    expect(errs).toHaveLength(6);
    expect(errs.every((e) => typeof e.code === 'string' && e.message.length > 0)).toBe(true);
    expect(errs[0]!.code).toBe('INVALID_EVENT');
    expect(errs[0]!.message).toContain('teleport');
    expect(errs[2]!.field).toContain('rating');
    expect(seen.warnings.filter((w) => w.startsWith('LocalRec')).length).toBeGreaterThanOrEqual(6);
    expect(seen.errors).toEqual([]);
    expect(totalRecords(await readIndexedDb(p))).toBe(0);
    expect(await p.evaluate(() => LocalRec.instance!.status.lastError?.code)).toBeTruthy();

    // Still working: a valid event after the bad ones is stored.
    const items = await p.evaluate(async () => {
      void LocalRec.track('view', { itemId: 'OK-1' });
      await LocalRec.flush();
      return (await LocalRec.exportData()).events.map((e) => e.itemId);
    });
    expect(items).toEqual(['OK-1']);
    // Without autoCapture the capture module is never downloaded; the extras only for exportData().
    expect(requested).toEqual(['/__e2e/bad.html', '/sdk/localrec.min.js', '/sdk/localrec-extras.min.mjs']);
    await context.close();
  });

  test('strict mode throws the typed error to the caller', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, { 'strict.html': withOnError('strict: true,') });
    const p = await context.newPage();
    await p.goto(`${e2e.url}__e2e/strict.html`);
    const thrown = await p.evaluate(() => {
      try {
        void LocalRec.track('rate', { itemId: 'X', rating: 0 });
        return null;
      } catch (e) {
        const err = e as { name: string; code: string; field?: string };
        return { name: err.name, code: err.code, field: err.field };
      }
    });
    expect(thrown).toMatchObject({ name: 'LocalRecError', code: 'INVALID_EVENT' });
    expect(thrown!.field).toContain('rating');
    await context.close();
  });
});

describe('storage fallback', () => {
  test('without IndexedDB the SDK records in memory and reports it', async () => {
    const context = await e2e.browser.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    });
    await serveFixtures(context, e2e.url, { 'noidb.html': withOnError() });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/noidb.html`);
    const r = await p.evaluate(async () => {
      void LocalRec.track('view', { itemId: 'M-1' });
      await LocalRec.flush();
      const st = LocalRec.instance!.status;
      return {
        storage: st.storage,
        degraded: st.degraded,
        codes: reported.map((e) => e.code),
        items: (await LocalRec.exportData()).events.map((e) => e.itemId),
      };
    });
    expect(r).toEqual({ storage: 'memory', degraded: true, codes: ['STORAGE_UNAVAILABLE'], items: ['M-1'] });
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  test('when IndexedDB fails to open, recording continues in memory and the failure is reported', async () => {
    const context = await e2e.browser.newContext();
    await context.addInitScript(() => {
      // Like Firefox private mode: the API exists, opening fails.
      IDBFactory.prototype.open = function () {
        throw new DOMException('blocked by test', 'InvalidStateError');
      };
    });
    await serveFixtures(context, e2e.url, { 'badidb.html': withOnError() });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/badidb.html`);
    const r = await p.evaluate(async () => {
      void LocalRec.track('view', { itemId: 'B-1' });
      await LocalRec.flush();
      void LocalRec.track('view', { itemId: 'B-2' });
      await LocalRec.flush();
      const st = LocalRec.instance!.status;
      return {
        storage: st.storage,
        degraded: st.degraded,
        reported: reported.length > 0,
        items: (await LocalRec.exportData()).events.map((e) => e.itemId),
      };
    });
    expect(r).toEqual({ storage: 'memory', degraded: true, reported: true, items: ['B-1', 'B-2'] });
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});

describe('declarative capture (autoCapture: true)', () => {
  /** The page's stored events as `type:item@list/position`, impressions as `impression:[ids]@list/position`. */
  const eventsOf = (p: import('playwright').Page) => (): Promise<string[]> =>
    p.evaluate(async () => {
      await LocalRec.flush();
      return (await LocalRec.exportData()).events.map((e) => {
        const at = e.context?.listId ? `@${e.context.listId}/${e.context.position}` : '';
        return e.type === 'impression' ? `impression:[${(e.data.items ?? []).join(',')}]${at}` : `${e.type}:${e.itemId}${at}`;
      });
    });

  test('a card in a list seen for 1 s is an impression; an item outside lists a view; a glimpse nothing; clicks by delegation', async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 800, height: 600 } });
    await serveFixtures(context, e2e.url, {
      'auto.html': `<!doctype html><meta charset="utf-8"><script src="/sdk/localrec.min.js"></script>
<style>.tile{height:300px;border:1px solid #ccc}</style>
<body>
<div data-localrec-list="home">
  <div class="tile" id="a" data-localrec-item="A" data-localrec-position="0"><button id="btn-a">buy</button></div>
</div>
<div style="height:2000px"></div>
<div class="tile" id="b" data-localrec-item="B"></div>
<div style="height:2000px"></div>
<div class="tile" id="c" data-localrec-item="C"></div>
<script>LocalRec.init({ appId: 'e2e-auto', consent: 'granted', autoCapture: true });</script>
</body>`,
    });
    const p = await context.newPage();
    await p.goto(`${e2e.url}__e2e/auto.html`);
    const events = eventsOf(p);
    // A is on screen from the start, in a list: one impression after a second.
    await expect.poll(events, { timeout: 10_000 }).toContain('impression:[A]@home/0');
    // B only flashes by (scrolled past immediately); C, outside any list, stays: a view.
    await p.evaluate(() => document.getElementById('b')!.scrollIntoView());
    await p.waitForTimeout(200);
    await p.evaluate(() => document.getElementById('c')!.scrollIntoView());
    await expect.poll(events, { timeout: 10_000 }).toContain('view:C');
    // A dynamically added item is picked up too.
    await p.evaluate(() => {
      const d = document.createElement('div');
      d.className = 'tile';
      d.setAttribute('data-localrec-item', 'D');
      document.body.prepend(d);
      window.scrollTo(0, 0);
    });
    await expect.poll(events, { timeout: 10_000 }).toContain('view:D');
    await p.click('#btn-a');
    const all = await events();
    expect(all).toContain('click:A@home/0');
    expect(all.filter((e) => e.includes(':A') || e.includes('[A'))).toEqual(['impression:[A]@home/0', 'click:A@home/0']);
    expect(all.some((e) => e.includes('B'))).toBe(false);
    await context.close();
  });

  test('a grid rendered at once is ONE impression in position order; a click right after it is an ordinary click; listExposure "view" and bad options', async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 1000, height: 800 } });
    const gridPage = (appId: string, config: string) => `<!doctype html><meta charset="utf-8"><script src="/sdk/localrec.min.js"></script>
<style>.g{display:grid;grid-template-columns:repeat(6,1fr);gap:4px}.card{height:80px;border:1px solid #ccc}</style>
<body><div id="box"></div>
<script>
  window.reported = [];
  LocalRec.init({ appId: '${appId}', consent: 'granted', ${config}, onError: (e) => reported.push({ code: e.code, field: e.field, message: e.message }) });
  window.render = (box, list, ids) => {
    const g = document.createElement('div');
    g.className = 'g';
    g.setAttribute('data-localrec-list', list);
    ids.forEach((id, i) => {
      const c = document.createElement('a');
      c.className = 'card'; c.href = '#' + id; c.id = 'card-' + id;
      c.setAttribute('data-localrec-item', id); c.setAttribute('data-localrec-position', String(i));
      c.textContent = id;
      g.append(c);
    });
    document.getElementById(box).replaceChildren(g);
  };
</script></body>`;
    await serveFixtures(context, e2e.url, {
      'grid.html': gridPage('e2e-grid', 'autoCapture: true'),
      'grid-view.html': gridPage('e2e-grid-view', "autoCapture: { listExposure: 'view' }"),
      'grid-bad.html': gridPage('e2e-grid-bad', "autoCapture: { listExposure: 'views', dwellMs: 300 }"),
    });
    const ids = Array.from({ length: 24 }, (_, i) => `G${String(i).padStart(2, '0')}`);

    const p = await context.newPage();
    await p.goto(`${e2e.url}__e2e/grid.html`);
    const events = eventsOf(p);
    await p.evaluate(
      (ids) => (window as unknown as { render: (b: string, l: string, i: string[]) => void }).render('box', 'category:toys', ids),
      ids,
    );
    await expect.poll(events, { timeout: 10_000 }).toHaveLength(1);
    await p.click('#card-G05'); // at once, as a shopper who knows what they want
    // A re-render of the same list (new elements) is a new exposure.
    await p.evaluate(
      (ids) =>
        (window as unknown as { render: (b: string, l: string, i: string[]) => void }).render('box', 'category:toys', ids.slice(0, 3)),
      ids,
    );
    await expect.poll(events, { timeout: 10_000 }).toHaveLength(3);
    const all = await events();
    expect(all).toEqual([
      `impression:[${ids.join(',')}]@category:toys/0`,
      'click:G05@category:toys/5',
      'impression:[G00,G01,G02]@category:toys/0',
    ]);
    // The stored impression names its list as the source (what the runtime's feedback matching reads).
    const stored = await p.evaluate(async () =>
      (await LocalRec.exportData()).events.filter((e) => e.type === 'impression').map((e) => e.data.source),
    );
    expect(stored).toEqual(['category:toys', 'category:toys']);

    // listExposure: 'view' — one view per card (the behaviour before impressions).
    const v = await context.newPage();
    await v.goto(`${e2e.url}__e2e/grid-view.html`);
    await v.evaluate(
      (ids) =>
        (window as unknown as { render: (b: string, l: string, i: string[]) => void }).render('box', 'category:toys', ids.slice(0, 6)),
      ids,
    );
    await expect.poll(eventsOf(v), { timeout: 10_000 }).toHaveLength(6);
    expect(await eventsOf(v)()).toEqual(ids.slice(0, 6).map((id, i) => `view:${id}@category:toys/${i}`));

    // A bad option: INVALID_CONFIG naming it and the accepted values; tracking still works, nothing captured.
    const b = await context.newPage();
    await b.goto(`${e2e.url}__e2e/grid-bad.html`);
    await expect.poll(() => b.evaluate(() => reported), { timeout: 10_000 }).toHaveLength(1);
    const [err] = await b.evaluate(() => reported);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', field: 'autoCapture.listExposure' });
    expect(err!.message).toContain('"impression" or "view"');
    expect(err!.message).toContain('views');
    await b.evaluate(
      (ids) => (window as unknown as { render: (b: string, l: string, i: string[]) => void }).render('box', 'x', ids.slice(0, 2)),
      ids,
    );
    await b.waitForTimeout(600);
    await b.evaluate(() => {
      void LocalRec.track('click', { itemId: 'manual' });
    });
    expect(await eventsOf(b)()).toEqual(['click:manual']);
    await context.close();
  });
});

describe('runtime seam (script-tag build, real IndexedDB)', () => {
  test('the runtime reads the store itself and sees the event tracked just before; no call without consent', async () => {
    const context = await e2e.browser.newContext();
    // A stand-in runtime that does what the worker does: open the app's database and read it.
    await serveFixtures(context, e2e.url, {
      'seam.html': sdkPage(`
        window.calls = [];
        const readItems = (appId) => new Promise((ok, fail) => {
          const open = indexedDB.open('localrec:' + appId);
          open.onerror = () => fail(open.error);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('events')) { db.close(); return ok([]); }
            const req = db.transaction('events').objectStore('events').getAll();
            req.onsuccess = () => { db.close(); ok(req.result.map((e) => e.itemId)); };
            req.onerror = () => fail(req.error);
          };
        });
        const runtime = { kind: 'e2e', connect: async (ctx) => ({
          status: async () => ({ ready: true, backend: 'e2e' }),
          recommend: async (o) => { calls.push('recommend ' + ctx.consent);
            const ids = await readItems(ctx.appId);
            return { items: ids.reverse().map((itemId, i) => ({ itemId, score: -i, reason: { kind: 'history', text: 'seen' }, source: 'model' })), source: 'model', tookMs: 0 }; },
          similar: async () => ({ items: [], source: 'model', tookMs: 0 }),
          rank: async (ids) => { calls.push('rank'); return { items: [], source: 'model', tookMs: 0 }; },
        }) };
        LocalRec.init({ appId: 'e2e-seam', requireConsent: true, consent: 'pending', runtime });`),
    });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/seam.html`);
    const r = await p.evaluate(async () => {
      void LocalRec.track('view', { itemId: 'S-1' });
      const before = await LocalRec.recommend({ k: 5 });
      const ranked = await LocalRec.rank(['X', 'Y']);
      void LocalRec.setConsent('granted');
      void LocalRec.track('click', { itemId: 'S-2' });
      const after = await LocalRec.recommend({ k: 5 }); // no flush() in between
      void LocalRec.track('view', { itemId: 'S-3' });
      const next = await LocalRec.recommend({ k: 5 });
      return {
        before: [before.source, before.fallbackReason],
        ranked: ranked.items.map((i) => i.itemId),
        after: after.items.map((i) => i.itemId),
        next: next.items.map((i) => i.itemId),
        calls: (window as unknown as { calls: string[] }).calls,
        status: await LocalRec.runtimeStatus(),
      };
    });
    expect(r).toEqual({
      before: ['fallback', 'no-consent'],
      ranked: ['X', 'Y'],
      after: ['S-2', 'S-1'],
      next: ['S-3', 'S-2', 'S-1'],
      calls: ['recommend granted', 'recommend granted'],
      status: { ready: true, backend: 'e2e' },
    });
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});

describe('ESM build', () => {
  test('dist/index.js imports in the browser and records to IndexedDB', async () => {
    const context = await e2e.browser.newContext();
    await serveFixtures(context, e2e.url, {
      'esm.html': `<!doctype html><meta charset="utf-8"><script type="module">
        import { createLocalRec, noRuntime } from '/sdk/index.js';
        const rec = createLocalRec({ appId: 'e2e-esm', consent: 'granted' });
        rec.track('like', { itemId: 'E-1' });
        await rec.flush();
        window.out = { events: (await rec.exportData()).events.map((e) => e.type + ':' + e.itemId), storage: rec.status.storage,
          recs: await rec.recommend({ k: 5 }), runtime: noRuntime.kind, global: 'LocalRec' in window };
      </script>`,
    });
    const p = await context.newPage();
    const seen = watchPage(p);
    await p.goto(`${e2e.url}__e2e/esm.html`);
    await p.waitForFunction(() => 'out' in window);
    const out = await p.evaluate(() => (window as unknown as { out: unknown }).out);
    expect(out).toMatchObject({
      events: ['like:E-1'],
      storage: 'indexeddb',
      runtime: 'none',
      global: false,
      recs: { items: [], source: 'fallback', fallbackReason: 'no-model' },
    });
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});

describe('npm package', () => {
  test('exports map is types-first, sideEffects lists only the script-tag build, and the bundled .d.ts stands alone', async () => {
    const pkg = JSON.parse(await readFile(join(repo, 'packages/sdk/package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string> | string>;
      sideEffects: string[];
    };
    const main = pkg.exports['.'] as Record<string, string>;
    expect(Object.keys(main)[0]).toBe('types');
    expect(main).toMatchObject({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(pkg.sideEffects).toEqual(['./dist/localrec.min.js']);
    const dts = await readFile(join(repo, 'packages/sdk/dist/index.d.ts'), 'utf8');
    expect(dts).not.toMatch(/from ['"]@localrec\//); // core/store types are inlined

    // A consumer compiled against the built declarations alone, in strict mode.
    const dir = await mkdtemp(join(tmpdir(), 'localrec-types-'));
    try {
      await writeFile(
        join(dir, 'consumer.ts'),
        `
        import { createLocalRec, noRuntime, LocalRecError, type RecommendResult, type LocalRecStatus } from '${join(repo, 'packages/sdk/dist/index.js')}';
        const rec = createLocalRec({ appId: 'types', consent: 'pending', requireConsent: true, runtime: noRuntime, onError: (e: LocalRecError) => void e.code });
        const ev = rec.track('rate', { itemId: 'A', rating: 5 });
        const uid: string | undefined = ev?.uid;
        const st: LocalRecStatus = rec.status;
        const r: Promise<RecommendResult> = rec.recommend({ k: 3, filter: { inStock: true } });
        void [uid, st, r];
        // @ts-expect-error unknown consent value
        rec.setConsent('maybe');
      `,
      );
      const program = ts.createProgram([join(dir, 'consumer.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        skipLibCheck: false,
      });
      const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diags).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
