"""Recordings in result bundles: their rows always, their media only when asked.

A real recording is made on the room's workstation (a generated camera and microphone
through the recorder, as the video tests do), sent in a bundle with and without its
media, and collected on the manager's copy of the centre: the file arrives byte for
byte and plays; a second import writes nothing; a tampered or escaping bundle leaves
no file and no row.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntryRow, RecordingConsentRow, RecordingRow
from naas_centre.errors import UserError
from naas_centre.exchange import trust
from naas_centre.exchange.container import open_bundle, signer_of, write_bundle
from naas_centre.exchange.results import KIND, export_results, import_results
from naas_centre.services import audit, certificates, recordings
from tests.exchange.sides import CENTRE_WS, PASSWORDS, ROOM_WS, Side, copy_side, demo_with_ca
from tests.program import run_program
from tests.services.calibration_support import record_station
from tests.video.media import probe

PASSPHRASE = "oak room, second of march"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    return demo_with_ca(tmp_path_factory.mktemp("recordings-demo"))


@pytest.fixture(scope="module")
def recorded_room(
    tmp_path_factory: pytest.TempPathFactory, demo_file: tuple[Path, date]
) -> tuple[Path, date]:
    """The room's workstation after one finished recording of a few seconds."""
    base = tmp_path_factory.mktemp("recorded-room")
    side = copy_side(demo_file, base / "room", ROOM_WS, own_trail=True)
    (side.data_dir / "workstation-id").write_text(ROOM_WS + "\n", encoding="utf-8")
    scratch = base / "sources"
    scratch.mkdir()
    record_station(side.db, side.login("assessor1"), side.day, side.data_dir, scratch, seconds=3.0)
    side.db.dispose()
    return side.data_dir / "demo.db", side.day


@pytest.fixture
def centre(tmp_path: Path, demo_file: tuple[Path, date]) -> Iterator[Side]:
    side = copy_side(demo_file, tmp_path / "centre", CENTRE_WS)
    yield side
    side.db.dispose()


@pytest.fixture
def room(tmp_path: Path, recorded_room: tuple[Path, date]) -> Iterator[Side]:
    side = copy_side(recorded_room, tmp_path / "room", ROOM_WS)
    yield side
    side.db.dispose()


def _export(room: Side, path: Path, *, recordings: bool) -> tuple[int, int]:
    who = room.login("assessor1")
    identity = certificates.unlock_signer(room.db, who, PASSWORDS["assessor1"], room.data_dir)
    done = export_results(
        room.db, who, path, PASSPHRASE, signer_of(identity), recordings=recordings, data_dir=room.data_dir
    )
    return done.recordings, done.media_bytes


