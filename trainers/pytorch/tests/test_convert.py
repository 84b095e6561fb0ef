"""The SASRec.pytorch converter on a checkpoint made here, in that layout, from the layout's own
torch modules (nn.Embedding, nn.MultiheadAttention, 1×1 nn.Conv1d, nn.LayerNorm).

Run from trainers/pytorch: ``python3 -m unittest -v tests.test_convert``. With
LOCALREC_CONVERT_OUT set, the converted bundles are left there (converted-int8, converted-fp32) for
the TypeScript validator (test/e2e/pytorch-parity.test.ts).
"""

import json
import os
import tempfile
import unittest

import numpy as np
import torch
from torch import nn

from localrec_torch import bundle as bio
from localrec_torch.cli import main
from localrec_torch.convert import convert_sasrec_pytorch, infer_architecture
from localrec_torch.model import from_bundle_weights, pack

D, L, BLOCKS, HEADS, ITEMS = 16, 8, 2, 2, 40


class Layout(nn.Module):
    """The module tree of SASRec.pytorch (names and shapes), with a pre-LN (norm_first) forward pass."""

    def __init__(self):
        super().__init__()
        self.item_emb = nn.Embedding(ITEMS + 1, D, padding_idx=0)
        self.pos_emb = nn.Embedding(L + 1, D, padding_idx=0)
        self.attention_layernorms = nn.ModuleList(nn.LayerNorm(D, eps=1e-8) for _ in range(BLOCKS))
        self.attention_layers = nn.ModuleList(nn.MultiheadAttention(D, HEADS) for _ in range(BLOCKS))
        self.forward_layernorms = nn.ModuleList(nn.LayerNorm(D, eps=1e-8) for _ in range(BLOCKS))
        self.forward_layers = nn.ModuleList(nn.ModuleDict({"conv1": nn.Conv1d(D, D, 1), "conv2": nn.Conv1d(D, D, 1)}) for _ in range(BLOCKS))
        self.last_layernorm = nn.LayerNorm(D, eps=1e-8)
        with torch.no_grad():
            for p in self.parameters():  # non-trivial LayerNorm parameters and biases too
                p.add_(torch.randn_like(p) * 0.1)
            self.item_emb.weight[0].zero_()
            self.pos_emb.weight[0].zero_()

    def user(self, log_seqs: torch.Tensor) -> torch.Tensor:
        """Full-length (no padding) histories [B, L] → user vectors, the layout's own computation."""
        x = self.item_emb(log_seqs) * D**0.5
        x = x + self.pos_emb(torch.arange(1, L + 1).expand_as(log_seqs))
        causal = ~torch.tril(torch.ones(L, L, dtype=torch.bool))
        for i in range(BLOCKS):
            x = x.transpose(0, 1)  # nn.MultiheadAttention without batch_first: [T, B, d]
            h = self.attention_layernorms[i](x)
            a, _ = self.attention_layers[i](h, h, h, attn_mask=causal)
            x = (x + a).transpose(0, 1)
            f = self.forward_layers[i]
            g = self.forward_layernorms[i](x).transpose(-1, -2)
            x = x + f["conv2"](torch.relu(f["conv1"](g))).transpose(-1, -2)
        return self.last_layernorm(x)[:, -1]


class ConvertTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(3)
        self.ref = Layout().eval()
        self.tmp = tempfile.mkdtemp()
        self.ckpt = os.path.join(self.tmp, "SASRec.epoch=200.pth")
        torch.save(self.ref.state_dict(), self.ckpt)
        rnd = np.random.default_rng(5)
        lines = []
        for u in range(1, 61):
            for _ in range(int(rnd.integers(4, 14))):
                lines.append(f"{u} {int(rnd.integers(1, ITEMS + 1))}")
        lines.append(f"61 {ITEMS}")  # every item id appears, so itemCount = ITEMS
        self.data = os.path.join(self.tmp, "data.txt")
        with open(self.data, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.out = os.environ.get("LOCALREC_CONVERT_OUT") or self.tmp

    def test_infers_the_architecture_from_the_shapes(self):
        a = infer_architecture(torch.load(self.ckpt), heads=HEADS)
        self.assertEqual((a.dim, a.maxLen, a.blocks, a.ffnDim), (D, L, BLOCKS, D))

    def test_converted_model_scores_as_the_checkpoint(self):
        arch = infer_architecture(torch.load(self.ckpt), heads=HEADS)
        m = convert_sasrec_pytorch(torch.load(self.ckpt), arch, ITEMS)
        seqs = torch.randint(1, ITEMS + 1, (12, L))
        with torch.no_grad():
            want = self.ref.user(seqs) @ self.ref.item_emb.weight.t()
            got = m.scores(seqs)
        self.assertLess(float((want - got).abs().max()), 1e-4)

    def test_cli_writes_bundles_that_round_trip(self):
        args = ["--checkpoint", self.ckpt, "--data", self.data, "--dim", str(D), "--max-len", str(L), "--blocks", str(BLOCKS), "--heads", str(HEADS)]
        for name, extra in (("converted-fp32", ["--fp32"]), ("converted-int8", [])):
            out = os.path.join(self.out, name)
            self.assertEqual(main(["convert", *args, "--out", out, *extra]), 0)
            m, vocab, w = bio.read_bundle(out)
            self.assertEqual(m["itemCount"], ITEMS)
            self.assertEqual(vocab, [str(i) for i in range(1, ITEMS + 1)])
            self.assertEqual(m["training"]["convertedFrom"]["layout"], "pmixer/SASRec.pytorch")
            model = from_bundle_weights(infer_architecture(torch.load(self.ckpt), heads=HEADS), ITEMS, w)
            seqs = torch.randint(1, ITEMS + 1, (8, L))
            with torch.no_grad():
                want = self.ref.user(seqs) @ self.ref.item_emb.weight.t()
                got = model.scores(pack(seqs.tolist(), L))
            # fp32: the same weights; int8: per-row/per-column quantisation (~1% of each weight's range).
            tol = 1e-4 if extra else 0.05 * float(want.abs().max())
            self.assertLess(float((want - got).abs().max()), tol, name)

    def test_rejects_a_checkpoint_that_does_not_fit(self):
        arch = infer_architecture(torch.load(self.ckpt), heads=HEADS)
        with self.assertRaisesRegex(ValueError, r"item_emb.weight has shape \[41, 16\], the data needs \[51, 16\]"):
            convert_sasrec_pytorch(torch.load(self.ckpt), arch, 50)
        state = torch.load(self.ckpt)
        del state["last_layernorm.bias"]
        with self.assertRaisesRegex(KeyError, "last_layernorm.bias"):
            convert_sasrec_pytorch(state, arch, ITEMS)


if __name__ == "__main__":
    unittest.main()
