/**
 * Renders an {@link AuditReport} as a self-contained HTML page (no scripts, no external
 * resources), with every value escaped: product names and URLs are data, never markup.
 */
import type { AuditReport } from './privacy-audit.js';

const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const kb = (n: number | undefined): string => (n === undefined ? '—' : n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);
const table = (head: string[], rows: unknown[][]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

export function renderHtml(r: AuditReport): string {
  const pass = r.verdict === 'pass';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>LocalRec privacy audit — ${esc(r.verdict)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}.verdict{font-size:1.4rem;font-weight:700;padding:.5rem 1rem;border-radius:6px;display:inline-block}
.pass{background:#dff5e1;color:#14532d}.fail{background:#fde2e2;color:#7f1d1d}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td{word-break:break-word}.ok{color:#14532d}.bad{color:#7f1d1d;font-weight:600}code{font-size:12px}
</style></head><body>
<h1>LocalRec privacy audit</h1>
<p>Audited <code>${esc(r.url)}</code> in ${esc(r.browser)}, ${esc(r.startedAt)} → ${esc(r.finishedAt)}.</p>
<p class="verdict ${pass ? 'pass' : 'fail'}">Verdict: ${pass ? 'PASS — behaviour data stayed on the device' : 'FAIL'}</p>
<h2>Checks</h2>
<table><thead><tr><th>Check</th><th>Result</th><th>Detail</th></tr></thead><tbody>${r.checks
    .map(
      (c) => `<tr><td>${esc(c.name)}</td><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'pass' : 'FAIL'}</td><td>${esc(c.detail)}</td></tr>`,
    )
    .join('')}</tbody></table>
<h2>Data inventory — what is stored, where, for how long, why</h2>
${table(
  ['What', 'Where', 'How long', 'Why', 'Observed in this session'],
  r.inventory.map((i) => [i.what, i.where, i.howLong, i.why, i.observed]),
)}
<h2>Consent states exercised</h2>
${table(
  ['Consent', 'Action', 'Expected', 'Stored events after', 'Result'],
  r.consentStates.map((c) => [c.consent, c.action, c.expectation, c.storedEventsAfter, c.ok ? 'pass' : 'FAIL']),
)}
<h2>Every request (${r.totals.requests}; ${kb(r.totals.requestBytes)} sent, ${kb(r.totals.responseBytes)} received)</h2>
${table(
  ['Step', 'Method', 'URL', 'By', 'Purpose', 'Status', 'Received', 'Sent body', 'Violations'],
  r.requests.map((q) => [
    q.step,
    q.method,
    q.url,
    q.initiator,
    q.purpose,
    q.status ?? '',
    kb(q.responseBytes),
    kb(q.requestBodyBytes),
    q.violations.join('; ') || 'none',
  ]),
)}
<h2>Workers that ran</h2>
<ul>${(r.totals.workers.length ? r.totals.workers : ['none']).map((w) => `<li><code>${esc(w)}</code></li>`).join('')}</ul>
<h2>Session</h2>
${table(
  ['Step', 'What happened'],
  r.session.map((s) => [s.step, s.detail]),
)}
<h2>Recommendations</h2>
${table(
  ['Call', 'Items', 'Source', 'Fallback reason', 'Backend'],
  r.recommendations.map((x) => [x.call, x.items, x.source ?? '', x.fallbackReason ?? '', x.backend ?? '']),
)}
<h2>Storage at each step</h2>
${table(
  ['Step', 'IndexedDB', 'Cache Storage', 'Cookies', 'localStorage', 'sessionStorage', 'OPFS', 'Usage'],
  r.storage.map((s) => [
    s.step,
    s.indexedDB
      .map(
        (d) =>
          `${d.name} v${d.version}: ${Object.entries(d.stores)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
      )
      .join('; ') || 'empty',
    s.cacheStorage.map((c) => `${c.name}: ${c.entries.length}`).join('; ') || 'empty',
    s.cookies.length,
    Object.keys(s.localStorage).length,
    Object.keys(s.sessionStorage).length,
    s.opfsEntries.length,
    kb(s.usageBytes),
  ]),
)}
<h2>Markers searched for in the traffic</h2>
<p>Item ids: ${esc(r.canaries.itemIds.join(', '))}<br>Queries: ${esc(r.canaries.queries.join(', '))}<br>Friend ids: ${esc(r.canaries.friendIds.join(', '))}<br>Event types (as JSON payloads): ${esc(r.canaries.eventTypes.join(', '))}</p>
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
