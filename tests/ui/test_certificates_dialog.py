"""The administrator's Certificates screen (revoke with a reason, approve a replacement),
the notice of a new certificate at sign-in, choosing one's own password, the sign
dialog's plain answer to a password an administrator set, and the idle lock's share of
the one lock-out. Real services, real widgets; every wait is on a signal or a state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import AccountRow, CrlRow
from naas_centre.demo.signing import moderate_day
from naas_centre.errors import AccountLocked
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, refs_for_sitting
from naas_centre.services import accounts, certificates, signatures, sittings
from tests.ui.conftest import DemoCentre, WaitUntil
from tests.ui.reports_support import close_window, open_window, password, trigger
from ui.centre import certificates_dialog
from ui.centre.certificates_dialog import CertificatesDialog, ReasonDialog
from ui.common.confirm_password import ConfirmPasswordDialog
from ui.common.settings import Settings
from ui.reports.batch_reports_dialog import BatchReportsDialog
from ui.shell.main_window import MainWindow
from ui.shell.password_dialog import PasswordDialog
from ui.work.tasks import TaskManager

Opener = Callable[[str], MainWindow]


@pytest.fixture
def window(qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings) -> Iterator[Opener]:
    opened: list[MainWindow] = []

    def open_as(username: str) -> MainWindow:
        w = open_window(qtbot, tasks, scored, settings, username)
        opened.append(w)
        return w

    yield open_as
    for w in opened:
        close_window(w, tasks)


def open_certificates(qtbot: QtBot, w: MainWindow) -> CertificatesDialog:
    dialog = trigger(w, "centre.certificates")
    assert isinstance(dialog, CertificatesDialog)
    qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()
    return dialog


def row_texts(dialog: CertificatesDialog, username: str) -> tuple[str, list[list[str]]]:
    dialog.choose(username)
    item = dialog.tree.currentItem()
    assert item is not None
    children = [[item.child(j).text(c) for c in range(4)] for j in range(item.childCount())]
    return item.text(3), children


def give_reason(qtbot: QtBot, dialog: CertificatesDialog, button_name: str, reason: str) -> str:
    getattr(dialog, button_name).click()
    asking = dialog.reason_dialog
    assert isinstance(asking, ReasonDialog) and asking.isVisible()
    assert not asking.ok_button.isEnabled()  # a reason is needed
    asking.reason.setPlainText(reason)
    if button_name != "revoke_button":
        with qtbot.waitSignal(dialog.changed, timeout=15_000) as done:
            asking.ok_button.click()
        qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()
        return str(done.args[0])
    asking.ok_button.click()  # revoking then asks for the administrator's password again
    confirm = dialog.password_dialog
    assert isinstance(confirm, ConfirmPasswordDialog) and confirm.isVisible()
    assert not confirm.ok_button.isEnabled()
    confirm.password.setText(password(dialog.actor.username))
    with qtbot.waitSignal(dialog.changed, timeout=15_000) as done:
        confirm.ok_button.click()
    qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()
    return str(done.args[0])


def test_the_administrator_revokes_and_approves_from_the_certificates_screen(
    qtbot: QtBot, window: Opener, scored: DemoCentre
) -> None:
    helen = scored.actor("assessor1")
    identity = signatures.unlock_signer(scored.db, helen, password("assessor1"), scored.folder)

    # Only administrators have the action (and the service refuses anyone else too).
    manager = window("manager")
    assert not manager.action_set["centre.certificates"].isEnabled()
    admin = window("admin")
    dialog = open_certificates(qtbot, admin)
    status, certs = row_texts(dialog, "assessor1")
    assert status == "Can sign"
    assert certs == [
        ["Helen Brady · Assessor · Registration SW071932", identity.serial[:16], certs[0][2], "In use"]
    ]
    assert row_texts(dialog, "assessor2") == ("No certificate yet", [])
    people = [p.display_name for p in dialog.people]
    assert "Ngozi Okafor" in people and "Demo Administrator" not in people  # only those who sign

    dialog.choose("assessor1")
    said = give_reason(qtbot, dialog, "revoke_button", "Laptop stolen from her car; key may be compromised")
    assert said.startswith("Revoked 1 certificate of Helen Brady")
    status, certs = row_texts(dialog, "assessor1")
    assert status == "Cannot sign: needs a replacement" and certs[0][3] == "Revoked"
    assert not dialog.revoke_button.isEnabled()  # nothing left to revoke
    with scored.db.read() as s:
        assert max(s.scalars(select(CrlRow.number))) == 2

    said = give_reason(qtbot, dialog, "approve_button", "New laptop issued; identity checked in person")
    assert "a second administrator must approve it too" in said
    status, _ = row_texts(dialog, "assessor1")
    assert status == "Replacement approved by Demo Administrator (one more administrator needed)"

    # The same administrator again: refused, said plainly in the dialog.
    dialog.approve_button.click()
    asking = dialog.reason_dialog
    assert asking is not None
    asking.reason.setPlainText("again")
    with qtbot.waitSignal(dialog.tasks.writes_settled, timeout=10_000):
        asking.ok_button.click()
    assert "second administrator must approve" in dialog.status.text()
    assert certificates_dialog.APPROVALS_NEEDED == certificates.APPROVALS_NEEDED


def test_the_person_is_shown_a_new_certificate_at_sign_in(
    qtbot: QtBot, window: Opener, scored: DemoCentre
) -> None:
    helen = scored.actor("assessor1")
    identity = signatures.unlock_signer(scored.db, helen, password("assessor1"), scored.folder)
    w = open_window_with_notice(qtbot, window, "assessor1")
    bar = w.certificate_notice
    assert bar.toolbar is not None and bar.toolbar.isVisible()
    assert identity.serial[:16] in bar.text.text() and "tell an administrator" in bar.text.text()
    with qtbot.waitSignal(bar.acknowledged, timeout=10_000):
        bar.ok_button.click()
    assert not bar.toolbar.isVisible()
    assert signatures.pending_certificate_notices(scored.db, helen) == []
    # Someone with nothing new is shown nothing.
    other = window("assessor2")
    other.tasks.wait()
    assert other.certificate_notice.toolbar is not None and not other.certificate_notice.toolbar.isVisible()


def open_window_with_notice(qtbot: QtBot, window: Opener, username: str) -> MainWindow:
    w = window(username)
    if not w.certificate_notice.notices:
        qtbot.waitSignal(w.certificate_notice.shown, timeout=10_000).wait()
    return w


def test_a_temporary_password_is_refused_at_signing_until_the_person_chooses_their_own(
    qtbot: QtBot, window: Opener, scored: DemoCentre
) -> None:
    w = window("assessor2")  # signed in before the reset; the reset password is tried below
    admin = scored.actor("admin")
    tomasz = w.actor
    accounts.set_password(scored.db, admin, tomasz.account_id, "temporary-reset-99", None)
    with pytest.raises(certificates.TemporaryPassword, match="Change my password"):
        signatures.unlock_signer(scored.db, tomasz, "temporary-reset-99", scored.folder)

    dialog = trigger(w, "centre.password")
    assert isinstance(dialog, PasswordDialog)
    dialog.current.setText("temporary-reset-99")
    dialog.new.setText("short")
    dialog.repeat.setText("short")
    with qtbot.waitSignal(w.tasks.writes_settled, timeout=10_000):
        dialog.ok_button.click()
    assert "at least 12 characters" in dialog.error.text() and dialog.isVisible()
    dialog.new.setText("his very own passphrase")
    dialog.repeat.setText("his very own passphrase")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.ok_button.click()
    with scored.db.read() as s:
        row = s.get(AccountRow, tomasz.account_id)
        assert row is not None and not row.password_temporary
    # His own password now: a first certificate (he had none), shown to him at next sign-in.
    identity = signatures.unlock_signer(scored.db, tomasz, "his very own passphrase", scored.folder)
    assert [n.serial for n in signatures.pending_certificate_notices(scored.db, tomasz)] == [identity.serial]


def test_the_idle_lock_shares_the_lock_out_of_sign_in(
    qtbot: QtBot, window: Opener, scored: DemoCentre, wait_until: WaitUntil
) -> None:
    w = window("assessor1")
    w.lock_now()
    overlay = w.overlay
    for i in range(accounts.MAX_FAILURES + 5):
        overlay.password.setText(f"guess number {i}")
        overlay.unlock_button.click()
        wait_until(overlay.unlock_button.isEnabled)
    assert "locked" in overlay.error.text()
    overlay.password.setText(password("assessor1"))
    overlay.unlock_button.click()
    wait_until(overlay.unlock_button.isEnabled)
    assert w.locked and "locked" in overlay.error.text()  # the right password, refused while locked
    with pytest.raises(AccountLocked):
        accounts.authenticate(scored.db, "assessor1", password("assessor1"))
    # An administrator unlocks the account; the screen opens with the right password.
    accounts.unlock(scored.db, scored.actor("admin"), w.actor.account_id)
    with qtbot.waitSignal(w.locked_changed, timeout=10_000) as unlocked:
        overlay.password.setText(password("assessor1"))
        overlay.unlock_button.click()
    assert unlocked.args == [False]


def test_the_days_batch_stops_for_a_reason_then_signs_the_new_version(
    qtbot: QtBot, window: Opener, scored: DemoCentre, tmp_path: Path, wait_until: WaitUntil
) -> None:
    moderate_day(scored.db, scored.day)
    manager = scored.actor("manager")
    summary_ref = ReportRef(ReportKind.DAY_SUMMARY, day=scored.day)
    mine = signatures.unlock_signer(scored.db, manager, password("manager"), scored.folder)
    assert signatures.sign_report(scored.db, manager, mine, summary_ref).version == 1
    # Then an assessor signs a report: the day summary's count of signed reports is stale.
    helen = scored.actor("assessor1")
    identity = signatures.unlock_signer(scored.db, helen, password("assessor1"), scored.folder)
    signed_one = False
    for s in sittings.list_for_assessor(scored.db, helen, scored.day):
        for ref in refs_for_sitting(scored.db, helen, s.id):
            try:
                signatures.sign_report(scored.db, helen, identity, ref)
            except NotReady:
                continue
            signed_one = True
            break
        if signed_one:
            break
    assert signed_one and signatures.changed_since_signed(scored.db, manager, summary_ref)

    w = window("manager")
    dialog = trigger(w, "reports.day")
    assert isinstance(dialog, BatchReportsDialog)
    dialog.folder.setText(str(tmp_path / "day"))
    dialog.sign_first.setChecked(True)
    qtbot.keyClicks(dialog.password, password("manager"))
    dialog.start_button.click()
    wait_until(lambda: "changed after they were signed" in dialog.error.text(), timeout=60_000)
    assert "day summary" in dialog.error.text() and dialog.pages.currentIndex() == 0
    assert not any((tmp_path / "day").iterdir())  # nothing signed or written

    qtbot.keyClicks(dialog.reason, "Counts of signed reports brought up to date")
    qtbot.keyClicks(dialog.password, password("manager"))
    with qtbot.waitSignal(dialog.run_finished, timeout=180_000) as finished:
        dialog.start_button.click()
    result = finished.args[0].result
    assert result.new_versions == 1
    assert [p.name for p in result.written if "day-summary" in p.name] == [f"{scored.day}_day-summary_v2.pdf"]
    versions = signatures.documents(scored.db, manager, summary_ref)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].reason == "Counts of signed reports brought up to date"
