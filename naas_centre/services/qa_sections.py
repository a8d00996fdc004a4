"""The QA analysis, section by section, over the arrays ``qa_data`` reads.

Each section is a function of the data alone; ``run`` calls them in order with progress
and a cancel check before each, and a section the data cannot give says why in words
(``NotEnoughData`` is a sentence) rather than stopping the rest.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import TypeVar

import numpy as np
from sqlalchemy import select

from db.engine import Database
from db.models import AccountRow
from naas_centre.qa import agreement as ag
from naas_centre.qa import generalisability, icc, many_raters, reliability, standard_setting
from naas_centre.qa.calibration import calibration_offsets
from naas_centre.qa.disclosure import Period, PeriodNotPublishable
from naas_centre.qa.tables import NotDefined, NotEnoughData
from naas_centre.services import capabilities, item_statistics
from naas_centre.services.accounts import require
from naas_centre.services.calibration import calibration_levels
from naas_centre.services.qa_analysis import (
    MIN_PAIR_ICC,
    MIN_PAIR_RATINGS,
    POINTS,
    AgreementSection,
    AnalysisCancelled,
    AssessorAgreement,
    Cancelled,
    CriterionLevels,
    ManyRaters,
    PackAnalysis,
    PairAgreement,
    PersonalSheet,
    Progress,
    QaAnalysis,
    Scope,
    StationReliability,
    StationStandard,
)
from naas_centre.services.qa_data import CentreData, Floats, Ints, StationInfo, read
from naas_centre.services.qa_examiners import ExaminerFigures, examiner_figures, personal
from naas_centre.services.views import Actor

T = TypeVar("T")
Z95 = 1.959963984540054


def _attempt(fn: Callable[[], T]) -> tuple[T | None, str]:
    """The statistic, or None and the reason the data cannot give it."""
    try:
        return fn(), ""
    except NotEnoughData as exc:
        return None, str(exc)


class StationScores:
    """One assessor's complete station scores: the sum of their levels at a station where
    they scored every criterion."""

    def __init__(self, data: CentreData) -> None:
        st = data.item_station[data.score_item]
        n_st = len(data.stations)
        n_a = max(1, len(data.assessor_ids))
        key = (data.score_sitting * n_a + data.score_assessor) * n_st + st
        keys, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse, weights=data.score_level.astype(np.float64))
        counts = np.bincount(inverse)
        need = np.array([len(s.criteria) for s in data.stations], dtype=np.int64)
        station = keys % n_st
        complete = counts == need[station]
        keys, sums = keys[complete], sums[complete]
        self.station: Ints = keys % n_st
        self.assessor: Ints = (keys // n_st) % n_a
        self.sitting: Ints = keys // (n_st * n_a)
        self.score: Floats = sums
        self._pairs: tuple[Ints, Ints, Ints, Ints, Floats, Floats] | None = None
        # Sorted by sitting, then assessor, then station, as np.unique leaves them.

    def pairs(self) -> tuple[Ints, Ints, Ints, Ints, Floats, Floats]:
        """(sitting, station, first assessor, second, first's score, second's) where exactly
        two observers gave a complete score; the first is the lower assessor index."""
        if self._pairs is None:
            self._pairs = self._paired()
        return self._pairs

    def _paired(self) -> tuple[Ints, Ints, Ints, Ints, Floats, Floats]:
        n_a = int(self.assessor.max(initial=0)) + 1
        n_st = int(self.station.max(initial=0)) + 1
        order = _order_by((self.sitting * n_st + self.station) * n_a + self.assessor)
        sit, st, who, score = (
            self.sitting[order],
            self.station[order],
            self.assessor[order],
            self.score[order],
        )
        unit = sit * max(1, int(st.max(initial=0)) + 1) + st
        start, count = _runs(unit)
        two = start[count == 2]
        return sit[two], st[two], who[two], who[two + 1], score[two], score[two + 1]


def _order_by(key: Ints) -> Ints:
    """The stable sort order of one integer key that packs several columns: the order
    ``np.lexsort`` gives of the columns, several times faster over a million levels."""
    return np.asarray(np.argsort(key, kind="stable"), dtype=np.int64)


def _runs(ordered: Ints) -> tuple[Ints, Ints]:
    """Where each run of equal values of a sorted array starts, and its length (what
    ``np.unique`` gives with ``return_index`` and ``return_counts``, without sorting again)."""
    if not ordered.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    start = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return start, np.diff(np.append(start, ordered.size))


# Agreement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelPairs:
    """Every pair of levels two observers gave to the same criterion of the same sitting
    (first the lower assessor index), and the units with three or more levels."""

    sitting: Ints
    first: Ints
    second: Ints
    first_level: Floats
    second_level: Floats
    many: list[Ints]  # row indices into the score arrays, one array per unit


def level_pairs(data: CentreData) -> LevelPairs:
    n_items = max(1, len(data.item_station))
    unit = data.score_sitting * n_items + data.score_item
    order = _order_by(unit * max(1, len(data.assessor_ids)) + data.score_assessor)
    start, count = _runs(unit[order])
    who, sit = data.score_assessor[order], data.score_sitting[order]
    level = data.score_level[order].astype(np.float64)
    two = start[count == 2]
    parts = [[sit[two]], [who[two]], [who[two + 1]], [level[two]], [level[two + 1]]]
    many = []
    for s, c in zip(start[count > 2].tolist(), count[count > 2].tolist(), strict=True):
        many.append(order[s : s + c])
        for i in range(s, s + c):
            for j in range(i + 1, s + c):
                for part, arr, k in zip(parts, (sit, who, who, level, level), (i, i, j, i, j), strict=True):
                    part.append(arr[k : k + 1])
    cat = np.concatenate
    return LevelPairs(cat(parts[0]), cat(parts[1]), cat(parts[2]), cat(parts[3]), cat(parts[4]), many)


def _icc(table: Floats) -> tuple[icc.Icc | None, str]:
    """The ICC, or why not (two assessors who gave every candidate the same station
    score agree perfectly, and no interval can be given for that)."""
    try:
        return _attempt(partial(icc.icc, table))
    except NotDefined as exc:
        return None, str(exc)


def _groups(key: Ints) -> tuple[Ints, list[tuple[int, Ints]]]:
    """The sort order of ``key`` and, per distinct key, its value and row positions."""
    order = np.argsort(key, kind="stable")
    keys, start, count = np.unique(key[order], return_index=True, return_counts=True)
    return order, [
        (int(k), order[s : s + c])
        for k, s, c in zip(keys.tolist(), start.tolist(), count.tolist(), strict=True)
    ]


@dataclass(frozen=True)
class GroupAgreement:
    n: int
    agreement: ag.Agreement
    kappa: ag.Kappa | None
    weighted_kappa: ag.Kappa | None


def grouped_agreement(
    groups: Ints, first: Floats, second: Floats, scale: tuple[float, ...], least: int = 2
) -> dict[int, GroupAgreement]:
    """``qa.agreement``'s agreement, Cohen's kappa and quadratic weighted kappa for every
    group of paired levels at once, over the scale given (the levels of the whole data,
    so every group's weights are the same), for groups with at least ``least`` pairs.

    The same formulas as ``qa.agreement`` over each group's table of counts, computed
    together: a centre has thousands of pairs of assessors, and the statistics called one
    pair at a time took longer than the rest of the analysis (a test holds the two equal).
    """
    values = np.asarray(scale, dtype=np.float64)
    k = values.size
    if first.size == 0 or k == 0:
        return {}
    keys, g = np.unique(groups, return_inverse=True)
    i, j = np.searchsorted(values, first), np.searchsorted(values, second)
    table = np.bincount((g * k + i) * k + j, minlength=keys.size * k * k).reshape(keys.size, k, k)
    n = table.sum(axis=(1, 2))
    gap = np.abs(values[:, None] - values[None, :])
    exact = (table * (gap == 0)).sum(axis=(1, 2)) / np.maximum(n, 1)
    adjacent = (table * (gap <= 1)).sum(axis=(1, 2)) / np.maximum(n, 1)
    share = table / np.maximum(n, 1)[:, None, None]
    chance = share.sum(axis=2)[:, :, None] * share.sum(axis=1)[:, None, :]
    span = float(values.max() - values.min()) or 1.0
    out_k = _kappa_of(share, chance, np.eye(k))
    out_w = _kappa_of(share, chance, 1.0 - (gap / span) ** 2)
    out: dict[int, GroupAgreement] = {}
    for x in np.flatnonzero(n >= least).tolist():
        size = int(n[x])

        def made(
            found: tuple[Floats, Floats, Floats], weights: str, x: int = x, size: int = size
        ) -> ag.Kappa | None:
            kappa, observed, expected = found
            if not np.isfinite(kappa[x]):
                return None
            return ag.Kappa(float(kappa[x]), float(observed[x]), float(expected[x]), size, scale, weights)

        out[int(keys[x])] = GroupAgreement(
            size,
            ag.Agreement(float(exact[x]), float(adjacent[x]), size),
            made(out_k, "none"),
            made(out_w, "quadratic"),
        )
    return out


def _kappa_of(share: Floats, chance: Floats, weights: Floats) -> tuple[Floats, Floats, Floats]:
    observed = (weights * share).sum(axis=(1, 2))
    expected = (weights * chance).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(expected >= 1.0 - 1e-12, np.nan, (observed - expected) / (1.0 - expected))
    return kappa, observed, expected


def agreement_section(data: CentreData, scores: StationScores) -> AgreementSection:
    lp = level_pairs(data)
    a0, a1, l0, l1 = lp.first, lp.second, lp.first_level, lp.second_level
    names = [data.names[a] for a in data.assessor_ids]
    scale = tuple(float(v) for v in np.unique(data.score_level).tolist())
    notes = []
    overall = kappa = weighted = None
    whole = grouped_agreement(np.zeros(l0.size, dtype=np.int64), l0, l1, scale)
    if 0 in whole:
        overall, kappa, weighted = whole[0].agreement, whole[0].kappa, whole[0].weighted_kappa
    else:
        notes.append("No criterion was scored by two assessors, so agreement cannot be worked out.")
    _sit, _st, p0, p1, s0, s1 = scores.pairs()
    overall_icc = None
    if s0.size >= 2:
        overall_icc, why = _icc(np.column_stack([s0, s1]))
        if why:
            notes.append(f"The intraclass correlation: {why}.")
    n_a = max(1, len(data.assessor_ids))
    # Pairs by name order, so "first" and "second" read alphabetically.
    rank = np.argsort(np.argsort(np.array(names, dtype=object), kind="stable"), kind="stable")
    swap = rank[a0] > rank[a1]
    f, s = np.where(swap, a1, a0), np.where(swap, a0, a1)
    fl, sl = np.where(swap, l1, l0), np.where(swap, l0, l1)
    score_swap = rank[p0] > rank[p1]
    sf, ss_ = np.where(score_swap, p1, p0), np.where(score_swap, p0, p1)
    sfs, sss = np.where(score_swap, s1, s0), np.where(score_swap, s0, s1)
    score_rows = dict(_groups(sf * n_a + ss_)[1])
    found = grouped_agreement(f * n_a + s, fl, sl, scale, MIN_PAIR_RATINGS)
    pairs = []
    for key, figures in found.items():
        x, y = divmod(key, n_a)
        at = score_rows.get(key)
        pair_icc = None
        if at is not None and at.size >= MIN_PAIR_ICC:
            pair_icc, _ = _icc(np.column_stack([sfs[at], sss[at]]))
        pairs.append(
            PairAgreement(
                names[x],
                names[y],
                figures.agreement,
                figures.kappa,
                figures.weighted_kappa,
                pair_icc,
                0 if at is None else int(at.size),
            )
        )
    pairs.sort(key=lambda p: (p.first, p.second))
    small = int(np.unique(f * n_a + s).size) - len(pairs)
    # Each assessor against whoever observed beside them.
    who = np.concatenate([a0, a1])
    mine, theirs, other = np.concatenate([l0, l1]), np.concatenate([l1, l0]), np.concatenate([a1, a0])
    co = np.unique(who * n_a + other) // n_a
    partners = np.bincount(co, minlength=n_a)
    per = [
        AssessorAgreement(names[a], x.agreement, x.kappa, x.weighted_kappa, int(partners[a]))
        for a, x in grouped_agreement(who, mine, theirs, scale, MIN_PAIR_RATINGS).items()
    ]
    per.sort(key=lambda x: x.assessor)
    return AgreementSection(
        overall,
        kappa,
        weighted,
        overall_icc,
        tuple(pairs),
        small,
        tuple(per),
        _many(data, lp.many),
        " ".join(notes),
    )


def _many(data: CentreData, units: list[Ints]) -> ManyRaters | None:
    """Fleiss' kappa over the units with the most levels (three or more), and Krippendorff's
    alpha (ordinal) over every unit with three or more, missing levels allowed."""
    if not units:
        return None
    width = max(u.size for u in units)
    table = np.full((len(units), width), np.nan)
    for i, u in enumerate(units):
        table[i, : u.size] = data.score_level[u]
    full = table[~np.isnan(table).any(axis=1)]
    fleiss, _ = _attempt(lambda: many_raters.fleiss_kappa(full)) if full.shape[0] >= 2 else (None, "")
    kripp, _ = _attempt(lambda: many_raters.krippendorff_alpha(table, "ordinal"))
    return ManyRaters(len(units), int(width), fleiss, kripp)


# Reliability, generalisability, standard setting, per pack ----------------------------


def _agreed(data: CentreData) -> tuple[Ints, Ints, Floats]:
    """(sitting, item, level) for every criterion of every sitting: the moderated level,
    else the mean of the observers' levels (their common level when they agree; a
    difference not yet moderated counts halfway, so the item is not lost)."""
    n_items = max(1, len(data.item_station))
    unit = data.score_sitting * n_items + data.score_item
    keys, inverse = np.unique(unit, return_inverse=True)
    means = np.bincount(inverse, weights=data.score_level.astype(np.float64)) / np.bincount(inverse)
    if data.moderated:
        wanted = np.array([sit * n_items + item for sit, item in data.moderated], dtype=np.int64)
        agreed = np.array(list(data.moderated.values()), dtype=np.float64)
        at = np.searchsorted(keys, wanted)
        found = at < keys.size
        found[found] = keys[at[found]] == wanted[found]
        means[at[found]] = agreed[found]
    return keys // n_items, keys % n_items, means


def pack_section(
    data: CentreData,
    pack: int,
    agreed: tuple[Ints, Ints, Floats],
    scores: StationScores,
) -> PackAnalysis:
    info = data.packs[pack]
    sittings = np.flatnonzero(data.sitting_pack == pack)
    row_of = np.full(len(data.sitting_ids), -1, dtype=np.int64)
    row_of[sittings] = np.arange(sittings.size)
    items = [it for st in info.stations for it in st.items]
    col_of = np.full(max(1, len(data.item_station)), -1, dtype=np.int64)
    col_of[items] = np.arange(len(items))
    matrix = np.full((sittings.size, len(items)), np.nan)
    sit, item, level = agreed
    mine = row_of[sit] >= 0 if sit.size else np.zeros(0, dtype=bool)
    if mine.any():
        cols = col_of[item[mine]]
        ok = cols >= 0
        matrix[row_of[sit[mine]][ok], cols[ok]] = level[mine][ok]
    stations, distributions = [], []
    score_station = data.item_station[data.score_item]
    for st in info.stations:
        block = matrix[:, col_of[list(st.items)]]
        if len(st.items) >= 2:
            alpha, why = _attempt(partial(reliability.cronbach_alpha, block))
        else:
            alpha, why = None, "one criterion only: alpha needs two or more"
        stations.append(StationReliability(st.title, st.headings, alpha, why))
        dist, _ = _attempt(
            partial(reliability.level_distributions, _given(data, score_station, st), st.levels)
        )
        for d in dist or ():
            distributions.append(CriterionLevels(st.title, st.headings[d.item], d))
    overall_alpha, why = _attempt(lambda: reliability.cronbach_alpha(matrix))
    headings = tuple(h for st in info.stations for h in st.headings)
    overall = StationReliability("All stations", headings, overall_alpha, why)
    standards = tuple(_standard(data, st.index, scores) for st in info.stations)
    marks = [s.regression.pass_mark for s in standards if s.regression is not None]
    cut = float(np.mean(marks)) if marks else None
    g, g_stations, g_note, means = _g_study(data, pack, sittings, scores)
    sem = g.observed.sem_absolute if g is not None else None
    near = 0
    if cut is not None and sem is not None and means.size:
        near = int(np.sum(np.abs(means - cut) <= Z95 * sem))
    return PackAnalysis(
        info.label,
        info.title,
        int(sittings.size),
        overall,
        tuple(stations),
        tuple(distributions),
        g,
        g_stations,
        g_note,
        standards,
        cut,
        sem,
        near,
        None,
    )


def _given(data: CentreData, score_station: Ints, station: StationInfo) -> Floats:
    """Every sheet's levels at the station: (sitting, assessor) rows by its criteria."""
    n_a = max(1, len(data.assessor_ids))
    here = np.flatnonzero(score_station == station.index)
    sheet = data.score_sitting[here] * n_a + data.score_assessor[here]
    keys, row = np.unique(sheet, return_inverse=True)
    table = np.full((keys.size, len(station.items)), np.nan)
    col = data.score_item[here] - station.items[0]  # a station's items are numbered in a run
    table[row, col] = data.score_level[here]
    return table


