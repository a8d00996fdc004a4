"""Helpers for the scoring-station tests: a sitting view on the demo centre, opened as the
app opens it (clocks and notes read, the journal replayed), and a second connection to
read back what is on disk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import AuditEntryRow, EvidenceNoteRow, PhaseEventRow, ScoreRow
from naas_centre.errors import PermissionDenied
from naas_centre.packs.schema import Criterion
from naas_centre.services import packs, sittings
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre
from ui.common.settings import Settings
from ui.scoring.sitting_view import SittingView, load_sitting
from ui.scoring.station_panel import StationPanel
from ui.work.tasks import TaskManager


def now() -> datetime:
    return datetime.now(UTC)


def first_sitting(demo: DemoCentre, actor: Actor) -> str:
    return sittings.list_for_assessor(demo.db, actor, demo.day)[0].id


def own_stations(demo: DemoCentre, actor: Actor, sitting_id: str) -> list[str]:
    """The stations an assessor observes in a sitting (in a circuit, not all of them)."""
    mine = sittings.sitting_detail(demo.db, actor, sitting_id).mine
    assert mine is not None
    return list(mine.levels)


def own_criteria(demo: DemoCentre, actor: Actor, sitting_id: str) -> list[tuple[str, Criterion]]:
    """(station, criterion) for every criterion on an assessor's own sheet, in sitting order."""
    stations = set(own_stations(demo, actor, sitting_id))
    pack = packs.pack_for_sitting(demo.db, actor, sitting_id)
    return [(station, c) for station, c in pack.criteria() if station in stations]


def partner(demo: DemoCentre, sitting_id: str, not_username: str) -> Actor:
    """The other assessor of a sitting: one who observes a station with ``not_username``."""
    from naas_centre.demo.centre import ACCOUNTS

    shared = set(own_stations(demo, demo.actor(not_username), sitting_id))
    for username in (a.username for a in ACCOUNTS if a.username.startswith("assessor")):
        if username == not_username:
            continue
        actor = demo.actor(username)
        try:
            theirs = set(own_stations(demo, actor, sitting_id))
        except PermissionDenied:
            continue
        if theirs & shared:
            return actor
    raise AssertionError("no second assessor")


def open_view(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    actor: Actor,
    sitting_id: str,
    settings: Settings | None = None,
    *,
    width: int = 1366,
    height: int = 720,
    clock: Callable[[], datetime] | None = None,
) -> SittingView:
    detail, pack = load_sitting(demo.db, actor, sitting_id)
    view = SittingView(
        tasks, demo.db, actor, detail, pack, settings=settings, **({"clock": clock} if clock else {})
    )
    view.pending.retry_delays_ms = (40, 80, 160, 250)
    qtbot.addWidget(view)
    view.resize(width, height)
    with qtbot.waitSignal(view.clocks.clocks_loaded, timeout=10_000):
        view.show()
    if detail.mine is not None:
        qtbot.waitUntil(lambda: view.notes.loaded, timeout=10_000)
    return view


def close_view(view: SittingView, tasks: TaskManager, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: view.pending.idle, timeout=15_000)
    view.close()
    tasks.wait()


def panel(view: SittingView, index: int = 0) -> StationPanel:
    return list(view.panels.values())[index]


def events(demo: DemoCentre, sitting_id: str) -> list[PhaseEventRow]:
    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            rows = s.scalars(
                select(PhaseEventRow).where(PhaseEventRow.sitting_id == sitting_id).order_by(PhaseEventRow.at)
            ).all()
            for r in rows:
                s.expunge(r)
            return list(rows)
    finally:
        fresh.dispose()


def notes(demo: DemoCentre, sitting_id: str) -> list[EvidenceNoteRow]:
    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            rows = s.scalars(
                select(EvidenceNoteRow)
                .where(EvidenceNoteRow.sitting_id == sitting_id)
                .order_by(EvidenceNoteRow.written_at)
            ).all()
            for r in rows:
                s.expunge(r)
            return list(rows)
    finally:
        fresh.dispose()


def level(demo: DemoCentre, sitting_id: str, assessor_id: str, station: str, criterion: str) -> int | None:
    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            return s.scalar(
                select(ScoreRow.level).where(
                    ScoreRow.sitting_id == sitting_id,
                    ScoreRow.assessor_id == assessor_id,
                    ScoreRow.station_id == station,
                    ScoreRow.criterion_id == criterion,
                )
            )
    finally:
        fresh.dispose()


def audit_actions(demo: DemoCentre, entity_id: str) -> list[tuple[str, str | None, str | None]]:
    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            return [
                (e.action, e.before, e.after)
                for e in s.scalars(
                    select(AuditEntryRow)
                    .where(AuditEntryRow.entity_id == entity_id)
                    .order_by(AuditEntryRow.seq)
                )
            ]
    finally:
        fresh.dispose()


@contextmanager
def captured_errors(monkeypatch: Any) -> Iterator[list[tuple[BaseException, str]]]:
    """Errors the screen would show in a (modal) box, collected instead."""
    shown: list[tuple[BaseException, str]] = []

    def show(_parent: object, exc: BaseException, title: str = "") -> None:
        shown.append((exc, title))

    monkeypatch.setattr("ui.common.error_reporting.show_error", show)
    yield shown


Condition = Callable[[], object]


def others_of(demo: DemoCentre, sitting_id: str, but: set[str]) -> list[Actor]:
    """The sitting's other assessors (in a circuit, those of its other stations)."""
    from naas_centre.demo.centre import ACCOUNTS

    out = []
    for username in (a.username for a in ACCOUNTS if a.username.startswith("assessor")):
        if username in but:
            continue
        actor = demo.actor(username)
        try:
            sittings.sitting_detail(demo.db, actor, sitting_id)
        except PermissionDenied:
            continue
        out.append(actor)
    return out
