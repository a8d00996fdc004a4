"""One read of what the QA analysis needs, turned into integer-coded numpy arrays.

The tables are read whole for the period, a handful of plain queries run on the
session's own connection (as the score-sheet export does: building hundreds of
thousands of result rows through the ORM would cost more than the analysis). Ids
become small integers here, so every section after this works on arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import PackRow
from naas_centre.exports.score_sheets import Link, Sheet, SheetFacts, named
from naas_centre.qa.disclosure import Period
from naas_centre.services import packs
from naas_centre.services.qa_analysis import GRADE_BORDERLINE, GRADE_MET, GRADE_NOT_MET

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

_IN_PERIOD = "s.day >= {mark} AND s.day <= {mark}"
_SITTINGS = """
SELECT s.id, s.candidate_id, s.pack_id, s.day, s.starts_at FROM sittings s WHERE {where}"""
_COUNT = "SELECT COUNT(*) FROM sittings"
# The tables below hold rows of sittings. For a period holding most of the centre's
# sittings they are read whole (rows of other sittings are dropped here): the join on
# the period would lose the order of the covering index and make the database sort a
# million rows; for a short period, only its sittings' rows are read (``{join}``).
# A sitting counts once every one of its assessors has submitted: grouped here, or each
# link read when the sheets are kept (fairness needs who observes which station).
_SUBMITTED = """
SELECT x.sitting_id, MIN(CASE WHEN x.submitted_at IS NULL THEN 0 ELSE 1 END), NULL, ''
FROM sitting_assessors x {join} WHERE {where} GROUP BY x.sitting_id"""
_LINKS = """
SELECT x.sitting_id, CASE WHEN x.submitted_at IS NULL THEN 0 ELSE 1 END, x.assessor_id, x.stations
FROM sitting_assessors x {join} WHERE {where}"""
# Each sheet's levels at a station as two texts, its criteria and their levels in one
# order (both aggregates run over the same rows): a sixth of the rows of one per level,
# which is most of the cost of reading a centre's million levels.
_SHEETS = """
SELECT x.sitting_id, x.assessor_id, x.station_id, {criteria}, {levels}
FROM scores x {join} WHERE x.level IS NOT NULL AND {where}
GROUP BY x.sitting_id, x.assessor_id, x.station_id"""
_JUDGEMENTS = """
SELECT x.sitting_id, x.assessor_id, x.station_id, x.judgement, x.borderline
FROM judgements x {join} WHERE x.judgement IS NOT NULL AND {where}"""
_MODERATIONS = """
SELECT x.sitting_id, x.station_id, x.criterion_id, x.level
FROM moderations x {join} WHERE x.level IS NOT NULL AND x.criterion_id <> '' AND {where}"""
_VISITS = """
SELECT x.sitting_id, x.station_id, x.starts_at FROM sitting_visits x {join} WHERE {where}"""
BROAD = 0.25  # a period with at least this share of the sittings: its tables are read whole
_NAMES = "SELECT id, display_name FROM accounts"


@dataclass(frozen=True)
class StationInfo:
    index: int  # global station index
    pack: int  # index into CentreData.packs
    station_id: str
    title: str
    criteria: tuple[str, ...]  # criterion ids, in the rubric's order
    headings: tuple[str, ...]
    levels: tuple[int, ...]  # the rubric's scale
    items: tuple[int, ...]  # global item index of each criterion


@dataclass(frozen=True)
class PackInfo:
    index: int
    row_id: str
    name: str
    label: str  # "name version"
    title: str
    stations: tuple[StationInfo, ...]


@dataclass(frozen=True)
class CentreData:
    """Counted sittings and their ratings as parallel integer arrays."""

    period: Period | None
    packs: tuple[PackInfo, ...]
    stations: tuple[StationInfo, ...]
    item_station: Ints  # item → global station
    sitting_ids: tuple[str, ...]
    sitting_pack: Ints
    sitting_day: tuple[date, ...]
    sitting_candidate: Ints
    left_out: int
    assessor_ids: tuple[str, ...]
    names: dict[str, str]  # assessor id → display name
    # Criterion levels: one row per level an assessor gave.
    score_sitting: Ints
    score_assessor: Ints
    score_item: Ints
    score_level: Ints
    # Agreed levels by moderation: (sitting, item) → level.
    moderated: dict[tuple[int, int], int]
    # Overall judgements as grades, by (sitting × assessors + assessor) × stations + station, sorted.
    judged_key: Ints
    judged_grade: Floats
    # When each (sitting, station) took place, as the database orders it (visit, else sitting).
    when: dict[tuple[int, int], Any]
    sitting_when: tuple[Any, ...]
    # Every sheet of the period's sittings, counted or not, as the score sheets read them:
    # kept only when asked for (for fairness, which would otherwise read them again).
    sheets: SheetFacts | None = None


class _Reader:
    """Plain SQL on the session's connection, in its transaction, on either database."""

    def __init__(self, s: Session, period: Period | None) -> None:
        conn = s.connection()
        self.driver = conn.connection
        postgres = conn.dialect.name == "postgresql"
        mark = "CAST(%s AS DATE)" if postgres else "?"
        self.where = _IN_PERIOD.format(mark=mark) if period is not None else "1 = 1"
        self.params: tuple[str, ...] = (
            (period.start.isoformat(), period.end.isoformat()) if period is not None else ()
        )
        self.narrow = False  # read only the period's sittings' rows (``{join}``)
        joined = "string_agg({}, ',' ORDER BY criterion_id)" if postgres else "group_concat({}, ',')"
        self.criteria = joined.format("criterion_id")
        self.levels = joined.format("CAST(level AS TEXT)")

    def rows(self, template: str, **extra: str) -> list[Any]:
        cursor = self.driver.cursor()
        filtered = "{where}" in template and ("{join}" not in template or self.narrow)
        try:
            sql = template.format(
                where=self.where if filtered else "1 = 1",
                join="JOIN sittings s ON s.id = x.sitting_id" if filtered else "",
                criteria=self.criteria,
                levels=self.levels,
                **extra,
            )
            cursor.execute(sql, self.params if filtered else ())
            return list(cursor.fetchall())
        finally:
            cursor.close()


