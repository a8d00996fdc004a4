"""The look shared by every report: styles, the page frame, header and footer, and the
places reserved for signatures.

Made for print and screen alike: black text on white, one muted accent colour, thin
rules, and nothing that says something by colour alone.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Paragraph, Table, TableStyle

from naas_centre.reports import fonts

INK = colors.HexColor("#1b1f24")
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#5a6370")
RULE = colors.HexColor("#b9c2cc")
SHADE = colors.HexColor("#eef2f6")
MET = colors.HexColor("#1f6f5c")
NOT_MET = colors.HexColor("#b1561a")

MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 24 * mm
SLOT_HEIGHT = 26 * mm
MIN_SLOT_WIDTH = 52 * mm  # narrower, and a name or a registration number is cut
ROW_GAP = 4 * mm


def styles() -> dict[str, ParagraphStyle]:
    fonts.register()
    base = ParagraphStyle(
        "body", fontName=fonts.SANS, fontSize=9.2, leading=12.4, textColor=INK, alignment=TA_LEFT
    )
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=fonts.SANS_BOLD, fontSize=17, leading=21, textColor=ACCENT
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=14.5, textColor=MUTED),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=fonts.SANS_BOLD,
            fontSize=11.5,
            leading=15,
            textColor=ACCENT,
            spaceBefore=11,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=fonts.SANS_BOLD,
            fontSize=9.6,
            leading=13,
            spaceBefore=6,
            keepWithNext=1,
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=7.8, leading=10, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.4, leading=10.8),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=base, fontName=fonts.SANS_BOLD, fontSize=8.4, leading=10.8
        ),
        "script": ParagraphStyle("script", parent=base, fontSize=9.4, leading=13.4, spaceAfter=5),
        "result": ParagraphStyle(
            "result", parent=base, fontName=fonts.SANS_BOLD, fontSize=14, leading=18, textColor=colors.white
        ),
    }


def p(text: str, style: ParagraphStyle, *, bold: bool = False, lines: bool = False) -> Paragraph:
    """A paragraph of plain text (escaped, shaped, fonts per script).

    Pack text is wrapped by its author at any width, so single line breaks become
    spaces and only blank lines are kept; ``lines`` keeps every break (what a candidate
    or an assessor typed).
    """
    if not lines:
        text = "\n\n".join(_unwrap(part) for part in text.split("\n\n") if part.strip())
    return Paragraph(fonts.markup(text, bold=bold), style)


_LIST_ITEM = re.compile(r"^\s*(\d+[.)]|[-•*])\s")


def _unwrap(part: str) -> str:
    """Joins an author's wrapped lines, keeping a break before each list item."""
    out: list[str] = []
    for line in part.splitlines():
        if out and not _LIST_ITEM.match(line):
            out[-1] += " " + line.strip()
        else:
            out.append(line.strip())
    return "\n".join(" ".join(item.split()) for item in out if item)


