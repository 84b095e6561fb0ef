/**
 * `pnpm audit:privacy [--url http://127.0.0.1:PORT/] [--out reports/privacy]`
 *
 * Without --url it starts the demo shop itself (examples/shop/serve.mjs on a free port). Writes
 * report.json and report.html to --out and exits 1 when the verdict is "fail", 2 on a usage error.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runPrivacyAudit } from './privacy-audit.js';
import { renderHtml } from './report-html.js';
import { CHROMIUM_PATH, launchChromium } from '../browser.mjs';

const repo = resolve(import.meta.dirname, '../..');

function parse(argv: string[]): { url?: string; out: string; chromium: string } {
  const o: { url?: string; out: string; chromium: string } = { out: join(repo, 'reports/privacy'), chromium: CHROMIUM_PATH };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--url' || a.startsWith('--url=')) o.url = val();
    else if (a === '--out' || a.startsWith('--out=')) o.out = resolve(val());
    else if (a === '--chromium' || a.startsWith('--chromium=')) o.chromium = val();
    else if (a === '--') continue;
    else throw new Error(`Unknown option "${a}". Accepted: --url URL, --out DIR, --chromium PATH`);
  }
  if (o.url !== undefined) {
    const u = new URL(o.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--url must be http(s), got "${o.url}"`);
  }
  return o;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error(String((e as Error).message));
    return 2;
  }
  let server: { url: string; close(): Promise<void> } | undefined;
  let url = args.url;
  if (!url) {
    if (!existsSync(join(repo, 'packages/sdk/dist/localrec.min.js'))) {
      console.error('The SDK is not built: run `pnpm build` first (or pass --url to audit a running deployment).');
      return 2;
    }
    const { startServer } = await import('../../examples/shop/serve.mjs');
    server = await startServer({ port: 0, prepare: true });
    url = server.url;
    console.log(`Started the demo shop at ${url}`);
  }
  const browser = await launchChromium({ executablePath: args.chromium });
  try {
    const report = await runPrivacyAudit({ url, browser, log: (l) => console.log(l) });
    await mkdir(args.out, { recursive: true });
    await writeFile(join(args.out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    await writeFile(join(args.out, 'report.html'), renderHtml(report));
    for (const c of report.checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name} — ${c.detail}`);
    console.log(
      `\n${report.totals.requests} requests, ${report.totals.requestBytes} bytes sent (headers, no bodies), ${report.totals.responseBytes} bytes received.`,
    );
    console.log(`Verdict: ${report.verdict.toUpperCase()}. Report: ${join(args.out, 'report.html')}`);
    return report.verdict === 'pass' ? 0 : 1;
  } finally {
    await browser.close();
    await server?.close();
  }
}

process.exitCode = await main();
