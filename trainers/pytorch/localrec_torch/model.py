"""SASRec (Kang & McAuley 2018) computing exactly what packages/model/README.md ("The computation")
describes, so its weights can be exported to a LocalRec bundle tensor for tensor.

The attention is written out (not ``nn.MultiheadAttention``) so every weight maps onto one bundle
tensor: ``wq/wk/wv/wo`` are ``nn.Linear`` layers whose ``[out, in]`` weights the exporter transposes
to the bundle's ``[in, out]`` kernels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, asdict

import torch
from torch import nn

NEG_INF = -1e9


@dataclass
class Architecture:
    """The bundle's ``manifest.architecture`` (see packages/model/src/format.ts)."""

    dim: int = 50
    maxLen: int = 50
    blocks: int = 2
    heads: int = 1
    ffnDim: int = 50
    norm: str = "pre"
    layerNormEps: float = 1e-8

    def __post_init__(self) -> None:
        if self.norm not in ("pre", "post"):
            raise ValueError(f'norm "{self.norm}" (accepted: pre, post)')
        if self.dim % self.heads:
            raise ValueError(f"dim {self.dim} must be divisible by heads {self.heads}")
        for k in ("dim", "maxLen", "blocks", "heads", "ffnDim"):
            v = getattr(self, k)
            if not isinstance(v, int) or v < (0 if k == "blocks" else 1):
                raise ValueError(f"{k} {v!r} must be a positive integer")

    def manifest(self) -> dict:
        return {"type": "sasrec", **asdict(self)}


