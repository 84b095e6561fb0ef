/**
 * Hydration (`RecommendOptions.hydrate`): the items of an answer carry their catalog metadata as
 * `meta` — the item's `setCatalog` entry, else the bundle catalog's — so a page can
 * render names, prices, images and links without a second lookup. A copy: what the host does to a
 * result never reaches the runtime's catalog (the in-thread runtime shares objects with the page).
 */
import { LocalRecError, type ItemMeta, type ScoredItem } from '@localrec/core';
import { preview } from '@localrec/core/internal';

/** Checked `hydrate` option: every attribute (`true`), none (`false`), or the listed attributes. */
export type Hydration = boolean | readonly string[];

const ACCEPTED = ['true (default)', 'false', 'an array of attribute names'] as const;

/**
 * Checks `options.hydrate`.
 * @throws {LocalRecError} `INVALID_ARGUMENT` naming `hydrate` (or `hydrate[i]`) and the accepted values.
 */
export function checkHydrate(value: unknown): Hydration {
  if (value === undefined) return true;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const list: readonly unknown[] = value;
    const i = list.findIndex((x) => typeof x !== 'string' || !x);
    if (i < 0) return [...(list as string[])];
    throw bad(`hydrate[${i}]`, list[i]);
  }
  throw bad('hydrate', value);
}

function bad(field: string, value: unknown): LocalRecError {
  return new LocalRecError('INVALID_ARGUMENT', `${field}: must be true, false or an array of attribute names, got ${preview(value)}`, {
    field,
    accepted: ACCEPTED,
  });
}

/** The metadata of one item under `how`, or undefined when there is none to attach. */
function metaOf(entry: ItemMeta | undefined, how: Hydration): ItemMeta | undefined {
  if (!entry || how === false) return undefined;
  const pairs: [string, ItemMeta[string]][] = [];
  for (const key of how === true ? Object.keys(entry) : how) {
    const v = entry[key];
    if (v !== undefined && Object.prototype.hasOwnProperty.call(entry, key)) pairs.push([key, v]);
  }
  // fromEntries defines own properties: an attribute called `__proto__` stays data.
  return pairs.length ? Object.fromEntries(pairs) : undefined;
}

/** `items` with `meta` attached from `catalog` (in place: the items are the answer's own objects). */
export function hydrate(items: ScoredItem[], catalog: Readonly<Record<string, ItemMeta>>, how: Hydration): ScoredItem[] {
  if (how === false) return items;
  for (const item of items) {
    const meta = metaOf(Object.prototype.hasOwnProperty.call(catalog, item.itemId) ? catalog[item.itemId] : undefined, how);
    if (meta) item.meta = meta;
  }
  return items;
}
