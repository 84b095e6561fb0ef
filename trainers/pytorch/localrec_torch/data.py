"""Training data: the SASRec text format, event logs (CSV, JSON Lines) and the leave-one-out split,
as packages/trainer/src/data.

The rules follow the TypeScript loaders (packages/trainer/src/data/sasrec-text.ts, event-log.ts)
exactly, so both tools see the same users, rows and split (test/e2e/pytorch-shop.test.ts compares
them on a simulated log). The SASRec text format:

- one ``userId itemId`` pair of positive integers per line, each user's lines in chronological order;
- item ids are kept as rows (item ``7`` is row 7), ``itemCount`` is the largest item id and the
  vocabulary is ``["1", …, str(itemCount)]``;
- users keep their order of first appearance; blank lines are ignored, malformed lines reported;
- leave-one-out: per user the last item is the test item, the second-to-last the validation item,
  the rest is training; users with fewer than 3 interactions train on all of them (valid/test 0).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, Iterable, List, Optional, Tuple

from .abnormal import FLAGS, AbnormalRules, Event, flag_rows

_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s*$")


@dataclass
class Dataset:
    """Item rows are 1-based (row 0 is padding); ``item_ids[row - 1]`` is the shop's id."""

    item_ids: List[str]
    user_ids: List[str]
    sequences: List[List[int]]
    bad_rows: List[Tuple[int, str]] = field(default_factory=list)
    #: ``sasrec-text``, ``csv`` or ``jsonl``.
    format: str = "sasrec-text"
    #: Per interaction, the event-type weight of the event that represents it (event logs only).
    weights: Optional[List[List[float]]] = None
    #: Rows the abnormal-behaviour filter raised each flag on (event logs only).
    abnormal: Optional[Dict[str, int]] = None


@dataclass
class Split:
    item_count: int
    train: List[List[int]]
    valid: List[int]
    test: List[int]


def parse_sasrec_text(text: str) -> Dataset:
    """Parses the SASRec text format (see the module docstring)."""
    bad: List[Tuple[int, str]] = []
    seq_of: dict = {}
    max_item = 0
    for i, line in enumerate(re.split(r"\r?\n", text)):
        if not line.strip():
            continue
        m = _ROW.match(line)
        if not m:
            bad.append((i + 1, f'expected "userId itemId" (two positive integers), got {line[:80]!r}'))
            continue
        item = int(m.group(2))
        if item < 1 or item > 2**53 - 1:
            bad.append((i + 1, f"item id {m.group(2)} is not a positive integer"))
            continue
        seq_of.setdefault(m.group(1), []).append(item)
        max_item = max(max_item, item)
    users = list(seq_of.keys())
    return Dataset([str(i + 1) for i in range(max_item)], users, [seq_of[u] for u in users], bad)


# ---- event logs (packages/trainer/src/data/event-log.ts) ----------------------------------------

#: Event type → weight (packages/trainer/src/data/types.ts DEFAULT_TYPE_WEIGHTS). Weight 0: a valid
#: row that is not an interaction; an unknown type is a bad row.
DEFAULT_TYPE_WEIGHTS: Dict[str, float] = {
    "purchase": 5, "add_to_cart": 3, "favorite": 2, "like": 2, "rate": 2, "share": 2, "comment": 2,
    "click": 1.5, "view": 1, "impression": 0, "search": 0, "remove_from_cart": 0, "follow": 0,
}  # fmt: skip


@dataclass
class LogRules:
    """How an event log becomes sequences (the TypeScript ``LogRules`` and its defaults)."""

    type_weights: Dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TYPE_WEIGHTS))
    min_user_count: int = 3
    min_item_count: int = 3
    collapse_repeats: bool = True
    #: The abnormal-behaviour filter (abnormal.py): the runtime's rules and defaults; None: keep every row.
    abnormal: Optional[AbnormalRules] = field(default_factory=AbnormalRules)


