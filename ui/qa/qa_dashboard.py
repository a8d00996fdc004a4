"""The QA dashboard, for whoever oversees the centre: a period that has ended, "Analyse"
running the centre's QA analysis in the background with progress and Stop, then a page
for each part: agreement, examiners, drift, reliability, standard setting and, for a
role that may see equality data, fairness.

Who may run it and what each role gets are the service's (``services.qa_analysis``):
the dashboard shows what it hands back and nothing more. Charts are drawn with
QtCharts, imported by this package only, when the dashboard opens.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from naas_centre.qa.disclosure import Period, PeriodNotPublishable, check_period
from naas_centre.services import capabilities
from naas_centre.services.qa_analysis import AnalysisCancelled, QaAnalysis
from naas_centre.services.qa_readings import Reading
from naas_centre.services.qa_tables import Table
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label, primary_button, set_role
from ui.qa import qa_pages
from ui.qa.knowledge_items import TITLE as ITEMS_TITLE
from ui.qa.knowledge_items import KnowledgeItemsPage
from ui.qa.qa_pages import Page
from ui.qa.qa_tables import FiguresTable
from ui.qa.qa_words import plural
from ui.work.tasks import Task, TaskManager

if TYPE_CHECKING:
    from db.engine import Database

STEPS = 1000  # the progress bar's resolution: the service reports a share of the work


@dataclass(frozen=True)
class Analysed:
    """What the worker hands back: the analysis and its tables, both plain data."""

    analysis: QaAnalysis
    tables: tuple[Table, ...]


def run_analysis(task: Task[Any], db: Database, actor: Actor, period: Period, today: date) -> Analysed | None:
    """In a worker: the analysis and its tables; None when it was stopped."""
    from naas_centre.services import qa_analysis

    try:
        analysis = qa_analysis.analyse(
            db,
            actor,
            period,
            progress=lambda done, step: task.progress(round(done * STEPS), STEPS, step),
            cancelled=lambda: task.cancelled,
            today=today,
        )
    except AnalysisCancelled:
        return None
    if task.cancelled:
        return None
    return Analysed(analysis, qa_analysis.tables(analysis))


def _today() -> date:
    """The centre's date (its days run in the centre's time zone, as the services' do)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/London")).date()


