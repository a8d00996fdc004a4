"""The QA analysis as tables of plain values: what the command line and the dashboard
write as CSV and XLSX through ``naas_centre.exports.writers``.

Numbers that are not whole are given as text to four decimal places, so a CSV and an
XLSX of one table read alike (the XLSX writer makes them numbers shown to those places);
a figure that does not exist is an empty cell. Assessors are named as the centre knows them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from naas_centre.exports.score_sheets import Column, Kind, Value
from naas_centre.exports.writers import Cancelled, Format

if TYPE_CHECKING:
    from naas_centre.qa.agreement import Kappa
    from naas_centre.qa.icc import Icc
    from naas_centre.services.qa_analysis import QaAnalysis


@dataclass(frozen=True)
class Table:
    name: str  # a file name without extension: "agreement-pairs"
    title: str  # as a person reads it: "Agreement between pairs of assessors"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.title for c in self.columns)


def write(table: Table, target: Path, fmt: Format, cancelled: Cancelled | None = None) -> int:
    """The table as one CSV or XLSX file, written whole or not at all; returns its rows."""
    from naas_centre.exports import writers

    if fmt == "csv":
        return writers.write_csv(target, table.columns, table.rows, len(table.rows), cancelled=cancelled)
    return writers.write_xlsx(
        target, table.columns, table.rows, len(table.rows), cancelled=cancelled, sheet_name=table.name[:31]
    )


def number(value: float | None, places: int = 4) -> str | None:
    """A figure as text to ``places`` decimals; None for none (or not a number)."""
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return f"{value:.{places}f}"


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def _cols(spec: Sequence[tuple[str, Kind]]) -> tuple[Column, ...]:
    out = []
    for title, kind in spec:
        width = {"text": 28, "word": 12, "number": 11, "date": 12, "id": 38}[kind]
        key = title.lower().replace(" ", "_")
        out.append(Column(key, title, kind, max(width, min(40, len(title) + 2))))
    return tuple(out)


def _table(name: str, title: str, spec: Sequence[tuple[str, Kind]], rows: Iterable[Sequence[Value]]) -> Table:
    return Table(name, title, _cols(spec), tuple(tuple(r) for r in rows))


def _kappa(k: Kappa | None) -> str | None:
    return number(k.kappa) if k is not None else None


def _icc_rows(first: str, second: str, found: Icc | None) -> list[tuple[Value, ...]]:
    if found is None:
        return []
    return [
        (
            first,
            second,
            f.form,
            found.n,
            number(f.icc),
            number(f.ci_low),
            number(f.ci_high),
            number(f.f),
            number(f.p, 6),
        )
        for f in found.forms
    ]


def tables(analysis: QaAnalysis) -> tuple[Table, ...]:
    out = [
        *_agreement(analysis),
        *_reliability(analysis),
        *_standards(analysis),
        *_examiners(analysis),
        *_calibration(analysis),
    ]
    if analysis.fairness is not None:
        out += _fairness(analysis)
    if analysis.items:
        from naas_centre.services import item_statistics  # numpy, as the analysis itself

        for report in analysis.items:
            out += item_statistics.tables(report)
    return tuple(out)


def _agreement(a: QaAnalysis) -> list[Table]:
    ag = a.agreement
    pair_rows: list[tuple[Value, ...]] = []
    if ag.overall is not None:
        pair_rows.append(
            (
                "All pairs",
                "",
                ag.overall.n,
                number(ag.overall.exact),
                number(ag.overall.adjacent),
                _kappa(ag.overall_kappa),
                _kappa(ag.overall_weighted_kappa),
                ag.overall_icc.n if ag.overall_icc is not None else 0,
            )
        )
    for p in ag.pairs:
        pair_rows.append(
            (
                p.first,
                p.second,
                p.agreement.n,
                number(p.agreement.exact),
                number(p.agreement.adjacent),
                _kappa(p.kappa),
                _kappa(p.weighted_kappa),
                p.station_scores,
            )
        )
    icc_rows = _icc_rows("All pairs", "", ag.overall_icc)
    for p in ag.pairs:
        icc_rows += _icc_rows(p.first, p.second, p.icc)
    out = [
        _table(
            "agreement-pairs",
            "Agreement between assessors who scored the same candidates (criterion levels)",
            (
                ("First assessor", "text"),
                ("Second assessor", "text"),
                ("Levels both gave", "number"),
                ("Exact agreement", "number"),
                ("Adjacent agreement", "number"),
                ("Cohen's kappa", "number"),
                ("Weighted kappa (quadratic)", "number"),
                ("Station scores both gave", "number"),
            ),
            pair_rows,
        ),
        _table(
            "agreement-icc",
            "Intraclass correlations of station scores (Shrout and Fleiss), with 95% intervals",
            (
                ("First assessor", "text"),
                ("Second assessor", "text"),
                ("Form", "word"),
                ("Station scores", "number"),
                ("ICC", "number"),
                ("95% low", "number"),
                ("95% high", "number"),
                ("F", "number"),
                ("p", "number"),
            ),
            icc_rows,
        ),
        _table(
            "agreement-assessors",
            "Each assessor's agreement with whoever scored beside them",
            (
                ("Assessor", "text"),
                ("Co-assessors", "number"),
                ("Levels", "number"),
                ("Exact agreement", "number"),
                ("Adjacent agreement", "number"),
                ("Cohen's kappa", "number"),
                ("Weighted kappa (quadratic)", "number"),
            ),
            (
                (
                    x.assessor,
                    x.co_assessors,
                    x.agreement.n,
                    number(x.agreement.exact),
                    number(x.agreement.adjacent),
                    _kappa(x.kappa),
                    _kappa(x.weighted_kappa),
                )
                for x in ag.assessors
            ),
        ),
    ]
    if ag.many is not None:
        m = ag.many
        out.append(
            _table(
                "agreement-many-raters",
                "Agreement where three or more assessors scored",
                (("Statistic", "word"), ("Value", "number"), ("Units", "number"), ("Raters", "number")),
                (
                    (
                        "Fleiss' kappa",
                        number(m.fleiss.kappa) if m.fleiss else None,
                        m.fleiss.n if m.fleiss else 0,
                        m.raters,
                    ),
                    (
                        "Krippendorff's alpha (ordinal)",
                        number(m.krippendorff.alpha) if m.krippendorff else None,
                        m.krippendorff.n if m.krippendorff else 0,
                        m.raters,
                    ),
                ),
            )
        )
    return out


def _reliability(a: QaAnalysis) -> list[Table]:
    alpha_rows: list[tuple[Value, ...]] = []
    item_rows: list[tuple[Value, ...]] = []
    level_rows: list[tuple[Value, ...]] = []
    component_rows: list[tuple[Value, ...]] = []
    decision_rows: list[tuple[Value, ...]] = []
    for p in a.packs:
        for r in (*p.stations, p.overall):
            al = r.alpha
            alpha_rows.append(
                (
                    p.pack,
                    r.station,
                    len(r.items),
                    al.n if al else 0,
                    number(al.alpha) if al else None,
                    number(al.ci_low) if al else None,
                    number(al.ci_high) if al else None,
                    al.dropped if al else None,
                    r.note,
                )
            )
            if al is not None:
                for f in al.per_item:
                    item_rows.append(
                        (
                            p.pack,
                            r.station,
                            r.items[f.item],
                            number(f.alpha_if_deleted),
                            number(f.corrected_item_total),
                        )
                    )
        for lv in p.levels:
            d = lv.distribution
            level_rows.append(
                (
                    p.pack,
                    lv.station,
                    lv.criterion,
                    d.n,
                    "; ".join(f"{level:g}: {n}" for level, n in d.counts),
                    number(d.lowest_share),
                    number(d.highest_share),
                    _yes(d.floor),
                    _yes(d.ceiling),
                )
            )
        g = p.g_study
        if g is not None:
            for c in g.components:
                component_rows.append(
                    (p.pack, c.effect, c.df, number(c.mean_square), number(c.variance), number(c.share))
                )
            for d_ in g.decisions:
                decision_rows.append(
                    (
                        p.pack,
                        d_.stations,
                        d_.assessors,
                        number(d_.g),
                        number(d_.phi),
                        number(d_.sem_relative),
                        number(d_.sem_absolute),
                        _yes(d_.stations == g.observed.stations and d_.assessors == g.observed.assessors),
                    )
                )
    return [
        _table(
            "reliability-alpha",
            "Cronbach's alpha per station and over all stations, with Feldt's 95% interval",
            (
                ("Pack", "text"),
                ("Station", "text"),
                ("Criteria", "number"),
                ("Candidates", "number"),
                ("Alpha", "number"),
                ("95% low", "number"),
                ("95% high", "number"),
                ("Left out (a criterion unscored)", "number"),
                ("Note", "text"),
            ),
            alpha_rows,
        ),
        _table(
            "reliability-items",
            "Each criterion: alpha if it were deleted, and its corrected item-total correlation",
            (
                ("Pack", "text"),
                ("Station", "text"),
                ("Criterion", "text"),
                ("Alpha if deleted", "number"),
                ("Corrected item-total correlation", "number"),
            ),
            item_rows,
        ),
        _table(
            "criterion-levels",
            "How each criterion's levels were used, with floor and ceiling effects",
            (
                ("Pack", "text"),
                ("Station", "text"),
                ("Criterion", "text"),
                ("Levels given", "number"),
                ("Count at each level", "word"),
                ("Share at the lowest", "number"),
                ("Share at the highest", "number"),
                ("Floor", "word"),
                ("Ceiling", "word"),
            ),
            level_rows,
        ),
        _table(
            "g-study",
            "Generalisability study: variance components (candidates, assessors within stations)",
            (
                ("Pack", "text"),
                ("Effect", "word"),
                ("df", "number"),
                ("Mean square", "number"),
                ("Variance", "number"),
                ("Share", "number"),
            ),
            component_rows,
        ),
        _table(
            "d-study",
            "Decision study: reliability by number of stations and assessors per station",
            (
                ("Pack", "text"),
                ("Stations", "number"),
                ("Assessors per station", "number"),
                ("G (relative)", "number"),
                ("Phi (absolute)", "number"),
                ("SEM (relative)", "number"),
                ("SEM (absolute)", "number"),
                ("As run", "word"),
            ),
            decision_rows,
        ),
    ]


def _standards(a: QaAnalysis) -> list[Table]:
    rows: list[tuple[Value, ...]] = []
    cut_rows: list[tuple[Value, ...]] = []
    for p in a.packs:
        for s in p.standards:
            r = s.regression
            rows.append(
                (
                    p.pack,
                    s.station,
                    r.n if r else sum(n for _, n in s.grades),
                    r.n_borderline if r else None,
                    number(r.pass_mark) if r else None,
                    number(r.se) if r else None,
                    number(r.ci_low) if r else None,
                    number(r.ci_high) if r else None,
                    number(r.slope) if r else None,
                    number(r.intercept) if r else None,
                    number(r.r_squared) if r else None,
                    number(r.borderline_group_mean) if r else None,
                    number(r.borderline_group_se) if r else None,
                    s.note,
                )
            )
        changed = p.outcomes_changed
        cut_rows.append(
            (
                p.pack,
                p.sittings,
                number(p.cut),
                number(p.sem_at_cut),
                p.near_cut,
                changed.met_to_not_met if changed is not None else None,
                changed.not_met_to_met if changed is not None else None,
            )
        )
    return [
        _table(
            "standard-setting",
            "Borderline regression per station (grades: met 3, borderline 2, not met 1), "
            "with the borderline group beside it",
            (
                ("Pack", "text"),
                ("Station", "text"),
                ("Judgements", "number"),
                ("Borderline", "number"),
                ("Pass mark", "number"),
                ("SE", "number"),
                ("95% low", "number"),
                ("95% high", "number"),
                ("Slope", "number"),
                ("Intercept", "number"),
                ("R squared", "number"),
                ("Borderline group mean", "number"),
                ("Borderline group SE", "number"),
                ("Note", "text"),
            ),
            rows,
        ),
        _table(
            "cut-score",
            "The cut (mean station pass mark), the standard error of measurement there, and "
            "outcomes that adjusting for examiner stringency would change",
            (
                ("Pack", "text"),
                ("Sittings", "number"),
                ("Cut (mean station score)", "number"),
                ("SEM at the cut", "number"),
                ("Candidates within 1.96 SEM", "number"),
                ("Met to not met", "number"),
                ("Not met to met", "number"),
            ),
            cut_rows,
        ),
    ]


def _examiners(a: QaAnalysis) -> list[Table]:
    names = dict(a.names)
    out: list[Table] = []
    effects = a.examiners
    if effects is not None:
        out.append(
            _table(
                "examiners",
                "Examiner stringency: each assessor's effect in score points (positive: lenient)",
                (
                    ("Assessor", "text"),
                    ("Station scores", "number"),
                    ("Effect", "number"),
                    ("SE", "number"),
                    ("95% low", "number"),
                    ("95% high", "number"),
                    ("Interval excludes zero", "word"),
                    ("p (Holm-adjusted)", "number"),
                    ("Flagged", "word"),
                ),
                (
                    (
                        names.get(e.assessor, e.assessor),
                        e.n,
                        number(e.effect),
                        number(e.se),
                        number(e.ci_low),
                        number(e.ci_high),
                        _yes(e.ci_low > 0 or e.ci_high < 0),
                        number(e.p_holm),
                        _yes(e.flagged),
                    )
                    for e in sorted(effects.assessors, key=lambda e: names.get(e.assessor, e.assessor))
                ),
            )
        )
    drift = a.drift
    if drift is not None:
        rows: list[tuple[Value, ...]] = []
        for what, trends, pooled in (
            ("slot", drift.slot, drift.pooled_slot),
            ("day", drift.day, drift.pooled_day),
        ):
            for t in (*trends, *((pooled,) if pooled is not None else ())):
                rows.append(
                    (
                        "All assessors" if t.assessor is None else names.get(t.assessor, t.assessor),
                        what,
                        t.n,
                        number(t.slope),
                        number(t.se),
                        number(t.ci_low),
                        number(t.ci_high),
                        number(t.p_value, 6),
                        number(t.p_adjusted, 6),
                        _yes(t.flagged),
                    )
                )
        out.append(
            _table(
                "drift",
                "Drift: how each assessor's deviation moves per slot of a day and per day",
                (
                    ("Assessor", "text"),
                    ("Across", "word"),
                    ("Station scores", "number"),
                    ("Slope", "number"),
                    ("SE", "number"),
                    ("95% low", "number"),
                    ("95% high", "number"),
                    ("p", "number"),
                    ("p (Holm)", "number"),
                    ("Significant", "word"),
                ),
                rows,
            )
        )
    return out


def _calibration(a: QaAnalysis) -> list[Table]:
    if not a.calibration:
        return []
    names = dict(a.names)
    return [
        _table(
            "calibration",
            "Calibration: each assessor's station score less the panel's agreed one (positive: lenient)",
            (
                ("Assessor", "text"),
                ("Exercises", "number"),
                ("Levels", "number"),
                ("Same as agreed", "number"),
                ("Per criterion", "number"),
                ("Offset", "number"),
                ("95% low", "number"),
                ("95% high", "number"),
                ("Interval excludes zero", "word"),
            ),
            (
                (
                    names.get(o.assessor, o.assessor),
                    o.exercises,
                    o.levels,
                    number(o.exact),
                    number(o.per_criterion),
                    number(o.offset),
                    number(o.ci_low),
                    number(o.ci_high),
                    _yes(o.flagged),
                )
                for o in sorted(a.calibration, key=lambda o: names.get(o.assessor, o.assessor))
            ),
        )
    ]


def _fairness(a: QaAnalysis) -> list[Table]:
    f = a.fairness
    assert f is not None
    rows: list[tuple[Value, ...]] = []
    for t in f.tables:
        for r in t.rows:
            rate, impact = r.pass_rate, r.impact
            rows.append(
                (
                    t.dimension.replace("_", " "),
                    r.group,
                    *r.counts,
                    r.total,
                    number(rate.rate) if rate else None,
                    number(rate.interval.low) if rate else None,
                    number(rate.interval.high) if rate else None,
                    number(impact.ratio) if impact else None,
                    _yes(impact.flagged) if impact else None,
                )
            )
    station_rows = [
        (
            s.dimension.replace("_", " "),
            s.group,
            s.station,
            s.mean.n,
            number(s.mean.mean),
            number(s.mean.interval.low),
            number(s.mean.interval.high),
            number(s.difference.difference) if s.difference else None,
            number(s.difference.interval.low) if s.difference else None,
            number(s.difference.interval.high) if s.difference else None,
        )
        for s in f.stations
    ]
    period = f.period.in_words()
    return [
        _table(
            "fairness-outcomes",
            f"Outcomes by group, {period} (counts under 5, and what would give them away, hidden)",
            (
                ("Dimension", "word"),
                ("Group", "text"),
                ("Met", "number"),
                ("Not met", "number"),
                ("Not yet complete", "number"),
                ("Total", "number"),
                ("Pass rate", "number"),
                ("95% low (Wilson)", "number"),
                ("95% high (Wilson)", "number"),
                ("Adverse impact ratio", "number"),
                ("Under four fifths", "word"),
            ),
            rows,
        ),
        _table(
            "fairness-stations",
            f"Station scores by group, {period}, and each group's difference from the highest (Welch)",
            (
                ("Dimension", "word"),
                ("Group", "text"),
                ("Station", "text"),
                ("Candidates", "number"),
                ("Mean score", "number"),
                ("95% low", "number"),
                ("95% high", "number"),
                ("Difference", "number"),
                ("Difference 95% low", "number"),
                ("Difference 95% high", "number"),
            ),
            station_rows,
        ),
    ]
