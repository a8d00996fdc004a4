"""The bar, the status line and the two buttons of a dialog that runs one piece of work in
the background (writing run-sheets, an export, sending, collecting, preparing rooms,
setting a room up): how they look before, during and after, said once.

While work runs, Start is off, and Close either becomes Stop (work that can stop between
its parts) or is off (work that is whole or nothing and short). A closed window cancels
what it started.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from ui.common import error_reporting
from ui.common.widgets import label, set_role


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class WorkStatus:
    """``WorkStatus(status_name, start, close, stoppable=...)``; ``bar`` and ``status``
    are the widgets, laid out by ``add_to``."""

    def __init__(self, status_name: str, start: QPushButton, close: QPushButton, *, stoppable: bool) -> None:
        self.start, self.close, self.stoppable = start, close, stoppable
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.status: QLabel = label("", wrap=True)
        self.status.setObjectName(status_name)
        # Never squeezed under a summary: the status is the line that says what happened.
        self.status.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def add_to(self, box: QBoxLayout) -> None:
        box.addWidget(self.bar)
        box.addWidget(self.status)

    def began(self, owner: QWidget, task: Cancellable, total: int, text: str) -> None:
        """Work ``task`` of ``total`` steps (0: of unknown length) started from ``owner``."""
        self.start.setEnabled(False)
        if self.stoppable:
            self.close.setText("Stop")
        else:
            self.close.setEnabled(False)
        self.bar.setRange(0, total)
        self.bar.setValue(0)
        self.bar.setVisible(True)
        self.say(text, "")
        owner.destroyed.connect(lambda *_: task.cancel())  # a closed window never leaves it running

    def progressed(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)

    def finished(self) -> None:
        self.bar.setVisible(False)
        self.start.setEnabled(True)
        self.close.setText("Close")
        self.close.setEnabled(True)

    def failed(self, exc: BaseException, after: str = "") -> None:
        """Finished by a refusal or an error, said in plain words (then ``after``)."""
        self.finished()
        text = error_reporting.plain_message(exc)
        self.say(f"{text} {after}" if after else text, "error")

    def say(self, text: str, role: str) -> None:
        self.status.setText(text)
        set_role(self.status, role)
