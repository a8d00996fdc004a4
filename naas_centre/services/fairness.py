"""Fairness: outcomes and station scores by group, for the quality-assurance lead only.

Outcomes are the score sheets' own (``ScoreSheetQuery``); equality monitoring is read
beside them in the same read and kept only in this call's memory: nothing is written
and nothing cached. Figures are for a closed period of at least
``disclosure.MIN_PERIOD_CANDIDATES`` candidates (``disclosure.check_period``), by age
band, ethnicity, disability, sex and employer, with counts under 5 and whatever would
give them back suppressed (``disclosure.suppress_two_way``). A pass rate, its interval
and its adverse impact ratio are given only where both of the group's counts they come
from are shown; a station's mean only for a group whose size is shown and at least 5.

A sitting's monitoring counts only as it stood when the period closed: monitoring
recorded or changed later reads as "not given", so entering a form afterwards changes
no figure of a period already published.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import EqualityMonitoringRow, SittingRow
from naas_centre.exports.score_sheets import MET, NOT_MET, OUTCOMES, Filters, ScoreSheetQuery, SheetFacts
from naas_centre.qa import disclosure, fairness
from naas_centre.qa.disclosure import Period, Shown
from naas_centre.services import capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

LONDON = ZoneInfo("Europe/London")
DIMENSIONS = ("age_band", "ethnicity", "disability", "sex", "employer")
MONITORING = DIMENSIONS[:4]
NOT_GIVEN = "not given"
_NONE_GIVEN = (NOT_GIVEN,) * len(MONITORING)


@dataclass(frozen=True)
class GroupRow:
    group: str
    counts: tuple[Shown, ...]  # in OUTCOMES order; None: suppressed
    total: Shown
    pass_rate: fairness.PassRate | None  # met over met and not met
    impact: fairness.AdverseImpact | None


@dataclass(frozen=True)
class FairnessTable:
    dimension: str
    rows: tuple[GroupRow, ...]
    outcome_totals: tuple[Shown, ...]
    total: int


@dataclass(frozen=True)
class StationScores:
    dimension: str
    group: str
    station: str
    mean: fairness.GroupMean
    difference: fairness.MeanDifference | None  # from the highest-scoring group; None for it


@dataclass(frozen=True)
class Fairness:
    period: Period
    candidates: int
    tables: tuple[FairnessTable, ...]
    stations: tuple[StationScores, ...]


@dataclass(frozen=True)
class _Sitting:
    groups: dict[str, str]  # dimension → group
    outcome: str
    scores: dict[str, float]  # station title → sum of agreed levels


def closed_before(period: Period) -> datetime:
    """The instant the period closed: midnight in London after its last day."""
    return datetime.combine(period.end + timedelta(days=1), time(0), LONDON)


def _sittings(s: Session, period: Period, facts: SheetFacts | None = None) -> tuple[list[_Sitting], int]:
    """The period's sittings with their groups; ``facts``: their sheets, already read."""
    query = ScoreSheetQuery.open(s, Filters())
    query = replace(
        query, sittings=[r for r in query.sittings if period.start <= r[5] <= period.end], facts=facts
    )
    closed = closed_before(period)
    monitoring: dict[str, tuple[str, tuple[str | None, ...] | None]] = {}
    wanted = {r[0] for r in query.sittings}
    form = EqualityMonitoringRow
    # The answers only, not the rows: building a row object per candidate cost more than the read.
    # The period's sittings are those of its days (as chosen above): one query, not one
    # per thousand ids.
    answers = [getattr(form, name) for name in MONITORING]
    for sid, cid, updated, *given in s.execute(
        select(SittingRow.id, SittingRow.candidate_id, form.updated_at, *answers)
        .outerjoin(form, form.candidate_id == SittingRow.candidate_id)
        .where(SittingRow.day >= period.start, SittingRow.day <= period.end)
    ):
        if sid not in wanted:  # as the query's joins would leave it out
            continue
        kept = tuple(given) if updated is not None and updated <= closed else None
        monitoring[sid] = (cid, kept)
    packs = {r[0]: r[1] for r in query.sittings}
    # Each pack's stations as (title, their criteria's column keys), worked out once.
    stations = {
        pack_id: [
            (title, frozenset(keys), keys)
            for station, _kind, title in plan.stations
            if (keys := list(plan.keys_at.get(station, {}).values()))
        ]
        for pack_id, plan in query.plans.items()
    }
    out = []
    for result in query.results():
        kept = monitoring[result.sitting_id][1]
        groups = dict(zip(MONITORING, [g or NOT_GIVEN for g in kept] if kept else _NONE_GIVEN, strict=True))
        groups["employer"] = result.employer
        levels = result.levels
        scores = {}
        for title, needed, keys in stations[packs[result.sitting_id]]:
            if levels.keys() >= needed:
                scores[title] = float(sum([levels[k] for k in keys]))
        out.append(_Sitting(groups, result.outcome, scores))
    return out, len({cid for cid, _ in monitoring.values()})


