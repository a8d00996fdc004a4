"""The centre's quality-assurance report: the figures of one analysis, what they say in
plain words, small charts, and one place for the signature of whoever ran it.

Drawn from a ``QaAnalysis`` alone (no database), in the look of the other reports: the
same fonts, page frame and signature block. Long lists (every pair of assessors, every
cell of the decision study) are cut to what a reader takes in, with the rest named: the
tables written beside the report hold all of them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
)

from naas_centre import __version__
from naas_centre.reports import fonts, qa_charts
from naas_centre.reports.data import DEFAULT_TIMEZONE
from naas_centre.reports.layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PageInfo,
    SignatureSlots,
    SlotRect,
    SlotText,
    canvas_maker,
    facts,
    grid,
    long_day,
    p,
    stamp,
    styles,
    with_logo,
)
from naas_centre.services.qa_analysis import PackAnalysis, QaAnalysis
from naas_centre.services.qa_readings import Reading, readings

TITLE = "Quality assurance report"
MOST_PAIRS = 30  # pairs of assessors listed in the report; the CSV holds every one
MOST_ASSESSORS = 40
MOST_POINTS = 300  # a station's (grade, score) points in its chart: enough to see the spread
FLAG = "Attention"  # a reading that asks for attention says so in words, not by colour


@dataclass(frozen=True)
class Signer:
    name: str
    role: str  # as printed: "Centre manager"
    registration: str | None = None


@dataclass(frozen=True)
class RenderedQaReport:
    pdf: bytes
    slots: tuple[SlotRect, ...]
    title: str


def _n(value: float | None, places: int = 2) -> str:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
    return f"{value:.{places}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class _Builder:
    def __init__(self, analysis: QaAnalysis, centre: str, width: float) -> None:
        self.a = analysis
        self.centre = centre
        self.width = width
        self.st = styles()
        self.names = dict(analysis.names)

    def cells(self, row: Sequence[str], *, bold: bool = False) -> list[Any]:
        style = self.st["cell_bold"] if bold else self.st["cell"]
        return [p(text, style, bold=bold) for text in row]

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], fractions: Sequence[float]) -> Any:
        body = [self.cells(headers, bold=True), *(self.cells(r) for r in rows)]
        return grid(body, [self.width * f for f in fractions], zebra=True)

    def h2(self, text: str) -> Any:
        return p(text, self.st["h2"], bold=True)

    def h3(self, text: str) -> Any:
        return p(text, self.st["h3"], bold=True)

    def body(self, text: str) -> Any:
        return p(text, self.st["body"])

    def small(self, text: str) -> Any:
        return p(text, self.st["small"])

    def readings_of(self, section: str, found: Sequence[Reading]) -> list[Any]:
        out = []
        for r in found:
            if r.section == section:
                out.append(self.body(f"{FLAG}: {r.text}" if r.flagged else r.text))
        return out

    # Sections ---------------------------------------------------------------------

    def summary(self, found: Sequence[Reading]) -> list[Any]:
        sc = self.a.scope
        pairs = [
            ("Period", sc.in_words()),
            ("Sittings counted", f"{sc.sittings} (every assessor submitted)"),
            ("Candidates", str(sc.candidates)),
            ("Assessors", str(sc.assessors)),
            ("Not yet counted", f"{sc.left_out} sittings still open"),
            (
                "Days",
                f"{long_day(sc.first_day)} to {long_day(sc.last_day)}"
                if sc.first_day and sc.last_day
                else "none",
            ),
        ]
        flagged = [r for r in found if r.flagged]
        out: list[Any] = [
            facts(pairs, self.width, self.st),
            Spacer(1, 3 * mm),
            self.h2("What the figures say"),
        ]
        if flagged:
            out.append(
                self.body(f"{len(flagged)} findings ask for attention; each is marked “{FLAG}” below.")
            )
        else:
            out.append(self.body("No finding asks for attention."))
        for r in found:
            out.append(self.body(f"• {FLAG}: {r.text}" if r.flagged else f"• {r.text}"))
        return out

    def agreement(self, found: Sequence[Reading]) -> list[Any]:
        ag = self.a.agreement
        out: list[Any] = [self.h2("1. Assessor agreement"), *self.readings_of("Agreement", found)]
        if ag.overall is not None:
            rows = [
                ("Criterion levels given by two assessors", str(ag.overall.n)),
                ("Exact agreement", _pct(ag.overall.exact)),
                ("Within one level", _pct(ag.overall.adjacent)),
                ("Cohen's kappa", _n(ag.overall_kappa.kappa if ag.overall_kappa else None)),
                (
                    "Weighted kappa (quadratic)",
                    _n(ag.overall_weighted_kappa.kappa if ag.overall_weighted_kappa else None),
                ),
            ]
            out.append(facts(rows, self.width, self.st))
        if ag.overall_icc is not None:
            out += [
                self.h3(f"Intraclass correlation of station scores ({ag.overall_icc.n} scored by two)"),
                self.table(
                    ("Form", "ICC", "95% interval", "F", "p"),
                    [
                        (f.form, _n(f.icc), f"{_n(f.ci_low)} to {_n(f.ci_high)}", _n(f.f), _n(f.p, 4))
                        for f in ag.overall_icc.forms
                    ],
                    (0.2, 0.15, 0.3, 0.15, 0.2),
                ),
                self.small(
                    "ICC(1,·): each candidate scored by different assessors; ICC(2,·): absolute agreement; "
                    "ICC(3,·): consistency. The ·,1 forms are one assessor's reliability, ·,k the mean of k."
                ),
            ]
        if ag.many is not None:
            m = ag.many
            out.append(
                self.body(
                    f"Where three or more assessors scored ({m.units} criterion levels): Fleiss' kappa "
                    f"{_n(m.fleiss.kappa if m.fleiss else None)}, Krippendorff's alpha (ordinal) "
                    f"{_n(m.krippendorff.alpha if m.krippendorff else None)}."
                )
            )
        if ag.pairs:
            shown = sorted(ag.pairs, key=lambda x: x.weighted_kappa.kappa if x.weighted_kappa else -2.0)[
                :MOST_PAIRS
            ]
            out += [
                self.h3("Pairs of assessors, weakest agreement first"),
                self.table(
                    ("Assessors", "Levels", "Exact", "Within one", "Kappa", "Weighted", "ICC(2,1)"),
                    [
                        (
                            f"{x.first} and {x.second}",
                            str(x.agreement.n),
                            _pct(x.agreement.exact),
                            _pct(x.agreement.adjacent),
                            _n(x.kappa.kappa if x.kappa else None),
                            _n(x.weighted_kappa.kappa if x.weighted_kappa else None),
                            _n(x.icc.form("ICC(2,1)").icc if x.icc else None),
                        )
                        for x in shown
                    ],
                    (0.34, 0.1, 0.1, 0.12, 0.1, 0.12, 0.12),
                ),
            ]
            rest = len(ag.pairs) - len(shown)
            if rest > 0 or ag.pairs_too_small:
                out.append(
                    self.small(
                        f"{rest} more pairs are in agreement-pairs.csv; {ag.pairs_too_small} pairs scored "
                        "too few candidates together to be shown."
                    )
                )
        return out

    def reliability(self, found: Sequence[Reading]) -> list[Any]:
        out: list[Any] = [
            self.h2("2. Reliability of the instrument"),
            *self.readings_of("Reliability", found),
        ]
        for pack in self.a.packs:
            out += self._pack_reliability(pack)
        return out

    def _pack_reliability(self, pack: PackAnalysis) -> list[Any]:
        out: list[Any] = [self.h3(f"{pack.title} ({pack.pack}), {pack.sittings} sittings")]
        rows = []
        for r in (*pack.stations, pack.overall):
            al = r.alpha
            rows.append(
                (
                    r.station,
                    str(len(r.items)),
                    str(al.n) if al else "—",
                    _n(al.alpha if al else None),
                    f"{_n(al.ci_low)} to {_n(al.ci_high)}" if al else r.note,
                )
            )
        out.append(
            self.table(
                ("Station", "Criteria", "Candidates", "Alpha", "95% interval"),
                rows,
                (0.36, 0.1, 0.12, 0.1, 0.32),
            )
        )
        if pack.levels:
            out += [
                Spacer(1, 2 * mm),
                self.small("How each criterion's levels were used (every assessor's levels):"),
                qa_charts.levels(
                    [
                        (
                            f"{lv.station}: {lv.criterion}"
                            + (" (floor)" if lv.distribution.floor else "")
                            + (" (ceiling)" if lv.distribution.ceiling else ""),
                            [n for _, n in lv.distribution.counts],
                        )
                        for lv in pack.levels
                    ],
                    self.width,
                ),
            ]
        g = pack.g_study
        if g is not None:
            comp = [
                (c.effect, str(c.df), _n(c.mean_square), _n(c.variance, 3), _pct(c.share))
                for c in g.components
            ]
            out += [
                self.h3("Generalisability study (candidates × assessors within stations)"),
                self.table(
                    ("Effect", "df", "Mean square", "Variance", "Share"), comp, (0.34, 0.12, 0.18, 0.18, 0.18)
                ),
                self.body(
                    f"As run ({g.observed.stations} stations, {g.observed.assessors} assessors at each, "
                    f"{g.candidates} candidates): G {_n(g.observed.g)}, phi {_n(g.observed.phi)}; "
                    f"SEM {_n(g.observed.sem_absolute)} points of a candidate's mean station score."
                ),
            ]
            curves = []
            for assessors in sorted({d.assessors for d in g.decisions})[:3]:
                pts = [(d.stations, d.phi) for d in g.decisions if d.assessors == assessors]
                curves.append((f"{assessors} assessor{'s' if assessors > 1 else ''}", pts))
            out.append(qa_charts.decision(curves, g.target, self.width * 0.6))
            if pack.cut is not None and pack.sem_at_cut is not None:
                out.append(
                    self.body(
                        f"At the cut ({_n(pack.cut, 1)}, the mean station pass mark), the standard error of "
                        f"measurement is {_n(pack.sem_at_cut)}: {pack.near_cut} candidates lie within "
                        f"1.96 SEM of it."
                    )
                )
        elif pack.g_note:
            out.append(self.small(f"No generalisability study: {pack.g_note}"))
        return out

    def standards(self, found: Sequence[Reading]) -> list[Any]:
        out: list[Any] = [self.h2("3. Standard setting"), *self.readings_of("Standard setting", found)]
        for pack in self.a.packs:
            rows = []
            for s in pack.standards:
                r = s.regression
                rows.append(
                    (
                        s.station,
                        str(r.n) if r else "—",
                        str(r.n_borderline) if r else "—",
                        _n(r.pass_mark) if r else "—",
                        _n(r.se) if r else "—",
                        _n(r.r_squared) if r else "—",
                        _n(r.borderline_group_mean) if r else s.note,
                    )
                )
            out += [
                self.h3(f"{pack.title}: borderline regression per station"),
                self.table(
                    ("Station", "Judgements", "Borderline", "Pass mark", "SE", "R²", "Borderline group"),
                    rows,
                    (0.3, 0.12, 0.12, 0.12, 0.1, 0.1, 0.14),
                ),
            ]
            charts = []
            for s in pack.standards:
                r = s.regression
                if r is None:
                    continue
                ticks = [(g, f"{g:g}") for g, _ in s.grades]
                charts.append(
                    [
                        self.small(f"{s.station} (R² {_n(r.r_squared)})"),
                        qa_charts.scatter(
                            s.points,
                            r.slope,
                            r.intercept,
                            r.pass_mark,
                            r.borderline_grade,
                            ticks,
                            self.width / 2 - 3 * mm,
                        ),
                    ]
                )
            out += _two_columns(charts, self.width)
            if pack.outcomes_changed is not None:
                c = pack.outcomes_changed
                out.append(
                    self.body(
                        f"At the cut, {c.met} of {c.candidates} candidates reach it as scored and "
                        f"{c.met_adjusted} once each score is adjusted for its assessor: "
                        f"{c.met_to_not_met} would go from met to not met, "
                        f"{c.not_met_to_met} from not met to met."
                    )
                )
        return out

    def examiners(self, found: Sequence[Reading]) -> list[Any]:
        out: list[Any] = [self.h2("4. Examiner stringency and drift"), *self.readings_of("Examiners", found)]
        e = self.a.examiners
        if e is not None:
            out += [
                self.small(
                    "Each assessor's effect with its 95% interval; filled: the interval excludes zero."
                ),
                qa_charts.caterpillar(
                    [(x.effect, x.ci_low, x.ci_high, x.flagged) for x in e.assessors], self.width
                ),
            ]
            ranked = sorted(e.assessors, key=lambda x: (not x.flagged, -abs(x.effect)))[:MOST_ASSESSORS]
            out.append(
                self.table(
                    ("Assessor", "Station scores", "Effect", "95% interval", "Flag"),
                    [
                        (
                            self.names.get(x.assessor, x.assessor),
                            str(x.n),
                            f"{x.effect:+.2f}",
                            f"{x.ci_low:+.2f} to {x.ci_high:+.2f}",
                            "stands out (Holm)" if x.flagged else "",
                        )
                        for x in ranked
                    ],
                    (0.34, 0.14, 0.12, 0.2, 0.2),
                )
            )
            if len(e.assessors) > len(ranked):
                out.append(
                    self.small(f"{len(e.assessors) - len(ranked)} more assessors are in examiners.csv.")
                )
        if self.a.calibration:
            out += self._calibration()
        out += self.readings_of("Drift", found)
        d = self.a.drift
        if d is not None and d.pooled_slot is not None:
            t = d.pooled_slot
            out += [
                self.small(
                    f"All assessors: mean deviation at each slot of the day (slope {t.slope:+.2f} per slot)."
                ),
                qa_charts.trend(
                    t.points, t.slope, t.intercept, "slot of the day (0: first)", self.width * 0.6
                ),
            ]
        return out

    def _calibration(self) -> list[Any]:
        """Each assessor against the panel's agreed levels of the calibration recordings:
        a check of the stringency model from outside it (every finished attempt)."""
        ranked = sorted(self.a.calibration, key=lambda o: (not o.flagged, -abs(o.offset)))[:MOST_ASSESSORS]
        return [
            self.h3("Calibration against the panel"),
            self.small(
                "Each assessor's station score less the one the panel agreed for the same recording, "
                "on average over their calibration exercises (positive: more lenient), with its 95% interval."
            ),
            self.table(
                ("Assessor", "Exercises", "Levels as agreed", "Offset", "95% interval", "Flag"),
                [
                    (
                        self.names.get(o.assessor, o.assessor),
                        str(o.exercises),
                        _pct(o.exact),
                        f"{o.offset:+.2f}",
                        f"{o.ci_low:+.2f} to {o.ci_high:+.2f}"
                        if o.ci_low is not None and o.ci_high is not None
                        else "one exercise",
                        "differs from the panel" if o.flagged else "",
                    )
                    for o in ranked
                ],
                (0.28, 0.12, 0.14, 0.1, 0.18, 0.18),
            ),
        ]

    def fairness(self, found: Sequence[Reading]) -> list[Any]:
        out: list[Any] = [self.h2("5. Fairness"), *self.readings_of("Fairness", found)]
        f = self.a.fairness
        if f is None:
            return out
        out.append(
            self.small(
                f"{f.period.in_words()}, {f.candidates} candidates. A count under 5, and any count "
                "that would let one be worked out, is hidden (shown as “hidden”)."
            )
        )
        for t in f.tables:
            rows = []
            for r in t.rows:
                rows.append(
                    (
                        r.group,
                        *("hidden" if c is None else str(c) for c in r.counts[:2]),
                        "hidden" if r.total is None else str(r.total),
                        _pct(r.pass_rate.rate) if r.pass_rate else "—",
                        f"{_pct(r.pass_rate.interval.low)} to {_pct(r.pass_rate.interval.high)}"
                        if r.pass_rate
                        else "—",
                        (_n(r.impact.ratio) + (" (under 4/5)" if r.impact.flagged else ""))
                        if r.impact
                        else "—",
                    )
                )
            out += [
                self.h3(t.dimension.replace("_", " ").capitalize()),
                self.table(
                    ("Group", "Met", "Not met", "Total", "Pass rate", "95% (Wilson)", "Impact ratio"),
                    rows,
                    (0.28, 0.09, 0.09, 0.09, 0.11, 0.17, 0.17),
                ),
            ]
        return out

    def knowledge_items(self, number: int) -> list[Any]:
        """Each pack's forms (KR-20) and the items flagged for review, by id: the report
        never shows an item's wording, so it can travel without exposing the bank."""
        out: list[Any] = [
            self.h2(f"{number}. The knowledge test's items"),
            self.small(
                "Facility is the share of candidates who answered an item right; discrimination is "
                "the corrected point-biserial (the item against the rest of the form). KR-20 is each "
                "form's reliability, estimated over the item sets candidates were drawn."
            ),
        ]
        for report in self.a.items:
            flagged = report.flagged()
            out += [
                self.h3(
                    f"{report.pack_name}: {len(report.items)} item versions sat, {len(flagged)} for review"
                ),
                self.table(
                    ("Form", "Item sets sat", "Candidates", "KR-20"),
                    [
                        (f.blueprint, str(f.forms), str(f.candidates), _n(f.kr20_estimated))
                        for f in report.forms
                    ],
                    (0.4, 0.2, 0.2, 0.2),
                ),
            ]
            if flagged:
                out += [
                    Spacer(1, 2 * mm),
                    self.table(
                        ("Item", "Topic", "Sat by", "Facility", "Discrimination", "Why review it"),
                        [
                            (
                                f"{i.item_id} v{i.version}",
                                i.topic,
                                str(i.candidates),
                                _n(i.facility),
                                _n(i.point_biserial),
                                "; ".join(i.review.reasons),
                            )
                            for i in flagged
                        ],
                        (0.12, 0.2, 0.08, 0.1, 0.16, 0.34),
                    ),
                ]
            else:
                out.append(self.body("No item of this bank is flagged for review."))
        return out


