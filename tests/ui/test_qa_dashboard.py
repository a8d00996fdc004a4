"""The QA dashboard on a real centre with a past (the demo's history: half a year of
days scored, moderated and monitored). The analysis runs in the background
(waited on by its signals), each page shows what the service computed, every table is
written to CSV and XLSX and read back, Stop stops the work itself, and fairness is a
page for the QA lead only."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from PySide6.QtCharts import QScatterSeries
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from naas_centre.qa.disclosure import Period
from naas_centre.services import qa_analysis
from naas_centre.services.qa_analysis import AnalysisCancelled, QaAnalysis
from naas_centre.services.qa_readings import readings
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre
from tests.ui.qa_support import HistoryCentre
from tests.ui.qa_support import history as history  # the fixtures: a centre with a past
from tests.ui.qa_support import history_template as history_template
from ui.qa import qa_pages
from ui.qa.qa_dashboard import QaDashboard, run_analysis
from ui.qa.qa_tables import FiguresTable
from ui.qa.qa_words import figure, share
from ui.work.tasks import Task, TaskManager

TIMEOUT = 120_000


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _cell(value: object) -> str:
    """A cell as text: a spreadsheet gives back a date as a datetime, a number as itself."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.4f}"
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return f"{float(value):.4f}"  # the figure as the table gives it, to its four places
    return "" if value is None else str(value)


def opened(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, actor: Actor) -> QaDashboard:
    """The dashboard on its own period: the year up to the day before the demo's day."""
    dialog = QaDashboard(tasks, centre.db, actor, today=lambda: centre.day)
    qtbot.addWidget(dialog)
    period = dialog.period()
    assert period.end == centre.day - timedelta(days=1) and (period.end - period.start).days in (365, 366)
    dialog.show()
    return dialog


def analysed(qtbot: QtBot, dialog: QaDashboard) -> QaAnalysis:
    progress: list[tuple[int, int]] = []
    dialog.progressed.connect(lambda done, total: progress.append((done, total)))
    results: list[QaAnalysis] = []
    dialog.analysed.connect(results.append)
    dialog.analyse_button.click()
    assert dialog.running and dialog.stop_button.isVisible()  # the window did not wait for it
    qtbot.waitUntil(lambda: not dialog.running, timeout=TIMEOUT)  # done, or refused
    assert results, dialog.status.text()
    assert progress, "the analysis reported no progress"
    assert not dialog.stop_button.isVisible() and dialog.analyse_button.isEnabled()
    assert dialog.analysis is results[0]
    return results[0]


def direct(centre: DemoCentre, actor: Actor, dialog: QaDashboard) -> QaAnalysis:
    return qa_analysis.analyse(centre.db, actor, dialog.period(), today=centre.day)


def test_each_page_shows_what_the_service_computed(
    qtbot: QtBot, tasks: TaskManager, history: HistoryCentre
) -> None:
    qa = history.actor("qa")
    dialog = opened(qtbot, tasks, history, qa)
    shown = analysed(qtbot, dialog)
    again = direct(history, qa, dialog)
    assert shown.scope == again.scope and shown.scope.sittings > 100
    assert list(dialog.pages)[:5] == [
        qa_pages.AGREEMENT,
        qa_pages.EXAMINERS,
        qa_pages.DRIFT,
        qa_pages.RELIABILITY,
        qa_pages.STANDARDS,
    ]
    assert f"{shown.scope.sittings} sittings" in dialog.status.text()

    overall = again.agreement.overall
    assert overall is not None
    agreement = dialog.pages[qa_pages.AGREEMENT].text()
    assert f"Exact agreement {share(overall.exact)}, within one level {share(overall.adjacent)}" in agreement

    # One point on the caterpillar plot for each assessor the service estimated.
    examiners = dialog.pages[qa_pages.EXAMINERS]
    effects = getattr(again.examiners, "assessors", ())
    assert effects, again.examiner_note
    chart = examiners.charts[0].chart()
    assert chart is not None
    dots = {s.name(): s.count() for s in chart.series() if isinstance(s, QScatterSeries)}
    assert sum(dots.values()) == len(effects)
    assert dots["stands out after Holm's correction (flag)"] == sum(1 for e in effects if e.flagged) > 0

    pack = again.packs[0]
    reliability = dialog.pages[qa_pages.RELIABILITY].text()
    if pack.overall.alpha is not None:
        assert f"Cronbach's alpha over all criteria {figure(pack.overall.alpha.alpha)}" in reliability
    standards = dialog.pages[qa_pages.STANDARDS].text()
    marks = [st for st in pack.standards if st.regression is not None]
    for st in marks:
        assert st.regression is not None
        assert f"{st.station}: pass mark {figure(st.regression.pass_mark, 1)}" in standards
    assert len(dialog.pages[qa_pages.STANDARDS].charts) == len(marks)

    # The service's findings in words, each on its own page (the QA report prints the same).
    found = readings(again)
    assert found
    for r in found:
        assert r.text in dialog.pages[r.section].text()

    # Every table the service gives is on a page, with its export buttons.
    assert sorted(ft.table.name for ft in dialog.figure_tables()) == sorted(
        t.name for t in qa_analysis.tables(again)
    )
    dialog.close()


