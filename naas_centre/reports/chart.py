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


def profile_chart(areas: tuple[AreaProfile, ...], lowest: int, highest: int, width: float) -> Drawing:
    """A horizontal bar per area, on the pack's level scale, with the pass mark drawn across."""
    top_pad, bottom_pad = 4 * mm, 9 * mm
    height = top_pad + bottom_pad + ROW * len(areas)
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

    for i, area in enumerate(areas):
        y = height - top_pad - (i + 1) * ROW
        number = f"{i + 1}. "
        title = fonts.fit(area.title, 7.6, LABEL_W - 4 * mm - fonts.string_width(number, 7.6))
        d.add(_text(0, y + 1.9 * mm, number + title, 7.6))
        colour = MET if area.met else NOT_MET
        bar_w = max(0.0, xpos(area.combined) - x0)
        bar = Rect(x0, y + 1.1 * mm, bar_w, ROW - 2.4 * mm)
        bar.fillColor, bar.strokeColor = colour, None
        d.add(bar)
        verdict = "met" if area.met else "not met"
        value = _text(
            x0 + plot_w + 2 * mm, y + 1.9 * mm, f"{area.combined:.2f}  {verdict}", 7.6, bold=not area.met
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
