"""Fairness figures on a real demo database, filled through the services: the two leaks
reported against the equality screen are reproduced and shown closed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import SittingRow
from naas_centre.demo.centre import LONDON, create_demo, demo_packs
from naas_centre.demo.play import fill_scored_day
from naas_centre.errors import PermissionDenied
from naas_centre.qa.disclosure import MIN_PERIOD_CANDIDATES, Period, PeriodNotPublishable, TwoWay
from naas_centre.services import accounts, equality, sittings
from naas_centre.services import fairness as service
from naas_centre.services.views import Actor
from tests.conftest import WORKSTATION
from tests.qa.test_disclosure import ranges
from tests.services.conftest import PASSWORDS, password_of

# Forms are recorded now, on the real clock, and count only if recorded before the
# period closed: so the period ends tomorrow, and the services are told it is the day after.
NOW = datetime.now(LONDON).date()
DAY = NOW - timedelta(days=10)  # the scored demo day
PERIOD = Period(NOW - timedelta(days=20), NOW + timedelta(days=1))
TODAY = NOW + timedelta(days=2)
ETHNICITIES = ("White British", "Asian British", "Black British", "Mixed")


@dataclass
class Centre:
    db: Database

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])

    def add(self, n: int, day: date, monitoring: equality.Monitoring) -> list[str]:
        """``n`` more candidates sitting on ``day`` (planned, not yet scored), with their form."""
        manager = self.login("manager")
        with self.db.read() as s:
            room = s.scalars(select(SittingRow.room_id)).first()
        assert room is not None
        pack = demo_packs()["practitioner"]
        out: list[str] = []
        for _ in range(n):
            k = len(out) + self.count()
            cid = sittings.add_candidate(
                self.db,
                manager,
                sittings.CandidateInput(
                    f"Candidate {k}", f"SW9{k:05d}", "Leeds City Council", "practitioner"
                ),
            )
            sittings.plan_sitting(
                self.db, manager, cid, pack, room, datetime.combine(day, time(9), LONDON), day=day
            )
            equality.record(self.db, manager, cid, monitoring)
            out.append(cid)
        return out

    def count(self) -> int:
        with self.db.read() as s:
            return len(s.scalars(select(SittingRow.id)).all())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fairness")
    made = create_demo(folder / "demo.db", data_dir=folder, day=DAY)
    fill_scored_day(made.db, DAY)
    centre = Centre(made.db)
    manager = centre.login("manager")
    with made.db.read() as s:
        demo_candidates = sorted(s.scalars(select(SittingRow.candidate_id)))
    for i, cid in enumerate(demo_candidates):
        equality.record(
            made.db, manager, cid, equality.Monitoring("35-44", ETHNICITIES[i % 2], "No", "Female")
        )
    for i, eth in enumerate(ETHNICITIES):
        centre.add(4 + i, DAY + timedelta(days=i + 1), equality.Monitoring("45-54", eth, "No", "Male"))
    made.db.dispose()
    return folder / "demo.db"


@pytest.fixture
def centre(tmp_path: Path, template: Path) -> Iterator[Centre]:
    shutil.copy(template, tmp_path / "demo.db")
    db = Database(tmp_path / "demo.db", WORKSTATION)
    yield Centre(db)
    db.dispose()


def shown(figures: service.Fairness) -> dict[tuple[str, str], tuple[int | None, ...]]:
    return {(t.dimension, r.group): (*r.counts, r.total) for t in figures.tables for r in t.rows}


def test_figures_for_a_closed_period_with_suppression(centre: Centre) -> None:
    figures = service.fairness_figures(centre.db, centre.login("qa"), PERIOD, today=TODAY)
    assert figures.candidates == 6 + 4 + 5 + 6 + 7 >= MIN_PERIOD_CANDIDATES
    assert all(t.total == 28 for t in figures.tables)
    # Every shown count is 5 or more (or 0 in an outcome nobody had, as its total says),
    # and no hidden one can be worked out from the rest.
    for t in figures.tables:
        empty = {i for i, total in enumerate(t.outcome_totals) if total == 0}
        for r in t.rows:
            assert all(v is None or v >= 5 or (v == 0 and i in empty) for i, v in enumerate(r.counts)), r
    for t in figures.tables:
        table = TwoWay(
            tuple(r.counts for r in t.rows), tuple(r.total for r in t.rows), t.outcome_totals, t.total
        )
        assert all(low < high for low, high in ranges(table).values()), t
    employer = {r.group: r for r in next(t for t in figures.tables if t.dimension == "employer").rows}
    assert employer  # the demo's employers, each a row


def test_only_the_quality_assurance_lead(centre: Centre) -> None:
    for who in ("manager", "admin", "assessor1"):
        with pytest.raises(PermissionDenied):
            service.fairness_figures(centre.db, centre.login(who), PERIOD, today=TODAY)


def test_an_open_period_is_refused_and_so_is_a_small_one(centre: Centre) -> None:
    qa = centre.login("qa")
    with pytest.raises(PeriodNotPublishable, match="has not ended yet"):
        service.fairness_figures(centre.db, qa, Period(date(2026, 1, 1), TODAY), today=TODAY)
    with pytest.raises(PeriodNotPublishable, match="has not ended yet"):
        equality.aggregate(centre.db, qa, Period(date(2026, 1, 1), TODAY), today=TODAY)
    with pytest.raises(PeriodNotPublishable, match="holds 6 candidates, fewer than the 20"):
        service.fairness_figures(centre.db, qa, Period(DAY, DAY), today=TODAY)


def test_a_group_of_5_beside_a_hidden_one_no_longer_gives_it_away(tmp_path: Path) -> None:
    made = create_demo(tmp_path / "demo.db", data_dir=tmp_path, day=DAY)
    manager = Centre(made.db).login("manager")
    with made.db.read() as s:
        ids = sorted(set(s.scalars(select(SittingRow.candidate_id))))
    for i, cid in enumerate(ids):
        equality.record(
            made.db, manager, cid, equality.Monitoring(disability="No", sex="Female" if i < 5 else "Male")
        )
    counts = {(g.field, g.group): g.count for g in equality.aggregate(made.db, Centre(made.db).login("qa"))}
    total = counts[("disability", "No")]
    assert total == 6
    # The old screen showed Female 5 here, and 6 - 5 = 1 man: now neither is shown.
    assert counts[("sex", "Female")] is None and counts[("sex", "Male")] is None
    made.db.dispose()


def test_one_more_candidate_changes_no_figure_of_a_closed_period(centre: Centre) -> None:
    qa = centre.login("qa")
    before = shown(service.fairness_figures(centre.db, qa, PERIOD, today=TODAY))
    screen_before = equality.aggregate(centre.db, qa, PERIOD, today=TODAY)
    all_time_before = {(g.field, g.group): g.count for g in equality.aggregate(centre.db, qa)}
    # One candidate recorded after the period: the leak compared figures before and after.
    centre.add(1, TODAY, equality.Monitoring("45-54", "White British", "No", "Male"))
    after = shown(service.fairness_figures(centre.db, qa, PERIOD, today=TODAY))
    assert after == before
    assert equality.aggregate(centre.db, qa, PERIOD, today=TODAY) == screen_before
    # Counted over all time, the same comparison still tells the newcomer's groups apart:
    # why figures are given for closed periods.
    all_time_after = {(g.field, g.group): g.count for g in equality.aggregate(centre.db, qa)}
    changed = {k for k in all_time_after if all_time_after[k] != all_time_before.get(k)}
    assert ("ethnicity", "White British") in changed


def test_the_equality_export_writes_the_closed_periods_figures_and_no_more(
    centre: Centre, tmp_path: Path
) -> None:
    import csv

    from naas_centre.services import exports

    out = tmp_path / "equality.csv"
    for who in ("manager", "admin", "assessor1"):
        with pytest.raises(PermissionDenied):
            exports.export_equality(
                centre.db,
                centre.login(who),
                out,
                PERIOD,
                today=TODAY,
                password=password_of(centre.login(who)),
            )
    with pytest.raises(PeriodNotPublishable, match="has not ended yet"):
        exports.export_equality(
            centre.db, centre.login("qa"), out, PERIOD, today=NOW, password=password_of(centre.login("qa"))
        )
    assert not out.exists()
    qa = centre.login("qa")
    result = exports.export_equality(centre.db, qa, out, PERIOD, today=TODAY, password=password_of(qa))
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert result.rows == len(rows)
    figures = service.fairness_figures(centre.db, qa, PERIOD, today=TODAY)
    written = {(r["Monitoring question"], r["Group"]): r for r in rows}
    titles = {"age_band": "Age band", "ethnicity": "Ethnicity", "disability": "Disability", "sex": "Sex"}
    for table in figures.tables:
        for g in table.rows:
            row = written[(titles.get(table.dimension, "Employer"), g.group)]
            cells = [row["Met"], row["Not met"], row["Not yet complete"], row["Total"]]
            assert cells == ["fewer than 5" if v is None else str(v) for v in (*g.counts, g.total)]
    # A candidate recorded after the period changes nothing in the file written again.
    before = out.read_bytes()
    centre.add(1, TODAY, equality.Monitoring("45-54", "White British", "No", "Male"))
    exports.export_equality(centre.db, qa, out, PERIOD, today=TODAY, password=password_of(qa))
    assert out.read_bytes() == before


def test_an_outcome_nobody_had_hides_no_pass_rate() -> None:
    # A closed period: every sitting complete, so "not yet complete" is 0 in every row.
    shown = service._suppressed_without_empty_columns([[12, 6, 0], [9, 7, 0], [20, 5, 0]])
    assert shown.cells == ((12, 6, 0), (9, 7, 0), (20, 5, 0))
    assert shown.column_totals == (41, 18, 0)
    # A small count is still hidden, with its complement, as before.
    hidden = service._suppressed_without_empty_columns([[12, 3, 0], [9, 7, 0], [20, 5, 0]])
    assert hidden.cells[0][1] is None and sum(v is None for row in hidden.cells for v in row) >= 2


def test_the_demos_past_shows_pass_rates_and_its_employer_difference(tmp_path: Path) -> None:
    from naas_centre.demo.centre import HistorySize

    day = date(2026, 11, 3)
    made = create_demo(tmp_path / "demo.db", data_dir=tmp_path, day=day, history=HistorySize.DEFAULT)
    try:
        qa = Centre(made.db).login("qa")
        figures = service.fairness_figures(
            made.db, qa, Period(date(2026, 7, 1), date(2026, 9, 30)), today=day
        )
        employer = next(t for t in figures.tables if t.dimension == "employer")
        rates = {r.group: r for r in employer.rows if r.pass_rate is not None}
        assert len(rates) >= 2, employer
        assert any(r.impact is not None and r.impact.flagged for r in rates.values())
    finally:
        made.db.dispose()
