"""Rooms: role-play rooms for the stations, rooms for the written exercise."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from db.engine import Database
from naas_centre.services import resources
from naas_centre.services.resources import RoomEntry
from naas_centre.services.views import Actor
from ui.centre.admin.form_dialog import FormDialog
from ui.centre.admin.list_tab import ListTab
from ui.work.tasks import TaskManager


class RoomFormDialog(FormDialog):
    def __init__(self, entry: RoomEntry | None, parent: QWidget) -> None:
        super().__init__("New room" if entry is None else f"Edit {entry.name}", parent)
        self.name = self.line("Name", "room_name", entry.name if entry else "", "such as Room 1")
        self.kind = self.choice(
            "Used for", "room_kind", list(resources.ROOM_KINDS.items()), entry.kind if entry else "role_play"
        )
        self.active = self.check("In use (planned into days)", "room_active", entry.active if entry else True)
        self.active.setEnabled(entry is not None)


class RoomsTab(ListTab[RoomEntry]):
    columns = ("Room", "Used for", "State")

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor) -> None:
        super().__init__(
            tasks,
            db,
            actor,
            "A role-play room holds one station at a time; a written-exercise room holds the "
            "workstations. A room past sittings used is taken out of use, never deleted.",
        )
        self.form: RoomFormDialog | None = None
        self.add_button("New room…", "room_new", self.new_room, needs_row=False)
        self.add_button("Edit…", "room_edit", self.edit_room, needs_row=True)
        self.finish_buttons()

    def read(self) -> list[RoomEntry]:
        return resources.list_rooms(self.db, self.actor)

    def cells(self, e: RoomEntry) -> Sequence[str]:
        return (e.name, e.kind_label, "In use" if e.active else "Out of use")

    def summary(self) -> str:
        return f"{len(self.entries)} rooms."

    def new_room(self) -> None:
        form = self.form = RoomFormDialog(None, self)
        form.submitted.connect(
            lambda: self.write(
                resources.add_room,
                self.db,
                self.actor,
                form.name.text(),
                form.kind.currentData(),
                done=lambda e: f"{e.name} is added.",
                form=form,
            )
        )
        form.open()

    def edit_room(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        form = self.form = RoomFormDialog(entry, self)
        form.submitted.connect(
            lambda: self.write(
                resources.update_room,
                self.db,
                self.actor,
                entry.id,
                name=form.name.text(),
                kind=form.kind.currentData(),
                active=form.active.isChecked(),
                done=lambda e: f"{e.name} is saved.",
                form=form,
            )
        )
        form.open()

    def on_activated(self) -> None:
        self.edit_room()
