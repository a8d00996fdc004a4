"""Which adopted station pass mark is in force on a day, and a station's cohort figures.

Pure functions over plain data. A centre adopts a pass mark per pack and station, each
adoption a new version with the day it takes effect from; a sitting is held to the
newest version whose effective day is on or before the sitting's own day, so a later
adoption never reaches back past its own effective day, and a sitting before every
effective day has no station pass mark at all.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AdoptedMark:
    station_id: str
    pass_mark: float
    effective_from: date
    version: int


def in_force(adopted: Iterable[AdoptedMark], day: date) -> dict[str, AdoptedMark]:
    """Station id → the mark in force on ``day``: of the versions effective by then, the newest."""
    out: dict[str, AdoptedMark] = {}
    for mark in adopted:
        if mark.effective_from > day:
            continue
        held = out.get(mark.station_id)
        if held is None or mark.version > held.version:
            out[mark.station_id] = mark
    return out


def marks_of(adopted: Mapping[str, AdoptedMark]) -> dict[str, float]:
    """Station id → pass mark, as the outcome rule takes them."""
    return {station: mark.pass_mark for station, mark in adopted.items()}


@dataclass(frozen=True)
class Spread:
    """A station's scores over a cohort: how many, the quartiles and the median."""

    n: int
    lower_quartile: float
    median: float
    upper_quartile: float


def spread(scores: Sequence[float]) -> Spread | None:
    """The quartiles and median of ``scores`` (linear interpolation between the sorted
    scores, Hyndman and Fan's type 7, as spreadsheets' QUARTILE gives); None for fewer
    than two."""
    if len(scores) < 2:
        return None
    q1, q2, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    return Spread(len(scores), q1, q2, q3)
