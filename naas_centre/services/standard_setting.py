"""Setting a station's pass mark: propose it from a period's sheets, see what it would
change, then adopt it, audited and versioned.

``propose`` gives, per station of a pack (by name and version), the borderline-regression
and borderline-group pass marks from the period's sittings (``naas_centre.qa``): one point
per sitting and station, the station score being the sum of its agreed criterion levels
(the moderated level where there is one, as the reports use them) and the grade the mean
of its assessors' overall judgements, scored not met 1, borderline (either way) 2, met 3.
A sitting counts once every assessor has submitted and the station's levels are agreed.

``what_if`` gives the period's pass rates under proposed marks beside those under the
marks in force on each sitting's day: overall and per station for whoever may propose,
and by group only for a role that may read equality monitoring
(``capabilities.EQUALITY``), for a closed period with enough candidates, suppressed as
``services.fairness`` suppresses its own tables; the monitoring is read in the same read
and kept nowhere.

``adopt`` records a new version for one station (an older version is never edited),
with a reason, in one audited transaction; it takes effect from the day after it is
adopted at the earliest, so no outcome already given (or report signed) changes under it. The outcome rule
then holds every sitting on or after that day to it (``core.pass_marks``).

Who may: proposing and the what-if are analysis, for the centre's managers and the
quality-assurance lead; adopting is the centre manager's or administrator's.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import AccountRow, JudgementRow, PackRow, StationPassMarkRow
from naas_centre.core.pass_marks import AdoptedMark, in_force
from naas_centre.errors import NotFound, UserError
from naas_centre.exports.score_sheets import (
    INCOMPLETE,
    MET,
    NOT_MET,
    OUTCOMES,
    Filters,
    ScoreSheetQuery,
    _PackPlan,
)
from naas_centre.packs.schema import Pack
from naas_centre.qa import disclosure
from naas_centre.qa.disclosure import Period, PeriodNotPublishable
from naas_centre.services import audit, capabilities, fairness, packs, pass_marks
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

# Until ``capabilities`` names standard setting: reading a proposal and its what-if is
# analysis (managers and the QA lead); adopting is running the centre.
PROPOSE = capabilities.STANDARD_SETTING
ADOPT = capabilities.ADOPT_PASS_MARK

GRADE_NOT_MET, GRADE_BORDERLINE, GRADE_MET = 1.0, 2.0, 3.0
PLACES = 2  # a pass mark is kept to two decimal places


class Method(StrEnum):
    BORDERLINE_REGRESSION = "borderline_regression"
    BORDERLINE_GROUP = "borderline_group"
    BY_HAND = "by_hand"

    @property
    def words(self) -> str:
        return {
            Method.BORDERLINE_REGRESSION: "borderline regression",
            Method.BORDERLINE_GROUP: "borderline group",
            Method.BY_HAND: "set by hand",
        }[self]


@dataclass(frozen=True)
class PackVersion:
    """A pack as pass marks name it: by its name and version."""

    name: str
    version: str

    def in_words(self) -> str:
        return f"{self.name} {self.version}"


@dataclass(frozen=True)
class AdoptedPassMark:
    pack: PackVersion
    station_id: str
    station: str  # its title
    pass_mark: float
    method: Method
    n: int | None
    r_squared: float | None
    se: float | None
    effective_from: date
    version: int
    reason: str
    adopted_by: str  # the person's name
    adopted_at: datetime


@dataclass(frozen=True)
class StationProposal:
    """One station's figures for a period. A mark is None where the data cannot give it,
    and ``note`` then says why."""

    station_id: str
    station: str
    most: int  # the highest score the station allows
    n: int  # sittings with both a grade and a score
    n_borderline: int  # of them, those graded borderline
    regression_mark: float | None
    regression_se: float | None
    regression_ci: tuple[float, float] | None
    slope: float | None
    intercept: float | None
    r_squared: float | None
    group_mark: float | None
    group_se: float | None
    current: AdoptedPassMark | None  # the newest version adopted, if any
    note: str
    points: tuple[tuple[float, float], ...]  # (grade, score), for a scatter; nobody named


@dataclass(frozen=True)
class Proposal:
    pack: PackVersion
    title: str
    period: Period
    sittings: int  # sittings of the pack in the period
    stations: tuple[StationProposal, ...]


@dataclass(frozen=True)
class ProposedMarks:
    """Pass marks to try: station id → mark. A station not named keeps the marks in force."""

    pack: PackVersion
    marks: Mapping[str, float]


@dataclass(frozen=True)
class Rate:
    met: int
    not_met: int

    @property
    def rate(self) -> float | None:
        total = self.met + self.not_met
        return self.met / total if total else None


@dataclass(frozen=True)
class StationWhatIf:
    station_id: str
    station: str
    current_mark: float | None  # in force over the whole period; None: none, or it changed
    proposed_mark: float | None
    changed_within: bool  # the mark in force was not the same for every sitting of the period
    current: Rate  # sittings reaching the station's mark (all reach it where there is none)
    proposed: Rate


@dataclass(frozen=True)
class GroupWhatIf:
    dimension: str
    group: str
    current: tuple[disclosure.Shown, disclosure.Shown]  # (met, not met); None: suppressed
    proposed: tuple[disclosure.Shown, disclosure.Shown]
    current_rate: float | None  # given only where both counts are shown
    proposed_rate: float | None


@dataclass(frozen=True)
class WhatIf:
    pack: PackVersion
    period: Period
    complete: int  # sittings with an outcome
    incomplete: int
    current: Rate
    proposed: Rate
    now_not_met: int  # met under the marks in force, not met under the proposal
    now_met: int  # the other way
    stations: tuple[StationWhatIf, ...]
    groups: tuple[GroupWhatIf, ...]
    groups_note: str  # why there are no group figures, when there are none


# Reading the period ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Sheet:
    sitting_id: str
    day: date
    base: str  # the outcome by the pack's rule without station pass marks: MET, NOT_MET, INCOMPLETE
    scores: dict[str, int]  # station id → score, where every level of the station is agreed


def _pack_rows(s: Session, pack: PackVersion) -> list[PackRow]:
    rows = list(s.scalars(select(PackRow).where(PackRow.name == pack.name, PackRow.version == pack.version)))
    if not rows:
        raise NotFound(f"No sitting has used the pack {pack.in_words()}: there is nothing to set a mark for.")
    return rows


def _sheets(s: Session, pack: PackVersion, period: Period) -> list[_Sheet]:
    """The period's sittings of the pack, outcome by the rule without station marks."""
    query = ScoreSheetQuery.open(s, Filters(), with_pass_marks=False)
    query = replace(query, sittings=[r for r in query.sittings if period.start <= r[5] <= period.end])
    ours = {pid for pid, plan in query.plans.items() if _is(plan, pack)}
    pack_of = {r[0]: r[1] for r in query.sittings}
    out = []
    for result in query.results():
        if pack_of[result.sitting_id] not in ours:
            continue
        plan = query.plans[pack_of[result.sitting_id]]
        out.append(_Sheet(result.sitting_id, result.day, result.outcome, _scores(plan, result.levels)))
    return out


