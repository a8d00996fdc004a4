"""Signing certificates: the administrator's screen, and the notice a person sees at sign-in.

``CertificatesDialog`` lists everyone who signs reports with every certificate issued in
their name (subject, serial, issued, status). An administrator revokes a person's
certificates with a reason (a new revocation list is signed at once), or approves a
replacement for someone whose key is locked or revoked: two different administrators
must approve, and never for themselves. The services check all of this; the screen only
asks and shows (``naas_centre.services.certificates``).

``CertificateNoticeBar`` sits at the top of the main window after sign-in while a
certificate issued in the person's name has not been shown to them, so a certificate
made behind their back does not go unnoticed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.formatting import local_moment
from naas_centre.services.views import Actor
from ui.common import error_reporting, theme
from ui.common.confirm_password import ConfirmPasswordDialog
from ui.common.widgets import card, label, primary_button, set_role
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.services.certificates import ApprovalState, CertificateNotice, PersonCertificates

SERIAL_SHOWN = 16
APPROVALS_NEEDED = 2  # as naas_centre.services.certificates.APPROVALS_NEEDED (checked by a test)
PERSON, CERTIFICATE = "person", "certificate"
STATUS_TEXT = {
    "in use": "In use",
    "replaced": "Replaced",
    "revoked": "Revoked",
    "expired": "Expired",
}


# Worker side: the services are imported there, so opening the main window stays cheap.


def list_people(db: Database, actor: Actor) -> list[PersonCertificates]:
    from naas_centre.services import certificates

    return certificates.list_certificates(db, actor)


def revoke(
    db: Database, actor: Actor, username: str, reason: str, data_dir: Path, password: str
) -> list[str]:
    from naas_centre.services import certificates

    return certificates.revoke_certificates(db, actor, username, reason, data_dir, password=password)


def approve(db: Database, actor: Actor, account_id: str, reason: str) -> ApprovalState:
    from naas_centre.services import certificates

    return certificates.approve_replacement(db, actor, account_id, reason)


def pending_notices(db: Database, actor: Actor) -> list[CertificateNotice]:
    from naas_centre.services import certificates

    return certificates.pending_certificate_notices(db, actor)


def acknowledge(db: Database, actor: Actor) -> int:
    from naas_centre.services import certificates

    return certificates.acknowledge_certificates(db, actor)


def _short_subject(subject: str) -> str:
    """The subject as a person reads it: "Helen Brady · Assessor · Registration SW071932"."""
    parts = dict(p.split("=", 1) for p in subject.split(",") if "=" in p)
    bits = [parts.get("CN", ""), parts.get("title", parts.get("2.5.4.12", "")), parts.get("OU", "")]
    return " · ".join(b for b in bits if b) or subject


class ReasonDialog(QDialog):
    """Asks for the reason an action needs; ``given`` carries it (never empty)."""

    given = Signal(str)

    def __init__(self, title: str, what: str, action: str, placeholder: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("ReasonDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.setSpacing(10)
        heading = label(what, "heading", wrap=True)
        heading.setObjectName("reason_what")
        box.addWidget(heading)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason_text")
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText(placeholder)
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(84)
        self.reason.textChanged.connect(self._update)
        box.addWidget(label("&Reason (kept in the audit trail)", "field-name", buddy=self.reason))
        box.addWidget(self.reason)
        buttons = QDialogButtonBox()
        self.ok_button = primary_button(action)
        self.ok_button.setObjectName("reason_ok")
        self.ok_button.setAutoDefault(False)
        self.ok_button.clicked.connect(self._submit)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.reason.setFocus()
        self._update()

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.text()))

    def _submit(self) -> None:
        if self.text():
            self.given.emit(self.text())
            self.accept()


class CertificatesDialog(QDialog):
    loaded = Signal()
    changed = Signal(str)  # what was just done, in words (also shown in the dialog)

    def __init__(
        self, tasks: TaskManager, db: Database, actor: Actor, data_dir: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CertificatesDialog")
        self.setWindowTitle("Signing certificates")
        self.resize(1020, 580)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.data_dir = data_dir
        self.people: list[PersonCertificates] = []
        self.reason_dialog: ReasonDialog | None = None
        self.password_dialog: ConfirmPasswordDialog | None = None

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(10)
        self.heading = label("Reading the certificates…", "heading")
        self.heading.setObjectName("certificates_heading")
        box.addWidget(self.heading)
        box.addWidget(
            label(
                "Each person's signing key is locked under their own password. A certificate is "
                "issued when they first sign; a replacement (after a password reset, or after "
                "revocation) needs two administrators to approve it, and is then collected by the "
                "person signing with their own password.",
                "muted",
                wrap=True,
            )
        )
        self.tree = QTreeWidget()
        self.tree.setObjectName("certificates_tree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Person / certificate", "Serial", "Issued", "Status"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._update())
        box.addWidget(self.tree, 1)

        self.status = label("", "muted", wrap=True)
        self.status.setObjectName("certificates_status")
        box.addWidget(self.status)

        buttons = QHBoxLayout()
        self.revoke_button = QPushButton("&Revoke…")
        self.revoke_button.setObjectName("certificates_revoke")
        self.revoke_button.setToolTip(
            "Revoke every certificate of the chosen person; signatures made before stay valid"
        )
        self.revoke_button.clicked.connect(self.ask_revoke)
        buttons.addWidget(self.revoke_button)
        self.approve_button = QPushButton("&Approve replacement…")
        self.approve_button.setObjectName("certificates_approve")
        self.approve_button.setToolTip(
            "One of the two administrators' approvals a replacement certificate needs"
        )
        self.approve_button.clicked.connect(self.ask_approve)
        buttons.addWidget(self.approve_button)
        buttons.addStretch(1)
        refresh = QPushButton("Refresh")
        refresh.setObjectName("certificates_refresh")
        refresh.clicked.connect(self.reload)
        buttons.addWidget(refresh)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        box.addLayout(buttons)
        self._busy = False
        self._update()
        self.reload()

    # -- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.run(
            list_people,
            self.db,
            self.actor,
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
            name="certificates",
        )

    def _failed(self, exc: BaseException) -> None:
        self.heading.setText(error_reporting.plain_message(exc))
        set_role(self.heading, "error")

    def _loaded(self, people: list[PersonCertificates]) -> None:
        chosen = self.chosen_person()
        keep = chosen.account_id if chosen is not None else None
        self.people = people
        live = sum(1 for p in people for c in p.certificates if c.status == "in use")
        self.heading.setText(
            f"{len(people)} {'person signs' if len(people) == 1 else 'people sign'} reports · "
            f"{live} {'certificate' if live == 1 else 'certificates'} in use"
        )
        set_role(self.heading, "heading")
        c = theme.colours()
        self.tree.clear()
        for person in people:
            item = self._person_item(person)
            self.tree.addTopLevelItem(item)
            for cert in person.certificates:
                child = QTreeWidgetItem(
                    [
                        _short_subject(cert.subject),
                        cert.serial[:SERIAL_SHOWN],
                        local_moment(cert.issued_at),
                        STATUS_TEXT.get(cert.status, cert.status),
                    ]
                )
                child.setData(0, Qt.ItemDataRole.UserRole, f"{CERTIFICATE}:{person.account_id}")
                child.setToolTip(0, cert.subject)
                child.setToolTip(1, cert.serial)
                if cert.status == "revoked":
                    child.setForeground(3, QBrush(QColor(c.error)))
                    when = local_moment(cert.revoked_at) if cert.revoked_at else ""
                    child.setToolTip(3, f"Revoked {when}: {cert.revocation_reason or ''}")
                item.addChild(child)
            if person.account_id == keep:
                self.tree.setCurrentItem(item)
        self.tree.expandAll()
        self._update()
        self.loaded.emit()

    def _person_item(self, person: PersonCertificates) -> QTreeWidgetItem:
        bits = [person.role.label]
        if person.registration_number:
            bits.append(f"Registration {person.registration_number}")
        if not person.active:
            bits.append("account deactivated")
        status = "No certificate yet"
        if any(c.status == "in use" for c in person.certificates):
            status = "Can sign"
        elif person.certificates:
            status = "Cannot sign: needs a replacement"
        if person.approvers:
            status = f"Replacement approved by {', '.join(person.approvers)}"
            if len(person.approvers) < APPROVALS_NEEDED:
                status += " (one more administrator needed)"
        item = QTreeWidgetItem([f"{person.display_name}\n{' · '.join(bits)}", "", "", status])
        item.setData(0, Qt.ItemDataRole.UserRole, f"{PERSON}:{person.account_id}")
        return item

    def chosen_person(self) -> PersonCertificates | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        data = item.data(0, Qt.ItemDataRole.UserRole)
        account_id = str(data).partition(":")[2] if data else None
        return next((p for p in self.people if p.account_id == account_id), None)

    def choose(self, username: str) -> None:
        """Selects a person's row (keyboard users get there with the arrow keys)."""
        wanted = next((p.account_id for p in self.people if p.username == username), None)
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == f"{PERSON}:{wanted}":
                self.tree.setCurrentItem(item)
                return

    def _update(self) -> None:
        person = self.chosen_person()
        revocable = person is not None and any(c.status != "revoked" for c in person.certificates)
        self.revoke_button.setEnabled(not self._busy and revocable)
        self.approve_button.setEnabled(
            not self._busy and person is not None and person.account_id != self.actor.account_id
        )

    # -- revoking and approving --------------------------------------------------------------

    def ask_revoke(self) -> None:
        person = self.chosen_person()
        if person is None:
            return
        dialog = ReasonDialog(
            "Revoke certificates",
            f"Revoke every certificate of {person.display_name}? Signatures made before now stay "
            "valid; anything signed with them from now on is reported invalid. A new certificate "
            "then needs two administrators to approve it.",
            "Revoke",
            "For example: laptop stolen, key may be compromised; or: left the centre's panel",
            self,
        )
        dialog.given.connect(lambda reason: self._ask_password(person, reason))
        self._open(dialog)

    def _ask_password(self, person: PersonCertificates, reason: str) -> None:
        """Revoking is a sensitive act: the administrator's password again, checked by the service."""
        confirm = ConfirmPasswordDialog(f"Revoking the certificates of {person.display_name}", "Revoke", self)
        confirm.confirmed.connect(lambda typed: self._revoke(person, reason, typed))
        confirm.finished.connect(confirm.deleteLater)
        confirm.finished.connect(lambda _r: setattr(self, "password_dialog", None))
        self.password_dialog = confirm
        confirm.open()

    def ask_approve(self) -> None:
        person = self.chosen_person()
        if person is None:
            return
        dialog = ReasonDialog(
            "Approve a replacement certificate",
            f"Approve a new signing certificate for {person.display_name}? A second administrator "
            "must approve it too; then it is issued when they next sign with their own password.",
            "Approve",
            "For example: password reset at her request on 1 December; identity checked in person",
            self,
        )
        dialog.given.connect(lambda reason: self._approve(person, reason))
        self._open(dialog)

    def _open(self, dialog: ReasonDialog) -> None:
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: setattr(self, "reason_dialog", None))
        self.reason_dialog = dialog
        dialog.open()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        if text:
            self.status.setText(text)
            set_role(self.status, "pending" if busy else "muted")
        self._update()

    def _revoke(self, person: PersonCertificates, reason: str, password: str) -> None:
        self._set_busy(True, f"Revoking the certificates of {person.display_name}…")
        self.tasks.write(
            revoke,
            self.db,
            self.actor,
            person.username,
            reason,
            self.data_dir,
            password,
            on_done=lambda serials: self._done(
                f"Revoked {len(serials)} {'certificate' if len(serials) == 1 else 'certificates'} of "
                f"{person.display_name}; a new revocation list is in force."
            ),
            on_error=self._action_failed,
            owner=self,
            name="revoke_certificates",
        )

    def _approve(self, person: PersonCertificates, reason: str) -> None:
        self._set_busy(True, f"Recording your approval for {person.display_name}…")
        self.tasks.write(
            approve,
            self.db,
            self.actor,
            person.account_id,
            reason,
            on_done=lambda state: self._done(
                f"Approved a replacement for {state.display_name}: "
                + (
                    "a second administrator must approve it too."
                    if state.approvals < state.needed
                    else "it is issued when they next sign with their own password."
                )
            ),
            on_error=self._action_failed,
            owner=self,
            name="approve_replacement",
        )

    def _done(self, message: str) -> None:
        self._set_busy(False)
        self.status.setText(message)
        set_role(self.status, "saved")
        self.changed.emit(message)
        self.reload()

    def _action_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status.setText(error_reporting.plain_message(exc))
        set_role(self.status, "error")


