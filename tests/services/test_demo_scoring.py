"""The demo day played through: complete, scored, timed, audited, and the same every time."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import JudgementRow, ScoreRow
from naas_centre.demo import data
from naas_centre.demo.centre import demo_packs
from naas_centre.demo.play import (
    BANKS,
    PAUSE_REASON,
    STRUGGLES,
    WRITTEN_LEVELS,
    ScoredDaySummary,
    fill_scored_day,
    load_script,
)
from naas_centre.errors import Conflict
from naas_centre.packs.outcome_adapter import evaluate_pack
from naas_centre.services import audit, packs, planning, scoring, sittings, timing, written
from naas_centre.services.views import Actor, SittingSummary
from naas_centre.services.written import ScriptForMarking
from tests.conftest import WORKSTATION
from tests.services.conftest import Demo

ASSESSORS = ("assessor1", "assessor2", "assessor3", "assessor4", "assessor5", "assessor6")


@pytest.fixture(scope="module")
def scored(
    tmp_path_factory: pytest.TempPathFactory, demo_template: tuple[Path, date]
) -> Iterator[tuple[Demo, ScoredDaySummary]]:
    """One fresh demo, played through once; the tests below only read it."""
    path = tmp_path_factory.mktemp("scored") / "demo.db"
    shutil.copy(demo_template[0], path)
    db = Database(path, WORKSTATION)
    demo = Demo(db, demo_template[1])
    summary = fill_scored_day(db, demo.day)
    yield demo, summary
    db.dispose()


def _sittings(demo: Demo) -> list[SittingSummary]:
    return list(sittings.day_overview(demo.db, demo.login("manager"), demo.day).sittings)


Levels = dict[str, dict[str, int | None]]


def _pair(demo: Demo, s: SittingSummary, station: str) -> tuple[str, ...]:
    """The two assessors who observe (or, for the written exercise, mark) ``station``."""
    rota = planning.day_rota(demo.db, demo.login("manager"), demo.day)
    pack = packs.pack_for_sitting(demo.db, demo.login("manager"), s.id)
    written_id = pack.written_exercise.id if pack.written_exercise else None
    for v in rota.visits:
        if v.sitting_id == s.id and (
            v.station_id == station or (v.station_id == "written" and station == written_id)
        ):
            return v.assessors
    raise AssertionError(f"no visit to {station}")


def _two_sheets(demo: Demo, s: SittingSummary) -> tuple[Levels, Levels]:
    """A circuit's two sheets: the first assessor of every station gives the first, the
    second the other (the way the demo's levels were drawn)."""
    manager = demo.login("manager")
    pack = packs.pack_for_sitting(demo.db, manager, s.id)
    by_name = {sh.assessor_name: sh for sh in sittings.sitting_detail(demo.db, manager, s.id).others}
    out: tuple[Levels, Levels] = ({}, {})
    for station, _rubric in pack.rubrics():
        for k, name in enumerate(_pair(demo, s, station)):
            out[k][station] = by_name[name].levels[station]
    return out


def _assessors(demo: Demo) -> dict[str, Actor]:
    """Display name → logged-in assessor."""
    return {who.display_name: who for who in map(demo.login, ASSESSORS)}


def test_every_sitting_is_complete_with_both_sheets_submitted_and_every_criterion_scored(
    scored: tuple[Demo, ScoredDaySummary],
) -> None:
    demo, _summary = scored
    manager = demo.login("manager")
    day = _sittings(demo)
    assert len(day) == 6
    for s in day:
        assert s.status == "complete"
        # A circuit: every station's own two assessors, each submitted.
        assert s.submitted == len(s.assessors) >= 2
        assert s.criteria_scored == s.criteria_total
        detail = sittings.sitting_detail(demo.db, manager, s.id)
        pack = packs.pack_for_sitting(demo.db, manager, s.id)
        assert len(detail.others) == len(s.assessors)
        assert all(sheet.submitted_at is not None for sheet in detail.others)
        for sheet in _two_sheets(demo, s):
            assert {(st, c.id) for st, c in pack.criteria()} == {
                (st, cid) for st, levels in sheet.items() for cid, lv in levels.items() if lv is not None
            }
        for station, _rubric in pack.rubrics():
            for name in _pair(demo, s, station):
                sheet = next(sh for sh in detail.others if sh.assessor_name == name)
                assert sheet.judgements[station] in ("met", "not_met")


def test_the_audit_trail_verifies(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, _summary = scored
    result = audit.verify(demo.db)
    assert result.ok, result.problem


def test_exactly_the_intended_candidate_does_not_meet_the_standard(
    scored: tuple[Demo, ScoredDaySummary],
) -> None:
    demo, summary = scored
    assert set(STRUGGLES) == {"ليلى حداد"}
    outcomes = summary.outcomes
    assert len(outcomes) == 6
    for name, sheets in outcomes.items():
        assert len(sheets) == 2
        assert set(sheets.values()) == {name not in STRUGGLES}, name
    leila = next(c for c in summary.candidates if c.candidate == "ليلى حداد")
    assert leila.met is False
    for sheet in leila.sheets:
        text = " ".join(sheet.reasons)
        # The area she struggled in, and the two critical criteria she missed, by title.
        assert "“Abuse and neglect of children” is not met" in text
        assert "“Recognising and naming the risk of harm” (Home visit: Shannon Doyle)" in text
        assert "“Responding safely to a disclosure of harm” (Talking with Maya at school)" in text
        assert "hv-risk" not in text and "p5" not in text

    # The same verdicts from the stored sheets, through the pack's rule.
    manager = demo.login("manager")
    for s in _sittings(demo):
        pack = packs.pack_for_sitting(demo.db, manager, s.id)
        for sheet in _two_sheets(demo, s):
            levels = {cid: lv for station in sheet.values() for cid, lv in station.items()}
            assert evaluate_pack(pack, levels).met is (s.candidate_name not in STRUGGLES)


def test_the_two_assessors_mostly_agree_and_differ_by_one_level_at_most(
    scored: tuple[Demo, ScoredDaySummary],
) -> None:
    demo, _summary = scored
    demo.login("manager")
    differing = 0
    for s in _sittings(demo):
        first, second = _two_sheets(demo, s)
        pairs = [(first[st][cid], second[st][cid]) for st in first for cid in first[st]]
        gaps = [abs((a or 0) - (b or 0)) for a, b in pairs]
        assert max(gaps) <= 1
        assert sum(gaps) <= len(pairs) // 3
        differing += sum(gaps)
    assert differing > 0


def test_judgements_are_consistent_with_the_levels(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, _summary = scored
    manager = demo.login("manager")
    for s in _sittings(demo):
        for sheet in sittings.sitting_detail(demo.db, manager, s.id).others:
            for station, levels in sheet.levels.items():
                values = [lv for lv in levels.values() if lv is not None]
                if min(values) < 2:
                    assert sheet.judgements[station] == "not_met"
                if min(values) >= 3:
                    assert sheet.judgements[station] == "met"


def test_phase_timings_replay_with_an_overrun_and_a_pause_with_its_reason(
    scored: tuple[Demo, ScoredDaySummary],
) -> None:
    demo, summary = scored
    manager = demo.login("manager")
    overruns = 0
    pauses = []
    for s in _sittings(demo):
        detail = sittings.sitting_detail(demo.db, manager, s.id)
        starts = []
        for station in detail.stations:
            # station_timing replays every recorded event through the timing rules.
            t = timing.station_timing(demo.db, manager, s.id, station.id)
            previous_end = None  # a circuit: each station at its own time, its phases in order
            for phase in t.phases:
                state = phase.state
                assert state.status == "ended", (s.candidate_name, station.id, phase.plan.phase)
                assert state.started_at is not None and state.ended_at is not None
                if previous_end is not None:
                    assert state.started_at >= previous_end
                previous_end = state.ended_at
                starts.append(state.started_at)
                extra = (
                    detail.candidate.extra_time_percent if phase.plan.phase in timing.EXTENDED_PHASES else 0
                )
                assert phase.plan.adjusted_ms == round(phase.plan.planned_ms * (1 + extra / 100))
                if state.overrun_ms >= 60_000:
                    overruns += 1
                    assert state.overrun_ms <= 3 * 60_000
                pauses += state.pauses
        assert min(starts) == s.starts_at  # the day runs to its plan
    assert overruns >= 2
    assert len(pauses) == 1
    (pause,) = pauses
    assert pause.reason == PAUSE_REASON == "candidate unwell"
    assert pause.end is not None
    assert timedelta(minutes=3) <= pause.end - pause.start <= timedelta(minutes=5)
    assert summary.timing_events > 6 * 10 * 2


def test_scripts_are_submitted_with_more_than_500_words(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, summary = scored
    assert summary.scripts == 6
    seen: dict[str, int] = {}
    for username in ASSESSORS:
        for script in written.scripts_to_mark(demo.db, demo.login(username), reveal_names=True):
            seen[script.sitting_id] = script.word_count
    assert set(seen) == {s.id for s in _sittings(demo)}
    assert all(words > 500 for words in seen.values()), seen
    for level in ("practitioner", "supervisor", "leader"):
        assert 650 <= written.word_count(load_script(level)) <= 1000  # typed in 60 minutes


def test_every_scenario_has_notes_from_both_assessors(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, summary = scored
    manager = demo.login("manager")
    total = 0
    assessors = _assessors(demo)
    for s in _sittings(demo):
        pack = packs.pack_for_sitting(demo.db, manager, s.id)
        texts: dict[str, list[set[str]]] = {sc.id: [] for sc in pack.scenarios}
        for name in s.assessors:
            total += len(scoring.my_notes(demo.db, assessors[name], s.id))
        for sc in pack.scenarios:
            for name in _pair(demo, s, sc.id):
                notes = scoring.my_notes(demo.db, assessors[name], s.id)
                mine = [n for n in notes if n.station_id == sc.id]
                assert 3 <= len(mine) <= 6, (s.candidate_name, name, sc.id)
                assert any(n.criterion_id for n in mine)
                assert all(n.phase in ("role_play", "discussion") and n.phase_clock_ms for n in mine)
                criteria = {c.id for c in sc.rubric.criteria}
                assert all(n.criterion_id is None or n.criterion_id in criteria for n in mine)
                texts[sc.id].append({n.text for n in mine})
        for first, second in texts.values():
            assert not first & second  # the two assessors word their notes differently
    assert total == summary.notes


def test_a_played_day_cannot_be_played_again(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, _summary = scored
    with pytest.raises(Conflict):
        fill_scored_day(demo.db, demo.day)


def test_it_is_deterministic(demo: Demo, scored: tuple[Demo, ScoredDaySummary]) -> None:
    first_demo, first = scored
    second = fill_scored_day(demo.db, demo.day)
    assert second.outcomes == first.outcomes
    assert (second.notes, second.timing_events) == (first.notes, first.timing_events)

    def notes(d: Demo) -> list[tuple[str, str, str | None, int | None]]:
        out = []
        for username in ASSESSORS:
            who = d.login(username)
            for s in sittings.list_for_assessor(d.db, who, d.day):
                mine = scoring.my_notes(d.db, who, s.id)
                out += [(s.candidate_name, n.text, n.criterion_id, n.phase_clock_ms) for n in mine]
        return out

    assert notes(demo) == notes(first_demo)


def test_every_level_below_the_standard_carries_the_assessors_own_reason(
    scored: tuple[Demo, ScoredDaySummary],
) -> None:
    demo, _summary = scored
    manager = demo.login("manager")
    assessors = _assessors(demo)
    below = 0
    for s in _sittings(demo):
        pack = packs.pack_for_sitting(demo.db, manager, s.id)
        standard = pack.outcome.standard()
        criteria = {c.id: c for _st, c in pack.criteria()}
        for name in s.assessors:
            who = assessors[name]
            mine = sittings.sitting_detail(demo.db, who, s.id).mine
            assert mine is not None
            reasons = scoring.my_reasons(demo.db, who, s.id)
            noted = {n.text for n in scoring.my_notes(demo.db, who, s.id)}
            for station, levels in mine.levels.items():
                for cid, level in levels.items():
                    assert level is not None
                    if level >= standard:
                        continue
                    below += 1
                    reason = reasons.get((station, cid), "")
                    assert reason, (s.candidate_name, name, cid)
                    # Their words, not the rubric's: no descriptor is pasted in as a reason.
                    descriptors = {" ".join(d.split()) for d in criteria[cid].descriptors.values()}
                    assert not any(d in reason for d in descriptors), reason
                    # A reason of its own: what fell short, not a copy of a note beside it.
                    assert reason in BANKS[station].reasons[cid], reason
                    assert reason not in noted
    assert below > 0


def test_every_role_play_criterion_has_two_wordings_of_a_reason() -> None:
    for pack in demo_packs().values():
        for scenario in pack.scenarios:
            for c in scenario.rubric.criteria:
                assert len(BANKS[scenario.id].reasons.get(c.id, [])) == 2, (scenario.id, c.id)


def test_the_written_exercise_is_scored_as_its_script_reads(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, _summary = scored
    manager = demo.login("manager")
    for s in _sittings(demo):
        pack = packs.pack_for_sitting(demo.db, manager, s.id)
        assert pack.written_exercise is not None
        expected = WRITTEN_LEVELS[pack.level.value]
        assert set(expected) == {c.id for c in pack.written_exercise.rubric.criteria}
        for sheet in _two_sheets(demo, s):
            assert sheet[pack.written_exercise.id] == expected
    script = load_script("practitioner")
    # What the levels credit is in the script: the parents' health (wr-impact), research
    # and a question for supervision (wr-research), the legal route (wr-law).
    for words in ("low mood", "back injury", "Research on parental depression", "Question for supervision"):
        assert words in script
    assert "section 17(10)(c)" in script and "section 47" in script


def test_the_not_met_candidate_fails_for_what_her_notes_record(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, _summary = scored
    (name,) = STRUGGLES
    sitting = next(s for s in _sittings(demo) if s.candidate_name == name)
    assessors = _assessors(demo)
    manager = demo.login("manager")
    pack = packs.pack_for_sitting(demo.db, manager, sitting.id)
    station_of = {c.id: st for st, c in pack.criteria()}
    for cid, level in STRUGGLES[name].items():
        for who in (assessors[n] for n in _pair(demo, sitting, station_of[cid])):
            notes = scoring.my_notes(demo.db, who, sitting.id)
            tagged = [n for n in notes if n.criterion_id == cid]
            assert tagged, (who.display_name, cid)
            station = next(n.station_id for n in tagged)
            missing = {text for _phase, text in BANKS[station].missing[cid]}
            seen = {text for _phase, text in BANKS[station].seen.get(cid, [])}
            assert all(n.text in missing and n.text not in seen for n in tagged)
            mine = sittings.sitting_detail(demo.db, who, sitting.id).mine
            assert mine is not None and mine.levels[station][cid] == level


def test_each_station_has_its_own_actor_for_every_candidate(
    scored: tuple[Demo, ScoredDaySummary],
) -> None:
    demo, _summary = scored
    manager = demo.login("manager")
    cast = {st.station: st.actor for st in data.centre().stations}
    for s in _sittings(demo):
        for station in sittings.sitting_detail(demo.db, manager, s.id).stations:
            if station.kind == "written":
                assert station.actor_name is None
                continue
            assert station.actor_name == cast[station.id], (s.candidate_name, station.id)
    assert len(set(cast.values())) == len(cast)


def test_notes_fall_inside_the_phase_they_were_written_in(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, _summary = scored
    manager = demo.login("manager")
    assessors = _assessors(demo)
    for s in _sittings(demo):
        phases = {}
        for station in sittings.sitting_detail(demo.db, manager, s.id).stations:
            for phase in timing.station_timing(demo.db, manager, s.id, station.id).phases:
                phases[(station.id, phase.plan.phase)] = phase.state
        for name in s.assessors:
            for note in scoring.my_notes(demo.db, assessors[name], s.id):
                assert note.phase is not None
                state = phases[(note.station_id, note.phase)]
                assert state.started_at is not None and state.ended_at is not None
                assert state.started_at <= note.written_at <= state.ended_at, (s.candidate_name, note.text)


def test_every_note_agrees_with_both_assessors_levels(scored: tuple[Demo, ScoredDaySummary]) -> None:
    """A note that a behaviour was missing sits beside levels below the standard, from both
    assessors; a note that it was seen, beside levels at or above it. Where the two differ,
    they differ on how well it was done, never on whether it happened."""
    demo, _summary = scored
    manager = demo.login("manager")
    assessors = _assessors(demo)
    checked = 0
    for s in _sittings(demo):
        pack = packs.pack_for_sitting(demo.db, manager, s.id)
        standard = pack.outcome.standard()
        first, second = _two_sheets(demo, s)
        for station in first:
            for cid, a in first[station].items():
                b = second[station][cid]
                assert a is not None and b is not None
                assert (a < standard) == (b < standard), (s.candidate_name, cid, a, b)
        for name in s.assessors:
            for note in scoring.my_notes(demo.db, assessors[name], s.id):
                if note.criterion_id is None:
                    continue
                bank = BANKS[note.station_id]
                level = first[note.station_id][note.criterion_id]
                assert level is not None
                missing = {t for _p, t in bank.missing.get(note.criterion_id, [])}
                seen = {t for _p, t in bank.seen.get(note.criterion_id, [])}
                assert note.text in (missing if level < standard else seen), (s.candidate_name, note.text)
                checked += 1
    assert checked > 50


def test_a_script_is_submitted_when_its_writing_ends(scored: tuple[Demo, ScoredDaySummary]) -> None:
    demo, _summary = scored
    manager = demo.login("manager")
    submitted: dict[str, ScriptForMarking] = {}
    for username in ASSESSORS:
        for script in written.scripts_to_mark(demo.db, demo.login(username), reveal_names=True):
            submitted[script.sitting_id] = script
    assert len(submitted) == 6
    for s in _sittings(demo):
        script = submitted[s.id]
        (phase,) = timing.station_timing(demo.db, manager, s.id, script.station_id).phases
        assert phase.state.started_at is not None and phase.state.ended_at is not None
        assert script.submitted_at == phase.state.ended_at, s.candidate_name
        assert phase.state.started_at < script.submitted_at


def test_levels_and_judgements_carry_the_played_days_times(scored: tuple[Demo, ScoredDaySummary]) -> None:
    """Each level and judgement is given after its station ends, in the break that follows
    (a script: once it is in), and the judgement after the levels it follows from."""
    demo, _summary = scored
    manager = demo.login("manager")
    for s in _sittings(demo):
        ends = {
            station.id: max(
                p.state.ended_at
                for p in timing.station_timing(demo.db, manager, s.id, station.id).phases
                if p.state.ended_at is not None
            )
            for station in sittings.sitting_detail(demo.db, manager, s.id).stations
        }
        with demo.db.read() as session:
            scores = session.scalars(select(ScoreRow).where(ScoreRow.sitting_id == s.id)).all()
            judgements = session.scalars(select(JudgementRow).where(JudgementRow.sitting_id == s.id)).all()
            given = [(r.assessor_id, r.station_id, r.updated_at, r.created_at) for r in scores]
            judged = [(r.assessor_id, r.station_id, r.updated_at, r.created_at) for r in judgements]
        assert len(given) > 0 and len(judged) == 2 * len(ends)
        for _assessor, station, updated, created in given + judged:
            assert updated == created
            assert ends[station] < updated <= ends[station] + timedelta(minutes=30), (
                s.candidate_name,
                station,
            )
        for assessor, station, at, _created in judged:
            levels = [u for a, st, u, _c in given if (a, st) == (assessor, station)]
            assert levels and max(levels) < at


def test_the_content_ships_with_the_package() -> None:
    """Every content file is package data in the wheel (tests/e2e/test_install.py runs the
    installed demo), and the demo reads it through importlib.resources, not a path."""
    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["naas_centre.demo"]
    package = root / "naas_centre" / "demo"
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    content = {p for p in (package / "content").rglob("*") if p.is_file()}
    assert content and content == shipped
    assert set(data.banks()) == {p.stem for p in (package / "content" / "notes").glob("*.yaml")}
    assert {sc.id for pack in demo_packs().values() for sc in pack.scenarios} == set(BANKS)


def test_a_content_file_of_the_wrong_shape_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "day.yaml"
    bad.write_text("seed: the demo\nstruggles: []\n", "utf-8")
    with pytest.raises(RuntimeError, match=r"The demo's day\.yaml does not have the expected shape"):
        data.read_model(data.DayFile, bad)
    bad.write_text("seed: [unclosed\n", "utf-8")
    with pytest.raises(RuntimeError, match=r"The demo's day\.yaml is not valid YAML"):
        data.read_model(data.DayFile, bad)