def _is(plan: _PackPlan, pack: PackVersion) -> bool:
    return (plan.pack.name, plan.pack.version) == (pack.name, pack.version)


def _scores(plan: _PackPlan, levels: Mapping[str, int]) -> dict[str, int]:
    out = {}
    for station, keys in plan.keys_at.items():
        wanted = list(keys.values())
        if wanted and all(k in levels for k in wanted):
            out[station] = sum(levels[k] for k in wanted)
    return out


def _grades(s: Session, sitting_ids: Sequence[str]) -> dict[tuple[str, str], float]:
    """(sitting, station) → the mean of its assessors' grades."""
    given: dict[tuple[str, str], list[float]] = defaultdict(list)
    for start in range(0, len(sitting_ids), 500):
        chunk = sitting_ids[start : start + 500]
        for sid, station, judgement, borderline in s.execute(
            select(
                JudgementRow.sitting_id,
                JudgementRow.station_id,
                JudgementRow.judgement,
                JudgementRow.borderline,
            ).where(JudgementRow.sitting_id.in_(chunk), JudgementRow.judgement.is_not(None))
        ):
            grade = GRADE_BORDERLINE if borderline else GRADE_MET if judgement == "met" else GRADE_NOT_MET
            given[(sid, station)].append(grade)
    return {k: statistics.fmean(v) for k, v in given.items()}


def _titles(pack: Pack) -> dict[str, str]:
    out = {sc.id: sc.title for sc in pack.scenarios}
    if pack.written_exercise is not None:
        out[pack.written_exercise.id] = pack.written_exercise.title
    return out


def _most(pack: Pack) -> dict[str, int]:
    return {
        station: max(lv.value for lv in pack.levels_for(rubric)) * len(rubric.criteria)
        for station, rubric in pack.rubrics()
    }


def _newest_pack(rows: Sequence[PackRow]) -> Pack:
    """The pack's content as most recently stored (one name and version, one rubric)."""
    return packs.pack_of_row(max(rows, key=lambda r: r.created_at))


