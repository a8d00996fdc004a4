"""Administration from an empty install: accounts, employers, conflicts, rooms, actors and
the centre's own settings, each change audited and each refusal a plain sentence."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from db.engine import Database
from db.models import AccountRow, AuditEntryRow, CandidateRow, ConflictRow
from naas_centre.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, UserError
from naas_centre.reports.data import DayRow, DaySummaryData
from naas_centre.reports.render import render
from naas_centre.services import (
    accounts,
    audit,
    centre,
    centre_settings,
    conflicts,
    employers,
    resources,
    sittings,
)
from naas_centre.services.views import Actor, Role

PASSWORD = "a long enough password"


@dataclass
class Fresh:
    """A new centre with only its first administrator: no demo."""

    db: Database
    admin: Actor

    def make(self, username: str, role: Role, employer: str | None = None) -> Actor:
        issued = accounts.new_account(self.db, self.admin, username, username.title(), role, employer)
        return accounts.authenticate(self.db, username, issued.password)

    def actions(self) -> list[str]:
        with self.db.read() as s:
            return list(s.scalars(select(AuditEntryRow.action).order_by(AuditEntryRow.seq)))


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Fresh]:
    db = centre.create_centre(
        tmp_path / "centre.db", "Northern Assessment Centre", "ada", "Ada Okafor", PASSWORD, data_dir=tmp_path
    )
    yield Fresh(db, accounts.authenticate(db, "ada", PASSWORD))
    db.dispose()


def _png(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (31, 78, 121)).save(out, "PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


# Accounts ------------------------------------------------------------------------------


def test_an_administrator_creates_every_role_with_a_temporary_password_shown_once(fresh: Fresh) -> None:
    employers.add_employer(fresh.db, fresh.admin, "Leeds City Council")
    for i, role in enumerate(Role):
        issued = accounts.new_account(
            fresh.db, fresh.admin, f"user{i}", f"User {i}", role.label, "leeds city  council", f"SW{i:06d}"
        )
        assert issued.account.role == role
        assert issued.account.employer == "Leeds City Council"  # as the centre lists it
        assert issued.account.registration_number == f"SW{i:06d}"
        assert issued.account.password_temporary
        assert len(issued.password) >= accounts.MIN_PASSWORD
        assert accounts.authenticate(fresh.db, f"user{i}", issued.password).role == role
    with fresh.db.read() as s:
        hashes = [r.password_hash for r in s.scalars(select(AccountRow))]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert fresh.actions().count("account.create") == 1 + len(Role)
    assert audit.verify(fresh.db).ok


def test_account_refusals_are_plain(fresh: Fresh) -> None:
    employers.add_employer(fresh.db, fresh.admin, "Wigan Council")
    accounts.new_account(fresh.db, fresh.admin, "sam", "Sam Reid", Role.ASSESSOR)
    with pytest.raises(Conflict, match="The username 'sam' is taken"):
        accounts.new_account(fresh.db, fresh.admin, "sam", "Sam Other", Role.ASSESSOR)
    with pytest.raises(UserError, match="There is no role called 'examiner'"):
        accounts.new_account(fresh.db, fresh.admin, "ex", "Ex", "examiner")
    with pytest.raises(UserError, match="There is no employer called 'Oldham Council'"):
        accounts.new_account(fresh.db, fresh.admin, "ol", "Ol", Role.ASSESSOR, "Oldham Council")
    with pytest.raises(UserError, match="registration number"):
        accounts.new_account(fresh.db, fresh.admin, "rg", "Rg", Role.ASSESSOR, None, "SW 12/3")
    manager = fresh.make("mina", Role.CENTRE_MANAGER)
    with pytest.raises(PermissionDenied, match="Centre manager accounts cannot do this"):
        accounts.new_account(fresh.db, manager, "mx", "Mx", Role.ASSESSOR)
    with pytest.raises(PermissionDenied):
        accounts.account_entries(fresh.db, manager)
    employers.set_employer_active(
        fresh.db, fresh.admin, employers.list_employers(fresh.db, fresh.admin)[0].id, False
    )
    with pytest.raises(UserError, match="deactivated"):
        accounts.new_account(fresh.db, fresh.admin, "wg", "Wg", Role.ASSESSOR, "Wigan Council")
    assert {e.username for e in accounts.account_entries(fresh.db, fresh.admin)} == {"ada", "sam", "mina"}


def test_disable_and_enable_never_the_last_administrator_nor_yourself(fresh: Fresh) -> None:
    with pytest.raises(Conflict, match="You cannot disable your own account"):
        accounts.set_active(fresh.db, fresh.admin, fresh.admin.account_id, False)
    second = fresh.make("bea", Role.ADMINISTRATOR)
    # Bea may disable Ada while two are active; then Bea is the last and cannot be disabled.
    accounts.set_active(fresh.db, second, fresh.admin.account_id, False)
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(fresh.db, "ada", PASSWORD)
    with pytest.raises(Conflict, match="You cannot disable your own account"):
        accounts.set_active(fresh.db, second, second.account_id, False)
    # Ada, still signed in on another workstation, cannot disable the last one left.
    with pytest.raises(Conflict, match="Bea is the last active administrator"):
        accounts.set_active(fresh.db, fresh.admin, second.account_id, False)
    with pytest.raises(Conflict, match="cannot take the administrator role from your own account"):
        accounts.edit_account(
            fresh.db,
            second,
            second.account_id,
            display_name="Bea",
            role=Role.ASSESSOR,
            employer=None,
            registration_number=None,
        )
    accounts.set_active(fresh.db, second, fresh.admin.account_id, True)
    assert accounts.authenticate(fresh.db, "ada", PASSWORD).username == "ada"
    assessor = fresh.make("cal", Role.ASSESSOR)
    accounts.set_active(fresh.db, fresh.admin, assessor.account_id, False)
    accounts.set_active(fresh.db, fresh.admin, second.account_id, False)
    # Only Ada is active now, and Bea is the last other administrator: disabled, not lost.
    with pytest.raises(Conflict, match="cannot take the administrator role from your own account"):
        accounts.edit_account(
            fresh.db,
            fresh.admin,
            fresh.admin.account_id,
            display_name="Ada",
            role=Role.CENTRE_MANAGER,
            employer=None,
            registration_number=None,
        )
    acts = fresh.actions()
    assert acts.count("account.disable") == 3 and acts.count("account.enable") == 1
    assert audit.verify(fresh.db).ok


def test_a_reset_password_is_temporary_and_unlocks_the_account(fresh: Fresh) -> None:
    sam = accounts.new_account(fresh.db, fresh.admin, "sam", "Sam Reid", Role.ASSESSOR)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(fresh.db, "sam", "wrong password")
    entry = next(e for e in accounts.account_entries(fresh.db, fresh.admin) if e.username == "sam")
    assert entry.locked()
    issued = accounts.reset_password(fresh.db, fresh.admin, sam.account.id)
    assert issued.password != sam.password and issued.account.password_temporary
    assert not issued.account.locked()
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(fresh.db, "sam", sam.password)
    assert accounts.authenticate(fresh.db, "sam", issued.password).username == "sam"
    with pytest.raises(Conflict, match="Change your own password"):
        accounts.reset_password(fresh.db, fresh.admin, fresh.admin.account_id)
    with pytest.raises(NotFound):
        accounts.reset_password(fresh.db, fresh.admin, "00000000-0000-4000-8000-000000000000")
    # Unlock on its own, as before.
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(fresh.db, "sam", "wrong password")
    accounts.unlock(fresh.db, fresh.admin, sam.account.id)
    assert accounts.authenticate(fresh.db, "sam", issued.password).username == "sam"
    with fresh.db.read() as s:
        resets = s.scalars(select(AuditEntryRow).where(AuditEntryRow.action == "account.password_reset"))
        (reset,) = list(resets)
    assert reset.account_id == fresh.admin.account_id
    assert issued.password not in (reset.after or "")
    assert audit.verify(fresh.db).ok


def test_editing_an_account_changes_its_details_and_is_audited(fresh: Fresh) -> None:
    employers.add_employer(fresh.db, fresh.admin, "Bury Council")
    sam = accounts.new_account(fresh.db, fresh.admin, "sam", "Sam Reid", Role.ASSESSOR)
    entry = accounts.edit_account(
        fresh.db,
        fresh.admin,
        sam.account.id,
        display_name="  Sam  Reid-Jones ",
        role="centre manager",
        employer="Bury Council",
        registration_number="SW445566",
    )
    assert (entry.display_name, entry.role, entry.employer, entry.registration_number) == (
        "Sam Reid-Jones",
        Role.CENTRE_MANAGER,
        "Bury Council",
        "SW445566",
    )
    assert fresh.actions()[-1] == "account.edit"
    with pytest.raises(UserError, match="display name"):
        accounts.edit_account(
            fresh.db,
            fresh.admin,
            sam.account.id,
            display_name=" ",
            role=Role.ASSESSOR,
            employer=None,
            registration_number=None,
        )


# Employers -----------------------------------------------------------------------------


def test_an_employer_rename_carries_candidates_and_accounts_in_one_audited_transaction(fresh: Fresh) -> None:
    manager = fresh.make("mina", Role.CENTRE_MANAGER)
    bury = employers.add_employer(fresh.db, manager, "Bury Council", "local_authority", "naas@bury.gov.uk")
    employers.add_employer(fresh.db, manager, "Leeds City Council")
    assessor = fresh.make("sam", Role.ASSESSOR, "Bury Council")
    for i in range(3):
        sittings.add_candidate(
            fresh.db,
            manager,
            sittings.CandidateInput(f"Candidate {i}", f"SW90000{i}", "Bury Council", "practitioner"),
        )
    sittings.add_candidate(
        fresh.db, manager, sittings.CandidateInput("Other", "SW800000", "Leeds City Council", "practitioner")
    )
    listed = {e.name: e for e in employers.list_employers(fresh.db, manager)}
    assert (listed["Bury Council"].candidates, listed["Bury Council"].accounts) == (3, 1)

    with pytest.raises(Conflict, match="already an employer called 'Leeds City Council'"):
        employers.rename_employer(fresh.db, manager, bury.id, "leeds city council")
    with pytest.raises(Conflict, match="already an employer"):
        employers.add_employer(fresh.db, manager, "  BURY   council ")
    before = len(fresh.actions())
    done = employers.rename_employer(fresh.db, manager, bury.id, "Bury Metropolitan Borough Council")
    assert (done.old_name, done.candidates, done.accounts) == ("Bury Council", 3, 1)
    assert done.employer.name == "Bury Metropolitan Borough Council" and done.employer.candidates == 3
    with fresh.db.read() as s:
        names = sorted(set(s.scalars(select(CandidateRow.employer))))
        moved = s.get(AccountRow, assessor.account_id)
        assert moved is not None and moved.employer == "Bury Metropolitan Borough Council"
    assert names == ["Bury Metropolitan Borough Council", "Leeds City Council"]
    assert fresh.actions()[before:] == ["employer.rename_carried"] * 4 + ["employer.rename"]
    assert audit.verify(fresh.db).ok


def test_employer_refusals_and_deactivation(fresh: Fresh) -> None:
    with pytest.raises(UserError, match="needs a name"):
        employers.add_employer(fresh.db, fresh.admin, "  ")
    with pytest.raises(UserError, match="no kind of employer called 'charity'"):
        employers.add_employer(fresh.db, fresh.admin, "Oldham", "charity")
    with pytest.raises(UserError, match="not an email address"):
        employers.add_employer(fresh.db, fresh.admin, "Oldham", "trust", "oldham")
    entry = employers.add_employer(fresh.db, fresh.admin, "Oldham Children's Trust", "Trust")
    assert entry.kind == "trust"
    off = employers.set_employer_active(fresh.db, fresh.admin, entry.id, False)
    assert not off.active
    with pytest.raises(Conflict, match="deactivated: re-activate it instead"):
        employers.add_employer(fresh.db, fresh.admin, "Oldham Children's Trust")
    with fresh.db.read() as s:
        assert employers.names(s) == [] and employers.names(s, active_only=False) == [
            "Oldham Children's Trust"
        ]
    assessor = fresh.make("sam", Role.ASSESSOR)
    with pytest.raises(PermissionDenied):
        employers.list_employers(fresh.db, assessor)
    updated = employers.update_employer(
        fresh.db, fresh.admin, entry.id, kind="agency", contact_email="a@b.org"
    )
    assert (updated.kind, updated.contact_email) == ("agency", "a@b.org")


# Conflicts -----------------------------------------------------------------------------


def test_conflicts_are_declared_found_and_withdrawn(fresh: Fresh) -> None:
    manager = fresh.make("mina", Role.CENTRE_MANAGER)
    sam = fresh.make("sam", Role.ASSESSOR)
    tom = fresh.make("tom", Role.ASSESSOR)
    c1 = sittings.add_candidate(
        fresh.db, manager, sittings.CandidateInput("Jo Bloggs", "SW100001", "Leeds", "practitioner")
    )
    c2 = sittings.add_candidate(
        fresh.db, manager, sittings.CandidateInput("Ali Khan", "SW100002", "Leeds", "practitioner")
    )
    entry = conflicts.declare_conflict(fresh.db, manager, sam.account_id, c1, "line_manages", "Until 2025")
    assert (entry.assessor_name, entry.candidate_name, entry.kind_label) == (
        "Sam",
        "Jo Bloggs",
        "Line-manages the candidate",
    )
    conflicts.declare_conflict(fresh.db, fresh.admin, tom.account_id, c2, "knows")
    with fresh.db.read() as s:
        found = conflicts.conflicts_between(s, [sam.account_id, tom.account_id], [c1, c2])
        assert found == {(sam.account_id, c1), (tom.account_id, c2)}
        assert conflicts.conflicts_between(s, [sam.account_id], [c2]) == set()
        assert conflicts.conflicts_between(s, [], [c1]) == set()
    with pytest.raises(Conflict, match="already declared"):
        conflicts.declare_conflict(fresh.db, manager, sam.account_id, c1, "knows")
    with pytest.raises(UserError, match="is not an assessor"):
        conflicts.declare_conflict(fresh.db, manager, manager.account_id, c1, "knows")
    with pytest.raises(UserError, match="no kind of conflict"):
        conflicts.declare_conflict(fresh.db, manager, tom.account_id, c1, "cousin")
    with pytest.raises(UserError, match="Say in the note"):
        conflicts.declare_conflict(fresh.db, manager, tom.account_id, c1, "other", " ")
    with pytest.raises(PermissionDenied):
        conflicts.declare_conflict(fresh.db, sam, tom.account_id, c1, "knows")
    assessors, candidates = conflicts.choices(fresh.db, manager)
    assert [p.name for p in assessors] == ["Sam", "Tom"] and len(candidates) == 2

    conflicts.withdraw_conflict(fresh.db, manager, entry.id)
    assert [e.candidate_name for e in conflicts.list_conflicts(fresh.db, manager)] == ["Ali Khan"]
    with pytest.raises(NotFound):
        conflicts.withdraw_conflict(fresh.db, manager, entry.id)
    with fresh.db.read() as s:
        assert s.scalar(select(ConflictRow).where(ConflictRow.id == entry.id)) is None
        last = s.scalars(select(AuditEntryRow).where(AuditEntryRow.action == "conflict.withdraw")).one()
    assert last.after is None and json.loads(last.before or "{}")["note"] == "Until 2025"
    assert audit.verify(fresh.db).ok


# Rooms and actors ------------------------------------------------------------------------


def test_rooms_have_a_kind_and_are_deactivated_not_deleted(fresh: Fresh) -> None:
    manager = fresh.make("mina", Role.CENTRE_MANAGER)
    room = resources.add_room(fresh.db, manager, " Room  1 ")
    written = resources.add_room(fresh.db, manager, "Computer suite", "written")
    assert (room.name, room.kind, written.kind_label) == ("Room 1", "role_play", "Written exercise")
    with pytest.raises(Conflict, match="already a room called 'Room 1'"):
        resources.add_room(fresh.db, manager, "room 1")
    with pytest.raises(UserError, match="no kind of room called 'office'"):
        resources.add_room(fresh.db, manager, "Room 2", "office")
    with pytest.raises(UserError, match="needs a name"):
        resources.add_room(fresh.db, manager, "")
    with pytest.raises(Conflict, match="already a room"):
        resources.update_room(fresh.db, manager, written.id, name="ROOM 1", kind="written", active=True)
    off = resources.update_room(fresh.db, manager, room.id, name="Room 1", kind="role_play", active=False)
    assert not off.active
    assert [r.name for r in resources.list_rooms(fresh.db, fresh.admin)] == ["Computer suite", "Room 1"]
    with pytest.raises(PermissionDenied):
        resources.list_rooms(fresh.db, fresh.make("sam", Role.ASSESSOR))
    assert fresh.actions().count("room.update") == 1


def test_actors_play_parts_of_installed_packs(fresh: Fresh) -> None:
    parts = resources.playable_parts(fresh.db)
    keys = {p.key for p in parts}
    assert "naas-practitioner/home-visit" in keys and "naas-leader/member-briefing" in keys
    actor = resources.add_actor(
        fresh.db,
        fresh.admin,
        "Rhian Evans",
        True,
        ["naas-practitioner/home-visit", "naas-practitioner/home-visit"],
    )
    assert actor.parts == ("naas-practitioner/home-visit",) and actor.video_consent and actor.active
    with pytest.raises(
        UserError, match="No installed pack has a role-play scenario 'naas-practitioner/nowhere'"
    ):
        resources.add_actor(fresh.db, fresh.admin, "X", False, ["naas-practitioner/nowhere"])
    with pytest.raises(UserError, match="write it pack-name/station-id"):
        resources.add_actor(fresh.db, fresh.admin, "X", False, ["home-visit"])
    with pytest.raises(UserError, match="needs a name"):
        resources.add_actor(fresh.db, fresh.admin, " ", False)
    updated = resources.update_actor(
        fresh.db,
        fresh.admin,
        actor.id,
        full_name="Rhian Evans",
        video_consent=False,
        parts=["naas-practitioner/home-visit", "naas-supervisor/drift-supervision"],
        active=False,
    )
    assert updated.parts == ("naas-practitioner/home-visit", "naas-supervisor/drift-supervision")
    assert not updated.video_consent and not updated.active
    assert [a.full_name for a in resources.list_actors(fresh.db, fresh.admin)] == ["Rhian Evans"]
    assert fresh.actions()[-2:] == ["actor.create", "actor.update"]
    assert audit.verify(fresh.db).ok


# The centre's own settings -----------------------------------------------------------------


def test_the_centre_name_logo_and_resit_rule(fresh: Fresh, tmp_path: Path) -> None:
    settings = centre_settings.centre_settings(fresh.db, fresh.admin)
    assert (settings.name, settings.logo, settings.resit_wait_weeks, settings.max_attempts) == (
        "Northern Assessment Centre",
        None,
        0,
        0,
    )
    assert centre_settings.rename_centre(fresh.db, fresh.admin, " North  Centre ").name == "North Centre"
    with pytest.raises(UserError, match="needs a name"):
        centre_settings.rename_centre(fresh.db, fresh.admin, "")

    png = _png()
    assert centre_settings.set_logo(fresh.db, fresh.admin, png).logo_kind == "PNG"
    path = tmp_path / "logo.jpg"
    path.write_bytes(_jpeg())
    assert centre_settings.set_logo_from_file(fresh.db, fresh.admin, path).logo_kind == "JPEG"
    with fresh.db.read() as s:
        assert centre_settings.report_logo(s) == path.read_bytes()
    with pytest.raises(UserError, match="is not a PNG or JPEG picture"):
        centre_settings.set_logo(fresh.db, fresh.admin, b"GIF89a....")
    big = tmp_path / "big.png"
    big.write_bytes(png + b"\0" * centre_settings.MAX_LOGO_BYTES)
    with pytest.raises(UserError, match="over 1 MB"):
        centre_settings.set_logo_from_file(fresh.db, fresh.admin, big)
    with pytest.raises(UserError, match="a logo is at most 1 MB"):
        centre_settings.set_logo(fresh.db, fresh.admin, png + b"\0" * centre_settings.MAX_LOGO_BYTES)
    with pytest.raises(UserError, match="damaged PNG"):
        centre_settings.set_logo(fresh.db, fresh.admin, png[:40])
    with pytest.raises(UserError, match="cannot be read"):
        centre_settings.set_logo_from_file(fresh.db, fresh.admin, tmp_path / "missing.png")
    assert (
        centre_settings.centre_settings(fresh.db, fresh.admin).logo_kind == "JPEG"
    )  # refusals changed nothing
    assert centre_settings.set_logo(fresh.db, fresh.admin, None).logo is None

    rule = centre_settings.set_resit_rule(fresh.db, fresh.admin, 12, 3)
    assert (rule.resit_wait_weeks, rule.max_attempts) == (12, 3)
    assert rule.resit_rule_text == "12 weeks after a not-met outcome; at most 3 attempts at one level."
    with pytest.raises(UserError, match="negative number of weeks"):
        centre_settings.set_resit_rule(fresh.db, fresh.admin, -1, 3)
    with pytest.raises(UserError, match="cannot be negative"):
        centre_settings.set_resit_rule(fresh.db, fresh.admin, 1, -3)
    with fresh.db.read() as s:
        assert centre_settings.resit_rule(s) == (12, 3)

    manager = fresh.make("mina", Role.CENTRE_MANAGER)
    assert centre_settings.centre_settings(fresh.db, manager).max_attempts == 3
    with pytest.raises(PermissionDenied):
        centre_settings.rename_centre(fresh.db, manager, "Mine")
    with pytest.raises(PermissionDenied):
        centre_settings.set_logo(fresh.db, manager, png)
    with pytest.raises(PermissionDenied):
        centre_settings.set_resit_rule(fresh.db, manager, 1, 1)
    acts = fresh.actions()
    assert acts.count("centre.logo") == 3 and acts.count("centre.rename") == 1
    assert acts.count("centre.resit_rule") == 1
    with fresh.db.read() as s:
        logo_entry = s.scalars(select(AuditEntryRow).where(AuditEntryRow.action == "centre.logo")).first()
    assert logo_entry is not None and json.loads(logo_entry.after or "{}")["after"]["kind"] == "PNG"
    assert audit.verify(fresh.db).ok


# The logo on reports -----------------------------------------------------------------------


def _day(rows: int) -> DaySummaryData:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    return DaySummaryData(
        "North Centre",
        date(2026, 12, 1),
        tuple(
            DayRow(
                start,
                "Room 1",
                f"Candidate {i}",
                "Leeds",
                "practitioner",
                1,
                "naas-practitioner",
                ("Sam Reid",),
                "planned",
                "0 of 20",
                "pending",
                "0 of 5",
            )
            for i in range(rows)
        ),
        (),
    )


def _images(pdf: bytes, tmp_path: Path) -> list[int]:
    """The page of each picture in the PDF (pdfimages from poppler)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines()[2:] if line.strip()]


def test_the_centre_logo_heads_the_first_page_of_a_report(fresh: Fresh, tmp_path: Path) -> None:
    centre_settings.set_logo(fresh.db, fresh.admin, _png((300, 90)))
    logo = centre_settings.report_logo_of(fresh.db)
    assert logo is not None
    with_logo = render(_day(60), logo=logo).pdf
    assert _images(with_logo, tmp_path) == [1]  # a long day runs to more pages: the logo only on the first
    assert _images(render(_day(60)).pdf, tmp_path) == []
    # A picture that cannot be drawn leaves the report whole, without it.
    assert _images(render(_day(3), logo=b"\x89PNG\r\n\x1a\nbroken").pdf, tmp_path) == []
