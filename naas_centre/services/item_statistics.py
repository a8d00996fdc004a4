"""Knowledge-test item statistics for quality assurance, from every submitted form.

``item_statistics`` (the QA lead, who reviews the bank) gives, for each
item version of a pack's bank that candidates have sat, its facility, discrimination
(corrected point-biserial and upper–lower), the pull of each option and the flags for
review, and for each blueprint the KR-20 of its forms. Forms are drawn at random per
candidate, so a form's KR-20 is computed over the candidates who sat the same items;
for the blueprint as a whole it is estimated from each candidate's own items'
facilities against the spread of totals (``kr20_estimated``). A revised item is a new
version and is counted apart; a past form keeps the version it used.

``item_dif`` (the QA lead only, as equality monitoring is) runs the Mantel–Haenszel
check for one item and one monitored characteristic, reference group against focal
group, matched on the total mark; groups smaller than ``MIN_GROUP`` are not reported.

Neither names a candidate. Nothing here is shown on a kiosk.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from db.engine import Database
from db.models import EqualityMonitoringRow, KnowledgeAnswerRow, KnowledgeFormRow, PackRow, SittingRow
from naas_centre.core import test_form
from naas_centre.errors import UserError
from naas_centre.exports.score_sheets import Column, Kind, Value
from naas_centre.packs.blueprint import bank_entries
from naas_centre.packs.question_bank import Item
from naas_centre.qa import items as stats
from naas_centre.qa.disclosure import Period
from naas_centre.qa.tables import NotEnoughData
from naas_centre.services import accounts, capabilities, packs
from naas_centre.services.qa_tables import Table, number
from naas_centre.services.views import Actor

READERS = capabilities.ITEM_STATISTICS
MIN_GROUP = 10  # fewer candidates than this in a group: no DIF figure, as fairness suppresses
CHARACTERISTICS = ("age_band", "ethnicity", "disability", "sex")


@dataclass(frozen=True)
class ItemStatistics:
    item_id: str
    version: int
    kss: str
    topic: str
    retired: bool
    candidates: int
    facility: float
    point_biserial: float
    upper_lower: float | None  # None with too few candidates for the two groups
    options: tuple[stats.OptionFigures, ...]
    review: stats.ItemReview


@dataclass(frozen=True)
class FormReliability:
    blueprint: str
    forms: int  # distinct item sets sat
    candidates: int
    kr20_estimated: float | None
    kr20_by_form: tuple[tuple[int, float], ...]  # (candidates, KR-20) for each form sat by two or more


@dataclass(frozen=True)
class ItemStatisticsReport:
    pack_name: str
    items: tuple[ItemStatistics, ...]
    forms: tuple[FormReliability, ...]

    def flagged(self) -> tuple[ItemStatistics, ...]:
        return tuple(i for i in self.items if i.review.flagged)


@dataclass
class _Sat:
    """One candidate's submitted form, marked item by item."""

    blueprint: str
    candidate_id: str
    marks: list[tuple[tuple[str, int], float, tuple[str, ...]]] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(m for _, m, _ in self.marks)


def _read(
    db: Database, pack_name: str, period: Period | None
) -> tuple[list[_Sat], dict[tuple[str, int], Item]]:
    """Every submitted form of the pack (any version), of sittings in ``period`` (None:
    all time), and the bank items they used."""
    sat: list[_Sat] = []
    used: dict[tuple[str, int], Item] = {}
    with db.read() as s:
        query = (
            select(KnowledgeFormRow, SittingRow.candidate_id)
            .join(SittingRow, SittingRow.id == KnowledgeFormRow.sitting_id)
            .where(KnowledgeFormRow.submitted_at.is_not(None))
            .order_by(KnowledgeFormRow.submitted_at)
        )
        if period is not None:
            query = query.where(SittingRow.day.between(period.start, period.end))
        rows = s.execute(query).all()
        for form, candidate_id in rows:
            pack = packs.pack_by_id(s, form.pack_id)
            if pack.name != pack_name or pack.knowledge_test is None:
                continue
            test = pack.knowledge_test
            entries = {(e.id, e.version): e for e in bank_entries(test.bank)}
            for item in test.bank.items:
                used.setdefault((item.id, item.version), item)
            answers = {
                a.item_id: tuple(json.loads(a.chosen))
                for a in s.scalars(
                    select(KnowledgeAnswerRow).where(KnowledgeAnswerRow.knowledge_form_id == form.id)
                )
            }
            one = _Sat(form.form_id, candidate_id)
            for item in json.loads(form.items):
                key = (str(item["id"]), int(item["version"]))
                chosen = answers.get(key[0], ())
                mark = test_form.item_marks(entries[key], chosen, test.multiple_marking.value)
                one.marks.append((key, float(mark), chosen))
            sat.append(one)
    return sat, used


