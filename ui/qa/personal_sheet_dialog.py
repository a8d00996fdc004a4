"""My figures: a signed-in assessor's own QA figures over time, naming no colleague.

The service (``services.qa_analysis.personal_sheet``) computes them for the acting
person only and hands back nothing of anyone else; this dialog shows exactly that:
their leniency and its interval, their drift over the day, where they stand among all
assessors as a percentile, and month by month how their scores compare with whoever
observed beside them (never who that was).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCharts import QChartView
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services.qa_analysis import PersonalSheet
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import card, label, set_role
from ui.qa import qa_charts, qa_examiners
from ui.qa.qa_words import figure, kappa_words, plural, share
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database


def read_sheet(db: Database, actor: Actor) -> PersonalSheet:
    from naas_centre.services import qa_analysis

    return qa_analysis.personal_sheet(db, actor)


class PersonalSheetDialog(QDialog):
    """``PersonalSheetDialog(tasks, db, actor, parent)``; ``loaded`` once the figures (or
    the reason there are none) are shown."""

    loaded = Signal()

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PersonalSheetDialog")
        self.setWindowTitle("My figures")
        self.resize(860, 680)
        self.sheet: PersonalSheet | None = None
        self.sentences: list[str] = []
        self.charts: list[QChartView] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(8)
        self.heading = label(f"My figures: {actor.display_name}", "heading")
        box.addWidget(self.heading)
        box.addWidget(
            label(
                "Your own scoring over time, for your reflection: how your station scores compare with "
                "the expected score and with whoever observed beside you. No colleague is named or shown.",
                "muted",
                wrap=True,
            )
        )
        self.status = label("Working out your figures…", "pending", wrap=True)
        self.status.setObjectName("personal_status")
        box.addWidget(self.status)
        self.body = QVBoxLayout()
        self.body.setSpacing(12)
        holder = QWidget()
        holder.setLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(holder)
        box.addWidget(scroll, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        box.addWidget(close)
        tasks.run(
            read_sheet,
            db,
            actor,
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
            name="qa_personal_sheet",
        )

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_reporting.plain_message(exc))
        set_role(self.status, "error")
        self.loaded.emit()

    def _card(self, title: str, *sentences: str) -> QVBoxLayout:
        frame = card()
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(14, 10, 14, 12)
        inner.setSpacing(8)
        inner.addWidget(label(title, "heading"))
        for text in sentences:
            if text:
                self.sentences.append(text)
                inner.addWidget(label(text, wrap=True))
        self.body.addWidget(frame)
        return inner

    def _loaded(self, sheet: PersonalSheet) -> None:
        self.sheet = sheet
        self.status.setText(
            f"{plural(sheet.station_scores, 'station score')} of yours counted, over all time."
            if sheet.station_scores
            else (sheet.note or "You have no submitted station scores yet.")
        )
        set_role(self.status, "muted")
        self._examiner(sheet)
        together = []
        if sheet.agreement is not None:
            a = sheet.agreement
            together.append(
                f"You gave the same level as the other observer {share(a.exact)} of the time, and within one "
                f"level {share(a.adjacent)}, over {plural(a.n, 'criterion level')}."
            )
        if sheet.weighted_kappa is not None:
            k = sheet.weighted_kappa.kappa
            together.append(f"Weighted kappa (quadratic) {figure(k)}: {kappa_words(k)}.")
        if together:
            self._card("Beside the other observer", *together)
        months = [m for m in sheet.months if m.station_scores]
        if months:
            box = self._card(
                "Month by month",
                "Your station scores less the other observer's, on average: above zero you scored the "
                "same candidates higher.",
            )
            points = [
                (f"{m.month:%b %Y}", m.mean_difference, None, None)
                for m in months
                if m.mean_difference is not None
            ]
            if points:
                chart = qa_charts.over_time(
                    [(n, float(v), lo, hi) for n, v, lo, hi in points if v is not None],
                    "My scores beside the other observer's",
                    "points",
                    "my score less the other observer's",
                )
                self.charts.append(chart)
                box.addWidget(chart)
            box.addWidget(self._months_table(sheet))
        if sheet.note and sheet.station_scores:
            self._card("Note", sheet.note)
        self.body.addStretch(1)
        self.loaded.emit()

    def _examiner(self, sheet: PersonalSheet) -> None:
        mine = qa_examiners.personal_words(sheet.examiner)
        if mine:
            box = self._card("Leniency and drift", *mine)
            line = qa_examiners.personal_slot_line(sheet.examiner)
            if line is not None:
                chart = qa_charts.drift_lines([line], None)
                self.charts.append(chart)
                box.addWidget(chart)

    def _months_table(self, sheet: PersonalSheet) -> QTableWidget:
        heads = ("Month", "Station scores", "Mean score", "Beside the other observer", "Same level")
        table = QTableWidget(len(sheet.months), len(heads))
        table.setObjectName("personal_months")
        table.setHorizontalHeaderLabels(list(heads))
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, m in enumerate(sheet.months):
            diff = "" if m.mean_difference is None else f"{m.mean_difference:+.2f}"
            cells = (f"{m.month:%B %Y}", str(m.station_scores), figure(m.mean_score), diff, share(m.exact))
            for j, text in enumerate(cells):
                table.setItem(i, j, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        rows = 30 * min(12, len(sheet.months))
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows + 6)
        return table

    def text(self) -> str:
        """Everything the dialog says in words, its table included (for a reader, and tests)."""
        parts = [self.status.text(), *self.sentences]
        table = self.findChild(QTableWidget, "personal_months")
        if table is not None:
            for i in range(table.rowCount()):
                cells = (table.item(i, j) for j in range(table.columnCount()))
                parts.append(" ".join(c.text() for c in cells if c is not None))
        return "\n".join(parts)
