"""The panels that cover the kiosk: before the start, confirming an early submission,
the assessor's password panel, and the end.

They live inside the kiosk window (never a window of their own), over a dimmed copy of
the exercise, so nothing else on the desktop can come forward.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.core.timing import PAUSE_REASONS
from ui.common import theme
from ui.common.widgets import label, primary_button


def _minutes(ms: int) -> str:
    minutes = ms / 60_000
    whole = round(minutes)
    if abs(minutes - whole) < 1 / 60:
        return f"{whole} minute{'s' if whole != 1 else ''}"
    return f"{int(minutes)} minutes {round((minutes - int(minutes)) * 60)} seconds"


def _text(text: str, role: str = "") -> QLabel:
    widget = label(text, role, wrap=True)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


class _Panel(QFrame):
    """A card in the middle of the cover."""

    def __init__(self, name: str, width: int = 560) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setProperty("role", "kiosk-card")
        # As wide as the text is large (the widths are for 11-point text), within the screen.
        scaled = round(width * max(1.0, self.font().pointSizeF() / 11))
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().width() - 48 if screen is not None else scaled
        self.setFixedWidth(min(scaled, room))
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(32, 28, 32, 26)
        self.box.setSpacing(12)

    def buttons(self, *widgets: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addStretch(1)
        for widget in widgets:
            row.addWidget(widget)
        self.box.addSpacing(6)
        self.box.addLayout(row)
        return row


class StartPanel(_Panel):
    start_requested = Signal()
    staff_requested = Signal()

    def __init__(self) -> None:
        super().__init__("start_panel", 620)
        self.title = _text("", "title")
        self.box.addWidget(self.title)
        self.time = _text("", "kiosk-big")
        self.time.setObjectName("time_allowed")
        self.box.addWidget(self.time)
        self.details = _text("")
        self.box.addWidget(self.details)
        self.box.addWidget(
            _text(
                "The clock starts when you press Start. Your work is saved automatically every "
                "second or two, so nothing is lost if the computer has a problem. You can submit "
                "early; otherwise your script is submitted when the time is up.",
                "muted",
            )
        )
        self.start = primary_button("Start the exercise")
        self.start.setObjectName("start_exercise")
        self.start.clicked.connect(self.start_requested)
        self.staff = QPushButton("For assessors…")
        self.staff.setObjectName("start_staff")
        self.staff.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.staff.clicked.connect(self.staff_requested)
        row = self.buttons(self.start)
        row.insertWidget(0, self.staff)

    def show_plan(self, title: str, length_ms: int, planned_ms: int, conditions: list[str]) -> None:
        self.title.setText(title)
        self.time.setText(f"You have {_minutes(length_ms)}.")
        extra = length_ms - planned_ms
        lines = []
        if extra > 0:
            lines.append(f"This includes {_minutes(extra)} of extra time arranged for you.")
        lines += conditions
        self.details.setText("\n".join(lines))

    def set_busy(self, busy: bool) -> None:
        self.start.setEnabled(not busy)
        self.start.setText("Starting…" if busy else "Start the exercise")


class ConfirmSubmitPanel(_Panel):
    confirmed = Signal()
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__("confirm_submit_panel")
        self.box.addWidget(_text("Submit your script now?", "title"))
        self.message = _text("")
        self.box.addWidget(self.message)
        self.keep = QPushButton("Keep writing")
        self.keep.setObjectName("keep_writing")
        self.keep.clicked.connect(self.cancelled)
        self.submit = primary_button("Submit my script")
        self.submit.setObjectName("confirm_submit")
        self.submit.clicked.connect(self.confirmed)
        self.buttons(self.keep, self.submit)

    def ask(self, remaining: str, words: int) -> None:
        self.message.setText(
            f"You still have {remaining} left and your script has {words:,} words. "
            "Once you submit, you cannot change it."
        )
        self.keep.setFocus()


class StaffPanel(_Panel):
    """For an assessor or a centre manager: pause or resume the clock, or close the kiosk."""

    pause_requested = Signal(str, str, str)  # username, password, reason
    resume_requested = Signal(str, str)
    leave_requested = Signal(str, str)
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__("staff_panel", 660)
        self.box.addWidget(_text("For assessors and centre managers", "title"))
        self.box.addWidget(
            _text(
                "Enter your own username and password. Every attempt is recorded.",
                "muted",
            )
        )
        form = QGridLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self.username = QLineEdit()
        self.username.setObjectName("staff_username")
        self.username.setAccessibleName("Username")
        self.password = QLineEdit()
        self.password.setObjectName("staff_password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addWidget(label("Username", "field-name", buddy=self.username), 0, 0)
        form.addWidget(self.username, 0, 1)
        form.addWidget(label("Password", "field-name", buddy=self.password), 1, 0)
        form.addWidget(self.password, 1, 1)
        self.reason = QComboBox()
        self.reason.setObjectName("pause_reason")
        self.reason.setAccessibleName("Reason for the pause")
        self.reason.addItem("Choose a reason…")
        self.reason.addItems([r.capitalize() for r in PAUSE_REASONS])
        self.reason_label = label("Reason for a pause", "field-name", buddy=self.reason)
        form.addWidget(self.reason_label, 2, 0)
        form.addWidget(self.reason, 2, 1)
        self.box.addLayout(form)
        self.error = _text("", "error")
        self.error.setObjectName("staff_error")
        self.error.hide()
        self.box.addWidget(self.error)
        self.note = _text("", "muted")
        self.box.addWidget(self.note)

        self.cancel = QPushButton("Back to the exercise")
        self.cancel.setObjectName("staff_cancel")
        self.cancel.clicked.connect(self.cancelled)
        self.clock_button = QPushButton("Pause the clock")
        self.clock_button.setObjectName("staff_clock")
        self.clock_button.clicked.connect(self._clock)
        self.leave = primary_button("Close this screen")
        self.leave.setObjectName("staff_leave")
        self.leave.clicked.connect(self._leave)
        self.buttons(self.cancel, self.clock_button, self.leave)
        self._clock_action = "pause"

    def ask(self, clock_action: str | None, leaving_note: str) -> None:
        """``clock_action`` is "pause", "resume" or None (the clock is not running)."""
        self._clock_action = clock_action or ""
        self.username.clear()
        self.password.clear()
        self.reason.setCurrentIndex(0)
        self.error.hide()
        self.set_busy(False)
        self.clock_button.setVisible(clock_action is not None)
        self.clock_button.setText("Resume the clock" if clock_action == "resume" else "Pause the clock")
        pausing = clock_action == "pause"
        self.reason.setVisible(pausing)
        self.reason_label.setVisible(pausing)
        self.note.setText(leaving_note)
        self.note.setVisible(bool(leaving_note))
        self.username.setFocus()

    def refuse(self, message: str, *, focus: QWidget | None = None) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
        if focus is None:
            self.password.clear()
            self.password.setFocus()
        else:
            focus.setFocus()

    def set_busy(self, busy: bool) -> None:
        for widget in (self.username, self.password, self.reason, self.clock_button, self.leave, self.cancel):
            widget.setEnabled(not busy)

    def _filled(self) -> tuple[str, str] | None:
        user, password = self.username.text().strip(), self.password.text()
        if not user or not password:
            self.refuse(
                "Enter your username and your password.", focus=self.password if user else self.username
            )
            return None
        return user, password

    def _clock(self) -> None:
        filled = self._filled()
        if filled is None:
            return
        if self._clock_action == "resume":
            self.set_busy(True)
            self.resume_requested.emit(*filled)
            return
        if self.reason.currentIndex() <= 0:
            self.refuse(
                "Choose the reason for the pause: it is recorded with the timings.", focus=self.reason
            )
            return
        self.set_busy(True)
        self.pause_requested.emit(*filled, PAUSE_REASONS[self.reason.currentIndex() - 1])

    def _leave(self) -> None:
        filled = self._filled()
        if filled is None:
            return
        self.set_busy(True)
        self.leave_requested.emit(*filled)


class DonePanel(_Panel):
    staff_requested = Signal()

    def __init__(self) -> None:
        super().__init__("done_panel", 600)
        self.title = _text("", "title")
        self.box.addWidget(self.title)
        self.message = _text("")
        self.message.setObjectName("done_message")
        self.box.addWidget(self.message)
        self.box.addWidget(_text("Please stay where you are: an assessor will close this screen.", "muted"))
        self.staff = QPushButton("For assessors…")
        self.staff.setObjectName("done_staff")
        self.staff.clicked.connect(self.staff_requested)
        self.buttons(self.staff)

    def show_state(self, title: str, message: str) -> None:
        self.title.setText(title)
        self.message.setText(message)


class Cover(QWidget):
    """Covers its parent (the kiosk) and shows one panel in the middle."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("KioskCover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start = StartPanel()
        self.confirm = ConfirmSubmitPanel()
        self.staff = StaffPanel()
        self.done = DonePanel()
        self.panels: tuple[_Panel, ...] = (self.start, self.confirm, self.staff, self.done)
        for panel in self.panels:
            row.addWidget(panel)
            panel.hide()
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self._current: _Panel | None = None
        parent.installEventFilter(self)
        self.hide()

    @property
    def current(self) -> _Panel | None:
        return self._current if self.isVisible() else None

    def present(self, panel: _Panel) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        for other in self.panels:
            other.setVisible(other is panel)
        self._current = panel
        self.show()
        self.raise_()

    def dismiss(self) -> None:
        self._current = None
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if (
            parent is not None
            and watched is parent
            and event.type() == QEvent.Type.Resize
            and self.isVisible()
        ):
            self.setGeometry(parent.rect())
        return False


