"""The QA dashboard's charts, drawn with QtCharts from plain values.

Each builder takes plain points (names, numbers) and returns a ``QChartView`` coloured
from the current theme, so a chart reads the same in the light and dark themes as the
widgets around it. QtCharts is imported here only: the dashboard is opened on demand,
and start-up never pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractSeries,
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalPercentBarSeries,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from ui.common import theme

# Series colours distinguishable in both themes (and by most colour-blind readers: the
# Okabe–Ito set), lightened for the dark background.
_SERIES_LIGHT = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f6a00", "#404040")
_SERIES_DARK = ("#56b4e9", "#ff9a52", "#3fd3a6", "#e7a3c9", "#f5c242", "#9fd4f5", "#e0d070", "#d0d0d0")


def series_colour(i: int) -> QColor:
    palette = _SERIES_DARK if theme.is_dark() else _SERIES_LIGHT
    return QColor(palette[i % len(palette)])


@dataclass(frozen=True)
class EffectPoint:
    """One assessor on the caterpillar plot: the estimate and its interval."""

    name: str
    estimate: float
    low: float
    high: float
    flagged: bool


@dataclass(frozen=True)
class DriftLine:
    """One assessor's mean deviation at each slot (or day), and the fitted trend."""

    name: str
    points: tuple[tuple[float, float], ...]
    slope: float
    intercept: float


@dataclass(frozen=True)
class Distribution:
    """One criterion's count at each level of the scale, lowest first."""

    name: str
    counts: tuple[int, ...]
    floor: bool
    ceiling: bool


@dataclass(frozen=True)
class Regression:
    """A station's scores against grades, with the fitted line and the pass mark."""

    points: tuple[tuple[float, float], ...]  # (grade, score)
    slope: float
    intercept: float
    pass_mark: float
    borderline_grade: float


def _view(chart: QChart, minimum_height: int = 300) -> QChartView:
    c = theme.colours()
    chart.setBackgroundBrush(QBrush(QColor(c.surface)))
    chart.setBackgroundRoundness(0)
    chart.setPlotAreaBackgroundVisible(False)
    chart.setMargins(QMargins(6, 6, 6, 6))
    chart.setTitleBrush(QBrush(QColor(c.text)))
    title = QFont(chart.titleFont())
    title.setPointSize(11)
    title.setBold(True)
    chart.setTitleFont(title)
    legend = chart.legend()
    legend.setLabelColor(QColor(c.text))
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
    for axis in chart.axes():
        _style_axis(axis)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(minimum_height)
    view.setBackgroundBrush(QBrush(QColor(c.surface)))
    return view


def _style_axis(axis: QAbstractAxis) -> None:
    c = theme.colours()
    axis.setLabelsColor(QColor(c.text))
    axis.setTitleBrush(QBrush(QColor(c.muted)))
    axis.setLinePenColor(QColor(c.muted))
    axis.setGridLineColor(QColor(c.grid))
    font = QFont(axis.labelsFont())
    font.setPointSize(9)
    axis.setLabelsFont(font)


def _value_axis(title: str, low: float, high: float, fmt: str = "%.1f", *, nice: bool = True) -> QValueAxis:
    axis = QValueAxis()
    axis.setTitleText(title)
    axis.setRange(low, high)
    if nice:
        axis.applyNiceNumbers()  # ticks on round values: 10, 12, 14 rather than 9.7, 11.9
    axis.setLabelFormat(fmt)
    return axis


def _counting_axis(title: str, first: float, last: float) -> QValueAxis:
    """An axis of whole numbers (slots, stations), a tick at each."""
    axis = _value_axis(title, first - 0.2, last + 0.2, "%d", nice=False)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(first)
    axis.setTickInterval(max(1.0, float(round((last - first) / 11 + 0.5))))
    return axis


def _attach(chart: QChart, series: QAbstractSeries, x: QAbstractAxis, y: QAbstractAxis) -> None:
    chart.addSeries(series)
    series.attachAxis(x)
    series.attachAxis(y)


