/**
 * Resolving the model bundle's folder URL without requiring a global `URL`. Browsers, workers and
 * Node have `URL` and get exactly `new URL(modelUrl, base).href`. A WeChat mini-program's logic
 * layer has no `URL` (and no page location): there an absolute URL is taken as given, and a path
 * is joined to an absolute base only when that needs no URL parser; anything else is refused,
 * naming the value.
 */
import { LocalRecError } from '@localrec/core';
import { locationHref, urlConstructor } from '@localrec/core/internal';

/** `scheme://authority…` with a non-empty authority and no whitespace. */
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+(?:[/?#]\S*)?$/i;

/**
 * The absolute URL of `ref` against `base` (default: the page's `location.href`, else
 * `http://localhost/`, as the runtime always did). Without a global `URL`: `ref` when absolute;
 * `/path` on `base`'s origin; a plain relative path (no `.`/`..` segments, query or fragment)
 * in `base`'s folder. Throws `INVALID_CONFIG` with `field` naming the option otherwise.
 */
export function resolveUrl(ref: string, field: string, base?: string): string {
  const U = urlConstructor();
  const from = base ?? locationHref() ?? 'http://localhost/';
  if (U) {
    try {
      return new U(ref, from).href;
    } catch (e) {
      throw new LocalRecError('INVALID_CONFIG', `${field} must be a URL, got ${JSON.stringify(ref)} (${(e as Error).message})`, { field });
    }
  }
  if (ABSOLUTE.test(ref)) return ref;
  const b = ABSOLUTE.test(from) ? /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)([^?#]*)/i.exec(from) : null;
  const simple =
    ref !== '' && /^[^?#\s:]*$/.test(ref) && !ref.startsWith('//') && !ref.split('/').some((seg) => seg === '.' || seg === '..');
  if (b && simple) {
    const origin = b[1]!;
    const folder = b[2]!.slice(0, b[2]!.lastIndexOf('/') + 1) || '/';
    return ref.startsWith('/') ? `${origin}${ref}` : `${origin}${folder}${ref}`;
  }
  throw new LocalRecError(
    'INVALID_CONFIG',
    `${field} ${JSON.stringify(ref)} cannot be resolved against ${JSON.stringify(from)} in a context without URL: ` +
      'give an absolute URL such as "https://cdn.example.com/models/shop/"',
    { field, accepted: ['an absolute URL (scheme://host/…)', 'a path without . or .. segments when the base is absolute'] },
  );
}
