/** Event ids: 128 random bits, hex. Uses `crypto.getRandomValues` when the environment has it. */
import { detectCapabilities, randomSource } from './env.js';

const HEX = Array.from({ length: 256 }, (_, b) => (b < 16 ? '0' : '') + b.toString(16));
/** Random bytes are drawn 4 KB at a time: one `getRandomValues` call serves 256 ids (track() is hot). */
const pool = new Uint8Array(4096);
let offset = pool.length;
let counter = 0;

function refill(): void {
  const crypto = randomSource();
  if (crypto) crypto.getRandomValues(pool);
  else {
    // Not cryptographic; only where crypto is absent. Time + counter (below) keep ids unique per device.
    for (let i = 0; i < pool.length; i++) pool[i] = Math.floor(Math.random() * 256);
  }
  offset = 0;
}

/**
 * A new globally unique id (32 lowercase hex chars). Stores use it to make appends idempotent
 * across retries and tabs.
 */
export function createUid(): string {
  if (offset + 16 > pool.length) refill();
  if (!detectCapabilities().randomValues) {
    // Without crypto, stamp the time and a counter into the first 6 bytes.
    const t = Date.now();
    counter = (counter + 1) >>> 0;
    pool[offset] = (t / 2 ** 40) & 0xff;
    pool[offset + 1] = (t / 2 ** 32) & 0xff;
    pool[offset + 2] = (t >>> 24) & 0xff;
    pool[offset + 3] = (t >>> 16) & 0xff;
    pool[offset + 4] = (counter >>> 8) & 0xff;
    pool[offset + 5] = counter & 0xff;
  }
  let s = '';
  for (let i = offset; i < offset + 16; i++) s += HEX[pool[i] as number];
  offset += 16;
  return s;
}
