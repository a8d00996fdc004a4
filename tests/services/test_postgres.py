"""The same services on a PostgreSQL server: demo, scoring, timing, independence, audit."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AccountRow
from naas_centre.demo.centre import create_demo
from naas_centre.demo.play import fill_scored_day
from naas_centre.services import access, accounts, audit, packs, scoring, sittings, timing
from naas_centre.services.views import Actor
from tests.pg_server import fresh_database
from tests.services.conftest import password_of

pytestmark = pytest.mark.postgres
PG_URL = os.environ.get("NAAS_TEST_PG_URL")


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("NAAS_TEST_PG_URL is not set: ./test starts PostgreSQL for CI")
        pytest.skip("no PostgreSQL server (./test starts one)")
    with fresh_database(PG_URL, "naas_demo") as url:
        yield url


DEMO_ASSESSORS = tuple(f"assessor{n}" for n in range(1, 7))


def accounts_id(db: Database, username: str) -> str:
    with db.read() as s:
        return str(s.scalar(select(AccountRow.id).where(AccountRow.username == username)))


def test_a_scored_demo_day_on_postgres(pg_url: str, tmp_path: Path) -> None:
    result = create_demo(pg_url, data_dir=tmp_path)
    db = result.db
    try:
        summary = fill_scored_day(db, result.day)
        assert summary
        manager = accounts.authenticate(db, "manager", "demo-manager-2026")
        day = sittings.day_overview(db, manager, result.day)
        assert len(day.sittings) == 6
        # A circuit: every assessor of each sitting (one pair per station) has submitted.
        assert all(s.status == "complete" and s.submitted == len(s.assessors) >= 2 for s in day.sittings)
        a1 = accounts.authenticate(db, "assessor1", "demo-assessor-2026")
        sid = sittings.list_for_assessor(db, a1, result.day)[0].id
        detail = sittings.sitting_detail(db, a1, sid)
        here = next(s for s in day.sittings if s.id == sid)
        assert len(detail.others) == len(here.assessors) - 1  # all submitted: the other sheets show
        pack = packs.pack_for_sitting(db, a1, sid)
        with db.read() as s:
            station = access.observed_stations(s, sid, a1.account_id, pack)[0]
        assert timing.station_timing(db, a1, sid, station).phases[0].state.status == "ended"
        verdict = audit.verify(db)
        assert verdict.ok, verdict.problem
    finally:
        db.dispose()


def test_score_sheets_from_postgres_follow_the_reports_rules(pg_url: str, tmp_path: Path) -> None:
    """The export's own SQL (``string_agg``, the driver's placeholders) on a server."""
    import csv

    from naas_centre.services import exports
    from tests.services.test_score_sheets import agree_with_the_services

    result = create_demo(pg_url, data_dir=tmp_path)
    db = result.db
    try:
        fill_scored_day(db, result.day)
        outcomes = agree_with_the_services(db, batch=4)
        assert len(outcomes) == 6 and set(outcomes) <= {"met", "not met", "not yet complete"}
        manager = accounts.authenticate(db, "manager", "demo-manager-2026")
        out = tmp_path / "sheets.csv"
        assert exports.export_score_sheets(db, manager, out, "csv", password=password_of(manager)).rows == 6
        with open(out, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert sorted(r["Outcome"] for r in rows) == sorted(outcomes)
    finally:
        db.dispose()


def test_two_assessors_scoring_at_once_keep_the_chain_intact(pg_url: str, tmp_path: Path) -> None:
    """Concurrent writers on a server: the audit chain stays one unbroken line."""
    import threading

    result = create_demo(pg_url, data_dir=tmp_path)
    db = result.db
    try:
        a1 = accounts.authenticate(db, "assessor1", "demo-assessor-2026")
        sid = sittings.list_for_assessor(db, a1, result.day)[0].id
        pack = packs.pack_for_sitting(db, a1, sid)
        with db.read() as s:
            (station,) = access.observed_stations(s, sid, a1.account_id, pack)[:1]
            partner = next(  # who observes the same station: both score it at once
                u
                for u in DEMO_ASSESSORS
                if u != "assessor1" and station in access.observed_stations(s, sid, accounts_id(db, u), pack)
            )
        a2 = accounts.authenticate(db, partner, "demo-assessor-2026")
        criteria = [(st, c) for st, c in pack.criteria() if st == station]
        errors: list[BaseException] = []

        def score(who: Actor) -> None:
            try:
                for i in range(60):
                    station_id, c = criteria[i % len(criteria)]
                    scoring.record_level(db, who, sid, station_id, c.id, 1 + i % 4)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=score, args=(who,)) for who in (a1, a2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        verdict = audit.verify(db)
        assert verdict.ok, verdict.problem
    finally:
        db.dispose()


def test_cli_on_a_postgres_url(pg_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "NAAS_DATA_DIR": str(tmp_path)}
    made = subprocess.run(
        [sys.executable, "-m", "ui.main", "demo", "--history", "none", "--db", pg_url],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    verified = subprocess.run(
        [sys.executable, "-m", "ui.main", "audit", "verify", "--db", pg_url],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stderr
