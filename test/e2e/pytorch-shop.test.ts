/**
 * A bundle made by the PyTorch trainer, in the demo shop: the simulator writes an event log of the
 * demo catalog (JSON Lines, string SKU ids, event types), the PyTorch trainer reads it with the same
 * rules as the TypeScript loader (compared here row for row, also on a log with scripted anomalies
 * that the abnormal-behaviour filter of both leaves out), trains on 2 DDP processes and exports a
 * bundle with the shop's catalog and interest segments; `localrec validate` accepts it, and the BUILT
 * shop (SDK + runtime worker, real Chromium) serves it in place of `models/demo-shop`: a visitor's
 * "Recommended for you" comes from it, with reasons, and `getSegments()` answers with its segments.
 *
 * Needs PyTorch (see test/e2e/torch.ts); skipped, saying so, without it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { CATEGORIES, DEMO_CATALOG, makeCatalog, simulateShoppers, toJsonLines } from '@localrec/simulator';
import { loadDataset } from '@localrec/trainer';
import { shopList, useShop, watchPage, type ShopList } from './helpers.js';
import { localrec, python, runPython, torchCli } from './torch.js';

const DEPARTMENT = 'Coffee & Tea';
const suite = python ? describe : describe.skip;

suite('a PyTorch-trained bundle in the demo shop', () => {
  const e2e = useShop();
  let dir: string;
  let log: string;
  let bundle: string;
  let manifest: { version: string; training: { backend: string }; segmentsFile?: string; catalogFile?: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'localrec-torch-shop-'));
    log = join(dir, 'events.jsonl');
    const catalogFile = join(dir, 'catalog.json');
    const catalog = makeCatalog(DEMO_CATALOG);
    writeFileSync(log, toJsonLines(simulateShoppers({ seed: 11, catalog, shoppers: 600 }).events));
    writeFileSync(
      catalogFile,
      JSON.stringify(
        Object.fromEntries(catalog.map((p) => [p.id, { name: p.name, category: p.category, brand: p.brand, price: p.price }])),
      ),
    );
    bundle = join(dir, 'torch-shop');
    await torchCli([
      'train', '--data', log, '--catalog', catalogFile, '--out', bundle, '--procs', '2', '--dim', '32', '--max-len', '50',
      '--epochs', '20', '--eval-every', '5', '--lr', '0.002', '--dropout', '0.2', '--seed', '3',
    ]); // prettier-ignore
    manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the PyTorch loader reads the event log exactly as the TypeScript loader (users, items, sequences, weights)', async () => {
    const ts = loadDataset(log);
    const py = JSON.parse(
      await runPython([
        '-c',
        'import json, sys\nfrom localrec_torch.data import load_dataset\nd = load_dataset(sys.argv[1])\n' +
          'print(json.dumps({"items": d.item_ids, "users": d.user_ids, "seqs": d.sequences, "weights": d.weights, "bad": len(d.bad_rows)}))',
        log,
      ]),
    );
    expect(py.users).toEqual(ts.userIds);
    expect(py.items).toEqual(ts.itemIds);
    expect(py.seqs).toEqual(ts.sequences.map((s) => Array.from(s)));
    expect(py.weights).toEqual(ts.weights.map((s) => Array.from(s)));
    expect(py.bad).toBe(ts.report.badRows.length);
    expect(ts.itemIds.length).toBeGreaterThan(250);
  });

  it('both loaders leave out the same rows of a log with scripted anomalies (burst, repeat, metronome, crawl, future)', async () => {
    // The simulated log plus what a script, a stuck key, a crawler and a wrong clock would add, on
    // shoppers of the log and on new ones; the TypeScript rules are the runtime's, so agreeing
    // here means training and serving leave out the same events.
    const base = readFileSync(log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { user: string; ts: number });
    const t0 = Math.min(...base.map((r) => r.ts));
    const items = loadDataset(log).itemIds;
    const rows: Array<Record<string, unknown>> = [];
    const u0 = base[0]!.user;
    for (let i = 0; i < 12; i++) rows.push({ user: u0, item: items[i]!, ts: t0 + 3_600_000 + i * 80, type: 'view' }); // burst
    for (let i = 0; i < 6; i++) rows.push({ user: 'bot-search', ts: t0 + i * 2000, type: 'search', query: 'kettle' }); // repeat
    for (let i = 0; i < 6; i++) rows.push({ user: 'bot-search', item: items[i]!, ts: t0 + 20_000 + i * 5000, type: 'view' });
    for (let i = 0; i < 14; i++) rows.push({ user: 'bot-tick', item: items[i % 3]!, ts: t0 + i * 20_000, type: 'view' }); // metronome
    for (let i = 0; i < 40; i++) rows.push({ user: 'bot-crawl', item: items[i]!, ts: t0 + i * 1200 + (i % 3) * 100, type: 'view' });
    rows.push({ user: base[1]!.user, item: items[5]!, ts: Date.now() + 86_400_000, type: 'purchase' }); // future
    const mixed = join(dir, 'anomalies.jsonl');
    writeFileSync(mixed, [...base, ...rows].map((r) => JSON.stringify(r)).join('\n') + '\n');

    const ts = loadDataset(mixed);
    const py = JSON.parse(
      await runPython([
        '-c',
        'import json, sys\nfrom localrec_torch.data import load_dataset\nd = load_dataset(sys.argv[1])\n' +
          'print(json.dumps({"items": d.item_ids, "users": d.user_ids, "seqs": d.sequences, "weights": d.weights, "abnormal": d.abnormal}))',
        mixed,
      ]),
    );
    const byFlag = ts.report.abnormal!.byFlag;
    for (const flag of ['burst', 'repeat', 'metronome', 'crawl', 'future'] as const) expect(byFlag[flag], flag).toBeGreaterThan(0);
    expect(py.abnormal).toEqual(byFlag);
    expect(py.users).toEqual(ts.userIds);
    expect(py.items).toEqual(ts.itemIds);
    expect(py.seqs).toEqual(ts.sequences.map((s) => Array.from(s)));
    expect(py.weights).toEqual(ts.weights.map((s) => Array.from(s)));
    expect(ts.userIds).not.toContain('bot-crawl');
  });

  it('`localrec validate` accepts it, with the catalog and interest segments', async () => {
    expect(manifest.training.backend).toMatch(/^pytorch-.*-ddp2$/);
    expect(manifest).toMatchObject({ catalogFile: 'catalog.json', segmentsFile: 'segments.json' });
    const r = await localrec(['validate', bundle]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('the demo shop serves it: "Recommended for you" answers from it with reasons; getSegments() answers with its segments', async () => {
    const context = await e2e.browser.newContext();
    // The shop fetches /models/demo-shop/…: answer from the PyTorch bundle instead.
    await context.route(`${e2e.url}models/demo-shop/**`, (route) => {
      const file = new URL(route.request().url()).pathname.split('/').pop()!;
      try {
        return route.fulfill({
          status: 200,
          body: readFileSync(join(bundle, file)),
          contentType: file.endsWith('.bin') ? 'application/octet-stream' : 'application/json',
        });
      } catch {
        return route.fulfill({ status: 404, body: 'not in the PyTorch bundle' });
      }
    });
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(e2e.url);
    await page.evaluate(() => window.shopReady);
    await page.click('#consent-allow');
    await expect.poll(() => page.evaluate(async () => (await window.LocalRec.runtimeStatus()).ready), { timeout: 60_000 }).toBe(true);
    const products = await page.evaluate(
      async () => (await (await fetch('/generated/catalog.json')).json()) as Array<{ id: string; category: string }>,
    );
    const category = new Map(products.map((p) => [p.id, p.category]));

    await page.click(`#categories a[data-category="${DEPARTMENT}"]`);
    for (let i = 0; i < 4; i++) {
      await page.waitForTimeout(300); // a person's pace (the abnormal-behaviour filter)
      await page.locator('.grid[data-list^="category:"] .card').nth(i).click();
      await page.waitForSelector('[data-product]');
      if (i === 3) break; // the product page shows "Recommended for you"
      await page.goBack();
      await page.waitForSelector('.grid[data-list^="category:"]');
    }
    const box = await answeredFromModel(page, manifest.version);
    expect(box.ids.length).toBe(8);
    expect(box.reasons.every((r) => r.source === 'model' && /^Because you /.test(r.text))).toBe(true);
    // It follows the browsing: the department's share of the list is far above its share of the
    // catalogue (one of CATEGORIES.length departments: 8 / 12 ≈ 0.7 items by chance).
    const inDepartment = box.ids.filter((id) => category.get(id) === DEPARTMENT).length;
    const chance = 8 / CATEGORIES.length;
    expect(inDepartment, `${box.ids.map((id) => category.get(id)).join(', ')} (chance: ${chance.toFixed(1)})`).toBeGreaterThanOrEqual(3);

    const labels = new Set(
      (JSON.parse(readFileSync(join(bundle, 'segments.json'), 'utf8')) as { segments: { label: string }[] }).segments.map((s) => s.label),
    );
    const segs = await page.evaluate(async () => (await window.LocalRec.getSegments()).segments.map((s) => s.label));
    expect(segs.length).toBeGreaterThan(0);
    for (const l of segs) expect(labels.has(l), l).toBe(true);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});

/** Waits until "Recommended for you" answers from the model whose version is `version`. */
async function answeredFromModel(page: Page, version: string): Promise<ShopList> {
  let box: ShopList | undefined;
  await expect
    .poll(
      async () => {
        box = await shopList(page, 'recommend');
        return box?.source === 'model' && box.note.includes(version) ? true : JSON.stringify(box);
      },
      { timeout: 30_000, interval: 100 },
    )
    .toBe(true);
  return box!;
}