def _media(side: Side) -> dict[str, str]:
    """Every file under the data folder's recordings, relative path → SHA-256."""
    root = side.data_dir / "recordings"
    if not root.exists():
        return {}
    return {
        p.relative_to(side.data_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _recording_rows(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(RecordingRow)) or 0)


def _leftovers(side: Side) -> list[str]:
    return sorted(p.name for p in side.data_dir.iterdir() if p.name.startswith(".incoming-"))


def _manifest(bundle: Path, side: Side) -> dict[str, object]:
    cas, crls = trust.from_database(side.db)
    with side.db.read() as s:
        from naas_centre.exchange.members import centre_id

        centre_id_here = centre_id(s)
    with open_bundle(bundle, PASSPHRASE, cas, centre_id_here, crls=crls, expected_kind=KIND) as opened:
        inside = opened.members()
        manifest: dict[str, object] = json.loads(next(inside).read())
        for _ in inside:  # read to the end, as a reader must
            pass
    return manifest


def test_without_the_flag_the_rows_travel_and_the_media_stay(
    centre: Side, room: Side, tmp_path: Path
) -> None:
    bundle = tmp_path / "results.naasbundle"
    assert _export(room, bundle, recordings=False) == (0, 0)
    assert _media(room), "the room has a recording"
    assert _manifest(bundle, room)["media"] == {"recordings": [], "files": []}
    assert centre.db.workstation_id != room.db.workstation_id

    done = import_results(centre.db, centre.login("manager"), bundle, PASSPHRASE, data_dir=centre.data_dir)
    assert done.report.table("recordings").added == 1
    assert done.report.table("recording_consents").added == 2
    assert not any(line.startswith("recording files") for line in done.summary_lines())
    assert _media(centre) == {}
    with room.db.read() as s:
        sent = s.scalars(select(AuditEntryRow).where(AuditEntryRow.action == "recording.bundle_export")).all()
    assert sent == [], "nothing left, nothing to audit"


def test_with_the_flag_the_file_arrives_whole_plays_and_a_second_import_writes_nothing(
    centre: Side, room: Side, tmp_path: Path
) -> None:
    bundle = tmp_path / "results.naasbundle"
    count, size = _export(room, bundle, recordings=True)
    files = _media(room)
    assert count == 1 and size == sum((room.data_dir / p).stat().st_size for p in files)
    assert bundle.stat().st_size > size
    with room.db.read() as s:
        entry = s.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "recording.bundle_export")
        ).one()
        rid = s.scalars(select(RecordingRow.id)).one()
    detail = json.loads(entry.after or "{}")
    assert entry.account_id == room.login("assessor1").account_id
    assert (detail["recordings"], detail["bytes"], detail["files"]) == (1, size, len(files))
    assert _manifest(bundle, room)["media"] == {
        "recordings": [rid],
        "files": [
            {"recording": rid, "path": p, "member": f"media/{p}", "size": (room.data_dir / p).stat().st_size}
            for p in files
        ],
    }

    manager = centre.login("manager")
    done = import_results(centre.db, manager, bundle, PASSPHRASE, data_dir=centre.data_dir)
    assert f"recording files: {len(files)} added, 0 already there, 0 conflicts" in done.summary_lines()
    assert _media(centre) == files, "byte for byte"
    mp4 = next(centre.data_dir / p for p in files if p.endswith(".mp4"))
    played = probe(mp4)
    assert set(played.codecs) == {"video", "audio"} and played.duration > 1.0
    assert _leftovers(centre) == []
    assert audit.verify(centre.db).ok
    mtimes = {p: (centre.data_dir / p).stat().st_mtime_ns for p in files}
    rows = _recording_rows(centre.db)

    again = import_results(centre.db, manager, bundle, PASSPHRASE, data_dir=centre.data_dir)
    assert f"recording files: 0 added, {len(files)} already there, 0 conflicts" in again.summary_lines()
    assert again.report.table("recordings").added == 0
    assert {p: (centre.data_dir / p).stat().st_mtime_ns for p in files} == mtimes
    assert _recording_rows(centre.db) == rows and _leftovers(centre) == []


def test_other_bytes_under_the_same_path_are_a_conflict_never_overwritten(
    centre: Side, room: Side, tmp_path: Path
) -> None:
    bundle = tmp_path / "results.naasbundle"
    _export(room, bundle, recordings=True)
    files = _media(room)
    clash = next(p for p in files if p.endswith(".mp4"))
    (centre.data_dir / clash).parent.mkdir(parents=True)
    (centre.data_dir / clash).write_bytes(b"another recording")

    done = import_results(centre.db, centre.login("manager"), bundle, PASSPHRASE, data_dir=centre.data_dir)
    lines = done.summary_lines()
    assert f"recording files: {len(files) - 1} added, 0 already there, 1 conflict" in lines
    assert any(clash in line for line in lines)
    assert (centre.data_dir / clash).read_bytes() == b"another recording"


