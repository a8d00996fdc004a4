"""Reviewing a recorded role-play beside the rubric grid (read-only).

The player is the one recording player (``recording_player``: Qt's ``QMediaPlayer`` into
a ``QVideoWidget``, frame steps, speed, the time line). Beside it: the notes
as chapters (choosing one plays from ``LEAD_MS`` before it), reviewers' bookmarks (added
at the player's position), frame stepping, speed from 0.5× to 2×, and the phase time
line with its pauses. Everything is read in a background task; a bookmark is saved
through the write worker.

Frame stepping pauses the player and moves it to the start of the next (or previous)
frame, by the recording's own frame rate: a paused ``QMediaPlayer`` shows the frame at
its position, so a step lands on one frame exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from naas_centre.errors import NotFound
from naas_centre.protection.sealed_media import SealedMediaFile
from naas_centre.services import recordings
from naas_centre.services.recordings import BookmarkView, ChapterView, RecordingView
from naas_centre.services.views import Actor
from naas_centre.video.index import Mark
from ui.common import error_reporting
from ui.common.rubric_grid import RubricGridView, RubricTableModel
from ui.common.widgets import label
from ui.video.recording_player import PlayerSource, RecordingPlayer, clock_text, open_sealed

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.packs.schema import Pack
    from ui.work.tasks import TaskManager

LEAD_MS = 5000  # a chapter plays from a little before the note: what led to it


@dataclass(frozen=True)
class ReviewData:
    recording: RecordingView
    folder: Path
    fps: int
    duration_ms: int
    marks: tuple[Mark, ...]
    chapters: tuple[ChapterView, ...]
    bookmarks: tuple[BookmarkView, ...]
    pack: Pack
    levels: dict[str, int | None]  # the sheet shown beside it: criterion → level
    sheet_name: str
    criteria: dict[str, str]  # criterion id → its text
    media: Path  # the MP4
    sealed: SealedMediaFile | None  # opened here, in the worker, when the recording is sealed


def read_review(
    db: Database, actor: Actor, data_dir: Path, sitting_id: str, station_id: str, recording_id: str | None
) -> ReviewData:
    """Runs in a worker: the recording (the station's newest with media, unless named),
    its notes and bookmarks, its index, and a sheet for the grid."""
    from naas_centre.services import packs, sittings
    from naas_centre.video.index import read_index

    made = recordings.recordings_of(db, actor, sitting_id, station_id)
    usable = [r for r in made if r.has_media and (recording_id is None or r.id == recording_id)]
    if not usable:
        raise NotFound("This station has no recording to review (none was made, or it was deleted).")
    recording = usable[-1]
    folder = recordings.recording_folder(data_dir, recording)
    index = read_index(folder)
    duration = index.duration if index.duration is not None else (recording.duration or 0.0)
    pack = packs.pack_for_sitting(db, actor, sitting_id)
    detail = sittings.sitting_detail(db, actor, sitting_id)
    sheets = [s for s in (detail.mine, *detail.others) if s is not None]
    sheet = sheets[0] if sheets else None
    return ReviewData(
        recording,
        folder,
        index.fps,
        round(duration * 1000),
        index.marks,
        tuple(recordings.chapters(db, actor, recording.id)),
        tuple(recordings.bookmarks(db, actor, recording.id)),
        pack,
        dict(sheet.levels.get(station_id, {})) if sheet else {},
        sheet.assessor_name if sheet else "",
        {c.id: c.text for sid, c in pack.criteria() if sid == station_id},
        folder / index.file,
        open_sealed(folder / index.file, recordings.media_passphrase(db)),
    )


class ReviewDialog(QDialog):
    loaded = Signal()
    media_ready = Signal()  # the player has the file (and is at the criterion's note, if asked)
    bookmark_saved = Signal(object)  # BookmarkView

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        data_dir: Path,
        sitting_id: str,
        station_id: str,
        parent: QWidget | None = None,
        *,
        recording_id: str | None = None,
        criterion_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewDialog")
        self.setWindowTitle("Review the recording")
        self.tasks, self.db, self.actor = tasks, db, actor
        self.station_id, self.criterion_id = station_id, criterion_id
        self.data: ReviewData | None = None
        self._first: ChapterView | None = None  # played once the file is loaded
        self.resize(1320, 720)
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            self.resize(min(1320, room.width() - 40), min(720, room.height() - 48))

        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 12, 10)
        self.heading = label("Loading the recording…", "heading", wrap=True)
        self.heading.setObjectName("review_heading")
        box.addWidget(self.heading)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        box.addWidget(splitter, 1)
        self.grid_box = QWidget()
        self.grid_layout = QVBoxLayout(self.grid_box)
        self.grid_layout.setContentsMargins(0, 0, 0, 0)
        self.sheet_label = label("", "muted", wrap=True)
        self.grid_layout.addWidget(self.sheet_label)
        self.grid: RubricGridView | None = None
        splitter.addWidget(self.grid_box)

        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        self.viewer = RecordingPlayer(name="review")
        self.viewer.video.setMinimumSize(400, 225)
        self.viewer.media_ready.connect(self._media_loaded)
        column.addWidget(self.viewer, 3)
        # Its parts, by the names the rest of the dialog (and its readers) use.
        v = self.viewer
        self.player, self.video, self.timeline = v.player, v.video, v.timeline
        self.play_button, self.back_frame, self.next_frame = v.play_button, v.back_frame, v.next_frame
        self.speed, self.position_label = v.speed, v.position_label
        lists = QHBoxLayout()
        chapters = QVBoxLayout()
        chapters.addWidget(label("Notes (choose one to play from 5 s before it)", "field-name", wrap=True))
        self.chapters = QListWidget()
        self.chapters.setObjectName("review_chapters")
        self.chapters.setWordWrap(True)
        self.chapters.itemClicked.connect(self._chapter_chosen)
        self.chapters.itemActivated.connect(self._chapter_chosen)
        chapters.addWidget(self.chapters)
        lists.addLayout(chapters, 3)
        marks = QVBoxLayout()
        marks.addWidget(label("Bookmarks", "field-name"))
        self.bookmarks = QListWidget()
        self.bookmarks.setObjectName("review_bookmarks")
        self.bookmarks.setWordWrap(True)
        self.bookmarks.itemClicked.connect(self._bookmark_chosen)
        marks.addWidget(self.bookmarks)
        add = QHBoxLayout()
        self.bookmark_text = QLineEdit()
        self.bookmark_text.setObjectName("review_bookmark_text")
        self.bookmark_text.setPlaceholderText("What happens here")
        self.bookmark_text.returnPressed.connect(self.add_bookmark)
        add.addWidget(self.bookmark_text, 1)
        self.bookmark_button = QPushButton("Bookmark here")
        self.bookmark_button.setObjectName("review_bookmark_add")
        self.bookmark_button.clicked.connect(self.add_bookmark)
        add.addWidget(self.bookmark_button)
        marks.addLayout(add)
        lists.addLayout(marks, 2)
        column.addLayout(lists, 2)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([600, 700])

        self.finished.connect(lambda _r: self.viewer.release())
        tasks.run(
            read_review,
            db,
            actor,
            data_dir,
            sitting_id,
            station_id,
            recording_id,
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
            name="read_review",
        )

    # -- loading ---------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        self.heading.setText(
            str(exc) if error_reporting.is_user_error(exc) else "The recording could not be read."
        )
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)

    def _loaded(self, data: ReviewData) -> None:
        self.data = data
        rec = data.recording
        title = next((sc.title for sc in data.pack.scenarios if sc.id == self.station_id), self.station_id)
        self.heading.setText(
            f"Recording of “{title}”, {rec.started_at.astimezone():%d %b %Y %H:%M}, "
            f"{clock_text(data.duration_ms)} long"
        )
        rubric = dict(data.pack.rubrics()).get(self.station_id)
        if rubric is not None:
            model = RubricTableModel(data.pack, self.station_id, rubric, self)
            model.load(data.levels)
            model.set_read_only(True)
            self.grid = RubricGridView()
            self.grid.setObjectName("review_grid")
            self.grid.setModel(model)
            self.grid_layout.addWidget(self.grid, 1)
            shown = f"{data.sheet_name}'s levels" if data.sheet_name else "No levels to show"
            self.sheet_label.setText(f"{shown} (read-only)")
        self._show_chapters()
        self._show_bookmarks()
        if self.criterion_id is not None:
            self._first = next((c for c in data.chapters if c.criterion_id == self.criterion_id), None)
        self.viewer.load(
            PlayerSource(data.media, data.fps, data.duration_ms, data.marks, data.sealed),
            [c.recording_ms for c in data.chapters],
            [b.position_ms for b in data.bookmarks],
        )
        self.loaded.emit()

    def _media_loaded(self) -> None:
        """The file is in, paused at its start; opened at a criterion, it plays from a
        little before that criterion's first note."""
        first, self._first = self._first, None
        if first is not None:
            self.play_chapter(first)
        self.media_ready.emit()

    def _show_chapters(self) -> None:
        assert self.data is not None
        self.chapters.clear()
        for chapter in self.data.chapters:
            about = self.data.criteria.get(chapter.criterion_id or "", "")
            text = f"{clock_text(chapter.recording_ms)}  {chapter.text}"
            item = QListWidgetItem(text + (f"\n    ({about[:80]})" if about else ""), self.chapters)
            item.setData(Qt.ItemDataRole.UserRole, chapter.recording_ms)
            if self.criterion_id is not None and chapter.criterion_id == self.criterion_id:
                font = item.font()
                font.setBold(True)
                item.setFont(font)

    def _show_bookmarks(self) -> None:
        assert self.data is not None
        self.bookmarks.clear()
        for mark in self.data.bookmarks:
            item = QListWidgetItem(f"{clock_text(mark.position_ms)}  {mark.text}", self.bookmarks)
            item.setData(Qt.ItemDataRole.UserRole, mark.position_ms)

    # -- playing ---------------------------------------------------------------------------

    def seek(self, ms: int) -> None:
        self.viewer.seek(ms)

    def position(self) -> int:
        """Where the recording is, or is about to be after a seek just asked for."""
        return self.viewer.position()

    def play_chapter(self, chapter: ChapterView) -> None:
        self.viewer.play_from(chapter.recording_ms - LEAD_MS)

    def _chapter_chosen(self, item: QListWidgetItem) -> None:
        assert self.data is not None
        self.play_chapter(self.data.chapters[self.chapters.row(item)])

    def _bookmark_chosen(self, item: QListWidgetItem) -> None:
        self.seek(int(item.data(Qt.ItemDataRole.UserRole)))

    def toggle_play(self) -> None:
        self.viewer.toggle_play()

    def step(self, frames: int) -> None:
        self.viewer.step(frames)

    # -- bookmarks -------------------------------------------------------------------------

    def add_bookmark(self) -> None:
        if self.data is None:
            return
        text = self.bookmark_text.text()
        self.tasks.write(
            recordings.add_bookmark,
            self.db,
            self.actor,
            self.data.recording.id,
            self.position(),
            text,
            on_done=self._bookmark_added,
            on_error=lambda exc: error_reporting.show_error(self, exc, "The bookmark was not saved"),
            owner=self,
            name="add_bookmark",
        )

    def _bookmark_added(self, mark: BookmarkView) -> None:
        assert self.data is not None
        marks = tuple(sorted((*self.data.bookmarks, mark), key=lambda b: b.position_ms))
        self.data = replace(self.data, bookmarks=marks)
        self.bookmark_text.clear()
        self._show_bookmarks()
        self.viewer.set_bookmarks([b.position_ms for b in marks])
        self.bookmark_saved.emit(mark)
