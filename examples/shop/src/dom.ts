/**
 * The only way the shop builds DOM: element + attributes + text children. Item data (names,
 * brands, queries) only ever becomes text nodes or attribute values — never HTML.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

export const $ = <T extends Element = HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el;
};

/**
 * While `panel` is open, calls `refresh` 400 ms after the visitor's last click outside it or
 * navigation (debounced), so the panel follows what the visitor does.
 */
export function followWhileOpen(panel: HTMLElement, refresh: () => unknown): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = (): void => {
    if (panel.hidden) return;
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 400);
  };
  document.addEventListener(
    'click',
    (e) => {
      if (!panel.contains(e.target as Node)) soon();
    },
    { capture: true },
  );
  window.addEventListener('hashchange', soon);
}
