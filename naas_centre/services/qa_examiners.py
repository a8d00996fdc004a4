"""Examiner stringency and drift for the centre, and an assessor's personal sheet.

Each complete station score of an assessor is one ``stringency.Observation``: the
candidate is the sitting (an attempt), the station the pack's station by name, and the
slot the place of that station visit among the assessor's visits of the day (the visit's
time where the day was planned as a circuit, else the sitting's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from naas_centre.qa.tables import NotEnoughData
from naas_centre.services.qa_analysis import (
    MIN_ASSESSOR_OBSERVATIONS,
    PackAnalysis,
    PersonalMonth,
    PersonalSheet,
)
from naas_centre.services.views import Actor

if TYPE_CHECKING:
    from naas_centre.qa.drift import Drift
    from naas_centre.qa.stringency import ExaminerEffects, Observations
    from naas_centre.services.qa_data import CentreData, Ints
    from naas_centre.services.qa_sections import StationScores


@dataclass(frozen=True)
class ExaminerFigures:
    effects: ExaminerEffects | None
    drift: Drift | None
    note: str
    changed: dict[str, Any]  # pack label → stringency.ChangedOutcomes

    def with_changes(self, packs: Sequence[PackAnalysis]) -> list[PackAnalysis]:
        return [replace(p, outcomes_changed=self.changed.get(p.pack)) for p in packs]


def observations(data: CentreData, scores: StationScores) -> tuple[Observations, Ints]:
    """Every complete station score as an observation (as columns), and the pack of each."""
    from naas_centre.qa.stringency import Coded, Observations

    sit, who, st = scores.sitting, scores.assessor, scores.station
    ordinals = np.array([d.toordinal() for d in data.sitting_day], dtype=np.int64)
    day = ordinals[sit] if sit.size else np.zeros(0, dtype=np.int64)
    stations = data.stations
    s_ids, s = _labelled(st, [f"{data.packs[x.pack].name}/{x.station_id}" for x in stations])
    c_ids, c = _labelled(sit, data.sitting_ids)
    a_ids, a = _labelled(who, data.assessor_ids)
    coded = Coded(scores.score.astype(np.float64), s, c, a, s_ids, c_ids, a_ids)
    packs = np.array([x.pack for x in stations], dtype=np.int64)
    return Observations(coded, day, _slots(data, sit, st, who, day)), packs[st]


def _labelled(codes: Ints, labels: Sequence[str]) -> tuple[tuple[str, ...], npt.NDArray[np.intp]]:
    """``stringency.coded``'s coding of the labels of ``codes``: each label's place among
    the sorted distinct labels (two codes may share a label: a station of two versions)."""
    used, inverse = np.unique(codes, return_inverse=True)
    named = [labels[k] for k in used.tolist()]
    distinct = sorted(set(named))
    place = {label: i for i, label in enumerate(distinct)}
    at = np.array([place[label] for label in named], dtype=np.intp)
    return tuple(distinct), at[inverse.ravel()]


def _slots(data: CentreData, sit: Ints, st: Ints, who: Ints, day: Ints) -> Ints:
    """The place of each visit's time among the assessor's distinct times of that day."""
    if not sit.size:
        return np.zeros(0, dtype=np.int64)
    starts, visits = data.sitting_when, data.when
    index: dict[Any, int] = {}
    pairs = zip(sit.tolist(), st.tolist(), strict=True)
    when = (index.setdefault(visits.get((s, g), starts[s]), len(index)) for s, g in pairs)
    first = np.fromiter(when, dtype=np.int64, count=sit.size)
    rank = np.empty(len(index), dtype=np.int64)
    rank[[index[t] for t in sorted(index)]] = np.arange(len(index))
    times = len(index)
    low = int(day.min())
    group = who.astype(np.int64) * (int(day.max()) - low + 1) + (day - low)  # (assessor, day)
    key = group * times + rank[first]
    distinct = np.unique(key)
    first_of_group = np.searchsorted(distinct // times, group)
    return np.asarray(np.searchsorted(distinct, key) - first_of_group, dtype=np.int64)


def examiner_figures(
    data: CentreData, scores: StationScores, packs: Sequence[PackAnalysis]
) -> ExaminerFigures:
    from naas_centre.qa import drift, stringency

    obs, pack_of = observations(data, scores)
    try:
        effects = stringency.examiner_effects(obs)
    except NotEnoughData as exc:
        return ExaminerFigures(None, None, str(exc), {})
    notes = []
    try:
        trend = drift.drift(obs, effects)
    except NotEnoughData as exc:
        trend = None
        notes.append(f"Drift: {exc}")
    changed: dict[str, Any] = {}
    for p in packs:
        if p.cut is None:
            continue
        index = next(i for i, info in enumerate(data.packs) if info.label == p.pack)
        mine = obs.subset(pack_of == index)
        try:
            changed[p.pack] = stringency.outcomes_changed(effects, mine, p.cut, "mean")
        except NotEnoughData as exc:
            notes.append(f"{p.pack}: {exc}")
    return ExaminerFigures(effects, trend, " ".join(notes), changed)


def personal(data: CentreData, scores: StationScores, actor: Actor) -> PersonalSheet:
    """The actor's own figures: their station scores by month beside the other observer's
    at the same station, their agreement, and their examiner figures among everyone's."""
    from naas_centre.qa import drift, stringency

    me = actor.account_id
    if me not in data.assessor_ids:
        return PersonalSheet(actor.display_name, 0, None, None, (), None, "You have no scores yet.")
    a = data.assessor_ids.index(me)
    mine = scores.assessor == a
    months: dict[date, list[float]] = defaultdict(list)
    for s, v in zip(scores.sitting[mine].tolist(), scores.score[mine].tolist(), strict=True):
        d = data.sitting_day[s]
        months[d.replace(day=1)].append(v)
    p_sit, _st, p0, p1, s0, s1 = scores.pairs()
    diffs: dict[date, list[float]] = defaultdict(list)
    for s, x, y, u, v in zip(p_sit.tolist(), p0.tolist(), p1.tolist(), s0.tolist(), s1.tolist(), strict=True):
        if a in (x, y):
            diffs[data.sitting_day[s].replace(day=1)].append(u - v if x == a else v - u)
    from naas_centre.services.qa_sections import grouped_agreement, level_pairs

    lp = level_pairs(data)
    as_first, as_second = lp.first == a, lp.second == a
    mine_l = np.concatenate([lp.first_level[as_first], lp.second_level[as_second]])
    theirs_l = np.concatenate([lp.second_level[as_first], lp.first_level[as_second]])
    level_sit = np.concatenate([lp.sitting[as_first], lp.sitting[as_second]])
    exact: dict[date, list[bool]] = defaultdict(list)
    for s, x, y in zip(level_sit.tolist(), mine_l.tolist(), theirs_l.tolist(), strict=True):
        exact[data.sitting_day[s].replace(day=1)].append(x == y)
    scale = tuple(float(v) for v in np.unique(data.score_level).tolist())
    # As the centre's analysis gives it: over the whole data's scale.
    found = grouped_agreement(np.zeros(mine_l.size, dtype=np.int64), mine_l, theirs_l, scale).get(0)
    agreement = found.agreement if found is not None else None
    weighted = found.weighted_kappa if found is not None else None
    rows = tuple(
        PersonalMonth(
            m,
            len(v),
            float(np.mean(v)),
            float(np.mean(diffs[m])) if diffs.get(m) else None,
            float(np.mean(exact[m])) if exact.get(m) else None,
        )
        for m, v in sorted(months.items())
    )
    sheet: Any = None
    note = ""
    obs, _ = observations(data, scores)
    try:
        effects = stringency.examiner_effects(obs)
        try:
            trend = drift.drift(obs, effects)
        except NotEnoughData:
            trend = None
        sheet = stringency.personal_sheet(effects, trend, me)
    except NotEnoughData as exc:
        note = str(exc)
    if int(mine.sum()) < MIN_ASSESSOR_OBSERVATIONS:
        note = note or "Too few scores yet for figures that mean much."
    return PersonalSheet(actor.display_name, int(mine.sum()), agreement, weighted, rows, sheet, note)
