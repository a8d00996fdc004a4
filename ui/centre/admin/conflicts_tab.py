"""Declared conflicts of interest: an assessor and a candidate never paired."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from db.engine import Database
from naas_centre.formatting import local_moment
from naas_centre.services import conflicts
from naas_centre.services.conflicts import ConflictEntry, Person
from naas_centre.services.views import Actor
from ui.centre.admin.form_dialog import FormDialog
from ui.centre.admin.list_tab import ListTab
from ui.common.widgets import label
from ui.work.tasks import TaskManager


class ConflictFormDialog(FormDialog):
    def __init__(self, assessors: list[Person], candidates: list[Person], parent: QWidget) -> None:
        super().__init__(
            "Declare a conflict of interest",
            parent,
            intro="The assessor will never be planned with this candidate. A candidate from the "
            "assessor's own employer needs no declaration: that rule always holds.",
        )
        self.assessor = self.choice(
            "Assessor", "conflict_assessor", [(p.id, f"{p.name} ({p.detail})") for p in assessors]
        )
        self.candidate = self.choice(
            "Candidate", "conflict_candidate", [(p.id, f"{p.name} ({p.detail})") for p in candidates]
        )
        self.kind = self.choice("The assessor", "conflict_kind", list(conflicts.KINDS.items()))
        self.note = QPlainTextEdit()
        self.note.setObjectName("conflict_note")
        self.note.setPlaceholderText(
            "Who declared it and what it is, such as: managed her at Leeds until 2024"
        )
        self.note.setFixedHeight(72)
        self.form.addRow(label("Note", "field-name", buddy=self.note), self.note)


class ConflictsTab(ListTab[ConflictEntry]):
    columns = ("Assessor", "Candidate", "Registration", "Conflict", "Note", "Declared")

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor) -> None:
        super().__init__(
            tasks,
            db,
            actor,
            "An assessor who knows, line-manages or has worked with a candidate is never planned "
            "with them. A declaration made in error is withdrawn; the audit trail keeps it.",
        )
        self.form: ConflictFormDialog | None = None
        self.add_button("Declare…", "conflict_new", self.declare, needs_row=False)
        self.add_button("Withdraw", "conflict_withdraw", self.withdraw, needs_row=True)
        self.finish_buttons()

    def read(self) -> list[ConflictEntry]:
        return conflicts.list_conflicts(self.db, self.actor)

    def cells(self, e: ConflictEntry) -> Sequence[str]:
        return (
            e.assessor_name,
            e.candidate_name,
            e.candidate_registration,
            e.kind_label,
            " ".join(e.note.split()) or "—",
            local_moment(e.declared_at),
        )

    def summary(self) -> str:
        return f"{len(self.entries)} declared conflicts."

    def declare(self) -> None:
        self.tasks.run(
            conflicts.choices, self.db, self.actor, on_done=self._open_form, on_error=self.refuse, owner=self
        )

    def _open_form(self, people: tuple[list[Person], list[Person]]) -> None:
        assessors, candidates = people
        if not assessors or not candidates:
            missing = "assessor accounts" if not assessors else "candidates"
            self.say(
                f"There are no {missing} yet: a conflict is declared between an assessor and a candidate.",
                "error",
            )
            return
        form = self.form = ConflictFormDialog(assessors, candidates, self)
        form.submitted.connect(
            lambda: self.write(
                conflicts.declare_conflict,
                self.db,
                self.actor,
                form.assessor.currentData(),
                form.candidate.currentData(),
                form.kind.currentData(),
                form.note.toPlainText(),
                done=lambda e: f"Declared: {e.assessor_name} and {e.candidate_name} are never paired.",
                form=form,
            )
        )
        form.open()

    def withdraw(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.write(
                conflicts.withdraw_conflict,
                self.db,
                self.actor,
                entry.id,
                done=lambda _none: f"Withdrawn: {entry.assessor_name} and {entry.candidate_name}.",
            )