#: Accepted column names (case-insensitive) for each field.
LOG_COLUMNS = {
    "user": ["user", "user_id", "userid", "uid", "visitor", "visitor_id"],
    "item": ["item", "item_id", "itemid", "sku", "product", "product_id"],
    "timestamp": ["timestamp", "ts", "time", "event_time", "date"],
    "type": ["type", "event", "event_type", "action"],
    "query": ["query", "search_query", "q"],
}
MAX_ID_LENGTH = 256
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def parse_timestamp(v) -> Optional[float]:
    """Milliseconds since the epoch: numbers below 1e11 are seconds, larger ones milliseconds; strings
    holding a number follow the same rule; other strings must be ISO 8601 dates."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return (v * 1000 if v < 1e11 else float(v)) if math.isfinite(v) and v >= 0 else None
    if not isinstance(v, str) or not v.strip():
        return None
    t = v.strip()
    if _NUMBER.match(t):
        return parse_timestamp(float(t))
    try:
        d = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is None:  # as Date.parse: a date alone is UTC, a date-time without zone is local time
        from datetime import timezone

        d = d.replace(tzinfo=timezone.utc) if len(t) <= 10 else d.astimezone()
    return d.timestamp() * 1000


def _id_of(v) -> Optional[str]:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and math.isfinite(v):
        return _js_number(v)
    if not isinstance(v, str):
        return None
    t = v.strip()
    return t if t and len(t) <= MAX_ID_LENGTH else None


def _js_number(v: float) -> str:
    """``String(v)`` of JavaScript for the integers and plain decimals ids are made of."""
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e21 else repr(float(v))


def _pick(rec: dict, names: List[str]):
    for n in names:
        if n in rec:
            return rec[n]
    return None


def _check(rec: dict, order: int, rules: LogRules):
    """``(row, None)`` for a usable row, ``(None, "ignored:<type>")`` or ``(None, reason)``. A
    zero-weight row with a user and a timestamp answers ``((user, event), "ignored:<type>")``: not an
    interaction, but the abnormal-behaviour rules count it, as on the device."""
    accepted = ", ".join(rules.type_weights)
    t = "view" if rec.get("__hasType") is False else _id_of(_pick(rec, LOG_COLUMNS["type"]))
    if t is None:
        return None, f"missing event type (accepted: {accepted})"
    w = rules.type_weights.get(t)
    if w is None:
        return None, f"unknown event type {json.dumps(t)} (accepted: {accepted})"
    raw_query = _pick(rec, LOG_COLUMNS["query"])
    query = raw_query if isinstance(raw_query, str) else None
    if w == 0:
        user, ts = _id_of(_pick(rec, LOG_COLUMNS["user"])), parse_timestamp(_pick(rec, LOG_COLUMNS["timestamp"]))
        if user is None or ts is None:
            return None, "ignored:" + t
        return (user, Event(order, ts, t, _id_of(_pick(rec, LOG_COLUMNS["item"])), query)), "ignored:" + t
    user = _id_of(_pick(rec, LOG_COLUMNS["user"]))
    if user is None:
        return None, f"missing or invalid user (column {'|'.join(LOG_COLUMNS['user'])})"
    item = _id_of(_pick(rec, LOG_COLUMNS["item"]))
    if item is None:
        return None, f"missing or invalid item (column {'|'.join(LOG_COLUMNS['item'])})"
    raw = _pick(rec, LOG_COLUMNS["timestamp"])
    ts = parse_timestamp(raw)
    if ts is None:
        return None, f"invalid timestamp {json.dumps(raw)} (accepted: epoch seconds or milliseconds, or an ISO 8601 date)"
    return (user, item, ts, t, float(w), order, query), None


def _jsonl_records(text: str, bad: List[Tuple[int, str]]) -> Iterable[Tuple[dict, int]]:
    for i, line in enumerate(re.split(r"\r?\n", text)):
        line = line.strip()
        if not line:
            continue
        try:
            v = json.loads(line)
        except ValueError as e:
            bad.append((i + 1, f"not valid JSON: {e}"))
            continue
        if not isinstance(v, dict):
            bad.append((i + 1, "expected a JSON object per line"))
            continue
        yield {str(k).lower(): x for k, x in v.items()}, i + 1


def _csv_records(text: str, bad: List[Tuple[int, str]]) -> Iterable[Tuple[dict, int]]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: Optional[List[str]] = None
    has_type = True
    for cells in rows:
        line = rows.line_num
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if header is None:
            header = [c.lower() for c in cells]
            has_type = any(c in LOG_COLUMNS["type"] for c in header)
            continue
        if len(cells) != len(header):
            bad.append((line, f"expected {len(header)} fields, got {len(cells)}"))
            continue
        rec: dict = dict(zip(header, cells))
        if not has_type:
            rec["__hasType"] = False
        yield rec, line


def _build(records: Iterable[Tuple[dict, int]], rules: LogRules, bad: List[Tuple[int, str]], fmt: str) -> Dataset:
    """The TypeScript ``buildDataset``: order by time (ties keep file order), drop exact duplicates,
    collapse repeats, k-core on users and items, number items by first appearance."""
    by_user: Dict[str, list] = {}
    detectable: Dict[str, List[Event]] = {}
    count = 0
    for rec, line in records:
        count += 1
        row, why = _check(rec, count, rules)
        if why is not None and not why.startswith("ignored:"):
            bad.append((line, why))
        elif why is not None:
            if row is not None:
                detectable.setdefault(row[0], []).append(row[1])
        else:
            by_user.setdefault(row[0], []).append(row)
            detectable.setdefault(row[0], []).append(Event(row[5], row[2], row[3], row[1], row[6]))
    bad.sort(key=lambda b: b[0])
    abnormal = {f: 0 for f in FLAGS}
    if rules.abnormal is not None:
        flagged, abnormal = flag_rows(detectable, rules.abnormal)
        if flagged:
            by_user = {u: kept for u, evs in by_user.items() if (kept := [e for e in evs if e[5] not in flagged])}
    seqs: Dict[str, List[List]] = {}
    for user, evs in by_user.items():
        evs.sort(key=lambda e: (e[2], e[5]))
        seen = set()
        out: List[List] = []
        for _, item, ts, t, w, _o, _q in evs:
            key = (item, t, ts)
            if key in seen:
                continue
            seen.add(key)
            if rules.collapse_repeats and out and out[-1][0] == item:
                out[-1][1] = max(out[-1][1], w)
                continue
            out.append([item, w])
        seqs[user] = out
    while True:
        counts: Dict[str, int] = {}
        for s in seqs.values():
            for item, _ in s:
                counts[item] = counts.get(item, 0) + 1
        changed = False
        nxt: Dict[str, List[List]] = {}
        for u, s in seqs.items():
            kept = [x for x in s if counts[x[0]] >= rules.min_item_count]
            if len(kept) != len(s):
                changed = True
            if len(kept) >= rules.min_user_count:
                nxt[u] = kept
            else:
                changed = True
        seqs = nxt
        if not changed:
            break
    row_of: Dict[str, int] = {}
    item_ids: List[str] = []
    sequences: List[List[int]] = []
    weights: List[List[float]] = []
    for s in seqs.values():
        rows = []
        for item, _ in s:
            if item not in row_of:
                item_ids.append(item)
                row_of[item] = len(item_ids)
            rows.append(row_of[item])
        sequences.append(rows)
        weights.append([w for _, w in s])
    return Dataset(item_ids, list(seqs.keys()), sequences, bad, fmt, weights, abnormal)


def parse_event_log(text: str, fmt: str, rules: Optional[LogRules] = None) -> Dataset:
    """Parses a CSV (header row required) or JSON Lines event log; bad rows are reported, never raised."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"parse_event_log: format {fmt!r} (accepted: csv, jsonl)")
    r = rules or LogRules()
    bad: List[Tuple[int, str]] = []
    records = _csv_records(text, bad) if fmt == "csv" else _jsonl_records(text, bad)
    return _build(records, r, bad, fmt)


