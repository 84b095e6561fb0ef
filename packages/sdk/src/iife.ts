/**
 * Entry of `localrec.min.js` (the script-tag build): installs `window.LocalRec` and replays
 * the snippet's queue. This file is the package's only side effect.
 */
import { installGlobal } from './global.js';
import { VERSION } from './version.js';

if (typeof window !== 'undefined') {
  // The script element's `src` ('' for an inline script, undefined for an SVG script or none).
  installGlobal(window, VERSION, (document.currentScript as HTMLScriptElement | null)?.src || undefined);
}
