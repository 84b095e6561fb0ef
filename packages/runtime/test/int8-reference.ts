/** Test helpers of the int8 kernel: random tables, and the plain kernel's formula in JS. */
/** Deterministic LCG. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export interface Case {
  q: Int8Array;
  scales: Float32Array;
  n: number;
  d: number;
}

export function table(n: number, d: number, seed: number, o: { negative?: boolean; duplicates?: boolean } = {}): Case {
  const rnd = lcg(seed);
  const q = new Int8Array(n * d);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(rnd() * 254) - 127;
  if (o.duplicates) for (let r = 1; r < n; r += 3) q.copyWithin(r * d, (r - 1) * d, r * d);
  const scales = Float32Array.from({ length: n }, () => (o.negative && rnd() < 0.3 ? -1 : 1) * (0.001 + rnd() * 0.02));
  if (o.duplicates) for (let r = 1; r < n; r += 3) scales[r] = scales[r - 1]!;
  return { q, scales, n, d };
}

export const userOf = (d: number, seed: number) => {
  const rnd = lcg(seed);
  return Float32Array.from({ length: d }, () => rnd() * 4 - 2);
};

/** The float32 path: f32(Σ u_j · f32(q_rj · s_r)) (float64 sum, the dequantised row); best first, ties to the lower row. */
export function reference(c: Case, u: Float32Array, k: number, exclude?: Uint8Array) {
  const all: { r: number; s: number }[] = [];
  for (let r = 0; r < c.n; r++) {
    if (exclude && exclude[r >> 3]! & (1 << (r & 7))) continue;
    let x = 0;
    for (let j = 0; j < c.d; j++) x += u[j]! * Math.fround(c.q[r * c.d + j]! * c.scales[r]!);
    all.push({ r, s: Math.fround(x) });
  }
  all.sort((a, b) => b.s - a.s || a.r - b.r);
  const top = all.slice(0, Math.max(0, k));
  return { rows: top.map((t) => t.r), values: top.map((t) => t.s) };
}

export const randomMask = (n: number, seed: number, p: number) => {
  const rnd = lcg(seed);
  const m = new Uint8Array(Math.ceil(n / 8));
  for (let r = 0; r < n; r++) if (rnd() < p) m[r >> 3]! |= 1 << (r & 7);
  return m;
};