def item_statistics(
    db: Database, actor: Actor, pack_name: str, period: Period | None = None
) -> ItemStatisticsReport:
    """Each item version's figures and flags, and each blueprint's reliability, over the
    forms sat in ``period`` (None: all time)."""
    accounts.require(actor, *READERS)
    sat, used = _read(db, pack_name, period)
    by_item: dict[tuple[str, int], list[tuple[float, float, float, tuple[str, ...]]]] = defaultdict(list)
    for one in sat:
        whole = one.total
        for key, mark, chosen in one.marks:
            by_item[key].append((mark, whole - mark, whole, chosen))
    out = []
    for key in sorted(by_item):
        rows = by_item[key]
        item = used[key]
        scores = np.array([r[0] for r in rows])
        rest = np.array([r[1] for r in rows])
        total = np.array([r[2] for r in rows])
        fac = float(scores.mean())
        pbis = stats.point_biserial(scores, rest)
        try:
            ul: float | None = stats.upper_lower(scores, total)
            options = stats.distractors(
                [r[3] for r in rows], list(item.option_ids()), sorted(item.key_ids()), rest, total
            )
        except NotEnoughData:
            ul, options = None, ()
        out.append(
            ItemStatistics(
                key[0],
                key[1],
                item.kss,
                item.topic,
                bool(item.retired),
                len(rows),
                fac,
                pbis,
                ul,
                options,
                stats.review(fac, pbis, ul if ul is not None else float("nan")),
            )
        )
    facilities = {(i.item_id, i.version): i.facility for i in out}
    return ItemStatisticsReport(pack_name, tuple(out), _reliability(sat, facilities))


def for_period(db: Database, actor: Actor, period: Period | None) -> tuple[ItemStatisticsReport, ...]:
    """Each pack's report over the period, for the QA analysis: packs none sat are left out."""
    found = (item_statistics(db, actor, name, period) for name in packs_with_tests(db, actor))
    return tuple(r for r in found if r.items)


def packs_with_tests(db: Database, actor: Actor) -> tuple[str, ...]:
    """The names of the stored packs that hold a knowledge test, for choosing one."""
    accounts.require(actor, *READERS)
    with db.read() as s:
        names = {
            row.name
            for row in s.scalars(select(PackRow))
            if packs.pack_of_row(row).knowledge_test is not None
        }
    return tuple(sorted(names))


def table_of(
    name: str, title: str, spec: tuple[tuple[str, Kind], ...], rows: Iterable[tuple[Value, ...]]
) -> Table:
    widths = {"text": 28, "word": 12, "number": 11, "date": 12, "id": 18}
    columns = tuple(
        Column(title.lower().replace(" ", "_"), title, kind, max(widths[kind], len(title) + 2))
        for title, kind in spec
    )
    return Table(name, title, columns, tuple(rows))


