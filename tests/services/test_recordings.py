"""Recordings: consent gates them, notes get their recording time, review, deletion,
retention and export, on the demo centre's database and real folders."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.base import utcnow
from db.models import AuditEntryRow, CandidateRow, EvidenceNoteRow, RecordingRow, SittingRow
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.services import audit, recordings, retention, scoring, sittings
from tests.services.conftest import Demo


def _station(demo: Demo) -> tuple[str, str]:
    a1 = demo.login("assessor1")
    sitting = sittings.list_for_assessor(demo.db, a1, demo.day)[0]
    detail = sittings.sitting_detail(demo.db, a1, sitting.id)
    station = next(st for st in detail.stations if st.actor_name)
    return sitting.id, station.id


def _consent(demo: Demo, sid: str, station: str) -> None:
    a1 = demo.login("assessor1")
    recordings.record_candidate_consent(demo.db, a1, sid, True)
    recordings.record_actor_consent(demo.db, a1, sid, station)  # their standing consent


def _made(demo: Demo, data_dir: Path, sid: str, station: str, started_days_ago: float = 0) -> str:
    a1 = demo.login("assessor1")
    view = recordings.start_recording(
        demo.db, a1, sid, station, started_at=utcnow() - timedelta(days=started_days_ago)
    )
    folder = data_dir / view.folder
    folder.mkdir(parents=True)
    (folder / "recording.mp4").write_bytes(b"\0" * 64)
    (folder / "recording.json").write_text(json.dumps({"format": "naas-centre-recording"}))
    recordings.finish_recording(demo.db, a1, view.id, 12.5)
    return view.id


def test_consent_gates_recording_with_the_reason(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid, station = _station(demo)
    said = recordings.may_record(demo.db, a1, sid, station)
    assert not said.allowed and said.reason == "The candidate's consent to recording is not recorded."
    with pytest.raises(Conflict, match="candidate's consent"):
        recordings.start_recording(demo.db, a1, sid, station)
    elsewhere = next(
        st.id
        for st in sittings.sitting_detail(demo.db, demo.login("manager"), sid).stations
        if st.id != station and st.kind == "role_play"
    )
    with pytest.raises(PermissionDenied, match="do not observe"):  # another pair's station
        recordings.start_recording(demo.db, a1, sid, elsewhere)
    recordings.record_candidate_consent(demo.db, a1, sid, True)
    said = recordings.may_record(demo.db, a1, sid, station)
    assert not said.allowed and "actor's consent" in said.reason and "is not recorded" in said.reason
    recordings.record_actor_consent(demo.db, a1, sid, station)
    assert recordings.may_record(demo.db, a1, sid, station).allowed
    recordings.record_candidate_consent(demo.db, a1, sid, False)  # withdrawn: the newest counts
    assert recordings.may_record(demo.db, a1, sid, station).reason == (
        "The candidate has not consented to recording (or has withdrawn consent)."
    )
    with demo.db.read() as s:
        actions = s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.action == "recording.consent"))
        assert len(list(actions)) == 3
    assert audit.verify(demo.db).ok


def test_an_actor_without_standing_consent_is_asked(demo: Demo) -> None:
    from db.models import ActorRow, SittingActorRow

    a1 = demo.login("assessor1")
    sid, station = _station(demo)
    with demo.db.write() as s:
        actor_id = s.scalar(
            select(SittingActorRow.actor_id).where(
                SittingActorRow.sitting_id == sid, SittingActorRow.station_id == station
            )
        )
        row = s.get(ActorRow, actor_id)
        assert row is not None
        row.video_consent = False
    with pytest.raises(UserError, match="no standing consent"):
        recordings.record_actor_consent(demo.db, a1, sid, station)
    recordings.record_actor_consent(demo.db, a1, sid, station, given=True)  # asked, for this sitting
    recordings.record_candidate_consent(demo.db, a1, sid, True)
    assert recordings.may_record(demo.db, a1, sid, station).allowed


def test_notes_written_while_recording_get_the_recording_time(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid, station = _station(demo)
    _consent(demo, sid, station)
    started = utcnow() - timedelta(seconds=30)
    view = recordings.start_recording(demo.db, a1, sid, station, started_at=started)
    before = scoring.add_note(demo.db, a1, sid, station, "before", written_at=started - timedelta(seconds=1))
    during = scoring.add_note(
        demo.db, a1, sid, station, "open question", written_at=started + timedelta(milliseconds=12_345)
    )
    recordings.finish_recording(demo.db, a1, view.id, 30.0)
    with demo.db.read() as s:
        assert s.get(EvidenceNoteRow, during).recording_ms == 12_345  # type: ignore[union-attr]
        assert s.get(EvidenceNoteRow, before).recording_ms is None  # type: ignore[union-attr]
    chapters = recordings.chapters(demo.db, a1, view.id)
    assert [(c.text, c.recording_ms) for c in chapters] == [("open question", 12_345)]


def test_bookmarks_are_saved_and_checked(demo: Demo, tmp_path: Path) -> None:
    sid, station = _station(demo)
    _consent(demo, sid, station)
    rid = _made(demo, tmp_path, sid, station)
    manager = demo.login("manager")
    recordings.add_bookmark(demo.db, manager, rid, 4_000, "  the disclosure  ")
    with pytest.raises(UserError, match="a few words"):
        recordings.add_bookmark(demo.db, manager, rid, 5_000, " ")
    with pytest.raises(UserError, match="within the recording"):
        recordings.add_bookmark(demo.db, manager, rid, 60_000, "later")
    assert [(b.position_ms, b.text) for b in recordings.bookmarks(demo.db, manager, rid)] == [
        (4_000, "the disclosure")
    ]
    with pytest.raises(PermissionDenied):
        recordings.bookmarks(demo.db, demo.login("qa"), rid)


def test_retention_deletes_past_period_recordings_with_an_audit_entry(demo: Demo, tmp_path: Path) -> None:
    sid, station = _station(demo)
    _consent(demo, sid, station)
    old = _made(demo, tmp_path, sid, station, started_days_ago=91)
    new = _made(demo, tmp_path, sid, station, started_days_ago=89)
    with demo.db.read() as s:
        old_folder = tmp_path / s.get(RecordingRow, old).folder  # type: ignore[union-attr]
        new_folder = tmp_path / s.get(RecordingRow, new).folder  # type: ignore[union-attr]
    gone = recordings.expire(demo.db, tmp_path).removed
    assert [g.recording_id for g in gone] == [old]
    assert not old_folder.exists() and (new_folder / "recording.mp4").exists()
    with demo.db.read() as s:
        assert s.get(RecordingRow, old).status == "expired"  # type: ignore[union-attr]
        entry = s.scalar(select(AuditEntryRow).where(AuditEntryRow.action == "recording.expire"))
        assert entry is not None and entry.entity_id == old
        assert json.loads(entry.before or "{}")["folder"] == str(old_folder.relative_to(tmp_path))
    assert recordings.expire(demo.db, tmp_path).removed == ()  # nothing twice
    admin = demo.login("admin")
    recordings.set_retention_days(demo.db, admin, 30)
    assert [g.recording_id for g in recordings.expire(demo.db, tmp_path).removed] == [new]
    with pytest.raises(UserError, match="1 to 3650 days"):
        recordings.set_retention_days(demo.db, admin, 0)
    assert audit.verify(demo.db).ok


def test_deletion_and_export_are_refused_to_assessors(demo: Demo, tmp_path: Path) -> None:
    sid, station = _station(demo)
    _consent(demo, sid, station)
    rid = _made(demo, tmp_path / "data", sid, station)
    a1 = demo.login("assessor1")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PermissionDenied):
        recordings.delete_recording(demo.db, a1, tmp_path / "data", rid, "asked")
    with pytest.raises(PermissionDenied):
        recordings.export(demo.db, a1, tmp_path / "data", rid, out)
    assert list(out.iterdir()) == []
    manager = demo.login("manager")
    written = recordings.export(demo.db, manager, tmp_path / "data", rid, out)
    assert (written / "recording.mp4").read_bytes() == b"\0" * 64
    with pytest.raises(UserError, match="already exists"):
        recordings.export(demo.db, manager, tmp_path / "data", rid, out)
    with pytest.raises(UserError, match="Say why"):
        recordings.delete_recording(demo.db, manager, tmp_path / "data", rid, " ")
    recordings.delete_recording(demo.db, manager, tmp_path / "data", rid, "the candidate asked")
    with demo.db.read() as s:
        row = s.get(RecordingRow, rid)
        assert row is not None and row.status == "deleted" and row.deleted_by == manager.account_id
        assert not (tmp_path / "data" / row.folder).exists()
        actions = set(s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.entity_id == rid)))
    assert {"recording.start", "recording.export", "recording.delete"} <= actions
    with pytest.raises(Conflict, match="deleted"):
        recordings.export(demo.db, manager, tmp_path / "data", rid, out)


def test_the_observation_report_lists_notes_with_their_recording_times(demo: Demo, tmp_path: Path) -> None:
    import subprocess

    from naas_centre.demo.play import fill_scored_day
    from naas_centre.demo.signing import moderate_day
    from naas_centre.reports import data as rdata
    from naas_centre.reports.gather import ReportRef, gather
    from naas_centre.reports.render import render

    fill_scored_day(demo.db, demo.day)  # a finished day: the report can be made
    moderate_day(demo.db, demo.day)
    manager = demo.login("manager")
    sid, station = _station(demo)
    with demo.db.read() as s:
        written = sorted(
            s.scalars(
                select(EvidenceNoteRow.written_at).where(
                    EvidenceNoteRow.sitting_id == sid, EvidenceNoteRow.station_id == station
                )
            )
        )
    assert written, "the demo day writes notes"
    recordings.record_candidate_consent(demo.db, manager, sid, True)
    recordings.record_actor_consent(demo.db, manager, sid, station)
    started = written[0] - timedelta(seconds=72)
    view = recordings.start_recording(demo.db, manager, sid, station, started_at=started)
    recordings.finish_recording(demo.db, manager, view.id, 3600.0, ended_at=written[-1])
    data = gather(demo.db, manager, ReportRef(rdata.ReportKind.OBSERVATION, sid, station))
    assert isinstance(data, rdata.ObservationReportData)
    times = [n.recording_ms for n in data.notes]
    assert times[0] == 72_000 and all(t is not None for t in times)
    pdf = tmp_path / "observation.pdf"
    pdf.write_bytes(render(data).pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "In the recording at 01:12" in text


def test_retention_keeps_the_recordings_of_a_candidate_under_a_legal_hold(demo: Demo, tmp_path: Path) -> None:
    sid, station = _station(demo)
    _consent(demo, sid, station)
    old = _made(demo, tmp_path, sid, station, started_days_ago=91)
    manager = demo.login("manager")
    with demo.db.read() as s:
        sitting = s.get(SittingRow, sid)
        assert sitting is not None
        candidate = s.get(CandidateRow, sitting.candidate_id)
        assert candidate is not None
        cid, registration = candidate.id, candidate.registration_number
        folder = tmp_path / s.get(RecordingRow, old).folder  # type: ignore[union-attr]
    retention.place_hold(demo.db, manager, cid, "Appeal lodged 3 March")
    report = recordings.expire(demo.db, tmp_path)
    assert report.removed == ()
    assert [(k.recording_id, k.registration, k.reason) for k in report.kept] == [
        (old, registration, "Appeal lodged 3 March")
    ]
    assert "under a legal hold (Appeal lodged 3 March)" in report.kept[0].text
    assert (folder / "recording.mp4").exists()
    with demo.db.read() as s:
        assert s.get(RecordingRow, old).status == "finished"  # type: ignore[union-attr]
        assert s.scalar(select(AuditEntryRow).where(AuditEntryRow.action == "recording.expire")) is None
    retention.release_hold(demo.db, manager, cid, "Appeal decided")
    after = recordings.expire(demo.db, tmp_path)
    assert [g.recording_id for g in after.removed] == [old] and after.kept == ()
    assert not folder.exists()
