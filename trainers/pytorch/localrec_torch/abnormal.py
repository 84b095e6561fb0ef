"""The abnormal-behaviour filter of event logs, as the runtime applies it to a device's events
(packages/insights/src/abnormal.ts ``detectAbnormal``) and the TypeScript loader to logs
(packages/trainer/src/data/abnormal.ts): a model is not trained on what serving leaves out.

Per user, events in time order (file order for ties), ``impression`` rows ignored:

| flag        | rule (defaults)                                                                        |
|-------------|----------------------------------------------------------------------------------------|
| ``burst``     | more than 8 events within any 1 s, or more than 120 within any 60 s: every event in it |
| ``repeat``    | 6+ identical events in a row (type, item, query), each <= 5 s apart: all but the first |
| ``metronome`` | 12+ events in a row whose gaps vary by < 5 % (CV), gaps <= 60 s                        |
| ``crawl``     | 30+ item events in a row, each <= 1.5 s apart, >= 80 % distinct items                  |
| ``future``    | a timestamp more than 5 minutes after the time the log is loaded                       |

``AbnormalRules(burst=False, ...)`` switches a rule off; ``abnormal=None`` in :class:`LogRules`
switches the filter off.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

FLAGS = ("burst", "repeat", "metronome", "crawl", "future")


@dataclass
class AbnormalRules:
    """The rules' thresholds (the TypeScript ``DEFAULT_ABNORMAL_OPTIONS``); ``False`` switches one off."""

    burst: Union[Sequence[Tuple[float, int]], bool] = ((1000, 8), (60_000, 120))  # (windowMs, maxEvents)
    repeat: Union[Tuple[int, float], bool] = (6, 5000)  # (minRun, maxGapMs)
    metronome: Union[Tuple[int, float, float], bool] = (12, 0.05, 60_000)  # (minRun, maxCv, maxGapMs)
    crawl: Union[Tuple[int, float, float], bool] = (30, 1500, 0.8)  # (minRun, maxGapMs, minDistinctShare)
    future: Union[float, bool] = 5 * 60_000  # toleranceMs
    now: Optional[float] = None  # ms; default: time.time() at detection
    ignore_types: Sequence[str] = field(default_factory=lambda: ("impression",))


@dataclass
class Event:
    """One row as the rules see it; ``order`` is unique and breaks timestamp ties."""

    order: int
    ts: float
    type: str
    item: Optional[str] = None
    query: Optional[str] = None


def _runs(evs: List[Event], joins: Callable[[Event, Event], bool]):
    run: List[Event] = []
    for e in evs:
        if run and joins(run[-1], e):
            run.append(e)
        else:
            if run:
                yield run
            run = [e]
    if run:
        yield run


def detect_abnormal(events: Sequence[Event], rules: Optional[AbnormalRules] = None) -> Dict[int, List[str]]:
    """``order`` -> flags of every abnormal event among ``events`` (one shopper's)."""
    o = rules or AbnormalRules()
    ignore = set(o.ignore_types)
    evs = sorted((e for e in events if e.type not in ignore), key=lambda e: (e.ts, e.order))
    flags: Dict[int, List[str]] = {}

    def flag(e: Event, f: str) -> None:
        fs = flags.setdefault(e.order, [])
        if f not in fs:
            fs.append(f)

    if o.burst:
        for window, max_events in o.burst:  # type: ignore[union-attr]
            i, flagged_to = 0, -1
            for j in range(len(evs)):
                while evs[j].ts - evs[i].ts >= window:
                    i += 1
                if j - i + 1 > max_events:
                    for k in range(max(i, flagged_to + 1), j + 1):
                        flag(evs[k], "burst")
                    flagged_to = j
    if o.repeat:
        min_run, max_gap = o.repeat  # type: ignore[misc]

        def key(e: Event):
            return (e.type, e.item or "", e.query or "")

        for run in _runs(evs, lambda a, b: key(a) == key(b) and b.ts - a.ts <= max_gap):
            if len(run) >= min_run:
                for e in run[1:]:
                    flag(e, "repeat")
    if o.metronome:
        min_run, max_cv, max_gap = o.metronome  # type: ignore[misc]
        for s in range(0, len(evs) - min_run + 1):
            gaps = [evs[k].ts - evs[k - 1].ts for k in range(s + 1, s + min_run)]
            if any(g > max_gap for g in gaps):
                continue
            n = min_run - 1
            mean = sum(gaps) / n
            sd = math.sqrt(max(0.0, sum(g * g for g in gaps) / n - mean * mean))
            if sd <= max_cv * mean:
                for k in range(s, s + min_run):
                    flag(evs[k], "metronome")
    if o.crawl:
        min_run, max_gap, share = o.crawl  # type: ignore[misc]
        items = [e for e in evs if e.item is not None]
        for run in _runs(items, lambda a, b: b.ts - a.ts <= max_gap):
            if len(run) >= min_run and len({e.item for e in run}) >= share * len(run):
                for e in run:
                    flag(e, "crawl")
    if o.future is not False:
        limit = (o.now if o.now is not None else time.time() * 1000) + float(o.future)
        for e in evs:
            if e.ts > limit:
                flag(e, "future")
    return flags


def flag_rows(rows_by_user: Dict[str, List[Event]], rules: Optional[AbnormalRules]) -> Tuple[Set[int], Dict[str, int]]:
    """The ``order`` of every flagged row over all users, and how many rows each flag was raised on."""
    flagged: Set[int] = set()
    by_flag = {f: 0 for f in FLAGS}
    for evs in rows_by_user.values():
        for order, fs in detect_abnormal(evs, rules).items():
            flagged.add(order)
            for f in fs:
                by_flag[f] += 1
    return flagged, by_flag
