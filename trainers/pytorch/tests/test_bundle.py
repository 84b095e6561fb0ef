"""The exporter's pieces without torch: int8 quantisation as packages/model/src/quant.ts, the
cold-start tables as cold-start.ts, and the manifest against packages/model/manifest.schema.json
(needs the ``jsonschema`` module; skipped without it — the TypeScript validator then checks the
exporter's output, in test/e2e/pytorch-parity.test.ts).

Run from trainers/pytorch: ``python3 -m unittest -v tests.test_bundle``.
"""

import json
import os
import tempfile
import unittest

import numpy as np

from localrec_torch import bundle as bio
from localrec_torch.data import Split, parse_sasrec_text, split_leave_one_out


class QuantTest(unittest.TestCase):
    def test_scales_and_rounding_follow_quant_ts(self):
        # Row max 127 → scale 1: halves round towards +∞ as Math.round (2.5 → 3, -2.5 → -2).
        x = np.array([[127, 2.5, -2.5, -0.5], [0, 0, 0, 0]], dtype=np.float32)
        q, s = bio.quantize_int8(x, 0)
        self.assertEqual(s.tolist(), [1.0, 1.0])  # an all-zero channel gets scale 1
        self.assertEqual(q.tolist(), [[127, 3, -2, 0], [0, 0, 0, 0]])
        q1, s1 = bio.quantize_int8(np.array([[1, -4], [-2, 8]], dtype=np.float32), 1)
        self.assertEqual(s1.tolist(), [np.float32(2 / 127), np.float32(8 / 127)])
        self.assertEqual(q1.tolist(), [[64, -64], [-127, 127]])
        self.assertEqual(bio.dequantize_int8(q1, s1, 1).dtype, np.float32)

    def test_axes_of_the_bundle_tensors(self):
        self.assertEqual(bio.quant_axis("item_emb"), 0)
        self.assertEqual(bio.quant_axis("block3/attn/wo"), 1)
        self.assertEqual(bio.quant_axis("block0/ffn/w2"), 1)
        self.assertIsNone(bio.quant_axis("block0/attn/bq"))
        self.assertIsNone(bio.quant_axis("final_ln/gamma"))


class ColdTablesTest(unittest.TestCase):
    def test_popularity_and_followers_within_three_steps(self):
        sp = Split(4, [[1, 2, 3, 1, 2], [2, 4]], [0, 0], [0, 0])
        t = bio.build_cold_tables(sp, neighbours=2)
        self.assertEqual(t["popular_items"].tolist(), [2, 1, 3, 4])  # counts 3, 2, 1, 1; ties by row
        self.assertEqual(t["popular_scores"].tolist(), [1.0, np.float32(2 / 3), np.float32(1 / 3), np.float32(1 / 3)])
        # Followers of 1: 2 (1 + 1), 3 (1/2), 1 is itself (skipped) → top 2 = [2, 3], weights normalised.
        self.assertEqual(t["cooc_items"][1].tolist(), [2, 3])
        self.assertEqual(t["cooc_scores"][1].tolist(), [1.0, 0.25])
        self.assertEqual(t["cooc_items"][0].tolist(), [0, 0])


class WriteTest(unittest.TestCase):
    def _write(self, out):
        ds = parse_sasrec_text("1 1\n1 2\n1 3\n2 2\n2 3\n2 1\n")
        sp = split_leave_one_out(ds)
        rng = np.random.default_rng(1)
        arch = {"type": "sasrec", "dim": 4, "maxLen": 3, "blocks": 1, "heads": 1, "ffnDim": 4, "norm": "pre", "layerNormEps": 1e-8}
        w = {n: rng.standard_normal(bio._shape(n, 4, 3, 4, 3)).astype(np.float32) for n in bio.model_tensor_names(1)}
        return bio.write_bundle(out, name="t", version="v1", arch=arch, item_count=3, weights=w, vocab=ds.item_ids, cold=bio.build_cold_tables(sp)), w

    def test_write_and_read_back(self):
        with tempfile.TemporaryDirectory() as d:
            m, w = self._write(d)
            self.assertEqual(m["tensors"][1]["name"], "item_emb/scales")
            self.assertTrue(all(e["offset"] % 4 == 0 for e in m["tensors"]))
            m2, vocab, back = bio.read_bundle(d)
            self.assertEqual(vocab, ["1", "2", "3"])
            np.testing.assert_allclose(back["block0/attn/wq"], w["block0/attn/wq"], atol=float(np.abs(w["block0/attn/wq"]).max()) / 127)
            np.testing.assert_array_equal(back["block0/ln1/gamma"], w["block0/ln1/gamma"])

    def test_manifest_matches_the_schema(self):
        try:
            import jsonschema  # noqa: F401
        except ImportError:
            self.skipTest("jsonschema is not installed (apt-get install python3-jsonschema)")
        with tempfile.TemporaryDirectory() as d:
            m, _ = self._write(d)
            self.assertEqual(bio.schema_problems(m), [])
            bad = json.loads(json.dumps(m))
            bad["architecture"]["norm"] = "middle"
            del bad["vocabFile"]
            problems = bio.schema_problems(bad)
            self.assertEqual(len(problems), 2, problems)
            self.assertTrue(any("middle" in p for p in problems))

    def test_schema_file_is_found(self):
        self.assertTrue(os.path.exists(bio.SCHEMA_PATH), bio.SCHEMA_PATH)


if __name__ == "__main__":
    unittest.main()
