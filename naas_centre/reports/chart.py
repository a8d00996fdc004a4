"""The per-KSS-area profile: each area's combined level as a bar against the pass mark.

Drawn as vector graphics with real text. Met and not met differ in colour *and* in
words beside each bar, so the chart reads the same printed in black and white.
"""

from __future__ import annotations

from typing import Literal

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from naas_centre.reports import fonts
from naas_centre.reports.data import AreaProfile
from naas_centre.reports.layout import INK, MET, MUTED, NOT_MET, RULE

Anchor = Literal["start", "middle", "end"]
ROW = 6.2 * mm
LABEL_W = 68 * mm
VALUE_W = 26 * mm


def _text(
    x: float, y: float, text: str, size: float, *, bold: bool = False, anchor: Anchor = "start"
) -> String:
    shaped = fonts.shape(text)
    font = fonts.CJK if any(f == fonts.CJK for f, _ in fonts.runs(text, bold=bold)) else None
    name = font or (fonts.SANS_BOLD if bold else fonts.SANS)
    return String(x, y, shaped, fontName=name, fontSize=size, fillColor=INK, textAnchor=anchor)


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Words on as many lines as they need: a label is never cut."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and fonts.string_width(trial, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


LABEL_SIZE = 7.6
LINE = 3.3 * mm


def profile_chart(areas: tuple[AreaProfile, ...], lowest: int, highest: int, width: float) -> Drawing:
    """A horizontal bar per area, on the pack's level scale, with the pass mark drawn across.

    Each area's title wraps onto as many lines as it needs, and its row grows to fit.
    """
    top_pad, bottom_pad = 4 * mm, 9 * mm
    labels = []
    for i, area in enumerate(areas):
        number = f"{i + 1}. "
        indent = fonts.string_width(number, LABEL_SIZE)
        lines = _wrap(area.title, LABEL_SIZE, LABEL_W - 4 * mm - indent)
        labels.append((number, indent, lines))
    heights = [max(ROW, len(lines) * LINE + 2.6 * mm) for _, _, lines in labels]
    height = top_pad + bottom_pad + sum(heights)
    d = Drawing(width, height)
    x0 = LABEL_W
    plot_w = width - LABEL_W - VALUE_W
    lo, hi = float(min(lowest, 0)), float(highest)

    def xpos(v: float) -> float:
        return x0 + (v - lo) / (hi - lo) * plot_w

    base = bottom_pad
    # scale: a tick and a number for each level
    for level in range(int(lo), int(hi) + 1):
        x = xpos(level)
        d.add(Line(x, base - 1.2 * mm, x, height - top_pad, strokeColor=RULE, strokeWidth=0.4))
        label = _text(x, base - 4.2 * mm, str(level), 7)
        label.textAnchor = "middle"
        label.fillColor = MUTED
        d.add(label)
    caption = _text(x0 + plot_w / 2, 0.6 * mm, "combined level", 7)
    caption.textAnchor = "middle"
    caption.fillColor = MUTED
    d.add(caption)

    y_top = height - top_pad
    for area, (number, indent, lines), row_h in zip(areas, labels, heights, strict=True):
        y = y_top - row_h  # the bottom of this row
        y_top = y
        mid = y + row_h / 2
        first = mid + (len(lines) - 1) * LINE / 2 - 0.9 * mm
        d.add(_text(0, first, number + lines[0], LABEL_SIZE))
        for k, line in enumerate(lines[1:], 1):
            d.add(_text(indent, first - k * LINE, line, LABEL_SIZE))
        colour = MET if area.met else NOT_MET
        bar_h = ROW - 2.4 * mm
        bar_w = max(0.0, xpos(area.combined) - x0)
        bar = Rect(x0, mid - bar_h / 2, bar_w, bar_h)
        bar.fillColor, bar.strokeColor = colour, None
        d.add(bar)
        verdict = "met" if area.met else "not met"
        value = _text(
            x0 + plot_w + 2 * mm,
            mid - 0.9 * mm,
            f"{area.combined:.2f}  {verdict}",
            LABEL_SIZE,
            bold=not area.met,
        )
        value.fillColor = colour
        d.add(value)

    if areas:
        mark = areas[0].pass_mark
        x = xpos(mark)
        d.add(
            Line(
                x,
                base - 0.5 * mm,
                x,
                height - top_pad + 1.5 * mm,
                strokeColor=INK,
                strokeWidth=1.1,
                strokeDashArray=[3, 2],
            )
        )
        tag = _text(x + 1 * mm, height - top_pad + 0.2 * mm, f"pass mark {mark:g}", 7, bold=True)
        d.add(tag)
    d.add(Line(x0, base, x0 + plot_w, base, strokeColor=colors.black, strokeWidth=0.5))
    return d
