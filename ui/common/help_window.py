"""The in-app manual: one Markdown page per role (``docs/manual/*.md``), shown in a small
window with a search box, opened with F1.

``show_manual(role, parent)`` opens (or raises) the window at that role's page. The
manual is also a widget of its own (``ManualView``) for a screen that must not open a
second window, such as the candidate's kiosk.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

import ui
from ui.common.widgets import label

# Each role's page, in the order the list shows them. The keys are the role names the
# services use (``naas_centre.services.views.Role`` values).
PAGES: tuple[tuple[str, str], ...] = (
    ("assessor", "assessor.md"),
    ("centre_manager", "centre-manager.md"),
    ("candidate_kiosk", "candidate.md"),
    ("qa_lead", "qa-lead.md"),
    ("administrator", "administrator.md"),
)


@dataclass(frozen=True)
class ManualPage:
    role: str
    title: str
    markdown: str


class ManualMissing(LookupError):
    """No manual folder was found: a broken install."""


def manual_folder() -> Path:
    """Where the pages are: beside the ``ui`` package in a checkout and in the bundle
    (``docs/manual``), or in the environment's ``share/naas-centre/manual`` once installed."""
    candidates = (
        Path(ui.__file__).resolve().parent.parent / "docs" / "manual",
        Path(sys.prefix) / "share" / "naas-centre" / "manual",
    )
    for folder in candidates:
        if (folder / PAGES[0][1]).is_file():
            return folder
    raise ManualMissing("the manual is not installed (looked in " + ", ".join(map(str, candidates)) + ")")


def load_pages(folder: Path | None = None) -> list[ManualPage]:
    folder = manual_folder() if folder is None else folder
    pages = []
    for role, name in PAGES:
        text = (folder / name).read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else name
        pages.append(ManualPage(role, first.lstrip("# ").strip(), text))
    return pages


def count_matches(text: str, query: str) -> int:
    return text.casefold().count(query.casefold()) if query else 0


class ManualView(QWidget):
    """The pages in a list, the chosen one rendered, and a search over all of them."""

    def __init__(self, pages: list[ManualPage], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages = pages
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the manual")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the manual")
        self.search.setAccessibleDescription("Enter finds the next match, Shift+Enter the one before")
        self.found = label("", "muted")
        self.found.setAccessibleName("Search result")
        self.list = QListWidget()
        self.list.setAccessibleName("Manual pages, one per role")
        for page in pages:
            item = QListWidgetItem(page.title)
            item.setData(Qt.ItemDataRole.UserRole, page.role)
            self.list.addItem(item)
        self.list.setMaximumWidth(self.list.sizeHintForColumn(0) + 40)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setAccessibleName("Manual page")

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.found)
        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addWidget(self.browser, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.setTabOrder(self.search, self.list)
        self.setTabOrder(self.list, self.browser)

        self.list.currentRowChanged.connect(self._show_row)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self.find_next)
        back = QShortcut(QKeySequence("Shift+Return"), self.search)
        back.activated.connect(lambda: self.find_next(backward=True))
        self.list.setCurrentRow(0)

    # -- pages ------------------------------------------------------------------------------

    @property
    def current_role(self) -> str:
        return self.pages[max(0, self.list.currentRow())].role

    def show_role(self, role: str) -> None:
        rows = [i for i, page in enumerate(self.pages) if page.role == role]
        self.list.setCurrentRow(rows[0] if rows else 0)

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        self.browser.setMarkdown(self.pages[row].markdown)
        self._highlight()

    # -- search -------------------------------------------------------------------------------

    def _search_changed(self, query: str) -> None:
        counts = [count_matches(page.markdown, query) for page in self.pages]
        for row, (page, count) in enumerate(zip(self.pages, counts, strict=True)):
            item = self.list.item(row)
            item.setText(f"{page.title} ({count})" if query else page.title)
            item.setHidden(bool(query) and count == 0)
        if query and counts[self.list.currentRow()] == 0 and any(counts):
            self.list.setCurrentRow(next(i for i, c in enumerate(counts) if c))  # the first page that has it
        else:
            self._highlight()
        total = sum(counts)
        if not query:
            self.found.setText("")
        elif total == 0:
            self.found.setText(f"“{query}” is not in the manual")
        else:
            pages = sum(1 for c in counts if c)
            self.found.setText(
                f"{total} match{'es' if total != 1 else ''} on {pages} page{'s' if pages != 1 else ''}"
            )

    def _highlight(self) -> None:
        """Every match on the page shown marked, and the first one scrolled to."""
        query = self.search.text()
        document = self.browser.document()
        marks: list[QTextEdit.ExtraSelection] = []
        if query:
            mark = QTextCharFormat()
            mark.setBackground(QColor("#ffd54a"))
            mark.setForeground(QColor("#000000"))
            cursor = document.find(query, 0)
            while not cursor.isNull():
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = mark
                marks.append(selection)
                cursor = document.find(query, cursor)
        self.browser.setExtraSelections(marks)
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        if marks:
            self.browser.find(query)

    def matches_shown(self) -> int:
        return len(self.browser.extraSelections())

    def find_next(self, *, backward: bool = False) -> bool:
        """The next match on this page (the first again after the last)."""
        query = self.search.text()
        if not query:
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if self.browser.find(query, flags):
            return True
        self.browser.moveCursor(
            QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
        )
        return self.browser.find(query, flags)


class HelpWindow(QWidget):
    def __init__(self, pages: list[ManualPage], parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("help_window")
        self.setWindowTitle("naas-centre manual")
        self.view = ManualView(pages, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.view)
        self.resize(900, 600)  # within a 1366x768 screen with room for a title bar

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:  # the search box passes it up
            self.close()
            return
        super().keyPressEvent(event)


_shared: HelpWindow | None = None  # the one window opened without a parent


def show_manual(role: str | None = None, parent: QWidget | None = None) -> HelpWindow:
    """Open the manual at ``role``'s page (a ``Role`` value), or raise it if it is open.
    With ``parent`` the window belongs to that window (and closes with it)."""
    global _shared
    window = parent.findChild(HelpWindow) if parent is not None else _shared
    if window is None or not isValid(window):
        try:
            pages = load_pages()
        except ManualMissing as missing:  # a broken install: say so where the manual would be
            pages = [ManualPage(str(role or ""), "Manual", f"# The manual is missing\n\n{missing}.\n")]
        window = HelpWindow(pages, parent)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        if parent is None:
            _shared = window
    if role is not None:
        window.view.search.clear()  # F1 from a screen: that role's page, whole
        window.view.show_role(str(role))
    window.show()
    window.raise_()
    window.activateWindow()
    window.view.search.setFocus()
    return window