def _two_columns(items: list[Any], width: float) -> list[Any]:
    from reportlab.platypus import Table

    if not items:
        return []
    rows = [items[i : i + 2] + [""] * (2 - len(items[i : i + 2])) for i in range(0, len(items), 2)]
    table = Table(rows, colWidths=[width / 2, width / 2], hAlign="LEFT")
    return [table]


def render(
    analysis: QaAnalysis,
    *,
    centre: str,
    signer: Signer,
    made_at: datetime,
    timezone: str = DEFAULT_TIMEZONE,
    logo: bytes | None = None,
) -> RenderedQaReport:
    """The report as a PDF, with one signature place for ``signer``."""
    width = A4[0] - 2 * MARGIN_X
    b = _Builder(analysis, centre, width)
    found = readings(analysis)
    st = b.st
    period = analysis.scope.in_words()
    heading: list[Flowable] = [p(TITLE, st["title"], bold=True), p(f"{centre} · {period}", st["subtitle"])]
    story: list[Any] = [*with_logo(heading, logo, width), Spacer(1, 4 * mm)]
    story += b.summary(found)
    story += b.agreement(found)
    story += b.reliability(found)
    story += b.standards(found)
    story += b.examiners(found)
    fairness = analysis.fairness is not None or bool(analysis.fairness_note)
    if fairness:
        story += b.fairness(found)
    if analysis.items:
        story += b.knowledge_items(6 if fairness else 5)
    slots: list[SlotRect] = []
    boxes = SignatureSlots(
        [
            SlotText(
                f"{signer.role}: {signer.name}",
                signer.registration,
                "By signing I confirm that I ran this analysis on the centre's records for the period shown, "
                "and that the figures are as the product computed them.",
            )
        ],
        width,
        slots,
    )
    story += [
        CondPageBreak(boxes.height + 24 * mm),
        KeepTogether(
            [
                p("Signature", st["h2"], bold=True),
                b.small(
                    f"Prepared {stamp(made_at, timezone)}. Every table is written beside this report "
                    "as CSV and XLSX."
                ),
                Spacer(1, 2 * mm),
                boxes,
            ]
        ),
    ]
    info = PageInfo(
        centre=centre,
        kind_label=TITLE,
        footer_left=f"{centre} · {period}",
        footer_second=f"naas-centre {__version__}",
    )
    title = f"{TITLE}, {period}"
    pdf = _write(
        story,
        info,
        title=title,
        author=centre,
        subject=f"Assessor agreement, reliability, standard setting and fairness, {period}",
    )
    return RenderedQaReport(pdf, tuple(slots), title)


def _write(story: list[Any], info: PageInfo, *, title: str, author: str, subject: str) -> bytes:
    fonts.register()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator=f"naas-centre {__version__}",
        lang="en-GB",
        displayDocTitle=1,
        initialFontName=fonts.SANS,
        initialFontSize=9,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        A4[0] - 2 * MARGIN_X,
        A4[1] - MARGIN_TOP - MARGIN_BOTTOM,
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
