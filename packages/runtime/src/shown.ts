/**
 * The page-view memory behind `RecommendOptions.dedupe`: per group, which list returned which item,
 * so that an answer can leave out what OTHER lists of the same group (the other widgets of one page
 * view) already returned, while the pages of one list stay slices of one ranking.
 *
 * A list is identified by its method, its subject (`similar`'s item) and its options other than
 * `page`, `dedupe`, `budgetMs` and `hydrate` ({@link listKey}). Held in memory by the runtime for its lifetime
 * (one page load): at most {@link SHOWN_LIMITS.groups} groups (the oldest dropped) of at most
 * {@link SHOWN_LIMITS.items} items each (the oldest dropped).
 */
import type { RecommendOptions } from '@localrec/core';

/** Bounds of the memory. */
export const SHOWN_LIMITS = Object.freeze({ groups: 32, items: 2000 });

/**
 * The identity of a list: method, subject, and the options that shape it (not `page`, `dedupe`,
 * `budgetMs`, `hydrate`). Options JSON cannot write (a cycle in an unchecked field) key the list by method and
 * subject alone.
 */
export function listKey(method: string, subject: string, options: RecommendOptions): string {
  const { page: _p, dedupe: _d, budgetMs: _b, hydrate: _h, ...shape } = options;
  try {
    return JSON.stringify([method, subject, shape], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    return JSON.stringify([method, subject]);
  }
}

/** Items returned per dedupe group, each with the list that first returned it. */
export class ShownMemory {
  private readonly groups = new Map<string, Map<string, string>>();
  /** Per group, the end of the calls queued so far. */
  private readonly turns = new Map<string, Promise<void>>();

  /**
   * Runs `f` once the earlier calls of `group` have answered: the lists of one group (the widgets
   * of a page, asked together) answer one at a time, each leaving out what the earlier ones
   * returned — otherwise lists asked at the same moment would all see an empty memory. No group:
   * `f` at once. A call that fails does not hold the group up.
   */
  async inTurn<T>(group: string | undefined, f: () => Promise<T>): Promise<T> {
    if (group === undefined) return f();
    const before = this.turns.get(group);
    let release!: () => void;
    const end = new Promise<void>((r) => (release = r));
    const tail = before ? before.then(() => end) : end;
    this.turns.set(group, tail);
    try {
      if (before) await before;
      return await f();
    } finally {
      release();
      if (this.turns.get(group) === tail) this.turns.delete(group);
    }
  }

  /** Items of `group` returned by lists other than `list`. */
  others(group: string | undefined, list: string): Set<string> {
    const out = new Set<string>();
    const g = group === undefined ? undefined : this.groups.get(group);
    if (g) for (const [id, by] of g) if (by !== list) out.add(id);
    return out;
  }

  /** Records that `list` returned `itemIds` in `group` (an item keeps the list that returned it first). */
  remember(group: string | undefined, list: string, itemIds: readonly string[]): void {
    if (group === undefined || !itemIds.length) return;
    let g = this.groups.get(group);
    if (!g) {
      g = new Map();
      this.groups.set(group, g);
      if (this.groups.size > SHOWN_LIMITS.groups) this.groups.delete(this.groups.keys().next().value!);
    }
    for (const id of itemIds) if (!g.has(id)) g.set(id, list);
    while (g.size > SHOWN_LIMITS.items) g.delete(g.keys().next().value!);
  }
}
