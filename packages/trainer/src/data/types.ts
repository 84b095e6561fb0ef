import type { AbnormalOptions } from '@localrec/insights';
import type { AbnormalRows } from './abnormal.js';

/** A row the loader could not use, with its 1-based line number in the input file. */
export interface BadRow {
  line: number;
  reason: string;
}

/** What loading a file did: every row is accounted for (used, ignored by rule, or bad). */
interface LoadReport {
  format: 'sasrec-text' | 'csv' | 'jsonl';
  /** Data rows read (header and blank lines excluded). */
  rows: number;
  badRows: BadRow[];
  /**
   * Rows of a type whose weight is 0 (e.g. impressions, searches): valid, but not interactions; and
   * under `(abnormal)`, the interaction rows the abnormal-behaviour filter left out.
   */
  ignoredByType: Record<string, number>;
  /**
   * Rows left out by the abnormal-behaviour filter (event logs only; see `abnormal.ts` and
   * `LogRules.abnormal`): all of them, zero-weight ones included (those are counted under their type
   * in `ignoredByType`, the others under `(abnormal)`).
   */
  abnormal?: AbnormalRows;
  /** Exact duplicates (same user, item, type and timestamp) removed. */
  duplicates: number;
  /** Consecutive interactions of one user with the same item merged into one (see `collapseRepeats`). */
  collapsed: number;
  /** Interactions removed by the minimum-count (k-core) filter. */
  belowMinCount: number;
  users: number;
  items: number;
  interactions: number;
}

/**
 * A dataset ready for training: item rows are 1-based (row 0 is padding), `itemIds[row - 1]` is the
 * shop's string id; each user's sequence is chronological.
 */
export interface Dataset {
  itemIds: string[];
  userIds: string[];
  sequences: Int32Array[];
  /** Per interaction, the event-type weight of the event that represents it (1 for plain text data). */
  weights: Float32Array[];
  report: LoadReport;
}

/** The rules that turn an event log into sequences. Defaults: {@link DEFAULT_LOG_RULES}. */
export interface LogRules {
  /** Event type → weight. Types with weight 0 are valid rows but not interactions; unknown types are bad rows. */
  typeWeights: Readonly<Record<string, number>>;
  /** Drop users with fewer interactions than this (applied together with `minItemCount` until stable). */
  minUserCount: number;
  /** Drop items with fewer interactions than this. */
  minItemCount: number;
  /** Merge consecutive interactions of a user with the same item into one (the strongest type's weight). */
  collapseRepeats: boolean;
  /**
   * The abnormal-behaviour filter of event logs: the runtime's rules and defaults (`{}`), other
   * thresholds (the runtime's `insights.abnormal` takes the same object), or `false` to keep every
   * row. Default `{}`: on, so training sees what serving sees.
   */
  abnormal: AbnormalOptions | false;
}

/**
 * Default event-type weights: purchase > cart > like/favorite/rate/share/comment > click > view. `impression`,
 * `search`, `remove_from_cart` and `follow` carry no item interest of their own and are ignored (weight 0).
 */
const DEFAULT_TYPE_WEIGHTS: Readonly<Record<string, number>> = {
  purchase: 5,
  add_to_cart: 3,
  favorite: 2,
  like: 2,
  rate: 2,
  share: 2,
  comment: 2,
  click: 1.5,
  view: 1,
  impression: 0,
  search: 0,
  remove_from_cart: 0,
  follow: 0,
};

export const DEFAULT_LOG_RULES: LogRules = {
  typeWeights: DEFAULT_TYPE_WEIGHTS,
  minUserCount: 3,
  minItemCount: 3,
  collapseRepeats: true,
  abnormal: {},
};
