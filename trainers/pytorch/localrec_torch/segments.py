"""Interest segments at training time, as packages/trainer/src/segments.ts.

Spherical k-means over the item embedding table (rows L2-normalised, so items cluster by the
direction the dot-product scoring uses): k-means++ seeding on cosine distance, Lloyd iterations
until no item changes segment, empty segments re-seeded with the item farthest from its centroid.
Shipped in the bundle as the ``segments/centroids`` tensor (float32 ``[k, dim]``) and
``segments.json`` (labels, sizes, the segment of every row). The same algorithm and labelling rules
as the TypeScript trainer; the random stream differs (NumPy's), so the two tools pick different
(equally valid) seeds for the same embeddings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

import numpy as np

SEGMENTS_FILE = "segments.json"
CENTROIDS_TENSOR = "segments/centroids"

Meta = Callable[[str], Optional[dict]]


@dataclass
class Segments:
    k: int
    dim: int
    #: float32 ``[k, dim]``, unit rows.
    centroids: np.ndarray
    #: segment of each model row, length item_count + 1; row 0 (padding) is -1.
    assignment: np.ndarray
    sizes: List[int]
    labels: List[str]
    cohesion: float
    iterations: int


def build_segments(item_emb: np.ndarray, k: int, seed: int, vocab: Optional[List[str]] = None, meta: Optional[Meta] = None,
                   max_iterations: int = 50) -> Segments:  # fmt: skip
    """k-means over ``item_emb`` (``[item_count + 1, dim]``, row 0 skipped); deterministic for a seed."""
    emb = np.asarray(item_emb, dtype=np.float32)
    if emb.ndim != 2 or emb.shape[0] < 2:
        raise ValueError(f"build_segments: item_emb must be [itemCount + 1, dim] with itemCount >= 1, got shape {emb.shape}")
    if not (isinstance(k, int) and k >= 1):
        raise ValueError(f"build_segments: k must be an integer >= 1, got {k!r}")
    n, dim = emb.shape[0] - 1, emb.shape[1]
    k = min(k, n)
    x = emb[1:]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.where(norms > 0, x / np.where(norms > 0, norms, 1), 0).astype(np.float32)
    rng = np.random.default_rng(seed)
    c = np.zeros((k, dim), dtype=np.float32)
    c[0] = x[rng.integers(n)]
    dist = np.full(n, np.inf)
    for s in range(1, k):
        dist = np.minimum(dist, np.maximum(0.0, 1.0 - x @ c[s - 1]))
        w = dist * dist
        total = float(w.sum())
        pick = int(rng.choice(n, p=w / total)) if total > 0 else int(rng.integers(n))
        c[s] = x[pick]

    assign = np.full(n, -1, dtype=np.int64)
    sims = np.zeros(n)
    it = 0
    for it in range(max_iterations):
        scores = x @ c.T
        best = scores.argmax(axis=1)
        sims = scores[np.arange(n), best].astype(np.float64)
        changed = int((best != assign).sum())
        assign = best
        if changed == 0 and it > 0:
            break
        sizes = np.bincount(assign, minlength=k)
        c = np.zeros((k, dim), dtype=np.float32)
        np.add.at(c, assign, x)
        for s in range(k):
            if sizes[s] == 0:
                far = int(sims.argmin())
                c[s] = x[far]
                sims[far] = np.inf  # not picked twice
                continue
            nn = float(np.linalg.norm(c[s]))
            c[s] = c[s] / nn if nn > 0 else 0
    else:
        it = max_iterations
    scores = x @ c.T
    assign = scores.argmax(axis=1)
    sims = scores[np.arange(n), assign].astype(np.float64)
    sizes = np.bincount(assign, minlength=k).tolist()
    assignment = np.concatenate([[-1], assign]).astype(np.int32)
    labels = segment_labels(assignment, sims, k, vocab, meta)
    return Segments(k, dim, c.astype(np.float32), assignment, [int(v) for v in sizes], labels, float(sims.mean()) if n else 0.0, it)


def segment_labels(assignment: np.ndarray, sims: np.ndarray, k: int, vocab: Optional[List[str]], meta: Optional[Meta]) -> List[str]:
    """The TypeScript ``segmentLabels`` rules: the dominant category (plus the brand when one brand
    holds >= 50 %), or the two leading categories when none holds half; shared labels get their
    leading brand, then a number; without metadata "Segment 3 (like A, B)"."""
    members: List[List[int]] = [[] for _ in range(k)]
    for r in range(1, len(assignment)):
        members[int(assignment[r])].append(r)

    def id_of(row: int) -> str:
        return vocab[row - 1] if vocab is not None and row - 1 < len(vocab) else f"#{row}"

    def top(counts: Dict[str, int]):
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    drafts = []
    for s, rows in enumerate(members):
        cats: Dict[str, int] = {}
        brands: Dict[str, int] = {}
        for r in rows:
            m = meta(id_of(r)) if meta else None
            if m and m.get("category"):
                cats[m["category"]] = cats.get(m["category"], 0) + 1
            if m and m.get("brand"):
                brands[m["brand"]] = brands.get(m["brand"], 0) + 1
        tc, tb = top(cats), top(brands)
        if tc:
            c1 = tc[0]
            label = c1[0] if c1[1] * 2 >= len(rows) or len(tc) < 2 else f"{c1[0]} & {tc[1][0]}"
            brand_led = bool(tb) and tb[0][1] * 2 >= len(rows)
            if brand_led:
                label += f" · {tb[0][0]}"
            drafts.append((label, None if brand_led else (tb[0][0] if tb else None)))
            continue
        closest = sorted(rows, key=lambda r: -sims[r - 1])[:2]
        names = [((meta(id_of(r)) or {}).get("name") if meta else None) or id_of(r) for r in closest]
        drafts.append((f"Segment {s + 1}" + (f" (like {', '.join(names)})" if names else ""), None))
    count: Dict[str, int] = {}
    for label, _ in drafts:
        count[label] = count.get(label, 0) + 1
    labels = [f"{label} · {brand}" if count[label] > 1 and brand else label for label, brand in drafts]
    seen: Dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def segments_file(seg: Segments) -> dict:
    """The ``segments.json`` content."""
    return {"version": 1, "k": seg.k, "dim": seg.dim, "segments": [{"id": i, "label": lab, "size": seg.sizes[i]} for i, lab in enumerate(seg.labels)],
            "itemSegments": [int(v) for v in seg.assignment]}  # fmt: skip


def catalog_meta(catalog) -> Optional[Meta]:
    """A metadata lookup from a catalog: a dict keyed by item id, ``{"items": [...]}``, or a list of
    objects with ``id``/``itemId`` (packages/trainer/src/segments.ts ``catalogMeta``)."""
    if not isinstance(catalog, (dict, list)):
        return None
    if isinstance(catalog, list):
        items = catalog
    elif isinstance(catalog.get("items"), list):
        items = catalog["items"]
    else:
        items = [{"id": k, **(v if isinstance(v, dict) else {})} for k, v in catalog.items()]
    table: Dict[str, dict] = {}
    for o in items:
        if not isinstance(o, dict):
            continue
        i = o.get("itemId") if isinstance(o.get("itemId"), str) else o.get("id") if isinstance(o.get("id"), str) else None
        if i is None:
            continue
        table[i] = {f: o[f] for f in ("name", "category", "brand") if isinstance(o.get(f), str)}
    return table.get