def _g_study(
    data: CentreData, pack: int, sittings: Ints, scores: StationScores
) -> tuple[generalisability.GStudy | None, tuple[str, ...], str, Floats]:
    """Candidates × (two assessors within each station), over the stations where most of
    the pack's sittings had two observers: the design of a circuit, each station with
    assessors of its own. The candidates with both scores at every such station count."""
    p_sit, p_st, _a0, _a1, s0, s1 = scores.pairs()
    info = data.packs[pack]
    at = {st.index: j for j, st in enumerate(info.stations)}
    mine = np.isin(p_sit, sittings)
    p_sit, p_st, s0, s1 = p_sit[mine], p_st[mine], s0[mine], s1[mine]
    empty = np.zeros(0)
    if not sittings.size:
        return None, (), "No sitting of this pack in the period.", empty
    counts = np.bincount(np.array([at[int(s)] for s in p_st.tolist()], dtype=np.int64), minlength=len(at))
    keep = [j for j in range(len(at)) if counts[j] >= sittings.size / 2]
    kept = tuple(info.stations[j].title for j in keep)
    if len(keep) < 2:
        return None, kept, "Fewer than two stations had two assessors for most sittings.", empty
    row_of = {int(s): i for i, s in enumerate(sittings.tolist())}
    x = np.full((sittings.size, len(keep), 2), np.nan)
    col = {info.stations[j].index: k for k, j in enumerate(keep)}
    for sit, st, a, b in zip(p_sit.tolist(), p_st.tolist(), s0.tolist(), s1.tolist(), strict=True):
        k = col.get(st)
        if k is not None:
            x[row_of[sit], k] = (a, b)
    x = x[~np.isnan(x).any(axis=(1, 2))]
    g, why = _attempt(lambda: generalisability.g_study(x, "nested"))
    return g, kept, why, x.mean(axis=(1, 2)) if x.size else empty