# Proposing -------------------------------------------------------------------------------


def propose(db: Database, actor: Actor, pack: PackVersion, period: Period) -> Proposal:
    """Per station, the borderline-regression and borderline-group marks from the period."""
    require(actor, *PROPOSE)
    _check_order(period)
    from naas_centre.qa.standard_setting import borderline_regression  # numpy only when asked
    from naas_centre.qa.tables import NotEnoughData

    with db.read() as s:
        the_pack = _newest_pack(_pack_rows(s, pack))
        sheets = _sheets(s, pack, period)
        grades = _grades(s, [sh.sitting_id for sh in sheets])
        current = _history(s, pack, the_pack)
    titles, most = _titles(the_pack), _most(the_pack)
    newest: dict[str, AdoptedPassMark] = {}
    for mark in current:
        if mark.station_id not in newest or mark.version > newest[mark.station_id].version:
            newest[mark.station_id] = mark
    stations = []
    for station, _ in the_pack.rubrics():
        points = [
            (grades[(sh.sitting_id, station)], float(sh.scores[station]))
            for sh in sheets
            if station in sh.scores and (sh.sitting_id, station) in grades
        ]
        g, y = [p[0] for p in points], [p[1] for p in points]
        group = [score for grade, score in points if grade == GRADE_BORDERLINE]
        note = ""
        fit = None
        try:
            fit = borderline_regression(g, y, GRADE_BORDERLINE)
        except NotEnoughData as exc:
            note = f"No borderline regression: {exc}."
        if not group:
            note = (
                note + " " if note else ""
            ) + "No sitting was graded borderline, so there is no borderline group."
        stations.append(
            StationProposal(
                station_id=station,
                station=titles[station],
                most=most[station],
                n=len(points),
                n_borderline=len(group),
                regression_mark=fit.pass_mark if fit else None,
                regression_se=fit.se if fit else None,
                regression_ci=(fit.ci_low, fit.ci_high) if fit else None,
                slope=fit.slope if fit else None,
                intercept=fit.intercept if fit else None,
                r_squared=fit.r_squared if fit else None,
                group_mark=statistics.fmean(group) if group else None,
                group_se=statistics.stdev(group) / math.sqrt(len(group)) if len(group) >= 2 else None,
                current=newest.get(station),
                note=note,
                points=tuple(points),
            )
        )
    return Proposal(pack, the_pack.title, period, len(sheets), tuple(stations))


# The what-if -----------------------------------------------------------------------------


def what_if(
    db: Database, actor: Actor, marks: ProposedMarks, period: Period, *, today: date | None = None
) -> WhatIf:
    """Pass rates in the period under ``marks`` beside those under the marks in force."""
    require(actor, *PROPOSE)
    _check_order(period)
    with db.read() as s:
        rows = _pack_rows(s, marks.pack)
        the_pack = _newest_pack(rows)
        _check_marks(the_pack, marks.marks)
        adopted = pass_marks.adopted_for(s, (marks.pack.name, marks.pack.version))
        sheets = _sheets(s, marks.pack, period)
        groups, note = _group_figures(s, actor, marks, period, sheets, adopted, today)
    titles = _titles(the_pack)
    complete = [sh for sh in sheets if sh.base != INCOMPLETE]
    now = [_verdict(sh, _in_force(adopted, sh.day)) for sh in complete]
    then = [_verdict(sh, _proposed(adopted, sh.day, marks.marks)) for sh in complete]
    stations = []
    for station, _ in the_pack.rubrics():
        scored = [sh for sh in complete if station in sh.scores]
        current_now = [_in_force(adopted, sh.day).get(station) for sh in scored]
        proposed = marks.marks.get(station)
        in_period = set(current_now)
        stations.append(
            StationWhatIf(
                station,
                titles[station],
                next(iter(in_period)) if len(in_period) == 1 else None,
                proposed,
                len(in_period) > 1,
                _rate(_reaches(sh.scores[station], m) for sh, m in zip(scored, current_now, strict=True)),
                _rate(
                    _reaches(sh.scores[station], proposed if proposed is not None else m)
                    for sh, m in zip(scored, current_now, strict=True)
                ),
            )
        )
    return WhatIf(
        marks.pack,
        period,
        len(complete),
        len(sheets) - len(complete),
        _rate(now),
        _rate(then),
        sum(1 for a, b in zip(now, then, strict=True) if a and not b),
        sum(1 for a, b in zip(now, then, strict=True) if b and not a),
        tuple(stations),
        groups,
        note,
    )


