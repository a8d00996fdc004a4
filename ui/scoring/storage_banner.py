"""The warning shown while the database cannot take writes, until every change is saved.

It says what happened, that nothing already saved is lost, how many changes are
waiting and where they are kept, and that they are being retried. It stays until the
queue is empty; then it says so briefly and goes.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ui.common import theme
from ui.common.widgets import label, set_role
from ui.work.pending_writes import PendingWrites

ADVICE = {
    "full": "Free some space on the disk that holds the database.",
    "locked": "Another program holds the database (a backup, or a second copy of the app): close it.",
    "read_only": "The database has become read-only (a USB stick's lock switch, or a disk fault).",
    "io": "The disk reported an error: ask the centre's IT support.",
    "server": (
        "Check this workstation's network; if other workstations show the same warning, the "
        "server is down: tell the centre's IT support."
    ),
}
WHAT = {
    "full": "The disk is full",
    "locked": "The database is locked by another program",
    "read_only": "The database cannot be written to",
    "io": "The disk is failing",
    "server": "The database server cannot be reached",
}


class StorageBanner(QFrame):
    def __init__(self, pending: PendingWrites, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storage_banner")
        self.setProperty("role", "storage-trouble")
        self.pending = pending
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(10)
        self.icon = QLabel()
        row.addWidget(self.icon)
        self.text = label("", "storage-text", wrap=True)
        self.text.setObjectName("storage_text")
        row.addWidget(self.text, 1)
        self._all_clear = QTimer(self)
        self._all_clear.setSingleShot(True)
        self._all_clear.timeout.connect(self.hide)
        self._was_troubled = False
        self.all_clear_ms = 6000  # how long "everything is saved" stays before the banner goes
        pending.changed.connect(self.refresh)
        self.hide()
        self.refresh()

    @property
    def troubled(self) -> bool:
        return self.pending.trouble is not None or self.pending.waiting > 0

    def refresh(self) -> None:
        p = self.pending
        if self.troubled:
            self._all_clear.stop()
            self._was_troubled = True
            kind = p.trouble.kind if p.trouble is not None else "io"
            waiting = p.waiting
            what = WHAT.get(kind, "The database cannot be written to")
            if waiting:
                kept = (
                    "kept in memory only (the journal cannot be written either): keep the app open"
                    if p.journal_error is not None
                    else "kept on this workstation"
                )
                changes = f"{waiting} change{'s' if waiting != 1 else ''}"
                detail = (
                    f"<b>{what}.</b> Nothing already saved is lost. {changes} not saved yet: {kept}, "
                    f"and tried again every few seconds until {'they are' if waiting != 1 else 'it is'} "
                    f"saved. {ADVICE.get(kind, '')}"
                )
            else:
                detail = (
                    f"<b>{what}.</b> Nothing already saved is lost; what you record next is kept and "
                    f"retried until it is saved. {ADVICE.get(kind, '')}"
                )
            self.text.setText(detail)
            set_role(self, "storage-trouble")
            set_role(self.text, "storage-text")
            self.icon.setPixmap(theme.icon("warning", theme.colours().error).pixmap(22, 22))
            self.show()
        elif self._was_troubled:
            self._was_troubled = False
            saved = p.saved_after_trouble
            self.text.setText(
                "The database takes writes again: everything is saved"
                + (f" ({saved} change{'s' if saved != 1 else ''} that waited)." if saved else ".")
            )
            p.saved_after_trouble = 0
            set_role(self, "storage-ok")
            set_role(self.text, "saved")
            self.icon.setPixmap(theme.icon("check", theme.colours().saved).pixmap(22, 22))
            self.show()
            self._all_clear.start(self.all_clear_ms)