def grid(rows: list[list[Any]], widths: list[float], *, header: bool = True, zebra: bool = False) -> Table:
    """A table with thin rules; the first row repeats on every page when it is a header."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT)]
    if zebra:
        for r in range(2 if header else 1, len(rows), 2):
            style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f7f9fb")))
    table.setStyle(TableStyle(style))
    return table


def facts(pairs: list[tuple[str, str]], width: float, st: dict[str, ParagraphStyle]) -> Table:
    """A two-column table of labelled facts, in two pairs of columns when there are many."""
    label_w = 30 * mm
    rows: list[list[Any]] = [[p(label, st["cell_bold"]), p(value, st["cell"])] for label, value in pairs]
    if len(rows) >= 6:
        half = (len(rows) + 1) // 2
        left, right = rows[:half], rows[half:]
        right += [["", ""]] * (len(left) - len(right))
        rows = [a + b for a, b in zip(left, right, strict=True)]
        col = (width - 2 * label_w) / 2
        widths = [label_w, col, label_w, col]
    else:
        widths = [label_w, width - label_w]
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


# The centre's logo -----------------------------------------------------------------------

LOGO_MAX_W = 48 * mm
LOGO_MAX_H = 18 * mm


def logo_image(logo: bytes | None) -> Image | None:
    """The centre's logo scaled into its box, keeping its shape; None for none.

    The logo was checked when it was set; a picture that still cannot be read leaves
    the report without it rather than without the report.
    """
    if not logo:
        return None
    try:
        w, h = ImageReader(io.BytesIO(logo)).getSize()
    except Exception:  # ReportLab raises its own and Pillow's errors for a bad picture
        return None
    if w <= 0 or h <= 0:
        return None
    scale = min(LOGO_MAX_W / w, LOGO_MAX_H / h)
    image = Image(io.BytesIO(logo), width=w * scale, height=h * scale)
    image.hAlign = "RIGHT"
    return image


def with_logo(heading: list[Flowable], logo: bytes | None, width: float) -> list[Flowable]:
    """The first page's heading with the centre's logo beside it, at the right."""
    image = logo_image(logo)
    if image is None:
        return heading
    table = Table(
        [[heading, image]], colWidths=[width - LOGO_MAX_W - 4 * mm, LOGO_MAX_W + 4 * mm], hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table]


# Times: stored in UTC, shown in the centre's zone ----------------------------------


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def hms(dt: datetime | None, tz: str) -> str:
    return "—" if dt is None else local(dt, tz).strftime("%H:%M:%S")


def hm(dt: datetime | None, tz: str) -> str:
    return "—" if dt is None else local(dt, tz).strftime("%H:%M")


# Dates are written one way in every report: "1 December 2026", and with a time
# "1 December 2026, 14:05 GMT" (the centre's zone, named). Times within a day that
# need the second (a phase's start, a pause) are "14:05:31".


def long_day(d: date) -> str:
    """1 December 2026"""
    return f"{d.day} {d:%B %Y}"


def stamp(dt: datetime, tz: str) -> str:
    """1 December 2026, 14:05 GMT"""
    t = local(dt, tz)
    return f"{t.day} {t:%B %Y}, {t:%H:%M} {t.tzname()}"


def short_stamp(dt: datetime, tz: str) -> str:
    """The same as ``stamp``: kept for callers that once wanted a shorter form."""
    return stamp(dt, tz)


def minutes(value: float) -> str:
    return f"{value:g} min" if value == int(value) else f"{value:.1f} min"


def duration(seconds: int) -> str:
    minutes_, secs = divmod(max(0, seconds), 60)
    return f"{minutes_}:{secs:02d}"


# Page frame -------------------------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    """What every page says about the document, in its header and footer."""

    centre: str
    kind_label: str
    footer_left: str
    footer_second: str


class NumberedCanvas(Canvas):
    """Defers the page furniture to the end, when the page count ("page x of y") is known."""

    def __init__(self, *args: Any, page_info: PageInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._info = page_info
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._saved.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self._furniture(total)
            super().showPage()
        super().save()

    def _furniture(self, total: int) -> None:
        width, height = self._pagesize  # type: ignore[attr-defined]
        info = self._info
        self.saveState()
        self.setFillColor(MUTED)
        top = height - 13 * mm
        fonts.draw_string(self, MARGIN_X, top, info.centre, 8, bold=True)
        fonts.draw_string(self, width - MARGIN_X, top, info.kind_label, 8, align="right")
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, top - 2.5 * mm, width - MARGIN_X, top - 2.5 * mm)
        bottom = 14 * mm
        self.line(MARGIN_X, bottom + 5.5 * mm, width - MARGIN_X, bottom + 5.5 * mm)
        page = f"Page {self.getPageNumber()} of {total}"
        page_w = fonts.draw_string(
            self, width - MARGIN_X, bottom + 1.5 * mm, page, 8, bold=True, align="right"
        )
        left_w = width - 2 * MARGIN_X - page_w - 6 * mm
        fonts.draw_string(self, MARGIN_X, bottom + 1.5 * mm, fonts.fit(info.footer_left, 8, left_w), 8)
        fonts.draw_string(
            self, MARGIN_X, bottom - 2.4 * mm, fonts.fit(info.footer_second, 7, width - 2 * MARGIN_X), 7
        )
        self.restoreState()


def canvas_maker(info: PageInfo) -> Callable[..., NumberedCanvas]:
    def make(*args: Any, **kwargs: Any) -> NumberedCanvas:
        return NumberedCanvas(*args, page_info=info, **kwargs)

    return make


# Signature places -------------------------------------------------------------------


@dataclass(frozen=True)
class SlotRect:
    """Where a signature's visible block goes: a page (0-based) and a box in points."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class SlotText:
    """What the report prints around one signature box: who, their registration, and
    what they declare by signing (the signature's own block is drawn by the signer)."""

    label: str
    registration: str | None = None
    declaration: str = ""


