"""The QA dashboard's pages, built from one finished analysis: each a scrolling column
of cards, a sentence in plain words above each chart, and the section's tables with
their export buttons.

Tables are placed on the page their name belongs to (``PAGE_OF``); a table no page
claims is shown on "More tables", so every table the analysis gives can be exported.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QChartView
from PySide6.QtWidgets import QFrame, QGridLayout, QScrollArea, QVBoxLayout, QWidget

from naas_centre.qa.agreement import Agreement, Kappa
from naas_centre.qa.icc import Icc
from naas_centre.services.qa_analysis import AgreementSection, CriterionLevels, PackAnalysis, QaAnalysis
from naas_centre.services.qa_readings import Reading
from naas_centre.services.qa_tables import Table
from ui.common.widgets import card, label
from ui.qa import qa_charts, qa_examiners
from ui.qa.qa_tables import FiguresTable
from ui.qa.qa_words import (
    alpha_words,
    figure,
    icc_words,
    kappa_words,
    plural,
    r_squared_words,
    reliability_words,
    share,
)
from ui.work.tasks import TaskManager

AGREEMENT, EXAMINERS, DRIFT, RELIABILITY, STANDARDS, FAIRNESS, MORE = (
    "Agreement",
    "Examiners",
    "Drift",
    "Reliability",
    "Standard setting",
    "Fairness",
    "More tables",
)
# A table's page, by how its name begins (names are file names: "agreement-pairs",
# "examiners", "g-study", "fairness-outcomes", ...).
PAGE_OF = (
    ("drift", DRIFT),
    ("agreement", AGREEMENT),
    ("icc", AGREEMENT),
    ("kappa", AGREEMENT),
    ("fleiss", AGREEMENT),
    ("krippendorff", AGREEMENT),
    ("examiner", EXAMINERS),
    ("stringency", EXAMINERS),
    ("outcomes", EXAMINERS),
    ("calibration", EXAMINERS),
    ("fairness", FAIRNESS),
    ("equality", FAIRNESS),
    ("alpha", RELIABILITY),
    ("reliability", RELIABILITY),
    ("item", RELIABILITY),
    ("knowledge", RELIABILITY),
    ("level", RELIABILITY),
    ("criteri", RELIABILITY),
    ("g-study", RELIABILITY),
    ("generalis", RELIABILITY),
    ("decision", RELIABILITY),
    ("d-study", RELIABILITY),
    ("variance", RELIABILITY),
    ("standard", STANDARDS),
    ("borderline", STANDARDS),
    ("pass", STANDARDS),
    ("cut", STANDARDS),
)
GRADES = ("not met", "borderline", "met")  # grades 1, 2, 3 of the service


def page_of(table: Table) -> str:
    name = table.name.lower()
    return next((page for start, page in PAGE_OF if name.startswith(start)), MORE)


class Page(QScrollArea):
    """A scrolling column of cards."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(f"qa_page_{name}")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(12, 12, 12, 12)
        self.column.setSpacing(12)
        self.setWidget(body)
        self.figure_tables: list[FiguresTable] = []
        self.sentences: list[str] = []
        self.charts: list[QChartView] = []

    def card(self, title: str, *sentences: str) -> QVBoxLayout:
        frame = card()
        box = QVBoxLayout(frame)
        box.setContentsMargins(14, 10, 14, 12)
        box.setSpacing(8)
        box.addWidget(label(title, "heading"))
        for text in sentences:
            if text:
                self.sentences.append(text)
                box.addWidget(label(text, wrap=True))
        self.column.addWidget(frame)
        return box

    def findings(self, readings: Sequence[Reading]) -> None:
        """The service's plain-words findings for this page (the QA report prints the same
        sentences), first, a flagged one marked as such."""
        if not readings:
            return
        frame = card()
        box = QVBoxLayout(frame)
        box.setContentsMargins(14, 10, 14, 12)
        box.setSpacing(6)
        box.addWidget(label("What the figures say", "heading"))
        for r in readings:
            text = f"Flag: {r.text}" if r.flagged else r.text
            self.sentences.append(text)
            line = label(text, "notice" if r.flagged else "", wrap=True)
            box.addWidget(line)
        self.column.insertWidget(0, frame)

    def chart(self, box: QVBoxLayout, view: QChartView) -> None:
        self.charts.append(view)
        box.addWidget(view)

    def add_tables(self, tasks: TaskManager, tables: Sequence[Table]) -> None:
        if not tables:
            return
        box = self.card("Tables")
        for table in tables:
            widget = FiguresTable(tasks, table)
            self.figure_tables.append(widget)
            box.addWidget(widget)

    def finish(self) -> None:
        self.column.addStretch(1)

    def text(self) -> str:
        """Every sentence on the page (for a reader, and for tests)."""
        return "\n".join(self.sentences)


