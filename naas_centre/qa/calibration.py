"""Calibration offsets: how far each assessor's levels on calibration exercises lie from
the levels a panel agreed for the same recordings.

A calibration attempt is an observation of the assessor against a known standard. It is
kept as a figure of its own beside the mixed model's stringency (``stringency.py``), not
added to that model as extra observations: there the candidate's true level is unknown
and estimated, and an exercise would enter as one more "candidate" whose level the
model shrinks towards the mean, so the panel's agreed level, the one thing known, would
be thrown away. Here the difference from it is measured directly.

The offset is in the same units as the stringency effect (a station score, the sum of
its criterion levels, minus the agreed sum): positive is more lenient than the panel. Its
interval is a t interval over the assessor's exercises; with one exercise there is none.
Plain Python: importing it costs nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

# t quantiles (0.975) for 1–30 degrees of freedom, then the normal's.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
Z95 = 1.959963984540054


@dataclass(frozen=True)
class CalibrationLevel:
    assessor: str  # ids, opaque
    exercise: str
    criterion: str
    level: int  # the assessor's
    agreed: int  # the panel's


@dataclass(frozen=True)
class CalibrationOffset:
    assessor: str
    exercises: int
    levels: int  # criterion levels compared
    exact: float  # share of levels equal to the agreed one
    per_criterion: float  # mean (level − agreed), per criterion
    offset: float  # mean over exercises of (station score − agreed station score)
    ci_low: float | None  # 95% t interval of the offset; None with one exercise
    ci_high: float | None

    @property
    def flagged(self) -> bool:
        """The interval excludes zero: consistently more lenient or stricter than the panel."""
        return self.ci_low is not None and self.ci_high is not None and (self.ci_low > 0 or self.ci_high < 0)


def _t975(df: int) -> float:
    return _T975[df - 1] if df <= len(_T975) else Z95


def calibration_offsets(levels: Sequence[CalibrationLevel]) -> list[CalibrationOffset]:
    """Each assessor's offset from the agreed levels, in the order of their ids."""
    by_exercise: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    exact: dict[str, list[bool]] = defaultdict(list)
    for lv in levels:
        by_exercise[lv.assessor][lv.exercise].append(lv.level - lv.agreed)
        exact[lv.assessor].append(lv.level == lv.agreed)
    out = []
    for assessor in sorted(by_exercise):
        sums = [float(sum(d)) for d in by_exercise[assessor].values()]
        diffs = [x for d in by_exercise[assessor].values() for x in d]
        n = len(sums)
        mean = sum(sums) / n
        low = high = None
        if n > 1:
            sd = math.sqrt(sum((x - mean) ** 2 for x in sums) / (n - 1))
            half = _t975(n - 1) * sd / math.sqrt(n)
            low, high = mean - half, mean + half
        out.append(
            CalibrationOffset(
                assessor,
                n,
                len(diffs),
                sum(exact[assessor]) / len(exact[assessor]),
                sum(diffs) / len(diffs),
                mean,
                low,
                high,
            )
        )
    return out