def _day(value: Any) -> Any:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def read(s: Session, period: Period | None, *, keep_sheets: bool = False) -> CentreData:
    """The period's data; ``keep_sheets`` also keeps every sheet of its sittings as text."""
    r = _Reader(s, period)
    sittings = r.rows(_SITTINGS)
    if period is not None:
        r.narrow = len(sittings) < BROAD * r.rows(_COUNT)[0][0]
    names = {aid: name for aid, name in r.rows(_NAMES)}
    in_period = {row[0] for row in sittings}
    links: dict[str, list[Link]] = {}
    pending: set[str] = set()
    for sid, submitted, aid, stations in r.rows(_LINKS if keep_sheets else _SUBMITTED):
        if sid not in in_period:
            continue
        if not submitted:
            pending.add(sid)
        here = links.setdefault(sid, [])
        if keep_sheets and aid in names:  # as the score sheets' join on accounts
            here.append((aid, names[aid], bool(submitted), named(stations or "")))
    observed = links.keys() - pending
    counted = [row for row in sittings if row[0] in observed]
    counted.sort(key=lambda row: (_day(row[3]), row[4], row[0]))
    sitting_index = {row[0]: i for i, row in enumerate(counted)}

    used = sorted({row[2] for row in counted})
    pack_rows = {p.id: p for p in s.scalars(select(PackRow).where(PackRow.id.in_(used)))} if used else {}
    pack_list: list[PackInfo] = []
    station_list: list[StationInfo] = []
    item_station: list[int] = []
    pack_index: dict[str, int] = {}
    station_key: dict[tuple[int, str], int] = {}
    item_key: dict[tuple[int, str, str], int] = {}
    for row_id in sorted(used, key=lambda i: (pack_rows[i].name, pack_rows[i].version, i)):
        row = pack_rows[row_id]
        pack = packs.pack_of_row(row)
        p = len(pack_list)
        titles = {sc.id: sc.title for sc in pack.scenarios}
        if pack.written_exercise is not None:
            titles[pack.written_exercise.id] = pack.written_exercise.title
        infos = []
        for station_id, rubric in pack.rubrics():
            g = len(station_list)
            items = []
            for c in rubric.criteria:
                item_key[(p, station_id, c.id)] = len(item_station)
                items.append(len(item_station))
                item_station.append(g)
            info = StationInfo(
                g,
                p,
                station_id,
                titles[station_id],
                tuple(c.id for c in rubric.criteria),
                tuple(c.heading() for c in rubric.criteria),
                tuple(sorted(lv.value for lv in pack.levels_for(rubric))),
                tuple(items),
            )
            station_key[(p, station_id)] = g
            station_list.append(info)
            infos.append(info)
        pack_index[row_id] = p
        pack_list.append(
            PackInfo(p, row_id, pack.name, f"{pack.name} {pack.version}", pack.title, tuple(infos))
        )

    sitting_pack = np.array([pack_index[row[2]] for row in counted], dtype=np.int64)
    candidate_index: dict[str, int] = {}
    sitting_candidate = np.array(
        [candidate_index.setdefault(row[1], len(candidate_index)) for row in counted], dtype=np.int64
    )

    # Each sheet is a row here and its levels stay text. The rows are coded by columns:
    # ids become indices through a dict in one pass each (``map``), the criteria's items
    # are looked up once per distinct (pack, station, criteria) (circuits repeat the same
    # few), and the rows are spread into one entry per level by numpy, the texts parsed
    # in one call. A loop over the rows in Python cost most of the read.
    pack_of = sitting_pack.tolist()
    pack_or_none = np.append(sitting_pack, -1)  # index -1: a sitting not counted
    rows = r.rows(_SHEETS)
    sheets: dict[Sheet, tuple[str, str]] = {}
    if keep_sheets:
        sheets = {(sid, aid, st): (c, lv) for sid, aid, st, c, lv in rows if sid in in_period}
    sids, aids, at_station, crits, texts = _columns(rows, 5)
    sheet_at = _codes(sitting_index, sids)
    keys = list(zip(pack_or_none[sheet_at].tolist(), at_station, crits, strict=True))
    run_of: dict[tuple[int, str, str], int] = {}
    runs: list[list[int]] = []
    for key in dict.fromkeys(keys):
        found = _items(key, item_key) if key[0] >= 0 else None
        # -1: outside the period, not yet submitted by all, or a station or criterion
        # the stored pack does not name
        run_of[key] = -1 if found is None else len(runs)
        if found is not None:
            runs.append(found)
    run = np.fromiter(map(run_of.__getitem__, keys), dtype=np.int64, count=len(keys))
    kept = np.flatnonzero(run >= 0).tolist()
    kept_by = [aids[i] for i in kept]
    # Assessors numbered in the order their first kept sheet comes, as sheet by sheet.
    assessor_index = {aid: i for i, aid in enumerate(dict.fromkeys(kept_by))}
    ss, sa, si, sl = _spread(
        runs, sheet_at[kept], _codes(assessor_index, kept_by), run[kept], [texts[i] for i in kept]
    )

    moderated: dict[tuple[int, int], int] = {}
    for sid, station, crit, level in r.rows(_MODERATIONS):
        at = sitting_index.get(sid)
        agreed = item_key.get((pack_of[at], station, crit)) if at is not None else None
        if at is not None and agreed is not None:
            moderated[(at, agreed)] = int(level)

    n_a, n_st = max(1, len(assessor_index)), max(1, len(station_list))
    rows = r.rows(_JUDGEMENTS)
    judged: dict[Sheet, str] = {}
    if keep_sheets:
        judged = {(sid, aid, st): j for sid, aid, st, j, _ in rows if sid in in_period}
    sids, aids, at_station, judgements, borderline = _columns(rows, 5)
    j_at, j_by = _codes(sitting_index, sids), _codes(assessor_index, aids)
    j_where = _codes(station_key, list(zip(pack_or_none[j_at].tolist(), at_station, strict=True)))
    grade = _grades(judgements, borderline)
    keep = (j_at >= 0) & (j_by >= 0) & (j_where >= 0) & ~np.isnan(grade)
    judged_keys = ((j_at * n_a + j_by) * n_st + j_where)[keep]
    judged_grades = grade[keep]
    by_key = np.argsort(judged_keys, kind="stable")

    when: dict[tuple[int, int], Any] = {}
    for sid, station, starts in r.rows(_VISITS):
        at = sitting_index.get(sid)
        where = station_key.get((pack_of[at], station)) if at is not None else None
        if at is not None and where is not None:
            when[(at, where)] = starts

    ids = sorted(assessor_index, key=assessor_index.__getitem__)
    return CentreData(
        period,
        tuple(pack_list),
        tuple(station_list),
        np.array(item_station, dtype=np.int64),
        tuple(row[0] for row in counted),
        sitting_pack,
        tuple(_day(row[3]) for row in counted),
        sitting_candidate,
        len(sittings) - len(counted),
        tuple(ids),
        {aid: names.get(aid, aid) for aid in ids},
        ss,
        sa,
        si,
        sl,
        moderated,
        judged_keys[by_key],
        judged_grades[by_key],
        when,
        tuple(row[4] for row in counted),
        SheetFacts(links, sheets, judged) if keep_sheets else None,
    )


