/**
 * The profile's two charts, drawn with Chart.js (bundled into the shop's own files by
 * scripts/prepare.mjs and served from this origin — no CDN). Chart.js draws on a <canvas>: no
 * eval, no inline style sheet (it sizes the canvas through CSSOM, which `style-src 'self'` allows),
 * so it runs under the shop's strict CSP. Labels (category names from the catalog) are painted as
 * canvas text, never parsed as HTML.
 *
 * This module is loaded with `import()` the first time the profile is opened, so visitors who never
 * open it never download the chart library.
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export interface BarSeries {
  labels: string[];
  values: number[];
}

/** A bar chart that can be given new data. */
export interface BarChart {
  update(series: BarSeries): void;
  destroy(): void;
}

const ACCENT = '#2d6cdf';

/**
 * A bar chart on `canvas` (its parent sets the size: Chart.js follows the parent's box).
 * `horizontal` puts the labels on the y axis (long category names); `format` renders values in
 * the tooltip and on the value axis.
 */
export function barChart(
  canvas: HTMLCanvasElement,
  series: BarSeries,
  o: { horizontal?: boolean; format?: (v: number) => string } = {},
): BarChart {
  const format = o.format ?? ((v: number) => String(v));
  const valueAxis = { beginAtZero: true, ticks: { precision: 0, callback: (v: string | number) => format(Number(v)) } };
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels: series.labels, datasets: [{ data: series.values, backgroundColor: ACCENT, borderRadius: 3, maxBarThickness: 22 }] },
    options: {
      indexAxis: o.horizontal ? 'y' : 'x',
      // No animation: the chart shows the profile as it is now (and screenshots are stable).
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { tooltip: { callbacks: { label: (c) => format(Number(c.raw)) } } },
      scales: o.horizontal
        ? { x: valueAxis, y: { ticks: { autoSkip: false } } }
        : { y: valueAxis, x: { ticks: { autoSkip: true, maxRotation: 0 } } },
    },
  });
  return {
    update(s) {
      chart.data.labels = s.labels;
      chart.data.datasets[0]!.data = s.values;
      chart.update();
    },
    destroy: () => chart.destroy(),
  };
}
