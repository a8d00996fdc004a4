"""Small charts for the QA report, drawn as vector graphics with real text.

Each chart says what it shows in words too (axis captions, a flagged mark both filled
and coloured), so it reads the same printed in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from naas_centre.reports import fonts
from naas_centre.reports.layout import ACCENT, INK, MUTED, NOT_MET, RULE

LEFT, BOTTOM, TOP, RIGHT = 11 * mm, 8 * mm, 5 * mm, 3 * mm


def _text(
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    anchor: Literal["start", "middle", "end"] = "start",
    colour: colors.Color = MUTED,
) -> String:
    return String(
        x, y, fonts.shape(text), fontName=fonts.SANS, fontSize=size, fillColor=colour, textAnchor=anchor
    )


def _ticks(lo: float, hi: float, most: int = 5) -> list[float]:
    """Round numbers from ``lo`` to ``hi``, at most about ``most`` of them."""
    span = hi - lo or 1.0
    raw = span / most
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if span / (m * step) <= most:
            step *= m
            break
    first = math.ceil(lo / step) * step
    out = []
    v = first
    while v <= hi + step * 1e-9:
        out.append(round(v, 10) + 0.0)  # + 0.0: never "-0"
        v += step
    return out


@dataclass
class _Axes:
    d: Drawing
    x_lo: float
    x_hi: float
    y_lo: float
    y_hi: float

    @property
    def w(self) -> float:
        return float(self.d.width) - LEFT - RIGHT

    @property
    def h(self) -> float:
        return float(self.d.height) - BOTTOM - TOP

    def x(self, v: float) -> float:
        return LEFT + (v - self.x_lo) / ((self.x_hi - self.x_lo) or 1.0) * self.w

    def y(self, v: float) -> float:
        return BOTTOM + (v - self.y_lo) / ((self.y_hi - self.y_lo) or 1.0) * self.h


def _axes(
    width: float,
    height: float,
    x: tuple[float, float],
    y: tuple[float, float],
    x_caption: str,
    y_caption: str,
    *,
    x_ticks: Sequence[tuple[float, str]] | None = None,
) -> _Axes:
    d = Drawing(width, height)
    a = _Axes(d, x[0], x[1], y[0], y[1])
    for v in _ticks(y[0], y[1]):
        yy = a.y(v)
        d.add(Line(LEFT, yy, LEFT + a.w, yy, strokeColor=RULE, strokeWidth=0.3))
        d.add(_text(LEFT - 1.2 * mm, yy - 1.0 * mm, f"{v:g}", 6.2, anchor="end"))
    for v, label in x_ticks if x_ticks is not None else [(t, f"{t:g}") for t in _ticks(x[0], x[1])]:
        xx = a.x(v)
        d.add(Line(xx, BOTTOM - 1 * mm, xx, BOTTOM, strokeColor=MUTED, strokeWidth=0.4))
        d.add(_text(xx, BOTTOM - 3.6 * mm, label, 6.2, anchor="middle"))
    d.add(Line(LEFT, BOTTOM, LEFT + a.w, BOTTOM, strokeColor=INK, strokeWidth=0.5))
    d.add(Line(LEFT, BOTTOM, LEFT, BOTTOM + a.h, strokeColor=INK, strokeWidth=0.5))
    d.add(_text(LEFT + a.w / 2, 0.4 * mm, x_caption, 6.6, anchor="middle"))
    d.add(_text(0.5 * mm, BOTTOM + a.h + 1.4 * mm, y_caption, 6.6))
    return a


def _padded(values: Sequence[float], pad: float = 0.06) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if hi == lo:
        return lo - 1, hi + 1
    margin = (hi - lo) * pad
    return lo - margin, hi + margin


def scatter(
    points: Sequence[tuple[float, float]],
    slope: float,
    intercept: float,
    pass_mark: float,
    borderline: float,
    grades: Sequence[tuple[float, str]],
    width: float,
    height: float = 42 * mm,
) -> Drawing:
    """Station score against the assessors' grade, with the fitted line and the pass mark
    (the line's height at the borderline grade). Points at one grade are spread sideways
    a little, in a fixed pattern, so that they do not hide each other."""
    xs = [g for g, _ in grades] or [1.0, 3.0]
    x_range = (min(xs) - 0.6, max(xs) + 0.6)
    ys = [y for _, y in points] + [pass_mark]
    a = _axes(
        width,
        height,
        x_range,
        _padded(ys),
        "grade (not met 1 · borderline 2 · met 3)",
        "station score",
        x_ticks=grades,
    )
    for i, (g, y) in enumerate(points):
        jitter = ((i * 0.6180339887) % 1.0 - 0.5) * 0.5
        dot = Circle(a.x(g + jitter), a.y(y), 0.9, fillColor=colors.HexColor("#5f6f82"), strokeColor=None)
        a.d.add(dot)
    x0, x1 = x_range
    a.d.add(
        Line(
            a.x(x0),
            a.y(intercept + slope * x0),
            a.x(x1),
            a.y(intercept + slope * x1),
            strokeColor=ACCENT,
            strokeWidth=1.1,
        )
    )
    yy = a.y(pass_mark)
    a.d.add(Line(LEFT, yy, LEFT + a.w, yy, strokeColor=INK, strokeWidth=0.7, strokeDashArray=[2.5, 1.8]))
    a.d.add(_text(LEFT + 1 * mm, yy + 1.0 * mm, f"pass mark {pass_mark:.1f}", 6.2, colour=INK))

    xb = a.x(borderline)
    a.d.add(Line(xb, BOTTOM, xb, BOTTOM + a.h, strokeColor=RULE, strokeWidth=0.5, strokeDashArray=[1.5, 1.5]))
    return a.d


def caterpillar(
    effects: Sequence[tuple[float, float, float, bool]],
    width: float,
    height: float = 48 * mm,
) -> Drawing:
    """Each assessor's effect (lowest to highest) with its 95% interval; a flagged one
    (its interval excludes zero) is a filled dot, the others hollow."""
    rows = sorted(effects)
    lows = [lo for _, lo, _, _ in rows] + [0.0]
    highs = [hi for _, _, hi, _ in rows] + [0.0]
    n = max(1, len(rows))
    a = _axes(
        width,
        height,
        (0.5, n + 0.5),
        _padded(lows + highs),
        f"{len(rows)} assessors, lowest to highest",
        "effect (score points)",
        x_ticks=[],
    )
    zero = a.y(0.0)
    a.d.add(Line(LEFT, zero, LEFT + a.w, zero, strokeColor=INK, strokeWidth=0.6))
    r = max(0.5, min(1.4, a.w / n / 3))
    for i, (effect, lo, hi, flagged) in enumerate(rows, start=1):
        x = a.x(i)
        colour = NOT_MET if flagged else MUTED
        a.d.add(Line(x, a.y(lo), x, a.y(hi), strokeColor=colour, strokeWidth=0.6))
        a.d.add(
            Circle(
                x,
                a.y(effect),
                r,
                fillColor=colour if flagged else colors.white,
                strokeColor=colour,
                strokeWidth=0.5,
            )
        )
    return a.d


def trend(
    points: Sequence[tuple[float, float]],
    slope: float,
    intercept: float,
    x_caption: str,
    width: float,
    height: float = 38 * mm,
) -> Drawing:
    """Mean deviation at each slot (or day) and the fitted line through them."""
    xs = [x for x, _ in points] or [0.0, 1.0]
    ys = [y for _, y in points] + [intercept + slope * min(xs), intercept + slope * max(xs), 0.0]
    x_range = (min(xs) - 0.5, max(xs) + 0.5)
    a = _axes(width, height, x_range, _padded(ys), x_caption, "mean deviation (points)")
    zero = a.y(0.0)
    a.d.add(Line(LEFT, zero, LEFT + a.w, zero, strokeColor=RULE, strokeWidth=0.6))
    if len(points) >= 2:
        a.d.add(
            PolyLine([c for x, y in points for c in (a.x(x), a.y(y))], strokeColor=MUTED, strokeWidth=0.6)
        )
    for x, y in points:
        a.d.add(Circle(a.x(x), a.y(y), 1.0, fillColor=MUTED, strokeColor=None))
    x0, x1 = min(xs), max(xs)
    a.d.add(
        Line(
            a.x(x0),
            a.y(intercept + slope * x0),
            a.x(x1),
            a.y(intercept + slope * x1),
            strokeColor=ACCENT,
            strokeWidth=1.1,
        )
    )
    return a.d


def decision(
    curves: Sequence[tuple[str, Sequence[tuple[int, float]]]],
    target: float,
    width: float,
    height: float = 40 * mm,
) -> Drawing:
    """Reliability (phi) against the number of stations, one line per number of assessors."""
    xs = [s for _, pts in curves for s, _ in pts] or [1, 12]
    a = _axes(width, height, (min(xs) - 0.5, max(xs) + 0.5), (0.0, 1.0), "stations", "phi")
    yy = a.y(target)
    a.d.add(Line(LEFT, yy, LEFT + a.w, yy, strokeColor=INK, strokeWidth=0.6, strokeDashArray=[2.5, 1.8]))
    a.d.add(_text(LEFT + 1 * mm, yy + 1 * mm, f"{target:.1f}", 6.2, colour=INK))
    dashes: list[list[float]] = [[], [3, 1.5], [1, 1.2], [4, 1, 1, 1]]
    for k, (label, pts) in enumerate(curves):
        coords = [c for s, phi in pts for c in (a.x(s), a.y(phi))]
        colour = ACCENT if k == 0 else MUTED
        a.d.add(
            PolyLine(coords, strokeColor=colour, strokeWidth=0.9, strokeDashArray=dashes[k % len(dashes)])
        )
        # The legend, bottom right, a short line in the curve's own dash beside each label.
        ly = BOTTOM + 2 * mm + 3 * mm * (len(curves) - 1 - k)
        lx = LEFT + a.w - 24 * mm
        a.d.add(
            Line(
                lx,
                ly + 0.8 * mm,
                lx + 6 * mm,
                ly + 0.8 * mm,
                strokeColor=colour,
                strokeWidth=0.9,
                strokeDashArray=dashes[k % len(dashes)],
            )
        )
        a.d.add(_text(lx + 7 * mm, ly, label, 6.0, colour=colour))
    return a.d


def levels(
    rows: Sequence[tuple[str, Sequence[int]]],
    width: float,
    label_w: float = 70 * mm,
) -> Drawing:
    """Each criterion's levels as one bar split by level, lowest at the left; the share of
    each level is written inside its part when it fits."""
    row_h = 4.6 * mm
    height = row_h * len(rows) + 6 * mm
    d = Drawing(width, height)
    shades = [colors.HexColor(c) for c in ("#d7dee6", "#aab8c6", "#6f8399", "#1f4e79", "#0f2a44", "#081626")]
    bar_w = width - label_w
    for i, (label, counts) in enumerate(rows):
        y = height - (i + 1) * row_h
        d.add(_text(0, y + 1.3 * mm, fonts.fit(label, 6.6, label_w - 2 * mm), 6.6, colour=INK))
        total = sum(counts) or 1
        x = label_w
        for k, n in enumerate(counts):
            w = bar_w * n / total
            shade = shades[min(k, len(shades) - 1)]
            part = Rect(x, y + 0.6 * mm, w, row_h - 1.4 * mm)
            part.fillColor, part.strokeColor, part.strokeWidth = shade, colors.white, 0.3
            d.add(part)
            if w > 7 * mm:
                ink = colors.white if k >= 2 else INK
                d.add(_text(x + w / 2, y + 1.5 * mm, f"{n / total:.0%}", 5.8, anchor="middle", colour=ink))
            x += w
    d.add(_text(label_w, 0.6 * mm, "levels, lowest (lightest) to highest (darkest)", 6.2))
    return d
