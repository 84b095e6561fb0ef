import { SeededRandom } from '@localrec/core';
import type { Split } from '../src/split.js';

/** Sequential data with structure a model can learn and popularity cannot: item i is followed by i+1 (mod N) 85% of the time. */
export function cyclicData(users: number, items: number, seed: number): Split {
  const rng = SeededRandom.fromInt(seed);
  const split: Split = { itemCount: items, train: [], valid: new Int32Array(users), test: new Int32Array(users) };
  for (let u = 0; u < users; u++) {
    const len = 6 + rng.int(10);
    const s: number[] = [1 + rng.int(items)];
    while (s.length < len) s.push(rng.next() < 0.85 ? (s[s.length - 1]! % items) + 1 : 1 + rng.int(items));
    split.train.push(Int32Array.from(s.slice(0, -2)));
    split.valid[u] = s[s.length - 2]!;
    split.test[u] = s[s.length - 1]!;
  }
  return split;
}
