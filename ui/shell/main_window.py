"""The window after sign-in: the day (an assessor's own, or the centre's), and a sitting.

What a role sees is decided here: assessors get their sittings to score; managers,
administrators and quality assurance get the day board. The window locks itself after
the idle time set in Preferences.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from naas_centre import __version__
from naas_centre.packs.schema import Pack
from naas_centre.services.views import Actor, Role, SittingDetail, SittingSummary
from ui.centre.certificates_dialog import CertificateNoticeBar
from ui.common import error_reporting, theme
from ui.common.settings import Settings
from ui.common.widgets import TITLE_BAR, ElidedLabel, scrolling, set_role
from ui.day.assessor_day_view import AssessorDayView
from ui.day.centre_day_view import CentreDayView
from ui.day.day_page import DayPage
from ui.scoring.sitting_view import SittingView, load_sitting
from ui.shell.actions import ActionSet, UiState
from ui.shell.at_rest import at_rest_label
from ui.shell.idle_lock import IdleWatcher, LockOverlay
from ui.shell.keys_dialog import KeysDialog
from ui.shell.preferences_dialog import PreferencesDialog
from ui.shell.reports_flow import ReportsFlow
from ui.shell.written_flow import WrittenFlow
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database


def _confirm_password(db: Database, account_id: str, password: str) -> bool:
    from naas_centre.services import accounts

    return accounts.confirm_password(db, account_id, password)


SMALL_SCREEN_WIDTH = 1440  # at most this wide, a first window takes the whole screen


class MainWindow(QMainWindow):
    signed_out = Signal()
    sitting_shown = Signal(str)
    locked_changed = Signal(bool)

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        centre_name: str,
        settings: Settings,
        parent: Any = None,
        *,
        data_dir: Path | None = None,  # the centre's data folder (CA passphrase, packs)
        encrypted: bool | None = None,  # the centre's file encrypted on disk; None: not a file
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.settings = settings
        self.centre_name = centre_name
        self.sitting_view: SittingView | None = None
        self._signing_out = False
        self._saved_here = False  # "All changes saved" only once this window has saved something
        self._focused_day = False
        self.setWindowTitle(f"{centre_name} · naas-centre")
        self.setWindowIcon(theme.icon("app"))
        self.resize(1280, 760)

        self.action_set = ActionSet(self)
        self.action_set.build_menus(self.menuBar())
        self.action_set["view.dark"].setChecked(theme.current() == "dark")

        self.stack = QStackedWidget()
        self.stack.setObjectName("screens")
        # At twice the text size a screen may need more than 1366×768: it scrolls.
        self.setCentralWidget(scrolling(self.stack))
        day_class = AssessorDayView if actor.role == Role.ASSESSOR else CentreDayView
        self.day_view: DayPage = day_class(tasks, db, actor)
        self.day_view.sitting_opened.connect(self.open_sitting)
        self.day_view.day_loaded.connect(self._day_loaded)
        self.stack.addWidget(self.day_view)

        self.save_state = QLabel("")  # whole: "All changes saved" is what an assessor looks for
        self.save_state.setObjectName("save_state")
        self.statusBar().addWidget(self.save_state, 1)
        who = ElidedLabel(f"{actor.display_name} · {actor.role.label} · {centre_name}")
        who.setObjectName("signed_in_as")
        self.statusBar().addPermanentWidget(who)
        self.at_rest = at_rest_label(encrypted)
        if self.at_rest is not None:
            self.statusBar().addPermanentWidget(self.at_rest)
        self.written = WrittenFlow(self, self)
        self.reports = ReportsFlow(self, self, data_dir)
        self.locked_changed.connect(self.reports.locked)
        for action_id in ("sitting.written", "sitting.mark"):
            self.statusBar().addPermanentWidget(self.action_set.button(action_id, hide_when_disabled=True))
        self.statusBar().addPermanentWidget(self.action_set.button("centre.lock"))
        self.statusBar().addPermanentWidget(self.action_set.button("centre.sign_out"))
        tasks.writes_settled.connect(self._writes_settled)

        self.overlay = LockOverlay(self, actor.display_name)
        self.overlay.unlock_requested.connect(self._try_unlock)
        self.overlay.sign_out_requested.connect(self.sign_out)
        self.idle = IdleWatcher(float(settings.get("idle_lock_minutes")), self)
        self.idle.idle.connect(self.lock_now)

        # Certificates issued in this person's name that they have not seen (ui/centre/).
        self.certificate_notice = CertificateNoticeBar.attach(self, tasks, db, actor)

        geometry = settings.get("window_geometry")
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        self.fit_to_screen()
        self.update_actions()
        self.day_view.start()

    def fit_to_screen(self) -> None:
        """Keep the whole window, title bar and the bottom bar with "Sign out" included, on
        the screen's free area: on a 1366×768 laptop with a panel that is about 730 pixels,
        less than the default height and its title bar. A geometry saved on a larger screen
        is brought back within it too."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        free = screen.availableGeometry()
        title = max(0, self.frameGeometry().height() - self.geometry().height()) or TITLE_BAR
        if not self.settings.get("window_geometry") and free.width() <= SMALL_SCREEN_WIDTH:
            self.resize(free.width(), free.height() - title)  # a small screen: all of it
        width = min(self.width(), free.width())
        height = min(self.height(), free.height() - title)
        self.resize(width, height)
        x = min(max(self.x(), free.left()), free.right() - width + 1)
        y = min(max(self.y(), free.top()), free.bottom() - height - title + 1)
        self.move(x, y)

    # -- state --------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.overlay.locked

    def ui_state(self) -> UiState:
        in_sitting = self.sitting_view is not None and self.stack.currentWidget() is self.sitting_view
        marking = self.written.in_marking()
        return UiState(
            locked=self.locked,
            view="sitting" if in_sitting else "marking" if marking else "day",
            can_submit=in_sitting and self.sitting_view is not None and self.sitting_view.scoring,
            role=self.actor.role.value,
        )

    def update_actions(self) -> None:
        self.action_set.update(self.ui_state())

    # -- what the flows are given (ui/shell/flow_host.py) ------------------------------------------

    def chosen_sitting(self) -> SittingSummary | None:
        view = self.sitting_view
        if view is not None and self.stack.currentWidget() is view:
            return view.detail.summary
        if self.stack.currentWidget() is not self.day_view:
            return None
        return self.day_view.selected_sitting()

    def shown_day(self) -> date | None:
        view = self.sitting_view
        if view is not None and self.stack.currentWidget() is view:
            return view.detail.summary.day
        return self.day_view.loaded_day

    def say(self, text: str, ms: int = 6000) -> None:
        self.statusBar().showMessage(text, ms)

    def hand_over(self) -> None:
        self.idle.set_minutes(0)  # the hidden window does not lock itself behind the kiosk
        self.hide()

    def take_back(self, who: Actor) -> None:
        self.show()
        self.idle.set_minutes(float(self.settings.get("idle_lock_minutes")))
        if who.account_id != self.actor.account_id:
            self.lock_now()  # someone else took the workstation back: this window is not theirs
        else:
            self.refresh()

    def back_button(self) -> QAbstractButton:
        return self.action_set.button("day.back")

    def show_page(self, page: QWidget) -> None:
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.update_actions()

    def drop_page(self, page: QWidget) -> None:
        self.stack.removeWidget(page)

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    def _day_loaded(self, _day: object) -> None:
        if not self._focused_day and self.stack.currentWidget() is self.day_view and not self.locked:
            self._focused_day = True
            self.day_view.focus_body()

    def _saving(self) -> None:
        self._saved_here = True
        self.save_state.setText("Saving…")
        set_role(self.save_state, "pending")

    def _writes_settled(self) -> None:
        if not self._saved_here:
            return
        self.save_state.setText(f"All changes saved at {datetime.now():%H:%M:%S}")
        set_role(self.save_state, "saved")

    # -- the day and a sitting ------------------------------------------------------------------

    def _video_config(self) -> Any:
        """The camera from Preferences, or None: no source set, or no data folder to record into."""
        source = str(self.settings.get("video_source") or "").strip() if self.settings else ""
        if not source or self.reports.data_dir is None:
            return None
        from ui.video.config import VideoConfig

        return VideoConfig(source, self.reports.data_dir, str(self.settings.get("video_sound")))

    def open_sitting(self, sitting_id: str) -> None:
        self.statusBar().showMessage("Opening the sitting…", 3000)
        self.tasks.run(load_sitting, self.db, self.actor, sitting_id, on_done=self._show_sitting, owner=self)

    def _show_sitting(self, result: tuple[SittingDetail, Pack]) -> None:
        detail, pack = result
        self._drop_sitting_view()
        view = SittingView(
            self.tasks,
            self.db,
            self.actor,
            detail,
            pack,
            back=self.action_set.button("day.back"),
            settings=self.settings,
            video=self._video_config(),
        )
        view.saving_started.connect(self._saving)
        view.submit_state_changed.connect(lambda _can: self.update_actions())
        # A running phase clock holds the idle lock off (ui/shell/idle_lock.py says why).
        view.clock_running_changed.connect(lambda running: self.idle.hold("phase clock", running))
        # The writing clock starts on the candidate's own screen: hand the workstation over.
        view.handover_requested.connect(lambda _sitting_id: self.written.start())
        self.sitting_view = view
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        self.statusBar().clearMessage()
        first = next(iter(view.panels.values()), None)
        if first is not None:
            first.grid.setFocus()
        self.update_actions()
        self.sitting_shown.emit(detail.summary.id)

    def _drop_sitting_view(self) -> None:
        if self.sitting_view is not None:
            self.sitting_view.close_down()  # its clocks and heartbeat stop now, not at deletion
            self.idle.hold("phase clock", False)
            self.stack.removeWidget(self.sitting_view)
            self.sitting_view.deleteLater()
            self.sitting_view = None

    def show_day(self) -> None:
        self.stack.setCurrentWidget(self.day_view)
        self._drop_sitting_view()
        self.written.drop_marking()
        self.update_actions()
        self.day_view.refresh()
        self.day_view.focus_body()

    def previous_day(self) -> None:
        self.day_view.switcher.previous()

    def next_day(self) -> None:
        self.day_view.switcher.next()

    def go_today(self) -> None:
        self.day_view.switcher.today()

    def refresh(self) -> None:
        if self.written.marking_view is not None and self.written.in_marking():
            self.written.marking_view.reload()
            return
        if self.sitting_view is not None and self.stack.currentWidget() is self.sitting_view:
            if not self.tasks.writes_pending:
                self.sitting_view.reload()
            return
        self.day_view.refresh()

    def check_in_candidate(self) -> None:
        self.written.check_in()

    def start_written_exercise(self) -> None:
        self.written.start()

    def mark_written_scripts(self) -> None:
        self.written.mark()

    # Reports, moderation, packs and equality monitoring (ui/shell/reports_flow.py does the work).
    def show_reports(self) -> None:
        self.reports.open_reports()

    def moderate_sitting(self) -> None:
        self.reports.moderate()

    def write_day_reports(self) -> None:
        self.reports.write_day()

    def show_packs(self) -> None:
        self.reports.packs()

    def show_equality(self) -> None:
        self.reports.equality()

    def show_pass_marks(self) -> None:
        self.reports.pass_marks()

    def show_recordings(self) -> None:
        self.reports.recordings()

    def show_quality(self) -> None:
        self.reports.quality()

    def show_my_figures(self) -> None:
        self.reports.my_figures()

    def show_calibration(self) -> None:
        from ui.scoring.calibration_dialog import CalibrationDialog

        self.reports.show(CalibrationDialog(self.tasks, self.db, self.actor, self.reports.data_dir, self))

    def make_calibration(self) -> None:
        from ui.video.make_calibration_dialog import MakeCalibrationDialog

        self.reports.show(MakeCalibrationDialog(self.tasks, self.db, self.actor, self.reports.data_dir, self))

    def show_certificates(self) -> None:
        from ui.centre.certificates_dialog import CertificatesDialog

        self.reports.show(CertificatesDialog(self.tasks, self.db, self.actor, self.reports.data_dir, self))

    # Running the centre: administration, candidates, the day's plan, run-sheets, exports (ui/centre/).
    def show_administration(self) -> None:
        from ui.centre.admin.administration_dialog import AdministrationDialog

        self.reports.show(
            AdministrationDialog(self.tasks, self.db, self.actor, self, data_dir=self.reports.data_dir)
        )

    def show_candidates(self) -> None:
        from ui.centre.candidates import CandidatesDialog

        self.reports.show(CandidatesDialog(self.tasks, self.db, self.actor, self))

    def show_day_plan(self) -> None:
        from ui.centre.planning import DayPlanDialog

        self.reports.show(DayPlanDialog(self.tasks, self.db, self.actor, self))

    def show_run_sheets(self) -> None:
        from ui.centre.run_sheets_dialog import RunSheetsDialog

        self.reports.show(
            RunSheetsDialog(self.tasks, self.db, self.actor, self, day=self.day_view.switcher.day)
        )

    def show_export(self) -> None:
        from ui.centre.export_dialog import ExportDialog

        self.reports.show(ExportDialog(self.tasks, self.db, self.actor, self))

    # Between workstations: a room's results out, collected here, conflicts (ui/exchange/).
    def show_prepare_rooms(self) -> None:
        from ui.exchange import open_prepare_workstations

        open_prepare_workstations(
            self, self.tasks, self.db, self.actor, self.reports.data_dir, day=self.day_view.switcher.day
        )

    def show_collect_results(self) -> None:
        from ui.exchange import open_collect_results

        open_collect_results(self, self.tasks, self.db, self.actor, self.reports.data_dir)

    def show_conflicts(self) -> None:
        from ui.exchange import open_conflicts

        open_conflicts(self, self.tasks, self.db, self.actor, self.reports.data_dir)

    def show_send_results(self) -> None:
        from ui.exchange import open_send_results

        open_send_results(
            self, self.tasks, self.db, self.actor, self.reports.data_dir, day=self.day_view.switcher.day
        )

    def change_password(self) -> None:
        from ui.shell.password_dialog import PasswordDialog

        dialog = PasswordDialog(self.tasks, self.db, self.actor, self)
        dialog.changed.connect(lambda: self.statusBar().showMessage("Your password was changed.", 6000))
        self.reports.show(dialog)

    def submit_sitting(self) -> None:
        if self.sitting_view is not None:
            self.sitting_view.ask_submit()

    # The sitting's clock and notes (the sitting view does the work).
    def phase_start(self) -> None:
        if self.sitting_view is not None:
            self.sitting_view.clock_request("start")

    def phase_pause(self) -> None:
        if self.sitting_view is not None:
            self.sitting_view.clock_request("pause")

    def phase_end(self) -> None:
        if self.sitting_view is not None:
            self.sitting_view.clock_request("end")

    def write_note(self) -> None:
        if self.sitting_view is not None:
            self.sitting_view.write_note()

    def toggle_alert_sound(self) -> None:
        if self.sitting_view is not None:
            self.sitting_view.toggle_mute()

    # -- the lock -----------------------------------------------------------------------------

    def lock_now(self) -> None:
        if self.locked:
            return
        for widget in (self.stack, self.menuBar()):
            widget.setEnabled(False)
        self.overlay.cover()
        self.update_actions()
        self.locked_changed.emit(True)

    def _try_unlock(self, password: str) -> None:
        self.tasks.run(
            _confirm_password,
            self.db,
            self.actor.account_id,
            password,
            on_done=self._unlock_answer,
            on_error=lambda exc: self.overlay.refuse(error_reporting.plain_message(exc)),
            owner=self,
        )

    def _unlock_answer(self, ok: bool) -> None:
        if not ok:
            self.overlay.refuse(f"That is not the password of {self.actor.display_name}.")
            return
        self.overlay.hide()
        for widget in (self.stack, self.menuBar()):
            widget.setEnabled(True)
        self.idle.poke()
        self.update_actions()
        if self.sitting_view is not None and self.stack.currentWidget() is self.sitting_view:
            grid = self.sitting_view.tabs.currentWidget()
            if grid is not None:
                grid.setFocus()
        else:
            self.day_view.focus_body()
        self.locked_changed.emit(False)

    # -- the rest of the actions ---------------------------------------------------------------

    def sign_out(self) -> None:
        self._signing_out = True
        self.close()

    def quit_app(self) -> None:
        self.close()

    def toggle_dark(self) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        name = "light" if theme.current() == "dark" else "dark"
        theme.apply(app, name, int(self.settings.get("font_point_size")))
        self.settings.set("theme", name)
        self.action_set["view.dark"].setChecked(name == "dark")
        self.action_set.refresh_icons()
        self.day_view.switcher.refresh_icons()

    def edit_preferences(self) -> None:
        dialog = PreferencesDialog(self.settings, self)
        dialog.accepted.connect(self._preferences_changed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _preferences_changed(self) -> None:
        self.idle.set_minutes(float(self.settings.get("idle_lock_minutes")))
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, str(self.settings.get("theme")), int(self.settings.get("font_point_size")))
            self.action_set["view.dark"].setChecked(theme.current() == "dark")
            self.action_set.refresh_icons()
            self.day_view.switcher.refresh_icons()

    def show_manual(self) -> None:
        from ui.common.help_window import show_manual

        show_manual(self.actor.role.value, self)

    def show_keys(self) -> None:
        dialog = KeysDialog(self.action_set.key_help(), self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About naas-centre",
            f"<b>naas-centre {__version__}</b><p>Observed practice assessment for centres that run "
            "actor-played scenarios. Free software under the GNU GPL, version 3 or later.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set("window_geometry", bytes(self.saveGeometry().data()))
        self.settings.sync()
        self.idle.stop()
        if self.sitting_view is not None:
            self.sitting_view.close_down()
        if self._signing_out:
            self.signed_out.emit()
        super().closeEvent(event)