def test_every_table_exports_to_csv_and_xlsx(
    qtbot: QtBot, tasks: TaskManager, history: HistoryCentre, tmp_path: Path
) -> None:
    dialog = opened(qtbot, tasks, history, history.actor("manager"))
    analysed(qtbot, dialog)
    tables: list[FiguresTable] = dialog.figure_tables()
    assert tables
    for widget in tables:
        table = widget.table
        for fmt in ("csv", "xlsx"):
            target = tmp_path / f"{table.name}.{fmt}"
            with qtbot.waitSignal(widget.exported, timeout=30_000) as done:
                widget.export(target)
            assert done.args == [target] and target.exists()
        with open(tmp_path / f"{table.name}.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert tuple(rows[0]) == table.headers and len(rows) == len(table.rows) + 1
        book = openpyxl.load_workbook(tmp_path / f"{table.name}.xlsx", read_only=True)
        try:
            sheet = book.active
            assert sheet is not None
            read = list(sheet.iter_rows(values_only=True))
        finally:
            book.close()  # a read-only workbook holds its file open until closed
        assert tuple(read[0]) == table.headers and len(read) == len(table.rows) + 1
        for got, want in zip(read[1:], table.rows, strict=True):
            assert [_cell(v) for v in got] == [_cell(v) for v in want]
            for v, w in zip(got, want, strict=True):  # a figure is a number in the workbook
                figure = isinstance(w, str) and re.fullmatch(r"-?\d+\.\d+", w)
                assert not figure or isinstance(v, int | float)
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left behind
    dialog.close()


def test_stop_stops_the_analysis(qtbot: QtBot, tasks: TaskManager, history: HistoryCentre) -> None:
    dialog = opened(qtbot, tasks, history, history.actor("qa"))
    dialog.progressed.connect(lambda *_: dialog.stop())  # at the first progress it reports
    with qtbot.waitSignal(dialog.stopped, timeout=TIMEOUT):
        dialog.analyse_button.click()
    assert dialog.status.text() == "Stopped: nothing was analysed."
    assert dialog.analyse_button.isEnabled() and not dialog.stop_button.isVisible()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=TIMEOUT)
    assert dialog.analysis is None and not dialog.pages  # nothing came back afterwards
    dialog.close()


def test_a_cancelled_analysis_gives_nothing_back(history: HistoryCentre) -> None:
    """The work itself stops: asked to stop at its first progress point, the service
    hands nothing back (so the window above shows nothing late)."""
    reports: list[str] = []

    def report(task: Task[object], done: int, total: int, step: str) -> None:
        reports.append(step)
        task.cancel()

    task: Task[object] = Task(1, "qa_analysis", None, None, None, False, long=True, _report=report)
    period = Period(history.day - timedelta(days=365), history.day - timedelta(days=1))
    qa = history.actor("qa")
    assert run_analysis(task, history.db, qa, period, history.day) is None
    assert len(reports) == 1
    # What the worker relies on: asked to stop, the service goes no further than the
    # progress point it was at (no later section reports) and returns nothing.
    steps: list[str] = []
    with pytest.raises(AnalysisCancelled):
        qa_analysis.analyse(
            history.db,
            qa,
            period,
            progress=lambda _done, step: steps.append(step),
            cancelled=lambda: bool(steps),
        )
    assert len(steps) == 1