def kiosk_style() -> str:
    """The kiosk's own style sheet, from the theme's colours: calm, large, clear."""
    c = theme.colours()
    dark = theme.is_dark()
    soon_bg, soon_fg = ("#4a3a12", "#f5d48a") if dark else ("#fff3d6", "#6b3d00")
    last_bg, last_fg = ("#4d2220", "#ffb4ab") if dark else ("#fde3e1", "#8c1d18")
    return f"""
QWidget#KioskWindow {{ background: {c.window}; }}
QFrame#kiosk_header, QFrame#kiosk_footer {{ background: {c.surface}; border: none; }}
QFrame#kiosk_header {{ border-bottom: 1px solid {c.grid}; }}
QFrame#kiosk_footer {{ border-top: 1px solid {c.grid}; }}
QLabel#exercise_title {{ font-size: 14pt; font-weight: 600; }}
QLabel#kiosk_clock {{ font-size: 24pt; font-weight: 600; padding: 2px 16px; border-radius: 8px;
    background: {c.area}; color: {c.text}; }}
QLabel#kiosk_clock[alert="soon"] {{ background: {soon_bg}; color: {soon_fg}; }}
QLabel#kiosk_clock[alert="last"] {{ background: {last_bg}; color: {last_fg}; }}
QLabel#kiosk_clock[alert="paused"] {{ color: {c.muted}; }}
QLabel#kiosk_alert {{ background: {soon_bg}; color: {soon_fg}; font-size: 12.5pt; font-weight: 600;
    padding: 9px 24px; border-bottom: 1px solid {c.grid}; }}
QLabel#kiosk_alert[alert="paused"], QLabel#kiosk_alert[alert="info"] {{
    background: {c.area}; color: {c.area_text}; }}
QTextBrowser#case_material {{ background: {c.surface}; border: none; border-right: 1px solid {c.grid}; }}
QPlainTextEdit#script_editor {{ background: {c.surface}; border: none;
    selection-background-color: {c.accent}; selection-color: {c.accent_text}; }}
QLabel#word_count {{ font-size: 12pt; font-weight: 600; }}
QWidget#KioskCover {{ background: rgba(20, 26, 36, 150); }}
QFrame[role="kiosk-card"] {{ background: {c.surface}; border: 1px solid {c.grid}; border-radius: 10px; }}
QLabel[role="kiosk-big"] {{ font-size: 15pt; font-weight: 600; }}
QPushButton#staff_button {{ border: none; color: {c.muted}; background: transparent; padding: 6px 8px; }}
QPushButton#staff_button:hover {{ color: {c.text}; text-decoration: underline; }}
QSplitter::handle {{ background: {c.grid}; }}
"""
