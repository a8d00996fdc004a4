"""Score sheets: one row per candidate attempt (sitting), read in bulk.

The agreed levels and the outcome follow the rules the reports use: a criterion's
level counts once every submitted sheet that observes its station gives it, and a
moderated level wins (``services.moderation.final_levels_in``); the outcome is the
pack's rule (``core.outcome``), with the station pass marks in force on the sitting's
day (``core.pass_marks``), given only when nothing is missing by the rule of
``core.completeness`` (every station held, the script in, every sheet submitted,
scored and judged, every difference moderated) and every form of the pack's knowledge
test is submitted, whose pass marks the outcome then also needs. What is not final yet
is left empty, and the outcome says "not yet complete".

Reading is done a batch of sittings at a time, with a handful of grouped queries per
batch, so 30,000 sittings need a few hundred queries, not hundreds of thousands; only
one batch is held in memory. Equality monitoring is never read here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    CandidateRow,
    PackRow,
    SittingRow,
)
from naas_centre.core.completeness import JUDGEMENT
from naas_centre.core.outcome import CriterionSpec, OutcomeRuleSpec, combine, reaches
from naas_centre.core.pass_marks import AdoptedMark, in_force, marks_of
from naas_centre.packs import outcome_adapter
from naas_centre.packs.schema import Pack
from naas_centre.services import packs, pass_marks

MET, NOT_MET, INCOMPLETE = "met", "not met", "not yet complete"
PASSED, NOT_PASSED = "passed", "not passed"  # a knowledge-test form against its pass mark
OUTCOMES = (MET, NOT_MET, INCOMPLETE)
BATCH = 1000  # sittings per round of queries: well under every database's parameter limit
LEVEL_ORDER = {"practitioner": 0, "supervisor": 1, "leader": 2}
# The phase whose start means the station took place (as services.completeness).
_MAIN_PHASE = {"role_play": "role_play", "reflective": "role_play"}

Value = str | int | date | None
# "text" is free text (a name), looked at for what a spreadsheet would run; "word" is
# the product's own vocabulary (met, not met, a level) and "id" an id or a hash: neither can be.
Kind = Literal["text", "word", "date", "number", "id"]


@dataclass(frozen=True)
class Filters:
    """Which sittings: None for any. ``employer`` and ``level`` as stored."""

    day: date | None = None
    employer: str | None = None
    level: str | None = None

    def in_words(self) -> str:
        parts = []
        if self.day is not None:
            parts.append(f"on {self.day:%d %B %Y}")
        if self.employer is not None:
            parts.append(f"for {self.employer}")
        if self.level is not None:
            parts.append(f"at {self.level} level")
        return " ".join(parts) or "at all"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind
    width: int  # in characters, for a spreadsheet


@dataclass(frozen=True)
class SittingResult:
    """One sitting's figures, before they are laid out as a row."""

    sitting_id: str
    candidate: str
    registration_number: str
    employer: str
    level: str
    day: date
    attempt: int
    pack: str
    assessors: tuple[str, ...]
    outcome: str  # one of OUTCOMES
    levels: dict[str, int]  # column key → agreed level
    areas: dict[str, str]  # column key → "met" / "not met"
    reports: dict[str, str]  # column key → report id or hash
    knowledge: dict[str, str] = field(default_factory=dict)  # column key → "passed" / "not passed"


