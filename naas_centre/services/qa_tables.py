"""The QA analysis as tables of plain values: what the command line and the dashboard
write as CSV and XLSX through ``naas_centre.exports.writers``.

Numbers that are not whole are given as text to four decimal places (the writers take
whole numbers, dates and text), so a CSV and an XLSX of one table read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from naas_centre.exports.score_sheets import Column, Value

if TYPE_CHECKING:
    from naas_centre.services.qa_analysis import QaAnalysis


@dataclass(frozen=True)
class Table:
    name: str  # a file name without extension: "agreement-pairs"
    title: str  # as a person reads it: "Agreement between pairs of assessors"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.title for c in self.columns)


def tables(analysis: QaAnalysis) -> tuple[Table, ...]:
    raise NotImplementedError
