"""The audit trail catches edits, deletions and changes made behind the app's back."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from naas_centre.services import audit, packs, scoring, sittings
from tests.services.conftest import Demo


def _score_one(demo: Demo) -> str:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    station, criterion = packs.pack_for_sitting(demo.db, a1, sid).criteria()[0]
    scoring.record_level(demo.db, a1, sid, station, criterion.id, 2)
    scoring.record_level(demo.db, a1, sid, station, criterion.id, 3)
    return sid


def test_intact_trail_verifies(demo: Demo) -> None:
    _score_one(demo)
    result = audit.verify(demo.db)
    assert result.ok, result.problem
    assert result.entries > 20


def test_an_edited_entry_is_caught(demo: Demo) -> None:
    _score_one(demo)
    with demo.db.engine.begin() as c:
        c.execute(
            text(
                "UPDATE audit_entries SET after = replace(after, :old, :new) "
                "WHERE seq = (SELECT max(seq) FROM audit_entries)"
            ),
            {"old": '"level":3', "new": '"level":4'},
        )
    result = audit.verify(demo.db)
    assert not result.ok and "altered" in (result.problem or "")


def test_a_deleted_entry_is_caught(demo: Demo) -> None:
    _score_one(demo)
    with demo.db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_entries WHERE seq = 5"))
    result = audit.verify(demo.db)
    assert not result.ok and result.broken_seq == 5


def test_a_score_changed_behind_the_apps_back_is_caught(demo: Demo) -> None:
    _score_one(demo)
    with demo.db.engine.begin() as c:
        c.execute(text("UPDATE scores SET level = 1"))
    result = audit.verify(demo.db)
    assert not result.ok and "behind the app" in (result.problem or "")


def test_a_score_inserted_behind_the_apps_back_is_caught(demo: Demo) -> None:
    sid = _score_one(demo)
    with demo.db.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO scores (id, sitting_id, assessor_id, station_id, criterion_id, level, "
                "created_at, updated_at, workstation_id) SELECT 'forged', sitting_id, assessor_id, "
                "station_id, 'other', 4, created_at, updated_at, workstation_id "
                "FROM scores WHERE sitting_id = :s"
            ),
            {"s": sid},
        )
    assert not audit.verify(demo.db).ok


def test_cli_audit_verify_exit_codes(demo: Demo) -> None:
    _score_one(demo)
    db_path = demo.db.url.removeprefix("sqlite:///")
    demo.db.dispose()
    ok = subprocess.run(
        [sys.executable, "-m", "naas_centre.cli", "audit", "verify", "--db", db_path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    with demo.db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_entries WHERE seq = 3"))
    demo.db.dispose()
    bad = subprocess.run(
        [sys.executable, "-m", "naas_centre.cli", "audit", "verify", "--db", db_path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "entry 3" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_two_workstations_on_one_sqlite_file_keep_the_chain_intact(demo: Demo) -> None:
    """Two engines (as two processes would be) writing at once: BEGIN IMMEDIATE serialises them."""
    import threading

    from db.engine import Database
    from naas_centre.services.views import Actor

    other = Database(demo.db.url, "00000000-0000-4000-8000-000000000002")
    a1, a2 = demo.login("assessor1"), demo.login("assessor2")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    errors: list[BaseException] = []

    # Each on their own stations (in a circuit, not every station is theirs).
    own = {}
    for who in (a1, a2):
        mine = sittings.sitting_detail(demo.db, who, sid).mine
        assert mine is not None
        own[who.account_id] = [(station, c) for station, c in pack.criteria() if station in mine.levels]

    def score(db: Database, who: Actor) -> None:
        criteria = own[who.account_id]
        try:
            for i in range(80):
                station, c = criteria[i % len(criteria)]
                scoring.record_level(db, who, sid, station, c.id, 1 + i % 4)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=score, args=pair) for pair in ((demo.db, a1), (other, a2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert errors == []
    result = audit.verify(demo.db)
    assert result.ok, result.problem