def _in_force(adopted: Sequence[AdoptedMark], day: date) -> dict[str, float]:
    return {st: m.pass_mark for st, m in in_force(adopted, day).items()}


def _proposed(adopted: Sequence[AdoptedMark], day: date, marks: Mapping[str, float]) -> dict[str, float]:
    return {**_in_force(adopted, day), **marks}


def _reaches(score: int, mark: float | None) -> bool:
    return mark is None or score >= mark - 1e-9


def _verdict(sheet: _Sheet, marks: Mapping[str, float]) -> bool:
    """Met under ``marks``: met by the pack's rule and every marked station reached."""
    if sheet.base != MET:
        return False
    return all(_reaches(sheet.scores[st], m) for st, m in marks.items() if st in sheet.scores)


def _rate(verdicts: Iterable[bool]) -> Rate:
    flags = list(verdicts)
    met = sum(1 for v in flags if v)
    return Rate(met, len(flags) - met)


def _group_figures(
    s: Session,
    actor: Actor,
    marks: ProposedMarks,
    period: Period,
    sheets: list[_Sheet],
    adopted: Sequence[AdoptedMark],
    today: date | None,
) -> tuple[tuple[GroupWhatIf, ...], str]:
    """Outcomes by group now and under the proposal, as the fairness tables show them."""
    if actor.role not in capabilities.EQUALITY:
        return (), "Pass rates by group are shown to the quality-assurance lead only."
    try:
        disclosure.check_period(period, today or datetime.now(fairness.LONDON).date())
    except PeriodNotPublishable as exc:
        return (), str(exc)
    # fairness reads every sitting of the period in the score sheets' order; ours are
    # the same rows in the same order, so they pair one to one.
    grouped, _ = fairness._sittings(s, period)
    everyone = ScoreSheetQuery.open(s, Filters(), with_pass_marks=False)
    in_period = [r for r in everyone.sittings if period.start <= r[5] <= period.end]
    if len(in_period) != len(grouped):  # pragma: no cover - both read one transaction
        raise RuntimeError("the fairness read and the score sheets disagree on the period's sittings")
    ours = {sh.sitting_id: sh for sh in sheets}
    now, then = [], []
    candidates = set()
    for row, st in zip(in_period, grouped, strict=True):
        sheet = ours.get(row[0])
        if sheet is None:
            continue
        candidates.add(row[2:4])
        if sheet.base == INCOMPLETE:
            now.append(st)
            then.append(st)
            continue
        verdict_now = _verdict(sheet, _in_force(adopted, sheet.day))
        verdict_then = _verdict(sheet, _proposed(adopted, sheet.day, marks.marks))
        now.append(replace(st, outcome=MET if verdict_now else NOT_MET))
        then.append(replace(st, outcome=MET if verdict_then else NOT_MET))
    try:
        disclosure.check_enough(period, len(candidates))
        out = []
        for dimension in fairness.DIMENSIONS:
            before, after = fairness._table(dimension, now), fairness._table(dimension, then)
            after_rows = {r.group: r for r in after.rows}
            for r in before.rows:
                a = after_rows[r.group]
                met, not_met = OUTCOMES.index(MET), OUTCOMES.index(NOT_MET)
                out.append(
                    GroupWhatIf(
                        dimension,
                        r.group,
                        (r.counts[met], r.counts[not_met]),
                        (a.counts[met], a.counts[not_met]),
                        r.pass_rate.rate if r.pass_rate else None,
                        a.pass_rate.rate if a.pass_rate else None,
                    )
                )
    except PeriodNotPublishable as exc:
        return (), str(exc)
    return tuple(out), ""


# Adopting --------------------------------------------------------------------------------