class FastRule:
    """``core.outcome.evaluate``'s verdict for a complete sheet, without its sentences.

    An export needs, for thousands of sittings, only whether each area and the whole
    are met; the rule's sentences (its main cost) are for reports. The conditions are
    the core's four, computed with its own ``combine`` and ``reaches``; a test holds the
    two to the same answers over many random sheets and rules.
    """

    def __init__(
        self, criteria: Sequence[CriterionSpec], rule: OutcomeRuleSpec, areas: Sequence[str]
    ) -> None:
        self.ids = tuple(c.id for c in criteria)
        index = {c.id: i for i, c in enumerate(criteria)}
        self.areas = tuple(areas)
        self.members = tuple(tuple(index[c.id] for c in criteria if c.area == a) for a in areas)
        # Each area's levels gathered in one call; a mean of integers as sum / count is
        # what ``statistics.fmean`` returns for them, at a fraction of the cost.
        self.gather = tuple(_gatherer(m) for m in self.members)
        self.combine: Callable[[Sequence[int]], float] = (
            _mean if rule.combine == "mean" else partial(combine, rule.combine)
        )
        minimum: dict[int, int] = {}
        for crit, level in rule.critical:
            minimum[index[crit]] = max(level, minimum.get(index[crit], level))
        self.minimum = tuple(minimum.items())
        self.rule = rule
        self.required = len(self.areas) if rule.areas_met == "all" else rule.areas_met
        self.standard = rule.standard()
        self.station_marks = tuple(
            (tuple(index[c] for c in m.criteria), m.pass_mark) for m in rule.station_pass_marks
        )

    def verdict(self, levels: Sequence[int]) -> tuple[bool, tuple[bool, ...]]:
        """(met, each area met) for one level per criterion, in ``ids`` order."""
        rule = self.rule
        mark = rule.area_pass_mark
        failed = {i for i, least in self.minimum if levels[i] < least} if self.minimum else None
        area_met = tuple(reaches(self.combine(gather(levels)), mark) for gather in self.gather)
        if failed:
            area_met = tuple(
                m and not failed.intersection(ms) for m, ms in zip(area_met, self.members, strict=True)
            )
        met = sum(area_met) >= self.required and not failed
        if met and rule.floor_level is not None:
            met = min(levels) >= rule.floor_level
        if met and rule.max_below_standard is not None:
            met = sum(1 for lv in levels if lv < self.standard) <= rule.max_below_standard
        if met and self.station_marks:
            met = all(reaches(sum(levels[i] for i in ids), mark) for ids, mark in self.station_marks)
        return met, area_met


def _gatherer(members: Sequence[int]) -> Callable[[Sequence[int]], Sequence[int]]:
    if len(members) == 1:  # itemgetter of one index gives the item, not a tuple of it
        only = members[0]
        return lambda levels: (levels[only],)
    return itemgetter(*members)


def _mean(levels: Sequence[int]) -> float:
    return sum(levels) / len(levels)


