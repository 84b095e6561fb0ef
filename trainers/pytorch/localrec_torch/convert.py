"""Import from elsewhere: a checkpoint in the layout of the widely used SASRec.pytorch
(github.com/pmixer/SASRec.pytorch) into a :class:`~localrec_torch.model.SasRec`, then a bundle.

The layout (its ``model.state_dict()``, saved with ``torch.save``)::

  item_emb.weight                          [itemCount + 1, d]   (padding_idx 0)
  pos_emb.weight                           [maxLen + 1, d]      positions 1..maxLen, 0 = padding
                                           (or [maxLen, d]: positions 0..maxLen-1, older versions)
  attention_layernorms.{b}.weight/.bias    [d]
  attention_layers.{b}.in_proj_weight      [3d, d]  nn.MultiheadAttention: Wq; Wk; Wv stacked, [out, in]
  attention_layers.{b}.in_proj_bias        [3d]
  attention_layers.{b}.out_proj.weight     [d, d]   .bias [d]
  forward_layernorms.{b}.weight/.bias      [d]
  forward_layers.{b}.conv1.weight          [ffn, d, 1]  1×1 Conv1d = a dense layer [out, in, 1]
  forward_layers.{b}.conv2.weight          [d, ffn, 1]  .bias
  last_layernorm.weight/.bias              [d]

SASRec.pytorch pads every history on the left to ``maxlen``, so the newest item always sits at
position ``maxlen``: the bundle's ``pos_emb[t]`` is the checkpoint's position ``t + 1``.

What the bundle computes is LocalRec's SASRec (packages/model/README.md): with ``norm="pre"``
SASRec.pytorch's ``norm_first`` blocks (``x + MHA(LN(x))``, ``x + FFN(LN(x))``), with
``norm="post"`` its post-LN blocks. Differences to know: LocalRec also masks padding KEYS (the
reference attends to zero-padded slots), so for histories shorter than ``maxlen`` scores can differ
slightly from the checkpoint's own; older SASRec.pytorch versions added the FFN's input inside the
FFN and normalised only the attention query, which is a different computation this converter
cannot detect from the weights.
"""

from __future__ import annotations

from typing import Mapping

import torch

from .model import Architecture, SasRec


def _t(state: Mapping[str, torch.Tensor], key: str) -> torch.Tensor:
    if key not in state:
        raise KeyError(f'checkpoint: "{key}" missing (not the SASRec.pytorch layout?)')
    return state[key].detach().float()


def infer_architecture(state: Mapping[str, torch.Tensor], heads: int = 1, norm: str = "pre", layer_norm_eps: float = 1e-8) -> Architecture:
    """dim, maxLen, blocks and ffnDim from the tensor shapes (heads, norm and eps are not in the weights)."""
    blocks = len({k.split(".")[1] for k in state if k.startswith("attention_layers.")})
    d = _t(state, "item_emb.weight").shape[1]
    P = _t(state, "pos_emb.weight").shape[0]
    ffn = _t(state, "forward_layers.0.conv1.weight").shape[0] if blocks else d
    return Architecture(d, P - 1, blocks, heads, ffn, norm, layer_norm_eps)


def convert_sasrec_pytorch(state: Mapping[str, torch.Tensor], arch: Architecture, item_count: int) -> SasRec:
    """A :class:`SasRec` holding the checkpoint's weights. ``arch`` must match the checkpoint's shapes."""
    if isinstance(state, torch.nn.Module):
        state = state.state_dict()
    if "model_state_dict" in state:
        state = state["model_state_dict"]
    E = _t(state, "item_emb.weight")
    d = arch.dim
    if tuple(E.shape) != (item_count + 1, d):
        raise ValueError(f"item_emb.weight has shape {list(E.shape)}, the data needs [{item_count + 1}, {d}] (--dim {d})")
    P = _t(state, "pos_emb.weight")
    if tuple(P.shape) == (arch.maxLen + 1, d):
        pos = P[1:]
    elif tuple(P.shape) == (arch.maxLen, d):
        pos = P
    else:
        raise ValueError(f"pos_emb.weight has shape {list(P.shape)}, expected [{arch.maxLen + 1}, {d}] or [{arch.maxLen}, {d}] (--max-len {arch.maxLen})")
    found = len({k.split(".")[1] for k in state if k.startswith("attention_layers.")})
    if found != arch.blocks:
        raise ValueError(f"checkpoint has {found} blocks, --blocks is {arch.blocks}")
    m = SasRec(arch, item_count)
    with torch.no_grad():
        m.item_emb.weight.copy_(E)
        m.item_emb.weight[0].zero_()
        m.pos_emb.copy_(pos)
        for b, blk in enumerate(m.blocks):
            W = _t(state, f"attention_layers.{b}.in_proj_weight")
            Bi = _t(state, f"attention_layers.{b}.in_proj_bias")
            if tuple(W.shape) != (3 * d, d):
                raise ValueError(f"attention_layers.{b}.in_proj_weight has shape {list(W.shape)}, expected [{3 * d}, {d}]")
            for j, lin in enumerate((blk.wq, blk.wk, blk.wv)):
                lin.weight.copy_(W[j * d : (j + 1) * d])
                lin.bias.copy_(Bi[j * d : (j + 1) * d])
            blk.wo.weight.copy_(_t(state, f"attention_layers.{b}.out_proj.weight"))
            blk.wo.bias.copy_(_t(state, f"attention_layers.{b}.out_proj.bias"))
            blk.ln1.weight.copy_(_t(state, f"attention_layernorms.{b}.weight"))
            blk.ln1.bias.copy_(_t(state, f"attention_layernorms.{b}.bias"))
            blk.ln2.weight.copy_(_t(state, f"forward_layernorms.{b}.weight"))
            blk.ln2.bias.copy_(_t(state, f"forward_layernorms.{b}.bias"))
            for conv, lin in (("conv1", blk.w1), ("conv2", blk.w2)):
                w = _t(state, f"forward_layers.{b}.{conv}.weight")
                if w.dim() != 3 or w.shape[2] != 1 or tuple(w.shape[:2]) != tuple(lin.weight.shape):
                    raise ValueError(f"forward_layers.{b}.{conv}.weight has shape {list(w.shape)}, expected {list(lin.weight.shape) + [1]} (--ffn-dim)")
                lin.weight.copy_(w[:, :, 0])
                lin.bias.copy_(_t(state, f"forward_layers.{b}.{conv}.bias"))
        m.final_ln.weight.copy_(_t(state, "last_layernorm.weight"))
        m.final_ln.bias.copy_(_t(state, "last_layernorm.bias"))
    return m.eval()