def _table(dimension: str, sittings: list[_Sitting]) -> FairnessTable:
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(OUTCOMES))
    for st in sittings:
        counts[st.groups[dimension]][OUTCOMES.index(st.outcome)] += 1
    groups = sorted(counts)
    shown = _suppressed_without_empty_columns([counts[g] for g in groups])
    rates: dict[str, fairness.PassRate] = {}
    for g, cells in zip(groups, shown.cells, strict=True):
        met, not_met = cells[OUTCOMES.index(MET)], cells[OUTCOMES.index(NOT_MET)]
        if met is not None and not_met is not None and met + not_met > 0:
            rates[g] = fairness.pass_rate(met, met + not_met)
    impact = {a.group: a for a in fairness.adverse_impact({g: r.rate for g, r in rates.items()})}
    rows = tuple(
        GroupRow(g, cells, total, rates.get(g), impact.get(g))
        for g, cells, total in zip(groups, shown.cells, shown.row_totals, strict=True)
    )
    return FairnessTable(dimension, rows, shown.column_totals, shown.total)


def _suppressed_without_empty_columns(counts: list[list[int]]) -> disclosure.TwoWay:
    """Suppressed as ``suppress_two_way`` does, leaving out an outcome nobody had (in a
    closed period, "not yet complete"): its zeros are known from its total, and taken as
    small cells they hid a met or not-met count in every row, and with it every rate."""
    if not counts:
        return disclosure.suppress_two_way(counts)
    used = [c for c in range(len(counts[0])) if any(row[c] for row in counts)]
    if len(used) == len(counts[0]) or not used:
        return disclosure.suppress_two_way(counts)
    inner = disclosure.suppress_two_way([[row[c] for c in used] for row in counts])

    def widen(values: tuple[Shown, ...]) -> tuple[Shown, ...]:
        by_column = dict(zip(used, values, strict=True))
        return tuple(by_column.get(c, 0) for c in range(len(counts[0])))

    return disclosure.TwoWay(
        tuple(widen(row) for row in inner.cells), inner.row_totals, widen(inner.column_totals), inner.total
    )


def _stations(table: FairnessTable, sittings: list[_Sitting]) -> list[StationScores]:
    shown = {r.group for r in table.rows if r.total is not None and r.total >= disclosure.SMALLEST_CELL}
    by: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for st in sittings:
        group = st.groups[table.dimension]
        if group in shown:
            for station, score in st.scores.items():
                by[station][group].append(score)
    out = []
    for station in sorted(by):
        groups = {g: v for g, v in by[station].items() if len(v) >= disclosure.SMALLEST_CELL}
        if not groups:
            continue
        means = {g: fairness.group_mean(v) for g, v in groups.items()}
        best = max(means, key=lambda g: (means[g].mean, g))
        for g in sorted(groups):
            diff = None if g == best else fairness.mean_difference(groups[g], groups[best])
            out.append(StationScores(table.dimension, g, station, means[g], diff))
    return out


def fairness_figures(db: Database, actor: Actor, period: Period, *, today: date | None = None) -> Fairness:
    """The period's tables, suppressed; refused for an open or too small period."""
    require(actor, *capabilities.EQUALITY)
    disclosure.check_period(period, today or datetime.now(LONDON).date())
    with db.read() as s:
        sittings, candidates = _sittings(s, period)
    return _figures(period, sittings, candidates)


def fairness_in(
    s: Session, actor: Actor, period: Period, sheets: SheetFacts, *, today: date | None = None
) -> Fairness:
    """``fairness_figures`` in the caller's read, over the period's sheets it has already
    read (``qa_data.read``): the QA analysis reads the score sheets once. The equality
    monitoring is still read here, and only here."""
    require(actor, *capabilities.EQUALITY)
    disclosure.check_period(period, today or datetime.now(LONDON).date())
    sittings, candidates = _sittings(s, period, sheets)
    return _figures(period, sittings, candidates)


def _figures(period: Period, sittings: list[_Sitting], candidates: int) -> Fairness:
    disclosure.check_enough(period, candidates)
    tables = tuple(_table(d, sittings) for d in DIMENSIONS)
    stations = tuple(x for t in tables for x in _stations(t, sittings))
    return Fairness(period, candidates, tables, stations)
