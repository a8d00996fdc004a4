"""Employers: add, rename (carrying every record that names them), deactivate."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from db.engine import Database
from naas_centre.services import employers
from naas_centre.services.employers import EmployerEntry, Renamed
from naas_centre.services.views import Actor
from ui.centre.admin.form_dialog import FormDialog
from ui.centre.admin.list_tab import ListTab
from ui.work.tasks import TaskManager


class EmployerFormDialog(FormDialog):
    def __init__(self, entry: EmployerEntry | None, parent: QWidget) -> None:
        super().__init__(
            "New employer" if entry is None else f"Edit {entry.name}",
            parent,
            intro=""
            if entry is None or not (entry.candidates or entry.accounts)
            else f"A new name is carried to the {entry.candidates} candidates and {entry.accounts} "
            "accounts that name this employer, in the same change.",
        )
        self.name = self.line(
            "Name", "employer_name", entry.name if entry else "", "such as Leeds City Council"
        )
        self.kind = self.choice(
            "Kind", "employer_kind", list(employers.KINDS.items()), entry.kind if entry else "local_authority"
        )
        self.email = self.line(
            "Contact email",
            "employer_email",
            (entry.contact_email or "") if entry else "",
            "where score sheets go (optional)",
        )


def _renamed(r: Renamed) -> str:
    if r.old_name == r.employer.name:
        return f"{r.employer.name} is saved."
    return (
        f"{r.old_name} is now {r.employer.name}: {r.candidates} candidates, {r.accounts} accounts and "
        f"{r.endorsements} endorsements carried with it."
    )


def _save(db: Database, actor: Actor, entry_id: str, name: str, kind: str, email: str) -> Renamed:
    """Runs on the write worker: the kind and address, then the name (each audited)."""
    employers.update_employer(db, actor, entry_id, kind=kind, contact_email=email)
    return employers.rename_employer(db, actor, entry_id, name)


class EmployersTab(ListTab[EmployerEntry]):
    columns = ("Employer", "Kind", "Contact", "Candidates", "Accounts", "State")

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor) -> None:
        super().__init__(
            tasks,
            db,
            actor,
            "Local authorities, trusts and agencies. Candidates and assessors name their employer "
            "from this list; an assessor never assesses a candidate from their own.",
        )
        self.form: EmployerFormDialog | None = None
        self.add_button("New employer…", "employer_new", self.new_employer, needs_row=False)
        self.add_button("Edit or rename…", "employer_edit", self.edit_employer, needs_row=True)
        self.toggle_button = self.add_button(
            "Deactivate", "employer_toggle", self.toggle_active, needs_row=True
        )
        self.finish_buttons()

    def read(self) -> list[EmployerEntry]:
        return employers.list_employers(self.db, self.actor)

    def cells(self, e: EmployerEntry) -> Sequence[str]:
        return (
            e.name,
            e.kind_label,
            e.contact_email or "—",
            str(e.candidates),
            str(e.accounts),
            "Active" if e.active else "Deactivated",
        )

    def summary(self) -> str:
        return f"{len(self.entries)} employers."

    def selection_changed(self) -> None:
        entry = self.selected()
        self.toggle_button.setText("Re-activate" if entry is not None and not entry.active else "Deactivate")

    def new_employer(self) -> None:
        form = self.form = EmployerFormDialog(None, self)
        form.submitted.connect(
            lambda: self.write(
                employers.add_employer,
                self.db,
                self.actor,
                form.name.text(),
                form.kind.currentData(),
                form.email.text(),
                done=lambda e: f"{e.name} is added.",
                form=form,
            )
        )
        form.open()

    def edit_employer(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        form = self.form = EmployerFormDialog(entry, self)
        form.submitted.connect(
            lambda: self.write(
                _save,
                self.db,
                self.actor,
                entry.id,
                form.name.text(),
                form.kind.currentData(),
                form.email.text(),
                done=_renamed,
                form=form,
            )
        )
        form.open()

    def on_activated(self) -> None:
        self.edit_employer()

    def toggle_active(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.write(
                employers.set_employer_active,
                self.db,
                self.actor,
                entry.id,
                not entry.active,
                done=lambda e: (
                    f"{e.name} is {'active again' if e.active else 'deactivated: it takes no new records'}."
                ),
            )
