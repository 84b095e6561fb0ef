import { describe, expect, it } from 'vitest';
import { buildSegments, catalogMeta, segmentsBundleParts, segmentsFile } from '../src/segments.js';
import { SeededRandom } from '@localrec/core';

const DIM = 8;
const CATS = ['Kitchen', 'Garden', 'Toys', 'Books'];

/** 4 clusters × 40 items around orthogonal directions, with norms varying 0.5–3 (like popularity). */
function clustered(seed = 1) {
  const rng = SeededRandom.fromInt(seed);
  const perCluster = 40;
  const n = CATS.length * perCluster;
  const emb = new Float32Array((n + 1) * DIM);
  const truth: number[] = [-1];
  for (let r = 1; r <= n; r++) {
    const c = (r - 1) % CATS.length;
    truth.push(c);
    const norm = 0.5 + 2.5 * rng.next();
    for (let j = 0; j < DIM; j++) emb[r * DIM + j] = norm * ((j === c * 2 ? 1 : 0) + 0.15 * rng.normal());
  }
  const vocab = Array.from({ length: n }, (_, i) => `sku-${i + 1}`);
  return { emb, n, truth, vocab };
}

describe('buildSegments (k-means over item embeddings)', () => {
  it('recovers well-separated clusters and labels them from metadata', () => {
    const { emb, n, truth, vocab } = clustered();
    const meta = (id: string) => {
      const c = truth[Number(id.slice(4))]!;
      return { category: CATS[c]!, brand: c === 0 ? 'Acme' : `B${Number(id.slice(4)) % 5}` };
    };
    const seg = buildSegments(emb, n, DIM, { k: 4, seed: 7, vocab, meta });
    expect(seg.assignment[0]).toBe(-1);
    expect(seg.assignment.length).toBe(n + 1);
    // Purity: every true cluster lands in exactly one segment, and segments are distinct.
    const map = new Map<number, Set<number>>();
    for (let r = 1; r <= n; r++) (map.get(truth[r]!) ?? map.set(truth[r]!, new Set()).get(truth[r]!)!).add(seg.assignment[r]!);
    for (const s of map.values()) expect(s.size).toBe(1);
    expect(new Set([...map.values()].map((s) => [...s][0])).size).toBe(4);
    expect(seg.sizes).toEqual([40, 40, 40, 40]);
    expect([...seg.labels].sort()).toEqual(['Books', 'Garden', 'Kitchen · Acme', 'Toys']);
    expect(seg.cohesion).toBeGreaterThan(0.9);
    for (let s = 0; s < 4; s++) {
      const c = seg.centroids.subarray(s * DIM, (s + 1) * DIM);
      expect(Math.hypot(...c)).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic for a seed', () => {
    const { emb, n } = clustered(3);
    const a = buildSegments(emb, n, DIM, { k: 6, seed: 11 });
    const b = buildSegments(emb, n, DIM, { k: 6, seed: 11 });
    expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(a.sizes.reduce((x, y) => x + y, 0)).toBe(n);
    expect(a.sizes.every((s) => s > 0)).toBe(true);
  });

  it('labels without metadata by example items, unique, and writes segments.json', () => {
    const { emb, n, vocab } = clustered();
    const seg = buildSegments(emb, n, DIM, { k: 4, seed: 1, vocab });
    for (const l of seg.labels) expect(l).toMatch(/^Segment \d \(like sku-\d+, sku-\d+\)$/);
    const file = segmentsFile(seg);
    expect(file.k).toBe(4);
    expect(file.itemSegments.length).toBe(n + 1);
    expect(file.segments.map((s) => s.size)).toEqual(seg.sizes);
    expect(JSON.parse(JSON.stringify(file))).toEqual(file);
    const parts = segmentsBundleParts(seg);
    expect(parts.tensor).toMatchObject({ name: 'segments/centroids', dtype: 'float32', shape: [4, DIM] });
    expect(parts.tensor.data).toBe(seg.centroids);
    expect(parts.fileName).toBe('segments.json');
    expect(JSON.parse(parts.file)).toEqual(file);
    // Same-named clusters are told apart.
    const one = buildSegments(emb, n, DIM, { k: 4, seed: 1, vocab, meta: () => ({ category: 'All' }) });
    expect([...one.labels].sort()).toEqual(['All', 'All (2)', 'All (3)', 'All (4)']);
    // …by their leading brand when they have one.
    const branded = buildSegments(emb, n, DIM, {
      k: 4,
      seed: 1,
      vocab,
      meta: (id) => ({ category: 'All', brand: `B${Number(id.slice(4)) % 4}` }),
    });
    expect([...branded.labels].sort()).toEqual(['All · B0', 'All · B1', 'All · B2', 'All · B3']);
  });

  it('clamps k to the item count and rejects bad shapes', () => {
    const emb = new Float32Array(3 * 2).map((_, i) => i);
    expect(buildSegments(emb, 2, 2, { k: 5, seed: 1 }).k).toBe(2);
    expect(() => buildSegments(emb, 3, 2, { k: 2, seed: 1 })).toThrow(/expected \(itemCount \+ 1\) × dim = 8/);
    expect(() => buildSegments(emb, 2, 2, { k: 0, seed: 1 })).toThrow(/k must be/);
  });

  it('reads catalogs keyed by id or as lists', () => {
    expect(catalogMeta({ a: { category: 'X', price: 3 } })!('a')).toEqual({ category: 'X' });
    expect(catalogMeta([{ id: 'b', brand: 'Y' }])!('b')).toEqual({ brand: 'Y' });
    expect(catalogMeta({ items: [{ itemId: 'c', name: 'Cup' }] })!('c')).toEqual({ name: 'Cup' });
    expect(catalogMeta(undefined)).toBeUndefined();
  });
});
