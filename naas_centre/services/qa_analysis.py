"""The centre's quality-assurance analysis: one read of its scores for a period, and every
figure of issue 14 computed from it, returned as frozen data.

Who may run it: anyone who oversees the centre (``capabilities.OVERSEE``: the centre
manager, the administrator, the QA lead); an assessor is refused and has
``personal_sheet`` instead, their own figures only. Fairness, which reads equality
monitoring, is added only for a role that may see it (``capabilities.EQUALITY``) and
only for a closed period (``services.fairness``, which applies its own rules).

What counts: a sitting whose every assessor has submitted (nothing provisional enters
the figures, and no assessor's scores are read before the others could see them).
A station score is the sum of one assessor's levels at one station, given only when they
scored every criterion of it; an agreed level is the moderated level where there is one,
else the level every observer gave.

Sections run in order, each reporting progress and honouring a cancel request before it
starts (``AnalysisCancelled``); a section that the data cannot give (too few candidates,
one assessor only) is left empty with the reason in words, and the others still run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from naas_centre.qa.disclosure import Period

if TYPE_CHECKING:  # the statistics' result types; numpy is imported only when QA runs
    from db.engine import Database
    from naas_centre.qa.agreement import Agreement, Kappa
    from naas_centre.qa.calibration import CalibrationOffset
    from naas_centre.qa.drift import Drift
    from naas_centre.qa.generalisability import GStudy
    from naas_centre.qa.icc import Icc
    from naas_centre.qa.many_raters import FleissKappa, KrippendorffAlpha
    from naas_centre.qa.reliability import CronbachAlpha, LevelDistribution
    from naas_centre.qa.standard_setting import BorderlineRegression
    from naas_centre.qa.stringency import ChangedOutcomes, ExaminerEffects
    from naas_centre.qa.stringency import PersonalSheet as ExaminerSheet
    from naas_centre.services.fairness import Fairness
    from naas_centre.services.item_statistics import ItemStatisticsReport
    from naas_centre.services.qa_tables import Table
    from naas_centre.services.views import Actor

Progress = Callable[[float, str], None]  # share done (0..1), what is being done
Cancelled = Callable[[], bool]

# Judgements as grades for standard setting: met 3, not met 1, either said to be
# borderline 2 (the borderline grade of ``qa.standard_setting``).
GRADE_MET, GRADE_BORDERLINE, GRADE_NOT_MET = 3.0, 2.0, 1.0
MIN_PAIR_RATINGS = 10  # criterion levels two assessors both gave, before their agreement is shown
# Station scores two assessors both gave, before their ICC is worked out: Koo & Li (2016)
# advise at least 30 subjects for an ICC worth reporting.
MIN_PAIR_ICC = 30
MIN_ASSESSOR_OBSERVATIONS = 5  # station scores, before an assessor's figures are shown
POINTS = 2000  # (grade, score) points kept per station for a scatter chart


class AnalysisCancelled(Exception):
    """The analysis was stopped before it finished: nothing is returned."""


@dataclass(frozen=True)
class Scope:
    """What the analysis covered."""

    period: Period | None  # None: all time
    sittings: int  # counted (every assessor submitted)
    candidates: int
    assessors: int
    left_out: int  # sittings in the period not yet submitted by every assessor
    first_day: date | None
    last_day: date | None

    def in_words(self) -> str:
        return self.period.in_words() if self.period is not None else "all time"


@dataclass(frozen=True)
class PairAgreement:
    """Two assessors who scored the same candidates: on criterion levels and station scores."""

    first: str  # display names, in alphabetical order
    second: str
    agreement: Agreement  # exact and adjacent, over criterion levels both gave
    kappa: Kappa | None  # Cohen's; None when undefined (every level the same)
    weighted_kappa: Kappa | None  # quadratic weights
    icc: Icc | None  # station scores both gave (subjects × the two); None under MIN_PAIR_ICC
    station_scores: int


@dataclass(frozen=True)
class AssessorAgreement:
    """One assessor against whoever scored beside them, pooled."""

    assessor: str
    agreement: Agreement
    kappa: Kappa | None
    weighted_kappa: Kappa | None
    co_assessors: int


@dataclass(frozen=True)
class ManyRaters:
    """Criterion levels given by three or more assessors."""

    units: int  # criterion-by-sitting units with three or more levels
    raters: int  # the most levels one unit has
    fleiss: FleissKappa | None  # over the units with exactly ``raters`` levels
    krippendorff: KrippendorffAlpha | None  # ordinal, over every unit with two or more


@dataclass(frozen=True)
class AgreementSection:
    overall: Agreement | None  # every pair of levels given to the same criterion of a sitting
    overall_kappa: Kappa | None  # Cohen's, first and second observer
    overall_weighted_kappa: Kappa | None
    overall_icc: Icc | None  # station scores, first and second observer
    pairs: tuple[PairAgreement, ...]  # with at least MIN_PAIR_RATINGS levels in common
    pairs_too_small: int
    assessors: tuple[AssessorAgreement, ...]
    many: ManyRaters | None  # None: no unit had more than two assessors
    note: str  # "" or why a figure is missing


@dataclass(frozen=True)
class StationReliability:
    station: str  # title; "All stations" for the pack as a whole
    items: tuple[str, ...]  # criterion headings, in the order of ``alpha.per_item``
    alpha: CronbachAlpha | None
    note: str


@dataclass(frozen=True)
class CriterionLevels:
    station: str
    criterion: str
    distribution: LevelDistribution


@dataclass(frozen=True)
class StationStandard:
    """Borderline regression and the borderline group for one station."""

    station: str  # title
    station_id: str
    regression: BorderlineRegression | None
    grades: tuple[tuple[float, int], ...]  # (grade, how many judgements)
    points: tuple[tuple[float, float], ...]  # (grade, score), at most POINTS for a chart
    note: str


@dataclass(frozen=True)
class PackAnalysis:
    """The figures of one scenario pack (name and version): criteria and stations are its own."""

    pack: str  # "name version"
    title: str
    sittings: int
    overall: StationReliability
    stations: tuple[StationReliability, ...]
    levels: tuple[CriterionLevels, ...]
    g_study: GStudy | None  # nested: candidates × (assessors within stations)
    g_stations: tuple[str, ...]  # the stations it covers
    g_note: str
    standards: tuple[StationStandard, ...]
    cut: float | None  # the mean of the stations' borderline-regression pass marks
    sem_at_cut: float | None  # the G study's absolute SEM of a candidate's mean station score
    near_cut: int  # candidates within 1.96 SEM of the cut
    outcomes_changed: ChangedOutcomes | None  # adjusting each score for its assessor, at the cut


@dataclass(frozen=True)
class QaAnalysis:
    scope: Scope
    agreement: AgreementSection
    packs: tuple[PackAnalysis, ...]
    examiners: ExaminerEffects | None  # assessor ids, named by ``names``
    drift: Drift | None
    examiner_note: str
    names: tuple[tuple[str, str], ...]  # assessor id → display name, for the examiners' ids
    fairness: Fairness | None  # only for a role that may see equality data
    fairness_note: str  # why there is none, when there is none for such a role
    # Each assessor's offset from the agreed levels of calibration exercises: a figure
    # of its own beside the stringency model's effects (see naas_centre.qa.calibration),
    # over every finished attempt, whatever the period.
    calibration: tuple[CalibrationOffset, ...] = ()
    # The knowledge test's item statistics of each pack sat in the period: only for a role
    # that reviews the bank (``capabilities.ITEM_STATISTICS``).
    items: tuple[ItemStatisticsReport, ...] = ()


@dataclass(frozen=True)
class PersonalMonth:
    """One assessor's figures in one calendar month."""

    month: date  # its first day
    station_scores: int
    mean_score: float
    mean_difference: float | None  # their station score less the other observer's, on average
    exact: float | None  # share of their criterion levels the other observer gave too


