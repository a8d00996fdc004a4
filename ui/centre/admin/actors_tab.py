"""Actors: their video consent and the parts they can play, from the installed packs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from db.engine import Database
from naas_centre import paths
from naas_centre.services import resources
from naas_centre.services.resources import ActorEntry, Part
from naas_centre.services.views import Actor
from ui.centre.admin.form_dialog import FormDialog
from ui.centre.admin.list_tab import ListTab
from ui.common.widgets import label
from ui.work.tasks import TaskManager


@dataclass(frozen=True)
class ActorListing:
    actors: list[ActorEntry]
    parts: list[Part]


class ActorFormDialog(FormDialog):
    def __init__(self, entry: ActorEntry | None, parts: list[Part], parent: QWidget) -> None:
        super().__init__("New actor" if entry is None else f"Edit {entry.full_name}", parent)
        self.name = self.line("Name", "actor_name", entry.full_name if entry else "")
        self.consent = self.check(
            "Consents to being recorded on video",
            "actor_consent",
            entry.video_consent if entry else False,
        )
        self.parts = QListWidget()
        self.parts.setObjectName("actor_parts")
        self.parts.setMinimumHeight(150)
        have = set(entry.parts) if entry else set()
        known = {p.key for p in parts}
        for part in parts:
            self._item(part.key, part.label, part.key in have)
        for key in sorted(have - known):  # a pack no longer installed here: kept, shown plainly
            self._item(key, f"{key} (pack not installed on this workstation)", True)
        self.form.addRow(label("Parts they can play", "field-name", buddy=self.parts), self.parts)
        self.active = self.check("Available to be planned", "actor_active", entry.active if entry else True)
        self.active.setEnabled(entry is not None)

    def _item(self, key: str, text: str, checked: bool) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setToolTip(key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.parts.addItem(item)

    def chosen(self) -> list[str]:
        out = []
        for i in range(self.parts.count()):
            item = self.parts.item(i)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out


class ActorsTab(ListTab[ActorEntry]):
    columns = ("Actor", "Video consent", "Parts", "State")

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, data_dir: Path | None = None) -> None:
        super().__init__(
            tasks,
            db,
            actor,
            "Professional actors and the role-play parts they can play. Only an actor who "
            "consents is recorded on video.",
        )
        # The centre's own packs folder, beside the built-in packs and those stored in use.
        self.pack_dirs = [paths.packs_dir(data_dir)] if data_dir is not None else []
        self.parts: list[Part] = []
        self.form: ActorFormDialog | None = None
        self.add_button("New actor…", "actor_new", self.new_actor, needs_row=False)
        self.add_button("Edit…", "actor_edit", self.edit_actor, needs_row=True)
        self.finish_buttons()

    def read(self) -> list[ActorEntry]:
        return resources.list_actors(self.db, self.actor)

    def reload(self) -> None:
        self.tasks.run(
            self._listing, on_done=self._listed, on_error=self._read_failed, owner=self, name="actors"
        )

    def _listing(self) -> ActorListing:
        # A missing packs folder is no problem: its listing comes back empty-handed.
        return ActorListing(self.read(), resources.playable_parts(self.db, self.pack_dirs))

    def _listed(self, listing: ActorListing) -> None:
        self.parts = listing.parts
        self._show(listing.actors)

    def cells(self, e: ActorEntry) -> Sequence[str]:
        titles = {p.key: p.station_title for p in self.parts}
        parts = ", ".join(titles.get(k, k) for k in e.parts) or "none given"
        return (
            e.full_name,
            "Yes" if e.video_consent else "No",
            parts,
            "Available" if e.active else "Not available",
        )

    def summary(self) -> str:
        return f"{len(self.entries)} actors."

    def new_actor(self) -> None:
        form = self.form = ActorFormDialog(None, self.parts, self)
        form.submitted.connect(
            lambda: self.write(
                resources.add_actor,
                self.db,
                self.actor,
                form.name.text(),
                form.consent.isChecked(),
                form.chosen(),
                pack_dirs=self.pack_dirs,
                done=lambda e: f"{e.full_name} is added.",
                form=form,
            )
        )
        form.open()

    def edit_actor(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        form = self.form = ActorFormDialog(entry, self.parts, self)
        form.submitted.connect(
            lambda: self.write(
                resources.update_actor,
                self.db,
                self.actor,
                entry.id,
                full_name=form.name.text(),
                video_consent=form.consent.isChecked(),
                parts=form.chosen(),
                active=form.active.isChecked(),
                pack_dirs=self.pack_dirs,
                done=lambda e: f"{e.full_name} is saved.",
                form=form,
            )
        )
        form.open()

    def on_activated(self) -> None:
        self.edit_actor()