def adopt(
    db: Database,
    actor: Actor,
    pack: PackVersion,
    station_id: str,
    pass_mark: float,
    method: Method | str,
    reason: str,
    effective_from: date,
    *,
    n: int | None = None,
    r_squared: float | None = None,
    se: float | None = None,
    at: datetime | None = None,
) -> AdoptedPassMark:
    """Records a new version of the station's pass mark, in force from ``effective_from``.

    ``n``, ``r_squared`` and ``se`` are the figures it came from (none when set by hand).
    Refused, with nothing changed: no reason; a pack, station or method not known; a mark
    outside 0 to the station's highest score; an effective day not after the day it is adopted.
    """
    require(actor, *ADOPT)
    when = at or utcnow()
    why = " ".join((reason or "").split())
    if not why:
        raise UserError(
            "Give the reason for adopting this pass mark: it is kept with the mark and in the audit trail."
        )
    try:
        how = Method(method)
    except ValueError:
        raise UserError(
            f"A pass mark is set by {', '.join(m.words for m in Method)}, not {method!r}."
        ) from None
    adopted_on = when.astimezone(fairness.LONDON).date()
    if effective_from <= adopted_on:
        raise UserError(
            f"A pass mark takes effect from the day after it is adopted at the earliest, not "
            f"{effective_from:%d %B %Y}: outcomes already given, and reports already signed, stay "
            "as they are."
        )
    with db.write() as s:
        the_pack = _newest_pack(_pack_rows(s, pack))
        most = _most(the_pack)
        if station_id not in most:
            raise UserError(f"The pack {pack.in_words()} has no station {station_id!r}.")
        title = _titles(the_pack)[station_id]
        if (
            isinstance(pass_mark, bool)
            or not math.isfinite(pass_mark)
            or not 0 <= pass_mark <= most[station_id]
        ):
            raise UserError(
                f"The pass mark for “{title}” must be a number from 0 to {most[station_id]}, "
                f"its highest score; {pass_mark!r} is not."
            )
        last = s.scalar(
            select(func.max(StationPassMarkRow.version)).where(
                StationPassMarkRow.pack_name == pack.name,
                StationPassMarkRow.pack_version == pack.version,
                StationPassMarkRow.station_id == station_id,
            )
        )
        row = StationPassMarkRow(
            pack_name=pack.name,
            pack_version=pack.version,
            station_id=station_id,
            pass_mark=round(float(pass_mark), PLACES),
            method=how.value,
            n=n,
            r_squared=r_squared,
            se=se,
            effective_from=effective_from,
            version=(last or 0) + 1,
            reason=why,
            adopted_by=actor.account_id,
            adopted_at=when,
        )
        s.add(row)
        audit.record(s, actor, "pass_mark.adopt", row, None)
        return _view(row, pack, title, actor.display_name)


def history(db: Database, actor: Actor, pack: PackVersion) -> tuple[AdoptedPassMark, ...]:
    """Every version adopted for the pack's stations, oldest first per station."""
    require(actor, *PROPOSE)
    with db.read() as s:
        return _history(s, pack, _newest_pack(_pack_rows(s, pack)))


def packs_in_use(db: Database, actor: Actor) -> tuple[tuple[PackVersion, str], ...]:
    """Every pack (name and version) a sitting has used, with its title."""
    require(actor, *PROPOSE)
    with db.read() as s:
        rows = s.execute(select(PackRow.name, PackRow.version, PackRow.title).order_by(PackRow.name)).all()
    seen: dict[PackVersion, str] = {}
    for name, version, title in rows:
        seen.setdefault(PackVersion(name, version), title)
    return tuple(sorted(seen.items(), key=lambda kv: (kv[0].name, kv[0].version)))


def _history(s: Session, pack: PackVersion, the_pack: Pack) -> tuple[AdoptedPassMark, ...]:
    titles = _titles(the_pack)
    rows = s.execute(
        select(StationPassMarkRow, AccountRow.display_name)
        .join(AccountRow, AccountRow.id == StationPassMarkRow.adopted_by)
        .where(StationPassMarkRow.pack_name == pack.name, StationPassMarkRow.pack_version == pack.version)
        .order_by(StationPassMarkRow.station_id, StationPassMarkRow.version)
    ).all()
    return tuple(_view(row, pack, titles.get(row.station_id, row.station_id), name) for row, name in rows)


def _view(row: StationPassMarkRow, pack: PackVersion, title: str, by: str) -> AdoptedPassMark:
    return AdoptedPassMark(
        pack,
        row.station_id,
        title,
        row.pass_mark,
        Method(row.method),
        row.n,
        row.r_squared,
        row.se,
        row.effective_from,
        row.version,
        row.reason,
        by,
        row.adopted_at,
    )


def _check_order(period: Period) -> None:
    if period.end < period.start:
        raise UserError(f"The period {period.in_words()} ends before it starts: give the earlier date first.")


def _check_marks(pack: Pack, marks: Mapping[str, float]) -> None:
    most, titles = _most(pack), _titles(pack)
    for station, mark in marks.items():
        if station not in most:
            raise UserError(f"The pack {pack.name} {pack.version} has no station {station!r}.")
        if isinstance(mark, bool) or not math.isfinite(mark) or not 0 <= mark <= most[station]:
            raise UserError(
                f"The pass mark for “{titles[station]}” must be a number from 0 to {most[station]}; "
                f"{mark!r} is not."
            )
