"""SASRec training with torch.distributed DistributedDataParallel.

One script for one CPU, several processes, or a GPU cluster: ranks come from ``torchrun``'s
environment (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``…) or from :func:`spawn_and_train`
(``torch.multiprocessing.spawn`` on one machine). Each rank trains on its own shard of the users;
DDP averages the gradients, so every rank holds the same weights after each step.

Loss (the winner of the accuracy work): softmax cross-entropy of the next item, over the FULL
catalogue when it fits (``loss="auto"`` picks full up to ``full_softmax_max_items`` items, 10,000 by
default) and a
sampled softmax against ``negatives`` shared uniform negatives per batch otherwise (as the
TypeScript trainer's ``--loss softmax``).
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field, asdict
from typing import Dict, List, Optional

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from .data import Split, evaluable_users
from .evaluate import evaluate_full
from .model import Architecture, SasRec


@dataclass
class TrainOptions:
    arch: Architecture = field(default_factory=Architecture)
    dropout: float = 0.2
    loss: str = "auto"  # auto | full | sampled
    negatives: int = 256
    # Full softmax costs positions × items per batch: on this 2-core CPU a Games epoch (23,715 items)
    # took > 260 s with it against 49 s with 256 sampled negatives. On GPUs raise it.
    full_softmax_max_items: int = 10_000
    lr: float = 0.001
    batch_size: int = 128  # users per batch on EACH rank
    epochs: int = 20
    seed: int = 42
    eval_every: int = 5
    valid_users: int = 10_000
    patience: int = 5
    threads: int = 1  # torch threads per rank

    def loss_kind(self, item_count: int) -> str:
        if self.loss not in ("auto", "full", "sampled"):
            raise ValueError(f'loss "{self.loss}" (accepted: auto, full, sampled)')
        if self.loss != "auto":
            return self.loss
        return "full" if item_count <= self.full_softmax_max_items else "sampled"

    def summary(self) -> dict:
        d = asdict(self)
        d["arch"] = self.arch.manifest()
        return d


def _batch_tensors(split: Split, users: List[int], max_len: int):
    """Right-aligned inputs (``s[:-1]``) and targets (``s[1:]``) of the last ``max_len`` steps."""
    T = max(1, max(min(len(split.train[u]) - 1, max_len) for u in users))
    inp = torch.zeros(len(users), T, dtype=torch.long)
    tgt = torch.zeros(len(users), T, dtype=torch.long)
    for b, u in enumerate(users):
        s = split.train[u]
        n = min(len(s) - 1, T)
        if n <= 0:
            continue
        inp[b, T - n :] = torch.tensor(s[len(s) - 1 - n : len(s) - 1])
        tgt[b, T - n :] = torch.tensor(s[len(s) - n :])
    return inp, tgt


def _length_buckets(split: Split, users: List[int], bs: int, rng: random.Random) -> List[List[int]]:
    """Batches of users of similar training length (each batch is cut to its longest), in random order (as train.ts)."""
    order = users[:]
    rng.shuffle(order)
    order.sort(key=lambda u: len(split.train[u]))  # stable: random order within one length
    batches = [order[i : i + bs] for i in range(0, len(order), bs)]
    rng.shuffle(batches)
    return batches


def _loss(model: SasRec, h: torch.Tensor, tgt: torch.Tensor, kind: str, negatives: int, gen: torch.Generator, norm: float) -> torch.Tensor:
    """Sum of the per-position losses over ``norm``, the mean number of positions per batch (the TS
    ``--loss-norm mean``): with length-bucketed batches every position then weighs the same."""
    valid = tgt > 0
    hv = h[valid]  # [P, d]
    t = tgt[valid]
    E = model.item_emb.weight
    if kind == "full":
        logits = hv @ E[1:].t()  # rows 1..N; padding is never a class
        return F.cross_entropy(logits, t - 1, reduction="sum") / norm
    neg = torch.randint(1, model.item_count + 1, (negatives,), generator=gen)
    pos_logit = (hv * E[t]).sum(-1, keepdim=True)
    neg_logit = hv @ E[neg].t()
    return (torch.logsumexp(torch.cat([pos_logit, neg_logit], -1), -1) - pos_logit.squeeze(-1)).sum() / norm


def train(split: Split, o: TrainOptions, rank: int = 0, world: int = 1, log=print) -> Dict:
    """Trains on this rank's shard (call inside an initialised process group when ``world > 1``).

    Returns ``{"model", "best_epoch", "history", "seconds"}`` (the model holds the best weights by
    validation NDCG@10, full ranking on at most ``valid_users`` users, computed on rank 0 and
    broadcast).
    """
    torch.set_num_threads(o.threads)
    torch.manual_seed(o.seed)
    random.seed(o.seed)
    kind = o.loss_kind(split.item_count)
    model = SasRec(o.arch, split.item_count, o.dropout)  # same seed → same init on every rank (DDP also broadcasts rank 0's)
    ddp = DDP(model) if world > 1 else None
    net = ddp or model
    opt = torch.optim.Adam(model.parameters(), lr=o.lr, betas=(0.9, 0.98), eps=1e-8)
    users = [u for u in range(len(split.train)) if len(split.train[u]) >= 2]
    shard = users[rank::world]
    pool = evaluable_users(split)
    vusers = random.Random(7).sample(pool, o.valid_users) if len(pool) > o.valid_users else pool
    gen = torch.Generator().manual_seed(o.seed * 1000 + rank)
    rng = random.Random(o.seed * 1000 + rank)
    # Every rank must run the same number of steps (DDP all-reduces each backward): the largest shard's.
    steps = -(-(-(-len(users) // world)) // o.batch_size)
    positions = sum(min(len(split.train[u]) - 1, o.arch.maxLen) for u in users)
    norm = max(1.0, positions / max(1, world * steps))
    history, best = [], {"ndcg": -1.0, "epoch": 0, "state": None}
    bad, started = 0, time.time()
    for epoch in range(1, o.epochs + 1):
        t0 = time.time()
        net.train()
        batches = _length_buckets(split, shard, o.batch_size, rng)
        while batches and len(batches) < steps:  # a smaller shard repeats batches to keep step with the others
            batches.append(batches[len(batches) % len(batches)])
        loss_sum = 0.0
        for i in range(steps if batches else 0):
            batch = batches[i]
            inp, tgt = _batch_tensors(split, batch, o.arch.maxLen)
            h = net(inp) if ddp else model.encode(inp)
            loss = _loss(model, h, tgt, kind, o.negatives, gen, norm)
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.item_emb.weight[0].zero_()
            loss_sum += float(loss)
        entry = {"epoch": epoch, "loss": loss_sum / max(1, steps), "seconds": time.time() - t0}
        if epoch % o.eval_every == 0 or epoch == o.epochs:
            stop = torch.zeros(1)
            if rank == 0:
                r = evaluate_full(model, split, "valid", vusers)
                entry["valid"] = {"HR@10": r["HR@10"], "NDCG@10": r["NDCG@10"]}
                if r["NDCG@10"] > best["ndcg"]:
                    best = {"ndcg": r["NDCG@10"], "epoch": epoch, "state": {k: v.clone() for k, v in model.state_dict().items()}}
                    bad = 0
                else:
                    bad += 1
                stop[0] = 1.0 if bad >= o.patience else 0.0
            if world > 1:
                dist.broadcast(stop, 0)
            if stop[0] > 0:
                history.append(entry)
                break
        history.append(entry)
        if rank == 0:
            v = entry.get("valid")
            log(f"epoch {epoch}: loss {entry['loss']:.4f} ({entry['seconds']:.1f} s)" + (f" — valid HR@10 {v['HR@10']:.4f} NDCG@10 {v['NDCG@10']:.4f}" if v else ""))
    if rank == 0 and best["state"] is not None:
        model.load_state_dict(best["state"])
    if world > 1:
        for p in model.state_dict().values():
            dist.broadcast(p, 0)
    model.eval()
    return {"model": model, "best_epoch": best["epoch"] or len(history), "history": history, "seconds": time.time() - started, "loss": kind}


def _worker(rank: int, world: int, split: Split, o: TrainOptions, port: int, out_path: str) -> None:
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        r = train(split, o, rank, world)
        if rank == 0:
            torch.save({"state": r["model"].state_dict(), **{k: r[k] for k in ("best_epoch", "history", "seconds", "loss")}}, out_path)
    finally:
        dist.destroy_process_group()


def spawn_and_train(split: Split, o: TrainOptions, procs: int, port: Optional[int] = None) -> Dict:
    """Trains with ``procs`` local processes over gloo (``torch.multiprocessing.spawn``); returns rank 0's result."""
    import torch.multiprocessing as mp

    if procs == 1:
        return train(split, o)
    import tempfile

    port = port or random.Random().randint(20000, 60000)
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "rank0.pt")
        mp.spawn(_worker, args=(procs, split, o, port, out_path), nprocs=procs, join=True)
        r = torch.load(out_path)
    model = SasRec(o.arch, split.item_count)
    model.load_state_dict(r.pop("state"))
    return {"model": model.eval(), **r}
