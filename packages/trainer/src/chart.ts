import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { EpochLog } from './train.js';

/** Renders the training curve (loss and validation HR@10 / NDCG@10 per epoch) as an SVG with Vega-Lite. */
export async function trainingCurveSvg(history: readonly EpochLog[], title: string): Promise<string> {
  const rows: { epoch: number; series: string; value: number; panel: string }[] = [];
  for (const h of history) {
    rows.push({ epoch: h.epoch, series: 'training loss', value: h.loss, panel: 'loss' });
    if (h.valid) {
      rows.push({ epoch: h.epoch, series: 'valid HR@10', value: h.valid['HR@10'], panel: 'validation (sampled, 100 negatives)' });
      rows.push({ epoch: h.epoch, series: 'valid NDCG@10', value: h.valid['NDCG@10'], panel: 'validation (sampled, 100 negatives)' });
    }
  }
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    facet: { row: { field: 'panel', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 560,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' },
        y: { field: 'value', type: 'quantitative', scale: { zero: false } },
        color: { field: 'series', type: 'nominal' },
      },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
