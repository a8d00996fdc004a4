"""The two kinds of error, as the user meets them.

A ``UserError`` (what the user or their files got wrong) is shown plainly, as its own
message says it. Anything else is a bug: logged with its trace, and shown as a bug with
where the log is, so it can be reported.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from naas_centre import logs
from naas_centre.errors import UserError

log = logging.getLogger("naas_centre.ui")

BUG_TEXT = "Something went wrong inside naas-centre. This is a bug, not something you did."


def is_user_error(exc: BaseException) -> bool:
    return isinstance(exc, UserError)


def plain_message(exc: BaseException) -> str:
    """One line to show inline (under a field, in a status bar); bugs are logged here too."""
    if is_user_error(exc):
        return str(exc)
    log_bug(exc)
    return f"{BUG_TEXT} ({type(exc).__name__})"


def log_bug(exc: BaseException) -> None:
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))


def show_error(parent: QWidget | None, exc: BaseException, title: str = "naas-centre") -> None:
    """A user error as a plain warning; a bug logged with its trace and shown as one."""
    if is_user_error(exc):
        QMessageBox.warning(parent, title, str(exc))
        return
    log_bug(exc)
    box = QMessageBox(QMessageBox.Icon.Critical, title, BUG_TEXT, parent=parent)
    where = logs.current()
    logged = f"\n\nThe details are in the log file: {where}" if where is not None else ""
    box.setInformativeText(
        f"{type(exc).__name__}: {exc}\n\nYour recorded scores are kept: each is saved when it shows as saved."
        + logged
    )
    box.setDetailedText("".join(traceback.format_exception(exc)))
    box.exec()


def install_log_file(data_dir: Path | None) -> Path | None:
    """Every warning and error, from any part of the app (the kiosk's too), to the log file."""
    try:
        return logs.install(data_dir)
    except UserError as exc:  # no usable log folder: the app still runs, and says so
        log.warning("no log file: %s", exc)
        return None


def install_excepthook() -> None:
    """Errors escaping a Qt slot are logged with their trace instead of passing silently."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.error("uncaught error", exc_info=(kind, exc, tb))

    sys.excepthook = hook