def test_fairness_is_a_page_for_the_qa_lead_only(
    qtbot: QtBot, tasks: TaskManager, history: HistoryCentre
) -> None:
    manager = opened(qtbot, tasks, history, history.actor("manager"))
    shown = analysed(qtbot, manager)
    assert shown.fairness is None and qa_pages.FAIRNESS not in manager.pages
    assert not any(qa_pages.page_of(ft.table) == qa_pages.FAIRNESS for ft in manager.figure_tables())
    manager.close()

    qa = opened(qtbot, tasks, history, history.actor("qa"))
    shown = analysed(qtbot, qa)
    assert shown.fairness is not None and qa_pages.FAIRNESS in qa.pages
    fairness = qa.pages[qa_pages.FAIRNESS].text()
    assert f"{shown.fairness.candidates} candidates" in fairness
    flagged = [
        (t.dimension, r.group) for t in shown.fairness.tables for r in t.rows if r.impact and r.impact.flagged
    ]
    for dimension, group in flagged:
        assert f"Flag: {dimension.replace('_', ' ')} “{group}”" in fairness
    assert bool(flagged) != ("none is under four fifths" in fairness)
    # The fairness tables are on its page, and on no other.
    on_page = {ft.table.name for ft in qa.pages[qa_pages.FAIRNESS].figure_tables}
    anywhere = {ft.table.name for ft in qa.figure_tables() if ft.table.name.startswith("fairness")}
    assert on_page and on_page == anywhere
    assert on_page == {t.name for t in qa_analysis.tables(shown) if t.name.startswith("fairness")}
    qa.close()


def test_an_assessor_is_refused_plainly(qtbot: QtBot, tasks: TaskManager, history: HistoryCentre) -> None:
    dialog = opened(qtbot, tasks, history, history.actor("assessor1"))
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT) as failed:
        dialog.analyse_button.click()
    assert failed.args[0] == dialog.status.text() and "Traceback" not in failed.args[0]
    assert not dialog.pages and dialog.analyse_button.isEnabled()
    dialog.close()


def test_a_reversed_or_open_period_is_refused_before_any_work(
    qtbot: QtBot, tasks: TaskManager, history: HistoryCentre
) -> None:
    dialog = opened(qtbot, tasks, history, history.actor("qa"))
    qtbot.waitUntil(lambda: not tasks.busy, timeout=TIMEOUT)  # the knowledge-items page read its packs
    day = history.day
    cases = (
        (day - timedelta(days=10), day - timedelta(days=20), "ends before it starts"),
        (day - timedelta(days=20), day, "has not ended yet"),
    )
    for start, end, words in cases:
        dialog.start.setDate(_qdate(start))
        dialog.end.setDate(_qdate(end))
        with qtbot.waitSignal(dialog.failed, timeout=5_000) as failed:
            dialog.analyse_button.click()
        assert words in failed.args[0] and failed.args[0] == dialog.status.text()
        assert not tasks.busy and not dialog.running and not dialog.pages
    dialog.close()


def test_closing_while_it_runs_leaves_nothing_running(
    qtbot: QtBot, tasks: TaskManager, history: HistoryCentre
) -> None:
    dialog = opened(qtbot, tasks, history, history.actor("qa"))
    dialog.analyse_button.click()
    assert dialog.running
    dialog.close()
    assert not dialog.running
    qtbot.waitUntil(lambda: not tasks.busy, timeout=TIMEOUT)
    assert dialog.analysis is None and not dialog.pages


def test_a_table_that_cannot_be_written_is_said_plainly(
    qtbot: QtBot, tasks: TaskManager, history: HistoryCentre, tmp_path: Path
) -> None:
    dialog = opened(qtbot, tasks, history, history.actor("manager"))
    analysed(qtbot, dialog)
    widget = dialog.figure_tables()[0]
    target = tmp_path / "no such folder" / "table.csv"
    with qtbot.waitSignal(widget.export_failed, timeout=30_000) as failed:
        widget.export(target)
    assert "no such folder" in failed.args[0] and "Traceback" not in failed.args[0]
    assert widget.status.text() == failed.args[0] and not target.parent.exists()
    assert all(b.isEnabled() for b in widget.buttons.values())
    dialog.close()
