"""The day's run-sheets, drawn for print: each room's rota, each actor's pack, each
candidate's timetable and the sign-in sheet.

Plain data in (``RunSheetDay``, gathered by ``naas_centre.services.run_sheets``), PDF
bytes out, in the look of the reports (``layout``) and with their fonts, so Arabic and
other scripts in a name come out joined and in order.

Who reads what matters here: an actor's confidential brief is held only by that
actor's ``ActorPack``; the rota, the timetables and the sign-in sheet are built from
data that does not carry it, so no sheet a candidate might see can show it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from naas_centre import __version__
from naas_centre.reports import fonts
from naas_centre.reports.layout import (
    ACCENT,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    RULE,
    SHADE,
    PageInfo,
    canvas_maker,
    facts,
    grid,
    hm,
    long_day,
    p,
    styles,
)

KIND_WORDS = {
    "role_play": "Role-play",
    "reflective": "Conversation with the assessors",
    "written": "Written exercise",
}


@dataclass(frozen=True)
class RotaRow:
    starts_at: datetime
    ends_at: datetime
    candidate: str
    registration: str
    adjustments: str  # what the assessors need to know, in a few words; "" for none


@dataclass(frozen=True)
class RoomRota:
    room: str
    station_title: str
    kind: str  # role_play, reflective or written
    assessors: tuple[str, ...]
    actor: str | None
    rows: tuple[RotaRow, ...]


@dataclass(frozen=True)
class ActorStation:
    """One part an actor plays: the room, the scenario and its confidential brief."""

    room: str
    station_title: str
    setting: str
    candidate_brief: str  # what the candidate is told: the actor may know it
    actor_brief: str  # confidential: in this actor's pack only
    rows: tuple[RotaRow, ...]


@dataclass(frozen=True)
class ActorPack:
    actor: str
    stations: tuple[ActorStation, ...]


@dataclass(frozen=True)
class TimetableEntry:
    starts_at: datetime
    ends_at: datetime
    what: str
    where: str


@dataclass(frozen=True)
class Timetable:
    candidate: str
    registration: str
    employer: str
    arrive_by: datetime
    adjustments: tuple[str, ...]  # stated plainly, one per line; empty for none
    entries: tuple[TimetableEntry, ...]


@dataclass(frozen=True)
class SignInRow:
    first_at: datetime
    candidate: str
    registration: str
    employer: str
    first_room: str


@dataclass(frozen=True)
class RunSheetDay:
    centre: str
    day: date
    timezone: str
    pack_title: str
    rotas: tuple[RoomRota, ...]
    actor_packs: tuple[ActorPack, ...]
    timetables: tuple[Timetable, ...]
    sign_in: tuple[SignInRow, ...]


def _write(
    story: list[Any], info: PageInfo, *, title: str, author: str, pagesize: tuple[float, float] = A4
) -> bytes:
    fonts.register()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        creator=f"naas-centre {__version__}",
        lang="en-GB",
        displayDocTitle=1,
        initialFontName=fonts.SANS,
        initialFontSize=9,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        pagesize[0] - 2 * MARGIN_X,
        pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    with fonts.DRAWING:  # one document at a time: the fonts' subsets are shared
        doc.build(story, canvasmaker=canvas_maker(info))
    return buf.getvalue()


def _info(d: RunSheetDay, kind: str, second: str = "") -> PageInfo:
    return PageInfo(
        centre=d.centre,
        kind_label=kind,
        footer_left=f"{d.centre} · {long_day(d.day)} · {d.pack_title}",
        footer_second=second or f"Printed from naas-centre {__version__}",
    )


def _times(start: datetime, end: datetime, tz: str) -> str:
    return f"{hm(start, tz)}–{hm(end, tz)}"


def _pages(parts: Sequence[list[Any]]) -> list[Any]:
    story: list[Any] = []
    for i, part in enumerate(parts):
        if i:
            story.append(PageBreak())
        story += part
    return story


def rota(d: RunSheetDay) -> bytes:
    """The day's rota, a page per room: slots, candidates, assessors and actor."""
    st = styles()
    width = A4[0] - 2 * MARGIN_X
    parts: list[list[Any]] = []
    for r in d.rotas:
        people = [("Station", f"{r.station_title} ({KIND_WORDS.get(r.kind, r.kind)})")]
        people.append(("Assessors", ", ".join(r.assessors) or "None assigned"))
        if r.kind != "written":
            people.append(("Actor", r.actor or "No actor"))
        rows: list[list[Any]] = [
            [p(h, st["cell_bold"]) for h in ("Time", "Candidate", "Registration", "Adjustments")]
        ]
        for row in r.rows:
            rows.append(
                [
                    p(_times(row.starts_at, row.ends_at, d.timezone), st["cell"]),
                    p(row.candidate, st["cell"]),
                    p(row.registration, st["cell"]),
                    p(row.adjustments or "—", st["cell"]),
                ]
            )
        parts.append(
            [
                p(f"{r.room}: rota", st["title"]),
                p(f"{long_day(d.day)} · {d.pack_title}", st["subtitle"]),
                Spacer(1, 4 * mm),
                facts(people, width, st),
                Spacer(1, 5 * mm),
                grid(rows, [26 * mm, 64 * mm, 30 * mm, width - 120 * mm], zebra=True)
                if r.rows
                else p("No candidates are planned in this room.", st["body"]),
            ]
        )
    if not parts:
        parts = [[p("Rota", st["title"]), p("No rooms are planned on this day.", st["body"])]]
    return _write(_pages(parts), _info(d, "Rota"), title=f"Rota, {long_day(d.day)}", author=d.centre)