class SignatureSlots(Flowable):
    """Labelled boxes side by side, each with its signer's declaration beneath it;
    records where each box was drawn for the signer."""

    def __init__(self, labels: list[str] | list[SlotText], width: float, found: list[SlotRect]) -> None:
        super().__init__()
        self.slots = [x if isinstance(x, SlotText) else SlotText(x) for x in labels]
        self.labels = [x.label for x in self.slots]
        self.width = width
        self.found = found
        self._gap = 5 * mm
        n = max(1, len(self.slots))
        # Side by side while each box keeps room for a whole name and registration
        # number; more signers (a circuit's outcome) go on further rows.
        self._per_row = max(1, min(n, int((width + self._gap) // (MIN_SLOT_WIDTH + self._gap))))
        self._rows = -(-n // self._per_row)
        self._box_w = min(82 * mm, (width - self._gap * (self._per_row - 1)) / self._per_row)
        self._style = ParagraphStyle(
            "declaration", fontName=fonts.SANS, fontSize=7, leading=8.6, textColor=MUTED
        )
        self._paras = [
            Paragraph(fonts.markup(" ".join(x.declaration.split())), self._style) if x.declaration else None
            for x in self.slots
        ]
        self._decl_h = 0.0
        for para in self._paras:
            if para is not None:
                _, h = para.wrap(self._box_w, 10_000)
                self._decl_h = max(self._decl_h, h)
        self._top = 5 * mm + (3.6 * mm if any(x.registration for x in self.slots) else 0)
        self._below = self._decl_h + 2 * mm if self._decl_h else 0
        self._row_h = self._below + SLOT_HEIGHT + self._top
        self.height = self._rows * self._row_h + (self._rows - 1) * ROW_GAP

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        box_w = self._box_w
        for i, slot in enumerate(self.slots):
            row, column = divmod(i, self._per_row)
            x = column * (box_w + self._gap)
            base = self.height - (row + 1) * self._row_h - row * ROW_GAP  # the row's bottom
            y0 = base + self._below
            c.setFillColor(MUTED)
            top = base + self._row_h - 3.4 * mm  # every label on one line, the registration under it
            fonts.draw_string(c, x, top, fonts.fit(slot.label, 7.6, box_w), 7.6, bold=True)
            if slot.registration:
                fonts.draw_string(
                    c, x, top - 3.6 * mm, fonts.fit(f"Registration {slot.registration}", 7.2, box_w), 7.2
                )
            c.setStrokeColor(RULE)
            c.setLineWidth(0.6)
            c.setDash(2, 2)
            c.rect(x, y0, box_w, SLOT_HEIGHT, stroke=1, fill=0)
            c.setDash()
            para = self._paras[i]
            if para is not None:
                _, h = para.wrap(box_w, 10_000)
                para.drawOn(c, x, y0 - 1.5 * mm - h)
            ax, ay = c.absolutePosition(x, y0)
            self.found.append(SlotRect(c.getPageNumber() - 1, ax, ay, ax + box_w, ay + SLOT_HEIGHT))
