"""Equality monitoring in aggregate, as a CSV file for the quality-assurance lead.

The figures are ``services.fairness``'s for a closed period (at least
``disclosure.MIN_PERIOD_CANDIDATES`` candidates, monitoring as it stood when the period
closed), so a file written today and one written after another candidate is recorded
give the same cells, and nothing suppressed on the screen can be worked out from the
file: each question is a group-by-outcome table suppressed as
``qa.disclosure.suppress_two_way`` does. A suppressed count is written "fewer than 5";
a pass rate, its interval and the adverse impact ratio only where the counts they come
from are shown.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from naas_centre.exports.atomic import replacing
from naas_centre.exports.score_sheets import OUTCOMES
from naas_centre.services.equality import SMALLEST_GROUP

if TYPE_CHECKING:
    from naas_centre.services.fairness import Fairness

SUPPRESSED = f"fewer than {SMALLEST_GROUP}"
TITLES = {
    "age_band": "Age band",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "sex": "Sex",
    "employer": "Employer",
}
HEADER = [
    "Period",
    "Monitoring question",
    "Group",
    *(o.capitalize() for o in OUTCOMES),
    "Total",
    "Pass rate",
    "Pass rate 95% low",
    "Pass rate 95% high",
    "Adverse impact ratio",
    "Under four fifths",
]


def write_csv(target: Path, figures: Fairness) -> int:
    """Writes one row per group of each question; the number of rows written."""
    period = figures.period.in_words()
    rows = 0
    with replacing(target) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for table in figures.tables:
            for g in table.rows:
                rate, impact = g.pass_rate, g.impact
                out.writerow(
                    [
                        period,
                        TITLES.get(table.dimension, table.dimension),
                        g.group,
                        *(SUPPRESSED if n is None else n for n in g.counts),
                        SUPPRESSED if g.total is None else g.total,
                        "" if rate is None else f"{rate.rate:.3f}",
                        "" if rate is None else f"{rate.interval.low:.3f}",
                        "" if rate is None else f"{rate.interval.high:.3f}",
                        "" if impact is None else f"{impact.ratio:.3f}",
                        "" if impact is None else ("yes" if impact.flagged else "no"),
                    ]
                )
                rows += 1
    return rows
