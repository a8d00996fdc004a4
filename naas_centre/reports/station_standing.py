"""Each station's score against its pass mark, and the candidate beside the cohort.

Given in the outcome report once a station pass mark is in force for the sitting's day
(``core.pass_marks``): before that, and for a pack without any, the report is exactly
as it was. The cohort is the candidates who sat the same pack (name and version) on the
same day, with every level of the station agreed; its median and quartiles are given
for five or more of them, and nobody in it is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from naas_centre.core.pass_marks import AdoptedMark, spread
from naas_centre.exports.score_sheets import Filters, ScoreSheetQuery
from naas_centre.packs.schema import Pack
from naas_centre.reports.data import StationStanding
from naas_centre.reports.layout import long_day

SMALLEST_COHORT = 5  # as the equality tables: fewer and the figures say too much about each


def rule_in_words(pack: Pack, marks: Mapping[str, AdoptedMark]) -> tuple[str, ...]:
    """The sentence the outcome rule gains while station pass marks are in force."""
    if not marks:
        return ()
    titles = {sc.id: sc.title for sc in pack.scenarios}
    if pack.written_exercise is not None:
        titles[pack.written_exercise.id] = pack.written_exercise.title
    named = [
        f"“{titles[station]}” {marks[station].pass_mark:g} (from {long_day(marks[station].effective_from)})"
        for station, _ in pack.rubrics()
        if station in marks
    ]
    return (
        "Each station with a pass mark must also reach it, whatever the other stations show: a "
        "station's score is the sum of its agreed criterion levels. The pass marks in force on the "
        f"day were: {'; '.join(named)}.",
    )


def standings(
    s: Session,
    pack: Pack,
    sitting_day: date,
    levels: Mapping[str, int | None],
    marks: Mapping[str, AdoptedMark],
) -> tuple[StationStanding, ...]:
    """Every station's score and the cohort's; empty while no pass mark is in force."""
    if not marks:
        return ()
    cohort = _cohort_scores(s, pack, sitting_day)
    titles = {sc.id: sc.title for sc in pack.scenarios}
    if pack.written_exercise is not None:
        titles[pack.written_exercise.id] = pack.written_exercise.title
    out = []
    for station, rubric in pack.rubrics():
        title = titles.get(station, station)
        score = sum(levels.get(c.id) or 0 for c in rubric.criteria)
        most = max(lv.value for lv in pack.levels_for(rubric)) * len(rubric.criteria)
        mark = marks.get(station)
        scores = cohort.get(station, [])
        figures = spread(scores) if len(scores) >= SMALLEST_COHORT else None
        said = f"the {len(scores)} candidates who sat this pack that day"
        standing = StationStanding(
            station=title,
            score=score,
            most=most,
            pass_mark=mark.pass_mark if mark else None,
            reaches=(score >= mark.pass_mark - 1e-9) if mark else None,
            cohort=said,
        )
        if figures is not None:
            standing = replace(
                standing,
                cohort_n=figures.n,
                lower_quartile=figures.lower_quartile,
                median=figures.median,
                upper_quartile=figures.upper_quartile,
            )
        out.append(standing)
    return tuple(out)


def _cohort_scores(s: Session, pack: Pack, day: date) -> dict[str, list[float]]:
    """Station id → the scores of the day's sittings of this pack with the station agreed."""
    query = ScoreSheetQuery.open(s, Filters(day=day))
    ours = (pack.name, pack.version)
    same = {pid for pid, plan in query.plans.items() if (plan.pack.name, plan.pack.version) == ours}
    query = replace(query, sittings=[r for r in query.sittings if r[1] in same])
    pack_of = {r[0]: r[1] for r in query.sittings}
    out: dict[str, list[float]] = {}
    for result in query.results():
        plan = query.plans[pack_of[result.sitting_id]]
        for station, keys in plan.keys_at.items():
            wanted = list(keys.values())
            if wanted and all(k in result.levels for k in wanted):
                out.setdefault(station, []).append(float(sum(result.levels[k] for k in wanted)))
    return out
