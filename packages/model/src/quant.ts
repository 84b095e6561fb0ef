/**
 * Symmetric int8 quantisation. `q = round(x / scale)`, `scale = max|x| / 127` per channel.
 * Channels run along `axis` 0 (one scale per row: embedding tables) or the last axis
 * (one scale per output column: dense kernels `[in, out]`).
 */
export interface Quantized {
  q: Int8Array;
  scales: Float32Array;
}

/** Quantises a row-major `[rows, cols]` matrix along `axis` (0 = per row, 1 = per column). */
export function quantizeInt8(x: Float32Array, rows: number, cols: number, axis: 0 | 1): Quantized {
  if (x.length !== rows * cols) {
    throw new RangeError(`quantizeInt8: data has ${x.length} values, shape [${rows}, ${cols}] needs ${rows * cols}`);
  }
  const channels = axis === 0 ? rows : cols;
  const maxAbs = new Float32Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.abs(x[r * cols + c]!);
      const ch = axis === 0 ? r : c;
      if (v > maxAbs[ch]!) maxAbs[ch] = v;
    }
  }
  const scales = new Float32Array(channels);
  for (let ch = 0; ch < channels; ch++) scales[ch] = maxAbs[ch]! > 0 ? maxAbs[ch]! / 127 : 1;
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const s = scales[axis === 0 ? r : c]!;
      const v = Math.round(x[r * cols + c]! / s);
      q[r * cols + c] = v > 127 ? 127 : v < -127 ? -127 : v;
    }
  }
  return { q, scales };
}

/** Inverse of {@link quantizeInt8}: returns float32 `[rows, cols]`. */
export function dequantizeInt8(q: Int8Array, scales: Float32Array, rows: number, cols: number, axis: 0 | 1): Float32Array {
  const out = new Float32Array(rows * cols);
  if (axis === 0) {
    for (let r = 0; r < rows; r++) {
      const s = scales[r]!;
      const base = r * cols;
      for (let c = 0; c < cols; c++) out[base + c] = q[base + c]! * s;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) out[base + c] = q[base + c]! * scales[c]!;
    }
  }
  return out;
}
