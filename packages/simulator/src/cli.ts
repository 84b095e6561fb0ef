/**
 * Writes a simulated event log of the demo shop (catalog `makeCatalog(DEMO_CATALOG)`), in the
 * trainer's JSON Lines or CSV format, and prints its sizes to stderr.
 *
 *   pnpm simulate --seed 7 --shoppers 3000 --out /tmp/shop-events.jsonl
 *   pnpm simulate --out events.csv --extended --truth shoppers.json
 *
 * Options: --seed (7), --shoppers (3000), --days (45), --friends (2), --format jsonl|csv (from the
 * --out extension, else jsonl), --extended (session ids and event data too), --out <file> (stdout if
 * absent or "-"), --truth <file> (the shoppers' latent tastes and friends, as JSON), --catalog <file>
 * (the demo catalog as a model bundle's catalog.json).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_CATALOG, makeCatalog } from './catalog.js';
import { toCsv, toJsonLines } from './format.js';
import { simulateShoppers } from './simulate.js';
import { summarize } from './summary.js';

const FORMATS = ['jsonl', 'csv'] as const;

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      shoppers: { type: 'string' },
      days: { type: 'string' },
      friends: { type: 'string' },
      format: { type: 'string' },
      extended: { type: 'boolean' },
      out: { type: 'string' },
      truth: { type: 'string' },
      catalog: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: simulate [--seed 7] [--shoppers 3000] [--days 45] [--friends 2] [--format jsonl|csv] [--extended] [--out file] [--truth file] [--catalog file]\n',
    );
    return;
  }
  const out = values.out === '-' ? undefined : values.out;
  const format = values.format ?? (out?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  if (!(FORMATS as readonly string[]).includes(format))
    throw new Error(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  const friends = values.friends === undefined ? undefined : Number(values.friends);
  if (friends !== undefined && !Number.isFinite(friends))
    throw new Error(`--friends must be a number, got ${JSON.stringify(values.friends)}`);

  const seed = int('seed', values.seed, 7);
  const t0 = performance.now();
  const catalog = makeCatalog(DEMO_CATALOG);
  const sim = simulateShoppers({
    seed,
    catalog,
    shoppers: int('shoppers', values.shoppers, 3000),
    days: int('days', values.days, 45),
    ...(friends !== undefined ? { friends } : {}),
  });
  const t1 = performance.now();
  const text =
    format === 'csv'
      ? toCsv(sim.events, { extended: values.extended ?? false })
      : toJsonLines(sim.events, { extended: values.extended ?? false });
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
  if (values.catalog) {
    // The model bundle's catalog.json: { [itemId]: { name, category, brand, price, inStock } }.
    const meta = Object.fromEntries(
      catalog.map((p) => [p.id, { name: p.name, category: p.category, brand: p.brand, price: p.price, inStock: p.inStock }]),
    );
    writeFileSync(values.catalog, `${JSON.stringify(meta)}\n`);
  }
  if (values.truth) writeFileSync(values.truth, `${JSON.stringify({ catalog: DEMO_CATALOG, shoppers: sim.shoppers }, null, 1)}\n`);
  const s = summarize(sim.events);
  const mb = (Buffer.byteLength(text) / 1e6).toFixed(1);
  process.stderr.write(
    `simulated ${s.users} shoppers (seed ${seed}) over the demo catalog (seed ${DEMO_CATALOG.seed}, ${catalog.length} products) in ${Math.round(t1 - t0)} ms\n` +
      `${s.events} events (${mb} MB ${format}${out ? ` → ${out}` : ''}), ${s.sessions} sessions, ${s.items} items\n` +
      `events per user: mean ${s.perUser.mean.toFixed(1)}, min ${s.perUser.min}, median ${s.perUser.median}, p90 ${s.perUser.p90}, max ${s.perUser.max}\n` +
      `by type: ${Object.entries(s.byType)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}\n`,
  );
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`simulate: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
