"""A sitting's evidence notes: read once, then added, changed and deleted through the queue.

A note is stamped when Enter is pressed: the phase clock (time into the running or
paused phase) and the wall time. It shows at once as *saving*, as *saved* when the
commit is on disk, and as *not saved yet, retrying* while the disk cannot take it.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.scoring.evidence_notebook import NoteEntry
from ui.work.pending_writes import iso

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.services.scoring import NoteView
    from ui.scoring.sitting_host import SittingHost


def read_notes(db: Database, actor: Actor, sitting_id: str) -> list[NoteView]:
    from naas_centre.services import scoring

    return scoring.my_notes(db, actor, sitting_id)


class SittingNotes(QObject):
    note_saved = Signal(str, int, str)  # station id, note key on screen, note id: added or changed
    note_deleted = Signal(str, str)  # station id, note id
    notes_loaded = Signal()

    def __init__(self, view: SittingHost, parent: QWidget) -> None:
        super().__init__(parent)
        self.parent_widget = parent  # where its error messages show
        self.view = view
        self.tasks, self.db, self.actor = view.tasks, view.db, view.actor
        self.sitting_id = view.sitting_id
        self.panels = view.panels
        self.pending = view.pending
        self.loaded = False
        for sid, panel in self.panels.items():
            panel.notebook.note_submitted.connect(partial(self._add_note, sid))
            panel.notebook.note_edit_submitted.connect(partial(self._edit_note, sid))
            panel.notebook.note_delete_confirmed.connect(partial(self._delete_note, sid))

    def load(self) -> None:
        self.tasks.run(
            read_notes,
            self.db,
            self.actor,
            self.sitting_id,
            on_done=self._notes_read,
            owner=self,
            name="read_notes",
        )

    def _notes_read(self, notes: list[NoteView]) -> None:
        for sid, panel in self.panels.items():
            book = panel.notebook
            waiting = [e for e in book.model.entries if e.state != "saved"]  # on their way: keep
            known = {e.note_id for e in waiting}
            entries = [
                NoteEntry(
                    book.model.new_key(),
                    n.id,
                    n.text,
                    n.criterion_id,
                    n.phase,
                    n.phase_clock_ms,
                    n.written_at,
                    "saved",
                    n.edited,
                )
                for n in notes
                if n.station_id == sid and n.id not in known
            ]
            book.load(entries + waiting)
        self.loaded = True
        self.notes_loaded.emit()

    def _add_note(self, station_id: str, text: str, criterion_id: str | None) -> None:
        if not self.view.scoring:
            return
        panel = self.panels[station_id]
        now = self.view.clock()
        phase, clock_ms = panel.timer.clock.note_stamp(now) if panel.timer.clock else (None, None)
        book = panel.notebook
        key = book.model.new_key()
        book.add(NoteEntry(key, None, text, criterion_id, phase, clock_ms, now, "saving"))
        self.view.saving_started.emit()
        self.pending.submit(
            self.actor,
            "add_note",
            {
                "sitting_id": self.sitting_id,
                "station_id": station_id,
                "text": text,
                "criterion_id": criterion_id,
                "phase": phase,
                "phase_clock_ms": clock_ms,
                "written_at": iso(now),
            },
            label=f"note “{text[:40]}”",
            owner=self,
            on_saved=partial(self._note_added, station_id, key),
            on_waiting=partial(book.model.update, key, state="retrying"),
            on_refused=partial(self._note_refused, station_id, key, text),
        )

    def _note_added(self, station_id: str, key: int, note_id: str) -> None:
        self.panels[station_id].notebook.model.update(key, note_id=note_id, state="saved")
        self.note_saved.emit(station_id, key, note_id)

    def _note_refused(self, station_id: str, key: int, text: str, exc: BaseException) -> None:
        self.panels[station_id].notebook.model.remove(key)
        error_reporting.show_error(self.parent_widget, exc, f"The note was not saved. It read: “{text}”")

    def _edit_note(self, station_id: str, key: int, text: str, criterion_id: str | None) -> None:
        book = self.panels[station_id].notebook
        before = book.model.entry(key)
        if before is None or before.note_id is None or not self.view.scoring:
            return
        book.model.update(key, text=text, criterion_id=criterion_id, state="saving")
        self.view.saving_started.emit()
        self.pending.submit(
            self.actor,
            "edit_note",
            {
                "sitting_id": self.sitting_id,
                "station_id": station_id,
                "note_id": before.note_id,
                "text": text,
                "criterion_id": criterion_id,
            },
            label=f"change to note “{text[:40]}”",
            owner=self,
            on_saved=lambda _r: self._note_changed(station_id, key, before.note_id or ""),
            on_waiting=partial(book.model.update, key, state="retrying"),
            on_refused=partial(self._note_edit_refused, station_id, key, before),
        )

    def _note_changed(self, station_id: str, key: int, note_id: str) -> None:
        self.panels[station_id].notebook.model.update(key, state="saved", edited=True)
        self.note_saved.emit(station_id, key, note_id)

    def _note_edit_refused(self, station_id: str, key: int, before: NoteEntry, exc: BaseException) -> None:
        self.panels[station_id].notebook.model.update(
            key, text=before.text, criterion_id=before.criterion_id, state="saved"
        )
        error_reporting.show_error(self.parent_widget, exc, "The note was not changed")

    def _delete_note(self, station_id: str, key: int) -> None:
        book = self.panels[station_id].notebook
        entry = book.model.entry(key)
        if entry is None or entry.note_id is None or not self.view.scoring:
            return
        book.model.update(key, state="deleting")
        self.view.saving_started.emit()
        note_id = entry.note_id
        self.pending.submit(
            self.actor,
            "delete_note",
            {"sitting_id": self.sitting_id, "station_id": station_id, "note_id": note_id},
            label=f"deleting note “{entry.text[:40]}”",
            owner=self,
            on_saved=lambda _r: self._note_gone(station_id, key, note_id),
            on_waiting=partial(book.model.update, key, state="retrying"),
            on_refused=partial(self._note_delete_refused, station_id, key),
        )

    def _note_gone(self, station_id: str, key: int, note_id: str) -> None:
        self.panels[station_id].notebook.model.remove(key)
        self.note_deleted.emit(station_id, note_id)

    def _note_delete_refused(self, station_id: str, key: int, exc: BaseException) -> None:
        self.panels[station_id].notebook.model.update(key, state="saved")
        error_reporting.show_error(self.parent_widget, exc, "The note was not deleted")
