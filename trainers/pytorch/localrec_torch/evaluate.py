"""Leave-one-out evaluation with the metrics of packages/trainer/src/evaluate.ts and metrics.ts.

``full``: the target is ranked against every item except padding and the user's other history
items; the 0-based rank counts the items scored above the target plus half of those tied with it.
The sampled-100 protocol draws negatives with the TypeScript seeded generator and is not reproduced
here: full ranking is the protocol both tools compute identically.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional

import torch

from .data import Split, evaluable_users
from .model import SasRec, pack

CUTOFFS = (1, 5, 10, 20)


def history_for(split: Split, u: int, target: str) -> List[int]:
    return list(split.train[u]) if target == "valid" else list(split.train[u]) + [split.valid[u]]


@torch.no_grad()
def evaluate_full(model: SasRec, split: Split, target: str = "test", users: Optional[List[int]] = None, batch_size: int = 256) -> Dict[str, float]:
    """Full-ranking HR@k, NDCG@k, Recall@k, Precision@k (k = 1, 5, 10, 20) and MRR, plus ``users``."""
    model.eval()
    users = evaluable_users(split) if users is None else users
    sums: Dict[str, float] = {}
    n = 0

    def add(k: str, v: float) -> None:
        sums[k] = sums.get(k, 0.0) + v

    N = split.item_count
    for i in range(0, len(users), batch_size):
        batch = users[i : i + batch_size]
        hist = [history_for(split, u, target) for u in batch]
        scores = model.scores(pack(hist, model.arch.maxLen))  # float32 [B, N + 1]
        for b, u in enumerate(batch):
            tgt = split.valid[u] if target == "valid" else split.test[u]
            s = scores[b].clone()
            excluded = set(split.train[u]) | {split.valid[u], split.test[u], 0}
            excluded.discard(tgt)
            keep = torch.ones(N + 1, dtype=torch.bool)
            keep[list(excluded)] = False
            keep[tgt] = False
            t = s[tgt]
            cand = s[keep]
            rank = float((cand > t).sum()) + float((cand == t).sum()) / 2
            n += 1
            for k in CUTOFFS:
                hit = 1.0 if rank < k else 0.0
                add(f"HR@{k}", hit)
                add(f"NDCG@{k}", 1 / math.log2(rank + 2) if rank < k else 0.0)
                add(f"Recall@{k}", hit)
                add(f"Precision@{k}", hit / k)
            add("MRR", 1 / (rank + 1))
    out = {k: (v / n if n else 0.0) for k, v in sums.items()}
    out["users"] = n
    return out


@torch.no_grad()
def top_k(model: SasRec, histories: List[List[int]], k: int = 10) -> List[List[tuple]]:
    """Per history: the ``k`` best ``(row, score)`` pairs, history items and padding excluded (as recommend())."""
    model.eval()
    scores = model.scores(pack(histories, model.arch.maxLen))
    out = []
    for b, h in enumerate(histories):
        s = scores[b].clone()
        s[0] = -math.inf
        s[list(set(h))] = -math.inf
        order = sorted(range(1, s.numel()), key=lambda r: (-float(s[r]), r))[:k]
        out.append([(r, float(s[r])) for r in order])
    return out
