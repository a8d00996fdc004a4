"""Every scenario pack the app finds: the built-in ones and the centre's own folder.

A valid pack shows its name, version, level and content hash; a pack with problems
shows each problem as ``FILE: field.path (line N): message`` and is never used. A bad
file is listed, never fatal. Reading the files happens in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre import paths
from naas_centre.packs.loader import LoadedPack, discover_packs
from ui.common import error_reporting, theme
from ui.common.widgets import label, set_role
from ui.work.tasks import TaskManager

HASH_SHOWN = 12


@dataclass(frozen=True)
class PackListing:
    folder: Path
    folder_exists: bool
    packs: tuple[LoadedPack, ...]


def read_packs(data_dir: Path) -> PackListing:
    """Runs in a worker: never raises for a bad pack, a bad file or a missing folder."""
    folder = paths.packs_dir(data_dir)
    exists = folder.is_dir()
    return PackListing(folder, exists, tuple(discover_packs([folder] if exists else [])))


class PacksDialog(QDialog):
    loaded = Signal()

    def __init__(self, tasks: TaskManager, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PacksDialog")
        self.setWindowTitle("Scenario packs")
        self.resize(1060, 600)
        self.tasks = tasks
        self.data_dir = data_dir
        self.listing: PackListing | None = None

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(10)
        self.heading = label("Reading the packs…", "heading")
        self.heading.setObjectName("packs_heading")
        box.addWidget(self.heading)
        self.where = label("", "muted", wrap=True)
        self.where.setObjectName("packs_folder")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.where)

        self.tree = QTreeWidget()
        self.tree.setObjectName("packs_tree")
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Pack", "Version", "Level", "Content hash", "File"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(4, 260)
        box.addWidget(self.tree, 1)

        bottom = QHBoxLayout()
        bottom.addWidget(
            label(
                "A pack with problems is never used. Correct the file and press Refresh; "
                "a corrected pack that was already used needs a new version number.",
                "muted",
                wrap=True,
            ),
            1,
        )
        self.open_button = QPushButton("Open the packs folder")
        self.open_button.setObjectName("packs_open_folder")
        self.open_button.clicked.connect(self._open_folder)
        bottom.addWidget(self.open_button)
        refresh = QPushButton("Refresh")
        refresh.setObjectName("packs_refresh")
        refresh.clicked.connect(self.reload)
        bottom.addWidget(refresh)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        box.addLayout(bottom)
        self.reload()

    def reload(self) -> None:
        self.tasks.run(
            read_packs, self.data_dir, on_done=self._loaded, on_error=self._failed, owner=self, name="packs"
        )

    def _failed(self, exc: BaseException) -> None:
        self.heading.setText(error_reporting.plain_message(exc))
        set_role(self.heading, "error")

    def _loaded(self, listing: PackListing) -> None:
        self.listing = listing
        good = [p for p in listing.packs if p.ok]
        bad = [p for p in listing.packs if not p.ok]
        text = f"{len(good)} {'pack' if len(good) == 1 else 'packs'} ready to use"
        if bad:
            text += f" · {len(bad)} {'file' if len(bad) == 1 else 'files'} with problems"
        self.heading.setText(text)
        set_role(self.heading, "heading")
        self.where.setText(
            f"Built-in packs come with naas-centre. The centre's own packs are the .yaml files in "
            f"{listing.folder}" + ("" if listing.folder_exists else " (the folder does not exist yet)") + "."
        )
        c = theme.colours()
        self.tree.clear()
        for lp in listing.packs:
            item = self._item(lp, c.error)
            self.tree.addTopLevelItem(item)
            for j in range(item.childCount()):
                child = item.child(j)
                if child is not None:
                    child.setFirstColumnSpanned(True)  # a problem line reads across the table
        self.tree.expandAll()
        self.loaded.emit()

    def _item(self, lp: LoadedPack, error: str) -> QTreeWidgetItem:
        source = "built-in" if lp.builtin else lp.file.name
        if lp.ok and lp.pack is not None:
            p = lp.pack
            digest = lp.content_hash or ""
            item = QTreeWidgetItem(
                [f"{p.title}\n{p.name}", p.version, p.level.value.capitalize(), digest[:HASH_SHOWN], source]
            )
            item.setToolTip(3, digest)
            item.setToolTip(4, lp.display_name)
            item.setIcon(0, theme.icon("check"))
            item.setData(0, Qt.ItemDataRole.UserRole, "ok")
            return item
        count = len(lp.problems)
        item = QTreeWidgetItem(
            [
                f"{lp.file.name}\n{count} {'problem' if count == 1 else 'problems'}: not used",
                "",
                "",
                "",
                source,
            ]
        )
        item.setIcon(0, theme.icon("warning", error))
        item.setForeground(0, QBrush(QColor(error)))
        item.setToolTip(4, lp.display_name)
        item.setData(0, Qt.ItemDataRole.UserRole, "problems")
        for problem in lp.problems:
            child = QTreeWidgetItem([str(problem)])
            child.setToolTip(0, str(problem))
            child.setData(0, Qt.ItemDataRole.UserRole, "problem")
            child.setForeground(0, QBrush(QColor(error)))
            item.addChild(child)
        return item

    def problem_lines(self) -> list[str]:
        """Every problem line shown (for tests and for copying)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None:
                out += [child.text(0) for j in range(item.childCount()) if (child := item.child(j))]
        return out

    def _open_folder(self) -> None:
        folder = paths.packs_dir(self.data_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.heading.setText(f"The folder {folder} cannot be made: {exc.strerror or exc}")
            set_role(self.heading, "error")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if self.listing is not None and not self.listing.folder_exists:
            self.reload()
