/** Event ids: 128 random bits, hex. Uses `crypto.getRandomValues` when the environment has it. */
import { detectCapabilities } from './env.js';

let counter = 0;

function fallbackBytes(out: Uint8Array): void {
  // Not cryptographic; only used where crypto is absent. Time + counter keep ids unique per device.
  const t = Date.now();
  counter = (counter + 1) >>> 0;
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(Math.random() * 256);
  out[0] = (t / 2 ** 40) & 0xff;
  out[1] = (t / 2 ** 32) & 0xff;
  out[2] = (t >>> 24) & 0xff;
  out[3] = (t >>> 16) & 0xff;
  out[4] = (counter >>> 8) & 0xff;
  out[5] = counter & 0xff;
}

/**
 * A new globally unique id (32 lowercase hex chars). Stores use it to make appends idempotent
 * across retries and tabs.
 */
export function createUid(): string {
  const bytes = new Uint8Array(16);
  if (detectCapabilities().randomValues) {
    (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto.getRandomValues(bytes);
  } else {
    fallbackBytes(bytes);
  }
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}