# -- agreement -------------------------------------------------------------------------


def _agreement_sentence(a: Agreement | None) -> str:
    if a is None:
        return ""
    return (
        f"Exact agreement {share(a.exact)}, within one level {share(a.adjacent)}, "
        f"over {plural(a.n, 'pair')} of criterion levels."
    )


def _kappa_sentence(name: str, k: Kappa | None) -> str:
    if k is None:
        return ""
    return f"{name} {figure(k.kappa)}: {kappa_words(k.kappa)} (Landis and Koch)."


def _icc_sentence(icc: Icc | None) -> str:
    if icc is None:
        return ""
    f = icc.form("ICC(2,1)")
    return (
        f"Station scores: ICC(2,1) {figure(f.icc)} (95% interval {figure(f.ci_low)} to "
        f"{figure(f.ci_high)}) over {plural(icc.n, 'station score')} both assessors gave: "
        f"{icc_words(f.icc)} (Koo and Li)."
    )


def agreement_page(tasks: TaskManager, section: AgreementSection, tables: Sequence[Table]) -> Page:
    page = Page("agreement")
    overall = [
        _agreement_sentence(section.overall),
        _kappa_sentence("Cohen's kappa", section.overall_kappa),
        _kappa_sentence("Weighted kappa (quadratic)", section.overall_weighted_kappa),
        _icc_sentence(section.overall_icc),
    ]
    if not any(overall):
        overall = ["No two assessors have scored the same candidates yet."]
    page.card("Assessors scoring the same candidate", *overall, section.note)
    pairs = [
        f"{plural(len(section.pairs), 'pair')} of assessors scored enough candidates together to be compared"
        + (f"; {plural(section.pairs_too_small, 'pair')} too few" if section.pairs_too_small else "")
        + "."
    ]
    page.card("Pairs of assessors", *pairs)
    if section.many is not None:
        m = section.many
        many = [f"{plural(m.units, 'criterion')} scored by three or more assessors (at most {m.raters})."]
        if m.fleiss is not None:
            many.append(f"Fleiss' kappa {figure(m.fleiss.kappa)}: {kappa_words(m.fleiss.kappa)}.")
        if m.krippendorff is not None:
            a = m.krippendorff.alpha
            many.append(
                f"Krippendorff's alpha (ordinal) {figure(a)}: "
                + (
                    "reliable enough to rely on (0.8 or more)."
                    if a >= 0.8
                    else "below the 0.8 Krippendorff asks for."
                )
            )
        page.card("Three or more assessors", *many)
    page.add_tables(tasks, tables)
    page.finish()
    return page


# -- examiners and drift ---------------------------------------------------------------


def examiners_page(tasks: TaskManager, analysis: QaAnalysis, tables: Sequence[Table]) -> Page:
    page = Page("examiners")
    names = dict(analysis.names)
    points = qa_examiners.effect_points(analysis.examiners, names)
    if not points:
        page.card("Assessor stringency", analysis.examiner_note or "There are too few scores to estimate it.")
    else:
        flagged = [p for p in points if p.flagged]
        lines = [
            f"Each assessor's leniency (+) or stringency (−) in score points, with candidates and "
            f"stations taken into account, and its 95% interval: {plural(len(flagged), 'assessor')} "
            f"of {len(points)} flagged, their interval excluding zero (in the error colour)."
        ]
        box = page.card("Assessor stringency", *lines)
        page.chart(box, qa_charts.caterpillar(points))
    changed = [
        (pack.title, text)
        for pack in analysis.packs
        if (text := qa_examiners.changed_words(pack.outcomes_changed))
    ]
    if changed:
        page.card("If scores were adjusted for stringency", *(f"{title}: {text}" for title, text in changed))
    if analysis.calibration:
        page.card(
            "Calibration against the panel", *qa_examiners.calibration_words(analysis.calibration, names)
        )
    page.add_tables(tasks, tables)
    page.finish()
    return page


