/**
 * Entry of `localrec.min.js` (the script-tag build): installs `window.LocalRec` and replays
 * the snippet's queue. This file is the package's only side effect.
 */
import { installGlobal } from './global.js';
import { VERSION } from './version.js';

if (typeof window !== 'undefined') {
  const me = document.currentScript;
  installGlobal(window, VERSION, me instanceof HTMLScriptElement && me.src ? me.src : undefined);
}