def tables(report: ItemStatisticsReport) -> tuple[Table, Table]:
    """The report as two tables of plain values: each item version, each blueprint."""
    items = table_of(
        f"knowledge-items-{report.pack_name}",
        f"Knowledge-test items of {report.pack_name}: facility, discrimination and flags",
        (
            ("Item", "id"),
            ("Version", "number"),
            ("KSS area", "word"),
            ("Topic", "text"),
            ("Candidates", "number"),
            ("Facility", "text"),
            ("Point-biserial", "text"),
            ("Upper-lower", "text"),
            ("Retired", "word"),
            ("For review", "text"),
        ),
        (
            (
                i.item_id,
                i.version,
                i.kss,
                i.topic,
                i.candidates,
                number(i.facility, 3),
                number(i.point_biserial, 3),
                number(i.upper_lower, 3),
                "yes" if i.retired else "",
                "; ".join(i.review.reasons),
            )
            for i in report.items
        ),
    )
    forms = table_of(
        f"knowledge-forms-{report.pack_name}",
        "Reliability of each test form (KR-20)",
        (
            ("Form", "word"),
            ("Item sets sat", "number"),
            ("Candidates", "number"),
            ("KR-20 estimated", "text"),
        ),
        ((f.blueprint, f.forms, f.candidates, number(f.kr20_estimated, 3)) for f in report.forms),
    )
    return items, forms


def _reliability(sat: list[_Sat], facilities: dict[tuple[str, int], float]) -> tuple[FormReliability, ...]:
    out = []
    for blueprint in sorted({one.blueprint for one in sat}):
        mine = [one for one in sat if one.blueprint == blueprint]
        totals = np.array([one.total for one in mine])
        k = len(mine[0].marks)
        estimated = None
        if len(mine) >= 2 and k >= 2 and totals.var() > 0:
            pq = np.mean(
                [sum(facilities[key] * (1 - facilities[key]) for key, _, _ in one.marks) for one in mine]
            )
            estimated = float(k / (k - 1) * (1 - pq / totals.var()))
        groups: dict[tuple[tuple[str, int], ...], list[_Sat]] = defaultdict(list)
        for one in mine:
            groups[tuple(sorted(key for key, _, _ in one.marks))].append(one)
        by_form = []
        for keys, group in groups.items():
            if len(group) < 2:
                continue
            table = np.array(
                [[dict((key, m) for key, m, _ in one.marks)[k_] for k_ in keys] for one in group]
            )
            try:
                by_form.append((len(group), stats.kr20(table)))
            except NotEnoughData:
                continue
        out.append(FormReliability(blueprint, len(groups), len(mine), estimated, tuple(by_form)))
    return tuple(out)


@dataclass(frozen=True)
class ItemDif:
    item_id: str
    version: int
    characteristic: str
    reference: str
    focal: str
    result: stats.MantelHaenszel


def item_dif(
    db: Database,
    actor: Actor,
    pack_name: str,
    item_id: str,
    version: int,
    characteristic: str,
    reference: str,
    focal: str,
) -> ItemDif:
    """The Mantel–Haenszel check of one item version: ``reference`` against ``focal``
    values of a monitored ``characteristic``, matched on the total mark. QA lead only."""
    accounts.require(actor, *capabilities.EQUALITY)
    if characteristic not in CHARACTERISTICS:
        raise UserError(
            f"Unknown characteristic {characteristic!r}; choose one of {', '.join(CHARACTERISTICS)}."
        )
    sat, _ = _read(db, pack_name, None)
    with db.read() as s:
        groups = {
            row.candidate_id: getattr(row, characteristic) for row in s.scalars(select(EqualityMonitoringRow))
        }
    right, in_focal, strata = [], [], []
    for one in sat:
        group = groups.get(one.candidate_id)
        if group not in (reference, focal):
            continue
        for key, mark, _ in one.marks:
            if key == (item_id, version):
                right.append(1.0 if mark == 1 else 0.0)
                in_focal.append(group == focal)
                strata.append(one.total)
    n_focal = sum(in_focal)
    if min(n_focal, len(in_focal) - n_focal) < MIN_GROUP:
        raise NotEnoughData(
            f"each group needs at least {MIN_GROUP} candidates who sat item {item_id} v{version}; "
            f"{reference} has {len(in_focal) - n_focal} and {focal} {n_focal}"
        )
    result = stats.mantel_haenszel(right, in_focal, strata)
    return ItemDif(item_id, version, characteristic, reference, focal, result)