def _padded(low: float, high: float, share: float = 0.08) -> tuple[float, float]:
    if high <= low:
        return low - 1.0, high + 1.0
    pad = (high - low) * share
    return low - pad, high + pad


def _line(
    points: Sequence[tuple[float, float]], colour: QColor, width: float = 2.0, *, dashed: bool = False
) -> QLineSeries:
    series = QLineSeries()
    for x, y in points:
        series.append(QPointF(x, y))
    pen = QPen(colour)
    pen.setWidthF(width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    series.setPen(pen)
    return series


def caterpillar(points: Sequence[EffectPoint], unit: str = "score points") -> QChartView:
    """Each assessor's effect with its interval, ranked, zero marked: a flagged interval
    (one that excludes zero) is drawn in the error colour."""
    c = theme.colours()
    ranked = sorted(points, key=lambda p: p.estimate)
    chart = QChart()
    chart.setTitle("Assessor effects (positive: more lenient)")
    low = min((p.low for p in ranked), default=-1.0)
    high = max((p.high for p in ranked), default=1.0)
    low, high = _padded(min(low, 0.0), max(high, 0.0))
    x = _value_axis(f"effect ({unit}), with 95% interval", low, high)
    y = QCategoryAxis()
    y.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    for i, p in enumerate(ranked):
        y.append(f"{p.name}  ", float(i))
    y.setRange(-0.7, max(0.7, len(ranked) - 0.3))
    y.setGridLineVisible(False)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    zero = _line(((0.0, -0.7), (0.0, len(ranked) - 0.3)), QColor(c.muted), 1.2, dashed=True)
    _attach(chart, zero, x, y)
    estimates = {True: QScatterSeries(), False: QScatterSeries()}
    for flagged, series in estimates.items():
        colour = QColor(c.error if flagged else c.accent)
        series.setColor(colour)
        series.setBorderColor(colour)
        series.setMarkerSize(9.0)
        series.setName("stands out after Holm's correction (flag)" if flagged else "within chance")
    for i, p in enumerate(ranked):
        colour = QColor(c.error if p.flagged else c.accent)
        _attach(chart, _line(((p.low, float(i)), (p.high, float(i))), colour, 2.2), x, y)
        estimates[p.flagged].append(QPointF(p.estimate, float(i)))
    for series in estimates.values():
        _attach(chart, series, x, y)
    # The legend names the two markers only, not one line per assessor.
    for marker in chart.legend().markers():
        shown = marker.series()
        marker.setVisible(isinstance(shown, QScatterSeries) and shown.count() > 0)
    return _view(chart, max(300, 110 + 26 * len(ranked)))


def drift_lines(
    lines: Sequence[DriftLine],
    pooled: tuple[float, float] | None,
    x_title: str = "slot of the day (first = 1)",
) -> QChartView:
    """Mean deviation by slot for each assessor shown, their trend dashed beside it, and
    the pooled slope over all assessors (``pooled``: intercept, slope) in the muted colour."""
    c = theme.colours()
    chart = QChart()
    chart.setTitle("Drift: deviation from the expected score, by slot")
    xs = [px for line in lines for px, _ in line.points] or [0.0, 1.0]
    ys = [py for line in lines for _, py in line.points] or [-1.0, 1.0]
    x_low, x_high = min(xs), max(xs)
    y_low, y_high = _padded(min(min(ys), 0.0), max(max(ys), 0.0))
    # Slots are counted from 0 in the data and from 1 on the screen.
    x = _counting_axis(x_title, x_low + 1, x_high + 1)
    y = _value_axis("deviation (points)", y_low, y_high)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    _attach(chart, _line(((x_low + 0.8, 0.0), (x_high + 1.2, 0.0)), QColor(c.muted), 1.0), x, y)
    for i, line in enumerate(lines):
        colour = series_colour(i)
        shown = _line([(px + 1, py) for px, py in line.points], colour, 2.0)
        shown.setName(f"{line.name} ({line.slope:+.2f} a slot)")
        shown.setPointsVisible(True)
        _attach(chart, shown, x, y)
        fit = _line(
            [(px + 1, line.intercept + line.slope * px) for px in (x_low, x_high)], colour, 1.2, dashed=True
        )
        _attach(chart, fit, x, y)
    if pooled is not None:
        intercept, slope = pooled
        fit = _line(
            [(px + 1, intercept + slope * px) for px in (x_low, x_high)], QColor(c.text), 2.4, dashed=True
        )
        fit.setName(f"all assessors ({slope:+.2f} a slot)")
        _attach(chart, fit, x, y)
    for marker in chart.legend().markers():
        marker.setVisible(bool(marker.series().name()))
    return _view(chart, 320)


def distributions(
    items: Sequence[Distribution], levels: Sequence[str], title: str = "Levels given, by criterion"
) -> QChartView:
    """Each criterion's share at each level as one bar, the lowest level on the left;
    a floor or ceiling is named beside the criterion."""
    chart = QChart()
    chart.setTitle(_short(title, 80))
    series = QHorizontalPercentBarSeries()
    sets = [QBarSet(level) for level in levels]
    for i, bar in enumerate(sets):
        bar.setColor(_ramp(i, len(levels)))
        bar.setBorderColor(QColor(theme.colours().surface))
        for item in reversed(items):  # the first criterion at the top
            bar.append(float(item.counts[i]) if i < len(item.counts) else 0.0)
        series.append(bar)
    categories = []
    for item in reversed(items):
        flags = [f for f, on in (("floor", item.floor), ("ceiling", item.ceiling)) if on]
        categories.append(f"{_short(item.name, 44)}{'  [' + ', '.join(flags) + ']' if flags else ''}")
    y = QBarCategoryAxis()
    y.append(categories)
    x = _value_axis("share of scores (%)", 0.0, 100.0, "%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    _attach(chart, series, x, y)
    return _view(chart, max(280, 90 + 24 * len(items)))


# An ordinal ramp from red (lowest level) to blue (highest), after ColorBrewer's RdYlBu:
# each step tells from its neighbours on a light or a dark background.
_RAMP = ("#d73027", "#fdae61", "#abd9e9", "#4575b4")


def _ramp(i: int, n: int) -> QColor:
    t = i / max(1, n - 1) * (len(_RAMP) - 1)
    k = min(len(_RAMP) - 2, int(t))
    a, b, u = QColor(_RAMP[k]), QColor(_RAMP[k + 1]), t - k
    return QColor(
        round(a.red() + (b.red() - a.red()) * u),
        round(a.green() + (b.green() - a.green()) * u),
        round(a.blue() + (b.blue() - a.blue()) * u),
    )


def _short(text: str, most: int = 38) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def decision_study(
    rows: Sequence[tuple[int, int, float]], target: float, what: str = "Φ (absolute)"
) -> QChartView:
    """Reliability against the number of stations, one line per number of assessors a
    station has (``rows``: stations, assessors, coefficient), the target dashed."""
    c = theme.colours()
    chart = QChart()
    chart.setTitle(f"Decision study: {what} by stations and assessors")
    stations = sorted({s for s, _, _ in rows}) or [1, 2]
    x = _counting_axis("stations", float(stations[0]), float(stations[-1]))
    y = _value_axis("reliability", 0.0, 1.0, "%.1f", nice=False)
    y.setTickCount(6)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    for i, a in enumerate(sorted({a for _, a, _ in rows})):
        line = _line(sorted((float(s), v) for s, aa, v in rows if aa == a), series_colour(i), 2.0)
        line.setName(f"{a} assessor{'s' if a != 1 else ''} a station")
        line.setPointsVisible(True)
        _attach(chart, line, x, y)
    goal = _line(((stations[0], target), (stations[-1], target)), QColor(c.muted), 1.4, dashed=True)
    goal.setName(f"target {target:.1f}")
    _attach(chart, goal, x, y)
    return _view(chart, 300)


def borderline_scatter(station: str, fit: Regression, grades: Sequence[str]) -> QChartView:
    """Scores against the overall judgement's grade, the regression line, and the pass
    mark where the line crosses the borderline grade. Grades are spread a little
    sideways so that candidates on the same grade and score stay visible."""
    c = theme.colours()
    chart = QChart()
    chart.setTitle(_short(station, 60))
    scores = [s for _, s in fit.points] or [0.0, 1.0]
    y_low, y_high = _padded(min(*scores, fit.pass_mark), max(*scores, fit.pass_mark))
    x = QCategoryAxis()
    x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    for i, name in enumerate(grades, start=1):
        x.append(name, float(i))
    x.setRange(0.5, len(grades) + 0.5)
    x.setTitleText("overall judgement")
    y = _value_axis("station score", y_low, y_high)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    dots = QScatterSeries()
    dots.setName("candidates")
    colour = QColor(c.accent)
    colour.setAlpha(150)
    dots.setColor(colour)
    dots.setBorderColor(colour)
    dots.setMarkerSize(7.0)
    seen: dict[tuple[float, float], int] = {}
    for grade, score in fit.points:
        k = seen.get((grade, score), 0)
        seen[(grade, score)] = k + 1
        # Spread repeats sideways, alternately, up to a third of a grade.
        offset = ((k + 1) // 2) * 0.05 * (1 if k % 2 else -1)
        dots.append(QPointF(grade + max(-0.33, min(0.33, offset)), score))
    _attach(chart, dots, x, y)
    ends = (0.6, len(grades) + 0.4)
    line = _line([(g, fit.intercept + fit.slope * g) for g in ends], QColor(c.text), 2.0)
    line.setName("regression line")
    _attach(chart, line, x, y)
    mark = _line([(ends[0], fit.pass_mark), (ends[1], fit.pass_mark)], QColor(c.error), 1.6, dashed=True)
    mark.setName(f"pass mark {fit.pass_mark:.1f}")
    _attach(chart, mark, x, y)
    return _view(chart, 300)


def over_time(
    points: Sequence[tuple[str, float, float | None, float | None]],
    title: str,
    y_title: str,
    name: str,
) -> QChartView:
    """One person's figure in each period (label, value, interval low and high or None),
    zero marked."""
    c = theme.colours()
    chart = QChart()
    chart.setTitle(title)
    values = [v for _, e, lo, hi in points for v in (e, lo, hi) if v is not None] or [-1.0, 1.0]
    y_low, y_high = _padded(min(*values, 0.0), max(*values, 0.0))
    x = QCategoryAxis()
    x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    for i, (label, *_rest) in enumerate(points):
        x.append(label, float(i))
    x.setRange(-0.5, max(0.5, len(points) - 0.5))
    y = _value_axis(y_title, y_low, y_high)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    zero = _line(((-0.5, 0.0), (max(0.5, len(points) - 0.5), 0.0)), QColor(c.muted), 1.2, dashed=True)
    _attach(chart, zero, x, y)
    for i, (_label, _e, lo, hi) in enumerate(points):
        if lo is not None and hi is not None:
            _attach(chart, _line(((float(i), lo), (float(i), hi)), QColor(c.accent), 2.2), x, y)
    line = _line([(float(i), e) for i, (_n, e, _l, _h) in enumerate(points)], QColor(c.accent), 2.0)
    line.setPointsVisible(True)
    line.setName(name)
    _attach(chart, line, x, y)
    for marker in chart.legend().markers():
        marker.setVisible(bool(marker.series().name()))
    return _view(chart, 320)


def chart_of(view: QChartView) -> QChart:
    chart = view.chart()
    assert chart is not None
    return chart
