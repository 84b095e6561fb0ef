/**
 * "Your data on this device": what LocalRec stores here (by type, most recent), where, whether it
 * fell back to memory and why, consent, the recommendation runtime, export and erase.
 */
import type { Consent, LocalRec, StoredEvent } from '@localrec/sdk';
import type { Catalog } from './catalog.js';
import { $, followWhileOpen, h, replace } from './dom.js';
import { lr } from './sdk.js';

export interface Panel {
  /** Re-reads everything the panel shows. */
  refresh(): Promise<void>;
}

function describeEvent(catalog: Catalog, e: StoredEvent): string {
  const what = e.itemId ? (catalog.byId.get(e.itemId)?.name ?? e.itemId) : e.data.query !== undefined ? `“${e.data.query}”` : '';
  return `${new Date(e.ts).toLocaleTimeString()} ${e.type} ${what}`;
}

async function runtimeText(rec: LocalRec): Promise<string> {
  if (rec.status.runtime === 'none') return 'no model loaded (cold start)';
  const rt = (await rec.runtimeStatus()) as Awaited<ReturnType<LocalRec['runtimeStatus']>> & { runtime?: string };
  if (rt.ready) {
    return [
      rt.backend && `backend ${rt.backend}`,
      rt.modelVersion && `model ${rt.modelVersion}`,
      rt.itemCount && `${rt.itemCount} items`,
      rt.runtime && `in a ${rt.runtime === 'worker' ? 'Web Worker' : 'page thread'}`,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  return rt.error ? `not ready: ${rt.error.code}: ${rt.error.message}` : 'loading…';
}

/** Why the runtime's calibration passed over a backend (e.g. no WebGPU adapter), or "none". */
async function skippedText(rec: LocalRec): Promise<string> {
  if (rec.status.runtime === 'none') return 'none';
  const rt = (await rec.runtimeStatus()) as { calibration?: { timings?: Record<string, number | string> } };
  const skipped = Object.entries(rt.calibration?.timings ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  return skipped.length ? skipped.map(([b, why]) => `${b}: ${why}`).join(' · ') : 'none';
}

export function mountPanel(catalog: Catalog, getRec: () => LocalRec | undefined): Panel {
  const panel = $('#data-panel');
  const toggle = $('#data-toggle');
  const consentSelect = $<HTMLSelectElement>('#p-consent');

  async function refresh(): Promise<void> {
    const rec = getRec();
    if (!rec) return;
    $('#consent-banner').hidden = rec.consent !== 'pending';
    if (panel.hidden) return;
    let events: StoredEvent[] = [];
    try {
      await rec.flush();
      events = (await rec.exportData()).events;
    } catch (e) {
      $('#p-error').textContent = String(e);
    }
    const st = rec.status;
    $('#p-storage').textContent = st.degraded ? `${st.storage} (fallback: ${st.storageError ?? 'storage unavailable'})` : st.storage;
    consentSelect.value = rec.consent;
    $('#p-pending').textContent = String(st.pending);
    $('#p-error').textContent = st.lastError ? `${st.lastError.code}: ${st.lastError.message}` : 'none';
    $('#p-total').textContent = String(events.length);
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    replace(
      $('#p-counts tbody'),
      ...[...counts].sort((a, b) => b[1] - a[1]).map(([t, n]) => h('tr', { 'data-type': t }, h('td', {}, t), h('td', {}, n))),
    );
    replace(
      $('#p-recent'),
      ...events
        .slice(-10)
        .reverse()
        .map((e) => h('li', {}, describeEvent(catalog, e))),
    );
    $('#p-runtime').textContent = await runtimeText(rec).catch((e: unknown) => `unavailable: ${String(e)}`);
    $('#p-backends').textContent = await skippedText(rec).catch(() => 'unknown');
  }

  const setConsent = (c: Consent): void => {
    void Promise.resolve(lr().setConsent(c)).then(refresh);
  };

  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
    void refresh();
  });
  $('#p-refresh').addEventListener('click', () => {
    void refresh();
  });
  consentSelect.addEventListener('change', () => setConsent(consentSelect.value as Consent));
  $('#consent-allow').addEventListener('click', () => setConsent('granted'));
  $('#consent-deny').addEventListener('click', () => setConsent('denied'));
  $('#p-export').addEventListener('click', () => void exportMine());
  $('#p-erase').addEventListener('click', () => void eraseMine());
  async function exportMine(): Promise<void> {
    const rec = getRec();
    if (!rec) return;
    const data = await rec.exportData();
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const a = h('a', { href: url, download: 'localrec-my-data.json' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  async function eraseMine(): Promise<void> {
    const rec = getRec();
    if (!rec) return;
    const proof = await rec.forgetMe();
    const el = $('#p-proof');
    el.hidden = false;
    el.textContent = proof.verified
      ? `Erased. Re-read after deleting: ${proof.remainingEvents} events, no database and no cache left (storage “${proof.storage}”).`
      : `Erase could not be verified: ${proof.remainingEvents} events, databases [${proof.remainingDatabases.join(', ')}] and caches [${proof.remainingCaches.join(', ')}] remain.`;
    await refresh();
  }
  followWhileOpen(panel, refresh);
  return { refresh };
}
