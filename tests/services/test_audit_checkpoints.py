"""Signed checkpoints of the trail: the key, the file, and what a checkpoint proves."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from naas_centre.services import audit, checkpoints, equality, packs, scoring, sittings
from tests.services.conftest import Demo


def _score_one(demo: Demo, level: int = 2) -> None:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    station, criterion = packs.pack_for_sitting(demo.db, a1, sid).criteria()[0]
    scoring.record_level(demo.db, a1, sid, station, criterion.id, level)


def _file(demo: Demo) -> Path:
    path = checkpoints.file_of(demo.db)
    assert path is not None
    return path


def test_the_workstation_key_is_made_once_and_its_owners_alone(demo: Demo, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = checkpoints.checkpoint(demo.db, checkpoints.CLOSE, data)
    key = data / checkpoints.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    second = checkpoints.checkpoint(demo.db, checkpoints.CLOSE, data)
    assert first.key == second.key and first.signer == checkpoints.WORKSTATION
    assert stat.S_IMODE(_file(demo).stat().st_mode) == 0o600


def test_each_checkpoint_is_one_signed_line_naming_the_head(demo: Demo, tmp_path: Path) -> None:
    checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path)
    _score_one(demo)
    cp = checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path)
    lines = _file(demo).read_bytes().splitlines()
    assert len(lines) == 2 and json.loads(lines[-1])["seq"] == cp.head.seq
    with demo.db.read() as s:
        assert checkpoints.head(s) == cp.head
    assert [c.head.seq for c in checkpoints.read_file(_file(demo))][1] == cp.head.seq
    result = audit.verify(demo.db)
    assert result.ok and result.checkpoints == 2 and result.since_checkpoint == 0
    _score_one(demo, 3)
    assert audit.verify(demo.db).since_checkpoint == 1


def test_a_checkpoint_edited_in_the_file_is_refused(demo: Demo, tmp_path: Path) -> None:
    cp = checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path)
    _file(demo).write_text(
        _file(demo).read_text().replace(f'"seq":{cp.head.seq}', f'"seq":{cp.head.seq - 1}')
    )
    result = audit.verify(demo.db)
    assert not result.ok and "signature does not hold" in (result.problem or "")


def test_a_last_line_cut_short_by_a_crash_is_left_out(demo: Demo, tmp_path: Path) -> None:
    checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path)
    whole = checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path).line()
    with _file(demo).open("ab") as fh:
        fh.write(whole[: len(whole) // 2])
    assert len(checkpoints.read_file(_file(demo))) == 2
    assert audit.verify(demo.db).ok


def test_a_damaged_line_before_the_last_is_refused(demo: Demo, tmp_path: Path) -> None:
    checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path)
    with _file(demo).open("ab") as fh:
        fh.write(b"{not json\n")
    checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path)
    result = audit.verify(demo.db)
    assert not result.ok and "line 2" in (result.problem or "")


def test_the_chain_cut_back_before_a_checkpoint_is_caught(demo: Demo, tmp_path: Path) -> None:
    _score_one(demo)
    checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path)
    with demo.db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_entries WHERE seq = (SELECT max(seq) FROM audit_entries)"))
    result = audit.verify(demo.db)
    assert not result.ok and "cut back" in (result.problem or "")
    assert audit.verify(demo.db, []).ok is False  # the file is read whatever is given


def test_a_checkpoint_from_another_centre_says_the_database_was_replaced(demo: Demo, tmp_path: Path) -> None:
    checkpoints.checkpoint(demo.db, checkpoints.CLOSE, tmp_path)
    with demo.db.engine.begin() as c:
        c.execute(text("PRAGMA foreign_keys = OFF"))
        c.execute(text("UPDATE centre SET id = 'another-centre'"))
    result = audit.verify(demo.db)
    assert not result.ok and "another centre's database" in (result.problem or "")


def test_a_person_signs_with_their_certificate_key(demo: Demo, tmp_path: Path) -> None:
    from naas_centre.signing import ca

    issued = ca.new_ca("Checkpoint test centre")
    with demo.db.read() as s:
        cp = checkpoints.sign_with(checkpoints.head(s), checkpoints.BUNDLE, issued.key, issued.certificate)
    again = checkpoints.from_json(json.loads(cp.line()), "the test")
    assert again == cp and again.signer == checkpoints.PERSON
    assert "Checkpoint test centre" in again.describe()
    forged = cp.to_json() | {"hash": "0" * 64}
    with pytest.raises(checkpoints.CheckpointRefused, match="signature does not hold"):
        checkpoints.from_json(forged, "the test")


def test_equality_monitoring_is_recorded_as_it_is_written(demo: Demo) -> None:
    manager = demo.login("manager")
    with demo.db.read() as s:
        cid = str(s.execute(text("SELECT id FROM candidates LIMIT 1")).scalar_one())
    equality.record(demo.db, manager, cid, equality.Monitoring("30-39", "White", "No", "Female"))
    with demo.db.read() as s:
        actions = s.execute(
            text("SELECT action FROM audit_entries WHERE entity = 'equality_monitoring' ORDER BY seq")
        ).scalars()
        assert "equality_monitoring.add" in list(actions)
    assert audit.verify(demo.db).ok
    with demo.db.engine.begin() as c:
        c.execute(
            text("UPDATE equality_monitoring SET ethnicity = 'Other' WHERE candidate_id = :c"), {"c": cid}
        )
    result = audit.verify(demo.db)
    assert not result.ok and "equality_monitoring" in (result.problem or "")