def _standard(data: CentreData, station: int, scores: StationScores) -> StationStandard:
    info = data.stations[station]
    here = np.flatnonzero(scores.station == station)
    n_a, n_st = max(1, len(data.assessor_ids)), max(1, len(data.stations))
    key = (scores.sitting[here] * n_a + scores.assessor[here]) * n_st + station
    at = np.searchsorted(data.judged_key, key)
    found = at < data.judged_key.size
    found[found] = data.judged_key[at[found]] == key[found]
    grades = np.full(here.size, np.nan)
    grades[found] = data.judged_grade[at[found]]
    values = scores.score[here]
    given = ~np.isnan(grades)
    g, y = grades[given], values[given]
    levels, counts = np.unique(g, return_counts=True)
    step = max(1, -(-g.size // POINTS))
    points = tuple(zip(g[::step].tolist(), y[::step].tolist(), strict=True))
    regression, why = _attempt(lambda: standard_setting.borderline_regression(g, y))
    return StationStandard(
        info.title,
        info.station_id,
        regression,
        tuple(zip(levels.tolist(), counts.tolist(), strict=True)),
        points,
        why,
    )


# The whole -------------------------------------------------------------------------


def _scope(data: CentreData, scores: StationScores) -> Scope:
    days = data.sitting_day
    return Scope(
        data.period,
        len(data.sitting_ids),
        int(np.unique(data.sitting_candidate).size),
        int(np.unique(scores.assessor).size),
        data.left_out,
        min(days) if days else None,
        max(days) if days else None,
    )


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused while the analysis holds millions of rows and texts of
    the read (none of them in a cycle): each of its full passes walked all of them, a
    tenth of the analysis of a national centre. Resumed after, as it was before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run(
    db: Database,
    actor: Actor,
    period: Period | None,
    progress: Progress | None,
    cancelled: Cancelled | None,
    today: date | None,
) -> QaAnalysis:
    require(actor, *capabilities.OVERSEE)

    def step(share: float, what: str) -> None:
        if cancelled is not None and cancelled():
            raise AnalysisCancelled("The analysis was stopped before it finished.")
        if progress is not None:
            progress(share, what)

    step(0.0, "Reading the scores")
    equality = capabilities.may(actor.role, capabilities.EQUALITY)
    # One read for the whole analysis: fairness works from the same sheets, in the same
    # transaction, so its figures and the rest are of the same moment.
    with _no_cycle_collection(), db.read() as s:
        data = read(s, period, keep_sheets=equality and period is not None)
        calibration = calibration_offsets(calibration_levels(s))
        names = dict(data.names)
        unnamed = [o.assessor for o in calibration if o.assessor not in names]
        if unnamed:  # an assessor who has calibrated but not yet scored in the period
            rows = s.execute(select(AccountRow.id, AccountRow.display_name).where(AccountRow.id.in_(unnamed)))
            names.update({account: name for account, name in rows})
        step(0.2, "Assessor agreement")
        scores = StationScores(data)
        agreement = agreement_section(data, scores)
        step(0.35, "Reliability and standard setting")
        agreed = _agreed(data)
        pack_list = []
        for p in range(len(data.packs)):
            pack_list.append(pack_section(data, p, agreed, scores))
            step(0.35 + 0.2 * (p + 1) / len(data.packs), "Reliability and standard setting")
        step(0.55, "Examiner stringency and drift")
        examiners: ExaminerFigures = examiner_figures(data, scores, pack_list)
        fairness_figures, fairness_note = None, ""
        if equality:
            step(0.9, "Fairness")
            if period is None or data.sheets is None:
                fairness_note = "Fairness figures are given for a closed period only: choose one."
            else:
                # The fairness service reads the equality monitoring itself and keeps it.
                from naas_centre.services.fairness import fairness_in

                try:
                    fairness_figures = fairness_in(s, actor, period, data.sheets, today=today)
                except PeriodNotPublishable as exc:
                    fairness_note = str(exc)
    items: tuple[item_statistics.ItemStatisticsReport, ...] = ()
    if capabilities.may(actor.role, capabilities.ITEM_STATISTICS):
        step(0.95, "Knowledge-test items")
        items = item_statistics.for_period(db, actor, period)
    step(1.0, "Done")
    return QaAnalysis(
        _scope(data, scores),
        agreement,
        tuple(examiners.with_changes(pack_list)),
        examiners.effects,
        examiners.drift,
        examiners.note,
        tuple(sorted(names.items())),
        fairness_figures,
        fairness_note,
        tuple(calibration),
        items,
    )


def personal_sheet(db: Database, actor: Actor) -> PersonalSheet:
    # Anyone with an account reads their own; the examiner model needs everyone's
    # scores, but only the actor's own figures leave this call.
    require(actor, *capabilities.READ_REPORTS)
    with db.read() as s:
        data = read(s, None)
        mine = [lv for lv in calibration_levels(s) if lv.assessor == actor.account_id]
    sheet = personal(data, StationScores(data), actor)
    offsets = calibration_offsets(mine)
    return replace(sheet, calibration=offsets[0]) if offsets else sheet