@dataclass
class _PackPlan:
    """What one stored pack contributes: its specs for the rule, its column keys."""

    row_id: str
    pack: Pack
    label: str
    criteria: tuple[CriterionSpec, ...]
    rule: OutcomeRuleSpec
    area_ids: tuple[str, ...]
    area_titles: dict[str, str]
    stations: tuple[tuple[str, str, str], ...]  # (station id, kind, title) in sitting order
    keys_at: dict[str, dict[str, str]]  # station → criterion id → column key
    written: str | None  # the written exercise's station id
    fast: FastRule
    order: tuple[str, ...]  # column keys in the rule's criterion order
    area_keys: tuple[str, ...]
    in_order: dict[str, str] = field(default_factory=dict)  # station → sorted criterion ids, joined
    keys_in_order: dict[str, tuple[str, ...]] = field(default_factory=dict)  # their column keys
    marks: tuple[AdoptedMark, ...] = ()  # every station pass mark adopted for this pack
    forms: tuple[tuple[str, str], ...] = ()  # the knowledge test's forms: (form id, title)
    _fast_by_marks: dict[tuple[tuple[str, int], ...], FastRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Code-point order, as SQLite's index and PostgreSQL's "C" collation give it.
        for station, keys in self.keys_at.items():
            ids = sorted(keys)
            self.in_order[station] = ",".join(ids)
            self.keys_in_order[station] = tuple(keys[c] for c in ids)

    def fast_on(self, day: date) -> FastRule:
        """The rule for a sitting on ``day``: the pack's, with the station pass marks in force."""
        if not self.marks:
            return self.fast
        now = in_force(self.marks, day)
        key = tuple(sorted((station, m.version) for station, m in now.items()))
        found = self._fast_by_marks.get(key)
        if found is None:
            marks = outcome_adapter.station_pass_marks(self.pack, marks_of(now))
            found = FastRule(self.criteria, replace(self.rule, station_pass_marks=marks), self.area_ids)
            self._fast_by_marks[key] = found
        return found

    @classmethod
    def of(cls, row: PackRow, marks: tuple[AdoptedMark, ...] = ()) -> _PackPlan:
        pack = packs.pack_of_row(row)
        stations: tuple[tuple[str, str, str], ...] = tuple(
            (sc.id, sc.kind, sc.title) for sc in pack.scenarios
        )
        we = pack.written_exercise
        if we is not None:
            stations += ((we.id, "written", we.title),)
        criteria = outcome_adapter.criteria_from_pack(pack)
        rule = outcome_adapter.rule_from_pack(pack)
        area_ids = outcome_adapter.area_ids(pack)
        return cls(
            row.id,
            pack,
            f"{row.name} {row.version}",
            criteria,
            rule,
            area_ids,
            outcome_adapter.area_titles(pack),
            stations,
            {
                station: {c.id: _criterion_key(pack.name, station, c.id) for c in rubric.criteria}
                for station, rubric in pack.rubrics()
            },
            we.id if we is not None else None,
            FastRule(criteria, rule, area_ids),
            tuple(_criterion_key(pack.name, station, c.id) for station, c in pack.criteria()),
            tuple(f"area:{pack.name}/{a}" for a in area_ids),
            marks=marks,
            forms=tuple((f.id, f.title) for f in pack.knowledge_test.forms) if pack.knowledge_test else (),
        )

    def criterion_key(self, station: str, criterion: str) -> str:
        return _criterion_key(self.pack.name, station, criterion)

    def area_key(self, area: str) -> str:
        return f"area:{self.pack.name}/{area}"

    def knowledge_key(self, form: str) -> str:
        return f"knowledge:{self.pack.name}/{form}"

    def report_key(self, station: str, what: str) -> str:
        return f"report-{what}:{self.pack.name}/{station}"


def _criterion_key(pack_name: str, station: str, criterion: str) -> str:
    return f"criterion:{pack_name}/{station}/{criterion}"


FIXED: tuple[Column, ...] = (
    Column("candidate", "Candidate", "text", 28),
    Column("registration_number", "Registration number", "text", 16),
    Column("employer", "Employer", "text", 26),
    Column("level", "Level", "word", 13),
    Column("day", "Day", "date", 12),
    Column("attempt", "Attempt", "number", 8),
    Column("outcome", "Outcome", "word", 16),
    Column("assessors", "Assessors", "text", 32),
    Column("pack", "Scenario pack", "text", 22),
)
TRAILING: tuple[Column, ...] = (Column("sitting_id", "Sitting", "id", 38),)


Link = tuple[str, str, bool, frozenset[str]]  # assessor id, display name, submitted, stations
Sheet = tuple[str, str, str]  # (sitting, assessor, station)


@dataclass(frozen=True)
class SheetFacts:
    """The sheets of a set of sittings, read beforehand in one bulk read by whoever also
    needs them (the QA analysis), so a query over those sittings need not read them again.

    As the batch queries give them: each sitting's assessors (named in ``SittingResult``
    in this order; no figure depends on it); each sheet's criteria and levels at a
    station as two texts, where a criterion left unscored may be left out (every rule
    here reads a missing criterion as an empty level); each sheet's judgement, where a
    missing one is "not judged".
    """

    assessors: dict[str, list[Link]]
    sheets: dict[Sheet, tuple[str, str]]
    judged: dict[Sheet, str]


@dataclass
class ScoreSheetQuery:
    """The sittings an export covers, and its columns; ``results()`` streams them."""

    session: Session
    filters: Filters
    sittings: list[tuple[str, str, str, str, str, date, int, str]]  # in row order
    plans: dict[str, _PackPlan]
    columns: tuple[Column, ...] = field(default=())
    facts: SheetFacts | None = None  # every sitting's sheets, already read; None: read here

    @property
    def total(self) -> int:
        return len(self.sittings)

    @classmethod
    def open(cls, s: Session, filters: Filters, *, with_pass_marks: bool = True) -> ScoreSheetQuery:
        """The sittings ``filters`` choose; ``with_pass_marks`` False gives the pack's rule
        without any adopted station pass mark (what standard setting compares against)."""
        q = (
            select(
                SittingRow.id,
                SittingRow.pack_id,
                CandidateRow.full_name,
                CandidateRow.registration_number,
                CandidateRow.employer,
                SittingRow.day,
                SittingRow.attempt,
                PackRow.level,
            )
            .join(CandidateRow, CandidateRow.id == SittingRow.candidate_id)
            .join(PackRow, PackRow.id == SittingRow.pack_id)
            .order_by(
                SittingRow.day,
                CandidateRow.employer,
                CandidateRow.full_name,
                SittingRow.attempt,
                SittingRow.id,
            )
        )
        if filters.day is not None:
            q = q.where(SittingRow.day == filters.day)
        if filters.employer is not None:
            q = q.where(CandidateRow.employer == filters.employer)
        if filters.level is not None:
            q = q.where(PackRow.level == filters.level)
        rows = [tuple(r) for r in s.execute(q)]
        used = {r[1] for r in rows}
        stored = list(s.scalars(select(PackRow).where(PackRow.id.in_(used)))) if used else []
        adopted = pass_marks.adopted(s, [(p.name, p.version) for p in stored]) if with_pass_marks else {}
        plans = {p.id: _PackPlan.of(p, adopted.get((p.name, p.version), ())) for p in stored}
        out = cls(s, filters, rows, plans)  # type: ignore[arg-type]
        out.columns = _columns(list(plans.values()))
        return out

    def results(self, batch: int = BATCH) -> Iterator[SittingResult]:
        for start in range(0, len(self.sittings), batch):
            part = self.sittings[start : start + batch]
            yield from _Batch(self.session, part, self.plans, self.facts).results()

    def rows(self, batch: int = BATCH) -> Iterator[list[Value]]:
        """Each sitting as a row of values in ``columns`` order (None: empty)."""
        keys = [c.key for c in self.columns]
        for r in self.results(batch):
            # One lookup per column, made in C: a signed report of a station the pack no
            # longer names has no column and is left out.
            values = {**_fixed(r), **r.levels, **r.areas, **r.knowledge, **r.reports}
            yield list(map(values.get, keys))


def _fixed(r: SittingResult) -> dict[str, Value]:
    return {
        "candidate": r.candidate,
        "registration_number": r.registration_number,
        "employer": r.employer,
        "level": r.level,
        "day": r.day,
        "attempt": r.attempt,
        "outcome": r.outcome,
        "assessors": "; ".join(r.assessors),
        "pack": r.pack,
        "sitting_id": r.sitting_id,
    }


def _columns(plans: list[_PackPlan]) -> tuple[Column, ...]:
    """The fixed columns, then per pack (by level, then name): criteria grouped by
    station, the KSS areas, the signed reports. Packs of one name share columns across
    versions; a title that would repeat names its level."""
    plans = sorted(plans, key=lambda p: (LEVEL_ORDER.get(p.pack.level.value, 9), p.pack.name))
    criteria: dict[str, Column] = {}
    areas: dict[str, Column] = {}
    tests: dict[str, Column] = {}
    reports: dict[str, Column] = {}
    for p in plans:
        titles = {station: title for station, _, title in p.stations}
        for station, rubric in p.pack.rubrics():
            for c in rubric.criteria:
                key = p.criterion_key(station, c.id)
                criteria.setdefault(key, Column(key, f"{titles[station]} — {c.heading()}", "number", 16))
        for area in p.pack.kss_areas:
            key = p.area_key(area.id)
            areas.setdefault(key, Column(key, f"KSS: {area.title}", "word", 14))
        for form, title in p.forms:
            key = p.knowledge_key(form)
            tests.setdefault(key, Column(key, f"Knowledge test: {title}", "word", 14))
        for station, kind, title in p.stations:
            what = "Written-exercise report" if kind == "written" else f"Observation report, {title}"
            for part, width, kind_ in (("id", 38, "id"), ("sha256", 66, "id")):
                key = p.report_key(station, part)
                label = "SHA-256" if part == "sha256" else "id"
                reports.setdefault(key, Column(key, f"{what} — {label}", kind_, width))  # type: ignore[arg-type]
        for part, width in (("id", 38), ("sha256", 66)):
            key = p.report_key("", part)
            label = "SHA-256" if part == "sha256" else "id"
            reports.setdefault(key, Column(key, f"Outcome report — {label}", "id", width))
    by_key = {p.pack.name: p.pack.level.value for p in plans}
    columns: list[Column] = [
        *FIXED,
        *criteria.values(),
        *areas.values(),
        *tests.values(),
        *reports.values(),
        *TRAILING,
    ]
    seen: dict[str, int] = defaultdict(int)
    for col in columns:
        seen[col.title] += 1
    out: list[Column] = []
    for col in columns:
        if seen[col.title] > 1 and ":" in col.key:
            pack_name = col.key.split(":", 1)[1].split("/", 1)[0]
            col = Column(col.key, f"{by_key[pack_name].capitalize()} · {col.title}", col.kind, col.width)
        out.append(col)
    return tuple(out)


@lru_cache(maxsize=1024)  # a centre's circuits name the same few sets of stations
def named(field_: str) -> frozenset[str]:
    """The stations a ``SittingAssessorRow.stations`` value names; empty: every station."""
    return frozenset(part.strip() for part in field_.split(",") if part.strip())


# The facts of a batch of sittings, as plain SQL both databases run: these queries read
# hundreds of thousands of small rows, and building them through SQLAlchemy (a thousand
# bound ids compiled per query, a result row object per row) took as long as reading
# them. ``{ids}`` is the batch's placeholders; ``{agg}`` joins a group's texts.
_ASSESSORS = """
SELECT sa.sitting_id, sa.assessor_id, a.display_name, sa.submitted_at IS NOT NULL, sa.stations
FROM sitting_assessors sa JOIN accounts a ON a.id = sa.assessor_id
WHERE sa.sitting_id IN ({ids}) ORDER BY sa.sitting_id, sa.created_at, sa.id"""
# Each sheet's criteria and levels at each station as two texts in one order, so the
# usual case, observers who gave the same levels, is one comparison of texts rather than
# one per criterion. Ids are [a-z0-9_-]: the comma cannot occur in them. The order is
# the criterion ids' where the database gives it (SQLite reads them from the covering
# index in that order; PostgreSQL is asked to); texts in another order, or that differ,
# are compared criterion by criterion, so the answer never rests on the order.
_SHEETS = """
SELECT sitting_id, assessor_id, station_id, {criteria}, {levels}
FROM scores WHERE sitting_id IN ({ids}) GROUP BY sitting_id, assessor_id, station_id"""
_JUDGEMENTS = """
SELECT sitting_id, assessor_id, station_id, judgement FROM judgements WHERE sitting_id IN ({ids})"""
_MODERATIONS = """
SELECT sitting_id, station_id, criterion_id, level, judgement FROM moderations
WHERE sitting_id IN ({ids})"""
_STARTS = """
SELECT sitting_id, station_id, phase FROM phase_events WHERE sitting_id IN ({ids}) AND kind = 'start'"""
_SCRIPTS = """
SELECT sitting_id, LENGTH(TRIM(text)) > 0, submitted_at IS NOT NULL FROM scripts
WHERE sitting_id IN ({ids})"""
_KNOWLEDGE = """
SELECT sitting_id, form_id, passed FROM knowledge_forms
WHERE sitting_id IN ({ids}) AND submitted_at IS NOT NULL"""
_REPORTS = """
SELECT sitting_id, kind, station_id, version, id, sha256 FROM signed_documents
WHERE sitting_id IN ({ids})"""


class _Reader:
    """Runs the batch queries on the session's own connection, in its transaction."""

    def __init__(self, s: Session) -> None:
        conn = s.connection()
        self.driver = conn.connection  # the DBAPI connection under the session
        postgres = conn.dialect.name == "postgresql"
        self.mark = "%s" if postgres else "?"
        joined = (
            "string_agg({}, ',' ORDER BY criterion_id COLLATE \"C\")" if postgres else "group_concat({}, ',')"
        )
        self.criteria = joined.format("criterion_id")
        self.levels = joined.format("COALESCE(CAST(level AS TEXT), '')")

    def rows(self, template: str, ids: Sequence[str]) -> list[Any]:
        marks = ", ".join([self.mark] * len(ids))
        sql = template.format(ids=marks, criteria=self.criteria, levels=self.levels)
        cursor = self.driver.cursor()
        try:
            cursor.execute(sql, tuple(ids))
            return list(cursor.fetchall())
        finally:
            cursor.close()


class _Batch:
    """One batch of sittings: every fact the rules need, in a few grouped queries."""

    def __init__(
        self,
        s: Session,
        sittings: Sequence[tuple[str, str, str, str, str, date, int, str]],
        plans: dict[str, _PackPlan],
        facts: SheetFacts | None = None,
    ) -> None:
        self.sittings = sittings
        self.plans = plans
        ids = [r[0] for r in sittings]
        read = _Reader(s)
        if facts is None:
            facts = _facts(read, ids)
        self.assessors, self.sheets, self.judged = facts.assessors, facts.sheets, facts.judged
        self.moderated: dict[str, dict[tuple[str, str], int | str | None]] = defaultdict(dict)
        for sid, station, crit, level, judgement in read.rows(_MODERATIONS, ids):
            self.moderated[sid][(station, crit)] = judgement if crit == JUDGEMENT else level
        self.started: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for sid, station, phase in read.rows(_STARTS, ids):
            self.started[sid].add((station, phase))
        self.scripts: dict[str, tuple[bool, bool]] = {
            sid: (bool(has_text), bool(submitted)) for sid, has_text, submitted in read.rows(_SCRIPTS, ids)
        }
        self.passed: dict[str, dict[str, bool]] = defaultdict(dict)  # sitting → form → passed
        for sid, form, passed in read.rows(_KNOWLEDGE, ids):
            self.passed[sid][form] = bool(passed)
        # The newest version of each report of the sitting.
        self.reports: dict[str, dict[str, tuple[int, str, str]]] = defaultdict(dict)
        for doc_sitting, kind, doc_station, version, doc_id, sha in read.rows(_REPORTS, ids):
            if doc_sitting is None:
                continue
            where = "" if kind == "outcome" else (doc_station or "")
            held = self.reports[doc_sitting].get(where)
            if held is None or version > held[0]:
                self.reports[doc_sitting][where] = (version, doc_id, sha)

    def results(self) -> Iterator[SittingResult]:
        for sid, pack_id, name, reg, employer, day, attempt, level in self.sittings:
            plan = self.plans[pack_id]
            assessors = self.assessors.get(sid, [])
            levels, complete = self._final(sid, plan, assessors)
            areas: dict[str, str] = {}
            outcome = INCOMPLETE
            passed = self.passed.get(sid, {})
            tests = {
                plan.knowledge_key(f): PASSED if passed[f] else NOT_PASSED
                for f, _ in plan.forms
                if f in passed
            }
            if complete:
                met, area_met = plan.fast_on(day).verdict([levels[k] for k in plan.order])
                areas = {k: MET if m else NOT_MET for k, m in zip(plan.area_keys, area_met, strict=True)}
                # The knowledge test, as core.outcome: open until every form is in, then each must pass.
                if len(tests) == len(plan.forms):
                    outcome = MET if met and all(passed[f] for f, _ in plan.forms) else NOT_MET
            reports: dict[str, str] = {}
            for station, (_, doc_id, sha) in self.reports.get(sid, {}).items():
                reports[plan.report_key(station, "id")] = doc_id
                reports[plan.report_key(station, "sha256")] = sha
            yield SittingResult(
                sid,
                name,
                reg,
                employer,
                level,
                day,
                attempt,
                plan.label,
                tuple(a[1] for a in assessors),
                outcome,
                levels,
                areas,
                reports,
                tests,
            )

    def _final(
        self, sid: str, plan: _PackPlan, assessors: list[tuple[str, str, bool, frozenset[str]]]
    ) -> tuple[dict[str, int], bool]:
        """The agreed levels (column key → level) and whether nothing is missing.

        Levels are shown only once every assessor of the sitting has submitted: until
        then no level is agreed by anyone but one assessor."""
        if not assessors or not all(a[2] for a in assessors):
            return {}, False
        complete = True
        started = self.started.get(sid, ())
        moderated = self.moderated.get(sid)
        sheets, judged = self.sheets, self.judged
        out: dict[str, int] = {}
        for station, kind, _ in plan.stations:
            if kind == "written":
                has_text, submitted = self.scripts.get(sid, (False, False))
                if not submitted or not (has_text or (station, "writing") in started):
                    complete = False
            elif (station, _MAIN_PHASE[kind]) not in started:
                complete = False
            # The assessors who observe this station (all submitted by now).
            here = [a[0] for a in assessors if not a[3] or station in a[3]]
            if not here:
                complete = False
                continue
            keys = plan.keys_at[station]
            if len(here) == 2:  # two observers, as a circuit has them: nothing to count
                first = sheets.get((sid, here[0], station), _UNSCORED)
                second = sheets.get((sid, here[1], station), _UNSCORED)
                texts = [first, second]
                same, same_criteria = first == second, first[0] == second[0]
            else:
                texts = [sheets.get((sid, aid, station), _UNSCORED) for aid in here]
                first = texts[0]
                same = texts.count(first) == len(texts)
                same_criteria = same or all(t[0] == first[0] for t in texts)
            if same and first[0] == plan.in_order[station]:
                # The same levels from every observer, every criterion in the usual order.
                levels, in_order = first[1].split(","), plan.keys_in_order[station]
                if "" in levels:
                    complete = False  # nobody has scored one of them
                    out.update((k, int(lv)) for k, lv in zip(in_order, levels, strict=True) if lv)
                else:
                    out.update(zip(in_order, map(int, levels), strict=True))
            elif same:  # the same, in another order
                given = _sheet(first)
                if given.keys() == keys.keys() and "" not in given.values():
                    out.update(zip(map(keys.__getitem__, given), map(int, given.values()), strict=True))
                else:
                    complete = False  # nobody has scored one of them
                    out.update((keys[c], int(lv)) for c, lv in given.items() if lv and c in keys)
            elif same_criteria and first[0] == plan.in_order[station]:
                # Levels that differ, on sheets of the same criteria in the usual order.
                complete = _compare_in_order(texts, plan.keys_in_order[station], out) and complete
            else:
                complete = _compare(texts, keys, out) and complete
            if len(here) == 2:
                said = {judged.get((sid, here[0], station), ""), judged.get((sid, here[1], station), "")}
            else:
                said = {judged.get((sid, aid, station), "") for aid in here}
            if "" in said or (len(said) > 1 and (moderated or {}).get((station, JUDGEMENT)) is None):
                complete = False
        if moderated:  # an agreed level wins over the sheets'
            keys_at = plan.keys_at
            for (station, crit), agreed in moderated.items():
                key = keys_at.get(station, {}).get(crit)
                if key is not None and isinstance(agreed, int):
                    out[key] = agreed
        if complete and len(out) != len(plan.order):
            complete = False  # a difference not yet moderated
        return out, complete


_UNSCORED = ("", "")


def _facts(read: _Reader, ids: Sequence[str]) -> SheetFacts:
    assessors: dict[str, list[Link]] = defaultdict(list)
    for sid, aid, name, submitted, stations in read.rows(_ASSESSORS, ids):
        assessors[sid].append((aid, name, bool(submitted), named(stations or "")))
    sheets = {
        (sid, aid, station): (crits or "", levels or "")
        for sid, aid, station, crits, levels in read.rows(_SHEETS, ids)
    }
    judged = {
        (sid, aid, station): judgement or "" for sid, aid, station, judgement in read.rows(_JUDGEMENTS, ids)
    }
    return SheetFacts(assessors, sheets, judged)


def _sheet(texts: tuple[str, str]) -> dict[str, str]:
    """A sheet's station from its two texts: criterion id → level ("" unscored)."""
    return dict(zip(texts[0].split(","), texts[1].split(","), strict=True)) if texts[0] else {}


def _compare_in_order(texts: list[tuple[str, str]], in_order: tuple[str, ...], out: dict[str, int]) -> bool:
    """``_compare`` for sheets whose criteria texts are the station's, in its order: the
    levels are compared by position, without a mapping per sheet (the usual difference
    between two observers, met tens of thousands of times in a centre's history)."""
    scored_by_all = True
    if len(texts) == 2:  # two observers, as a circuit has them
        first, second = texts[0][1].split(","), texts[1][1].split(",")
        for key, x, y in zip(in_order, first, second, strict=True):
            if not x or not y:
                scored_by_all = False
            elif x == y:
                out[key] = int(x)
        return scored_by_all
    for key, *levels in zip(in_order, *(t[1].split(",") for t in texts), strict=True):
        if "" in levels:
            scored_by_all = False
        elif levels.count(levels[0]) == len(levels):
            out[key] = int(levels[0])
    return scored_by_all


def _compare(texts: list[tuple[str, str]], keys: dict[str, str], out: dict[str, int]) -> bool:
    """Sheets that differ at a station, criterion by criterion: the levels all give go
    in ``out``; False when a sheet has not scored a criterion. A difference is left out
    of ``out`` (moderation fills it, or the sitting is not complete)."""
    given = [_sheet(t) for t in texts]
    scored_by_all = True
    for crit, key in keys.items():
        levels = {g.get(crit, "") for g in given}
        if "" in levels:
            scored_by_all = False
        elif len(levels) == 1:
            out[key] = int(levels.pop())
    return scored_by_all


ProgressFn = Callable[[int, int], object]
CancelledFn = Callable[[], bool]
