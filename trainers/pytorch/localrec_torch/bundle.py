"""Writing and reading LocalRec bundles (format version 1, packages/model/README.md).

Everything here mirrors the TypeScript side so both tools produce the same bytes for the same
weights: int8 quantisation as packages/model/src/quant.ts, the tensor order and alignment of
packages/trainer/src/bundle-io.ts, cold-start tables as packages/trainer/src/cold-start.ts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime, timezone
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .data import Split
from .segments import CENTROIDS_TENSOR, SEGMENTS_FILE, build_segments, catalog_meta, segments_file

FORMAT = "localrec-bundle"
FORMAT_VERSION = 1
BLOCK_TENSORS = [
    "ln1/gamma", "ln1/beta", "attn/wq", "attn/bq", "attn/wk", "attn/bk", "attn/wv", "attn/bv",
    "attn/wo", "attn/bo", "ln2/gamma", "ln2/beta", "ffn/w1", "ffn/b1", "ffn/w2", "ffn/b2",
]  # fmt: skip
QUANT_DESCRIPTION = (
    "int8 symmetric. Embedding tables (item_emb, pos_emb): one float32 scale per row (axis 0). "
    "Dense kernels (attn/w*, ffn/w*; shape [in, out]): one scale per output channel (last axis). "
    "LayerNorm parameters, biases and cold-start tables stay float32/int32. The runtime dequantises "
    "once at load and holds float32 in memory (tfjs has no int8 matmul; dequantising per query was ~25x slower)."
)
_DTYPES = {"float32": np.float32, "int8": np.int8, "int32": np.int32, "uint16": np.uint16}
SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "model", "manifest.schema.json")


# ---- quantisation (packages/model/src/quant.ts) ------------------------------------------------


def _js_round(v: np.ndarray) -> np.ndarray:
    """JavaScript's Math.round (halves round towards +∞), exactly."""
    f = np.floor(v)
    return f + (v - f >= 0.5)


