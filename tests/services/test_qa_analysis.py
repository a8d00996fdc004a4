"""The centre's QA analysis on a real database filled through the services
(``tests.services.qa_centre``): each figure against the statistic computed directly from
what was scored, who may run it, fairness only with equality access, progress and
cancellation, the personal sheet, and the tables."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from db.engine import Database
from naas_centre.errors import PermissionDenied
from naas_centre.qa import agreement, icc, reliability, standard_setting
from naas_centre.qa.disclosure import Period
from naas_centre.services import accounts, qa_analysis
from naas_centre.services.qa_analysis import AnalysisCancelled, QaAnalysis, analyse, personal_sheet, tables
from naas_centre.services.qa_readings import readings
from naas_centre.services.views import Actor, Role
from tests.conftest import WORKSTATION
from tests.services import qa_centre
from tests.services.qa_centre import AFTER, ASSESSORS, LENIENT, PERIOD_END, PERIOD_START, QaCentre

PERIOD = Period(PERIOD_START, PERIOD_END)
NAMES = [name for _, name, _ in ASSESSORS]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Path, QaCentre]:
    return qa_centre.built(tmp_path_factory.mktemp("qa"), sqlite_template)


@pytest.fixture
def centre(tmp_path: Path, built: tuple[Path, QaCentre]) -> Iterator[QaCentre]:
    shutil.copy(built[0], tmp_path / "qa.db")
    db = Database(tmp_path / "qa.db", WORKSTATION)
    yield QaCentre(db, given=built[1].given, sitting_ids=built[1].sitting_ids)
    db.dispose()


@pytest.fixture
def by_qa(centre: QaCentre) -> QaAnalysis:
    return analyse(centre.db, centre.login("qa"), PERIOD, today=AFTER)


def test_agreement_matches_the_statistics_on_what_was_scored(centre: QaCentre, by_qa: QaAnalysis) -> None:
    ag = by_qa.agreement
    pair = next(p for p in ag.pairs if (p.first, p.second) == (LENIENT, "Omar Haddad"))
    first, second = qa_centre.pair_levels(centre, LENIENT, "Omar Haddad")
    assert pair.agreement == agreement.agreement(first, second)
    wk = agreement.weighted_kappa(first, second, "quadratic")
    assert pair.weighted_kappa is not None and pair.weighted_kappa.kappa == pytest.approx(wk.kappa, abs=1e-12)
    assert pair.kappa is not None
    assert pair.kappa.kappa == pytest.approx(agreement.cohen_kappa(first, second).kappa, abs=1e-12)
    scores = qa_centre.station_scores(centre, LENIENT, "Omar Haddad")
    direct = icc.icc(scores)
    assert pair.icc is not None and pair.station_scores == len(scores) == 60
    for form in ("ICC(1,1)", "ICC(2,1)", "ICC(3,k)"):
        assert pair.icc.form(form).icc == pytest.approx(direct.form(form).icc, abs=1e-12)
    # The lenient assessor agrees less with her partner than the other pair do.
    other = next(p for p in ag.pairs if p.first == "Ruth Allen")
    assert pair.agreement.exact < other.agreement.exact
    assert [a.assessor for a in ag.assessors] == sorted(NAMES)
    lena = next(a for a in ag.assessors if a.assessor == LENIENT)
    assert lena.agreement == pair.agreement and lena.co_assessors == 1
    assert ag.overall is not None and ag.overall.n == 2 * 180
    assert ag.many is None  # two assessors at every station


def test_reliability_and_standard_setting_match_direct_computation(
    centre: QaCentre, by_qa: QaAnalysis
) -> None:
    (pack,) = by_qa.packs
    assert pack.sittings == 40
    home = next(s for s in pack.stations if s.station == "Home visit")
    # Each sitting's agreed level: both sheets' mean (nothing was moderated here).
    rows = []
    for sid in centre.sitting_ids:
        sheets = [v for (s, _who, st), v in centre.given.items() if s == sid and st == "home-visit"]
        rows.append(np.mean(np.array(sheets, dtype=float), axis=0))
    direct = reliability.cronbach_alpha(np.array(rows))
    assert home.alpha is not None and home.alpha.alpha == pytest.approx(direct.alpha, abs=1e-12)
    assert pack.overall.alpha is not None and pack.overall.alpha.items == 9
    assert len(pack.levels) == 9 and all(lv.distribution.n == 80 for lv in pack.levels)

    grades, scores = [], []
    for (_sid, _who, st), levels in centre.given.items():
        if st == "teenager":
            grades.append(qa_centre.grade(levels))
            scores.append(float(sum(levels)))
    teen = next(s for s in pack.standards if s.station_id == "teenager")
    expected = standard_setting.borderline_regression(grades, scores)
    assert teen.regression is not None
    assert teen.regression.pass_mark == pytest.approx(expected.pass_mark, abs=1e-9)
    assert teen.regression.r_squared == pytest.approx(expected.r_squared, abs=1e-9)
    borderline = [y for g, y in zip(grades, scores, strict=True) if g == 2.0]
    assert teen.regression.n_borderline == len(borderline) > 0
    assert teen.regression.borderline_group_mean == pytest.approx(np.mean(borderline), abs=1e-12)
    assert sum(n for _, n in teen.grades) == 80

    g = pack.g_study
    assert g is not None and g.design == "nested" and g.candidates == 40
    assert (g.observed.stations, g.observed.assessors) == (3, 2)
    assert pack.cut == pytest.approx(
        np.mean([s.regression.pass_mark for s in pack.standards if s.regression])
    )
    assert pack.sem_at_cut == pytest.approx(g.observed.sem_absolute)


def test_the_lenient_assessor_is_found(by_qa: QaAnalysis) -> None:
    names = dict(by_qa.names)
    effects = by_qa.examiners
    assert effects is not None
    flagged = {names[e.assessor] for e in effects.assessors if e.flagged}
    assert flagged == {LENIENT}
    lena = next(e for e in effects.assessors if names[e.assessor] == LENIENT)
    assert lena.effect > 0.5 and lena.n == 60
    assert by_qa.drift is not None and by_qa.drift.pooled_slot is not None
    (pack,) = by_qa.packs
    assert pack.outcomes_changed is not None and pack.outcomes_changed.candidates == 40
    words = [r.text for r in readings(by_qa) if r.flagged]
    assert any(text.startswith(f"{LENIENT} scores more leniently") for text in words)


def test_who_may_run_it_and_who_sees_fairness(centre: QaCentre) -> None:
    with pytest.raises(PermissionDenied):
        analyse(centre.db, centre.login("lena"), PERIOD, today=AFTER)
    by_manager = analyse(centre.db, centre.login("manager"), PERIOD, today=AFTER)
    assert by_manager.fairness is None and by_manager.fairness_note == ""
    assert not any(t.name.startswith("fairness") for t in tables(by_manager))
    assert not any(r.section == "Fairness" for r in readings(by_manager))
    by_admin = analyse(centre.db, centre.login("admin"), PERIOD, today=AFTER)
    assert by_admin.fairness is None
    by_qa = analyse(centre.db, centre.login("qa"), PERIOD, today=AFTER)
    assert by_qa.fairness is not None and by_qa.fairness.candidates == 40
    assert {t.name for t in tables(by_qa)} >= {"fairness-outcomes", "fairness-stations"}
    # Over all time there is no closed period to publish: said, not shown.
    all_time = analyse(centre.db, centre.login("qa"), None, today=AFTER)
    assert all_time.fairness is None and "closed period" in all_time.fairness_note
    # An open period is refused by the fairness rules, in their words; the rest still runs.
    still_open = analyse(centre.db, centre.login("qa"), PERIOD, today=PERIOD_END)
    assert still_open.fairness is None and "has not ended yet" in still_open.fairness_note
    assert still_open.agreement.pairs == by_qa.agreement.pairs


def test_a_period_counts_its_own_sittings(centre: QaCentre) -> None:
    two_days = Period(qa_centre.FIRST_DAY, qa_centre.FIRST_DAY + timedelta(days=1))
    found = analyse(centre.db, centre.login("manager"), two_days, today=AFTER)
    assert found.scope.sittings == 10 and found.scope.period == two_days
    assert found.scope.first_day == qa_centre.FIRST_DAY
    # A quarter of the sittings or more is read whole and filtered here; less, through the
    # period's own sittings: the same figures either way.
    one_day = analyse(centre.db, centre.login("manager"), Period(qa_centre.FIRST_DAY, qa_centre.FIRST_DAY))
    assert one_day.scope.sittings == 5
    pairs = {(p.first, p.second): p.agreement.n for p in found.agreement.pairs}
    first_day = [sid for i, sid in enumerate(centre.sitting_ids) if i < 5]
    assert sum(1 for (sid, _w, _st) in centre.given if sid in first_day) == 5 * 2 * 3
    assert sum(p.agreement.n for p in one_day.agreement.pairs) == 5 * 3 * 3
    assert sum(pairs.values()) == 10 * 3 * 3
    assert analyse(centre.db, centre.login("manager")).scope.sittings == 40


def test_progress_rises_and_a_cancel_stops_it(centre: QaCentre) -> None:
    seen: list[tuple[float, str]] = []
    analyse(
        centre.db, centre.login("manager"), PERIOD, progress=lambda f, w: seen.append((f, w)), today=AFTER
    )
    shares = [f for f, _ in seen]
    assert shares[0] == 0.0 and shares[-1] == 1.0 and shares == sorted(shares)
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > 2  # stop at the third section

    steps: list[str] = []
    with pytest.raises(AnalysisCancelled):
        analyse(
            centre.db,
            centre.login("manager"),
            PERIOD,
            progress=lambda f, w: steps.append(w),
            cancelled=cancelled,
        )
    assert len(steps) == 2


def test_the_personal_sheet_names_no_colleague(centre: QaCentre) -> None:
    sheet = personal_sheet(centre.db, centre.login("lena"))
    assert sheet.assessor == LENIENT and sheet.station_scores == 60
    text = repr(sheet)
    for other in NAMES:
        if other != LENIENT:
            assert other not in text
    for username in ("omar", "ruth", "tom"):
        other_id = centre.login(username).account_id
        assert other_id not in text
    assert sheet.examiner is not None and sheet.examiner.effect.flagged and sheet.examiner.effect.effect > 0
    month = sheet.months[0]
    assert month.mean_difference is not None and month.mean_difference > 0  # she scores above her partner
    first, second = qa_centre.pair_levels(centre, LENIENT, "Omar Haddad")
    assert sheet.agreement == agreement.agreement(first, second)
    assert personal_sheet(centre.db, centre.login("manager")).station_scores == 0


def test_tables_are_plain_and_whole(by_qa: QaAnalysis) -> None:
    found = tables(by_qa)
    names = [t.name for t in found]
    assert len(names) == len(set(names))
    for t in found:
        assert t.headers == tuple(c.title for c in t.columns)
        for row in t.rows:
            assert len(row) == len(t.columns), t.name
            assert all(v is None or isinstance(v, (str, int)) for v in row), t.name
    examiners = next(t for t in found if t.name == "examiners")
    lena = next(r for r in examiners.rows if r[0] == LENIENT)
    effects = by_qa.examiners
    assert effects is not None
    names_ = dict(by_qa.names)
    effect = next(e for e in effects.assessors if names_[e.assessor] == LENIENT)
    assert lena[2] == f"{effect.effect:.4f}" and lena[-1] == "yes"


def test_nothing_to_analyse_is_said_plainly(sqlite_db: Database) -> None:
    accounts.create_account(sqlite_db, None, "qa", "Dev Patel", Role.QA_LEAD, qa_centre.PASSWORD)
    found = analyse(
        sqlite_db, accounts.authenticate(sqlite_db, "qa", qa_centre.PASSWORD), PERIOD, today=AFTER
    )
    assert found.scope.sittings == 0 and found.packs == () and found.agreement.pairs == ()
    assert found.examiners is None and found.examiner_note
    assert "No criterion was scored by two assessors" in found.agreement.note
    assert qa_analysis.tables(found)  # empty tables, still written


@pytest.mark.postgres
def test_the_same_figures_on_postgresql(pg_db: Database, by_qa: QaAnalysis) -> None:
    qa_centre.build(pg_db)
    on_pg = analyse(pg_db, accounts_login(pg_db, "qa"), PERIOD, today=AFTER)
    assert on_pg.scope.sittings == by_qa.scope.sittings == 40
    assert on_pg.agreement.pairs == by_qa.agreement.pairs
    assert on_pg.packs[0].stations == by_qa.packs[0].stations
    for a, b in zip(on_pg.packs[0].standards, by_qa.packs[0].standards, strict=True):
        assert a.regression is not None and b.regression is not None
        assert (a.station, a.grades, a.regression.n) == (b.station, b.grades, b.regression.n)
        assert a.regression.pass_mark == pytest.approx(b.regression.pass_mark, abs=1e-9)
        assert a.regression.r_squared == pytest.approx(b.regression.r_squared, abs=1e-9)
    assert on_pg.fairness is not None and by_qa.fairness is not None
    assert on_pg.fairness.tables == by_qa.fairness.tables


def accounts_login(db: Database, username: str) -> Actor:
    return accounts.authenticate(db, username, qa_centre.PASSWORD)


def test_grouped_agreement_is_the_statistics_one_group_at_a_time() -> None:
    from naas_centre.services.qa_sections import grouped_agreement

    rng = np.random.default_rng(3)
    groups = rng.integers(0, 40, 3000)
    first = rng.integers(1, 5, 3000).astype(float)
    second = np.clip(first + rng.integers(-1, 2, 3000), 1, 4).astype(float)
    second[groups == 7] = first[groups == 7]  # one group in perfect agreement
    first[groups == 9] = 3.0  # and one where a rater gives one level only
    scale = (1.0, 2.0, 3.0, 4.0)
    found = grouped_agreement(groups, first, second, scale, least=2)
    assert sorted(found) == sorted(set(groups.tolist()))
    for g, figures in found.items():
        a, b = first[groups == g], second[groups == g]
        assert figures.agreement == pytest.approx(agreement.agreement(a, b))
        for mine, theirs in (
            (figures.kappa, agreement.cohen_kappa(a, b, levels=scale)),
            (figures.weighted_kappa, agreement.weighted_kappa(a, b, "quadratic", levels=scale)),
        ):
            assert mine is not None
            assert mine.kappa == pytest.approx(theirs.kappa, abs=1e-12)
            assert (mine.observed, mine.expected) == pytest.approx(
                (theirs.observed, theirs.expected), abs=1e-12
            )
            assert (mine.n, mine.levels, mine.weights) == (theirs.n, theirs.levels, theirs.weights)
