"""The running application: the sign-in window first, the centre opened behind it.

``CentreApp`` owns what outlives a signed-in session: the task manager, the open
database and the sign-in window. It opens the centre in the background once the
sign-in window is on screen, signs people in and out, and shows the main window.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from naas_centre import paths
from naas_centre.opening import (
    Encryption,
    FirstStart,
    Locked,
    OpenedCentre,
    StartOptions,
    WrongPassphrase,
    demo_accounts,
    open_centre,
    open_demo,
    open_locked,
    set_up_centre,
)
from naas_centre.services.views import Actor, Role
from ui.common import error_reporting, theme
from ui.common.settings import Settings
from ui.signin.centre_setup_dialog import CentreSetup, CentreSetupDialog
from ui.signin.demo_accounts_dialog import DemoAccountsDialog
from ui.signin.login_window import LoginWindow
from ui.work.main_thread_gc import MainThreadCollector
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from ui.exchange.setup_dialog import SetUpDialog
    from ui.shell.backups import BackupKeeper
    from ui.shell.main_window import MainWindow

log = logging.getLogger("naas_centre.ui")


class CentreApp(QObject):
    centre_ready = Signal()
    centre_locked = Signal()  # the centre's file is encrypted: the passphrase is asked for
    unlock_refused = Signal()  # that passphrase does not open it; asked again
    signed_in = Signal(object)  # Actor
    kiosk_shown = Signal(object)  # KioskWindow or KnowledgeKioskWindow: a candidate has the workstation

    def __init__(
        self,
        settings: Settings,
        options: StartOptions,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.options = options
        self.tasks = TaskManager(default_error=self._report, parent=self)
        self.opened: OpenedCentre | None = None
        self.first_start: FirstStart | None = None
        self.main_window: MainWindow | None = None
        self.setup_dialog: CentreSetupDialog | None = None
        self.bundle_dialog: SetUpDialog | None = None
        self.accounts_dialog: DemoAccountsDialog | None = None
        self._queued_sign_in: tuple[str, str] | None = None
        self._opening_started = False
        self.kiosk: Any = None  # the candidate kiosk reopened at start (ui.written: a script or a test)
        self.backups: BackupKeeper | None = None  # a centre in a SQLite file: hourly and at close
        self._kiosk_check_pending = False

        self.login = LoginWindow()
        self.login.sign_in_requested.connect(self.sign_in)
        self.login.demo_chosen.connect(self._choose_demo)
        self.login.set_up_chosen.connect(self._choose_set_up)
        self.login.bundle_chosen.connect(self._choose_bundle)
        self.login.demo_accounts_requested.connect(lambda: self.show_demo_accounts(new=False))
        self.login.unlock_requested.connect(self._unlock)
        self.login.first_painted.connect(self._login_painted)

    # -- starting ------------------------------------------------------------------------------

    def start(self) -> None:
        """Show the sign-in window now; open the centre once it is on screen."""
        self.login.reset_for_next_user(str(self.settings.get("last_username")))
        self.login.show()
        # Opening starts after the first paint; the timer only covers a window that never paints.
        QTimer.singleShot(300, self._begin_opening)

    def _login_painted(self) -> None:
        self._begin_opening()

    def _begin_opening(self) -> None:
        if self._opening_started:
            return
        self._opening_started = True
        theme.add_shipped_fonts()  # after the first paint, so the sign-in window is not kept waiting
        # Opening may create and migrate the database: a write, so on the write worker.
        self.tasks.write(
            open_centre, self.options, on_done=self._opened, on_error=self._open_failed, name="open"
        )

    def _opened(self, result: OpenedCentre | FirstStart | Locked) -> None:
        if isinstance(result, Locked):
            self.login.set_locked(str(result.path), result.keyring)
            self.centre_locked.emit()
            return
        if isinstance(result, FirstStart):
            self.first_start = result
            self.login.set_first_start(result.demo_allowed, str(result.data_dir))
            return
        self.opened = result
        info = result.info
        if info is not None and not info.is_demo and result.db.engine.url.get_backend_name() == "sqlite":
            from ui.shell.backups import BackupKeeper

            self.backups = BackupKeeper(self.tasks, result, self.settings, parent=self)
        self.login.set_centre(
            info.name if info else "A new centre", bool(info and info.is_demo), result.target
        )
        self.centre_ready.emit()
        self._check_for_kiosk(result)
        if result.new_demo_accounts:
            self.show_demo_accounts(new=True)
        if self._queued_sign_in is not None:
            self.sign_in(*self._queued_sign_in)

    def _open_failed(self, exc: BaseException) -> None:
        self.login.show_fatal(error_reporting.plain_message(exc))

    # -- an encrypted centre ------------------------------------------------------------------

    def _unlock(self, passphrase: str, remember: bool) -> None:
        # The key derivation is slow on purpose: on the write worker, as the opening is.
        self.tasks.write(
            open_locked,
            self.options,
            passphrase,
            remember,
            on_done=self._opened,
            on_error=self._unlock_failed,
            name="unlock",
        )

    def _unlock_failed(self, exc: BaseException) -> None:
        if isinstance(exc, WrongPassphrase):
            self.login.unlock_page.show_error(str(exc))
            self.unlock_refused.emit()
        else:
            self._open_failed(exc)

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
        dialog = CentreSetupDialog(self.login, self.first_start.keyring)
        dialog.submitted.connect(self._set_up)
        dialog.finished.connect(dialog.deleteLater)
        self.setup_dialog = dialog
        dialog.open()

    def _choose_bundle(self) -> None:
        if self.first_start is None:
            return
        from ui.exchange import open_set_up_from_bundle

        dialog = open_set_up_from_bundle(self.login, self.tasks, self.first_start.data_dir)
        dialog.workstation_set_up.connect(self._bundle_set_up)
        self.bundle_dialog = dialog

    def _bundle_set_up(self, database: Path) -> None:
        """The room's workstation is set up: open what the bundle made, as at any start."""
        if self.bundle_dialog is not None:
            self.bundle_dialog.accept()
            self.bundle_dialog = None
        options = replace(self.options, db=str(database), demo=False)
        self.tasks.write(open_centre, options, on_done=self._bundle_opened, on_error=self._first_failed)

    def _bundle_opened(self, result: OpenedCentre | FirstStart | Locked) -> None:
        self.first_start = None
        self.login.set_first_start_busy("")
        self._opened(result)

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
            Encryption(values.passphrase, values.remember) if values.encrypt else None,
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
        if self.opened is None or self._kiosk_check_pending:
            self._queued_sign_in = (username, password)  # the centre is still opening
            return
        self._queued_sign_in = None
        from naas_centre.services import accounts

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
        from ui.shell.main_window import MainWindow

        self.settings.set("last_username", actor.username)
        info = self.opened.info
        window = MainWindow(
            self.tasks,
            self.opened.db,
            actor,
            info.name if info else "naas-centre",
            self.settings,
            data_dir=self.opened.data_dir,
            encrypted=self.opened.encrypted,
        )
        window.signed_out.connect(self._signed_out)
        window.written.kiosk_shown.connect(self._kiosk_shown)
        window.written.kiosk_closed.connect(lambda who: self._kiosk_closed_in(window, who))
        self.main_window = window
        window.show()
        self.login.hide()
        self.login.reset_for_next_user(actor.username)
        self.signed_in.emit(actor)

    def _signed_out(self) -> None:
        window = self.main_window
        self.main_window = None
        self.login.reset_for_next_user(str(self.settings.get("last_username")))
        self.login.show()
        if window is not None:
            window.deleteLater()

    # -- the candidate kiosk ---------------------------------------------------------------------

    def _check_for_kiosk(self, opened: OpenedCentre) -> None:
        """A kiosk left open on this workstation (a crash, a kill) comes back before any sign-in."""
        from naas_centre.services.kiosk import find_left_open

        self._kiosk_check_pending = True
        self.tasks.write(
            find_left_open, opened.db, on_done=self._kiosk_checked, on_error=self._kiosk_check_failed
        )

    def _kiosk_checked(self, start: Any) -> None:
        self._kiosk_check_pending = False
        if start is not None:
            self.show_kiosk(start)
        elif self._queued_sign_in is not None:
            self.sign_in(*self._queued_sign_in)

    def _kiosk_check_failed(self, exc: BaseException) -> None:
        self._kiosk_check_pending = False
        log.error("could not look for a kiosk left open", exc_info=exc)
        if self._queued_sign_in is not None:
            self.sign_in(*self._queued_sign_in)

    def show_kiosk(self, start: Any) -> None:
        """The written exercise's kiosk, or a knowledge test's (``start`` says which)."""
        from naas_centre.services.knowledge import KnowledgeStart
        from ui.written.kiosk_window import KioskWindow
        from ui.written.knowledge_window import KnowledgeKioskWindow

        assert self.opened is not None
        kiosk: KioskWindow | KnowledgeKioskWindow
        if isinstance(start, KnowledgeStart):
            kiosk = KnowledgeKioskWindow(self.tasks, self.opened.db, start)
        else:
            kiosk = KioskWindow(self.tasks, self.opened.db, start)
        kiosk.left.connect(self._kiosk_left)
        self.kiosk = kiosk
        self.login.hide()
        kiosk.present()
        self._kiosk_shown(kiosk)

    def _kiosk_shown(self, kiosk: Any) -> None:
        self.login.hide()
        self.kiosk_shown.emit(kiosk)

    def _kiosk_left(self, who: Actor) -> None:
        """Whoever took the workstation back with their password is signed in."""
        kiosk, self.kiosk = self.kiosk, None
        if kiosk is not None:
            kiosk.deleteLater()
        self._authenticated(who)

    def _kiosk_closed_in(self, window: MainWindow, who: Actor) -> None:
        if who.account_id == window.actor.account_id or window is not self.main_window:
            return
        window.close()  # not a sign-out: the person who closed the kiosk takes over
        window.deleteLater()
        self.main_window = None
        self._authenticated(who)

    # -- errors and the end --------------------------------------------------------------------------

    def _report(self, exc: BaseException) -> None:
        if self.kiosk is not None or (self.main_window is not None and self.main_window.written.kiosk):
            # No dialog over (or behind) a candidate's kiosk: it would block their typing.
            log.error("error while the candidate kiosk is open", exc_info=exc)
            return
        parent = self.main_window if self.main_window is not None else self.login
        error_reporting.show_error(parent, exc)

    def _checkpoint_failed(self, exc: BaseException) -> None:
        log.warning("no checkpoint at close: %s", exc)

    def shutdown(self) -> None:
        """Let every write finish, then close the database."""
        kiosks = [self.kiosk]
        if self.main_window is not None:
            kiosks.append(self.main_window.written.kiosk)
        for kiosk in kiosks:
            if kiosk is not None:
                kiosk.release()  # its last text goes to the write worker; it reopens at the next start
        if self.opened is not None and not self.tasks.closed:
            from naas_centre.services.checkpoints import at_close

            # The trail's head signed where a rewrite of the file cannot reach it, after
            # every write queued so far (and before the backup, which then holds it).
            self.tasks.write(
                at_close,
                self.opened.db,
                self.opened.data_dir,
                on_error=self._checkpoint_failed,
                name="checkpoint",
            )
        if self.backups is not None:
            self.backups.close()  # after every write queued so far; shutdown waits for it
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
    on_start: Callable[[CentreApp], object] | None = None,
) -> int:
    """Run the application until its last window closes. ``on_start`` is given the
    application before it shows anything (for a program that embeds it)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("naas-centre")
    app.setOrganizationName("naas-centre")
    app.setDesktopFileName("naas-centre")
    error_reporting.install_excepthook()
    collector = MainThreadCollector(app)  # never a collection on a worker's or FFmpeg's thread
    collector.start()
    folder = paths.data_dir_override(data_dir)  # NAAS_DATA_DIR is read there and only there
    error_reporting.install_log_file(folder)
    settings = Settings.for_data_dir(folder)
    theme.apply(app, theme_name or str(settings.get("theme")), int(settings.get("font_point_size")))
    app.setWindowIcon(theme.icon("app"))
    centre = CentreApp(settings, StartOptions(db=db, data_dir=folder, demo=demo))
    if on_start is not None:
        on_start(centre)
    centre.start()
    code = app.exec()
    centre.shutdown()
    settings.sync()
    collector.stop()
    return int(code)
