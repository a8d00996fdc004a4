"""The running application: the sign-in window first, the centre opened behind it.

``CentreApp`` owns what outlives a signed-in session: the task manager, the open
database and the sign-in window. It opens the centre in the background once the
sign-in window is on screen, signs people in and out, and shows the main window.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from naas_centre.services.views import Actor, Role
from ui import error_reporting, theme
from ui.centre_setup_dialog import CentreSetup, CentreSetupDialog
from ui.demo_accounts_dialog import DemoAccountsDialog
from ui.login_window import LoginWindow
from ui.opening import (
    FirstStart,
    OpenedCentre,
    StartOptions,
    demo_accounts,
    open_centre,
    open_demo,
    set_up_centre,
)
from ui.settings import Settings
from ui.tasks import TaskManager

log = logging.getLogger("naas_centre.ui")


def process_age(fallback_start: float) -> float:
    """Seconds since this process started (from /proc where there is one)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - fallback_start


@dataclass(frozen=True)
class StartupHooks:
    """Environment hooks for the end-to-end test and the startup benchmark.

    NAAS_QUIT_AFTER_SHOWN=1    print "shown login 0.21s" once the sign-in window is painted, then quit
    NAAS_BENCH_LOGIN=user:pw   sign in as soon as the centre is open, print "shown day 0.12s" (time
                               from signing in to the day painted), then quit
    """

    started: float
    quit_after_shown: bool = False
    bench_login: tuple[str, str] | None = None

    @classmethod
    def from_env(cls, started: float) -> StartupHooks:
        login = os.environ.get("NAAS_BENCH_LOGIN", "")
        user, _, password = login.partition(":")
        return cls(
            started=started,
            quit_after_shown=os.environ.get("NAAS_QUIT_AFTER_SHOWN") == "1",
            bench_login=(user, password) if user and password else None,
        )


