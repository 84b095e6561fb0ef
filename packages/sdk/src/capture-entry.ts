/**
 * Entry of `localrec-capture.min.mjs`: declarative capture for the script-tag build, as an ES
 * module. `localrec.min.js` imports it from its own folder only when a page sets `autoCapture`,
 * so pages that don't opt in never download it.
 */
export { startAutoCapture } from './capture.js';
