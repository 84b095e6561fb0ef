"""``python3 -m localrec_torch <command>`` — train, eval, topk, convert (run from trainers/pytorch).

  train   --data FILE --out DIR [--procs N] [architecture and training options]
          one machine: --procs N local processes over gloo; a cluster: launch with torchrun
          (``torchrun --nproc_per_node 8 -m localrec_torch train …``), ranks come from its environment.
  eval    --bundle DIR --data FILE [--target test|valid]     full-ranking metrics of the bundle as shipped
  topk    --bundle DIR --sequences JSON [--k 10]              top-k item ids per history (history excluded)
  convert --checkpoint FILE.pth --data FILE --out DIR --dim … a SASRec.pytorch checkpoint into a bundle

Every command prints one JSON object as the last line of its output. Exit codes: 0 done, 1 failed,
2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timezone

import numpy as np
import torch

from . import bundle as bio
from .data import Split, load_dataset, split_leave_one_out
from .evaluate import evaluate_full, top_k
from .model import Architecture, SasRec, from_bundle_weights, to_bundle_weights

KEYS = ["HR@1", "HR@5", "HR@10", "HR@20", "NDCG@5", "NDCG@10", "NDCG@20", "MRR", "Recall@10", "Precision@10", "Recall@20", "Precision@20"]


def _arch_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dim", type=int, default=50)
    p.add_argument("--max-len", type=int, default=50)
    p.add_argument("--blocks", type=int, default=2)
    p.add_argument("--heads", type=int, default=1)
    p.add_argument("--ffn-dim", type=int, default=None, help="feed-forward width (default: --dim)")
    p.add_argument("--norm", choices=["pre", "post"], default="pre")
    p.add_argument("--layer-norm-eps", type=float, default=1e-8)


def _arch(a) -> Architecture:
    return Architecture(a.dim, a.max_len, a.blocks, a.heads, a.ffn_dim or a.dim, a.norm, a.layer_norm_eps)


def _bundle_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="bundle folder to write")
    p.add_argument("--name", default=None, help="bundle name (default: the --out folder name)")
    p.add_argument("--fp32", action="store_true", help="keep float32 weights (default: int8 quantised)")
    p.add_argument("--cooc-neighbours", type=int, default=10)
    p.add_argument("--catalog", default=None, help="item metadata JSON shipped as catalog.json (names, categories, brands for labels)")
    p.add_argument("--segments", type=int, default=16, help="interest segments to ship (k-means of the item embeddings); 0: none")


def _load(path: str):
    ds = load_dataset(path)
    for line, reason in ds.bad_rows[:20]:
        print(f"  line {line}: {reason}", file=sys.stderr)
    sp = split_leave_one_out(ds)
    summary = {"file": os.path.basename(path), "format": ds.format, "users": len(ds.user_ids), "items": len(ds.item_ids),
               "interactions": sum(len(s) for s in ds.sequences), "badRows": len(ds.bad_rows)}  # fmt: skip
    return ds, sp, summary


def _pick(r: dict) -> dict:
    return {k: r[k] for k in KEYS}


def export(model: SasRec, sp: Split, vocab, a, version: str, training: dict) -> dict:
    """Writes the bundle with fp32 and int8 full-ranking test metrics; returns them."""
    w = to_bundle_weights(model)
    quant = not a.fp32
    metrics = {"sasrec-fp32/full": _pick(evaluate_full(model, sp, "test"))}
    if quant:
        stored = from_bundle_weights(model.arch, sp.item_count, bio.round_trip(w, model.arch.blocks, True))
        metrics["sasrec-int8/full"] = _pick(evaluate_full(stored, sp, "test"))
    cold = bio.build_cold_tables(sp, neighbours=a.cooc_neighbours)
    bio.write_bundle(a.out, name=a.name or os.path.basename(os.path.abspath(a.out)), version=version, arch=model.arch.manifest(),
                     item_count=sp.item_count, weights=w, vocab=vocab, cold=cold, quantize=quant, training=training, metrics=metrics,
                     catalog=_catalog(a), segments=a.segments)  # fmt: skip
    return metrics


def _catalog(a):
    """The --catalog JSON (item metadata shipped in the bundle and used for segment labels), or None."""
    if not a.catalog:
        return None
    with open(a.catalog, encoding="utf-8") as f:
        return json.load(f)


def cmd_train(a) -> dict:
    from .train import TrainOptions, spawn_and_train, train

    ds, sp, summary = _load(a.data)
    o = TrainOptions(arch=_arch(a), dropout=a.dropout, loss=a.loss, negatives=a.negatives, full_softmax_max_items=a.full_softmax_max_items, lr=a.lr, batch_size=a.batch_size,
                     epochs=a.epochs, seed=a.seed, eval_every=a.eval_every, valid_users=a.valid_users, patience=a.patience,
                     threads=a.threads)  # fmt: skip
    if "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1:  # under torchrun
        import torch.distributed as dist

        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        r = train(sp, o, rank, world)
        dist.destroy_process_group()
        if rank != 0:
            return {}
    else:
        world = a.procs
        r = spawn_and_train(sp, o, a.procs)
    version = f"{datetime.now(timezone.utc).strftime('%Y-%m-%d')}-e{r['best_epoch']}-s{a.seed}"
    training = {"data": summary, "options": o.summary(), "bestEpoch": r["best_epoch"], "epochsRun": len(r["history"]),
                "seconds": round(r["seconds"]), "backend": f"pytorch-{torch.__version__}-ddp{world}", "loss": r["loss"]}  # fmt: skip
    metrics = export(r["model"], sp, ds.item_ids, a, version, training)
    if a.fp32_out:  # the same weights unquantised, e.g. to check the int8 step against the TypeScript quantiser
        bio.write_bundle(a.fp32_out, name=os.path.basename(os.path.abspath(a.fp32_out)), version=version, arch=r["model"].arch.manifest(),
                         item_count=sp.item_count, weights=to_bundle_weights(r["model"]), vocab=ds.item_ids,
                         cold=bio.build_cold_tables(sp, neighbours=a.cooc_neighbours), quantize=False, training=training,
                         catalog=_catalog(a), segments=a.segments)  # fmt: skip
    return {"bundle": a.out, "bestEpoch": r["best_epoch"], "seconds": r["seconds"], "history": r["history"], "metrics": metrics, "world": world}


def _bundle_model(path: str):
    m, vocab, w = bio.read_bundle(path)
    arch = m["architecture"]
    a = Architecture(arch["dim"], arch["maxLen"], arch["blocks"], arch["heads"], arch["ffnDim"], arch["norm"], arch["layerNormEps"])
    return m, vocab, from_bundle_weights(a, m["itemCount"], w)


def cmd_eval(a) -> dict:
    """Full-ranking metrics of the bundle's (dequantised) weights; data rows mapped through the vocabulary, as the TS eval."""
    m, vocab, model = _bundle_model(a.bundle)
    ds, sp, _ = _load(a.data)
    row_of = {v: i + 1 for i, v in enumerate(vocab)}
    remap = lambda r: row_of.get(ds.item_ids[r - 1], 0) if r else 0  # noqa: E731
    mapped = Split(m["itemCount"], [[x for x in map(remap, t) if x > 0] for t in sp.train], [remap(r) for r in sp.valid], [remap(r) for r in sp.test])
    r = evaluate_full(model, mapped, a.target)
    return {"bundle": m["name"], "version": m["version"], "protocol": "full", "target": a.target, "users": r["users"], "metrics": r}