def drift_page(tasks: TaskManager, analysis: QaAnalysis, tables: Sequence[Table]) -> Page:
    page = Page("drift")
    names = dict(analysis.names)
    trends = qa_examiners.slot_trends(analysis.drift, names)
    pooled = qa_examiners.pooled_slot(analysis.drift)
    if analysis.drift is None or (not trends and pooled is None):
        page.card("Drift over the day", analysis.examiner_note or "There are too few scores to measure it.")
    else:
        flagged = [t for t in trends if t.flagged]
        lines = [
            "Each assessor's mean deviation from the score the model expects, slot by slot, with its "
            "trend dashed; the pooled trend over all assessors in bold. "
            + (
                f"Shown: the {plural(len(flagged), 'assessor')} whose trend is significant."
                if flagged
                else "No assessor's trend is significant; shown: the three steepest."
            )
        ]
        box = page.card("Drift over the day", *lines)
        shown = flagged or sorted(trends, key=lambda t: -abs(t.slope))[:3]
        page.chart(
            box,
            qa_charts.drift_lines(
                [qa_charts.DriftLine(t.name, t.points, t.slope, t.intercept) for t in shown],
                (pooled.intercept, pooled.slope) if pooled is not None else None,
            ),
        )
        days = qa_examiners.day_words(analysis.drift)
        if days:
            page.card("Drift across days", *days)
    page.add_tables(tasks, tables)
    page.finish()
    return page


# -- reliability -----------------------------------------------------------------------


def _levels_charts(pack: PackAnalysis) -> list[QChartView]:
    """One chart a station: a pack's criteria all in one would leave no room for their names."""
    levels = sorted({lv for c in pack.levels for lv, _ in c.distribution.counts})
    by_station: dict[str, list[CriterionLevels]] = {}
    for c in pack.levels:
        by_station.setdefault(c.station, []).append(c)
    return [
        qa_charts.distributions(
            [
                qa_charts.Distribution(
                    f"{i + 1}. {c.criterion}",  # numbered: the axis merges equal names
                    tuple(dict(c.distribution.counts).get(lv, 0) for lv in levels),
                    c.distribution.floor,
                    c.distribution.ceiling,
                )
                for i, c in enumerate(criteria)
            ],
            [f"level {lv:g}" for lv in levels],
            title=station,
        )
        for station, criteria in by_station.items()
    ]


def _level_flags(pack: PackAnalysis) -> list[str]:
    """A floor or a ceiling, station by station: more than 15% of the scores at the
    scale's lowest (highest) level says the criterion cannot tell those candidates apart."""
    out = []
    by_station: dict[str, list[CriterionLevels]] = {}
    for c in pack.levels:
        by_station.setdefault(c.station, []).append(c)
    for station, criteria in by_station.items():
        floors = [c for c in criteria if c.distribution.floor]
        ceilings = [c for c in criteria if c.distribution.ceiling]
        parts = [
            f"{kind} on {len(found)} of {len(criteria)} criteria"
            + (f" ({'; '.join(c.criterion for c in found)})" if len(found) <= 2 else "")
            for kind, found in (("a floor", floors), ("a ceiling", ceilings))
            if found
        ]
        if parts:
            out.append(f"Flag: {station}: {' and '.join(parts)}.")
    if out:
        out.append(
            "A floor or ceiling: more than 15% of scores at the lowest or highest level, where the "
            "criterion can no longer tell candidates apart."
        )
    return out


def reliability_page(tasks: TaskManager, packs: Sequence[PackAnalysis], tables: Sequence[Table]) -> Page:
    page = Page("reliability")
    if not packs:
        page.card("Reliability", "No sitting in the period has every assessor's scores yet.")
    for pack in packs:
        lines = []
        a = pack.overall.alpha
        if a is not None:
            lines.append(
                f"Cronbach's alpha over all criteria {figure(a.alpha)} (95% interval {figure(a.ci_low)} to "
                f"{figure(a.ci_high)}, {plural(a.n, 'candidate')}): {alpha_words(a.alpha)}."
            )
        for st in pack.stations:
            if st.alpha is not None:
                lines.append(f"{st.station}: alpha {figure(st.alpha.alpha)}, {alpha_words(st.alpha.alpha)}.")
            elif st.note:
                lines.append(f"{st.station}: {st.note}")
        lines += _level_flags(pack)
        box = page.card(f"{pack.title}: the criteria", *lines, pack.overall.note)
        for chart in _levels_charts(pack):
            page.chart(box, chart)
        g = pack.g_study
        if g is None:
            page.card(
                f"{pack.title}: generalisability", pack.g_note or "Too few complete sittings for a G study."
            )
            continue
        parts = ", ".join(f"{c.effect} {share(c.share)}" for c in g.components)
        words = [
            f"Variance of the scores: {parts}.",
            f"With {plural(g.observed.stations, 'station')} and {plural(g.observed.assessors, 'assessor')} a "
            f"station, G is {figure(g.observed.g)} and Φ {figure(g.observed.phi)}: Φ "
            f"{reliability_words(g.observed.phi, g.target)}.",
        ]
        best = g.smallest_for_phi
        words.append(
            f"Decision study: {plural(best.stations, 'station')} with "
            f"{plural(best.assessors, 'assessor')} each would give Φ {figure(best.phi)}."
            if best is not None
            else f"Decision study: no design up to 12 stations and 4 assessors reaches Φ {g.target:.1f}."
        )
        if pack.cut is not None and pack.sem_at_cut is not None:
            words.append(
                f"Around the cut score {figure(pack.cut, 1)} the standard error of measurement is "
                f"{figure(pack.sem_at_cut)}: {plural(pack.near_cut, 'candidate')} within 1.96 SEM of it."
            )
        box = page.card(f"{pack.title}: generalisability", *words, pack.g_note)
        page.chart(
            box, qa_charts.decision_study([(d.stations, d.assessors, d.phi) for d in g.decisions], g.target)
        )
    page.add_tables(tasks, tables)
    page.finish()
    return page