class Block(nn.Module):
    def __init__(self, a: Architecture, dropout: float):
        super().__init__()
        d = a.dim
        self.heads = a.heads
        self.pre = a.norm == "pre"
        self.ln1 = nn.LayerNorm(d, eps=a.layerNormEps)
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d, d) for _ in range(4))
        self.ln2 = nn.LayerNorm(d, eps=a.layerNormEps)
        self.w1 = nn.Linear(d, a.ffnDim)
        self.w2 = nn.Linear(a.ffnDim, d)
        self.drop = nn.Dropout(dropout)

    def attention(self, h: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        B, T, d = h.shape
        H = self.heads
        dh = d // H

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(B, T, H, dh).transpose(1, 2)  # [B, H, T, dh]

        q, k, v = split(self.wq(h)), split(self.wk(h)), split(self.wv(h))
        s = q @ k.transpose(-1, -2) * (1 / math.sqrt(dh)) + bias  # bias [B, 1, T, T]
        w = self.drop(torch.softmax(s, dim=-1))
        out = (w @ v).transpose(1, 2).reshape(B, T, d)
        return self.wo(out)

    def ffn(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.w2(self.drop(torch.relu(self.w1(x)))))

    def forward(self, x: torch.Tensor, bias: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.pre:
            h = self.ln1(x)
            x = x + self.attention(h, bias)
            x = x + self.ffn(self.ln2(x))
        else:
            x = self.ln1(x + self.attention(x, bias))
            x = self.ln2(x + self.ffn(x))
        return x * mask


class SasRec(nn.Module):
    """SASRec over item rows ``1..item_count`` (row 0 = padding).

    Inputs are right-aligned ``[B, T]`` row tensors (0 = padding), ``T ≤ maxLen``; slot ``t`` gets
    position ``maxLen − T + t``, so a left-padded batch gives every sequence the bundle's positions.
    """

    def __init__(self, a: Architecture, item_count: int, dropout: float = 0.0):
        super().__init__()
        self.arch = a
        self.item_count = item_count
        self.item_emb = nn.Embedding(item_count + 1, a.dim, padding_idx=0)
        self.pos_emb = nn.Parameter(torch.empty(a.maxLen, a.dim))
        self.blocks = nn.ModuleList(Block(a, dropout) for _ in range(a.blocks))
        self.final_ln = nn.LayerNorm(a.dim, eps=a.layerNormEps)
        self.drop = nn.Dropout(dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Xavier-normal weights and zero biases, as the TypeScript trainer (params.ts)."""
        for p in (self.item_emb.weight, self.pos_emb):
            nn.init.xavier_normal_(p)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()
        for b in self.blocks:
            for lin in (b.wq, b.wk, b.wv, b.wo, b.w1, b.w2):
                nn.init.xavier_normal_(lin.weight)
                nn.init.zeros_(lin.bias)

    def encode(self, rows: torch.Tensor) -> torch.Tensor:
        """Hidden states ``[B, T, d]`` after the final LayerNorm (the last slot is the user)."""
        B, T = rows.shape
        a = self.arch
        if T > a.maxLen:
            raise ValueError(f"sequence length {T} exceeds maxLen {a.maxLen}")
        mask = (rows > 0).unsqueeze(-1).to(self.pos_emb.dtype)  # [B, T, 1]
        x = self.item_emb(rows) * math.sqrt(a.dim) + self.pos_emb[a.maxLen - T :]
        x = self.drop(x) * mask
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool, device=rows.device))
        allowed = causal.view(1, 1, T, T) & (rows > 0).view(B, 1, 1, T)
        bias = (~allowed).to(x.dtype) * NEG_INF
        for blk in self.blocks:
            x = blk(x, bias, mask)
        return self.final_ln(x)

    forward = encode

    def user_vectors(self, rows: torch.Tensor) -> torch.Tensor:
        return self.encode(rows)[:, -1]

    def scores(self, rows: torch.Tensor) -> torch.Tensor:
        """``[B, item_count + 1]`` scores (column 0 is padding) for right-aligned histories."""
        return self.user_vectors(rows) @ self.item_emb.weight.t()


def pack(seqs, max_len: int, device=None) -> torch.Tensor:
    """Right-aligns the last ``max_len`` rows of each sequence into a ``[B, T]`` tensor (0 = padding)."""
    T = max(1, min(max_len, max((len(s) for s in seqs), default=1)))
    out = torch.zeros(len(seqs), T, dtype=torch.long)
    for b, s in enumerate(seqs):
        s = list(s)[-T:]
        if s:
            out[b, T - len(s) :] = torch.tensor(s, dtype=torch.long)
    return out if device is None else out.to(device)


_LINEAR = {"attn/wq": "wq", "attn/wk": "wk", "attn/wv": "wv", "attn/wo": "wo", "ffn/w1": "w1", "ffn/w2": "w2"}
_BIAS = {"attn/bq": "wq", "attn/bk": "wk", "attn/bv": "wv", "attn/bo": "wo", "ffn/b1": "w1", "ffn/b2": "w2"}
_LN = {"ln1": "ln1", "ln2": "ln2"}


def to_bundle_weights(m: SasRec) -> dict:
    """Bundle tensor name → float32 numpy array; ``nn.Linear`` ``[out, in]`` weights transposed to ``[in, out]``."""
    g = lambda t: t.detach().cpu().float().numpy().copy()  # noqa: E731
    w = {"item_emb": g(m.item_emb.weight), "pos_emb": g(m.pos_emb)}
    for b, blk in enumerate(m.blocks):
        for n, lin in _LINEAR.items():
            w[f"block{b}/{n}"] = g(getattr(blk, lin).weight.t())
        for n, lin in _BIAS.items():
            w[f"block{b}/{n}"] = g(getattr(blk, lin).bias)
        for ln in _LN:
            w[f"block{b}/{ln}/gamma"] = g(getattr(blk, ln).weight)
            w[f"block{b}/{ln}/beta"] = g(getattr(blk, ln).bias)
    w["final_ln/gamma"], w["final_ln/beta"] = g(m.final_ln.weight), g(m.final_ln.bias)
    return w


def from_bundle_weights(a: Architecture, item_count: int, w: dict) -> SasRec:
    """A :class:`SasRec` holding bundle weights (e.g. dequantised int8), for scoring exactly what ships."""
    m = SasRec(a, item_count)
    t = lambda x: torch.as_tensor(x, dtype=torch.float32).clone()  # noqa: E731
    with torch.no_grad():
        m.item_emb.weight.copy_(t(w["item_emb"]))
        m.pos_emb.copy_(t(w["pos_emb"]))
        for b, blk in enumerate(m.blocks):
            for n, lin in _LINEAR.items():
                getattr(blk, lin).weight.copy_(t(w[f"block{b}/{n}"]).t())
            for n, lin in _BIAS.items():
                getattr(blk, lin).bias.copy_(t(w[f"block{b}/{n}"]))
            for ln in _LN:
                getattr(blk, ln).weight.copy_(t(w[f"block{b}/{ln}/gamma"]))
                getattr(blk, ln).bias.copy_(t(w[f"block{b}/{ln}/beta"]))
        m.final_ln.weight.copy_(t(w["final_ln/gamma"]))
        m.final_ln.bias.copy_(t(w["final_ln/beta"]))
    return m.eval()