class CentreApp(QObject):
    centre_ready = Signal()
    signed_in = Signal(object)  # Actor

    def __init__(
        self,
        settings: Settings,
        options: StartOptions,
        hooks: StartupHooks | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.options = options
        self.hooks = hooks
        self.tasks = TaskManager(default_error=self._report, parent=self)
        self.opened: OpenedCentre | None = None
        self.first_start: FirstStart | None = None
        self.main_window = None
        self.setup_dialog: CentreSetupDialog | None = None
        self.accounts_dialog: DemoAccountsDialog | None = None
        self._queued_sign_in: tuple[str, str] | None = None
        self._opening_started = False
        self._bench_started = 0.0

        self.login = LoginWindow()
        self.login.sign_in_requested.connect(self.sign_in)
        self.login.demo_chosen.connect(self._choose_demo)
        self.login.set_up_chosen.connect(self._choose_set_up)
        self.login.demo_accounts_requested.connect(lambda: self.show_demo_accounts(new=False))
        self.login.first_painted.connect(self._login_painted)

    # -- starting ------------------------------------------------------------------------------

    def start(self) -> None:
        """Show the sign-in window now; open the centre once it is on screen."""
        self.login.reset_for_next_user(str(self.settings.get("last_username")))
        self.login.show()
        # Opening starts after the first paint; the timer only covers a window that never paints.
        QTimer.singleShot(300, self._begin_opening)

    def _login_painted(self) -> None:
        if self.hooks is not None and (self.hooks.quit_after_shown or self.hooks.bench_login):
            print(f"shown login {process_age(self.hooks.started):.3f}s", flush=True)
            if self.hooks.quit_after_shown and not self.hooks.bench_login:
                QTimer.singleShot(0, QApplication.quit)
                return
        self._begin_opening()

    def _begin_opening(self) -> None:
        if self._opening_started:
            return
        if self.hooks is not None and self.hooks.quit_after_shown and not self.hooks.bench_login:
            return  # a start-up check: nothing to open
        self._opening_started = True
        # Opening may create and migrate the database: a write, so on the write worker.
        self.tasks.write(
            open_centre, self.options, on_done=self._opened, on_error=self._open_failed, name="open"
        )

    def _opened(self, result: OpenedCentre | FirstStart) -> None:
        if isinstance(result, FirstStart):
            self.first_start = result
            self.login.set_first_start(result.demo_allowed, str(result.data_dir))
            return
        self.opened = result
        info = result.info
        self.login.set_centre(
            info.name if info else "A new centre", bool(info and info.is_demo), result.target
        )
        self.centre_ready.emit()
        if result.new_demo_accounts and not (self.hooks and self.hooks.bench_login):
            self.show_demo_accounts(new=True)
        if self.hooks is not None and self.hooks.bench_login:
            self.login.username.setText(self.hooks.bench_login[0])
            self.sign_in(*self.hooks.bench_login)
        elif self._queued_sign_in is not None:
            self.sign_in(*self._queued_sign_in)

    def _open_failed(self, exc: BaseException) -> None:
        self.login.show_fatal(error_reporting.plain_message(exc))

    # -- first start ----------------------------------------------------------------------------

    def _choose_demo(self) -> None:
        if self.first_start is None:
            return
        self.login.set_first_start_busy("Creating the demo centre…")
        self.tasks.write(
            open_demo,
            self.first_start.data_dir,
            on_done=self._first_opened,
            on_error=self._first_failed,
            name="create_demo",
        )

    def _choose_set_up(self) -> None:
        if self.first_start is None:
            return
        dialog = CentreSetupDialog(self.login)
        dialog.submitted.connect(self._set_up)
        dialog.finished.connect(dialog.deleteLater)
        self.setup_dialog = dialog
        dialog.open()

    def _set_up(self, values: CentreSetup) -> None:
        assert self.first_start is not None
        where = self.first_start
        self.tasks.write(
            set_up_centre,
            where.target,
            where.data_dir,
            values.centre_name,
            values.admin_username,
            values.admin_display_name,
            values.password,
            on_done=lambda opened: self._centre_set_up(opened, values.admin_username),
            on_error=self._set_up_failed,
            name="create_centre",
        )

    def _centre_set_up(self, opened: OpenedCentre, username: str) -> None:
        if self.setup_dialog is not None:
            self.setup_dialog.accept()
            self.setup_dialog = None
        self.login.reset_for_next_user(username)
        self._first_opened(opened)

    def _set_up_failed(self, exc: BaseException) -> None:
        if self.setup_dialog is not None:
            self.setup_dialog.fail(error_reporting.plain_message(exc))
        else:
            error_reporting.show_error(self.login, exc)

    def _first_opened(self, opened: OpenedCentre) -> None:
        self.first_start = None
        self.login.set_first_start_busy("")
        self._opened(opened)

    def _first_failed(self, exc: BaseException) -> None:
        self.login.show_first_start_error(error_reporting.plain_message(exc))

    def show_demo_accounts(self, new: bool) -> None:
        dialog = DemoAccountsDialog(
            self.opened.new_demo_accounts if (new and self.opened) else demo_accounts(), self.login, new=new
        )
        dialog.finished.connect(dialog.deleteLater)
        self.accounts_dialog = dialog
        dialog.open()

    # -- signing in and out ------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> None:
        if self.opened is None:
            self._queued_sign_in = (username, password)  # the centre is still opening
            return
        self._queued_sign_in = None
        from naas_centre.services import accounts

        self._bench_started = time.perf_counter()
        self.login.set_busy(True)
        self.tasks.write(
            accounts.authenticate,
            self.opened.db,
            username,
            password,
            on_done=self._authenticated,
            on_error=lambda exc: self.login.show_error(error_reporting.plain_message(exc)),
            name="sign_in",
        )

    def _authenticated(self, actor: Actor) -> None:
        assert self.opened is not None
        if actor.role == Role.CANDIDATE_KIOSK:
            self.login.show_error("The candidate workstation account has no window in this version.")
            return
        from ui.main_window import MainWindow

        self.settings.set("last_username", actor.username)
        info = self.opened.info
        window = MainWindow(
            self.tasks, self.opened.db, actor, info.name if info else "naas-centre", self.settings
        )
        window.signed_out.connect(self._signed_out)
        if self.hooks is not None and self.hooks.bench_login:
            window.day_view.day_painted.connect(self._bench_day_painted)
        self.main_window = window
        window.show()
        self.login.hide()
        self.login.reset_for_next_user(actor.username)
        self.signed_in.emit(actor)

    def _bench_day_painted(self) -> None:
        print(f"shown day {time.perf_counter() - self._bench_started:.3f}s", flush=True)
        QTimer.singleShot(0, QApplication.quit)

    def _signed_out(self) -> None:
        window = self.main_window
        self.main_window = None
        self.login.reset_for_next_user(str(self.settings.get("last_username")))
        self.login.show()
        if window is not None:
            window.deleteLater()

    # -- errors and the end --------------------------------------------------------------------------

    def _report(self, exc: BaseException) -> None:
        parent = self.main_window if self.main_window is not None else self.login
        error_reporting.show_error(parent, exc)

    def shutdown(self) -> None:
        """Let every write finish, then close the database."""
        self.tasks.shutdown()
        if self.main_window is not None:
            self.main_window.deleteLater()
        self.login.deleteLater()
        if self.opened is not None:
            self.opened.db.dispose()


def run_gui(
    *,
    db: str | None,
    data_dir: os.PathLike[str] | str | None,
    demo: bool,
    theme_name: str | None,
    started: float,
) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("naas-centre")
    app.setOrganizationName("naas-centre")
    app.setDesktopFileName("naas-centre")
    error_reporting.install_excepthook()
    chosen = data_dir if data_dir is not None else os.environ.get("NAAS_DATA_DIR")
    folder = Path(chosen) if chosen else None
    settings = Settings.for_data_dir(folder)
    theme.apply(app, theme_name or str(settings.get("theme")), int(settings.get("font_point_size")))
    app.setWindowIcon(theme.icon("app"))
    centre = CentreApp(
        settings, StartOptions(db=db, data_dir=folder, demo=demo), StartupHooks.from_env(started)
    )
    centre.start()
    code = app.exec()
    centre.shutdown()
    settings.sync()
    return int(code)
