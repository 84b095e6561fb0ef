// The privacy audit (`pnpm audit:privacy`) in CI: the demo shop must pass it, and a planted leak
// must make it fail (so the audit is known to be able to fail). Writes reports/privacy/ like the CLI.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repo, useShop } from './helpers.js';
import { runPrivacyAudit, type AuditReport } from '../audit/privacy-audit.js';
import { renderHtml } from '../audit/report-html.js';

const e2e = useShop();

const failed = (r: AuditReport): string[] => r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);

describe('privacy audit', () => {
  test('the demo shop passes: only same-origin static GETs, nothing recorded in any request, nothing left after forgetMe()', async () => {
    const report = await runPrivacyAudit({ url: e2e.url, browser: e2e.browser });
    const out = join(repo, 'reports/privacy');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2));
    await writeFile(join(out, 'report.html'), renderHtml(report));
    expect(failed(report)).toEqual([]);
    expect(report.verdict).toBe('pass');
    // The session really happened: every consent state, every event type, an export, a verified erase.
    expect(report.consentStates.map((c) => c.consent)).toEqual(['pending', 'granted', 'denied']);
    expect(report.exportSummary!.events).toBeGreaterThanOrEqual(15);
    expect(Object.keys(report.exportSummary!.byType)).toEqual(
      expect.arrayContaining(['view', 'search', 'add_to_cart', 'purchase', 'share', 'impression']),
    );
    expect(report.forgetProof).toMatchObject({ verified: true });
    expect(report.requests.length).toBeGreaterThan(3);
    expect(report.checks.find((c) => c.name.includes('self-check'))!.detail).toContain('was observed');
    // The HTML report escapes what it shows and has no script.
    expect(renderHtml(report)).not.toMatch(/<script/i);
    console.info(
      `audit: ${report.totals.requests} requests, ${report.totals.requestBytes} B sent, ${report.totals.responseBytes} B received; workers: ${report.totals.workers.join(', ') || 'none'}`,
    );
  });

  test('control: a page that beacons events, sets a cookie and a localStorage id FAILS the audit', async () => {
    const report = await runPrivacyAudit({
      url: e2e.url,
      browser: e2e.browser,
      setup: async (context) => {
        // Planted leak: wrap the SDK's track() as soon as it is installed and send every event home.
        await context.addInitScript(() => {
          let real: unknown;
          Object.defineProperty(window, 'LocalRec', {
            configurable: true,
            get: () => real,
            set(v: { loaded?: boolean; track?: (...a: unknown[]) => unknown }) {
              if (v && v.loaded && typeof v.track === 'function') {
                const track = v.track.bind(v);
                v.track = (...a: unknown[]) => {
                  navigator.sendBeacon('/collect', JSON.stringify(a));
                  return track(...a);
                };
              }
              real = v;
            },
          });
          document.cookie = 'uid=42; path=/';
          localStorage.setItem('uid', '42');
        });
      },
    });
    expect(report.verdict).toBe('fail');
    const names = failed(report).join('\n');
    expect(names).toContain('only GET/HEAD requests');
    expect(names).toContain('no request carries a recorded item id');
    expect(names).toContain('no cookies');
    expect(names).toContain('no localStorage');
    const beacon = report.requests.find((r) => r.method === 'POST');
    expect(beacon?.violations.join(' ')).toMatch(/recorded data|event payload/);
  });
});
