"""Training data: the SASRec text format and the leave-one-out split, as packages/trainer/src/data.

The rules follow the TypeScript loader (packages/trainer/src/data/sasrec-text.ts) exactly, so both
tools see the same users, rows and split:

- one ``userId itemId`` pair of positive integers per line, each user's lines in chronological order;
- item ids are kept as rows (item ``7`` is row 7), ``itemCount`` is the largest item id and the
  vocabulary is ``["1", …, str(itemCount)]``;
- users keep their order of first appearance; blank lines are ignored, malformed lines reported;
- leave-one-out: per user the last item is the test item, the second-to-last the validation item,
  the rest is training; users with fewer than 3 interactions train on all of them (valid/test 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Tuple

_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s*$")


@dataclass
class Dataset:
    """Item rows are 1-based (row 0 is padding); ``item_ids[row - 1]`` is the shop's id."""

    item_ids: List[str]
    user_ids: List[str]
    sequences: List[List[int]]
    bad_rows: List[Tuple[int, str]] = field(default_factory=list)


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


def load_dataset(path: str) -> Dataset:
    """Loads a data file; only the SASRec ``.txt`` format is read here (see the README for event logs)."""
    if not path.lower().endswith(".txt"):
        raise ValueError(f'{path}: unknown data format (accepted: .txt, the SASRec "userId itemId" format)')
    with open(path, encoding="utf-8") as f:
        return parse_sasrec_text(f.read())


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