def _spread(
    runs: list[list[int]], at: Ints, by: Ints, run: Ints, texts: list[str]
) -> tuple[Ints, Ints, Ints, Ints]:
    """(sitting, assessor, item, level) per level, from one row per sheet: its run of
    items (criteria in the order of its levels' text) and that text."""
    if not texts:
        empty = _ints([])
        return empty, empty, empty, empty
    width = max(len(r) for r in runs)
    table = np.zeros((len(runs), width), dtype=np.int64)
    used = np.zeros((len(runs), width), dtype=bool)
    for k, r in enumerate(runs):
        table[k, : len(r)] = r
        used[k, : len(r)] = True
    rows = run
    sizes = used.sum(axis=1)[rows]
    levels = np.fromstring(",".join(texts), dtype=np.int64, sep=",")
    if levels.size != int(sizes.sum()):
        raise ValueError("a sheet's levels and criteria differ in number")
    return np.repeat(at, sizes), np.repeat(by, sizes), table[rows][used[rows]], levels


def _items(key: tuple[int, str, str], item_key: dict[tuple[int, str, str], int]) -> list[int] | None:
    """A sheet's items, criterion by criterion; None when the pack does not name one."""
    pack, station, crits = key
    found = [item_key.get((pack, station, c)) for c in crits.split(",")]
    return None if None in found else [i for i in found if i is not None]


_GRADES = {"met": GRADE_MET, "not_met": GRADE_NOT_MET}  # any other judgement: no grade


def _grades(judgements: Sequence[str], borderline: Sequence[Any]) -> Floats:
    """Each judgement's grade (NaN: none); either said to be borderline is borderline."""
    grade = np.fromiter(map(_GRADES.get, judgements, repeat(np.nan)), dtype=np.float64, count=len(judgements))
    said = np.array([bool(b) for b in borderline], dtype=bool)
    return np.where(said & ~np.isnan(grade), GRADE_BORDERLINE, grade)


def _columns(rows: list[Any], width: int) -> list[list[Any]]:
    """The rows' columns (``zip(*rows)`` over hundreds of thousands of rows is slower)."""
    return [list(map(itemgetter(k), rows)) for k in range(width)]


def _codes(index: dict[Any, int], values: Sequence[Any]) -> Ints:
    """Each value's index, -1 where it has none: one pass in C, not a loop in Python."""
    return np.fromiter(map(index.get, values, repeat(-1)), dtype=np.int64, count=len(values))


def _ints(values: Sequence[Any]) -> Ints:
    return np.array(values, dtype=np.int64)