# -- standard setting ------------------------------------------------------------------


def standards_page(tasks: TaskManager, packs: Sequence[PackAnalysis], tables: Sequence[Table]) -> Page:
    page = Page("standards")
    if not any(pack.standards for pack in packs):
        page.card("Standard setting", "No station has overall judgements and scores to set a pass mark from.")
    for pack in packs:
        if not pack.standards:
            continue
        box = page.card(
            f"{pack.title}: borderline regression",
            "Each station's score against the assessors' overall judgement; the pass mark is the "
            "regression line's score at the borderline grade.",
        )
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, st in enumerate(pack.standards):
            cell = QVBoxLayout()
            r = st.regression
            if r is None:
                cell.addWidget(label(f"{st.station}: {st.note or 'no pass mark can be set.'}", wrap=True))
            else:
                text = (
                    f"{st.station}: pass mark {figure(r.pass_mark, 1)} (SE {figure(r.se)}, 95% "
                    f"{figure(r.ci_low, 1)} to {figure(r.ci_high, 1)}), R² {figure(r.r_squared)}: "
                    f"{r_squared_words(r.r_squared)}. Borderline group: {plural(r.n_borderline, 'candidate')}"
                    + (f", mean {figure(r.borderline_group_mean, 1)}." if r.n_borderline else ".")
                )
                page.sentences.append(text)
                cell.addWidget(label(text, wrap=True))
                fit = qa_charts.Regression(st.points, r.slope, r.intercept, r.pass_mark, r.borderline_grade)
                page.chart(cell, qa_charts.borderline_scatter(st.station, fit, GRADES))
            holder = QWidget()
            holder.setLayout(cell)
            grid.addWidget(holder, i // 2, i % 2)
        box.addLayout(grid)
    page.add_tables(tasks, tables)
    page.finish()
    return page


# -- fairness --------------------------------------------------------------------------


def fairness_page(tasks: TaskManager, analysis: QaAnalysis, tables: Sequence[Table]) -> Page:
    page = Page("fairness")
    f = analysis.fairness
    if f is None:
        page.card("Fairness", analysis.fairness_note)
    else:
        lines = [
            f"{f.period.in_words()}: {plural(f.candidates, 'candidate')}. Counts under 5, and any count that "
            "would let one be worked out, are suppressed; pass rates come with Wilson 95% intervals."
        ]
        for t in f.tables:
            for row in t.rows:
                if row.impact is not None and row.impact.flagged:
                    lines.append(
                        f"Flag: {t.dimension.replace('_', ' ')} “{row.group}”: pass rate "
                        f"{share(row.impact.rate)} is {figure(row.impact.ratio)} of the highest group's, "
                        "under four fifths (adverse impact)."
                    )
        rated = sum(1 for t in f.tables for row in t.rows if row.pass_rate is not None)
        hidden = sum(1 for t in f.tables for row in t.rows if row.pass_rate is None)
        if len(lines) == 1:
            lines.append(
                f"Of the {plural(rated, 'group')} whose pass rate can be shown, none is under four fifths of "
                "the highest group's."
            )
        if hidden:
            lines.append(
                f"{plural(hidden, 'group')} {'has' if hidden == 1 else 'have'} no pass rate shown: a count "
                "it comes from is suppressed, so it cannot be judged here."
            )
        page.card("Outcomes by group", *lines)
    page.add_tables(tasks, tables)
    page.finish()
    return page


def more_page(tasks: TaskManager, tables: Sequence[Table]) -> Page:
    page = Page("more")
    page.add_tables(tasks, tables)
    page.finish()
    return page