#: Formats by file extension (packages/trainer/src/data/index.ts DATA_FORMATS).
DATA_FORMATS = {".txt": "sasrec-text", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def load_dataset(path: str, rules: Optional[LogRules] = None) -> Dataset:
    """Loads a data file, choosing the parser by extension (``.txt`` SASRec text, ``.csv``, ``.jsonl``/``.ndjson``)."""
    ext = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    fmt = DATA_FORMATS.get(ext)
    if fmt is None:
        raise ValueError(f'{path}: unknown data format "{ext}" (accepted: {", ".join(DATA_FORMATS)})')
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return parse_sasrec_text(text) if fmt == "sasrec-text" else parse_event_log(text, fmt, rules)


def split_leave_one_out(ds: Dataset) -> Split:
    """The SASRec paper's split (see the module docstring)."""
    n = len(ds.sequences)
    train: List[List[int]] = []
    valid = [0] * n
    test = [0] * n
    for u, s in enumerate(ds.sequences):
        if len(s) < 3:
            train.append(list(s))
            continue
        train.append(list(s[:-2]))
        valid[u] = s[-2]
        test[u] = s[-1]
    return Split(len(ds.item_ids), train, valid, test)


def evaluable_users(split: Split) -> List[int]:
    """Users with a held-out item (as evaluate.ts's ``evaluableUsers``)."""
    return [u for u in range(len(split.train)) if split.valid[u] > 0 and split.test[u] > 0 and len(split.train[u]) > 0]
