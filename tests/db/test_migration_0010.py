"""Migration 0010: judgements already given come through as not borderline, the pass-mark
table starts empty, and the migration goes back down cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from db.engine import Database
from db.migrate import alembic_config
from tests.conftest import WORKSTATION

_STAMP = "'2026-11-01 09:00:00', '2026-11-01 09:00:00', 'w'"
AT_0009 = [
    f"INSERT INTO accounts (id, username, display_name, role, password_hash, active, failed_logins, "
    f"created_at, updated_at, workstation_id) VALUES ('a1', 'helen', 'Helen', 'assessor', 'x', 1, 0, "
    f"{_STAMP})",
    f"INSERT INTO rooms (id, name, created_at, updated_at, workstation_id) VALUES ('r1', 'Oak', {_STAMP})",
    f"INSERT INTO packs (id, name, version, content_hash, level, title, content, created_at, updated_at, "
    f"workstation_id) VALUES ('p1', 'naas-practitioner', '1.0.0', 'h1', 'practitioner', 'P', '{{}}', "
    f"{_STAMP})",
    f"INSERT INTO candidates (id, full_name, registration_number, employer, level, extra_time_percent, "
    f"extra_time_minutes, break_between_scenarios, adjustment_notes, training_footage_opt_out, created_at, "
    f"updated_at, workstation_id) VALUES ('k1', 'Siân Ŵyn', 'SW1', 'Wigan', 'practitioner', 0, 0, 0, '', 0, "
    f"{_STAMP})",
    f"INSERT INTO sittings (id, candidate_id, pack_id, room_id, day, starts_at, attempt, status, created_at, "
    f"updated_at, workstation_id) VALUES ('s1', 'k1', 'p1', 'r1', '2026-11-01', '2026-11-01 09:00:00', 1, "
    f"'planned', {_STAMP})",
    f"INSERT INTO judgements (id, sitting_id, assessor_id, station_id, judgement, rationale, created_at, "
    f"updated_at, workstation_id) VALUES ('j1', 's1', 'a1', 'home-visit', 'met', 'Clear.', {_STAMP})",
]


def _to(db: Database, revision: str, *, down: bool = False) -> None:
    with db.engine.begin() as conn:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_0010_keeps_every_judgement_as_not_borderline_and_goes_back_down(tmp_path: Path) -> None:
    db = Database(tmp_path / "at-0009.db", WORKSTATION)
    _to(db, "0009")
    with db.engine.begin() as conn:
        for sql in AT_0009:
            conn.execute(text(sql))

    _to(db, "0010")
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT judgement, rationale, borderline FROM judgements")).one()
        assert tuple(row) == ("met", "Clear.", 0)
        assert conn.execute(text("SELECT count(*) FROM station_pass_marks")).scalar_one() == 0
    assert "station_pass_marks" in inspect(db.engine).get_table_names()

    _to(db, "0009", down=True)
    names = {c["name"] for c in inspect(db.engine).get_columns("judgements")}
    assert "borderline" not in names and "station_pass_marks" not in inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT judgement FROM judgements")).scalar_one() == "met"
    db.dispose()