def test_a_recording_deleted_at_the_centre_is_not_brought_back_by_its_bundle(
    centre: Side, room: Side, tmp_path: Path
) -> None:
    bundle = tmp_path / "results.naasbundle"
    _export(room, bundle, recordings=True)
    files = _media(room)
    manager = centre.login("manager")
    import_results(centre.db, manager, bundle, PASSPHRASE, data_dir=centre.data_dir)
    with centre.db.read() as s:
        rid = s.scalars(select(RecordingRow.id)).one()
    recordings.delete_recording(centre.db, manager, centre.data_dir, rid, "withdrawn by the candidate")
    assert _media(centre) == {}

    again = import_results(centre.db, manager, bundle, PASSPHRASE, data_dir=centre.data_dir)
    line = f"recording files: 0 added, 0 already there, {len(files)} left out (deleted here), 0 conflicts"
    assert line in again.summary_lines()
    assert _media(centre) == {} and _leftovers(centre) == []
    with centre.db.read() as s:
        assert s.scalars(select(RecordingRow.status)).one() == "deleted"


def test_a_tampered_bundle_leaves_no_file_and_no_row(centre: Side, room: Side, tmp_path: Path) -> None:
    bundle = tmp_path / "results.naasbundle"
    _export(room, bundle, recordings=True)
    data = bytearray(bundle.read_bytes())
    data[len(data) * 3 // 4] ^= 0x01  # inside the media, well past the rows
    bundle.write_bytes(bytes(data))

    with pytest.raises(UserError):
        import_results(centre.db, centre.login("manager"), bundle, PASSPHRASE, data_dir=centre.data_dir)
    assert _media(centre) == {} and _recording_rows(centre.db) == 0 and _leftovers(centre) == []


def _forged(room: Side, bundle: Path, out: Path, change: Callable[[str, bytes], bytes]) -> None:
    """The room's bundle again, signed by the same person, each member through ``change``."""
    cas, crls = trust.from_database(room.db)
    with room.db.read() as s:
        from naas_centre.exchange.members import centre_id

        here = centre_id(s)
    who = room.login("assessor1")
    signer = signer_of(certificates.unlock_signer(room.db, who, PASSWORDS["assessor1"], room.data_dir))

    def members() -> Iterator[tuple[str, bytes]]:
        with open_bundle(bundle, PASSPHRASE, cas, here, crls=crls, expected_kind=KIND) as opened:
            for member in opened.members():
                yield member.name, change(member.name, member.read())

    write_bundle(out, KIND, here, members(), PASSPHRASE, signer)


def _media_path(path: str) -> Callable[[str, bytes], bytes]:
    def change(name: str, raw: bytes) -> bytes:
        if name != "manifest.json":
            return raw
        manifest = json.loads(raw)
        manifest["media"]["files"][0]["path"] = path
        return json.dumps(manifest).encode()

    return change


@pytest.mark.parametrize("path", ["recordings/../../outside.mp4", "/tmp/outside.mp4", "../outside.mp4"])
def test_a_media_path_out_of_the_data_folder_refuses_the_whole_bundle(
    centre: Side, room: Side, tmp_path: Path, path: str
) -> None:
    bundle, forged = tmp_path / "results.naasbundle", tmp_path / "forged.naasbundle"
    _export(room, bundle, recordings=True)
    _forged(room, bundle, forged, _media_path(path))

    with pytest.raises(UserError, match="outside the data folder") as refused:
        import_results(centre.db, centre.login("manager"), forged, PASSPHRASE, data_dir=centre.data_dir)
    assert "\n" not in str(refused.value)
    assert _media(centre) == {} and _recording_rows(centre.db) == 0 and _leftovers(centre) == []
    assert not (tmp_path / "outside.mp4").exists() and not Path("/tmp/outside.mp4").exists()


def test_a_refusal_after_the_media_were_read_leaves_no_file_behind(
    centre: Side, room: Side, tmp_path: Path
) -> None:
    """The room's trail is checked after every member has been read (the media last):
    an entry edited in it refuses the bundle once the media are already staged."""

    def edit_trail(name: str, raw: bytes) -> bytes:
        if name != "audit.jsonl":
            return raw
        lines = raw.decode().splitlines()
        entry = json.loads(lines[-1])
        entry["action"] = entry["action"] + ".edited"
        return "\n".join([*lines[:-1], json.dumps(entry, sort_keys=True)]).encode() + b"\n"

    bundle, forged = tmp_path / "results.naasbundle", tmp_path / "forged.naasbundle"
    _export(room, bundle, recordings=True)
    _forged(room, bundle, forged, edit_trail)

    with pytest.raises(UserError) as refused:
        import_results(centre.db, centre.login("manager"), forged, PASSPHRASE, data_dir=centre.data_dir)
    assert "\n" not in str(refused.value)
    assert _media(centre) == {} and _recording_rows(centre.db) == 0 and _leftovers(centre) == []


def test_a_bundle_without_media_imports_as_before(centre: Side, room: Side, tmp_path: Path) -> None:
    bundle = tmp_path / "results.naasbundle"
    _export(room, bundle, recordings=False)
    done = import_results(centre.db, centre.login("manager"), bundle, PASSPHRASE)  # no data folder needed
    assert done.report.table("recordings").added == 1
    with centre.db.read() as s:
        assert int(s.scalar(select(func.count()).select_from(RecordingConsentRow)) or 0) == 2


# The command line ----------------------------------------------------------------------


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_program(*args, data_dir=data_dir, timeout=600)


def _secret(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def test_the_command_line_carries_recordings_only_with_the_flag_and_refuses_plainly(
    centre: Side, room: Side, tmp_path: Path, demo_file: tuple[Path, date]
) -> None:
    room.db.dispose()
    centre.db.dispose()
    phrase = _secret(tmp_path, "phrase", PASSPHRASE)
    sender = ("--user", "assessor1", "--password-file", _secret(tmp_path, "a1", PASSWORDS["assessor1"]))
    bundle = tmp_path / "with.naasbundle"
    out = _run(
        "bundle", "export-results", "--out", str(bundle), "--recordings",
        "--db", str(room.data_dir / "demo.db"), *sender, "--passphrase-file", phrase, data_dir=room.data_dir,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "the media of 1 recording(s)" in out.stdout

    manager = ("--user", "manager", "--password-file", _secret(tmp_path, "m", PASSWORDS["manager"]))
    args = ("bundle", "import", str(bundle), "--db", str(centre.data_dir / "demo.db"), *manager)
    done = _run(*args, "--passphrase-file", phrase, data_dir=centre.data_dir)
    assert done.returncode == 0, done.stderr
    assert "recording files: " in done.stdout and " added, 0 already there, 0 conflicts" in done.stdout
    assert _media(centre) == _media(room)

    # A bundle whose media would land outside the data folder: one line, exit 2, nothing.
    room.db = Database(room.data_dir / "demo.db", ROOM_WS)
    forged = tmp_path / "forged.naasbundle"
    _forged(room, bundle, forged, _media_path("recordings/../../../outside.mp4"))
    room.db.dispose()
    fresh = copy_side(demo_file, tmp_path / "fresh", CENTRE_WS)
    fresh.db.dispose()
    args = ("bundle", "import", str(forged), "--db", str(fresh.data_dir / "demo.db"), *manager)
    escaped = _run(*args, "--passphrase-file", phrase, data_dir=fresh.data_dir)
    assert escaped.returncode == 2, escaped.stdout + escaped.stderr
    assert len(escaped.stderr.strip().splitlines()) == 1 and "outside the data folder" in escaped.stderr
    assert _media(fresh) == {} and not (tmp_path / "outside.mp4").exists()

    # A finished recording whose folder went missing: one line, exit 2, no file.
    for f in sorted((room.data_dir / "recordings").rglob("*"), reverse=True):
        f.unlink() if f.is_file() else f.rmdir()
    missing = tmp_path / "missing.naasbundle"
    refused = _run(
        "bundle", "export-results", "--out", str(missing), "--recordings",
        "--db", str(room.data_dir / "demo.db"), *sender, "--passphrase-file", phrase, data_dir=room.data_dir,
    )  # fmt: skip
    assert refused.returncode == 2 and not missing.exists()
    assert len(refused.stderr.strip().splitlines()) == 1 and "missing" in refused.stderr, refused.stderr