def cmd_topk(a) -> dict:
    m, vocab, model = _bundle_model(a.bundle)
    seqs = json.loads(a.sequences)
    row_of = {v: i + 1 for i, v in enumerate(vocab)}
    hist = [[row_of[i] for i in s if i in row_of] for s in seqs]
    res = top_k(model, hist, a.k)
    return {"results": [[{"itemId": vocab[r - 1], "score": s} for r, s in lst] for lst in res]}


def cmd_convert(a) -> dict:
    from .convert import convert_sasrec_pytorch

    ds, sp, summary = _load(a.data)
    state = torch.load(a.checkpoint, map_location="cpu")
    model = convert_sasrec_pytorch(state, _arch(a), sp.item_count)
    version = a.version or f"{datetime.now(timezone.utc).strftime('%Y-%m-%d')}-sasrec-pytorch"
    training = {"data": summary, "convertedFrom": {"layout": "pmixer/SASRec.pytorch", "file": os.path.basename(a.checkpoint)}}
    metrics = export(model, sp, ds.item_ids, a, version, training)
    return {"bundle": a.out, "metrics": metrics}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="localrec_torch", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train SASRec (DDP) and write a bundle")
    t.add_argument("--data", required=True, help='SASRec .txt ("userId itemId" lines), or an event log .csv / .jsonl / .ndjson')
    _bundle_args(t)
    _arch_args(t)
    t.add_argument("--fp32-out", default=None, help="also write the float32 bundle of the same weights here")
    t.add_argument("--procs", type=int, default=1, help="local processes (gloo); ignored under torchrun")
    t.add_argument("--threads", type=int, default=1, help="torch threads per process")
    t.add_argument("--dropout", type=float, default=0.2)
    t.add_argument("--loss", choices=["auto", "full", "sampled"], default="auto", help="softmax over the full catalogue or sampled negatives")
    t.add_argument("--negatives", type=int, default=256, help="shared negatives per batch (sampled softmax)")
    t.add_argument("--full-softmax-max-items", type=int, default=10_000, help="--loss auto: full softmax up to this many items")
    t.add_argument("--lr", type=float, default=0.001)
    t.add_argument("--batch-size", type=int, default=128, help="users per batch per process")
    t.add_argument("--epochs", type=int, default=20)
    t.add_argument("--seed", type=int, default=42)
    t.add_argument("--eval-every", type=int, default=5)
    t.add_argument("--valid-users", type=int, default=10_000)
    t.add_argument("--patience", type=int, default=5)
    e = sub.add_parser("eval", help="full-ranking metrics of a bundle")
    e.add_argument("--bundle", required=True)
    e.add_argument("--data", required=True, help="the same formats as train")
    e.add_argument("--target", choices=["test", "valid"], default="test")
    k = sub.add_parser("topk", help="top-k item ids for histories of item ids")
    k.add_argument("--bundle", required=True)
    k.add_argument("--sequences", required=True, help='JSON array of arrays of item ids, e.g. [["3","4"]]')
    k.add_argument("--k", type=int, default=10)
    c = sub.add_parser("convert", help="SASRec.pytorch checkpoint (state_dict .pth) into a bundle")
    c.add_argument("--checkpoint", required=True)
    c.add_argument("--data", required=True, help="the data the checkpoint was trained on (rows, split, cold-start tables)")
    c.add_argument("--version", default=None)
    _bundle_args(c)
    _arch_args(c)
    return p


def main(argv=None) -> int:
    try:
        a = parser().parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        out = {"train": cmd_train, "eval": cmd_eval, "topk": cmd_topk, "convert": cmd_convert}[a.command](a)
    except (ValueError, KeyError, FileNotFoundError) as e:
        print(f"localrec_torch: {e}", file=sys.stderr)
        return 1
    if out:
        print(json.dumps(out))
    return 0
