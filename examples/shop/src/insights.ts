/**
 * "Your profile": what this device understands about the visitor — `getProfile()` (category
 * affinities and active hours as charts; purchase cadence, sessions, recent interests as text),
 * the simulated friends (friends.ts), and the interest segments `getSegments()` would let a page
 * see. Everything is computed in the runtime on this device; nothing here sends anything.
 * Item data (names, categories) only ever becomes text nodes or canvas text.
 */
import type { LocalRec } from '@localrec/sdk';
import type { Catalog } from './catalog.js';
import type { BarChart, BarSeries } from './charts.js';
import { $, followWhileOpen, h, replace } from './dom.js';
import { mountFriends } from './friends.js';

type ShopperProfile = Awaited<ReturnType<LocalRec['getProfile']>>;
type SegmentsResult = Awaited<ReturnType<LocalRec['getSegments']>>;

export interface InsightsPanel {
  /** Re-reads the profile and segments (when the panel is open). */
  refresh(): Promise<void>;
}

const CATEGORY_BARS = 8;
const DAY_MS = 86_400_000;

const pct = (v: number): string => `${Math.round(v)} %`;

function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function when(ts: number): string {
  const d = new Date(ts);
  return Math.abs(Date.now() - ts) < DAY_MS ? d.toLocaleTimeString() : d.toLocaleDateString();
}

function cadenceText(p: ShopperProfile['purchases']): string {
  if (p.count === 0) return 'No purchases yet.';
  const parts = [`${p.count} purchase${p.count === 1 ? '' : 's'} on ${p.occasions} occasion${p.occasions === 1 ? '' : 's'}`];
  if (p.lastPurchaseAt !== undefined) parts.push(`last ${when(p.lastPurchaseAt)}`);
  if (p.medianDaysBetween !== undefined) parts.push(`usually every ${p.medianDaysBetween.toFixed(1)} days`);
  if (p.nextExpectedAt !== undefined) parts.push(`next expected ${new Date(p.nextExpectedAt).toLocaleDateString()}`);
  return `${parts.join(' · ')}.`;
}

function sessionText(s: ShopperProfile['sessions']): string {
  if (s.count === 0) return 'No sessions yet.';
  return `${s.count} session${s.count === 1 ? '' : 's'} · ${s.meanEvents.toFixed(1)} events each on average · median length ${duration(s.medianDurationMs)}.`;
}

function topList(list: ShopperProfile['brands'], n: number): string {
  return list.length
    ? list
        .slice(0, n)
        .map((a) => `${a.key} (${pct(a.share * 100)})`)
        .join(', ')
    : '—';
}

function categorySeries(p: ShopperProfile): BarSeries {
  const top = p.categories.slice(0, CATEGORY_BARS);
  return { labels: top.map((a) => a.key), values: top.map((a) => Math.round(a.share * 1000) / 10) };
}

function hoursSeries(p: ShopperProfile): BarSeries {
  return { labels: p.activeHours.map((_, h) => String(h)), values: [...p.activeHours] };
}

export function mountInsights(catalog: Catalog, getRec: () => LocalRec | undefined, onSocialChange: () => void): InsightsPanel {
  const panel = $('#insights-panel');
  const toggle = $('#profile-toggle');
  const charts: { categories?: BarChart; hours?: BarChart } = {};
  let seq = 0;

  mountFriends(catalog, getRec, onSocialChange);

  async function drawCharts(p: ShopperProfile): Promise<void> {
    const { barChart } = await import('./charts.js');
    const cats = categorySeries(p);
    const hours = hoursSeries(p);
    if (charts.categories) charts.categories.update(cats);
    else charts.categories = barChart($<HTMLCanvasElement>('#chart-categories'), cats, { horizontal: true, format: pct });
    if (charts.hours) charts.hours.update(hours);
    else charts.hours = barChart($<HTMLCanvasElement>('#chart-hours'), hours);
  }

  function renderProfile(p: ShopperProfile): void {
    const names = p.recent.items.map((id) => catalog.byId.get(id)?.name ?? id);
    $('#pr-summary').textContent =
      `${p.eventCount} events counted · ${p.excludedEvents} left out as abnormal · interest halves every ${p.halfLifeDays} days · the re-ranker has learned from ${p.feedback.observations} shown items.`;
    $('#pr-categories-empty').hidden = p.categories.length > 0;
    replace(
      $('#pr-facts'),
      h('dt', {}, 'Purchases'),
      h('dd', { id: 'pr-cadence' }, cadenceText(p.purchases)),
      h('dt', {}, 'Sessions'),
      h('dd', { id: 'pr-sessions' }, sessionText(p.sessions)),
      h('dt', {}, 'Brands'),
      h('dd', {}, topList(p.brands, 3)),
      h('dt', {}, 'Price bands ($)'),
      h('dd', {}, topList(p.priceBands, 3)),
      h('dt', {}, 'Recent interests'),
      h(
        'dd',
        {},
        names.length ? h('ol', { id: 'pr-recent', class: 'recent' }, ...names.slice(0, 5).map((n) => h('li', {}, n))) : 'Nothing yet.',
        p.recent.categories.length ? h('span', { class: 'meta' }, `in ${p.recent.categories.join(', ')}`) : null,
      ),
    );
  }

  function renderSegments(r: SegmentsResult): void {
    replace($('#segments-list'), ...r.segments.map((s) => h('li', { 'data-segment': s.id }, s.label)));
    $('#segments-week').textContent = r.segments.length
      ? `Week ${r.week}: the same answer all week; a week's answer has a 1-in-20 chance of carrying a random segment, so no answer proves an interest.`
      : `Week ${r.week}: no segment yet.`;
  }

  async function refresh(): Promise<void> {
    const rec = getRec();
    if (!rec || panel.hidden) return;
    const mine = ++seq;
    const consent = rec.consent === 'granted';
    $('#pr-consent').hidden = consent;
    $('#pr-body').hidden = !consent;
    if (!consent) {
      replace($('#segments-list'));
      $('#segments-week').textContent = 'Only with your consent: nothing is computed without it.';
      return;
    }
    try {
      const p = await rec.getProfile();
      if (mine !== seq) return;
      renderProfile(p);
      await drawCharts(p);
      panel.dataset.profileEvents = String(p.eventCount);
      $('#pr-error').textContent = '';
    } catch (e) {
      $('#pr-error').textContent = `Profile unavailable: ${String(e)}`;
    }
    try {
      const s = await rec.getSegments();
      if (mine !== seq) return;
      renderSegments(s);
      panel.dataset.segments = String(s.segments.length);
    } catch (e) {
      $('#segments-week').textContent = `Segments unavailable: ${String(e)}`;
    }
  }

  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
    void refresh();
  });
  $('#pr-refresh').addEventListener('click', () => {
    void refresh();
  });
  // While open, the profile follows what the visitor does (the SDK flushes before answering).
  followWhileOpen(panel, refresh);
  return { refresh };
}
