"""The demo centre's accounts and passwords, so anyone can try each role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common.widgets import label

if TYPE_CHECKING:
    from naas_centre.demo.centre import DemoAccount


class DemoAccountsDialog(QDialog):
    def __init__(
        self, accounts: Sequence[DemoAccount], parent: QWidget | None = None, *, new: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Demo accounts")
        self.resize(640, 420)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 16, 20, 14)
        box.setSpacing(12)
        box.addWidget(label("The demo centre is ready" if new else "Demo accounts", "heading"))
        box.addWidget(
            label(
                "Sign in as any of these to see what each role sees. Assessors score; the centre "
                "manager follows the day. These passwords are public: never use the demo for real "
                "candidates.",
                "muted",
                wrap=True,
            )
        )
        shown = [a for a in accounts if a.role.value != "candidate_kiosk"]
        table = QTableWidget(len(shown), 4)
        table.setObjectName("demo_accounts_table")
        table.setAccessibleName("Demo accounts and their passwords")
        table.setTabKeyNavigation(False)
        table.setHorizontalHeaderLabels(["Role", "Name", "Username", "Password"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, account in enumerate(shown):
            for col, text in enumerate(
                (account.role.label, account.display_name, account.username, account.password)
            ):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                table.setItem(row, col, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the name takes what is left
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        box.addWidget(table, 1)
        # Wide and tall enough for every password and every account, whatever the text size:
        # the passwords are what this window is for (within the screen, which scrolls beyond).
        margins = box.contentsMargins()
        frame = 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width()
        needed_w = sum(table.columnWidth(c) for c in range(4)) + frame + margins.left() + margins.right()
        needed_h = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(len(shown)))
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width = max(640, needed_w + 24)
        height = max(420, needed_h + 2 * table.frameWidth() + 180)
        if screen is not None:
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 60)
        self.resize(width, height)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        box.addWidget(buttons)
        self.accounts = tuple(shown)
