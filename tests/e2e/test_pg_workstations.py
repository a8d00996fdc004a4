"""Six workstations, six separate processes, scoring the same demo day at once on one
PostgreSQL database through the services, as the centre's assessors would on a network.
Afterwards the audit chain is one unbroken line, every level, note and judgement each
workstation was told is saved is there, stamped with that workstation's id, and nothing
is there twice.

On ``NAAS_TEST_PG_URL`` (``./test`` starts a server); without it, on a throwaway server
of this module's own (``tests/pg_server.py``)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntryRow, EvidenceNoteRow, JudgementRow, ScoreRow
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.services import audit
from tests.drivers.pg_workstation import run_workstations
from tests.pg_server import create_server, fresh_database, require_pg_bin

pytestmark = pytest.mark.postgres
ASSESSORS = [a for a in ACCOUNTS if a.username.startswith("assessor")]
CLICKS = 90


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    given = os.environ.get("NAAS_TEST_PG_URL")
    if given:
        yield given
        return
    server = create_server(require_pg_bin())
    try:
        yield server.url()
    finally:
        server.remove()


@pytest.fixture
def centre_url(server_url: str) -> Iterator[str]:
    with fresh_database(server_url, "naas_ws") as url:
        yield url


def test_six_workstation_processes_scoring_at_once_lose_nothing_and_duplicate_nothing(
    centre_url: str, tmp_path: Path
) -> None:
    made = create_demo(centre_url, data_dir=tmp_path)
    made.db.dispose()
    assert len(ASSESSORS) >= 6
    plans = [
        {
            "url": centre_url,
            "login": [a.username, a.password],
            "day": made.day.isoformat(),
            "clicks": CLICKS,
            "pace_ms": 0,  # as fast as each can: the most contention
            "offset": n,  # each starts on a different sitting
            "notes_every": 5,
        }
        for n, a in enumerate(ASSESSORS[:6])
    ]
    results = run_workstations(plans)
    assert len({r["workstation_id"] for r in results}) == 6
    assert all(len(r["call_ms"]) == CLICKS for r in results)

    db = Database(centre_url, "00000000-0000-4000-8000-0000000e2e01")
    try:
        verdict = audit.verify(db)
        assert verdict.ok, verdict.problem
        with db.read() as s:
            scores = s.execute(
                select(
                    ScoreRow.sitting_id,
                    ScoreRow.station_id,
                    ScoreRow.criterion_id,
                    ScoreRow.assessor_id,
                    ScoreRow.level,
                    ScoreRow.workstation_id,
                )
            ).all()
            notes = s.execute(
                select(EvidenceNoteRow.id, EvidenceNoteRow.assessor_id, EvidenceNoteRow.workstation_id)
            ).all()
            judgements = s.execute(
                select(
                    JudgementRow.sitting_id,
                    JudgementRow.station_id,
                    JudgementRow.assessor_id,
                    JudgementRow.judgement,
                    JudgementRow.workstation_id,
                )
            ).all()
            note_entries = Counter(
                s.scalars(select(AuditEntryRow.entity_id).where(AuditEntryRow.action == "note.add")).all()
            )
            entries = int(s.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)
    finally:
        db.dispose()

    # Nothing twice: one row per sheet cell, per note, per station's judgement.
    assert not [k for k, n in Counter((r[0], r[1], r[2], r[3]) for r in scores).items() if n > 1]
    assert not [k for k, n in Counter((r[0], r[1], r[2]) for r in judgements).items() if n > 1]
    assert len({n.id for n in notes}) == len(notes)
    assert all(count == 1 for count in note_entries.values())

    by_cell = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in scores}
    by_note = {n.id: (n.assessor_id, n.workstation_id) for n in notes}
    by_station = {(r[0], r[1], r[2]): (r[3], r[4]) for r in judgements}
    sent_notes = 0
    for r in results:
        ws, who = r["workstation_id"], r["account_id"]
        for key, lv in r["levels"].items():  # every level each workstation was told is saved
            sitting, station, criterion = key.split("/")
            assert by_cell[(sitting, station, criterion, who)] == (lv, ws), key
        for note_id in r["notes"]:
            assert by_note[note_id] == (who, ws)
            assert note_entries[note_id] == 1
        sent_notes += len(r["notes"])
        for key, verdict_given in r["judgements"].items():
            sitting, station = key.split("/")
            assert by_station[(sitting, station, who)] == (verdict_given, ws), key
    assert sent_notes == len(notes) == sum(note_entries.values()) > 0
    assert sum(len(r["levels"]) for r in results) == len(scores)  # none from elsewhere
    assert entries >= sent_notes + len(scores) + len(judgements)
