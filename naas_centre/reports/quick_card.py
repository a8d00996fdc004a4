"""The assessor's quick-reference card: one A4 page in two columns, to print and keep
beside the keyboard. The keys, the phases of a station, what "saved" looks like, and
what to do when the disk refuses a write.

    python -m naas_centre.reports.quick_card OUT.pdf

The keys are written out here because this package holds no Qt; a test holds them to
the application's own list of actions and grid keys.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from naas_centre import __version__
from naas_centre.reports import fonts

# (keys, what they do), as the sitting screen and the day offer them.
SITTING_KEYS: tuple[tuple[str, str], ...] = (
    ("Ctrl+Shift+I", "Check the candidate in"),
    ("F6", "Start or resume the phase"),
    ("F7", "Pause the phase (the reason is asked after)"),
    ("F8", "End the phase"),
    ("F9", "Mute or hear the timer's alerts"),
    ("Ctrl+N", "Write a note (Enter saves it)"),
    ("Ctrl+Return", "Submit scores"),
    ("Ctrl+Shift+W", "Start the written exercise"),
    ("Ctrl+Shift+M", "Mark written scripts"),
    ("Ctrl+R", "Reports for the sitting"),
)
GRID_KEYS: tuple[tuple[str, str], ...] = (
    ("↑ / ↓", "Previous or next criterion"),
    ("← / →", "Move along the levels"),
    ("1 … 9", "Record that level"),
    ("Space / Enter", "Record the level under the cursor"),
    ("Delete / Backspace", "Clear the level"),
    ("N", "A note about this criterion"),
    ("R", "The reason for a level below the standard"),
    ("Alt+M / Alt+N", "Overall judgement: met, or not met"),
    ("Alt+B", "Borderline, either way"),
    ("Ctrl+Tab", "Next station"),
)
DAY_KEYS: tuple[tuple[str, str], ...] = (
    ("Alt+Left", "Back to the day"),
    ("Ctrl+T", "Today"),
    ("F5", "Refresh"),
    ("Ctrl+L", "Lock the screen"),
    ("Ctrl+Shift+L", "Sign out"),
    ("F1", "Help"),
)
PHASES: tuple[tuple[str, str], ...] = (
    ("Reading", "F6 when the candidate starts reading the brief; F8 at the end."),
    ("Role-play", "F6 as the actor begins. Alerts show and sound at the pack's points. Notes as you watch."),
    ("Discussion", "F6, then F8 when it ends. Score each criterion from your notes and the descriptors."),
)
# The cell colours of the light theme (ui/common/theme.py): green saved, amber saving, red refused.
SAVED, SAVING, REFUSED = "#2e7d4f", "#8a5a00", "#b3261e"

_INK = colors.HexColor("#1b1f24")
_RULE = colors.HexColor("#c9d1d9")
_BLUE = colors.HexColor("#1f5a99")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.SANS, fontSize=9.6, leading=12.6, textColor=_INK)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=fonts.SANS_BOLD, fontSize=18, leading=22),
        "sub": ParagraphStyle("sub", parent=base, fontSize=9, textColor=colors.HexColor("#57606a")),
        "head": ParagraphStyle(
            "head",
            parent=base,
            fontName=fonts.SANS_BOLD,
            fontSize=10.5,
            leading=13,
            textColor=_BLUE,
            spaceBefore=7,
        ),
        "body": base,
        "key": ParagraphStyle("key", parent=base, fontName=fonts.SANS_BOLD),
    }


def _key_table(rows: tuple[tuple[str, str], ...], s: dict[str, ParagraphStyle], width: float) -> Table:
    data = [[Paragraph(k, s["key"]), Paragraph(what, s["body"])] for k, what in rows]
    table = Table(data, colWidths=[33 * mm, width - 33 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),  # a table's own default is Helvetica
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, _RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.4),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _saved_table(s: dict[str, ParagraphStyle], width: float) -> Table:
    cell = ParagraphStyle("cell", parent=s["key"], textColor=colors.white, alignment=1)
    rows = [
        (SAVED, "Saved", "On disk. Go on."),
        (SAVING, "Saving…", "On its way; it turns to Saved in a moment."),
        (REFUSED, "Not saved yet — retrying", "The disk refused it: see below. Keep scoring."),
    ]
    data = [[Paragraph(text, cell), Paragraph(means, s["body"])] for _, text, means in rows]
    table = Table(data, colWidths=[38 * mm, width - 38 * mm])
    style: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 2, colors.white),
    ]
    style += [
        ("BACKGROUND", (0, i), (0, i), colors.HexColor(colour)) for i, (colour, _, _) in enumerate(rows)
    ]
    table.setStyle(TableStyle(style))
    return table


def _story(width: float) -> tuple[list[Flowable], list[Flowable]]:
    s = _styles()
    p = Paragraph
    left: list[Flowable] = [
        p("Assessor's quick reference", s["title"]),
        p(f"naas-centre {__version__} · keep beside the keyboard · F1 opens the full manual", s["sub"]),
        p("At the sitting", s["head"]),
        _key_table(SITTING_KEYS, s, width),
        p("In the rubric grid", s["head"]),
        _key_table(GRID_KEYS, s, width),
        p("On the day", s["head"]),
        _key_table(DAY_KEYS, s, width),
    ]
    phase_rows = tuple((f"{i}. {name}", what) for i, (name, what) in enumerate(PHASES, 1))
    right: list[Flowable] = [
        p("The phases of a station", s["head"]),
        p(
            "The clock is the centre's record. Your pack names the phases and their minutes; "
            "a role-play station usually runs:",
            s["body"],
        ),
        Spacer(1, 2),
        _key_table(phase_rows, s, width),
        Spacer(1, 3),
        p(
            "<b>Something stops the room?</b> F7 at once: the clock stops at the press, the reason "
            "is asked after. F6 resumes. An ended phase is reopened only with a reason.",
            s["body"],
        ),
        p("What “saved” looks like", s["head"]),
        p("A level counts only once its cell says <b>Saved</b>. The chosen cell shows one of:", s["body"]),
        Spacer(1, 2),
        _saved_table(s, width),
        p("Notes and the kiosk show <b>Saved 10:42:07</b>, with the time of the last save.", s["body"]),
        p("If the disk refuses", s["head"]),
        p(
            "A red band says what happened (the disk is full, the database is locked or read-only, "
            "the server cannot be reached) and how many changes wait.",
            s["body"],
        ),
        Spacer(1, 2),
        _key_table(
            (
                (
                    "1. Keep scoring",
                    "Nothing saved is lost. What waits is kept in a journal beside the database.",
                ),
                ("2. Do not quit", "Leave the app open until the band says everything is saved."),
                ("3. Tell", "The centre manager, who calls IT support. Note the time on paper."),
                ("4. Check", "When the band goes, every cell says Saved. Then submit as usual."),
            ),
            s,
            width,
        ),
        p("Before you submit and sign", s["head"]),
        p(
            "A level below the standard needs a reason (R) written for the candidate and their employer. "
            "Ctrl+Return lists anything missing and takes you to it. You do not see your colleague's "
            "scores until you have both submitted. Read each report before signing: a change after "
            "signing needs a reason and makes a new version.",
            s["body"],
        ),
    ]
    return left, right


def write(out: Path) -> Path:
    """Writes the card to ``out`` (atomically) and returns it."""
    fonts.register()
    margin = 12 * mm
    gap = 8 * mm
    page_w, page_h = A4
    col_w = (page_w - 2 * margin - gap) / 2
    frames = [
        Frame(margin, margin, col_w, page_h - 2 * margin, id="left", leftPadding=0, rightPadding=0),
        Frame(
            margin + col_w + gap,
            margin,
            col_w,
            page_h - 2 * margin,
            id="right",
            leftPadding=0,
            rightPadding=0,
        ),
    ]
    left, right = _story(col_w)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".quick-card-", suffix=".pdf", dir=out.parent)
    os.close(fd)
    try:
        doc = BaseDocTemplate(
            tmp,
            pagesize=A4,
            title="Assessor's quick reference",
            author="naas-centre",
            initialFontName=fonts.SANS,  # else the page starts in Helvetica, which is not embedded
            pageTemplates=[PageTemplate(id="card", frames=frames)],
        )
        with fonts.DRAWING:
            doc.build([*left, FrameBreak(), *right])
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m naas_centre.reports.quick_card OUT.pdf", file=sys.stderr)
        return 2
    print(write(Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
