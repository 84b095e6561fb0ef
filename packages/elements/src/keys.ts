/** Keyboard movement between the cards of a list (shared by the element and the framework components). */

const NEXT = new Set(['ArrowRight', 'ArrowDown']);
const PREVIOUS = new Set(['ArrowLeft', 'ArrowUp']);

/**
 * The index of the card `key` moves the focus to — arrows: the next / previous card (clamped),
 * Home / End: the first / last — or undefined for any other key or an empty list.
 * @param cards the focusable element of each card, in order.
 * @param active the focused element (a card, or inside one), if any.
 */
export function focusStep(key: string, cards: readonly Element[], active: Element | null): number | undefined {
  if (!cards.length || !(NEXT.has(key) || PREVIOUS.has(key) || key === 'Home' || key === 'End')) return undefined;
  const last = cards.length - 1;
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  const at = cards.findIndex((c) => c === active || (active !== null && c.contains(active)));
  return NEXT.has(key) ? Math.min(last, at + 1) : Math.max(0, at - 1);
}
