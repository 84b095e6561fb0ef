/**
 * The component's default styles: scoped by its shadow root (nothing leaks into the page, the
 * page's rules do not reach in except through the custom properties and `::part()`), applied as a
 * constructable stylesheet (`adoptedStyleSheets`), which a strict Content-Security-Policy without
 * `'unsafe-inline'` allows.
 *
 * Custom properties (all optional): `--localrec-gap`, `--localrec-card-min-width`,
 * `--localrec-card-padding`, `--localrec-card-border`, `--localrec-card-background`,
 * `--localrec-radius`, `--localrec-image-ratio`, `--localrec-accent` (focus ring),
 * `--localrec-muted` (reason text), `--localrec-price-color`, `--localrec-font`.
 */
export const CSS = `
:host{display:block;font:var(--localrec-font,inherit)}
:host([hidden]){display:none}
[part~=list]{list-style:none;margin:0;padding:0;display:grid;gap:var(--localrec-gap,12px);grid-template-columns:repeat(auto-fill,minmax(var(--localrec-card-min-width,160px),1fr))}
[part~=item]{margin:0;padding:0}
[part~=card]{display:flex;flex-direction:column;gap:4px;width:100%;height:100%;box-sizing:border-box;margin:0;padding:var(--localrec-card-padding,8px);border:var(--localrec-card-border,1px solid #d4d4d8);border-radius:var(--localrec-radius,8px);background:var(--localrec-card-background,transparent);color:inherit;font:inherit;text-align:start;text-decoration:none;cursor:pointer}
[part~=card]:focus-visible{outline:2px solid var(--localrec-accent,#2563eb);outline-offset:2px}
[part~=image]{display:block;width:100%;aspect-ratio:var(--localrec-image-ratio,1);object-fit:cover;border-radius:calc(var(--localrec-radius,8px)/2)}
[part~=name]{font-weight:600}
[part~=price]{color:var(--localrec-price-color,inherit)}
[part~=reason]{font-size:.85em;color:var(--localrec-muted,#52525b)}
`;
