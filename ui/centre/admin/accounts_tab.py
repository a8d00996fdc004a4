"""Accounts for every role: create, edit, disable and enable, reset a password, unlock.

A temporary password (a new account's, or after a reset) is shown once, here, to be
handed to its owner; it is never stored in clear, and leaving the tab forgets it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from db.engine import Database
from naas_centre.formatting import local_time
from naas_centre.services import accounts, employers
from naas_centre.services.accounts import AccountEntry, IssuedPassword
from naas_centre.services.views import Actor, Role
from ui.centre.admin.form_dialog import FormDialog
from ui.centre.admin.list_tab import ListTab
from ui.common.widgets import label
from ui.work.tasks import TaskManager

NO_EMPLOYER = ""


class AccountFormDialog(FormDialog):
    def __init__(self, entry: AccountEntry | None, employer_names: list[str], parent: QWidget) -> None:
        super().__init__("New account" if entry is None else f"Edit {entry.display_name}", parent)
        self.display_name = self.line(
            "Display name", "account_display_name", entry.display_name if entry else "", "as on reports"
        )
        self.username = self.line(
            "Username", "account_username", entry.username if entry else "", "such as a.okafor"
        )
        self.username.setEnabled(entry is None)  # the audit trail names it: never changed
        self.role = self.choice(
            "Role", "account_role", [(r.value, r.label) for r in Role], entry.role.value if entry else None
        )
        self.employer = self.choice(
            "Employer",
            "account_employer",
            [(NO_EMPLOYER, "None (centre staff)"), *[(n, n) for n in employer_names]],
            (entry.employer or NO_EMPLOYER) if entry else NO_EMPLOYER,
        )
        self.registration = self.line(
            "Registration number",
            "account_registration",
            (entry.registration_number or "") if entry else "",
            "Social Work England, such as SW123456",
        )


class AccountsTab(ListTab[AccountEntry]):
    columns = ("Name", "Username", "Role", "Employer", "Registration", "State")

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor) -> None:
        super().__init__(
            tasks,
            db,
            actor,
            "Everyone who signs in. A new account and a reset get a temporary password, shown "
            "once: it signs in, but unlocks no signing key until its owner chooses their own.",
        )
        self.form: AccountFormDialog | None = None
        self.employer_names: list[str] = []
        self.add_button("New account…", "account_new", self.new_account, needs_row=False)
        self.add_button("Edit…", "account_edit", self.edit_account, needs_row=True)
        self.toggle_button = self.add_button("Disable", "account_toggle", self.toggle_active, needs_row=True)
        self.add_button("Reset password", "account_reset", self.reset_password, needs_row=True)
        self.unlock_button = self.add_button("Unlock", "account_unlock", self.unlock, needs_row=True)
        self.finish_buttons()

        # The one place a temporary password is shown, until dismissed.
        self.password_panel = QFrame()
        self.password_panel.setProperty("role", "card")
        row = QHBoxLayout(self.password_panel)
        self.password_text = label("", "", wrap=True)
        self.password_text.setObjectName("temporary_password")
        row.addWidget(self.password_text, 1)
        copy = QPushButton("Copy")
        copy.setObjectName("temporary_password_copy")
        copy.clicked.connect(self._copy_password)
        row.addWidget(copy)
        done = QPushButton("Done")
        done.setObjectName("temporary_password_done")
        done.clicked.connect(self.forget_password)
        row.addWidget(done)
        self.password_panel.setVisible(False)
        layout = self.layout()
        assert layout is not None
        layout.addWidget(self.password_panel)
        self._password = ""

    def read(self) -> list[AccountEntry]:
        entries = accounts.account_entries(self.db, self.actor)
        with self.db.read() as s:
            self.employer_names = employers.names(s)
        return entries

    def cells(self, e: AccountEntry) -> Sequence[str]:
        if not e.active:
            state = "Disabled"
        elif e.locked():
            assert e.locked_until is not None
            state = f"Locked until {local_time(e.locked_until)}"
        elif e.password_temporary:
            state = "Temporary password"
        else:
            state = "Active"
        return (
            e.display_name,
            e.username,
            e.role.label,
            e.employer or "—",
            e.registration_number or "—",
            state,
        )

    def summary(self) -> str:
        active = sum(1 for e in self.entries if e.active)
        return f"{len(self.entries)} accounts, {active} active."

    def selection_changed(self) -> None:
        entry = self.selected()
        self.toggle_button.setText("Enable" if entry is not None and not entry.active else "Disable")
        self.unlock_button.setEnabled(entry is not None and entry.locked())

    # the form ----------------------------------------------------------------------------

    def _form(self, entry: AccountEntry | None) -> AccountFormDialog:
        names = list(self.employer_names)
        if entry is not None and entry.employer and entry.employer not in names:
            names.append(entry.employer)  # named before the centre listed its employers
        return AccountFormDialog(entry, names, self)

    def new_account(self) -> None:
        form = self.form = self._form(None)

        def submit() -> None:
            self.write(
                accounts.new_account,
                self.db,
                self.actor,
                form.username.text(),
                form.display_name.text(),
                form.role.currentData(),
                form.employer.currentData() or None,
                form.registration.text(),
                done=self._issued("created"),
                form=form,
            )

        form.submitted.connect(submit)
        form.open()

    def edit_account(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        form = self.form = self._form(entry)

        def submit() -> None:
            self.write(
                accounts.edit_account,
                self.db,
                self.actor,
                entry.id,
                display_name=form.display_name.text(),
                role=form.role.currentData(),
                employer=form.employer.currentData() or None,
                registration_number=form.registration.text(),
                done=lambda e: f"{e.display_name}'s account is saved.",
                form=form,
            )

        form.submitted.connect(submit)
        form.open()

    def on_activated(self) -> None:
        self.edit_account()

    # actions on the selected account ------------------------------------------------------

    def toggle_active(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        self.write(
            accounts.set_active,
            self.db,
            self.actor,
            entry.id,
            not entry.active,
            done=lambda e: (
                f"{e.display_name}'s account is {'enabled' if e.active else 'disabled: they cannot sign in'}."
            ),
        )

    def reset_password(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.write(accounts.reset_password, self.db, self.actor, entry.id, done=self._issued("reset"))

    def unlock(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.write(
                accounts.unlock,
                self.db,
                self.actor,
                entry.id,
                done=lambda _none: f"{entry.display_name}'s account is unlocked.",
            )

    # the temporary password ---------------------------------------------------------------

    def _issued(self, how: str) -> Callable[[IssuedPassword], str]:
        def said(issued: IssuedPassword) -> str:
            self.show_password(issued)
            who = issued.account.display_name
            return f"{who}'s account is created." if how == "created" else f"{who}'s password is reset."

        return said

    def show_password(self, issued: IssuedPassword) -> None:
        self._password = issued.password
        self.password_text.setText(
            f"Temporary password for {issued.account.display_name} ({issued.account.username}): "
            f"<b>{issued.password}</b><br>Give it to them now: it is not shown again. They choose "
            "their own after signing in."
        )
        self.password_panel.setVisible(True)

    def forget_password(self) -> None:
        self._password = ""
        self.password_text.clear()
        self.password_panel.setVisible(False)

    def _copy_password(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if self._password and clipboard is not None:
            clipboard.setText(self._password)
