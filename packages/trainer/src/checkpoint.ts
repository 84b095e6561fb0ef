import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTensors, encodeTensors, type FloatWeights, type SasrecArchitecture } from '@localrec/model';

/** A float32 training checkpoint: `checkpoint.json` (architecture, tensors) + `checkpoint.bin`. */
export interface Checkpoint {
  arch: SasrecArchitecture;
  itemCount: number;
  epoch: number;
  weights: FloatWeights;
  info?: Record<string, unknown>;
}

export function saveCheckpoint(dir: string, c: Checkpoint): void {
  mkdirSync(dir, { recursive: true });
  const { bytes, entries } = encodeTensors(
    [...c.weights].map(([name, data]) => ({ name, dtype: 'float32' as const, shape: [data.length], data })),
  );
  writeFileSync(join(dir, 'checkpoint.bin'), bytes);
  writeFileSync(
    join(dir, 'checkpoint.json'),
    JSON.stringify({ arch: c.arch, itemCount: c.itemCount, epoch: c.epoch, info: c.info ?? {}, tensors: entries }, null, 1),
  );
}

export function loadCheckpoint(dir: string): Checkpoint {
  const meta = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as Omit<Checkpoint, 'weights'> & {
    tensors: Parameters<typeof decodeTensors>[0];
  };
  const buf = readFileSync(join(dir, 'checkpoint.bin'));
  const t = decodeTensors(meta.tensors, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const weights: FloatWeights = new Map([...t].map(([k, v]) => [k, v.data as Float32Array]));
  return { arch: meta.arch, itemCount: meta.itemCount, epoch: meta.epoch, weights, info: meta.info };
}