@dataclass(frozen=True)
class PersonalSheet:
    """The signed-in assessor's own figures, over all time: no colleague is named or shown."""

    assessor: str
    station_scores: int
    agreement: Agreement | None  # with whoever observed beside them, pooled
    weighted_kappa: Kappa | None
    months: tuple[PersonalMonth, ...]
    examiner: ExaminerSheet | None  # their effect, interval, drift and percentile among all
    note: str
    calibration: CalibrationOffset | None = None  # their own offset from agreed levels, if any


def analyse(
    db: Database,
    actor: Actor,
    period: Period | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    today: date | None = None,
) -> QaAnalysis:
    """The whole analysis of the period's sittings (``None``: all time; fairness needs a
    closed period, judged against ``today``)."""
    from naas_centre.services import qa_sections

    return qa_sections.run(db, actor, period, progress, cancelled, today)


def tables(analysis: QaAnalysis) -> tuple[Table, ...]:
    """Every table of the analysis, as plain rows for CSV and XLSX."""
    from naas_centre.services import qa_tables

    return qa_tables.tables(analysis)


def personal_sheet(db: Database, actor: Actor) -> PersonalSheet:
    """The acting person's own figures as an assessor, over all time (any role with an
    account; one who has scored nothing gets an empty sheet saying so)."""
    from naas_centre.services import qa_sections

    return qa_sections.personal_sheet(db, actor)