class QaDashboard(QDialog):
    """``QaDashboard(tasks, db, actor, parent)``. ``analysed`` carries the ``QaAnalysis``
    once its pages are shown; ``stopped`` says Stop took effect; ``failed`` the refusal."""

    analysed = Signal(object)
    stopped = Signal()
    failed = Signal(str)
    progressed = Signal(int, int)

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = _today,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("QaDashboard")
        self.setWindowTitle("Quality assurance")
        self.resize(1200, 740)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.today = today
        self.pages: dict[str, Page] = {}
        self.analysis: QaAnalysis | None = None
        self._task: Task[Analysed | None] | None = None
        self._run = 0  # which Analyse the answer belongs to: a stopped one's is not shown

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(8)
        box.addWidget(label("Quality assurance: how the assessment is holding up", "heading"))
        # A period that has ended, as the equality screen has: the figures of a closed
        # period stay as published, whatever is recorded later.
        last = today() - timedelta(days=1)
        self.start = QDateEdit(QDate(last.year, last.month, last.day).addYears(-1))
        self.end = QDateEdit(QDate(last.year, last.month, last.day))
        for edit, name in ((self.start, "From"), (self.end, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"{name} (the days the analysis covers)")
        self.analyse_button = primary_button("Analyse")
        self.analyse_button.clicked.connect(self.analyse)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setVisible(False)
        self.bar = QProgressBar()
        self.bar.setRange(0, STEPS)
        self.bar.setVisible(False)
        self.bar.setMaximumWidth(260)
        row = QHBoxLayout()
        for text, widget in (("From", self.start), ("to", self.end)):
            row.addWidget(label(text, buddy=widget))
            row.addWidget(widget)
        row.addWidget(self.analyse_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.bar)
        row.addStretch(1)
        box.addLayout(row)
        self.status = label("Choose the period and press Analyse.", "muted", wrap=True)
        self.status.setObjectName("qa_status")
        box.addWidget(self.status)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setAccessibleName("Sections of the dashboard")
        box.addWidget(self.tabs, 1)
        # The knowledge test's items: not bound to the period, and the QA lead's alone.
        self.items_page: KnowledgeItemsPage | None = None
        if actor.role in capabilities.ITEM_STATISTICS:
            self.items_page = KnowledgeItemsPage(tasks, db, actor, self)
            self.tabs.addTab(self.items_page, ITEMS_TITLE)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        box.addWidget(close)

    # -- running ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None

    def period(self) -> Period:
        start, end = self.start.date(), self.end.date()
        return Period(
            date(start.year(), start.month(), start.day()), date(end.year(), end.month(), end.day())
        )

    def analyse(self) -> None:
        if self._task is not None:
            return
        # The dashboard gives figures for a period that has ended, as the equality screen
        # does: they stay as shown, whatever is recorded later.
        try:
            check_period(self.period(), self.today())
        except PeriodNotPublishable as exc:
            self._say(str(exc), "error")
            self.failed.emit(str(exc))
            return
        self.analyse_button.setEnabled(False)
        self.stop_button.setVisible(True)
        self.stop_button.setEnabled(True)
        self.bar.setValue(0)
        self.bar.setVisible(True)
        self._say("Reading the period's scores…", "pending")
        self._run += 1
        run = self._run
        task = self._task = self.tasks.long(
            run_analysis,
            self.db,
            self.actor,
            self.period(),
            self.today(),
            on_done=lambda result: self._done(run, result),
            on_error=lambda exc: self._failed(run, exc),
            on_progress=self._progress,
            owner=self,
            name="qa_analysis",
        )
        self.destroyed.connect(lambda *_: task.cancel())  # a closed window never leaves it running

    def stop(self) -> None:
        if self._task is None:
            return
        # The work stops at its next progress point (or before it starts, then saying
        # nothing): the window is ready again now, and what the worker still hands back
        # belongs to a stopped run and is not shown.
        self._task.cancel()
        self._task = None
        self._run += 1
        self._finish()
        self._say("Stopped: nothing was analysed.", "pending")
        self.stopped.emit()

    def _progress(self, done: int, total: int, step: str) -> None:
        if self._task is None:
            return
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        if step:
            self._say(f"{step}…", "pending")
        self.progressed.emit(done, total)

    def _done(self, run: int, result: Analysed | None) -> None:
        if run != self._run:
            return
        self._task = None
        self._finish()
        if result is None:  # stopped by the task manager (shutting down)
            self._say("Stopped: nothing was analysed.", "pending")
            return
        self.show_analysis(result.analysis, result.tables)
        self.analysed.emit(result.analysis)

    def _failed(self, run: int, exc: BaseException) -> None:
        if run != self._run:
            return
        self._task = None
        self._finish()
        message = error_reporting.plain_message(exc)
        self._say(message, "error")
        self.failed.emit(message)

    def _finish(self) -> None:
        self.analyse_button.setEnabled(True)
        self.stop_button.setVisible(False)
        self.bar.setVisible(False)

    def _say(self, text: str, role: str) -> None:
        self.status.setText(text)
        set_role(self.status, role)

    # -- showing ----------------------------------------------------------------------

    def show_analysis(self, analysis: QaAnalysis, tables: tuple[Table, ...]) -> None:
        self.analysis = analysis
        current = self.tabs.tabText(self.tabs.currentIndex()) if self.tabs.count() else ""
        while self.tabs.count():
            old = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if old is not None and old is not self.items_page:
                old.deleteLater()
        self.pages.clear()
        by_page: dict[str, list[Table]] = defaultdict(list)
        for table in tables:
            by_page[qa_pages.page_of(table)].append(table)
        t = self.tasks
        built: list[tuple[str, Page]] = [
            (qa_pages.AGREEMENT, qa_pages.agreement_page(t, analysis.agreement, by_page[qa_pages.AGREEMENT])),
            (qa_pages.EXAMINERS, qa_pages.examiners_page(t, analysis, by_page[qa_pages.EXAMINERS])),
            (qa_pages.DRIFT, qa_pages.drift_page(t, analysis, by_page[qa_pages.DRIFT])),
            (
                qa_pages.RELIABILITY,
                qa_pages.reliability_page(t, analysis.packs, by_page[qa_pages.RELIABILITY]),
            ),
            (qa_pages.STANDARDS, qa_pages.standards_page(t, analysis.packs, by_page[qa_pages.STANDARDS])),
        ]
        # Fairness only when the service gave it, or said why not to a role that may see it.
        if analysis.fairness is not None or analysis.fairness_note:
            built.append((qa_pages.FAIRNESS, qa_pages.fairness_page(t, analysis, by_page[qa_pages.FAIRNESS])))
        if by_page[qa_pages.MORE]:
            built.append((qa_pages.MORE, qa_pages.more_page(t, by_page[qa_pages.MORE])))
        from naas_centre.services.qa_readings import readings

        found: dict[str, list[Reading]] = defaultdict(list)
        for r in readings(analysis):
            found[r.section].append(r)
        for name, page in built:
            page.findings(found.get(name, []))
            self.pages[name] = page
            self.tabs.addTab(page, name)
            if name == current:
                self.tabs.setCurrentWidget(page)
        if self.items_page is not None:
            self.tabs.addTab(self.items_page, ITEMS_TITLE)
            if current == ITEMS_TITLE:
                self.tabs.setCurrentWidget(self.items_page)
        scope = analysis.scope
        words = (
            f"{scope.in_words()}: {plural(scope.sittings, 'sitting')} of "
            f"{plural(scope.candidates, 'candidate')}, {plural(scope.assessors, 'assessor')}."
        )
        if scope.left_out:
            words += f" {plural(scope.left_out, 'sitting')} not yet submitted by every assessor left out."
        self._say(words, "")

    def figure_tables(self) -> list[FiguresTable]:
        """Every table on every page, with its export buttons."""
        return [ft for page in self.pages.values() for ft in page.figure_tables]

    def done(self, result: int) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        super().done(result)