# The notice at sign-in -----------------------------------------------------------------------


def notice_text(notices: list[CertificateNotice]) -> str:
    if len(notices) == 1:
        n = notices[0]
        lead = (
            f"A signing certificate was issued in your name on {local_moment(n.issued_at)} "
            f"(serial {n.serial[:SERIAL_SHOWN]}): {n.grounds}."
        )
    else:
        items = "; ".join(
            f"{local_moment(n.issued_at)}, serial {n.serial[:SERIAL_SHOWN]} ({n.grounds})" for n in notices
        )
        lead = f"{len(notices)} signing certificates were issued in your name: {items}."
    return lead + " If you did not ask for this, tell an administrator at once: it can be revoked."


class CertificateNoticeBar(QWidget):
    """The notice of certificates newly issued in the signed-in person's name."""

    shown = Signal(int)  # how many certificates it lists
    acknowledged = Signal()

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CertificateNoticeBar")
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.notices: list[CertificateNotice] = []
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        frame = card("banner")
        row = QHBoxLayout(frame)
        row.setContentsMargins(12, 8, 12, 8)
        self.text = label("", wrap=True)
        self.text.setObjectName("certificate_notice_text")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.text, 1)
        self.ok_button = QPushButton("I have seen this")
        self.ok_button.setObjectName("certificate_notice_ok")
        self.ok_button.clicked.connect(self.acknowledge)
        row.addWidget(self.ok_button)
        outer.addWidget(frame)
        self.toolbar: QToolBar | None = None

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A tool bar sizes what it holds by its size hint, which for wrapped text is the
        # height at a narrow width: the notice took a fifth of a 768-pixel screen. Its
        # height follows the width it is given instead.
        super().resizeEvent(event)
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            wanted = layout.heightForWidth(event.size().width())
            if wanted > 0 and wanted != self.height():
                self.setFixedHeight(wanted)

    @classmethod
    def attach(
        cls, window: QMainWindow, tasks: TaskManager, db: Database, actor: Actor
    ) -> CertificateNoticeBar:
        """Puts the (hidden) notice above the window's content and asks whether it is needed."""
        bar = cls(tasks, db, actor)
        toolbar = QToolBar("Certificate notice", window)
        toolbar.setObjectName("certificate_notice_toolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.addWidget(bar)
        toolbar.setVisible(False)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        bar.toolbar = toolbar
        bar.check()
        return bar

    def check(self) -> None:
        self.tasks.run(
            pending_notices,
            self.db,
            self.actor,
            on_done=self._show,
            on_error=error_reporting.log_bug,
            owner=self,
            name="certificate_notices",
        )

    def _show(self, notices: list[CertificateNotice]) -> None:
        self.notices = notices
        if self.toolbar is not None:
            self.toolbar.setVisible(bool(notices))
        if notices:
            self.text.setText(notice_text(notices))
            self.shown.emit(len(notices))

    def acknowledge(self) -> None:
        self.ok_button.setEnabled(False)
        self.tasks.write(
            acknowledge,
            self.db,
            self.actor,
            on_done=lambda _n: self._acknowledged(),
            on_error=self._failed,
            owner=self,
            name="acknowledge_certificates",
        )

    def _acknowledged(self) -> None:
        if self.toolbar is not None:
            self.toolbar.setVisible(False)
        self.notices = []
        self.acknowledged.emit()

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self.text.setText(error_reporting.plain_message(exc))