def quantize_int8(x: np.ndarray, axis: int) -> Tuple[np.ndarray, np.ndarray]:
    """Symmetric int8: ``scale = max|x| / 127`` per row (axis 0) or per column (axis 1), ``q = round(x / scale)``."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or axis not in (0, 1):
        raise ValueError(f"quantize_int8: a 2-D matrix and axis 0 or 1, got shape {x.shape} and axis {axis}")
    max_abs = np.abs(x).max(axis=1 - axis)  # float32, as the Float32Array maxAbs
    scales = np.where(max_abs > 0, (max_abs.astype(np.float64) / 127), 1.0).astype(np.float32)
    s = scales.astype(np.float64)[:, None] if axis == 0 else scales.astype(np.float64)[None, :]
    q = np.clip(_js_round(x.astype(np.float64) / s), -127, 127).astype(np.int8)
    return q, scales


def dequantize_int8(q: np.ndarray, scales: np.ndarray, axis: int) -> np.ndarray:
    s = scales.astype(np.float32)
    return q.astype(np.float32) * (s[:, None] if axis == 0 else s[None, :])


def quant_axis(name: str) -> Optional[int]:
    if name in ("item_emb", "pos_emb"):
        return 0
    if re.fullmatch(r"block\d+/(attn/w[qkvo]|ffn/w[12])", name):
        return 1
    return None


def model_tensor_names(blocks: int) -> List[str]:
    names = ["item_emb", "pos_emb"]
    for b in range(blocks):
        names += [f"block{b}/{n}" for n in BLOCK_TENSORS]
    return names + ["final_ln/gamma", "final_ln/beta"]


def round_trip(weights: Dict[str, np.ndarray], blocks: int, quantize: bool = True) -> Dict[str, np.ndarray]:
    """The weights as the runtime will compute with them (int8 store + dequantise)."""
    out = {}
    for n in model_tensor_names(blocks):
        w = np.asarray(weights[n], dtype=np.float32)
        ax = quant_axis(n)
        if quantize and ax is not None:
            q, s = quantize_int8(w, ax)
            out[n] = dequantize_int8(q, s, ax)
        else:
            out[n] = w
    return out


# ---- cold-start tables (packages/trainer/src/cold-start.ts) ------------------------------------

COOC_WINDOW = 3


def build_cold_tables(split: Split, popular: int = 1000, neighbours: int = 10) -> dict:
    """Popularity and next-item co-occurrence tables from the TRAINING sequences only."""
    N, M = split.item_count, neighbours
    counts = np.zeros(N + 1, dtype=np.float32)
    follow: Dict[int, Dict[int, float]] = {}
    for s in split.train:
        for i, a in enumerate(s):
            counts[a] += 1
            for k in range(1, COOC_WINDOW + 1):
                if i + k >= len(s):
                    break
                b = s[i + k]
                if b == a:
                    continue
                m = follow.setdefault(a, {})
                m[b] = m.get(b, 0.0) + 1 / k
    P = min(popular, N)
    order = sorted(range(1, N + 1), key=lambda r: (-counts[r], r))
    popular_items = np.array(order[:P], dtype=np.int32)
    top = float(counts[order[0]]) if N and counts[order[0]] else 1.0
    popular_scores = (counts[popular_items].astype(np.float64) / top).astype(np.float32)
    cooc_items = np.zeros((N + 1, M), dtype=np.int32)
    cooc_scores = np.zeros((N + 1, M), dtype=np.float32)
    for a, m in follow.items():
        # Stable sort (as JS's): weight desc, then the follower's count desc, then first-seen order.
        best = sorted(m.items(), key=lambda bw: (-bw[1], -counts[bw[0]]))[:M]
        mx = best[0][1] if best and best[0][1] else 1.0
        for j, (b, w) in enumerate(best):
            cooc_items[a, j] = b
            cooc_scores[a, j] = w / mx
    return {"popular_items": popular_items, "popular_scores": popular_scores, "cooc_items": cooc_items,
            "cooc_scores": cooc_scores, "neighbours": M}  # fmt: skip


# ---- writing ------------------------------------------------------------------------------------


def _encode(tensors: Sequence[Tuple[str, np.ndarray, Optional[dict]]]) -> Tuple[bytes, List[dict]]:
    entries, chunks, offset = [], [], 0
    for name, arr, quant in tensors:
        arr = np.ascontiguousarray(arr)
        dtype = next(k for k, v in _DTYPES.items() if arr.dtype == v)
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        e = {"name": name, "dtype": dtype, "shape": [int(n) for n in arr.shape], "offset": offset, "byteLength": len(raw)}
        if quant:
            e["quant"] = quant
        entries.append(e)
        pad = (-len(raw)) % 4
        chunks.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    return b"".join(chunks), entries


def write_bundle(
    out_dir: str,
    *,
    name: str,
    version: str,
    arch: dict,
    item_count: int,
    weights: Dict[str, np.ndarray],
    vocab: List[str],
    cold: dict,
    quantize: bool = True,
    training: Optional[dict] = None,
    metrics: Optional[dict] = None,
    catalog=None,
    segments: Optional[int] = 16,
) -> dict:
    """Writes ``manifest.json``, ``weights.bin``, ``vocab.json`` and, when given, ``catalog.json``
    (the shop's item metadata, as ``localrec train --catalog``) and the interest segments
    (``segments`` clusters of the stored item embeddings, ``segments.json`` plus the
    ``segments/centroids`` tensor; 0 or None: none); returns the manifest.

    ``weights`` maps bundle tensor names to float32 arrays in the bundle's layout (``[in, out]``
    kernels). The manifest is checked against packages/model/manifest.schema.json when the
    ``jsonschema`` module is installed (:func:`schema_problems`).
    """
    if len(vocab) != item_count:
        raise ValueError(f"vocab has {len(vocab)} ids, item_count is {item_count}")
    os.makedirs(out_dir, exist_ok=True)
    d, L, F = arch["dim"], arch["maxLen"], arch["ffnDim"]
    tensors: List[Tuple[str, np.ndarray, Optional[dict]]] = []
    for n in model_tensor_names(arch["blocks"]):
        w = np.asarray(weights[n], dtype=np.float32)
        want = _shape(n, d, L, F, item_count)
        if list(w.shape) != want:
            raise ValueError(f'weight "{n}": shape {list(w.shape)}, expected {want}')
        ax = quant_axis(n)
        if quantize and ax is not None:
            q, s = quantize_int8(w, ax)
            tensors.append((n, q, {"scales": f"{n}/scales", "axis": ax}))
            tensors.append((f"{n}/scales", s, None))
        else:
            tensors.append((n, w, None))
    tensors += [
        ("cold/popular_items", cold["popular_items"], None),
        ("cold/popular_scores", cold["popular_scores"], None),
        ("cold/cooc_items", cold["cooc_items"], None),
        ("cold/cooc_scores", cold["cooc_scores"], None),
    ]
    seg_file = None
    if segments:
        # Clustered as the runtime will hold them: the stored (int8 round-tripped) embeddings.
        stored = round_trip(weights, arch["blocks"], quantize)["item_emb"]
        seg = build_segments(stored, min(segments, item_count), seed=1, vocab=vocab, meta=catalog_meta(catalog))
        tensors.append((CENTROIDS_TENSOR, seg.centroids, None))
        seg_file = json.dumps(segments_file(seg), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    wbytes, entries = _encode(tensors)
    files = {"weights.bin": wbytes, "vocab.json": json.dumps(vocab, separators=(",", ":"), ensure_ascii=False).encode("utf-8")}
    if catalog is not None:
        files["catalog.json"] = json.dumps(catalog, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if seg_file is not None:
        files[SEGMENTS_FILE] = seg_file
    for k, v in files.items():
        with open(os.path.join(out_dir, k), "wb") as f:
            f.write(v)
    manifest = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "name": name,
        "version": version,
        "createdAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "architecture": arch,
        "itemCount": item_count,
        "quantization": {"scheme": "int8-symmetric" if quantize else "none", "description": QUANT_DESCRIPTION if quantize else "float32 weights"},
        "tensors": entries,
        "files": {k: {"sha256": hashlib.sha256(v).hexdigest(), "bytes": len(v)} for k, v in files.items()},
        "weightsFile": "weights.bin",
        "vocabFile": "vocab.json",
        "coldStart": {"popularCount": int(len(cold["popular_items"])), "cooccurrenceNeighbours": int(cold["neighbours"])},
    }
    if catalog is not None:
        manifest["catalogFile"] = "catalog.json"
    if seg_file is not None:
        manifest["segmentsFile"] = SEGMENTS_FILE
    if training:
        manifest["training"] = training
    if metrics:
        manifest["metrics"] = metrics
    problems = schema_problems(manifest)
    if problems:
        raise ValueError("manifest does not match manifest.schema.json:\n  - " + "\n  - ".join(problems))
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _shape(n: str, d: int, L: int, F: int, N: int) -> List[int]:
    if n == "item_emb":
        return [N + 1, d]
    if n == "pos_emb":
        return [L, d]
    if n.endswith("ffn/w1"):
        return [d, F]
    if n.endswith("ffn/w2"):
        return [F, d]
    if n.endswith("ffn/b1"):
        return [F]
    if re.search(r"attn/w[qkvo]$", n):
        return [d, d]
    return [d]


def schema_problems(manifest: dict) -> List[str]:
    """Problems against packages/model/manifest.schema.json; empty when valid or when the check cannot run.

    Needs the ``jsonschema`` module (``apt-get install python3-jsonschema``); without it the check is
    skipped and the TypeScript validator (``pnpm localrec validate``) is the check that counts.
    """
    try:
        import jsonschema  # type: ignore
    except ImportError:
        return []
    if not os.path.exists(SCHEMA_PATH):
        return []
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    v = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in v.iter_errors(manifest)]


# ---- reading ------------------------------------------------------------------------------------


def read_bundle(bundle_dir: str) -> Tuple[dict, List[str], Dict[str, np.ndarray]]:
    """Reads a bundle: ``(manifest, vocab, float32 tensors)`` with int8 tensors dequantised (as the runtime)."""
    with open(os.path.join(bundle_dir, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    with open(os.path.join(bundle_dir, m["vocabFile"]), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(bundle_dir, m["weightsFile"]), "rb") as f:
        buf = f.read()
    raw = {}
    for e in m["tensors"]:
        dt = np.dtype(_DTYPES[e["dtype"]]).newbyteorder("<")
        raw[e["name"]] = (np.frombuffer(buf, dtype=dt, count=int(np.prod(e["shape"])), offset=e["offset"]).reshape(e["shape"]), e)
    out = {}
    for n, (a, e) in raw.items():
        if e["dtype"] == "int8" and e.get("quant"):
            out[n] = dequantize_int8(a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(1, -1), raw[e["quant"]["scales"]][0], 0 if e["quant"]["axis"] == 0 else 1).reshape(a.shape)
        else:
            out[n] = a.astype(a.dtype.newbyteorder("="))
    return m, vocab, out
