"""The kiosk's two bars: the exercise, the last save and the clock at the top; the exam
conditions, the word count and the buttons at the bottom."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from naas_centre.packs.schema import ExamConditions
from naas_centre.services.written import KioskMaterial
from ui.common.widgets import label, primary_button


def condition_lines(cond: ExamConditions, *, short: bool = False) -> list[str]:
    """The pack's exam conditions in the candidate's words (spell checking is not provided)."""
    lines = []
    if cond.allow_paste:
        lines.append("Pasting is allowed" if short else "You may paste text into your script.")
    else:
        lines.append(
            "Pasting from outside your script is off"
            if short
            else "Pasting text from outside your script is switched off for this exercise."
        )
    if cond.spell_check:
        lines.append(
            "No spell checker on this workstation"
            if short
            else "Spell checking is allowed, but this workstation has no spell checker."
        )
    else:
        lines.append("Spell checking is off" if short else "Spell checking is switched off.")
    return lines


class KioskHeader(QFrame):
    def __init__(self, material: KioskMaterial) -> None:
        super().__init__()
        self.setObjectName("kiosk_header")
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 10, 20, 10)
        row.setSpacing(16)
        names = QVBoxLayout()
        names.setSpacing(0)
        # The title, the name and the footer's lines wrap: at twice the text size, or with a
        # long title, one line of each pushed the kiosk past the screen's edge.
        title = label(material.title, wrap=True)
        title.setObjectName("exercise_title")
        title.setTextFormat(Qt.TextFormat.PlainText)
        names.addWidget(title)
        who = label(f"Written exercise · {material.candidate_name}", "muted", wrap=True)
        who.setObjectName("kiosk_candidate")
        who.setTextFormat(Qt.TextFormat.PlainText)
        names.addWidget(who)
        row.addLayout(names, 1)
        self.saved = label("", "muted")
        self.saved.setObjectName("saved_state")
        self.saved.setAccessibleName("Last saved")
        row.addWidget(self.saved)
        times = QVBoxLayout()
        times.setSpacing(0)
        self.clock = QLabel("--:--")
        self.clock.setObjectName("kiosk_clock")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clock.setAccessibleName("Time left")
        times.addWidget(self.clock)
        self.clock_note = label("", "muted")
        self.clock_note.setObjectName("clock_note")
        self.clock_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        times.addWidget(self.clock_note)
        row.addLayout(times)


class KioskFooter(QFrame):
    def __init__(self, conditions: ExamConditions) -> None:
        super().__init__()
        self.setObjectName("kiosk_footer")
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 8, 16, 8)
        row.setSpacing(14)
        self.conditions = label(" · ".join(condition_lines(conditions, short=True)), "muted", wrap=True)
        self.conditions.setObjectName("kiosk_conditions")
        row.addWidget(self.conditions, 3)
        self.notice = label("", "notice", wrap=True)  # the paste warning: long, and wraps
        self.notice.setObjectName("kiosk_notice")
        self.notice.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.notice, 2)
        self.words = QLabel("")
        self.words.setObjectName("word_count")
        self.words.setAccessibleName("Word count")
        row.addWidget(self.words)
        row.addSpacing(8)
        self.submit_button = primary_button("Submit my script…")
        self.submit_button.setObjectName("submit_script")
        row.addWidget(self.submit_button)
        self.staff_button = QPushButton("For assessors")
        self.staff_button.setObjectName("staff_button")
        self.staff_button.setToolTip("An assessor or a centre manager: pause the clock or close this screen")
        self.staff_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        row.addWidget(self.staff_button)