def actor_pack(d: RunSheetDay, pack: ActorPack) -> bytes:
    """One actor's pack: their confidential brief for each part and their candidates in order."""
    st = styles()
    width = A4[0] - 2 * MARGIN_X
    warning = Table(
        [[p(f"Confidential: for {pack.actor} only. Never show this to a candidate.", st["cell_bold"])]],
        colWidths=[width],
    )
    warning.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                ("BOX", (0, 0), (-1, -1), 1.2, INK),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    parts: list[list[Any]] = []
    for s in pack.stations:
        rows: list[list[Any]] = [[p(h, st["cell_bold"]) for h in ("Order", "Time", "Candidate")]]
        for n, row in enumerate(s.rows, start=1):
            rows.append(
                [
                    p(str(n), st["cell"]),
                    p(_times(row.starts_at, row.ends_at, d.timezone), st["cell"]),
                    p(row.candidate, st["cell"]),
                ]
            )
        part: list[Any] = [
            p(f"Actor's pack: {pack.actor}", st["title"]),
            p(f"{s.station_title} · {s.room} · {long_day(d.day)}", st["subtitle"]),
            Spacer(1, 4 * mm),
            warning,
            p("Your candidates, in order", st["h2"]),
            grid(rows, [18 * mm, 30 * mm, width - 48 * mm], zebra=True),
        ]
        if s.setting:
            part += [p("The setting", st["h2"]), p(s.setting, st["body"])]
        part += [
            p("Your brief", st["h2"]),
            p(s.actor_brief, st["script"]),
            p("What the candidate is told", st["h2"]),
            p(s.candidate_brief, st["body"]),
        ]
        parts.append(part)
    return _write(
        _pages(parts),
        _info(d, "Actor's pack: confidential", f"Confidential to {pack.actor}: not for candidates"),
        title=f"Actor's pack for {pack.actor}, {long_day(d.day)}",
        author=d.centre,
    )


def timetables(d: RunSheetDay) -> bytes:
    """Each candidate's own timetable, a page each, to hand to them."""
    st = styles()
    width = A4[0] - 2 * MARGIN_X
    parts: list[list[Any]] = []
    for t in d.timetables:
        rows: list[list[Any]] = [[p(h, st["cell_bold"]) for h in ("Time", "What", "Where")]]
        for e in t.entries:
            rows.append(
                [
                    p(_times(e.starts_at, e.ends_at, d.timezone), st["cell"]),
                    p(e.what, st["cell"]),
                    p(e.where, st["cell"]),
                ]
            )
        adjustments = (
            [p("• " + a, st["body"]) for a in t.adjustments]
            if t.adjustments
            else [
                p(
                    "None recorded. If you need one, please tell the centre staff before you start.",
                    st["body"],
                )
            ]
        )
        parts.append(
            [
                p("Your timetable", st["title"]),
                p(t.candidate, st["subtitle"], bold=True),
                Spacer(1, 3 * mm),
                facts(
                    [
                        ("Date", long_day(d.day)),
                        ("Registration", t.registration),
                        ("Employer", t.employer),
                        ("Arrive by", f"{hm(t.arrive_by, d.timezone)}, and sign in at reception"),
                    ],
                    width,
                    st,
                ),
                p("Where to be, and when", st["h2"]),
                grid(rows, [28 * mm, width - 28 * mm - 48 * mm, 48 * mm], zebra=True),
                KeepTogether([p("Your adjustments", st["h2"]), *adjustments]),
                Spacer(1, 4 * mm),
                p(
                    "Personal devices are not allowed in the assessment rooms: please leave your phone "
                    "with the centre staff. Times may move by a few minutes on the day; staff will call "
                    "you to each room.",
                    st["small"],
                ),
            ]
        )
    if not parts:
        parts = [[p("Timetables", st["title"]), p("No candidates are planned on this day.", st["body"])]]
    return _write(
        _pages(parts),
        _info(d, "Candidate's timetable"),
        title=f"Timetables, {long_day(d.day)}",
        author=d.centre,
    )


def sign_in(d: RunSheetDay) -> bytes:
    """The sign-in sheet: candidates in the order they arrive, each with a box to sign."""
    st = styles()
    size = landscape(A4)
    width = size[0] - 2 * MARGIN_X
    head = ("First at", "Candidate", "Registration", "Employer", "First room", "Time in", "Signature")
    rows: list[list[Any]] = [[p(h, st["cell_bold"]) for h in head]]
    for r in d.sign_in:
        rows.append(
            [
                p(hm(r.first_at, d.timezone), st["cell"]),
                p(r.candidate, st["cell"]),
                p(r.registration, st["cell"]),
                p(r.employer, st["cell"]),
                p(r.first_room, st["cell"]),
                "",
                "",
            ]
        )
    fixed = [18 * mm, 62 * mm, 26 * mm, 48 * mm, 30 * mm, 20 * mm]
    table = Table(rows, colWidths=[*fixed, width - sum(fixed)], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("GRID", (0, 1), (-1, -1), 0.4, RULE),
                ("BOX", (5, 1), (6, -1), 0.9, INK),
                ("TOPPADDING", (0, 1), (-1, -1), 9),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 9),
            ]
        )
    )
    story: list[Any] = [
        p("Sign-in sheet", st["title"]),
        p(f"{long_day(d.day)} · {d.pack_title}", st["subtitle"]),
        Spacer(1, 3 * mm),
        p(
            "Please sign beside your name when you arrive and write the time. Staff check each "
            "candidate's identity against their registration before they go in.",
            st["body"],
        ),
        Spacer(1, 4 * mm),
        table if d.sign_in else p("No candidates are planned on this day.", st["body"]),
    ]
    return _write(
        story,
        _info(d, "Sign-in sheet"),
        title=f"Sign-in sheet, {long_day(d.day)}",
        author=d.centre,
        pagesize=size,
    )
