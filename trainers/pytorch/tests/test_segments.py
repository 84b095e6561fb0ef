"""Interest segments (localrec_torch/segments.py, as packages/trainer/src/segments.ts).
Run from trainers/pytorch: ``python3 -m unittest -v tests.test_segments``.
"""

import unittest

import numpy as np

from localrec_torch.segments import build_segments, catalog_meta, segments_file


def clustered(per: int = 20, k: int = 4, dim: int = 8, seed: int = 3):
    """item_emb rows (row 0 padding) in k tight directions, at varied norms (popularity)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    rows = [np.zeros(dim)]
    truth = []
    for i in range(per * k):
        c = i % k
        rows.append((centres[c] + 0.05 * rng.normal(size=dim)) * rng.uniform(0.5, 3))
        truth.append(c)
    return np.array(rows, dtype=np.float32), truth


class SegmentsTest(unittest.TestCase):
    def test_recovers_the_clusters_deterministically(self):
        emb, truth = clustered()
        a = build_segments(emb, 4, seed=1)
        b = build_segments(emb, 4, seed=1)
        self.assertEqual(a.assignment.tolist(), b.assignment.tolist())
        self.assertEqual(a.assignment[0], -1)
        # Same partition as the truth (segment numbers may differ).
        pairs = {(t, int(s)) for t, s in zip(truth, a.assignment[1:])}
        self.assertEqual(len(pairs), 4)
        self.assertEqual(sorted(a.sizes), [20, 20, 20, 20])
        self.assertTrue(np.allclose(np.linalg.norm(a.centroids, axis=1), 1, atol=1e-5))
        self.assertGreater(a.cohesion, 0.9)

    def test_k_is_clamped_to_the_items_and_must_be_positive(self):
        emb, _ = clustered(per=1, k=3)
        self.assertEqual(build_segments(emb, 16, seed=1).k, 3)
        with self.assertRaisesRegex(ValueError, "k must be an integer"):
            build_segments(emb, 0, seed=1)

    def test_labels_follow_the_catalog_and_stay_unique(self):
        emb, truth = clustered(per=10, k=3)
        vocab = [f"SKU-{i}" for i in range(1, len(truth) + 1)]
        cats = ["Kitchen", "Kitchen", "Audio"]  # two clusters share a category: told apart by brand
        catalog = {v: {"name": f"Item {v}", "category": cats[t], "brand": f"Brand{t}" if t != 2 else f"B{i % 4}"}
                   for i, (v, t) in enumerate(zip(vocab, truth))}  # fmt: skip
        seg = build_segments(emb, 3, seed=2, vocab=vocab, meta=catalog_meta(catalog))
        self.assertEqual(sorted(seg.labels), sorted(["Kitchen · Brand0", "Kitchen · Brand1", "Audio"]))
        f = segments_file(seg)
        self.assertEqual(f["version"], 1)
        self.assertEqual(len(f["itemSegments"]), len(vocab) + 1)
        self.assertEqual(sum(s["size"] for s in f["segments"]), len(vocab))

    def test_without_metadata_labels_name_the_closest_items(self):
        emb, _ = clustered(per=5, k=2)
        seg = build_segments(emb, 2, seed=1, vocab=[f"I{i}" for i in range(1, 11)])
        for i, label in enumerate(seg.labels):
            self.assertRegex(label, rf"^Segment {i + 1} \(like I\d+, I\d+\)$")

    def test_catalog_shapes(self):
        for cat in [{"A": {"category": "X"}}, [{"id": "A", "category": "X"}], {"items": [{"itemId": "A", "category": "X"}]}]:
            self.assertEqual(catalog_meta(cat)("A"), {"category": "X"})
        self.assertIsNone(catalog_meta("nope"))


if __name__ == "__main__":
    unittest.main()
